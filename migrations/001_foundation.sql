-- Foundation schema: users and their API tokens, contracts with their
-- events, approval tasks and signatures. Money is integer minor units.

CREATE TABLE users (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL UNIQUE,
    roles      text[] NOT NULL CHECK (cardinality(roles) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens are stored as SHA-256 hashes; the token itself is shown once.
CREATE TABLE api_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- One contract number sequence per year: HT-YYYY-NNNNNN.
CREATE TABLE contract_sequences (
    year       int PRIMARY KEY,
    last_value int NOT NULL
);

-- Remembers which number a client's idempotency key was given, so a retried
-- create returns the same contract instead of making a second one.
CREATE TABLE contract_requests (
    owner_id    text NOT NULL REFERENCES users (id),
    request_key text NOT NULL,
    number      text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, request_key)
);

-- The projection of each contract workflow that lists and reports read.
CREATE TABLE contracts (
    number        text PRIMARY KEY,
    title         text NOT NULL,
    customer_name text NOT NULL,
    owner_id      text NOT NULL REFERENCES users (id),
    owner_name    text NOT NULL,
    amount        bigint NOT NULL CHECK (amount >= 0),
    currency      char(3) NOT NULL,
    start_date    date NOT NULL,
    end_date      date NOT NULL CHECK (end_date >= start_date),
    expires_at    timestamptz NOT NULL,
    status        text NOT NULL,
    version       int NOT NULL,
    -- The sequence number of the last event applied; older writes never win.
    event_seq     int NOT NULL,
    signed_at     timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX contracts_owner_idx ON contracts (owner_id, number DESC);
CREATE INDEX contracts_status_idx ON contracts (status, number DESC);
CREATE INDEX contracts_customer_idx ON contracts (customer_name, number DESC);

CREATE TABLE contract_events (
    id              text PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    seq             int NOT NULL,
    kind            text NOT NULL,
    from_status     text NOT NULL DEFAULT '',
    to_status       text NOT NULL,
    actor_id        text NOT NULL,
    actor_name      text NOT NULL,
    task_id         text NOT NULL DEFAULT '',
    opinion         text NOT NULL DEFAULT '',
    at              timestamptz NOT NULL,
    UNIQUE (contract_number, seq)
);

CREATE TABLE approval_tasks (
    id              text PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    round           int NOT NULL,
    stage           int NOT NULL,
    role            text NOT NULL,
    status          text NOT NULL,
    decided_by_id   text NOT NULL DEFAULT '',
    decided_by_name text NOT NULL DEFAULT '',
    opinion         text NOT NULL DEFAULT '',
    opened_at       timestamptz,
    decided_at      timestamptz,
    UNIQUE (contract_number, round, stage)
);
CREATE INDEX approval_tasks_open_idx ON approval_tasks (role, opened_at) WHERE status = 'open';

CREATE TABLE signatures (
    id              text PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    version         int NOT NULL,
    party           text NOT NULL,
    signing_order   int NOT NULL,
    signer_name     text NOT NULL,
    signer_email    text NOT NULL DEFAULT '',
    recorded_by_id  text NOT NULL,
    ip              text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    signed_at       timestamptz NOT NULL
);
CREATE INDEX signatures_contract_idx ON signatures (contract_number, version);

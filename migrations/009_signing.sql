-- E-signing: the server's sealing key, signing rounds with their signers
-- and one-time links, every signing event for the certificate, sealed
-- signature records, and the provider webhook deliveries already applied.

-- The Ed25519 seed, generated on first start (unless SIGNET_SIGNING_KEY_FILE
-- keeps it in a file instead). Replicas share it.
CREATE TABLE signing_keys (
    id         text PRIMARY KEY,
    seed       bytea NOT NULL CHECK (length(seed) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE signing_rounds (
    contract_number text NOT NULL REFERENCES contracts (number),
    round           int NOT NULL,
    version         int NOT NULL,
    document_sha256 text NOT NULL,
    status          text NOT NULL CHECK (status IN ('open', 'signed', 'declined', 'expired')),
    deadline_at     timestamptz NOT NULL,
    reason          text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL,
    closed_at       timestamptz,
    PRIMARY KEY (contract_number, round)
);

CREATE TABLE signing_signers (
    id              text PRIMARY KEY,
    contract_number text NOT NULL,
    round           int NOT NULL,
    seq             int NOT NULL,
    signing_group   int NOT NULL,
    party           text NOT NULL,
    role            text NOT NULL DEFAULT '',
    name            text NOT NULL,
    email           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('waiting', 'open', 'signed', 'declined', 'closed')),
    FOREIGN KEY (contract_number, round) REFERENCES signing_rounds,
    UNIQUE (contract_number, round, seq)
);

-- A link is its token's SHA-256; the token itself is only ever in the
-- signer's email (or shown once to the sender who asked for it).
CREATE TABLE signing_links (
    id              text PRIMARY KEY,
    signer_id       text NOT NULL REFERENCES signing_signers (id),
    contract_number text NOT NULL,
    round           int NOT NULL,
    token_hash      bytea NOT NULL UNIQUE,
    status          text NOT NULL CHECK (status IN ('active', 'used', 'voided', 'expired')),
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    opened_at       timestamptz,
    closed_at       timestamptz,
    -- A one-time code mailed to the signer, when the request asks for one:
    -- its SHA-256 with the link ID, until when it works, and how many
    -- wrong tries were made.
    code_hash       bytea,
    code_expires_at timestamptz,
    code_attempts   int NOT NULL DEFAULT 0
);
CREATE INDEX signing_links_signer_idx ON signing_links (signer_id);

CREATE TABLE signing_events (
    id              text PRIMARY KEY,
    contract_number text NOT NULL,
    version         int NOT NULL,
    round           int NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('sent', 'opened', 'signed', 'declined', 'reminded', 'expired', 'voided')),
    signer_id       text NOT NULL DEFAULT '',
    signer_name     text NOT NULL DEFAULT '',
    ip              text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    detail          text NOT NULL DEFAULT '',
    at              timestamptz NOT NULL
);
CREATE INDEX signing_events_contract_idx ON signing_events (contract_number, version, at);

-- Link signatures carry the sealed record; foundation signatures have none.
ALTER TABLE signatures
    ADD COLUMN round           int NOT NULL DEFAULT 0,
    ADD COLUMN signer_id       text NOT NULL DEFAULT '',
    ADD COLUMN role            text NOT NULL DEFAULT '',
    ADD COLUMN document_sha256 text NOT NULL DEFAULT '',
    ADD COLUMN link_id         text NOT NULL DEFAULT '',
    ADD COLUMN record          jsonb,
    ADD COLUMN seal            jsonb;
CREATE INDEX signatures_document_idx ON signatures (document_sha256) WHERE document_sha256 <> '';

CREATE TABLE provider_deliveries (
    delivery_id text PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- External signers have no account; their link emails name no user.
ALTER TABLE notification_outbox ALTER COLUMN user_id DROP NOT NULL;

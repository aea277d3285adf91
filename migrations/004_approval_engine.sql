-- The approval engine: versioned policies and risk rules, delegation,
-- managers for escalation, review rounds and per-approver tasks.

ALTER TABLE users
    ADD COLUMN manager_id text REFERENCES users (id),
    ADD COLUMN active boolean NOT NULL DEFAULT true;

-- A policy version never changes; edits make a new version. A contract in
-- review keeps the version its round started with.
CREATE TABLE approval_policies (
    id         text NOT NULL,
    version    int NOT NULL,
    body       jsonb NOT NULL,
    created_by text NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);

-- The risk and compliance rule set, versioned as a whole.
CREATE TABLE risk_rule_sets (
    version    int PRIMARY KEY,
    rules      jsonb NOT NULL,
    created_by text NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE delegations (
    id          uuid PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id),
    delegate_id text NOT NULL REFERENCES users (id),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL CHECK (ends_on >= starts_on),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (user_id <> delegate_id)
);
CREATE INDEX delegations_user_idx ON delegations (user_id, starts_on, ends_on);

-- One review round of a contract: the route chosen and why.
CREATE TABLE approval_rounds (
    contract_number text NOT NULL REFERENCES contracts (number),
    round           int NOT NULL,
    policy_id       text NOT NULL,
    policy_version  int NOT NULL,
    route           jsonb NOT NULL,
    document_sha256 text NOT NULL,
    document_text   text NOT NULL,
    outcome         text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL,
    closed_at       timestamptz,
    PRIMARY KEY (contract_number, round)
);

ALTER TABLE approval_tasks
    DROP CONSTRAINT approval_tasks_contract_number_round_stage_key,
    ADD COLUMN kind           text NOT NULL DEFAULT 'approval',
    ADD COLUMN stage_name     text NOT NULL DEFAULT '',
    ADD COLUMN assignee_id    text NOT NULL DEFAULT '',
    ADD COLUMN assignee_name  text NOT NULL DEFAULT '',
    ADD COLUMN delegated_from text NOT NULL DEFAULT '',
    ADD COLUMN due_at         timestamptz,
    ADD COLUMN reminded_at    timestamptz,
    ADD COLUMN escalated_at   timestamptz;
CREATE INDEX approval_tasks_assignee_idx ON approval_tasks (assignee_id, status, opened_at);
CREATE INDEX approval_tasks_contract_idx ON approval_tasks (contract_number, round, stage);

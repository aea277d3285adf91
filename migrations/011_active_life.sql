-- The life of a signed contract: its obligations (履约事项) with progress
-- and evidence, and the links between a contract and the successor it
-- renewed into.

CREATE TABLE obligations (
    id              text PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    version         int NOT NULL,
    seq             int NOT NULL,
    title           text NOT NULL,
    owner_id        text NOT NULL REFERENCES users (id),
    due_date        date NOT NULL,
    progress        int NOT NULL CHECK (progress BETWEEN 0 AND 100),
    note            text NOT NULL DEFAULT '',
    evidence_id     uuid REFERENCES attachments (id),
    completed_at    timestamptz,
    UNIQUE (contract_number, version, seq)
);
CREATE INDEX obligations_owner_due_idx ON obligations (owner_id, due_date) WHERE completed_at IS NULL;

ALTER TABLE contracts
    ADD COLUMN predecessor_number text REFERENCES contracts (number),
    ADD COLUMN successor_number   text REFERENCES contracts (number),
    -- The contract renews itself at the end of its term.
    ADD COLUMN auto_renew         boolean NOT NULL DEFAULT false;

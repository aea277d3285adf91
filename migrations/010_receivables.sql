-- Receivables: the payment plan (回款计划) of each contract version, the
-- invoices issued and the payments received against its milestones. The
-- payment workflow writes these through idempotent store calls; reports
-- read them. Money is integer minor units in the contract's currency.

CREATE TABLE payment_milestones (
    id              uuid PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    -- The contract version whose plan this is; reports read the milestones
    -- of contracts.version only.
    version         int NOT NULL,
    seq             int NOT NULL CHECK (seq > 0),
    title           text NOT NULL,
    amount          bigint NOT NULL CHECK (amount > 0),
    currency        char(3) NOT NULL,
    due_date        date NOT NULL,
    invoiced        bigint NOT NULL DEFAULT 0 CHECK (invoiced >= 0),
    received        bigint NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= amount),
    paid_at         timestamptz,
    UNIQUE (contract_number, version, seq)
);
-- The UNIQUE index (contract_number, version, seq) serves the per-contract
-- totals the ledger joins and the plan replacement. Aging and "overdue"
-- read only what is still owed, by due date:
CREATE INDEX payment_milestones_unpaid_idx ON payment_milestones (due_date, contract_number, version)
    WHERE received < amount;

-- The id is the caller's idempotency key (the workflow event ID): writing
-- the same invoice again changes nothing.
CREATE TABLE invoices (
    id              text PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    milestone_id    uuid NOT NULL REFERENCES payment_milestones (id),
    invoice_number  text NOT NULL,
    amount          bigint NOT NULL CHECK (amount > 0),
    issued_on       date NOT NULL,
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX invoices_milestone_idx ON invoices (milestone_id);
CREATE INDEX invoices_contract_idx ON invoices (contract_number);

CREATE TABLE payments (
    id              text PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    milestone_id    uuid NOT NULL REFERENCES payment_milestones (id),
    amount          bigint NOT NULL CHECK (amount > 0),
    received_on     date NOT NULL,
    method          text NOT NULL DEFAULT '',
    reference       text NOT NULL DEFAULT '',
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX payments_milestone_idx ON payments (milestone_id);
CREATE INDEX payments_contract_idx ON payments (contract_number);

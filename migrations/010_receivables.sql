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
-- The UNIQUE index (contract_number, version, seq) is the only one the
-- reports need here: a ledger page's per-contract totals and the overdue
-- filter look milestones up by it, an export and the figures read it in
-- order to sum per contract. Aging reads every unpaid milestone, which a
-- parallel sequential scan does best (a partial index on unpaid milestones
-- by due date went unused in the plans over 1,000,000 contracts).

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

-- The ledger pages in keyset order (sort column, number), both ascending
-- or both descending, so a btree on (column, number) read forwards or
-- backwards yields a page without sorting the table. Indexed are the sorts
-- a manager reaches for on a large ledger — amount, signing time (its key
-- never NULL: unsigned is -infinity) and end date (also the renewal
-- pipeline's range) — chosen from the plans over 1,000,000 contracts; the
-- other columns sort the filtered rows (top-N heapsort). number is the
-- primary key.
CREATE INDEX contracts_amount_key ON contracts (amount, number);
CREATE INDEX contracts_signed_key ON contracts ((coalesce(signed_at, '-infinity'::timestamptz)), number);
CREATE INDEX contracts_end_key ON contracts (end_date, number);

-- Starts without a lock across the RPC (issue 19): a contract's number and
-- draft are committed first, in a short transaction, and its workflow is
-- started after the commit. Until the start is known to have happened the
-- draft has a pending row here, with the workflow's input, so a retry of
-- the same request (its idempotency key) starts exactly that workflow.
CREATE TABLE contract_starts (
    number     text PRIMARY KEY REFERENCES contracts (number) ON DELETE CASCADE,
    input      jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz
);
CREATE INDEX contract_starts_pending_idx ON contract_starts (created_at) WHERE started_at IS NULL;

-- A number whose workflow could not be started is void (作废): its draft
-- is removed and the number is listed here, never given out again (the
-- year's sequence has passed it), so every number is accounted for.
CREATE TABLE contract_number_voids (
    number    text PRIMARY KEY,
    owner_id  text NOT NULL,
    title     text NOT NULL,
    reason    text NOT NULL,
    voided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contract_number_voids_at_idx ON contract_number_voids (voided_at DESC);

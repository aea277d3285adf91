-- The change feed (GET /v1/events): every business event, written in the
-- transaction that records it. A row's place is (xid, seq): the writing
-- transaction's ID and a sequence. Readers take only rows below every
-- transaction still running (pg_snapshot_xmin), so a row can never later
-- appear before a cursor a consumer already holds, whatever order the
-- writers commit in; within a contract, its events' transactions follow
-- one another, so they are read in the contract's order.
CREATE TABLE feed_events (
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    xid             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    id              text NOT NULL UNIQUE,
    type            text NOT NULL,
    contract_number text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    payload         jsonb NOT NULL,
    PRIMARY KEY (xid, seq)
);
CREATE INDEX feed_events_contract_idx ON feed_events (contract_number, xid, seq);

-- Consumers trust that an event, once read, stays as it was.
REVOKE UPDATE, DELETE, TRUNCATE ON feed_events FROM signet_app;

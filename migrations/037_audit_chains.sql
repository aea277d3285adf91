-- The audit trail becomes many chains instead of one (issue 19 part 5).
-- One chain serialised every audited write through one lock, about 700
-- writes a second whatever the number of writers. Now each row belongs to
-- the chain of its object (a hash of object type and ID, see
-- audit.ChainOf): chain_seq numbers the rows of one chain without gaps and
-- prev_hash is the hash of the chain's previous row, so writers on
-- different chains never wait for each other. seq stays the trail's global
-- order, now drawn from a sequence (it may have gaps where a transaction
-- rolled back; chain_seq may not). Checkpoints seal every chain's head
-- under one Merkle root, so the whole trail is still provable.
--
-- The rows already written were one chain: they become chain 0, in the
-- order they were chained, and chain 0 goes on from its last row.
ALTER TABLE audit_events ADD COLUMN chain int NOT NULL DEFAULT 0 CHECK (chain >= 0);
ALTER TABLE audit_events ADD COLUMN chain_seq bigint;
-- The trail is append-only by trigger; this one-off backfill of the new
-- column is the migration's, not an application's, so it steps around it.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
UPDATE audit_events SET chain_seq = seq;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;
ALTER TABLE audit_events ALTER COLUMN chain_seq SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN chain DROP DEFAULT;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_chain_seq_positive CHECK (chain_seq > 0);
CREATE UNIQUE INDEX audit_events_chain_idx ON audit_events (chain, chain_seq);

CREATE SEQUENCE audit_events_seq AS bigint OWNED BY audit_events.seq;
SELECT setval('audit_events_seq', coalesce(max(seq), 0) + 1, false) FROM audit_events;
GRANT USAGE ON SEQUENCE audit_events_seq TO signet_app;

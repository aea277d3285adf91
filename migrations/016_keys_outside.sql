-- Keys live outside PostgreSQL, and the application connects as a role
-- that cannot rewrite the audit trail (issue 16, points 5 and 6).

-- The sealing key moves to a keyring file (SIGNET_SIGNING_KEY_FILE). Before
-- this runs, `signet migrate` copies the public half of a key kept here into
-- the keyring as a retired key, so seals it made still verify; the seed
-- itself goes with the table.
DROP TABLE IF EXISTS signing_keys;

-- Each audit entry names the audit key (HMAC-SHA256 under a key in
-- SIGNET_AUDIT_KEY_FILE) it was chained with. Entries chained before this
-- migration keep '' (SHA-256, which anyone can recompute) and are trusted
-- only below the first sealed checkpoint. The column has no default: a
-- writer that names no key (an older binary) fails instead of writing
-- entries anyone could recompute.
ALTER TABLE audit_events ADD COLUMN key_id text NOT NULL DEFAULT ''
    CONSTRAINT audit_events_key_id_shape CHECK (key_id ~ '^([0-9a-f]{16})?$');
ALTER TABLE audit_events ALTER COLUMN key_id DROP DEFAULT;

-- The application's role: it reads and writes what the API and worker
-- need and owns nothing, so it cannot ALTER TABLE audit_events (nor disable
-- its triggers), TRUNCATE it, or UPDATE or DELETE its rows. Roles belong to
-- the server, not to one database, so it is made once: here when the
-- migrating role may create roles, else by an operator beforehand. Without
-- a password it can log in only where pg_hba trusts local connections.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'signet_app') THEN
        BEGIN
            CREATE ROLE signet_app LOGIN;
        EXCEPTION
            -- Another database's migration made it meanwhile.
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'role signet_app does not exist and % may not create roles', current_user
                    USING HINT = 'As a superuser run CREATE ROLE signet_app LOGIN PASSWORD ''…'', then signet migrate again.';
        END;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO signet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO signet_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO signet_app;
-- The trail is append-only for the application too, and the migration
-- ledger is the owner's.
REVOKE UPDATE, DELETE ON audit_events FROM signet_app;
REVOKE ALL ON schema_version FROM signet_app;
-- Tables later migrations create (as the same owner) are the app's to use.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO signet_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO signet_app;

-- Sign-in for the web console: local passwords and sessions.
--
-- A password is kept only as its bcrypt hash, with the count of failed
-- attempts in a row and, after too many, when the account may try again
-- (the identity service decides both; the table only holds them).
CREATE TABLE user_passwords (
    user_id       text PRIMARY KEY REFERENCES users (id),
    hash          text NOT NULL CHECK (hash ~ '^\$2[aby]\$[0-9]{2}\$.{53}$'),
    set_by        text NOT NULL,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    failed_logins int NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  timestamptz
);

-- A console session: only the SHA-256 of its ID (the cookie's value) is
-- stored. It ends when idle too long (last_seen_at + the configured idle
-- bound), at expires_at whatever happens, or at sign-out (the row is
-- deleted).
CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id      text NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CHECK (expires_at > created_at),
    CHECK (last_seen_at >= created_at)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- The language a user reads the console in ('zh-CN' or 'en'); NULL
-- follows the browser's Accept-Language.
ALTER TABLE users ADD COLUMN language text CHECK (language IN ('zh-CN', 'en'));

-- The console's home page lists the latest events of the contracts a
-- person sees.
CREATE INDEX contract_events_at_idx ON contract_events (at DESC);

-- Company seals (电子印章): the image an admin uploads and who may apply it.
--
-- The image is a PNG with transparency, checked by the e-signing service
-- before it is stored; sha256 is of those bytes and is what the
-- certificate page names. A seal is deactivated, never deleted, so
-- signatures that applied it keep showing it.
CREATE TABLE seals (
    id             text PRIMARY KEY,
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    png            bytea NOT NULL CHECK (length(png) > 0),
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width          int NOT NULL CHECK (width > 0),
    height         int NOT NULL CHECK (height > 0),
    active         boolean NOT NULL DEFAULT true,
    created_by     text NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    deactivated_by text REFERENCES users (id),
    deactivated_at timestamptz,
    CHECK ((deactivated_at IS NULL) = (deactivated_by IS NULL))
);

-- Who may apply a seal (用印人): named by an admin, each a user with
-- signing authority when named.
CREATE TABLE seal_appliers (
    seal_id    text NOT NULL REFERENCES seals (id),
    user_id    text NOT NULL REFERENCES users (id),
    granted_by text NOT NULL,
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (seal_id, user_id)
);
CREATE INDEX seal_appliers_user_idx ON seal_appliers (user_id);

-- The seal a company signer applied with their signature, one per
-- signature (a retried write keeps the first).
CREATE TABLE seal_applications (
    signature_id text PRIMARY KEY REFERENCES signatures (id),
    seal_id      text NOT NULL REFERENCES seals (id),
    applied_by   text NOT NULL,
    applied_at   timestamptz NOT NULL
);
CREATE INDEX seal_applications_seal_idx ON seal_applications (seal_id);

-- Tokens get an ID so their holders can list and revoke them without the
-- token itself, which is never stored.
ALTER TABLE api_tokens ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE;

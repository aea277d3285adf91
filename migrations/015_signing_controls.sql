-- Signing authority and link custody (issue 15, points 6-8): who may sign
-- for the company and up to what amount, which account a company signer
-- is, how many one-time codes a link has had, and the certificate lines
-- for resent links and codes.

-- An admin's grant (or withdrawal) of signing authority. Without a row a
-- user's authority follows their role (executives may sign); a row
-- overrides it either way. A limit is in minor units of one currency.
CREATE TABLE signing_authorities (
    user_id        text PRIMARY KEY REFERENCES users (id),
    authorised     boolean NOT NULL,
    limit_amount   bigint CHECK (limit_amount > 0 AND limit_amount <= 1000000000000000),
    limit_currency text CHECK (limit_currency ~ '^[A-Z]{3}$'),
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL,
    CHECK ((limit_amount IS NULL) = (limit_currency IS NULL)),
    -- A withdrawn authority has no limit to speak of.
    CHECK (authorised OR limit_amount IS NULL)
);

-- A company signer is a user, who signs signed in as that user; customer
-- signers have no account. (Rounds recorded before this migration have
-- company signers without one, which later steps still update, so the
-- service, not a constraint, requires the account of a new one.)
ALTER TABLE signing_signers
    ADD COLUMN user_id text REFERENCES users (id),
    ADD CONSTRAINT signing_signers_user_company CHECK (user_id IS NULL OR party = 'company');

-- One-time codes are bounded per link, with a cooldown between sends.
ALTER TABLE signing_links
    ADD COLUMN codes_sent   int NOT NULL DEFAULT 0 CHECK (codes_sent >= 0),
    ADD COLUMN code_sent_at timestamptz,
    ADD CONSTRAINT signing_links_code_attempts CHECK (code_attempts >= 0);

ALTER TABLE signing_events DROP CONSTRAINT signing_events_kind_check;
ALTER TABLE signing_events ADD CONSTRAINT signing_events_kind_check
    CHECK (kind IN ('sent', 'resent', 'opened', 'code_sent', 'signed', 'declined', 'reminded', 'expired', 'voided'));

-- A sent signing round can be voided (issue 17): its links are revoked
-- and the signatures made in it stop counting towards the deal, kept (and
-- audited) as history with when they were voided.
ALTER TABLE signing_rounds DROP CONSTRAINT signing_rounds_status_check;
ALTER TABLE signing_rounds ADD CONSTRAINT signing_rounds_status_check
    CHECK (status IN ('open', 'signed', 'declined', 'expired', 'voided'));

ALTER TABLE signatures ADD COLUMN voided_at timestamptz;

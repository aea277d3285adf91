-- Users may sign in with a JWT from the configured OpenID Connect issuer;
-- its sub claim names the user here. NULL: not linked. Subjects are only
-- unique per issuer, and Signet trusts one issuer.
ALTER TABLE users ADD COLUMN oidc_subject text UNIQUE;

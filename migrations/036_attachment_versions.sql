-- An attachment may belong to one version of its contract (an amendment's
-- supporting papers, the signed scan of version 2) rather than to the
-- contract as a whole (NULL).
ALTER TABLE attachments ADD COLUMN version int CHECK (version > 0);

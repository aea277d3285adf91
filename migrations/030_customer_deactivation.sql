-- A customer may be deactivated (停用): it stays with its contracts, which
-- keep running, but new drafts refuse it and the book lists it only when
-- asked for inactive customers.
ALTER TABLE customers ADD COLUMN deactivated_at timestamptz;

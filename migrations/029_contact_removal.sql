-- A contact removed from the customer book stays as a row with the time
-- it was removed: contracts drafted with it keep naming it, the customer
-- page lists it apart, and new drafts refuse it.
ALTER TABLE customer_contacts ADD COLUMN removed_at timestamptz;

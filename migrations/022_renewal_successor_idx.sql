-- The renewal pipeline finds a contract's hand-drafted successor among the
-- same customer's contracts from the same template created after it
-- (internal/reports/renewals.go); this index answers that lookup.
CREATE INDEX contracts_successor_lookup ON contracts (customer_id, template_id, created_at);

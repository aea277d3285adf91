-- Merging a duplicate customer into another (合并客户): the duplicate's
-- contacts, contracts and external IDs move to the survivor, and the
-- duplicate stays as a row that points at it, so old links and IDs can
-- follow. merged_into never points at a merged customer: a merge of the
-- survivor carries the earlier ones along (one hop to resolve).
ALTER TABLE customers
    ADD COLUMN merged_into uuid REFERENCES customers (id),
    ADD COLUMN merged_at   timestamptz;
CREATE INDEX customers_merged_into_idx ON customers (merged_into) WHERE merged_into IS NOT NULL;

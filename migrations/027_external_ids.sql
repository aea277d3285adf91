-- External identifiers: the key another system (a CRM, an ERP, last
-- year's spreadsheet) knows a customer, contact, product or contract by,
-- so it can push its records again and again and land on the same row.
-- One table for every kind rather than columns on each: the lookup, the
-- uniqueness rules and the list filters are written once, and an entity
-- may be known to several systems at once (one row per source).
-- An external ID names one entity per source and kind; an entity has at
-- most one ID per source.
CREATE TABLE external_ids (
    kind        text NOT NULL CHECK (kind IN ('customer', 'contact', 'product', 'contract')),
    source      text NOT NULL CHECK (source ~ '^[a-z0-9_-]{1,32}$'),
    external_id text NOT NULL CHECK (char_length(external_id) BETWEEN 1 AND 128),
    -- A customer's, contact's or product's UUID, or a contract's number.
    entity_id   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, source, external_id),
    CONSTRAINT external_ids_one_per_source UNIQUE (kind, entity_id, source)
);

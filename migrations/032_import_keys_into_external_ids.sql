-- One table of external keys: what a bulk import keyed its records by
-- (import_keys, 023) joins external_ids (027), so a (source, external ID)
-- names one record whether a file or a CRM's PUT …/by-external/… brought
-- it. Both use the same kinds (customer, product, contract), sources and
-- 128-character IDs, and neither links a key to an import job (the audit
-- trail's *.imported entries do), so the rows move as they are.
--
-- An import key whose (source, ID) external_ids already gives another
-- record, or whose record external_ids already knows by another ID from
-- that source (set later, e.g. PUT /v1/contracts/{n}/external-ids/{source}),
-- keeps external_ids' answer: it is what the API has been answering and
-- what the unified code would have made. The keys that lose are kept in
-- import_keys_unmerged, with the record that holds the key now, for an
-- operator to merge the duplicates; nothing else reads it.
INSERT INTO external_ids (kind, source, external_id, entity_id)
SELECT kind, source, external_id, entity_id FROM import_keys ORDER BY kind, source, external_id
ON CONFLICT DO NOTHING;

CREATE TABLE import_keys_unmerged (
    kind        text NOT NULL,
    source      text NOT NULL,
    external_id text NOT NULL,
    -- The record the import made under this key.
    entity_id   text NOT NULL,
    -- The record external_ids gives this key now ('' if none: the import's
    -- record is known to this source by another ID).
    kept_entity_id text NOT NULL,
    PRIMARY KEY (kind, source, external_id)
);
INSERT INTO import_keys_unmerged (kind, source, external_id, entity_id, kept_entity_id)
SELECT k.kind, k.source, k.external_id, k.entity_id, coalesce(x.entity_id, '')
FROM import_keys k
LEFT JOIN external_ids x ON x.kind = k.kind AND x.source = k.source AND x.external_id = k.external_id
WHERE x.entity_id IS DISTINCT FROM k.entity_id;

DROP TABLE import_keys;

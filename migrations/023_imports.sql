-- Bulk imports (批量导入): a file's checked records wait here while a worker
-- lands them, with the progress and the report people read meanwhile.
CREATE TABLE imports (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('customers', 'products', 'contracts')),
    source      text NOT NULL,
    -- all: the whole file lands or none of it; rows: each row on its own.
    mode        text NOT NULL CHECK (mode IN ('all', 'rows')),
    filename    text NOT NULL,
    encoding    text NOT NULL,
    status      text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    -- The checked records, as the worker lands them.
    records     jsonb NOT NULL,
    total       int NOT NULL,
    processed   int NOT NULL DEFAULT 0,
    created     int NOT NULL DEFAULT 0,
    updated     int NOT NULL DEFAULT 0,
    unchanged   int NOT NULL DEFAULT 0,
    failed      int NOT NULL DEFAULT 0,
    -- Rows refused at the check (rows mode) or while landing.
    problems    jsonb NOT NULL DEFAULT '[]',
    error       text NOT NULL DEFAULT '',
    created_by  text NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    finished_at timestamptz
);
CREATE INDEX imports_created_idx ON imports (created_at DESC);

-- Where each imported record came from: (kind, source, external ID) names
-- one Signet record, so importing the same file again changes nothing.
CREATE TABLE import_keys (
    kind        text NOT NULL,
    source      text NOT NULL,
    external_id text NOT NULL,
    entity_id   text NOT NULL,
    PRIMARY KEY (kind, source, external_id)
);

-- The clause library (条款库): reusable clauses legal maintain. A template
-- clause may be taken from it; the text is copied into the template version
-- when it is saved, so a later library edit never changes a template.
CREATE TABLE clause_library (
    id         text NOT NULL,
    version    int NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL,
    language   text NOT NULL CHECK (language IN ('zh', 'en')),
    created_by text NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);

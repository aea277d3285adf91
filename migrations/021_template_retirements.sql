-- A template version retired from use: new contracts may no longer be
-- drafted from it (those that were keep it, as their documents pin it).
-- Versions themselves never change, so the retirement is its own row.
CREATE TABLE template_retirements (
    template_id text NOT NULL,
    version     int NOT NULL,
    reason      text NOT NULL,
    retired_by  text NOT NULL REFERENCES users (id),
    retired_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, version),
    FOREIGN KEY (template_id, version) REFERENCES templates (id, version)
);

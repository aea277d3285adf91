-- Each client request ID (X-Request-ID) a changing request carried: who
-- sent it, for which operation, on what (a hash of the path parameters).
-- A retry repeats all three and gets the first answer; a request that
-- reuses the ID for anything else is refused (409), never silently taken
-- for the earlier one.
CREATE TABLE request_ids (
    request_id  text PRIMARY KEY CHECK (length(request_id) BETWEEN 1 AND 128),
    caller      text NOT NULL,
    operation   text NOT NULL,
    target      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_ids_created_at ON request_ids (created_at);

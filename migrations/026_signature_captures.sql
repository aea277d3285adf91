-- Drawn signatures (the signing page's canvas): one PNG per signer of a
-- round, written as the signer signs, keyed so a retried signature writes
-- the same row; once the signer's signature is recorded it stays as it
-- was. The PDF places it beside that signature (activities.PDFInput).
CREATE TABLE signature_captures (
    contract_number text NOT NULL REFERENCES contracts (number),
    round           int NOT NULL,
    signer_id       text NOT NULL,
    version         int NOT NULL,
    png             bytea NOT NULL,
    sha256          text NOT NULL,
    captured_at     timestamptz NOT NULL,
    PRIMARY KEY (contract_number, round, signer_id)
);

-- A contract version's signed PDF: the rendering with every signature and
-- the certificate page, carrying Signet's PDF digital signature, written
-- by the worker when the version's signing round completes. One per
-- version; a retried write keeps the first file (its signing time is in
-- the bytes, so a second render would differ). The signing key is not
-- here: only the certificate's fingerprint, to say which key signed.
CREATE TABLE signed_pdfs (
    contract_number text NOT NULL,
    version         int NOT NULL CHECK (version > 0),
    pdf             bytea NOT NULL CHECK (length(pdf) > 0),
    pdf_sha256      text NOT NULL CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
    document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
    cert_sha256     text NOT NULL CHECK (cert_sha256 ~ '^[0-9a-f]{64}$'),
    signed_at       timestamptz NOT NULL,
    PRIMARY KEY (contract_number, version),
    FOREIGN KEY (contract_number) REFERENCES contracts (number)
);
CREATE INDEX signed_pdfs_pdf_idx ON signed_pdfs (pdf_sha256);

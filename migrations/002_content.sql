-- Contract content: the customer book, the product catalogue, versioned
-- templates, each contract's line items and rendered document, attachments.

CREATE TABLE customers (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    credit_code text UNIQUE,
    industry    text NOT NULL DEFAULT '',
    region      text NOT NULL DEFAULT '',
    tier        char(1) NOT NULL CHECK (tier IN ('A', 'B', 'C')),
    owner_id    text NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_owner_idx ON customers (owner_id, id DESC);

CREATE TABLE customer_contacts (
    id          uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    name        text NOT NULL,
    title       text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    may_sign    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_contacts_customer_idx ON customer_contacts (customer_id);

CREATE TABLE product_lines (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          uuid PRIMARY KEY,
    line_id     uuid NOT NULL REFERENCES product_lines (id),
    name        text NOT NULL,
    unit        text NOT NULL,
    list_price  bigint NOT NULL CHECK (list_price >= 0),
    currency    char(3) NOT NULL,
    tax_rate_bp int NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_line_idx ON products (line_id);

-- A template version never changes once written; edits make a new version.
CREATE TABLE templates (
    id         text NOT NULL,
    version    int NOT NULL,
    name       text NOT NULL,
    language   text NOT NULL CHECK (language IN ('zh', 'en')),
    body       jsonb NOT NULL,
    created_by text NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);

ALTER TABLE contracts
    ADD COLUMN customer_id      uuid REFERENCES customers (id),
    ADD COLUMN template_id      text NOT NULL DEFAULT '',
    ADD COLUMN template_version int NOT NULL DEFAULT 0,
    ADD COLUMN document_sha256  text NOT NULL DEFAULT '';
CREATE INDEX contracts_customer_id_idx ON contracts (customer_id, number DESC);

CREATE TABLE contract_line_items (
    contract_number text NOT NULL REFERENCES contracts (number),
    version         int NOT NULL,
    line_no         int NOT NULL,
    product_id      uuid NOT NULL REFERENCES products (id),
    description     text NOT NULL,
    unit            text NOT NULL,
    quantity_milli  bigint NOT NULL CHECK (quantity_milli > 0),
    unit_price      bigint NOT NULL CHECK (unit_price >= 0),
    discount_bp     int NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp     int NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    gross           bigint NOT NULL,
    discount        bigint NOT NULL,
    net             bigint NOT NULL,
    tax             bigint NOT NULL,
    total           bigint NOT NULL,
    PRIMARY KEY (contract_number, version, line_no)
);

-- The canonical rendered document of each contract version; its SHA-256 is
-- what approvers approve and signers sign.
CREATE TABLE contract_documents (
    contract_number text NOT NULL REFERENCES contracts (number),
    version         int NOT NULL,
    sha256          text NOT NULL,
    content         jsonb NOT NULL,
    text            text NOT NULL,
    html            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contract_number, version)
);

CREATE TABLE attachments (
    id              uuid PRIMARY KEY,
    contract_number text NOT NULL REFERENCES contracts (number),
    filename        text NOT NULL,
    content_type    text NOT NULL,
    size            bigint NOT NULL,
    sha256          text NOT NULL,
    data            bytea NOT NULL,
    uploaded_by     text NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_contract_idx ON attachments (contract_number, created_at);

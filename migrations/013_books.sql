-- The books hold (issue 15): every amount is bounded, invoice numbers are
-- unique per contract, and invoices and payments are corrected by
-- reversal (红冲), never by edit.
--
-- Every amount is at most 10^15 minor units (domain.MaxAmount, ten
-- trillion yuan); the service refuses more with a 400 naming the field,
-- and these constraints hold the same bound for anything else that
-- writes. A contract, a milestone and its running totals then never come
-- near int64's limit, and the reports add amounts over many contracts in
-- numeric.

ALTER TABLE contracts
    ADD CONSTRAINT contracts_amount_bounded CHECK (amount BETWEEN 0 AND 1000000000000000);

ALTER TABLE products
    ADD CONSTRAINT products_list_price_bounded CHECK (list_price BETWEEN 0 AND 1000000000000000);

ALTER TABLE contract_line_items
    ADD CONSTRAINT contract_line_items_amounts_bounded CHECK (
        unit_price BETWEEN 0 AND 1000000000000000
        AND gross BETWEEN 0 AND 1000000000000000
        AND discount BETWEEN 0 AND gross
        AND net BETWEEN 0 AND 1000000000000000
        AND tax BETWEEN 0 AND 1000000000000000
        AND total BETWEEN 0 AND 1000000000000000);

ALTER TABLE payment_milestones
    ADD CONSTRAINT payment_milestones_amount_bounded CHECK (amount <= 1000000000000000),
    ADD CONSTRAINT payment_milestones_invoiced_bounded CHECK (invoiced <= 1000000000000000);

-- A reversal (红字/冲销) is a row of its own that names the entry it
-- reverses, with the negative of its whole amount and the reason; the
-- original stays as it was. Each entry is reversed at most once, and a
-- reversal is never reversed (the workflow refuses it).
ALTER TABLE invoices
    DROP CONSTRAINT invoices_amount_check,
    ADD COLUMN reverses text UNIQUE REFERENCES invoices (id),
    ADD COLUMN reason   text NOT NULL DEFAULT '',
    ADD CONSTRAINT invoices_amount_bounded CHECK (
        (reverses IS NULL AND amount BETWEEN 1 AND 1000000000000000)
        OR (reverses IS NOT NULL AND amount BETWEEN -1000000000000000 AND -1 AND reason <> ''));
-- An invoice number is issued once per contract; its reversal repeats it.
CREATE UNIQUE INDEX invoices_number_key ON invoices (contract_number, invoice_number) WHERE reverses IS NULL;

ALTER TABLE payments
    DROP CONSTRAINT payments_amount_check,
    ADD COLUMN reverses text UNIQUE REFERENCES payments (id),
    ADD COLUMN reason   text NOT NULL DEFAULT '',
    ADD CONSTRAINT payments_amount_bounded CHECK (
        (reverses IS NULL AND amount BETWEEN 1 AND 1000000000000000)
        OR (reverses IS NOT NULL AND amount BETWEEN -1000000000000000 AND -1 AND reason <> ''));

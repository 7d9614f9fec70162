-- Billing (issue 12): invoices and credit notes with their lines, gapless
-- number series, payments with receipts allocated to invoices, one-off
-- charges and coupons waiting for the next invoice, and what the invoice
-- run needs on each service (billing day, invoiced-through, activation and
-- pause dates).
--
-- Money in the new tables is an INTEGER count of the currency's minor unit
-- (cents for USD: 2500 is 25.00), so SQL sums are exact and fast; the
-- document's currency code says how many decimals that is. Prices typed by
-- the operator (plans, charges, coupons) stay decimal text, as before.
--
-- Two tables are rebuilt (SQLite cannot change a CHECK): plans, whose
-- cycle may now be a number of days ('7d') and which get a tax rate of
-- their own, and payments, which get a receipt number, a customer, a
-- method and a reference and no longer always cover months. SQLite's
-- documented procedure wants foreign keys off for the rebuild, which a
-- PRAGMA inside sqlx's transaction cannot do: `Store::open` migrates on a
-- connection with them off and checks them after (`foreign_key_check`).

CREATE TABLE plans_rebuilt (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    download_bps    INTEGER NOT NULL CHECK (download_bps >= 0),
    upload_bps      INTEGER NOT NULL CHECK (upload_bps >= 0),
    price           TEXT NOT NULL,
    billing_cycle   TEXT NOT NULL CHECK (
        billing_cycle IN ('monthly', 'quarterly', 'yearly')
        OR (billing_cycle GLOB '[1-9]*d' AND billing_cycle NOT GLOB '*[^0-9]*d'
            AND CAST(substr(billing_cycle, 1, length(billing_cycle) - 1) AS INTEGER) BETWEEN 1 AND 366)
    ),
    created_at      TEXT NOT NULL,
    profile_name    TEXT,
    burst_download_bps INTEGER CHECK (burst_download_bps >= 0),
    burst_upload_bps INTEGER CHECK (burst_upload_bps >= 0),
    burst_threshold_download_bps INTEGER CHECK (burst_threshold_download_bps >= 0),
    burst_threshold_upload_bps INTEGER CHECK (burst_threshold_upload_bps >= 0),
    burst_time_download_s INTEGER CHECK (burst_time_download_s >= 0),
    burst_time_upload_s INTEGER CHECK (
        burst_time_upload_s >= 0
        AND (
            (burst_download_bps IS NULL AND burst_upload_bps IS NULL
             AND burst_threshold_download_bps IS NULL AND burst_threshold_upload_bps IS NULL
             AND burst_time_download_s IS NULL AND burst_time_upload_s IS NULL)
            OR
            (burst_download_bps IS NOT NULL AND burst_upload_bps IS NOT NULL
             AND burst_threshold_download_bps IS NOT NULL AND burst_threshold_upload_bps IS NOT NULL
             AND burst_time_download_s IS NOT NULL AND burst_time_upload_s IS NOT NULL)
        )
    ),
    updated_at      TEXT,
    olt_line_profile TEXT,
    olt_service_profile TEXT,
    onu_vlan        INTEGER CHECK (onu_vlan BETWEEN 1 AND 4094),
    -- NULL: the ISP's rate (billing settings).
    tax_rate        TEXT
);
INSERT INTO plans_rebuilt (id, name, download_bps, upload_bps, price, billing_cycle, created_at, profile_name,
    burst_download_bps, burst_upload_bps, burst_threshold_download_bps, burst_threshold_upload_bps,
    burst_time_download_s, burst_time_upload_s, updated_at, olt_line_profile, olt_service_profile, onu_vlan)
SELECT id, name, download_bps, upload_bps, price, billing_cycle, created_at, profile_name,
    burst_download_bps, burst_upload_bps, burst_threshold_download_bps, burst_threshold_upload_bps,
    burst_time_download_s, burst_time_upload_s, updated_at, olt_line_profile, olt_service_profile, onu_vlan
FROM plans;
DROP TABLE plans;
ALTER TABLE plans_rebuilt RENAME TO plans;
CREATE UNIQUE INDEX plans_profile_name ON plans (profile_name);

-- Payments: every payment has a receipt. `months` is set for a prepaid
-- payment (`payment add --months`), which pays service time directly and
-- is never allocated to an invoice. Older payments were all prepaid; their
-- receipts are numbered in the order they were recorded, and their day is
-- the UTC day they were recorded.
CREATE TABLE payments_rebuilt (
    id              INTEGER PRIMARY KEY,
    receipt_number  TEXT NOT NULL UNIQUE,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    service_id      INTEGER NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    currency        TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor >= 0),
    method          TEXT NOT NULL CHECK (method IN ('cash', 'bank-transfer', 'mobile-money', 'card', 'other')),
    reference       TEXT,
    paid_on         TEXT NOT NULL,
    paid_at         TEXT NOT NULL,
    actor           TEXT NOT NULL,
    months          INTEGER CHECK (months BETWEEN 1 AND 36),
    previous_due    TEXT,
    new_due         TEXT
);
INSERT INTO payments_rebuilt (id, receipt_number, customer_id, service_id, currency, amount_minor, method,
    paid_on, paid_at, actor, months, previous_due, new_due)
SELECT p.id,
       'RCT-' || substr(p.paid_at, 1, 4) || '-' || printf('%06d', row_number() OVER (ORDER BY p.id)),
       s.customer_id, p.service_id, 'USD', CAST(round(CAST(p.amount AS REAL) * 100) AS INTEGER), 'cash',
       substr(p.paid_at, 1, 10), p.paid_at, p.actor, p.months, p.previous_due, p.new_due
FROM payments p JOIN services s ON s.id = p.service_id;
DROP TABLE payments;
ALTER TABLE payments_rebuilt RENAME TO payments;
CREATE INDEX payments_service ON payments (service_id, id);
CREATE INDEX payments_customer ON payments (customer_id, paid_on);
CREATE INDEX payments_paid_on ON payments (paid_on);

-- The last number given in each series (headend_core::billing::numbering).
CREATE TABLE number_series (
    series  TEXT PRIMARY KEY CHECK (series IN ('invoice', 'credit-note', 'receipt')),
    last    INTEGER NOT NULL CHECK (last >= 0)
);
INSERT INTO number_series (series, last) VALUES
    ('invoice', 0), ('credit-note', 0), ('receipt', (SELECT count(*) FROM payments));

-- Invoices and credit notes. A number is never reused or deleted: a
-- mistake is voided (it keeps its number) or credited. `settled_minor` is
-- what allocations put on the invoice, kept in step with them so status
-- and totals need no join.
CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('invoice', 'credit-note')),
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    credits_invoice_id INTEGER REFERENCES invoices (id) ON DELETE RESTRICT,
    issue_date      TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    currency        TEXT NOT NULL,
    tax_mode        TEXT NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive')),
    net_minor       INTEGER NOT NULL,
    tax_minor       INTEGER NOT NULL,
    gross_minor     INTEGER NOT NULL,
    settled_minor   INTEGER NOT NULL DEFAULT 0 CHECK (settled_minor >= 0),
    reason          TEXT,
    voided_at       TEXT,
    void_reason     TEXT,
    issued_at       TEXT NOT NULL,
    actor           TEXT NOT NULL,
    CHECK ((kind = 'credit-note') = (credits_invoice_id IS NOT NULL)),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
CREATE INDEX invoices_customer ON invoices (customer_id, issue_date);
CREATE INDEX invoices_issue_date ON invoices (issue_date);
CREATE INDEX invoices_open ON invoices (due_date)
    WHERE kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor;

CREATE TABLE invoice_lines (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('service', 'proration', 'charge', 'discount', 'credit')),
    service_id      INTEGER REFERENCES services (id) ON DELETE SET NULL,
    description     TEXT NOT NULL,
    period_from     TEXT,
    period_until    TEXT,
    tax_rate        TEXT NOT NULL,
    net_minor       INTEGER NOT NULL,
    tax_minor       INTEGER NOT NULL,
    gross_minor     INTEGER NOT NULL,
    UNIQUE (invoice_id, position)
);
CREATE INDEX invoice_lines_service ON invoice_lines (service_id, period_from);

-- Money put on an invoice: from a payment or from a credit note.
CREATE TABLE allocations (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    payment_id      INTEGER REFERENCES payments (id) ON DELETE RESTRICT,
    credit_note_id  INTEGER REFERENCES invoices (id) ON DELETE RESTRICT,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    CHECK ((payment_id IS NULL) != (credit_note_id IS NULL))
);
CREATE INDEX allocations_invoice ON allocations (invoice_id);
CREATE INDEX allocations_payment ON allocations (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX allocations_credit_note ON allocations (credit_note_id) WHERE credit_note_id IS NOT NULL;

-- A one-off charge (installation, equipment, a manual charge) waiting for
-- the customer's next invoice; `invoice_id` is set when it is billed.
CREATE TABLE pending_charges (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    description     TEXT NOT NULL,
    amount          TEXT NOT NULL,
    added_at        TEXT NOT NULL,
    actor           TEXT NOT NULL,
    invoice_id      INTEGER REFERENCES invoices (id) ON DELETE RESTRICT
);
CREATE INDEX pending_charges_customer ON pending_charges (customer_id) WHERE invoice_id IS NULL;

-- A coupon on a service: an amount or a percentage off its plan's line,
-- for `cycles_left` more invoices (NULL: every invoice).
CREATE TABLE discounts (
    id              INTEGER PRIMARY KEY,
    service_id      INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    description     TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('amount', 'percent')),
    value           TEXT NOT NULL,
    cycles_left     INTEGER CHECK (cycles_left >= 0),
    created_at      TEXT NOT NULL
);
CREATE INDEX discounts_service ON discounts (service_id);

-- The ISP's logo for documents (PNG or JPEG).
CREATE TABLE company_logo (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    bytes   BLOB NOT NULL
);

-- Services: what the invoice run needs.
ALTER TABLE services ADD COLUMN billing_day INTEGER CHECK (billing_day BETWEEN 1 AND 31);
ALTER TABLE services ADD COLUMN invoiced_through TEXT;
ALTER TABLE services ADD COLUMN activated_on TEXT;
ALTER TABLE services ADD COLUMN paused_on TEXT;
UPDATE services SET activated_on = substr(created_at, 1, 10);
UPDATE services SET billing_day = CAST(substr(next_billing_date, 9, 2) AS INTEGER) WHERE next_billing_date IS NOT NULL;
-- A service's first period starts on its activation day: the day it was
-- added (UTC) unless the workflow that activates it says otherwise.
CREATE TRIGGER services_activated_on AFTER INSERT ON services WHEN NEW.activated_on IS NULL BEGIN
    UPDATE services SET activated_on = substr(NEW.created_at, 1, 10) WHERE id = NEW.id;
END;

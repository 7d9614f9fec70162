-- Messages to customers (issue 13): how each customer is written to, the
-- ISP's templates, and the outbox every message goes through.
--
-- The outbox is durable like the provisioning queue: a message is a row
-- created in the same transaction as the event that causes it, unique per
-- (event key, customer, channel) so no event is queued twice. A sender
-- takes rows with a lease (`sending`, `lease_holder`, `lease_until`): the
-- app and `headend agent` never hand one row to a provider together, and a
-- sender that died leaves rows another takes once their lease ends.

ALTER TABLE customers ADD COLUMN language TEXT;
ALTER TABLE customers ADD COLUMN preferred_channel TEXT CHECK (preferred_channel IN ('email', 'sms', 'whatsapp'));

CREATE TABLE customer_opt_outs (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (customer_id, channel)
) WITHOUT ROWID;

-- The operator's templates; an event, channel and language without a row
-- uses Headend's default text.
CREATE TABLE message_templates (
    event      TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    language   TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (event, channel, language)
) WITHOUT ROWID;

CREATE TABLE blasts (
    id         INTEGER PRIMARY KEY,
    filter     TEXT NOT NULL,
    body       TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    event           TEXT NOT NULL,
    event_key       TEXT NOT NULL,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    -- The e-mail address or E.164 number; NULL when the customer has none
    -- that works (the row is `failed`, saying why).
    recipient       TEXT,
    language        TEXT NOT NULL,
    subject         TEXT,
    body            TEXT NOT NULL,
    whatsapp_name   TEXT,
    -- A JSON array of strings: the WhatsApp template's body parameters.
    parameters      TEXT,
    -- 'invoice:12' or 'receipt:7': the PDF made when the e-mail is sent.
    attachment      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    next_attempt_at TEXT NOT NULL,
    lease_holder    TEXT,
    lease_until     TEXT,
    provider_id     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (event_key, customer_id, channel)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_customer ON outbox (customer_id, id);
CREATE INDEX outbox_failed ON outbox (id) WHERE status = 'failed';

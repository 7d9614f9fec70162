-- The first tables of Headend's domain (see crates/core).
-- Conventions: dates are ISO 8601 text ('2026-11-25'), instants are RFC 3339
-- UTC text ('2026-11-25T06:00:00Z'), money is decimal text ('25.00') so no
-- float ever touches it. Passwords are never stored here: they live in the
-- OS keyring, keyed by the row's id.

CREATE TABLE pops (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    latitude    REAL,
    longitude   REAL,
    created_at  TEXT NOT NULL
);

CREATE TABLE routers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    host        TEXT NOT NULL,
    port        INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    transport   TEXT NOT NULL CHECK (transport IN ('api', 'api-tls', 'rest')),
    username    TEXT NOT NULL,
    pop_id      INTEGER REFERENCES pops (id) ON DELETE SET NULL,
    latitude    REAL,
    longitude   REAL,
    created_at  TEXT NOT NULL
);

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    download_bps    INTEGER NOT NULL CHECK (download_bps >= 0),
    upload_bps      INTEGER NOT NULL CHECK (upload_bps >= 0),
    price           TEXT NOT NULL,
    billing_cycle   TEXT NOT NULL CHECK (billing_cycle IN ('monthly', 'quarterly', 'yearly')),
    created_at      TEXT NOT NULL
);

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT,
    email       TEXT,
    address     TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE services (
    id                  INTEGER PRIMARY KEY,
    customer_id         INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    router_id           INTEGER NOT NULL REFERENCES routers (id) ON DELETE RESTRICT,
    plan_id             INTEGER NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
    kind                TEXT NOT NULL CHECK (kind IN ('pppoe', 'static')),
    username            TEXT,
    ip_address          TEXT,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'inactive', 'terminated')),
    next_billing_date   TEXT,
    grace_days          INTEGER CHECK (grace_days >= 0),
    created_at          TEXT NOT NULL,
    CHECK ((kind = 'pppoe' AND username IS NOT NULL) OR (kind = 'static' AND ip_address IS NOT NULL))
);

-- PPPoE user names are unique per router (RouterOS refuses duplicates).
CREATE UNIQUE INDEX services_router_username ON services (router_id, username) WHERE username IS NOT NULL;
CREATE INDEX services_customer ON services (customer_id);
CREATE INDEX services_status ON services (status);

CREATE TABLE activity_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);

CREATE INDEX activity_log_at ON activity_log (at);
CREATE INDEX activity_log_subject ON activity_log (subject, at);

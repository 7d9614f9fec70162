-- Provisioning (issue 5): plans become router profiles with bursts,
-- services carry their (encrypted) PPPoE password and what the routers
-- confirmed, and the engine gets its durable queue, per-router log, leases
-- and sweep requests. Instants written by this schema's code are RFC 3339
-- UTC with exactly three fractional digits, so text order is time order
-- (the queue, leases and sweeps compare them in SQL).

-- Plans --------------------------------------------------------------------

-- The PPP profile on every router. Fixed when the plan is created
-- (headend_core::plan::profile_name), so a rename never orphans it.
-- Plans of older databases get the bare `hd-<id>`.
ALTER TABLE plans ADD COLUMN profile_name TEXT;
UPDATE plans SET profile_name = 'hd-' || id;
CREATE UNIQUE INDEX plans_profile_name ON plans (profile_name);

-- RouterOS's burst: all six set, or none (the last column's CHECK sees the
-- whole row: SQLite has no ADD CONSTRAINT).
ALTER TABLE plans ADD COLUMN burst_download_bps INTEGER CHECK (burst_download_bps >= 0);
ALTER TABLE plans ADD COLUMN burst_upload_bps INTEGER CHECK (burst_upload_bps >= 0);
ALTER TABLE plans ADD COLUMN burst_threshold_download_bps INTEGER CHECK (burst_threshold_download_bps >= 0);
ALTER TABLE plans ADD COLUMN burst_threshold_upload_bps INTEGER CHECK (burst_threshold_upload_bps >= 0);
ALTER TABLE plans ADD COLUMN burst_time_download_s INTEGER CHECK (burst_time_download_s >= 0);
ALTER TABLE plans ADD COLUMN burst_time_upload_s INTEGER CHECK (
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
);
ALTER TABLE plans ADD COLUMN updated_at TEXT;

-- Services -----------------------------------------------------------------

-- The PPPoE password, encrypted (headend_secrets::SubscriberCipher: version
-- byte, nonce, XChaCha20-Poly1305 ciphertext); the key is in the OS keyring.
ALTER TABLE services ADD COLUMN password BLOB;
-- Take over a secret already on the router that matches this service.
ALTER TABLE services ADD COLUMN adopt INTEGER NOT NULL DEFAULT 0 CHECK (adopt IN (0, 1));
-- What the router confirmed at the last sweep that touched the service.
ALTER TABLE services ADD COLUMN router_provisioned INTEGER NOT NULL DEFAULT 0 CHECK (router_provisioned IN (0, 1));
ALTER TABLE services ADD COLUMN provisioned_at TEXT;
ALTER TABLE services ADD COLUMN updated_at TEXT;

CREATE INDEX services_router ON services (router_id);
CREATE INDEX services_next_billing_date ON services (next_billing_date);
CREATE INDEX services_plan ON services (plan_id);
-- How many services each router has in each status, kept by triggers, so
-- a page's total is a sum of a few rows rather than a count of 100,000.
CREATE TABLE service_counts (
    router_id   INTEGER NOT NULL,
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (router_id, status)
) WITHOUT ROWID;

INSERT INTO service_counts (router_id, status, n)
    SELECT router_id, status, COUNT(*) FROM services GROUP BY router_id, status;

CREATE TRIGGER services_count_insert AFTER INSERT ON services BEGIN
    INSERT INTO service_counts (router_id, status, n) VALUES (NEW.router_id, NEW.status, 1)
        ON CONFLICT (router_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER services_count_delete AFTER DELETE ON services BEGIN
    UPDATE service_counts SET n = n - 1 WHERE router_id = OLD.router_id AND status = OLD.status;
END;

CREATE TRIGGER services_count_update AFTER UPDATE OF router_id, status ON services
    WHEN OLD.router_id != NEW.router_id OR OLD.status != NEW.status
BEGIN
    UPDATE service_counts SET n = n - 1 WHERE router_id = OLD.router_id AND status = OLD.status;
    INSERT INTO service_counts (router_id, status, n) VALUES (NEW.router_id, NEW.status, 1)
        ON CONFLICT (router_id, status) DO UPDATE SET n = n + 1;
END;

-- Imports find customers by name and phone.
CREATE INDEX customers_name ON customers (name);

-- Routers ------------------------------------------------------------------

-- NULL: the ISP's default (isp_settings.suspension).
ALTER TABLE routers ADD COLUMN suspension_mode TEXT
    CHECK (suspension_mode IN ('disable', 'remove', 'address-list'));

-- The ISP's provisioning policy (headend_core::provision::policy::IspPolicy):
-- time_zone, grace_days, suspension, static_queues, max_attempts. A missing
-- key is its default; the time zone is fixed on first read (the machine's).
CREATE TABLE isp_settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);

-- Payments -----------------------------------------------------------------

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    service_id      INTEGER NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    amount          TEXT NOT NULL,
    months          INTEGER NOT NULL CHECK (months BETWEEN 1 AND 36),
    paid_at         TEXT NOT NULL,
    actor           TEXT NOT NULL,
    previous_due    TEXT,
    new_due         TEXT NOT NULL
);

CREATE INDEX payments_service ON payments (service_id, id);

-- The durable queue --------------------------------------------------------

-- One row per action that failed (or is waiting): what to retry, when, and
-- how often it already failed. `service_id` is NULL for a plan's profile.
CREATE TABLE provision_queue (
    id              INTEGER PRIMARY KEY,
    router_id       INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    service_id      INTEGER REFERENCES services (id) ON DELETE CASCADE,
    action          TEXT NOT NULL,
    detail          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'failed')),
    locked_at       TEXT,
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- One row per router, service and action; NULL service ids compare equal.
CREATE UNIQUE INDEX provision_queue_key ON provision_queue (router_id, IFNULL(service_id, 0), action);
CREATE INDEX provision_queue_due ON provision_queue (router_id, next_attempt_at);
CREATE INDEX provision_queue_status ON provision_queue (status, id);
CREATE INDEX provision_queue_service ON provision_queue (service_id);

-- The per-router log -------------------------------------------------------

-- Every command sent to a router for provisioning: written `pending`
-- before it is sent, finished after; `interrupted` if the run died between.
CREATE TABLE router_log (
    id          INTEGER PRIMARY KEY,
    router_id   INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    service_id  INTEGER REFERENCES services (id) ON DELETE SET NULL,
    at          TEXT NOT NULL,
    command     TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('pending', 'ok', 'error', 'interrupted')),
    error       TEXT,
    duration_ms INTEGER CHECK (duration_ms >= 0)
);

CREATE INDEX router_log_router ON router_log (router_id, id);
CREATE INDEX router_log_service ON router_log (service_id, id);

-- Engines in several processes ---------------------------------------------

-- Who sweeps a router right now (the app or `headend agent`), until when.
CREATE TABLE router_leases (
    router_id   INTEGER PRIMARY KEY REFERENCES routers (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Routers whose desired state changed: written in the same transaction as
-- the change, taken by whichever engine runs.
CREATE TABLE sweep_requests (
    router_id       INTEGER PRIMARY KEY REFERENCES routers (id) ON DELETE CASCADE,
    requested_at    TEXT NOT NULL
);

-- The activity page filters by subject or actor, newest first.
CREATE INDEX activity_log_subject_id ON activity_log (subject, id);
CREATE INDEX activity_log_actor_id ON activity_log (actor, id);

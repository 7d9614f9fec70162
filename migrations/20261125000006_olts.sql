-- GPON OLTs (issue 6): the OLTs and their PON ports, the ONUs registered on
-- them (linked to a service), optical distribution points, the ONUs'
-- signal history and alerts, the OLT command log, the zero-touch
-- provisioning queue, and what services and plans tell an OLT.
-- OLT passwords are in the OS keyring under `olt:<id>`, never here.

-- OLTs ---------------------------------------------------------------------

CREATE TABLE olts (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    -- headend_core::olt::OltVendor (headend_olt::Vendor's names).
    vendor          TEXT NOT NULL CHECK (vendor IN ('huawei', 'zte', 'zte-c600', 'vsol')),
    host            TEXT NOT NULL,
    port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    username        TEXT NOT NULL,
    -- The SSH host key's fingerprint (`SHA256:...`), pinned on first use.
    -- Not a secret.
    host_key        TEXT,
    pop_id          INTEGER REFERENCES pops (id) ON DELETE SET NULL,
    latitude        REAL,
    longitude       REAL,
    created_at      TEXT NOT NULL,
    -- Health, as the engine last saw it: the last command that worked, the
    -- last failure (NULL again once a command works), a host key that
    -- differed from the pinned one (until the operator re-pins), the last
    -- complete signal sweep.
    reached_at      TEXT,
    error           TEXT,
    error_at        TEXT,
    presented_key   TEXT,
    swept_at        TEXT
);

-- Who sweeps an OLT right now (the app or `headend agent`), until when.
CREATE TABLE olt_leases (
    olt_id      INTEGER PRIMARY KEY REFERENCES olts (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- PON ports as seen in the OLT's listings (`frame/slot/port`), with the
-- operator's description.
CREATE TABLE pon_ports (
    id          INTEGER PRIMARY KEY,
    olt_id      INTEGER NOT NULL REFERENCES olts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT,
    UNIQUE (olt_id, name)
);

-- Optical distribution points (splitter boxes).
CREATE TABLE odps (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    pop_id      INTEGER REFERENCES pops (id) ON DELETE SET NULL,
    latitude    REAL,
    longitude   REAL,
    -- Splitter outputs.
    capacity    INTEGER CHECK (capacity BETWEEN 1 AND 1024),
    created_at  TEXT NOT NULL
);

-- ONUs --------------------------------------------------------------------

-- The ONUs registered on each OLT, as its last listing showed them. One
-- row per serial and OLT; `onu_index` is the ONU's id on its port (the OLT
-- gives it and keeps it unique). The last reading is copied here so a
-- port's list needs no history lookup.
CREATE TABLE onus (
    id              INTEGER PRIMARY KEY,
    olt_id          INTEGER NOT NULL REFERENCES olts (id) ON DELETE CASCADE,
    port_id         INTEGER NOT NULL REFERENCES pon_ports (id) ON DELETE CASCADE,
    onu_index       INTEGER NOT NULL CHECK (onu_index >= 0),
    serial          TEXT NOT NULL,
    equipment       TEXT,
    description     TEXT,
    state           TEXT NOT NULL CHECK (state IN ('online', 'offline', 'los', 'dying-gasp', 'other')),
    last_up_at      TEXT,
    last_down_at    TEXT,
    last_down_cause TEXT,
    service_id      INTEGER REFERENCES services (id) ON DELETE SET NULL,
    odp_id          INTEGER REFERENCES odps (id) ON DELETE SET NULL,
    onu_rx          REAL,
    onu_tx          REAL,
    olt_rx          REAL,
    signal_at       TEXT,
    seen_at         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (olt_id, serial)
);

CREATE INDEX onus_port ON onus (port_id, onu_index);
-- A service has one ONU.
CREATE UNIQUE INDEX onus_service ON onus (service_id) WHERE service_id IS NOT NULL;
CREATE INDEX onus_odp ON onus (odp_id) WHERE odp_id IS NOT NULL;

-- What the OLTs' autofind showed last: ONUs plugged in but not registered.
-- Replaced per OLT by every autofind.
CREATE TABLE olt_autofind (
    olt_id      INTEGER NOT NULL REFERENCES olts (id) ON DELETE CASCADE,
    serial      TEXT NOT NULL,
    port        TEXT NOT NULL,
    equipment   TEXT,
    found_at    TEXT,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (olt_id, serial)
) WITHOUT ROWID;

-- Signal history ------------------------------------------------------------

-- One row per ONU per sweep. Compact on purpose (thousands of ONUs every
-- five minutes): the instant is Unix seconds rather than text, the
-- readings REAL (dBm, °C, V, mA, m), NULL when the OLT gave none, and the
-- table is its own (onu, at) index.
CREATE TABLE onu_signal (
    onu_id      INTEGER NOT NULL REFERENCES onus (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    onu_rx      REAL,
    onu_tx      REAL,
    olt_rx      REAL,
    temperature REAL,
    voltage     REAL,
    bias        REAL,
    distance    REAL,
    PRIMARY KEY (onu_id, at)
) WITHOUT ROWID;

-- Alerts: one open (cleared_at NULL) per ONU at most; a change of level
-- closes the open one and opens another.
CREATE TABLE onu_alerts (
    id          INTEGER PRIMARY KEY,
    onu_id      INTEGER NOT NULL REFERENCES onus (id) ON DELETE CASCADE,
    level       TEXT NOT NULL CHECK (level IN ('warning', 'critical', 'los')),
    rx          REAL,
    raised_at   TEXT NOT NULL,
    cleared_at  TEXT
);

CREATE UNIQUE INDEX onu_alerts_open ON onu_alerts (onu_id) WHERE cleared_at IS NULL;
CREATE INDEX onu_alerts_onu ON onu_alerts (onu_id, id);

-- The OLT command log -------------------------------------------------------

-- Every command sent to an OLT and its reply. A reply longer than the
-- store's limit is cut; `reply_bytes` keeps its full length.
CREATE TABLE olt_command_log (
    id          INTEGER PRIMARY KEY,
    olt_id      INTEGER NOT NULL REFERENCES olts (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    command     TEXT NOT NULL,
    reply       TEXT NOT NULL,
    reply_bytes INTEGER NOT NULL CHECK (reply_bytes >= 0),
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'timeout', 'failed')),
    error       TEXT,
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0)
);

CREATE INDEX olt_command_log_olt ON olt_command_log (olt_id, id);
CREATE INDEX olt_command_log_at ON olt_command_log (at);

-- Zero-touch provisioning ---------------------------------------------------

-- What a service tells the OLT: the serial of the ONU the technician will
-- install (zero-touch: registered when it shows up in an autofind), and a
-- VLAN overriding the plan's.
ALTER TABLE services ADD COLUMN onu_serial TEXT;
ALTER TABLE services ADD COLUMN onu_vlan INTEGER CHECK (onu_vlan BETWEEN 1 AND 4094);
CREATE UNIQUE INDEX services_onu_serial ON services (onu_serial) WHERE onu_serial IS NOT NULL;

-- What a plan tells the OLT (headend_core::olt::OltProfile).
ALTER TABLE plans ADD COLUMN olt_line_profile TEXT;
ALTER TABLE plans ADD COLUMN olt_service_profile TEXT;
ALTER TABLE plans ADD COLUMN onu_vlan INTEGER CHECK (onu_vlan BETWEEN 1 AND 4094);

-- Zero-touch actions that failed: the same semantics as provision_queue
-- (attempts, backoff, `failed` after the ISP's max_attempts), keyed by
-- service and action, without provision_queue's router.
CREATE TABLE olt_queue (
    id              INTEGER PRIMARY KEY,
    service_id      INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    olt_id          INTEGER REFERENCES olts (id) ON DELETE SET NULL,
    action          TEXT NOT NULL,
    serial          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'failed')),
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (service_id, action)
);

CREATE INDEX olt_queue_status ON olt_queue (status, id);

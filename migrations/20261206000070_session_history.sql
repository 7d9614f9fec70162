-- Session history per service (issue 14): from FreeRADIUS's radacct for
-- routers in RADIUS mode, from the watched /ppp/active for the others.
--
-- A row is one PPP session ('radius', 'api'), or one local day of a
-- service's sessions past the detail kept ('daily': bytes summed,
-- `sessions` counted). Retention is in isp_settings:
--   sessions.detail_days (default 90): sessions kept one by one;
--   sessions.keep_days   (default 730): daily rows kept, then deleted.
-- A missing row means the default (headend_core::sessions::SessionRetention).
CREATE TABLE session_history (
    id          INTEGER PRIMARY KEY,
    service_id  INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    router_id   INTEGER,
    source      TEXT NOT NULL CHECK (source IN ('radius', 'api', 'daily')),
    -- radius: acctuniqueid; api: 'router:.id:start second'; daily: 'service:day'.
    session_key TEXT NOT NULL,
    radacctid   INTEGER,
    started_at  TEXT NOT NULL,
    stopped_at  TEXT,
    updated_at  TEXT NOT NULL,
    cause       TEXT,
    address     TEXT,
    -- The subscriber's MAC (Calling-Station-Id, the session's caller-id).
    caller      TEXT,
    -- As the router counts them: in is what the subscriber sent.
    bytes_in    INTEGER NOT NULL DEFAULT 0 CHECK (bytes_in >= 0),
    bytes_out   INTEGER NOT NULL DEFAULT 0 CHECK (bytes_out >= 0),
    sessions    INTEGER NOT NULL DEFAULT 1 CHECK (sessions >= 1),
    UNIQUE (source, session_key)
);
-- A service's sessions newest first, and its usage over N days.
CREATE INDEX session_history_service ON session_history (service_id, started_at);
-- The open RADIUS sessions re-read from radacct by id at every import.
CREATE INDEX session_history_open_radius ON session_history (radacctid) WHERE source = 'radius' AND stopped_at IS NULL;
-- The open API sessions of a router, closed when the router no longer lists them.
CREATE INDEX session_history_open_api ON session_history (router_id) WHERE source = 'api' AND stopped_at IS NULL;
-- Retention: rows by age.
CREATE INDEX session_history_started ON session_history (started_at);

-- The last radacctid imported: the next import reads after it.
CREATE TABLE radius_accounting_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    radacctid  INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

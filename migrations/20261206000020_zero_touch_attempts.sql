-- Zero-touch registrations under way: written before the registering
-- commands are sent, removed once the ONU is stored and linked or nothing
-- was left on the OLT. One that stays (its rollback could not reach the
-- OLT, or the process stopped mid-way) names an ONU that may be registered
-- half-configured: the next signal sweep of that OLT finds it by serial,
-- deregisters it and zero-touch registers it again from autofind.
CREATE TABLE zero_touch_attempts (
    olt_id     INTEGER NOT NULL REFERENCES olts (id) ON DELETE CASCADE,
    serial     TEXT NOT NULL,
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    port       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (olt_id, serial)
);

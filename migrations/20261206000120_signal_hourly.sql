-- ONU signal history at ten times the scale (issue 15). Every sweep's
-- reading stays in `onu_signal` for the raw window (core's
-- `SignalRetention`, 2 days by default); the engine's hourly pass then
-- rolls each ONU's whole hours past it into one row here and deletes the
-- readings, in batches, until the history kept (90 days by default).
--
-- Readings are hundredths (of a dBm, of a °C) as INTEGER: two bytes on
-- disk where a REAL takes eight, finer than any OLT reports. `hour` is the
-- Unix second the hour starts at (core's `hour_start`); `samples` the
-- readings it sums. Voltage, bias and distance are not kept past the raw
-- window: they say nothing a chart of weeks needs.
CREATE TABLE onu_signal_hourly (
    onu_id           INTEGER NOT NULL REFERENCES onus (id) ON DELETE CASCADE,
    hour             INTEGER NOT NULL,
    samples          INTEGER NOT NULL CHECK (samples > 0),
    onu_rx_min       INTEGER,
    onu_rx_mean      INTEGER,
    onu_rx_max       INTEGER,
    olt_rx_min       INTEGER,
    olt_rx_mean      INTEGER,
    olt_rx_max       INTEGER,
    onu_tx_min       INTEGER,
    onu_tx_mean      INTEGER,
    onu_tx_max       INTEGER,
    temperature_min  INTEGER,
    temperature_mean INTEGER,
    temperature_max  INTEGER,
    PRIMARY KEY (onu_id, hour)
) WITHOUT ROWID;

-- A deregistered ONU's history stays with its service. An ONU row goes
-- when it is deregistered, replaced, no longer listed by its OLT or its OLT
-- is removed, and its history went with it (ON DELETE CASCADE). Rather
-- than keep dead rows in `onus` (every list, count and sync would have to
-- skip them, and the serial's UNIQUE would refuse its re-registration) or
-- rebuild the history tables without their cascade (orphaned rows keyed by
-- an ONU id SQLite may hand to the next ONU), the trigger below copies the
-- history of an ONU linked to a service, as hours, to that service's
-- former ONUs just before the row goes, whichever statement removes it
-- (cascades from `olts` and `pon_ports` included). An ONU linked to no
-- service has nobody to keep its history for: it goes as before.
--
-- One `former_onus` row per removal, so the same ONU removed twice keeps
-- two histories that never collide; a service's page merges them by
-- serial. Deleting the service deletes them. The engine's pass deletes
-- their hours past the history kept, and a former ONU with none left.
CREATE TABLE former_onus (
    id         INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    serial     TEXT NOT NULL
);

CREATE INDEX former_onus_service ON former_onus (service_id);

CREATE TABLE former_onu_signal (
    former_onu_id    INTEGER NOT NULL REFERENCES former_onus (id) ON DELETE CASCADE,
    hour             INTEGER NOT NULL,
    samples          INTEGER NOT NULL CHECK (samples > 0),
    onu_rx_min       INTEGER,
    onu_rx_mean      INTEGER,
    onu_rx_max       INTEGER,
    olt_rx_min       INTEGER,
    olt_rx_mean      INTEGER,
    olt_rx_max       INTEGER,
    onu_tx_min       INTEGER,
    onu_tx_mean      INTEGER,
    onu_tx_max       INTEGER,
    temperature_min  INTEGER,
    temperature_mean INTEGER,
    temperature_max  INTEGER,
    PRIMARY KEY (former_onu_id, hour)
) WITHOUT ROWID;

-- The hours already rolled up, then the raw readings rolled up as the
-- engine's pass does (the hour still going included: the ONU is gone).
-- `OR IGNORE`: a reading for an hour already rolled up (only when the
-- clock was set back past the raw window) is dropped, as the pass does.
CREATE TRIGGER onus_keep_signal BEFORE DELETE ON onus
    WHEN OLD.service_id IS NOT NULL
     AND (EXISTS (SELECT 1 FROM onu_signal WHERE onu_id = OLD.id)
          OR EXISTS (SELECT 1 FROM onu_signal_hourly WHERE onu_id = OLD.id))
BEGIN
    INSERT INTO former_onus (service_id, serial) VALUES (OLD.service_id, OLD.serial);
    INSERT INTO former_onu_signal
        SELECT (SELECT MAX(id) FROM former_onus), hour, samples, onu_rx_min, onu_rx_mean, onu_rx_max,
               olt_rx_min, olt_rx_mean, olt_rx_max, onu_tx_min, onu_tx_mean, onu_tx_max,
               temperature_min, temperature_mean, temperature_max
        FROM onu_signal_hourly WHERE onu_id = OLD.id;
    INSERT OR IGNORE INTO former_onu_signal
        SELECT (SELECT MAX(id) FROM former_onus), at - at % 3600, COUNT(*),
               ROUND(MIN(onu_rx) * 100), ROUND(AVG(onu_rx) * 100), ROUND(MAX(onu_rx) * 100),
               ROUND(MIN(olt_rx) * 100), ROUND(AVG(olt_rx) * 100), ROUND(MAX(olt_rx) * 100),
               ROUND(MIN(onu_tx) * 100), ROUND(AVG(onu_tx) * 100), ROUND(MAX(onu_tx) * 100),
               ROUND(MIN(temperature) * 100), ROUND(AVG(temperature) * 100), ROUND(MAX(temperature) * 100)
        FROM onu_signal WHERE onu_id = OLD.id GROUP BY at - at % 3600;
END;

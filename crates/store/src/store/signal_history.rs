//! ONU signal history over time: every sweep's reading in `onu_signal`
//! for the raw window, one row per ONU and hour in `onu_signal_hourly`
//! after it, and a service's former ONUs' hours in `former_onu_signal`
//! (kept by a trigger when an ONU row goes). The charts' reads span raw
//! readings and hours; the engine's retention pass rolls whole hours up
//! and deletes what is past the history kept, in short batches so the
//! console's reads never wait long for it.

use std::time::{Duration, Instant};

use headend_core::optical::{HOUR_SECONDS, SignalRetention, hour_start};
use headend_core::{OnuId, ServiceId};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::signal::SignalSample;
use super::{Store, corrupt};
use crate::error::StoreError;

/// Hourly readings are stored as hundredths (of a dBm, of a °C).
const HUNDREDTHS: f64 = 100.0;

/// The columns `onu_signal_hourly` and `former_onu_signal` share.
const HOURLY_COLUMNS: &str = "hour, samples, onu_rx_min, onu_rx_mean, onu_rx_max, olt_rx_min, olt_rx_mean, olt_rx_max,
    onu_tx_min, onu_tx_mean, onu_tx_max, temperature_min, temperature_mean, temperature_max";

/// ONUs per batch of the retention pass, and hours of their readings: at
/// 5-minute sweeps at most 36,000 readings (the pass after an hour rolls
/// one hour: 6,000), tens of milliseconds of write lock.
const BATCH_ONUS: i64 = 500;
const BATCH_HOURS: i64 = 6;

/// A point of an ONU's signal history: one sweep's reading, or an hour of
/// them (past the raw window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalPoint {
    /// To the second: when the reading was taken, or the start of the
    /// hour it sums.
    pub at: Timestamp,
    /// The reading, or the hour's means (an hour keeps no voltage, bias
    /// or distance).
    pub sample: SignalSample,
    /// The hour's lowest and highest readings; a reading's own values.
    pub low: SignalSample,
    pub high: SignalSample,
    /// Readings it stands for: 1, or the hour's.
    pub samples: u32,
    pub hourly: bool,
}

impl SignalPoint {
    fn reading(at: Timestamp, sample: SignalSample) -> Self {
        Self { at, sample, low: sample, high: sample, samples: 1, hourly: false }
    }
}

/// One ONU's history as a service's page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuHistory {
    pub serial: String,
    /// The ONU linked to the service now; `None` for one it had before.
    pub onu: Option<OnuId>,
    /// Oldest first.
    pub points: Vec<SignalPoint>,
}

/// What [`Store::apply_signal_retention`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignalRetentionPass {
    /// Raw readings rolled up into hours (and deleted).
    pub rolled_up: u64,
    /// Hourly rows written.
    pub hours: u64,
    /// Hourly rows (of ONUs and former ONUs) deleted past the history kept.
    pub deleted: u64,
    /// Write transactions taken, and how long the write lock was held:
    /// the longest and in all.
    pub batches: u32,
    pub longest_batch: Duration,
    pub batch_time: Duration,
}

impl SignalRetentionPass {
    fn batch(&mut self, took: Duration) {
        self.batches += 1;
        self.longest_batch = self.longest_batch.max(took);
        self.batch_time += took;
    }
}

fn second(table: &'static str, at: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_second(at).map_err(|e| corrupt(table, e))
}

/// A row of [`HOURLY_COLUMNS`].
fn hourly_point(table: &'static str, row: &SqliteRow) -> Result<SignalPoint, StoreError> {
    let level = |column: String| -> Result<Option<f64>, StoreError> {
        Ok(row.try_get::<Option<i32>, _>(column.as_str())?.map(|v| f64::from(v) / HUNDREDTHS))
    };
    let sample = |of: &str| -> Result<SignalSample, StoreError> {
        Ok(SignalSample {
            onu_rx: level(format!("onu_rx_{of}"))?,
            olt_rx: level(format!("olt_rx_{of}"))?,
            onu_tx: level(format!("onu_tx_{of}"))?,
            temperature: level(format!("temperature_{of}"))?,
            ..SignalSample::default()
        })
    };
    Ok(SignalPoint {
        at: second(table, row.try_get("hour")?)?,
        sample: sample("mean")?,
        low: sample("min")?,
        high: sample("max")?,
        samples: u32::try_from(row.try_get::<i64, _>("samples")?).map_err(|e| corrupt(table, e))?,
        hourly: true,
    })
}

impl Store {
    /// An ONU's history from `from` to `to` (inclusive), oldest first: its
    /// raw readings, and its hours (the one `from` falls in included)
    /// where they were rolled up.
    pub async fn signal_history(
        &self,
        onu: OnuId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SignalPoint>, StoreError> {
        let sql = format!(
            "SELECT {HOURLY_COLUMNS} FROM onu_signal_hourly WHERE onu_id = ? AND hour BETWEEN ? AND ? ORDER BY hour"
        );
        let hours = sqlx::query(&sql)
            .bind(onu.0)
            .bind(hour_start(from).as_second())
            .bind(to.as_second())
            .fetch_all(&self.pool)
            .await?;
        let raw = sqlx::query(
            "SELECT at, onu_rx, onu_tx, olt_rx, temperature, voltage, bias, distance FROM onu_signal
             WHERE onu_id = ? AND at BETWEEN ? AND ? ORDER BY at",
        )
        .bind(onu.0)
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(&self.pool)
        .await?;
        let mut points =
            hours.iter().map(|row| hourly_point("onu_signal_hourly", row)).collect::<Result<Vec<_>, _>>()?;
        for row in &raw {
            let sample = SignalSample {
                onu_rx: row.try_get(1)?,
                onu_tx: row.try_get(2)?,
                olt_rx: row.try_get(3)?,
                temperature: row.try_get(4)?,
                voltage: row.try_get(5)?,
                bias: row.try_get(6)?,
                distance: row.try_get(7)?,
            };
            points.push(SignalPoint::reading(second("onu_signal", row.try_get(0)?)?, sample));
        }
        // Hours end where the raw readings begin; sorting only matters for
        // a reading that came late for an hour already rolled up.
        points.sort_by_key(|p| p.at);
        Ok(points)
    }

    /// The history of every ONU `service` had from `from` to `to`: its
    /// former ONUs' (hourly) and its current ONU's, one entry per serial
    /// (an ONU removed and registered again is one history), in the order
    /// they served it. A former ONU with nothing in the range is left out;
    /// the current ONU is always there.
    pub async fn service_signal_history(
        &self,
        service: ServiceId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<OnuHistory>, StoreError> {
        let sql = format!(
            "SELECT f.serial, {HOURLY_COLUMNS} FROM former_onus f JOIN former_onu_signal s ON s.former_onu_id = f.id
             WHERE f.service_id = ? AND s.hour BETWEEN ? AND ? ORDER BY f.id, s.hour"
        );
        let rows = sqlx::query(&sql)
            .bind(service.0)
            .bind(hour_start(from).as_second())
            .bind(to.as_second())
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<OnuHistory> = Vec::new();
        let entry = |out: &mut Vec<OnuHistory>, serial: &str| match out.iter().position(|h| h.serial == serial) {
            Some(i) => i,
            None => {
                out.push(OnuHistory { serial: serial.to_owned(), onu: None, points: Vec::new() });
                out.len() - 1
            }
        };
        for row in &rows {
            let i = entry(&mut out, row.try_get("serial")?);
            out[i].points.push(hourly_point("former_onu_signal", row)?);
        }
        if let Some(onu) = self.onu_of_service(service).await? {
            let i = entry(&mut out, &onu.serial);
            out[i].onu = Some(onu.id);
            out[i].points.extend(self.signal_history(onu.id, from, to).await?);
        }
        for history in &mut out {
            history.points.sort_by_key(|p| p.at);
        }
        Ok(out)
    }

    /// Applies `retention` at `now`: every ONU's readings before the raw
    /// window's cutoff become one row per whole hour (count, lowest, mean,
    /// highest) and are deleted, and hours before the history's cutoff are
    /// deleted, for ONUs and former ONUs alike. Batches of
    /// [`BATCH_ONUS`] ONUs and [`BATCH_HOURS`] hours, each its own
    /// transaction.
    ///
    /// An hour is rolled up once (see core's `optical::history`): a
    /// reading that arrives for an hour already rolled up (only when the
    /// clock was set back past the raw window) is dropped with the rest of
    /// the batch's readings, not merged into the hour.
    pub async fn apply_signal_retention(
        &self,
        retention: SignalRetention,
        now: Timestamp,
    ) -> Result<SignalRetentionPass, StoreError> {
        let raw_before = retention.raw_cutoff(now).as_second();
        let history_before = retention.history_cutoff(now).as_second();
        let mut pass = SignalRetentionPass::default();
        let mut after = i64::MIN;
        while let Some(last) = self.onu_batch_end(after).await? {
            // Each ONU's oldest reading: one seek per ONU.
            let oldest: Option<i64> = sqlx::query_scalar(
                "SELECT MIN((SELECT at FROM onu_signal WHERE onu_id = n.id ORDER BY at LIMIT 1))
                 FROM onus n WHERE n.id > ? AND n.id <= ?",
            )
            .bind(after)
            .bind(last)
            .fetch_one(&self.pool)
            .await?;
            let mut start =
                oldest.map(|at| second("onu_signal", at).map(|at| hour_start(at).as_second())).transpose()?;
            loop {
                let window =
                    start.filter(|s| *s < raw_before).map(|s| (s, (s + BATCH_HOURS * HOUR_SECONDS).min(raw_before)));
                // The hours past the history go in the batch that rolls up
                // the last window, after the hours it writes.
                let last_batch = window.is_none_or(|(_, to)| to >= raw_before);
                let mut tx = self.write().await?;
                let began = Instant::now();
                if let Some((from, to)) = window {
                    // `at - at % 3600` is core's `hour_start` for instants
                    // after 1970.
                    let roll_up = format!(
                        "INSERT OR IGNORE INTO onu_signal_hourly (onu_id, {HOURLY_COLUMNS})
                         SELECT onu_id, at - at % 3600, COUNT(*),
                                ROUND(MIN(onu_rx) * 100), ROUND(AVG(onu_rx) * 100), ROUND(MAX(onu_rx) * 100),
                                ROUND(MIN(olt_rx) * 100), ROUND(AVG(olt_rx) * 100), ROUND(MAX(olt_rx) * 100),
                                ROUND(MIN(onu_tx) * 100), ROUND(AVG(onu_tx) * 100), ROUND(MAX(onu_tx) * 100),
                                ROUND(MIN(temperature) * 100), ROUND(AVG(temperature) * 100),
                                ROUND(MAX(temperature) * 100)
                         FROM onu_signal
                         WHERE onu_id IN (SELECT id FROM onus WHERE id > ? AND id <= ?) AND at >= ? AND at < ?
                         GROUP BY onu_id, at - at % 3600"
                    );
                    pass.hours += sqlx::query(&roll_up)
                        .bind(after)
                        .bind(last)
                        .bind(from)
                        .bind(to)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    pass.rolled_up += sqlx::query(
                        "DELETE FROM onu_signal
                         WHERE onu_id IN (SELECT id FROM onus WHERE id > ? AND id <= ?) AND at >= ? AND at < ?",
                    )
                    .bind(after)
                    .bind(last)
                    .bind(from)
                    .bind(to)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    start = Some(to);
                }
                if last_batch {
                    pass.deleted += sqlx::query(
                        "DELETE FROM onu_signal_hourly
                         WHERE onu_id IN (SELECT id FROM onus WHERE id > ? AND id <= ?) AND hour < ?",
                    )
                    .bind(after)
                    .bind(last)
                    .bind(history_before)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                pass.batch(began.elapsed());
                if last_batch {
                    break;
                }
            }
            after = last;
        }
        let mut tx = self.write().await?;
        let began = Instant::now();
        pass.deleted += sqlx::query(
            "DELETE FROM former_onu_signal WHERE former_onu_id IN (SELECT id FROM former_onus) AND hour < ?",
        )
        .bind(history_before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "DELETE FROM former_onus WHERE NOT EXISTS (SELECT 1 FROM former_onu_signal WHERE former_onu_id = former_onus.id)",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        pass.batch(began.elapsed());
        Ok(pass)
    }

    /// The last ONU id of the next batch after `after`, if any ONU is left.
    async fn onu_batch_end(&self, after: i64) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT MAX(id) FROM (SELECT id FROM onus WHERE id > ? ORDER BY id LIMIT ?)")
            .bind(after)
            .bind(BATCH_ONUS)
            .fetch_one(&self.pool)
            .await?)
    }
}

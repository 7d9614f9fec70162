//! ONU signal readings and alerts. Each sweep's readings are a compact
//! history row (Unix seconds, REAL readings, the table its own `(onu, at)`
//! index; see `signal_history` for how long they stay); the latest reading
//! is also copied to the ONU's row for lists.

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::optical::{AlertChange, AlertLevel};
use headend_core::{OltId, OnuId, ServiceId};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, corrupt, opt_ts, parse_ts, ts};
use crate::error::StoreError;

/// One ONU's readings at one sweep; `None` where the OLT gave none.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SignalSample {
    /// dBm.
    pub onu_rx: Option<f64>,
    pub onu_tx: Option<f64>,
    pub olt_rx: Option<f64>,
    /// °C.
    pub temperature: Option<f64>,
    /// V.
    pub voltage: Option<f64>,
    /// Laser bias current, mA.
    pub bias: Option<f64>,
    /// Fibre distance, m.
    pub distance: Option<f64>,
}

impl SignalSample {
    pub fn is_empty(&self) -> bool {
        *self == SignalSample::default()
    }
}

/// An alert on an ONU, open or cleared.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuAlert {
    pub id: i64,
    pub onu: OnuId,
    pub olt: OltId,
    pub olt_name: String,
    pub port: String,
    pub onu_index: u32,
    pub serial: String,
    pub service: Option<ServiceId>,
    pub service_label: Option<String>,
    pub level: AlertLevel,
    /// The ONU Rx that raised it.
    pub rx: Option<f64>,
    pub raised_at: Timestamp,
    pub cleared_at: Option<Timestamp>,
}

/// Which alerts a list shows, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertQuery {
    pub olt: Option<OltId>,
    pub onu: Option<OnuId>,
    /// Only the open ones.
    pub open: bool,
    pub limit: u32,
}

impl Default for AlertQuery {
    fn default() -> Self {
        Self { olt: None, onu: None, open: true, limit: 500 }
    }
}

impl Store {
    /// Stores a sweep's readings: one history row per ONU that gave any
    /// reading, and the latest reading on every ONU's row (cleared for
    /// those that gave none). One transaction.
    pub async fn record_signals(&self, samples: &[(OnuId, SignalSample)], at: Timestamp) -> Result<(), StoreError> {
        if samples.is_empty() {
            return Ok(());
        }
        let second = at.as_second();
        let stamp = ts(at);
        let mut tx = self.write().await?;
        for (onu, s) in samples {
            if !s.is_empty() {
                sqlx::query(
                    "INSERT OR REPLACE INTO onu_signal (onu_id, at, onu_rx, onu_tx, olt_rx, temperature, voltage, bias, distance)
                     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM onus WHERE id = ?)",
                )
                .bind(onu.0)
                .bind(second)
                .bind(s.onu_rx)
                .bind(s.onu_tx)
                .bind(s.olt_rx)
                .bind(s.temperature)
                .bind(s.voltage)
                .bind(s.bias)
                .bind(s.distance)
                .bind(onu.0)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE onus SET onu_rx = ?, onu_tx = ?, olt_rx = ?, signal_at = ? WHERE id = ?")
                .bind(s.onu_rx)
                .bind(s.onu_tx)
                .bind(s.olt_rx)
                .bind(&stamp)
                .bind(onu.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The alert open on each ONU of `olt`.
    pub async fn open_alert_levels(&self, olt: OltId) -> Result<HashMap<OnuId, AlertLevel>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.onu_id, a.level FROM onu_alerts a JOIN onus n ON n.id = a.onu_id
             WHERE n.olt_id = ? AND a.cleared_at IS NULL",
        )
        .bind(olt.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let level: &str = row.try_get(1)?;
                Ok((OnuId(row.try_get(0)?), AlertLevel::from_str(level).map_err(|e| corrupt("onu_alerts", e))?))
            })
            .collect()
    }

    /// Applies a sweep's alert changes in one transaction: a raise opens an
    /// alert, a change closes the open one and opens another, a clear
    /// closes it. `rx` is the reading that decided.
    pub async fn apply_alert_changes(
        &self,
        changes: &[(OnuId, AlertChange, Option<f64>)],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        if changes.iter().all(|(_, c, _)| *c == AlertChange::None) {
            return Ok(());
        }
        let stamp = ts(at);
        let mut tx = self.write().await?;
        for (onu, change, rx) in changes {
            let open = match *change {
                AlertChange::None => continue,
                AlertChange::Raise(level) | AlertChange::Change { to: level, .. } => Some(level),
                AlertChange::Clear(_) => None,
            };
            // Whatever is open closes (for a raise: a stale one another
            // process's sweep left), so at most one stays open.
            sqlx::query("UPDATE onu_alerts SET cleared_at = ? WHERE onu_id = ? AND cleared_at IS NULL")
                .bind(&stamp)
                .bind(onu.0)
                .execute(&mut *tx)
                .await?;
            if let Some(level) = open {
                sqlx::query("INSERT INTO onu_alerts (onu_id, level, rx, raised_at) VALUES (?, ?, ?, ?)")
                    .bind(onu.0)
                    .bind(level.as_str())
                    .bind(rx)
                    .bind(&stamp)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Alerts matching `query`, newest first.
    pub async fn onu_alerts(&self, query: &AlertQuery) -> Result<Vec<OnuAlert>, StoreError> {
        let mut filters = Vec::new();
        if query.olt.is_some() {
            filters.push("n.olt_id = ?");
        }
        if query.onu.is_some() {
            filters.push("a.onu_id = ?");
        }
        if query.open {
            filters.push("a.cleared_at IS NULL");
        }
        let filter = if filters.is_empty() { String::new() } else { format!("WHERE {}", filters.join(" AND ")) };
        let sql = format!(
            "SELECT a.id, a.onu_id, n.olt_id, o.name AS olt_name, p.name AS port, n.onu_index, n.serial, n.service_id,
                    CASE WHEN s.id IS NULL THEN NULL
                         ELSE IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' END AS service_label,
                    a.level, a.rx, a.raised_at, a.cleared_at
             FROM onu_alerts a
             JOIN onus n ON n.id = a.onu_id
             JOIN olts o ON o.id = n.olt_id
             JOIN pon_ports p ON p.id = n.port_id
             LEFT JOIN services s ON s.id = n.service_id
             LEFT JOIN customers c ON c.id = s.customer_id
             {filter}
             ORDER BY a.id DESC LIMIT ?"
        );
        let mut select = sqlx::query(&sql);
        if let Some(olt) = query.olt {
            select = select.bind(olt.0);
        }
        if let Some(onu) = query.onu {
            select = select.bind(onu.0);
        }
        let rows = select.bind(query.limit).fetch_all(&self.pool).await?;
        rows.iter().map(alert_row).collect()
    }
}

fn alert_row(row: &SqliteRow) -> Result<OnuAlert, StoreError> {
    let level: &str = row.try_get("level")?;
    let index: i64 = row.try_get("onu_index")?;
    Ok(OnuAlert {
        id: row.try_get("id")?,
        onu: OnuId(row.try_get("onu_id")?),
        olt: OltId(row.try_get("olt_id")?),
        olt_name: row.try_get("olt_name")?,
        port: row.try_get("port")?,
        onu_index: u32::try_from(index).map_err(|e| corrupt("onus", e))?,
        serial: row.try_get("serial")?,
        service: row.try_get::<Option<i64>, _>("service_id")?.map(ServiceId),
        service_label: row.try_get("service_label")?,
        level: AlertLevel::from_str(level).map_err(|e| corrupt("onu_alerts", e))?,
        rx: row.try_get("rx")?,
        raised_at: parse_ts("onu_alerts", row.try_get("raised_at")?)?,
        cleared_at: opt_ts("onu_alerts", row.try_get("cleared_at")?)?,
    })
}

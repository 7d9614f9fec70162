//! What the dashboard counts that no page lists: payments of a day, the
//! sessions of the last hours, suspensions by hand since an instant.

use headend_core::ServiceId;
use headend_core::billing::money::Currency;
use headend_core::sessions::SessionSpan;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::{Store, parse_ts, ts};
use crate::error::StoreError;

/// Payments recorded for one day, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayPayments {
    pub count: u32,
    /// In the currency's minor unit.
    pub total_minor: i64,
}

impl Store {
    /// Payments paid on `day` in `currency`.
    pub async fn payments_on(&self, day: Date, currency: &Currency) -> Result<DayPayments, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*), IFNULL(SUM(amount_minor), 0) FROM payments WHERE paid_on = ? AND currency = ?",
        )
        .bind(day.to_string())
        .bind(currency.code())
        .fetch_one(&self.pool)
        .await?;
        let count: i64 = row.try_get(0)?;
        Ok(DayPayments { count: u32::try_from(count).unwrap_or(u32::MAX), total_minor: row.try_get(1)? })
    }

    /// The sessions (not daily totals) that lasted past `since`: stopped
    /// since, or still open. An open one counts until its last update, not
    /// until now: a session whose router or NAS stopped reporting (no Stop
    /// ever came) must not look online for ever.
    pub async fn sessions_since(&self, since: Timestamp) -> Result<Vec<SessionSpan>, StoreError> {
        let rows = sqlx::query(
            "SELECT service_id, started_at, stopped_at FROM session_history
             WHERE source <> 'daily' AND stopped_at >= ?1
             UNION ALL
             SELECT service_id, started_at, updated_at FROM session_history
             WHERE source <> 'daily' AND stopped_at IS NULL AND updated_at >= ?1",
        )
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let started: String = row.try_get(1)?;
                let stopped: Option<String> = row.try_get(2)?;
                Ok(SessionSpan {
                    service: ServiceId(row.try_get(0)?),
                    started: parse_ts("session_history", &started)?,
                    stopped: stopped.map(|s| parse_ts("session_history", &s)).transpose()?,
                })
            })
            .collect()
    }

    /// Services an operator (or the CLI) suspended since `since`.
    pub async fn suspended_by_hand_since(&self, since: Timestamp) -> Result<Vec<ServiceId>, StoreError> {
        // The subject is `service:ID` (core's `Subject`).
        let rows = sqlx::query(
            "SELECT DISTINCT CAST(substr(subject, 9) AS INTEGER) FROM activity_log
             WHERE at >= ? AND action = 'status changed' AND detail LIKE '%-> suspended%'
               AND subject LIKE 'service:%'
             ORDER BY 1",
        )
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok(ServiceId(row.try_get(0)?))).collect()
    }
}

//! The zero-touch queue: a service's OLT action (registering its ONU) that
//! failed, with its attempts, last error and next attempt. The same
//! semantics as the provisioning queue ([`super::queue`]), keyed by
//! (service, action) since no router is involved; a row names the OLT the
//! ONU was found on.

use headend_core::queue::{OltAction, QueueStatus};
use headend_core::{OltId, ServiceId};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, corrupt, parse_ts, ts};
use crate::error::StoreError;

/// One queued OLT action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OltQueueEntry {
    pub id: i64,
    pub service: ServiceId,
    /// Where the ONU was found, while that OLT exists.
    pub olt: Option<OltId>,
    pub action: OltAction,
    pub serial: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub status: QueueStatus,
    pub next_attempt_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A queue row with the names the operator knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OltQueueRow {
    pub entry: OltQueueEntry,
    pub service_label: String,
    pub olt_name: Option<String>,
}

const COLUMNS: &str = "q.id, q.service_id, q.olt_id, q.action, q.serial, q.attempts, q.last_error, q.status, q.next_attempt_at, q.created_at, q.updated_at";

impl Store {
    /// Records a failed attempt: one more attempt, the error, the next
    /// attempt; `failed` once `attempts >= max_attempts`, else `retrying`.
    #[allow(clippy::too_many_arguments)] // the engine's one call site names them all
    pub async fn olt_queue_failure(
        &self,
        service: ServiceId,
        olt: Option<OltId>,
        action: OltAction,
        serial: &str,
        error: &str,
        now: Timestamp,
        next_attempt_at: Timestamp,
        max_attempts: u32,
    ) -> Result<OltQueueEntry, StoreError> {
        let now = ts(now);
        let sql = format!(
            "INSERT INTO olt_queue AS q (service_id, olt_id, action, serial, attempts, last_error, status,
                                         next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, CASE WHEN 1 >= ?6 THEN 'failed' ELSE 'retrying' END, ?7, ?8, ?8)
             ON CONFLICT (service_id, action) DO UPDATE SET
                 olt_id = IFNULL(excluded.olt_id, q.olt_id),
                 serial = excluded.serial,
                 attempts = q.attempts + 1,
                 last_error = excluded.last_error,
                 status = CASE WHEN q.attempts + 1 >= ?6 THEN 'failed' ELSE 'retrying' END,
                 next_attempt_at = excluded.next_attempt_at,
                 updated_at = excluded.updated_at
             RETURNING {}",
            COLUMNS.replace("q.", "")
        );
        let row = sqlx::query(&sql)
            .bind(service.0)
            .bind(olt.map(|o| o.0))
            .bind(action.as_str())
            .bind(serial)
            .bind(error)
            .bind(i64::from(max_attempts))
            .bind(ts(next_attempt_at))
            .bind(&now)
            .fetch_one(&self.pool)
            .await?;
        entry_row(&row)
    }

    /// Drops the row of an action that succeeded or is no longer needed.
    pub async fn olt_queue_clear(&self, service: ServiceId, action: OltAction) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM olt_queue WHERE service_id = ? AND action = ?")
            .bind(service.0)
            .bind(action.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `service`'s rows, oldest first.
    pub async fn olt_queue_for_service(&self, service: ServiceId) -> Result<Vec<OltQueueEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM olt_queue q WHERE q.service_id = ? ORDER BY q.id");
        let rows = sqlx::query(&sql).bind(service.0).fetch_all(&self.pool).await?;
        rows.iter().map(entry_row).collect()
    }

    /// Every row (of one status), oldest first.
    pub async fn olt_queue(&self, status: Option<QueueStatus>) -> Result<Vec<OltQueueRow>, StoreError> {
        let filter = if status.is_some() { "WHERE q.status = ?" } else { "" };
        let sql = format!(
            "SELECT {COLUMNS}, o.name AS olt_name, IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' AS service_label
             FROM olt_queue q
             JOIN services s ON s.id = q.service_id
             JOIN customers c ON c.id = s.customer_id
             LEFT JOIN olts o ON o.id = q.olt_id
             {filter} ORDER BY q.id"
        );
        let mut select = sqlx::query(&sql);
        if let Some(status) = status {
            select = select.bind(status.as_str());
        }
        let rows = select.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(OltQueueRow {
                    entry: entry_row(row)?,
                    service_label: row.try_get("service_label")?,
                    olt_name: row.try_get("olt_name")?,
                })
            })
            .collect()
    }

    /// A manual retry of `service`'s rows: no attempts, `pending`, due now.
    /// Returns how many.
    pub async fn olt_queue_retry(&self, service: ServiceId) -> Result<u64, StoreError> {
        let stamp = ts(self.now());
        let done = sqlx::query(
            "UPDATE olt_queue SET attempts = 0, status = 'pending', next_attempt_at = ?1, updated_at = ?1
             WHERE service_id = ?2",
        )
        .bind(&stamp)
        .bind(service.0)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

fn entry_row(row: &SqliteRow) -> Result<OltQueueEntry, StoreError> {
    let status: &str = row.try_get("status")?;
    let action: &str = row.try_get("action")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(OltQueueEntry {
        id: row.try_get("id")?,
        service: ServiceId(row.try_get("service_id")?),
        olt: row.try_get::<Option<i64>, _>("olt_id")?.map(OltId),
        action: action.parse().map_err(|e| corrupt("olt_queue", e))?,
        serial: row.try_get("serial")?,
        attempts: u32::try_from(attempts).map_err(|e| corrupt("olt_queue", e))?,
        last_error: row.try_get("last_error")?,
        status: status.parse().map_err(|e| corrupt("olt_queue", e))?,
        next_attempt_at: parse_ts("olt_queue", row.try_get("next_attempt_at")?)?,
        created_at: parse_ts("olt_queue", row.try_get("created_at")?)?,
        updated_at: parse_ts("olt_queue", row.try_get("updated_at")?)?,
    })
}

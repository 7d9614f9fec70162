//! The zero-touch queue: a service's OLT action (registering its ONU) that
//! failed, with its attempts, last error and next attempt. The same rule
//! as the provisioning queue ([`retry_queue`]), keyed by (service, action)
//! since no router is involved; a row names the OLT the ONU was found on.

use headend_core::queue::{Backoff, OltAction, QueueStatus, RetryState};
use headend_core::{OltId, ServiceId};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::retry_queue::{self, QueueTable, Value, retry_state};
use super::{Store, corrupt, parse_ts};
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

/// The zero-touch queue's table for [`retry_queue`]'s rule.
struct OltQueue;

impl QueueTable for OltQueue {
    const TABLE: &'static str = "olt_queue";
    const KEY: &'static [&'static str] = &["service_id", "action"];
    const PAYLOAD: &'static [&'static str] = &["olt_id", "serial"];

    type Key = (ServiceId, OltAction);
    /// The OLT the ONU was found on (`None` keeps the row's), and its serial.
    type Payload<'a> = (Option<OltId>, &'a str);

    fn key(&(service, action): &Self::Key) -> Vec<Value<'_>> {
        vec![Value::Int(Some(service.0)), Value::Text(action.as_str())]
    }

    fn payload<'a>(payload: &Self::Payload<'a>) -> Vec<Value<'a>> {
        let &(olt, serial) = payload;
        vec![Value::Int(olt.map(|o| o.0)), Value::Text(serial)]
    }
}

impl Store {
    /// Records a failed attempt made at `now` (the queue's rule: one more
    /// attempt, then the next after the backoff, or `failed`), with the
    /// error; `olt: None` keeps the OLT the row names.
    #[allow(clippy::too_many_arguments)] // the engine's one call site names them all
    pub async fn olt_queue_failure(
        &self,
        service: ServiceId,
        olt: Option<OltId>,
        action: OltAction,
        serial: &str,
        error: &str,
        now: Timestamp,
        backoff: Backoff,
    ) -> Result<OltQueueEntry, StoreError> {
        let mut tx = self.write().await?;
        let id =
            retry_queue::fail::<OltQueue>(&mut tx, &(service, action), &(olt, serial), error, now, backoff).await?;
        let sql = format!("SELECT {COLUMNS} FROM olt_queue q WHERE q.id = ?");
        let entry = entry_row(&sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?)?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Drops the row of an action that succeeded or is no longer needed.
    pub async fn olt_queue_clear(&self, service: ServiceId, action: OltAction) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        retry_queue::clear::<OltQueue>(&mut tx, &(service, action)).await?;
        Ok(tx.commit().await?)
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
        let mut tx = self.write().await?;
        let rows = retry_queue::retry::<OltQueue>(&mut tx, "service_id", service.0, self.now()).await?;
        tx.commit().await?;
        Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
    }
}

fn entry_row(row: &SqliteRow) -> Result<OltQueueEntry, StoreError> {
    let action: &str = row.try_get("action")?;
    let RetryState { attempts, status, next_attempt_at } = retry_state("olt_queue", row)?;
    Ok(OltQueueEntry {
        id: row.try_get("id")?,
        service: ServiceId(row.try_get("service_id")?),
        olt: row.try_get::<Option<i64>, _>("olt_id")?.map(OltId),
        action: action.parse().map_err(|e| corrupt("olt_queue", e))?,
        serial: row.try_get("serial")?,
        attempts,
        last_error: row.try_get("last_error")?,
        status,
        next_attempt_at,
        created_at: parse_ts("olt_queue", row.try_get("created_at")?)?,
        updated_at: parse_ts("olt_queue", row.try_get("updated_at")?)?,
    })
}

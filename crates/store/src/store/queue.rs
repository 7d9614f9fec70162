//! The durable provisioning queue: one row per router action that failed
//! (or waits), with its attempts, last error and next attempt, kept by
//! [`retry_queue`]'s rule. A row is keyed by (router, service, action); a
//! plan's profile has no service. A sweep locks the rows it works on.

use std::collections::HashSet;

use headend_core::queue::{Backoff, ProvisionAction, QueueStatus, RetryState};
use headend_core::{RouterId, ServiceId};
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::retry_queue::{self, QueueTable, Value, retry_state};
use super::{Store, corrupt, opt_ts, parse_ts, sweep_router, ts};
use crate::error::StoreError;

/// One queued action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub id: i64,
    pub router: RouterId,
    /// `None` for a plan's profile.
    pub service: Option<ServiceId>,
    pub action: ProvisionAction,
    /// The step as the operator reads it (its `Display`).
    pub detail: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub status: QueueStatus,
    /// Set while a run works on it; older than the stale limit, it is free.
    pub locked_at: Option<Timestamp>,
    pub next_attempt_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Which queue rows a page lists, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub status: Option<QueueStatus>,
    pub limit: u32,
    pub offset: u32,
}

/// A queue row with the names the operator knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub entry: QueueEntry,
    pub router_name: String,
    /// `user (customer)` or `address (customer)`, like
    /// `ServiceOverview::label`; `None` for a plan's profile.
    pub service_label: Option<String>,
}

const QUEUE_COLUMNS: &str = "q.id, q.router_id, q.service_id, q.action, q.detail, q.attempts, q.last_error, q.status,
    q.locked_at, q.next_attempt_at, q.created_at, q.updated_at";

/// `service_id` as the unique key sees it.
fn key(service: Option<ServiceId>) -> i64 {
    service.map_or(0, |s| s.0)
}

/// The provisioning queue's table for [`retry_queue`]'s rule.
struct ProvisionQueue;

impl QueueTable for ProvisionQueue {
    const TABLE: &'static str = "provision_queue";
    const KEY: &'static [&'static str] = &["router_id", "service_id", "action"];
    const PAYLOAD: &'static [&'static str] = &["detail"];
    const ON_WRITE: &'static str = "locked_at = NULL";

    type Key = (RouterId, Option<ServiceId>, ProvisionAction);
    /// The step as the operator reads it.
    type Payload<'a> = &'a str;

    fn key(&(router, service, action): &Self::Key) -> Vec<Value<'_>> {
        vec![Value::Int(Some(router.0)), Value::Int(service.map(|s| s.0)), Value::Text(action.as_str())]
    }

    fn payload<'a>(detail: &Self::Payload<'a>) -> Vec<Value<'a>> {
        vec![Value::Text(detail)]
    }

    /// A plan's profile (no service) is keyed as service 0.
    fn unique() -> String {
        "router_id, IFNULL(service_id, 0), action".to_owned()
    }
}

impl Store {
    /// Records a failed attempt made at `now` (the queue's rule: one more
    /// attempt, then the next after the backoff, or `failed`), with the
    /// error. Unlocks the row.
    #[allow(clippy::too_many_arguments)] // the engine's two call sites name them all
    pub async fn queue_failure(
        &self,
        router: RouterId,
        service: Option<ServiceId>,
        action: ProvisionAction,
        detail: &str,
        error: &str,
        now: Timestamp,
        backoff: Backoff,
    ) -> Result<QueueEntry, StoreError> {
        let mut tx = self.write().await?;
        let id = retry_queue::fail::<ProvisionQueue>(&mut tx, &(router, service, action), &detail, error, now, backoff)
            .await?;
        let sql = format!("SELECT {QUEUE_COLUMNS} FROM provision_queue q WHERE q.id = ?");
        let entry = queue_row(&sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?)?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Queues an action to try (status `pending`, no attempt yet, due
    /// `now`), unless it is already queued.
    pub async fn queue_enqueue(
        &self,
        router: RouterId,
        service: Option<ServiceId>,
        action: ProvisionAction,
        detail: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        retry_queue::enqueue::<ProvisionQueue>(&mut tx, &(router, service, action), &detail, now).await?;
        Ok(tx.commit().await?)
    }

    /// Locks and returns `router`'s rows that are due (`next_attempt_at <=
    /// now`), not `failed`, and unlocked or locked longer than
    /// `stale_after` ago (a run that died).
    pub async fn queue_lock(
        &self,
        router: RouterId,
        now: Timestamp,
        stale_after: SignedDuration,
    ) -> Result<Vec<QueueEntry>, StoreError> {
        let stale = now.checked_sub(stale_after).unwrap_or(Timestamp::MIN);
        let sql = format!(
            "UPDATE provision_queue SET locked_at = ?1
             WHERE router_id = ?2 AND status IN ('pending', 'retrying') AND next_attempt_at <= ?1
               AND (locked_at IS NULL OR locked_at <= ?3)
             RETURNING {}",
            QUEUE_COLUMNS.replace("q.", "")
        );
        let rows = self.fetch_all_write(sqlx::query(&sql).bind(ts(now)).bind(router.0).bind(ts(stale))).await?;
        let mut entries: Vec<QueueEntry> = rows.iter().map(queue_row).collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.id);
        Ok(entries)
    }

    /// Drops the row of an action that succeeded or is no longer needed.
    pub async fn queue_clear(
        &self,
        router: RouterId,
        service: Option<ServiceId>,
        action: ProvisionAction,
    ) -> Result<(), StoreError> {
        self.queue_clear_many(router, &[(service, action)]).await
    }

    /// [`Store::queue_clear`] for many actions of one router in one
    /// transaction (after a sweep applied hundreds).
    pub async fn queue_clear_many(
        &self,
        router: RouterId,
        done: &[(Option<ServiceId>, ProvisionAction)],
    ) -> Result<(), StoreError> {
        if done.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for &(service, action) in done {
            retry_queue::clear::<ProvisionQueue>(&mut tx, &(router, service, action)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drops `router`'s rows whose (service, action) is not in `keep`: the
    /// latest plan no longer contains them.
    pub async fn queue_clear_router_except(
        &self,
        router: RouterId,
        keep: &[(Option<ServiceId>, ProvisionAction)],
    ) -> Result<(), StoreError> {
        let keep: HashSet<(i64, &str)> = keep.iter().map(|(s, a)| (key(*s), a.as_str())).collect();
        let mut tx = self.write().await?;
        let rows =
            sqlx::query("SELECT id, IFNULL(service_id, 0) AS service, action FROM provision_queue WHERE router_id = ?")
                .bind(router.0)
                .fetch_all(&mut *tx)
                .await?;
        for row in rows {
            let service: i64 = row.try_get("service")?;
            let action: &str = row.try_get("action")?;
            if !keep.contains(&(service, action)) {
                let id: i64 = row.try_get("id")?;
                sqlx::query("DELETE FROM provision_queue WHERE id = ?").bind(id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every row of `router`, oldest first.
    pub async fn queue_for_router(&self, router: RouterId) -> Result<Vec<QueueEntry>, StoreError> {
        let sql = format!("SELECT {QUEUE_COLUMNS} FROM provision_queue q WHERE q.router_id = ? ORDER BY q.id");
        let rows = sqlx::query(&sql).bind(router.0).fetch_all(&self.pool).await?;
        rows.iter().map(queue_row).collect()
    }

    /// Every row of `service`, oldest first.
    pub async fn queue_for_service(&self, service: ServiceId) -> Result<Vec<QueueEntry>, StoreError> {
        let sql = format!("SELECT {QUEUE_COLUMNS} FROM provision_queue q WHERE q.service_id = ? ORDER BY q.id");
        let rows = sqlx::query(&sql).bind(service.0).fetch_all(&self.pool).await?;
        rows.iter().map(queue_row).collect()
    }

    /// A page of the queue (the console's queue view), oldest first.
    pub async fn queue(&self, query: &QueueQuery) -> Result<Vec<QueueRow>, StoreError> {
        let filter = if query.status.is_some() { "WHERE q.status = ?" } else { "" };
        let sql = format!(
            "SELECT {QUEUE_COLUMNS}, r.name AS router_name,
                    CASE WHEN s.id IS NULL THEN NULL
                         ELSE IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' END AS service_label
             FROM provision_queue q
             JOIN routers r ON r.id = q.router_id
             LEFT JOIN services s ON s.id = q.service_id
             LEFT JOIN customers c ON c.id = s.customer_id
             {filter}
             ORDER BY q.id LIMIT ? OFFSET ?"
        );
        let mut select = sqlx::query(&sql);
        if let Some(status) = query.status {
            select = select.bind(status.as_str());
        }
        let rows = select.bind(query.limit).bind(query.offset).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(QueueRow {
                    entry: queue_row(row)?,
                    router_name: row.try_get("router_name")?,
                    service_label: row.try_get("service_label")?,
                })
            })
            .collect()
    }

    /// A manual retry of one row: no attempts, `pending`, due now,
    /// unlocked; its router is asked to sweep. `None` if there is no such
    /// row.
    pub async fn queue_retry(&self, id: i64) -> Result<Option<RouterId>, StoreError> {
        let mut tx = self.write().await?;
        let now = self.now();
        let rows = retry_queue::retry::<ProvisionQueue>(&mut tx, "id", id, now).await?;
        let Some(row) = rows.first() else { return Ok(None) };
        let router = RouterId(row.try_get("router_id")?);
        sweep_router(&mut tx, router, now).await?;
        tx.commit().await?;
        Ok(Some(router))
    }

    /// A manual retry of everything queued for `service` (as
    /// [`Store::queue_retry`]). Asks the service's router, and any other
    /// router holding a row of it, to sweep, even with nothing queued:
    /// "retry" means "try to converge this service now". Returns those
    /// routers, by id.
    pub async fn queue_retry_service(&self, service: ServiceId) -> Result<Vec<RouterId>, StoreError> {
        let mut tx = self.write().await?;
        let home: i64 = sqlx::query("SELECT router_id FROM services WHERE id = ?")
            .bind(service.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("service {service}")))?
            .try_get(0)?;
        let now = self.now();
        let rows = retry_queue::retry::<ProvisionQueue>(&mut tx, "service_id", service.0, now).await?;
        let mut routers = vec![RouterId(home)];
        for row in rows {
            routers.push(RouterId(row.try_get("router_id")?));
        }
        routers.sort();
        routers.dedup();
        for router in &routers {
            sweep_router(&mut tx, *router, now).await?;
        }
        tx.commit().await?;
        Ok(routers)
    }
}

fn queue_row(row: &SqliteRow) -> Result<QueueEntry, StoreError> {
    let action: &str = row.try_get("action")?;
    let RetryState { attempts, status, next_attempt_at } = retry_state("provision_queue", row)?;
    Ok(QueueEntry {
        id: row.try_get("id")?,
        router: RouterId(row.try_get("router_id")?),
        service: row.try_get::<Option<i64>, _>("service_id")?.map(ServiceId),
        action: action.parse().map_err(|e| corrupt("provision_queue", e))?,
        detail: row.try_get("detail")?,
        attempts,
        last_error: row.try_get("last_error")?,
        status,
        locked_at: opt_ts("provision_queue", row.try_get("locked_at")?)?,
        next_attempt_at,
        created_at: parse_ts("provision_queue", row.try_get("created_at")?)?,
        updated_at: parse_ts("provision_queue", row.try_get("updated_at")?)?,
    })
}

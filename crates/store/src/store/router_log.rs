//! The per-router log: each command sent to a router for provisioning,
//! written `pending` before it is sent and finished after, so a run that
//! died leaves a trace ([`Store::router_log_interrupt_pending`]).

use std::fmt;
use std::str::FromStr;

use headend_core::{RouterId, ServiceId};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{BATCH_ROWS, Store, corrupt, next_id, parse_ts, ts, values};
use crate::error::StoreError;

/// How a logged command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouterLogOutcome {
    /// Sent (or about to be); no answer recorded yet.
    Pending,
    Ok,
    Error,
    /// The run died before the answer was recorded.
    Interrupted,
}

impl RouterLogOutcome {
    pub const ALL: [RouterLogOutcome; 4] =
        [RouterLogOutcome::Pending, RouterLogOutcome::Ok, RouterLogOutcome::Error, RouterLogOutcome::Interrupted];

    pub fn as_str(self) -> &'static str {
        match self {
            RouterLogOutcome::Pending => "pending",
            RouterLogOutcome::Ok => "ok",
            RouterLogOutcome::Error => "error",
            RouterLogOutcome::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for RouterLogOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RouterLogOutcome {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RouterLogOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| StoreError::Invalid(format!("unknown router log outcome {s:?}")))
    }
}

/// One line of a router's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterLogEntry {
    pub id: i64,
    pub router: RouterId,
    pub service: Option<ServiceId>,
    pub at: Timestamp,
    /// What was sent, as the operator reads it (never a password).
    pub command: String,
    pub outcome: RouterLogOutcome,
    pub error: Option<String>,
    pub duration_ms: Option<u64>,
}

const LOG_COLUMNS: &str = "id, router_id, service_id, at, command, outcome, error, duration_ms";

fn duration(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

impl Store {
    /// Logs a command about to be sent; returns the line's id for
    /// [`Store::router_log_finish`].
    pub async fn router_log_begin(
        &self,
        router: RouterId,
        service: Option<ServiceId>,
        command: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let ids = self.router_log_begin_many(router, &[(service, command.to_owned())], at).await?;
        ids.first().copied().ok_or_else(|| StoreError::NotFound("the router log line just written".into()))
    }

    /// [`Store::router_log_begin`] for many commands in one transaction;
    /// the ids come in the order of `commands`.
    pub async fn router_log_begin_many(
        &self,
        router: RouterId,
        commands: &[(Option<ServiceId>, String)],
        at: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        let at = ts(at);
        let mut tx = self.write().await?;
        let first = next_id(&mut tx, "router_log").await?;
        let ids: Vec<i64> = (first..).take(commands.len()).collect();
        for (ids, commands) in ids.chunks(BATCH_ROWS).zip(commands.chunks(BATCH_ROWS)) {
            let sql = format!(
                "INSERT INTO router_log (id, router_id, service_id, at, command, outcome) VALUES {}",
                values(commands.len(), 6)
            );
            let mut insert = sqlx::query(&sql);
            for (id, (service, command)) in ids.iter().zip(commands) {
                insert = insert
                    .bind(id)
                    .bind(router.0)
                    .bind(service.map(|s| s.0))
                    .bind(&at)
                    .bind(command)
                    .bind(RouterLogOutcome::Pending.as_str());
            }
            insert.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Records how a logged command ended.
    pub async fn router_log_finish(
        &self,
        id: i64,
        outcome: RouterLogOutcome,
        error: Option<&str>,
        duration_ms: u64,
    ) -> Result<(), StoreError> {
        self.router_log_finish_many(&[(id, outcome, error.map(str::to_owned), duration_ms)]).await
    }

    /// [`Store::router_log_finish`] for many lines in one transaction:
    /// `(id, outcome, error, duration_ms)`.
    pub async fn router_log_finish_many(
        &self,
        finished: &[(i64, RouterLogOutcome, Option<String>, u64)],
    ) -> Result<(), StoreError> {
        if finished.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for chunk in finished.chunks(BATCH_ROWS) {
            let sql = format!(
                "UPDATE router_log SET outcome = v.column2, error = v.column3, duration_ms = v.column4
                 FROM (VALUES {}) AS v WHERE router_log.id = v.column1",
                values(chunk.len(), 4)
            );
            let mut update = sqlx::query(&sql);
            for (id, outcome, error, duration_ms) in chunk {
                update = update.bind(id).bind(outcome.as_str()).bind(error.as_deref()).bind(duration(*duration_ms));
            }
            update.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks `router`'s lines still `pending` as `interrupted` (call it
    /// before a sweep, holding the router's lease: no other run can be
    /// sending to it). Returns how many there were.
    pub async fn router_log_interrupt_pending(&self, router: RouterId) -> Result<u64, StoreError> {
        // Nearly always none: asked first, without the write lock every
        // sweep would otherwise take for nothing.
        let pending: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM router_log WHERE router_id = ? AND outcome = 'pending')")
                .bind(router.0)
                .fetch_one(&self.pool)
                .await?;
        if !pending {
            return Ok(0);
        }
        let done = self
            .execute_write(
                sqlx::query(
                    "UPDATE router_log SET outcome = 'interrupted' WHERE router_id = ? AND outcome = 'pending'",
                )
                .bind(router.0),
            )
            .await?;
        Ok(done.rows_affected())
    }

    /// `router`'s newest `limit` lines, newest first.
    pub async fn router_log(&self, router: RouterId, limit: u32) -> Result<Vec<RouterLogEntry>, StoreError> {
        let sql = format!("SELECT {LOG_COLUMNS} FROM router_log WHERE router_id = ? ORDER BY id DESC LIMIT ?");
        let rows = sqlx::query(&sql).bind(router.0).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(log_row).collect()
    }

    /// The newest `limit` lines about `service`, on any router, newest first.
    pub async fn service_router_log(&self, service: ServiceId, limit: u32) -> Result<Vec<RouterLogEntry>, StoreError> {
        let sql = format!("SELECT {LOG_COLUMNS} FROM router_log WHERE service_id = ? ORDER BY id DESC LIMIT ?");
        let rows = sqlx::query(&sql).bind(service.0).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(log_row).collect()
    }
}

fn log_row(row: &SqliteRow) -> Result<RouterLogEntry, StoreError> {
    let outcome: &str = row.try_get("outcome")?;
    let duration: Option<i64> = row.try_get("duration_ms")?;
    Ok(RouterLogEntry {
        id: row.try_get("id")?,
        router: RouterId(row.try_get("router_id")?),
        service: row.try_get::<Option<i64>, _>("service_id")?.map(ServiceId),
        at: parse_ts("router_log", row.try_get("at")?)?,
        command: row.try_get("command")?,
        outcome: RouterLogOutcome::from_str(outcome).map_err(|e| corrupt("router_log", e))?,
        error: row.try_get("error")?,
        duration_ms: duration.map(|d| u64::try_from(d).map_err(|e| corrupt("router_log", e))).transpose()?,
    })
}

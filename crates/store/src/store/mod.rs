//! The database: [`Store`], one `impl` block per concept in the modules
//! below, and the conversions they share.
//!
//! Writes that change what a router should hold record a sweep request for
//! that router in the same transaction (see [`leases`]), so an engine in
//! any process (the app, `headend agent`) picks the change up at once.

mod activity;
mod customers;
mod import;
mod leases;
mod olt_log;
mod olt_queue;
mod olts;
mod onus;
mod payments;
mod plans;
mod policy;
mod queue;
mod router_log;
mod routers;
mod services;
mod signal;
mod write;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use headend_core::RouterId;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::StoreError;
use crate::records::StoreStatus;

pub use activity::ActivityQuery;
pub use import::{CheckedImport, CheckedRow, ImportService};
pub use olt_log::{NewOltLogEntry, OltLogEntry, OltLogOutcome, REPLY_LIMIT};
pub use olt_queue::{OltQueueEntry, OltQueueRow};
pub use olts::{OltHealth, OltOverview};
pub use onus::{AutofindRow, AutofindSeen, OdpRow, OnuRow, OnuSeen, PonPortRow, ServiceOnu, SyncedOnu, ZtpCandidate};
pub use queue::{QueueEntry, QueueQuery, QueueRow, QueueStatus};
pub use router_log::{RouterLogEntry, RouterLogOutcome};
pub use services::{ProvisioningRow, ServiceQuery, ServicesPage};
pub use signal::{AlertQuery, OnuAlert, SignalPoint, SignalSample};
pub use write::Write;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// The version of the newest migration this build carries: what
/// `status().schema_version` reads once the database is up to date.
pub fn latest_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The database. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

pub(crate) fn corrupt(table: &'static str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt { table, detail: detail.to_string() }
}

/// Maps a unique-constraint violation to a clear "already exists" error.
pub(crate) fn unique_violation(what: &'static str, value: &str) -> impl FnOnce(sqlx::Error) -> StoreError {
    let value = value.to_owned();
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate { what, value },
        _ => StoreError::Sql(err),
    }
}

/// An instant as this schema writes it: RFC 3339 UTC with exactly three
/// fractional digits, so that text order is time order in SQL.
pub(crate) fn ts(t: Timestamp) -> String {
    format!("{t:.3}")
}

pub(crate) fn now() -> String {
    ts(Timestamp::now())
}

pub(crate) fn parse_ts(table: &'static str, text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_str(text).map_err(|e| corrupt(table, format!("{text:?}: {e}")))
}

pub(crate) fn parse_date(table: &'static str, text: &str) -> Result<Date, StoreError> {
    Date::from_str(text).map_err(|e| corrupt(table, format!("{text:?}: {e}")))
}

pub(crate) fn opt_ts(table: &'static str, text: Option<String>) -> Result<Option<Timestamp>, StoreError> {
    text.map(|t| parse_ts(table, &t)).transpose()
}

pub(crate) fn opt_date(table: &'static str, text: Option<String>) -> Result<Option<Date>, StoreError> {
    text.map(|t| parse_date(table, &t)).transpose()
}

/// `text` as a `LIKE` pattern matching it anywhere, with `\` escaping.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Asks every engine to sweep `router` soon; part of the caller's
/// transaction.
pub(crate) async fn sweep_router(conn: &mut SqliteConnection, router: RouterId) -> Result<(), StoreError> {
    sqlx::query("INSERT OR REPLACE INTO sweep_requests (router_id, requested_at) VALUES (?, ?)")
        .bind(router.0)
        .bind(now())
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` in WAL mode
    /// with foreign keys enforced, and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // The app, the CLI and the agent share the file: wait for a
            // writer rather than fail at once.
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        MIGRATOR.run(&pool).await?;
        tracing::debug!(path = %path.display(), "database open");
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction that takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads before it writes waits for
    /// another process's writer (busy timeout) instead of failing when it
    /// upgrades its lock.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A random name for this database, made by its first migration. It
    /// scopes the database's passwords in the OS keyring.
    pub async fn installation_id(&self) -> Result<String, StoreError> {
        Ok(sqlx::query("SELECT value FROM meta WHERE key = 'installation_id'")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    pub async fn status(&self) -> Result<StoreStatus, StoreError> {
        let row = sqlx::query(
            "SELECT
                (SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success) AS schema_version,
                (SELECT COUNT(*) FROM pops) AS pops,
                (SELECT COUNT(*) FROM routers) AS routers,
                (SELECT COUNT(*) FROM plans) AS plans,
                (SELECT COUNT(*) FROM customers) AS customers,
                (SELECT COUNT(*) FROM services) AS services,
                (SELECT COUNT(*) FROM services WHERE status = 'active') AS active_services,
                (SELECT COUNT(*) FROM services WHERE status = 'suspended') AS suspended_services",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(StoreStatus {
            schema_version: row.try_get("schema_version")?,
            pops: row.try_get("pops")?,
            routers: row.try_get("routers")?,
            plans: row.try_get("plans")?,
            customers: row.try_get("customers")?,
            services: row.try_get("services")?,
            active_services: row.try_get("active_services")?,
            suspended_services: row.try_get("suspended_services")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_sort_as_text() {
        let a: Timestamp = "2026-11-25T06:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-11-25T06:00:00.5Z".parse().unwrap();
        assert_eq!(ts(a), "2026-11-25T06:00:00.000Z");
        assert_eq!(ts(b), "2026-11-25T06:00:00.500Z");
        assert!(ts(a) < ts(b));
        assert_eq!(parse_ts("t", &ts(b)).unwrap(), b);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}

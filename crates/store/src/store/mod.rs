//! The database: [`Store`], one `impl` block per concept in the modules
//! below, and the conversions they share.
//!
//! Writes that change what a router should hold record a sweep request for
//! that router in the same transaction (see [`leases`]), so an engine in
//! any process (the app, `headend agent`) picks the change up at once.

mod activity;
mod backup;
mod billing;
mod customers;
mod dashboard;
mod import;
mod leases;
mod map;
mod messages;
mod olt_log;
mod olt_queue;
mod olts;
mod onus;
mod plans;
mod policy;
mod queue;
mod radius;
mod retry_queue;
mod router_log;
mod routers;
mod services;
mod sessions;
mod signal;
mod signal_history;
mod subscriber_key;
#[cfg(test)]
mod test_seed;
mod write;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use headend_core::RouterId;
use headend_core::clock::{Clock, SystemClock};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::error::StoreError;
use crate::records::StoreStatus;

pub use activity::ActivityQuery;
pub use backup::{DatabaseFacts, assign_new_installation_id, inspect_database};
pub use billing::{
    AllocationRecord, BillingDates, BillingRow, Coupon, CustomerExportRow, InvoiceDetail, InvoiceExportRow,
    InvoiceQuery, InvoiceRecord, IssuedInvoice, MonthTotals, NewCharge, NewInvoice, NewPayment, OverdueCustomer,
    PaymentExportRow, PaymentOutcome, PendingCharge, RevenueReport, ServiceBilled, Statement, VoidRecord,
};
pub use dashboard::DayPayments;
pub use import::{CheckedImport, CheckedRow, ImportService};
pub use map::MapService;
pub use messages::{
    BlastFilter, Contact, ContactPrefs, DueInvoice, LateService, MessageQuery, NewMessage, OutboxMessage,
};
pub use olt_log::{NewOltLogEntry, OltLogEntry, OltLogOutcome, REPLY_LIMIT};
pub use olt_queue::{OltQueueEntry, OltQueueRow};
pub use olts::{OltHealth, OltOverview};
pub use onus::{
    AutofindRow, AutofindSeen, OdpRow, OnuRow, OnuSeen, PonPortRow, ServiceOnu, SyncedOnu, ZtpAttempt, ZtpCandidate,
};
pub use queue::{QueueEntry, QueueQuery, QueueRow};
pub use router_log::{RouterLogEntry, RouterLogOutcome};
pub use services::{ProvisioningRow, ServiceQuery, ServicesPage};
pub use sessions::{ApiRecorded, ApiSession, NewSession, ServiceSession, SessionOwner, SessionPrune};
pub use signal::{AlertQuery, OnuAlert, SignalSample};
pub use signal_history::{OnuHistory, SignalPoint, SignalRetentionPass};
pub use subscriber_key::{KeyRecording, SubscriberKeyRecord};
pub use write::Write;

/// A write statement with its bound values, for [`Store::execute_write`].
pub(crate) type WriteQuery<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// The version of the newest migration this build carries: what
/// `status().schema_version` reads once the database is up to date.
pub fn latest_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The database. Cheap to clone: clones share one connection pool and one
/// clock.
///
/// The instants it writes on its own (created, updated, requested) come
/// from its [`Clock`], the system's unless [`Store::with_clock`] gave
/// another: an engine reads the same one, so a test that moves it moves
/// both.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    path: Arc<Path>,
    /// This process's writers, in line for SQLite's one write lock (see
    /// [`Store::write`]).
    writers: Arc<tokio::sync::Mutex<()>>,
}

/// How long a writer waits for the database: for its turn among this
/// process's writers, then again for another process's (SQLite's busy
/// timeout).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A write transaction ([`Store::write`]) holding this process's turn to
/// write until it commits or is dropped (rolled back).
pub(crate) struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("pool", &self.pool).finish_non_exhaustive()
    }
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

/// `(?, ?, …)` repeated `rows` times for `columns` columns: a multi-row
/// `VALUES` list, so many rows cost one statement (each statement is a
/// round trip to the connection's thread).
pub(crate) fn values(rows: usize, columns: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(", "));
    vec![one; rows].join(", ")
}

/// The id the next row of `table` gets (inside a write transaction, which
/// holds it): a batch inserts its rows with ids it knows.
pub(crate) async fn next_id(conn: &mut SqliteConnection, table: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT IFNULL(MAX(id), 0) + 1 FROM {table}");
    Ok(sqlx::query(&sql).fetch_one(conn).await?.try_get(0)?)
}

/// Rows per batched statement: a few columns each stays far below
/// SQLite's 32,766 parameters.
pub(crate) const BATCH_ROWS: usize = 500;

/// An instant as this schema writes it: RFC 3339 UTC with exactly three
/// fractional digits, so that text order is time order in SQL.
pub(crate) fn ts(t: Timestamp) -> String {
    format!("{t:.3}")
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
pub(crate) async fn sweep_router(
    conn: &mut SqliteConnection,
    router: RouterId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT OR REPLACE INTO sweep_requests (router_id, requested_at) VALUES (?, ?)")
        .bind(router.0)
        .bind(ts(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies pending migrations on one connection with foreign keys off, as
/// SQLite's procedure for rebuilding a table asks (a migration that changes
/// a CHECK copies the table and drops the old one), then checks that every
/// reference still holds.
async fn migrate(options: SqliteConnectOptions, path: &Path) -> Result<(), StoreError> {
    use sqlx::Connection as _;
    let open_error = |source| StoreError::Open { path: path.to_path_buf(), source };
    let mut conn = SqliteConnection::connect_with(&options).await.map_err(open_error)?;
    MIGRATOR.run(&mut conn).await?;
    let broken = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut conn).await?;
    if let Some(row) = broken.first() {
        let table: String = row.try_get(0)?;
        return Err(corrupt("migrations", format!("{} rows of {table} refer to rows that do not exist", broken.len())));
    }
    conn.close().await?;
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
            // FULL: a commit is on disk when it returns, so a payment the
            // operator saw recorded survives a power cut (NORMAL may lose
            // the last commits). One fsync per commit; writes are few.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // The app, the CLI and the agent share the file: wait for a
            // writer rather than fail at once.
            .busy_timeout(BUSY_TIMEOUT);
        migrate(options.clone().foreign_keys(false), path).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        tracing::debug!(path = %path.display(), "database open");
        Ok(Self {
            pool,
            clock: Arc::new(SystemClock),
            path: Arc::from(path),
            writers: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// This store, writing the instants of `clock` (a test's, or a
    /// simulation's) instead of the system's.
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// The clock this store writes its instants with; whoever schedules
    /// work against the store (the engines) reads this one.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The current instant, by this store's clock.
    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction that takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads before it writes waits for
    /// another process's writer (busy timeout) instead of failing when it
    /// upgrades its lock.
    ///
    /// This process's writers first wait their turn, in order: SQLite's
    /// busy handler retries a locked database after growing sleeps (up to
    /// 100 ms each) and lets any retry win, so with many of the engine's
    /// writers at once (hundreds of routers' sweeps) some waited seconds
    /// behind others that kept arriving, or failed with "database is
    /// locked". A turn not given within the busy timeout (a writer holding
    /// one and asking for another) is not waited for longer: SQLite's own
    /// wait decides.
    pub(crate) async fn write(&self) -> Result<WriteTx, StoreError> {
        Ok(self.begin_immediate().await?)
    }

    async fn begin_immediate(&self) -> Result<WriteTx, sqlx::Error> {
        let turn = tokio::time::timeout(BUSY_TIMEOUT, self.writers.clone().lock_owned()).await.ok();
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// One write statement in its own [`Store::write`] transaction: every
    /// write takes the write lock the same way, so none fails where another
    /// process's writer would have been waited for.
    pub(crate) async fn execute_write(&self, query: WriteQuery<'_>) -> Result<SqliteQueryResult, sqlx::Error> {
        let mut tx = self.begin_immediate().await?;
        let done = query.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// [`Store::execute_write`] for a statement that returns one row.
    pub(crate) async fn fetch_one_write(&self, query: WriteQuery<'_>) -> Result<SqliteRow, sqlx::Error> {
        self.fetch_optional_write(query).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// [`Store::execute_write`] for a statement that may return a row.
    pub(crate) async fn fetch_optional_write(&self, query: WriteQuery<'_>) -> Result<Option<SqliteRow>, sqlx::Error> {
        let mut tx = self.begin_immediate().await?;
        let row = query.fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// [`Store::execute_write`] for a statement that returns rows.
    pub(crate) async fn fetch_all_write(&self, query: WriteQuery<'_>) -> Result<Vec<SqliteRow>, sqlx::Error> {
        let mut tx = self.begin_immediate().await?;
        let rows = query.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(rows)
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
    use headend_core::clock::ManualClock;
    use headend_core::queue::{Backoff, ProvisionAction};
    use headend_core::service::ServiceStatus;
    use jiff::SignedDuration;

    use super::*;

    #[tokio::test]
    async fn every_connection_commits_to_disk_before_it_answers() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
        let mut connections = Vec::new();
        for _ in 0..4 {
            let mut conn = store.pool.acquire().await.unwrap();
            let synchronous: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await.unwrap().get(0);
            assert_eq!(synchronous, 2, "FULL");
            connections.push(conn);
        }
    }

    #[tokio::test]
    async fn a_store_writes_the_instants_of_its_clock() {
        let dir = tempfile::tempdir().unwrap();
        let start: Timestamp = "2030-01-02T03:04:05.678Z".parse().unwrap();
        let clock = ManualClock::at(start);
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap().with_clock(Arc::new(clock.clone()));
        let (router, service) = test_seed::pppoe_ana(&store, None).await;
        let later = start.checked_add(SignedDuration::from_hours(1)).unwrap();
        clock.set(later);
        store.set_service_status(service, ServiceStatus::Suspended).await.unwrap();

        let row = sqlx::query(
            "SELECT c.created_at AS customer, s.created_at AS created, s.updated_at AS updated, r.requested_at AS requested
             FROM services s JOIN customers c ON c.id = s.customer_id JOIN sweep_requests r ON r.router_id = s.router_id",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        let read = |column: &str| parse_ts("test", row.try_get(column).unwrap()).unwrap();
        assert_eq!((read("customer"), read("created")), (start, start));
        assert_eq!((read("updated"), read("requested")), (later, later));

        // A queue row made at the engine's instant, retried by hand later:
        // due, and updated, by the store's clock.
        let retry = start.checked_add(SignedDuration::from_secs(15)).unwrap();
        let backoff = Backoff::Exponential { max_attempts: 5, jitter: 1.0 };
        let queued = store
            .queue_failure(router, Some(service), ProvisionAction::SecretAdd, "add ana", "trap", start, backoff)
            .await
            .unwrap();
        assert_eq!((queued.created_at, queued.next_attempt_at), (start, retry));
        let retried_at = later.checked_add(SignedDuration::from_mins(5)).unwrap();
        clock.set(retried_at);
        store.queue_retry(queued.id).await.unwrap();
        let entry = store.queue_for_service(service).await.unwrap().remove(0);
        assert_eq!((entry.created_at, entry.updated_at, entry.next_attempt_at), (start, retried_at, retried_at));
    }

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

//! Copies of the database: a consistent one made while the app and the
//! agent keep working (`VACUUM INTO`), what a copy holds before it replaces
//! the database (`inspect_database`), and the facts a restore checks.

use std::path::Path;
use std::str::FromStr;

use headend_core::backup::DEFAULT_KEEP_DAYS;
use jiff::{SignedDuration, Timestamp};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

use super::{Store, opt_ts, ts};
use crate::engines::{self, holder_is_gone};
use crate::error::StoreError;

/// The `isp_settings` row of how many days of daily backups are kept.
const KEEP_DAYS: &str = "backup_keep_days";
/// A lease that expired less than this long ago counts as an engine at
/// work: engines renew theirs while they run.
const RECENT_LEASE: SignedDuration = SignedDuration::from_mins(2);

/// What a database file holds, read without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseFacts {
    pub installation_id: String,
    /// The newest migration applied to it.
    pub schema_version: i64,
    /// The latest instant it recorded (activity, a service's change), if any.
    pub last_change: Option<Timestamp>,
}

impl Store {
    /// Writes a consistent copy of the whole database to `path` (which must
    /// not exist) with SQLite's `VACUUM INTO`: one read transaction, so
    /// other connections keep reading and writing meanwhile and the copy is
    /// the database as of one instant, compacted, without a WAL.
    pub async fn backup_into(&self, path: &Path) -> Result<(), StoreError> {
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Invalid(format!("the backup path {} is not UTF-8 text", path.display())))?;
        sqlx::query("VACUUM INTO ?").bind(target).execute(&self.pool).await?;
        Ok(())
    }

    /// The engines working on this database: those of this machine that
    /// are alive (their life lock is held), and holders of leases (routers
    /// or OLTs) held within the last two minutes that are not known to be
    /// gone (an engine elsewhere).
    pub async fn engines_at_work(&self) -> Result<Vec<String>, StoreError> {
        let since = self.now().checked_sub(RECENT_LEASE).unwrap_or(Timestamp::MIN);
        let rows = sqlx::query(
            "SELECT holder FROM router_leases WHERE expires_at > ?1
             UNION SELECT holder FROM olt_leases WHERE expires_at > ?1",
        )
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await?;
        let holders: Vec<String> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        let mut working = engines::holders(self.path()).0;
        for holder in holders {
            if !holder_is_gone(self.path(), &holder) && !working.contains(&holder) {
                working.push(holder);
            }
        }
        Ok(working)
    }

    /// Moves everything in the write-ahead log into the database file, so
    /// the file alone is the whole database.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        Ok(())
    }

    /// How many days of daily backups the app keeps (0: none are made).
    pub async fn backup_keep_days(&self) -> Result<u16, StoreError> {
        let row = sqlx::query("SELECT value FROM isp_settings WHERE key = ?")
            .bind(KEEP_DAYS)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(DEFAULT_KEEP_DAYS),
            Some(row) => {
                let text: String = row.try_get(0)?;
                u16::from_str(&text).map_err(|e| super::corrupt("isp_settings", format!("{KEEP_DAYS} = {text:?}: {e}")))
            }
        }
    }

    pub async fn set_backup_keep_days(&self, days: u16) -> Result<(), StoreError> {
        self.execute_write(
            sqlx::query("INSERT OR REPLACE INTO isp_settings (key, value) VALUES (?, ?)")
                .bind(KEEP_DAYS)
                .bind(days.to_string()),
        )
        .await?;
        Ok(())
    }
}

/// What the database file at `path` holds, read only: it is not migrated
/// or otherwise changed. A file that is not a Headend database is
/// [`StoreError::Invalid`], saying so.
pub async fn inspect_database(path: &Path) -> Result<DatabaseFacts, StoreError> {
    let not_headend =
        |detail: String| StoreError::Invalid(format!("{} is not a Headend database ({detail})", path.display()));
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    let facts = async {
        let installation_id: Option<String> =
            sqlx::query("SELECT value FROM meta WHERE key = 'installation_id'").fetch_optional(&mut conn).await.map_err(|e| not_headend(e.to_string()))?.map(|r| r.try_get(0)).transpose()?;
        let installation_id = installation_id.ok_or_else(|| not_headend("no installation id".into()))?;
        let schema_version: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| not_headend(e.to_string()))?
            .try_get(0)?;
        let last: Option<String> = sqlx::query(
            "SELECT MAX(at) FROM (SELECT MAX(at) AS at FROM activity_log UNION ALL SELECT MAX(updated_at) FROM services)",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_headend(e.to_string()))?
        .try_get(0)?;
        Ok::<_, StoreError>(DatabaseFacts { installation_id, schema_version, last_change: opt_ts("activity_log", last)? })
    }
    .await;
    let _ = conn.close().await;
    facts
}

/// Gives the database file at `path` (a restored copy, not open anywhere)
/// a new random installation id, so it no longer claims the original's
/// routers or keyring entries.
pub async fn assign_new_installation_id(path: &Path) -> Result<String, StoreError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    let row =
        sqlx::query("UPDATE meta SET value = lower(hex(randomblob(8))) WHERE key = 'installation_id' RETURNING value")
            .fetch_optional(&mut conn)
            .await?;
    let _ = conn.close().await;
    let row = row.ok_or_else(|| StoreError::Invalid(format!("{} has no installation id", path.display())))?;
    Ok(row.try_get(0)?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use crate::records::NewCustomer;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_made_while_another_connection_writes_is_whole_and_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("headend.sqlite3");
        let store = Store::open(&path).await.unwrap();
        // Another process's connections: a second pool on the same file.
        let writer = Store::open(&path).await.unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let writing = tokio::spawn({
            let stop = stop.clone();
            async move {
                let mut written = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let customer = NewCustomer {
                        name: format!("c{written}"),
                        phone: None,
                        email: None,
                        address: None,
                        location: None,
                    };
                    writer.add_customer(&customer).await.unwrap();
                    written += 1;
                }
                written
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let copy = dir.path().join("copy.sqlite3");
        store.backup_into(&copy).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stop.store(true, Ordering::Relaxed);
        let written = writing.await.unwrap();

        assert!(!dir.path().join("copy.sqlite3-wal").exists(), "the copy is one file");
        let facts = inspect_database(&copy).await.unwrap();
        assert_eq!(facts.installation_id, store.installation_id().await.unwrap());
        assert_eq!(facts.schema_version, crate::latest_schema_version());
        let restored = Store::open(&copy).await.unwrap();
        let check: String = sqlx::query("PRAGMA integrity_check").fetch_one(&restored.pool).await.unwrap().get(0);
        assert_eq!(check, "ok");
        let customers: i64 =
            sqlx::query("SELECT COUNT(*) FROM customers").fetch_one(&restored.pool).await.unwrap().get(0);
        let names: i64 =
            sqlx::query("SELECT COUNT(DISTINCT name) FROM customers").fetch_one(&restored.pool).await.unwrap().get(0);
        assert!(
            customers > 0 && customers < i64::from(written),
            "a copy of one instant mid-stream: {customers} of {written}"
        );
        assert_eq!(names, customers, "every row whole");
        // The original kept going: every write landed there.
        assert_eq!(store.status().await.unwrap().customers, i64::from(written));
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_headend_database_is_named_so() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.sqlite3");
        let mut conn = SqliteConnectOptions::new().filename(&other).create_if_missing(true).connect().await.unwrap();
        sqlx::query("CREATE TABLE t (x)").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let err = inspect_database(&other).await.unwrap_err();
        assert!(err.to_string().contains("is not a Headend database"), "{err}");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello, this is not sqlite at all, just some text").unwrap();
        assert!(inspect_database(&text).await.is_err());
    }
}

//! A durable retry queue, written once for every table that holds one: a row
//! per action that failed (or waits), keyed by what it acts on, whose
//! attempts, status and next attempt follow `headend_core::queue`'s rule.
//! The provisioning queue ([`super::queue`]) and zero-touch's
//! ([`super::olt_queue`]) are two; another is a [`QueueTable`] naming its
//! table, key and payload.

use headend_core::queue::{Backoff, RetryState};
use jiff::Timestamp;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, SqliteConnection};

use super::{corrupt, parse_ts, ts};
use crate::error::StoreError;

/// One value of a row's key or payload, as it is bound.
pub(super) enum Value<'a> {
    Int(Option<i64>),
    Text(&'a str),
}

/// A table holding a retry queue. Besides its key and payload columns it
/// has `id`, `attempts`, `last_error`, `status`, `next_attempt_at`,
/// `created_at` and `updated_at`, and a unique index on its key.
pub(super) trait QueueTable {
    const TABLE: &'static str;
    /// The columns that pick a row, in the order of [`QueueTable::key`].
    const KEY: &'static [&'static str];
    /// The columns that say what the action is, in the order of
    /// [`QueueTable::payload`]. A failure that leaves one `NULL` keeps the
    /// row's value.
    const PAYLOAD: &'static [&'static str];
    /// More assignments every recorded failure and retry makes, for the
    /// table's own bookkeeping (the provisioning queue releases its lock).
    const ON_WRITE: &'static str = "";

    type Key;
    type Payload<'a>;

    fn key(key: &Self::Key) -> Vec<Value<'_>>;
    fn payload<'a>(payload: &Self::Payload<'a>) -> Vec<Value<'a>>;

    /// The unique index's expressions, as `ON CONFLICT` must name them.
    fn unique() -> String {
        Self::KEY.join(", ")
    }
}

type SqlQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

fn bind<'q>(query: SqlQuery<'q>, values: Vec<Value<'q>>) -> SqlQuery<'q> {
    values.into_iter().fold(query, |query, value| match value {
        Value::Int(v) => query.bind(v),
        Value::Text(v) => query.bind(v),
    })
}

/// `a IS ? AND b IS ?`: the key's columns, `NULL` matching `NULL`.
fn key_filter<T: QueueTable>() -> String {
    T::KEY.iter().map(|c| format!("{c} IS ?")).collect::<Vec<_>>().join(" AND ")
}

fn write_assignments<T: QueueTable>() -> String {
    if T::ON_WRITE.is_empty() { String::new() } else { format!(", {}", T::ON_WRITE) }
}

/// A row's retry state, read from its `attempts`, `status` and
/// `next_attempt_at`.
pub(super) fn retry_state(table: &'static str, row: &SqliteRow) -> Result<RetryState, StoreError> {
    let attempts: i64 = row.try_get("attempts")?;
    let status: &str = row.try_get("status")?;
    Ok(RetryState {
        attempts: u32::try_from(attempts).map_err(|e| corrupt(table, e))?,
        status: status.parse().map_err(|e| corrupt(table, e))?,
        next_attempt_at: parse_ts(table, row.try_get("next_attempt_at")?)?,
    })
}

/// Records a failed attempt at `key`'s action, made at `now`: the row is
/// created or updated with `payload`, the error and the state
/// [`RetryState::after_failure`] gives. Returns the row's id.
pub(super) async fn fail<T: QueueTable>(
    conn: &mut SqliteConnection,
    key: &T::Key,
    payload: &T::Payload<'_>,
    error: &str,
    now: Timestamp,
    backoff: Backoff,
) -> Result<i64, StoreError> {
    let select = format!("SELECT attempts, status, next_attempt_at FROM {} WHERE {}", T::TABLE, key_filter::<T>());
    let previous = bind(sqlx::query(&select), T::key(key)).fetch_optional(&mut *conn).await?;
    let previous = previous.map(|row| retry_state(T::TABLE, &row)).transpose()?;
    let state = RetryState::after_failure(previous, now, backoff);
    let columns: Vec<&str> = T::KEY.iter().chain(T::PAYLOAD).copied().collect();
    let merge: String = T::PAYLOAD.iter().map(|c| format!("{c} = IFNULL(excluded.{c}, {c}), ")).collect();
    let upsert = format!(
        "INSERT INTO {table} ({columns}, attempts, last_error, status, next_attempt_at, created_at, updated_at)
         VALUES ({values}?, ?, ?, ?, ?, ?)
         ON CONFLICT ({unique}) DO UPDATE SET {merge}attempts = excluded.attempts, last_error = excluded.last_error,
             status = excluded.status, next_attempt_at = excluded.next_attempt_at,
             updated_at = excluded.updated_at{on_write}
         RETURNING id",
        table = T::TABLE,
        columns = columns.join(", "),
        values = "?, ".repeat(columns.len()),
        unique = T::unique(),
        on_write = write_assignments::<T>(),
    );
    let now = ts(now);
    let row = bind(bind(sqlx::query(&upsert), T::key(key)), T::payload(payload))
        .bind(i64::from(state.attempts))
        .bind(error)
        .bind(state.status.as_str())
        .bind(ts(state.next_attempt_at))
        .bind(&now)
        .bind(&now)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("id")?)
}

/// Queues `key`'s action to try (not tried yet, due `now`), unless it is
/// queued already.
pub(super) async fn enqueue<T: QueueTable>(
    conn: &mut SqliteConnection,
    key: &T::Key,
    payload: &T::Payload<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let state = RetryState::pending(now);
    let columns: Vec<&str> = T::KEY.iter().chain(T::PAYLOAD).copied().collect();
    let insert = format!(
        "INSERT INTO {table} ({columns}, attempts, status, next_attempt_at, created_at, updated_at)
         VALUES ({values}?, ?, ?, ?, ?)
         ON CONFLICT ({unique}) DO NOTHING",
        table = T::TABLE,
        columns = columns.join(", "),
        values = "?, ".repeat(columns.len()),
        unique = T::unique(),
    );
    let now = ts(now);
    bind(bind(sqlx::query(&insert), T::key(key)), T::payload(payload))
        .bind(i64::from(state.attempts))
        .bind(state.status.as_str())
        .bind(ts(state.next_attempt_at))
        .bind(&now)
        .bind(&now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops the row of `key`'s action: it succeeded or is no longer needed.
pub(super) async fn clear<T: QueueTable>(conn: &mut SqliteConnection, key: &T::Key) -> Result<(), StoreError> {
    let delete = format!("DELETE FROM {} WHERE {}", T::TABLE, key_filter::<T>());
    bind(sqlx::query(&delete), T::key(key)).execute(conn).await?;
    Ok(())
}

/// An operator's retry of the rows whose `column` is `value`: each starts
/// over ([`RetryState::pending`] at `now`). Returns the rows retried.
pub(super) async fn retry<T: QueueTable>(
    conn: &mut SqliteConnection,
    column: &str,
    value: i64,
    now: Timestamp,
) -> Result<Vec<SqliteRow>, StoreError> {
    let state = RetryState::pending(now);
    let update = format!(
        "UPDATE {table} SET attempts = ?, status = ?, next_attempt_at = ?, updated_at = ?{on_write}
         WHERE {column} = ? RETURNING *",
        table = T::TABLE,
        on_write = write_assignments::<T>(),
    );
    Ok(sqlx::query(&update)
        .bind(i64::from(state.attempts))
        .bind(state.status.as_str())
        .bind(ts(state.next_attempt_at))
        .bind(ts(now))
        .bind(value)
        .fetch_all(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use headend_core::queue::QueueStatus;
    use jiff::SignedDuration;

    use super::*;
    use crate::store::Store;

    /// A queue named by its table, key and payload alone.
    struct ExampleQueue;

    impl QueueTable for ExampleQueue {
        const TABLE: &'static str = "example_queue";
        const KEY: &'static [&'static str] = &["invoice_id", "action"];
        const PAYLOAD: &'static [&'static str] = &["body"];

        type Key = (i64, &'static str);
        type Payload<'a> = &'a str;

        fn key(&(invoice, action): &Self::Key) -> Vec<Value<'_>> {
            vec![Value::Int(Some(invoice)), Value::Text(action)]
        }

        fn payload<'a>(body: &Self::Payload<'a>) -> Vec<Value<'a>> {
            vec![Value::Text(body)]
        }
    }

    async fn state(conn: &mut SqliteConnection) -> Vec<(RetryState, String)> {
        let rows = sqlx::query("SELECT * FROM example_queue ORDER BY id").fetch_all(conn).await.unwrap();
        rows.iter().map(|r| (retry_state("example_queue", r).unwrap(), r.try_get("body").unwrap())).collect()
    }

    #[tokio::test]
    async fn a_table_named_with_its_key_follows_the_rule() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        sqlx::query(
            "CREATE TABLE example_queue (id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL, action TEXT NOT NULL,
                body TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, status TEXT NOT NULL,
                next_attempt_at TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                UNIQUE (invoice_id, action))",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        let t0: Timestamp = "2026-11-25T10:00:00Z".parse().unwrap();
        let later = |secs| t0.checked_add(SignedDuration::from_secs(secs)).unwrap();
        let key = (7, "email");
        let backoff = Backoff::Exponential { max_attempts: 2, jitter: 1.0 };

        enqueue::<ExampleQueue>(&mut conn, &key, &"hello", t0).await.unwrap();
        enqueue::<ExampleQueue>(&mut conn, &key, &"ignored", t0).await.unwrap();
        assert_eq!(state(&mut conn).await, [(RetryState::pending(t0), "hello".to_owned())]);

        let id = fail::<ExampleQueue>(&mut conn, &key, &"hello again", "smtp down", t0, backoff).await.unwrap();
        let first = RetryState { attempts: 1, status: QueueStatus::Retrying, next_attempt_at: later(15) };
        assert_eq!(state(&mut conn).await, [(first, "hello again".to_owned())]);
        assert_eq!(
            fail::<ExampleQueue>(&mut conn, &key, &"hello again", "smtp down", later(20), backoff).await.unwrap(),
            id
        );
        assert_eq!(state(&mut conn).await[0].0.status, QueueStatus::Failed);

        let retried = retry::<ExampleQueue>(&mut conn, "invoice_id", 7, later(60)).await.unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(state(&mut conn).await[0].0, RetryState::pending(later(60)));
        clear::<ExampleQueue>(&mut conn, &key).await.unwrap();
        assert_eq!(state(&mut conn).await, []);
    }
}

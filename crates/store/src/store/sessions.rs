//! Session history per service (`session_history`): RADIUS accounting
//! imported with its `radacctid` cursor, API-mode sessions as the fleet saw
//! them, a service's sessions and daily usage, and the retention pass that
//! sums old sessions into days and deletes what is past the history kept.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use headend_core::sessions::{SessionRetention, SessionSource, day_start, session_day};
use headend_core::{RouterId, ServiceId};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{Store, corrupt, opt_ts, parse_ts, ts};
use crate::error::StoreError;

const DETAIL_DAYS: &str = "sessions.detail_days";
const KEEP_DAYS: &str = "sessions.keep_days";
/// Usernames per `IN (…)` list.
const CHUNK: usize = 500;
/// Rows summed into days per transaction, so the app and the agent are
/// never kept waiting long for the write lock.
const PRUNE_BATCH: i64 = 5000;
/// An API session listed again is the open row of the same router and
/// `.id` whose start is this close (the start is derived from the uptime,
/// so it moves a little between readings).
const SAME_START: SignedDuration = SignedDuration::from_secs(120);

/// A session as a source reports it, to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub service: ServiceId,
    pub router: Option<RouterId>,
    pub source: SessionSource,
    /// Unique within its source: RADIUS's `acctuniqueid`.
    pub key: String,
    pub radacctid: Option<i64>,
    pub started_at: Timestamp,
    pub stopped_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub cause: Option<String>,
    pub address: Option<String>,
    pub caller: Option<String>,
    /// As the router counts: in is what the subscriber sent.
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// A row of a service's history: one session, or one day of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSession {
    pub id: i64,
    pub router: Option<RouterId>,
    pub source: SessionSource,
    pub started_at: Timestamp,
    /// `None` while the session is online.
    pub stopped_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub cause: Option<String>,
    pub address: Option<String>,
    pub caller: Option<String>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// 1, or the sessions a daily row sums.
    pub sessions: u32,
}

/// A service a RADIUS username may belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOwner {
    pub service: ServiceId,
    pub router: RouterId,
    /// The router is in RADIUS mode.
    pub radius: bool,
    pub nas_address: Option<String>,
}

/// A session on a router's `/ppp/active` (API mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSession {
    /// The router's `.id` of the session.
    pub id: String,
    pub user: String,
    pub started_at: Timestamp,
    pub address: Option<String>,
    pub caller: Option<String>,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// What [`Store::record_api_sessions`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApiRecorded {
    pub started: u64,
    pub stopped: u64,
}

/// What [`Store::prune_session_history`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionPrune {
    /// Sessions summed into daily rows.
    pub summed: u64,
    /// Rows deleted past the history kept.
    pub deleted: u64,
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(row: &SqliteRow, col: &str) -> Result<u64, StoreError> {
    u64::try_from(row.try_get::<i64, _>(col)?).map_err(|e| corrupt("session_history", e))
}

fn api_key(router: RouterId, id: &str, started: Timestamp) -> String {
    format!("{}:{id}:{}", router.0, started.as_second())
}

async fn upsert(conn: &mut SqliteConnection, s: &NewSession) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO session_history (service_id, router_id, source, session_key, radacctid, started_at, stopped_at,
                                      updated_at, cause, address, caller, bytes_in, bytes_out)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, session_key) DO UPDATE SET
             service_id = excluded.service_id, router_id = excluded.router_id, radacctid = excluded.radacctid,
             started_at = excluded.started_at, stopped_at = excluded.stopped_at, updated_at = excluded.updated_at,
             cause = excluded.cause, address = excluded.address, caller = excluded.caller,
             bytes_in = excluded.bytes_in, bytes_out = excluded.bytes_out",
    )
    .bind(s.service.0)
    .bind(s.router.map(|r| r.0))
    .bind(s.source.as_str())
    .bind(&s.key)
    .bind(s.radacctid)
    .bind(ts(s.started_at))
    .bind(s.stopped_at.map(ts))
    .bind(ts(s.updated_at))
    .bind(&s.cause)
    .bind(&s.address)
    .bind(&s.caller)
    .bind(to_i64(s.bytes_in))
    .bind(to_i64(s.bytes_out))
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The services each of `usernames` may be, with their router's
    /// backend and NAS address (a username is unique per router, not
    /// across routers).
    pub async fn session_owners(&self, usernames: &[&str]) -> Result<HashMap<String, Vec<SessionOwner>>, StoreError> {
        let mut owners: HashMap<String, Vec<SessionOwner>> = HashMap::new();
        for chunk in usernames.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT s.username, s.id, s.router_id, r.backend, r.nas_address
                 FROM services s JOIN routers r ON r.id = s.router_id WHERE s.username IN ({marks})"
            );
            let mut query = sqlx::query(&sql);
            for name in chunk {
                query = query.bind(*name);
            }
            for row in query.fetch_all(&self.pool).await? {
                let backend: &str = row.try_get(3)?;
                owners.entry(row.try_get(0)?).or_default().push(SessionOwner {
                    service: ServiceId(row.try_get(1)?),
                    router: RouterId(row.try_get(2)?),
                    radius: backend == "radius",
                    nas_address: row.try_get(4)?,
                });
            }
        }
        Ok(owners)
    }

    /// The last `radacctid` imported (0 before the first import).
    pub async fn radius_accounting_cursor(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT radacctid FROM radius_accounting_cursor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .unwrap_or(0))
    }

    /// The `radacctid`s of the RADIUS sessions recorded as online.
    pub async fn open_radius_sessions(&self) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            // Without the hint SQLite walks every RADIUS row through the
            // (source, session_key) index: seconds at millions of rows.
            "SELECT radacctid FROM session_history INDEXED BY session_history_open_radius
             WHERE source = 'radius' AND stopped_at IS NULL AND radacctid IS NOT NULL ORDER BY radacctid",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records accounting sessions (new or changed, by source and key) and,
    /// in the same transaction, moves the cursor to `cursor` when given: a
    /// page of `radacct` is imported whole or not at all.
    pub async fn record_radius_sessions(&self, sessions: &[NewSession], cursor: Option<i64>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for session in sessions {
            upsert(&mut tx, session).await?;
        }
        if let Some(id) = cursor {
            sqlx::query(
                "INSERT INTO radius_accounting_cursor (id, radacctid, updated_at) VALUES (1, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET radacctid = MAX(radacctid, excluded.radacctid),
                                                updated_at = excluded.updated_at",
            )
            .bind(id)
            .bind(ts(self.now()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Closes open RADIUS sessions whose `radacct` rows are gone (deleted
    /// by the operator), at their last update, so they are not re-read
    /// forever.
    pub async fn close_radius_sessions(&self, radacctids: &[i64], cause: &str) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let mut closed = 0;
        for id in radacctids {
            let done = sqlx::query(
                "UPDATE session_history SET stopped_at = updated_at, cause = ?
                 WHERE source = 'radius' AND radacctid = ? AND stopped_at IS NULL",
            )
            .bind(cause)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            closed += done.rows_affected();
        }
        tx.commit().await?;
        Ok(closed)
    }

    /// Records what a router in API mode lists in `/ppp/active` at `now`
    /// (`listed`, the whole list) and the sessions that ended since
    /// (`ended`, each with when it ended), for the services whose PPPoE
    /// user they are (others are not recorded). An open row the router no
    /// longer lists and that did not end here is closed at its last update:
    /// it ended while nobody watched. One transaction.
    pub async fn record_api_sessions(
        &self,
        router: RouterId,
        listed: &[ApiSession],
        ended: &[(ApiSession, Timestamp)],
        now: Timestamp,
    ) -> Result<ApiRecorded, StoreError> {
        let mut tx = self.write().await?;
        let services: HashMap<String, i64> =
            sqlx::query("SELECT username, id FROM services WHERE router_id = ? AND username IS NOT NULL")
                .bind(router.0)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
        // The open rows by the session's `.id`: (row id, start).
        let prefix = format!("{}:", router.0);
        let mut open: HashMap<String, Vec<(i64, Timestamp)>> = HashMap::new();
        let rows = sqlx::query(
            "SELECT id, session_key, started_at FROM session_history
             WHERE source = 'api' AND router_id = ? AND stopped_at IS NULL",
        )
        .bind(router.0)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let key: &str = row.try_get(1)?;
            let Some((id, _)) = key.strip_prefix(&prefix).and_then(|rest| rest.rsplit_once(':')) else {
                return Err(corrupt("session_history", format!("api session key {key:?}")));
            };
            let started = parse_ts("session_history", row.try_get(2)?)?;
            open.entry(id.to_owned()).or_default().push((row.try_get(0)?, started));
        }
        let mut take = |s: &ApiSession| {
            let rows = open.get_mut(&s.id)?;
            let at = rows.iter().position(|(_, started)| s.started_at.duration_since(*started).abs() <= SAME_START)?;
            Some(rows.swap_remove(at).0)
        };
        let mut recorded = ApiRecorded::default();
        let sessions = ended.iter().map(|(s, at)| (s, Some(*at))).chain(listed.iter().map(|s| (s, None)));
        for (session, stopped) in sessions {
            let Some(&service) = services.get(&session.user) else { continue };
            let updated = stopped.unwrap_or(now);
            if let Some(row) = take(session) {
                sqlx::query(
                    "UPDATE session_history SET stopped_at = ?, updated_at = ?, address = ?, caller = ?,
                                                bytes_in = ?, bytes_out = ? WHERE id = ?",
                )
                .bind(stopped.map(ts))
                .bind(ts(updated))
                .bind(&session.address)
                .bind(&session.caller)
                .bind(to_i64(session.bytes_in))
                .bind(to_i64(session.bytes_out))
                .bind(row)
                .execute(&mut *tx)
                .await?;
            } else {
                recorded.started += 1;
                let new = NewSession {
                    service: ServiceId(service),
                    router: Some(router),
                    source: SessionSource::Api,
                    key: api_key(router, &session.id, session.started_at),
                    radacctid: None,
                    started_at: session.started_at,
                    stopped_at: stopped,
                    updated_at: updated,
                    cause: None,
                    address: session.address.clone(),
                    caller: session.caller.clone(),
                    bytes_in: session.bytes_in,
                    bytes_out: session.bytes_out,
                };
                upsert(&mut tx, &new).await?;
            }
            recorded.stopped += u64::from(stopped.is_some());
        }
        for (row, _) in open.into_values().flatten() {
            sqlx::query("UPDATE session_history SET stopped_at = updated_at WHERE id = ?")
                .bind(row)
                .execute(&mut *tx)
                .await?;
            recorded.stopped += 1;
        }
        tx.commit().await?;
        Ok(recorded)
    }

    /// A service's history, newest first.
    pub async fn service_sessions(&self, service: ServiceId, limit: u32) -> Result<Vec<ServiceSession>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, router_id, source, started_at, stopped_at, updated_at, cause, address, caller,
                    bytes_in, bytes_out, sessions
             FROM session_history WHERE service_id = ? ORDER BY started_at DESC, id DESC LIMIT ?",
        )
        .bind(service.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(session_row).collect()
    }

    /// `(started, bytes in, bytes out)` of each of a service's sessions
    /// (and days) that started at or after `since`, for its usage chart.
    pub async fn service_usage(
        &self,
        service: ServiceId,
        since: Timestamp,
    ) -> Result<Vec<(Timestamp, u64, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT started_at, bytes_in, bytes_out FROM session_history
             WHERE service_id = ? AND started_at >= ? ORDER BY started_at",
        )
        .bind(service.0)
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    parse_ts("session_history", row.try_get("started_at")?)?,
                    to_u64(row, "bytes_in")?,
                    to_u64(row, "bytes_out")?,
                ))
            })
            .collect()
    }

    /// How long session history is kept (the defaults until set).
    pub async fn session_retention(&self) -> Result<SessionRetention, StoreError> {
        let rows = sqlx::query("SELECT key, value FROM isp_settings WHERE key IN (?, ?)")
            .bind(DETAIL_DAYS)
            .bind(KEEP_DAYS)
            .fetch_all(&self.pool)
            .await?;
        let default = SessionRetention::default();
        let (mut detail, mut keep) = (default.detail_days(), default.keep_days());
        for row in &rows {
            let key: &str = row.try_get(0)?;
            let text: &str = row.try_get(1)?;
            let days = u16::from_str(text).map_err(|e| corrupt("isp_settings", format!("{key} = {text:?}: {e}")))?;
            if key == DETAIL_DAYS {
                detail = days;
            } else {
                keep = days;
            }
        }
        SessionRetention::new(detail, keep).map_err(|e| corrupt("isp_settings", e))
    }

    pub async fn set_session_retention(&self, retention: SessionRetention) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for (key, days) in [(DETAIL_DAYS, retention.detail_days()), (KEEP_DAYS, retention.keep_days())] {
            sqlx::query("INSERT OR REPLACE INTO isp_settings (key, value) VALUES (?, ?)")
                .bind(key)
                .bind(days.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Applies `retention` at `now`: rows that started before the history
    /// kept are deleted; ended sessions that started before the detail
    /// kept become one row per service and local day of `zone` (bytes
    /// summed, sessions counted). Sessions still online stay as they are.
    pub async fn prune_session_history(
        &self,
        retention: SessionRetention,
        now: Timestamp,
        zone: &TimeZone,
    ) -> Result<SessionPrune, StoreError> {
        let mut outcome = SessionPrune::default();
        let deleted = self
            .execute_write(
                sqlx::query("DELETE FROM session_history WHERE started_at < ?").bind(ts(retention.keep_cutoff(now))),
            )
            .await?;
        outcome.deleted = deleted.rows_affected();
        let cutoff = ts(retention.detail_cutoff(now));
        loop {
            let mut tx = self.write().await?;
            let rows = sqlx::query(
                "SELECT id, service_id, started_at, stopped_at, bytes_in, bytes_out FROM session_history
                 WHERE started_at < ? AND source <> 'daily' AND stopped_at IS NOT NULL LIMIT ?",
            )
            .bind(&cutoff)
            .bind(PRUNE_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            // Per service and day: (stopped last, bytes in, bytes out, sessions).
            let mut days: BTreeMap<(i64, jiff::civil::Date), (Timestamp, u64, u64, i64)> = BTreeMap::new();
            for row in &rows {
                let started = parse_ts("session_history", row.try_get("started_at")?)?;
                let stopped = opt_ts("session_history", row.try_get("stopped_at")?)?.unwrap_or(started);
                let day =
                    days.entry((row.try_get("service_id")?, session_day(started, zone))).or_insert((stopped, 0, 0, 0));
                day.0 = day.0.max(stopped);
                day.1 = day.1.saturating_add(to_u64(row, "bytes_in")?);
                day.2 = day.2.saturating_add(to_u64(row, "bytes_out")?);
                day.3 += 1;
                sqlx::query("DELETE FROM session_history WHERE id = ?")
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *tx)
                    .await?;
            }
            for ((service, day), (stopped, bytes_in, bytes_out, sessions)) in days {
                let start = day_start(day, zone).ok_or_else(|| corrupt("session_history", format!("day {day}")))?;
                sqlx::query(
                    "INSERT INTO session_history (service_id, source, session_key, started_at, stopped_at, updated_at,
                                                  bytes_in, bytes_out, sessions)
                     VALUES (?, 'daily', ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (source, session_key) DO UPDATE SET
                         stopped_at = MAX(stopped_at, excluded.stopped_at), updated_at = excluded.updated_at,
                         bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out,
                         sessions = sessions + excluded.sessions",
                )
                .bind(service)
                .bind(format!("{service}:{day}"))
                .bind(ts(start))
                .bind(ts(stopped))
                .bind(ts(now))
                .bind(to_i64(bytes_in))
                .bind(to_i64(bytes_out))
                .bind(sessions)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            outcome.summed += u64::try_from(rows.len()).unwrap_or(u64::MAX);
        }
        Ok(outcome)
    }
}

fn session_row(row: &SqliteRow) -> Result<ServiceSession, StoreError> {
    let source: &str = row.try_get("source")?;
    Ok(ServiceSession {
        id: row.try_get("id")?,
        router: row.try_get::<Option<i64>, _>("router_id")?.map(RouterId),
        source: SessionSource::from_str(source).map_err(|e| corrupt("session_history", e))?,
        started_at: parse_ts("session_history", row.try_get("started_at")?)?,
        stopped_at: opt_ts("session_history", row.try_get("stopped_at")?)?,
        updated_at: parse_ts("session_history", row.try_get("updated_at")?)?,
        cause: row.try_get("cause")?,
        address: row.try_get("address")?,
        caller: row.try_get("caller")?,
        bytes_in: to_u64(row, "bytes_in")?,
        bytes_out: to_u64(row, "bytes_out")?,
        sessions: u32::try_from(row.try_get::<i64, _>("sessions")?).map_err(|e| corrupt("session_history", e))?,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use headend_core::clock::ManualClock;
    use jiff::civil::date;

    use super::super::test_seed;
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::at(at("2030-03-10T12:00:00Z"));
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap().with_clock(Arc::new(clock));
        (dir, store)
    }

    fn radius(service: ServiceId, key: &str, id: i64, started: &str, stopped: Option<&str>, bytes: u64) -> NewSession {
        NewSession {
            service,
            router: None,
            source: SessionSource::Radius,
            key: key.into(),
            radacctid: Some(id),
            started_at: at(started),
            stopped_at: stopped.map(at),
            updated_at: at(stopped.unwrap_or(started)),
            cause: stopped.map(|_| "User-Request".into()),
            address: Some("100.64.0.2".into()),
            caller: Some("AA:BB:CC:00:00:01".into()),
            bytes_in: bytes,
            bytes_out: bytes * 10,
        }
    }

    #[tokio::test]
    async fn radius_sessions_upsert_by_key_and_the_cursor_moves_with_them() {
        let (_dir, store) = store().await;
        let (_, ana) = test_seed::pppoe_ana(&store, None).await;
        assert_eq!(store.radius_accounting_cursor().await.unwrap(), 0);
        let open = radius(ana, "u1", 7, "2030-03-10T08:00:00Z", None, 0);
        let done = radius(ana, "u2", 8, "2030-03-09T08:00:00Z", Some("2030-03-09T09:00:00Z"), 5);
        store.record_radius_sessions(&[open.clone(), done], Some(8)).await.unwrap();
        assert_eq!(store.radius_accounting_cursor().await.unwrap(), 8);
        assert_eq!(store.open_radius_sessions().await.unwrap(), vec![7]);

        // The open one stops; the cursor never goes back.
        let stopped = radius(ana, "u1", 7, "2030-03-10T08:00:00Z", Some("2030-03-10T10:00:00Z"), 3);
        store.record_radius_sessions(&[stopped], Some(2)).await.unwrap();
        assert_eq!(store.radius_accounting_cursor().await.unwrap(), 8);
        assert!(store.open_radius_sessions().await.unwrap().is_empty());
        let history = store.service_sessions(ana, 10).await.unwrap();
        let got: Vec<_> =
            history.iter().map(|s| (s.started_at, s.stopped_at, s.bytes_in, s.bytes_out, s.cause.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                (at("2030-03-10T08:00:00Z"), Some(at("2030-03-10T10:00:00Z")), 3, 30, Some("User-Request")),
                (at("2030-03-09T08:00:00Z"), Some(at("2030-03-09T09:00:00Z")), 5, 50, Some("User-Request")),
            ]
        );
        assert_eq!(store.service_sessions(ana, 1).await.unwrap().len(), 1);

        // A row deleted from radacct is closed at its last update.
        store.record_radius_sessions(&[radius(ana, "u3", 9, "2030-03-10T11:00:00Z", None, 0)], None).await.unwrap();
        assert_eq!(store.close_radius_sessions(&[9], "gone from radacct").await.unwrap(), 1);
        let last = store.service_sessions(ana, 1).await.unwrap().remove(0);
        assert_eq!(
            (last.stopped_at, last.cause.as_deref()),
            (Some(at("2030-03-10T11:00:00Z")), Some("gone from radacct"))
        );
    }

    #[tokio::test]
    async fn usernames_map_to_their_services_and_routers() {
        let (_dir, store) = store().await;
        let (router, ana) = test_seed::pppoe_ana(&store, None).await;
        let owners = store.session_owners(&["ana", "nobody"]).await.unwrap();
        assert_eq!(
            owners.get("ana"),
            Some(&vec![SessionOwner { service: ana, router, radius: false, nas_address: None }])
        );
        assert!(!owners.contains_key("nobody"));
    }

    fn api(id: &str, user: &str, started: &str, bytes: u64) -> ApiSession {
        ApiSession {
            id: id.into(),
            user: user.into(),
            started_at: at(started),
            address: Some("100.64.0.9".into()),
            caller: Some("AA:BB:CC:00:00:02".into()),
            bytes_in: bytes,
            bytes_out: bytes * 2,
        }
    }

    #[tokio::test]
    async fn api_sessions_start_update_and_stop() {
        let (_dir, store) = store().await;
        let (router, ana) = test_seed::pppoe_ana(&store, None).await;
        let t0 = at("2030-03-10T10:00:00Z");
        let first = api("*1", "ana", "2030-03-10T09:59:00Z", 10);
        let stranger = api("*2", "eve", "2030-03-10T09:00:00Z", 10);
        let rec = store.record_api_sessions(router, &[first.clone(), stranger], &[], t0).await.unwrap();
        assert_eq!(rec, ApiRecorded { started: 1, stopped: 0 });

        // Listed again with its start a second off (from the uptime): the same row.
        let t1 = at("2030-03-10T10:01:00Z");
        let again = ApiSession { started_at: at("2030-03-10T09:59:01Z"), bytes_in: 50, ..first.clone() };
        assert_eq!(
            store.record_api_sessions(router, std::slice::from_ref(&again), &[], t1).await.unwrap(),
            ApiRecorded::default()
        );
        let rows = store.service_sessions(ana, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].stopped_at, rows[0].updated_at, rows[0].bytes_in), (None, t1, 50));

        // It ends, and a short one came and went between two looks.
        let t2 = at("2030-03-10T10:02:00Z");
        let short = api("*3", "ana", "2030-03-10T10:01:10Z", 7);
        let ended =
            [(ApiSession { bytes_in: 60, ..again }, at("2030-03-10T10:01:30Z")), (short, at("2030-03-10T10:01:40Z"))];
        let rec = store.record_api_sessions(router, &[], &ended, t2).await.unwrap();
        assert_eq!(rec, ApiRecorded { started: 1, stopped: 2 });
        let rows = store.service_sessions(ana, 10).await.unwrap();
        let got: Vec<_> = rows.iter().map(|s| (s.stopped_at, s.bytes_in)).collect();
        assert_eq!(got, vec![(Some(at("2030-03-10T10:01:40Z")), 7), (Some(at("2030-03-10T10:01:30Z")), 60)]);

        // One that vanished while nobody watched closes at its last sight.
        let lost = api("*4", "ana", "2030-03-10T10:05:00Z", 1);
        store.record_api_sessions(router, &[lost], &[], at("2030-03-10T10:06:00Z")).await.unwrap();
        let rec = store.record_api_sessions(router, &[], &[], at("2030-03-10T11:00:00Z")).await.unwrap();
        assert_eq!(rec, ApiRecorded { started: 0, stopped: 1 });
        let newest = store.service_sessions(ana, 1).await.unwrap().remove(0);
        assert_eq!(newest.stopped_at, Some(at("2030-03-10T10:06:00Z")));
    }

    #[tokio::test]
    async fn retention_sums_old_sessions_into_local_days_and_drops_the_oldest() {
        let (_dir, store) = store().await;
        let (_, ana) = test_seed::pppoe_ana(&store, None).await;
        assert_eq!(store.session_retention().await.unwrap(), SessionRetention::default());
        let retention = SessionRetention::new(2, 30).unwrap();
        store.set_session_retention(retention).await.unwrap();
        assert_eq!(store.session_retention().await.unwrap(), retention);

        let zone = TimeZone::get("America/Sao_Paulo").unwrap();
        let now = at("2030-03-10T12:00:00Z");
        let sessions = [
            // Two on the local 1st of March (one just before midnight UTC-3).
            radius(ana, "a", 1, "2030-03-01T12:00:00Z", Some("2030-03-01T13:00:00Z"), 1),
            radius(ana, "b", 2, "2030-03-02T02:00:00Z", Some("2030-03-02T04:00:00Z"), 2),
            radius(ana, "c", 3, "2030-03-02T12:00:00Z", Some("2030-03-02T13:00:00Z"), 4),
            // Still online: kept as it is.
            radius(ana, "d", 4, "2030-03-03T12:00:00Z", None, 8),
            // Recent: kept in detail.
            radius(ana, "e", 5, "2030-03-09T12:00:00Z", Some("2030-03-09T13:00:00Z"), 16),
            // Past the history kept.
            radius(ana, "f", 6, "2030-01-01T12:00:00Z", Some("2030-01-01T13:00:00Z"), 32),
        ];
        store.record_radius_sessions(&sessions, Some(6)).await.unwrap();
        let pruned = store.prune_session_history(retention, now, &zone).await.unwrap();
        assert_eq!(pruned, SessionPrune { summed: 3, deleted: 1 });
        let rows = store.service_sessions(ana, 10).await.unwrap();
        let got: Vec<_> = rows.iter().map(|s| (s.source, s.started_at, s.bytes_in, s.sessions)).collect();
        assert_eq!(
            got,
            vec![
                (SessionSource::Radius, at("2030-03-09T12:00:00Z"), 16, 1),
                (SessionSource::Radius, at("2030-03-03T12:00:00Z"), 8, 1),
                (SessionSource::Daily, at("2030-03-02T03:00:00Z"), 4, 1),
                (SessionSource::Daily, at("2030-03-01T03:00:00Z"), 3, 2),
            ]
        );
        // A second pass changes nothing; usage still counts every byte.
        assert_eq!(store.prune_session_history(retention, now, &zone).await.unwrap(), SessionPrune::default());
        let usage = store.service_usage(ana, at("2030-03-01T00:00:00Z")).await.unwrap();
        let total: u64 = usage.iter().map(|(_, bytes_in, _)| bytes_in).sum();
        assert_eq!(total, 1 + 2 + 4 + 8 + 16);
        let days = headend_core::sessions::usage_by_day(usage, &zone, date(2030, 3, 9), 9);
        assert_eq!((days[0].day, days[0].bytes_in, days[8].bytes_in), (date(2030, 3, 1), 3, 16));
    }
}

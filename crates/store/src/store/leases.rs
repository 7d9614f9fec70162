//! Engines in several processes (the app, `headend agent`): a lease per
//! router so only one sweeps it at a time, and sweep requests that any
//! process's write leaves for whichever engine runs.

use headend_core::RouterId;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use super::{Store, sweep_router, ts};
use crate::engines::{EngineHolder, forget, holder_is_gone, holders};
use crate::error::StoreError;

/// What a lease is on: routers (swept by the provisioning engine) and OLTs
/// (swept by the OLT engine), each in its own table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Leased {
    Router,
    Olt,
}

impl Leased {
    /// The table and its key column (fixed names, never user input).
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Leased::Router => ("router_leases", "router_id"),
            Leased::Olt => ("olt_leases", "olt_id"),
        }
    }
}

impl Store {
    /// A holder name for an engine of `role` in this process, alive (to
    /// the other processes of this machine) while it is kept: see
    /// [`EngineHolder`].
    ///
    /// Engines of this machine that died (killed, crashed) are reaped on
    /// the way: their leases released, their lock files removed.
    pub async fn engine_holder(&self, role: &str) -> Result<EngineHolder, StoreError> {
        let holder = EngineHolder::claim(self.path(), role)
            .map_err(|source| StoreError::EngineLock { dir: self.path().to_path_buf(), source })?;
        for gone in holders(self.path()).1 {
            self.reap(&gone).await?;
        }
        Ok(holder)
    }

    /// Releases every lease of `holder`, an engine that is gone, then
    /// forgets it.
    async fn reap(&self, holder: &str) -> Result<(), StoreError> {
        tracing::info!(%holder, "releasing the leases of an engine that is gone");
        let mut tx = self.write().await?;
        for what in [Leased::Router, Leased::Olt] {
            let (table, _) = what.table();
            sqlx::query(&format!("DELETE FROM {table} WHERE holder = ?")).bind(holder).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        forget(self.path(), holder);
        Ok(())
    }

    /// Takes or extends (the heartbeat) the lease on `router` for `holder`
    /// until `now + ttl`. True if it was free, expired, already `holder`'s,
    /// or held by an engine of this machine that is gone; false if another
    /// holder's lease runs.
    pub async fn acquire_router_lease(
        &self,
        router: RouterId,
        holder: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Result<bool, StoreError> {
        self.acquire_lease(Leased::Router, router.0, holder, now, ttl).await
    }

    /// Who holds the lease on `router` now, if anyone (expired or not).
    pub async fn router_lease_holder(&self, router: RouterId) -> Result<Option<String>, StoreError> {
        self.lease_holder(Leased::Router, router.0).await
    }

    /// Gives the lease back (if `holder` has it).
    pub async fn release_router_lease(&self, router: RouterId, holder: &str) -> Result<(), StoreError> {
        self.release_lease(Leased::Router, router.0, holder).await
    }

    pub(crate) async fn acquire_lease(
        &self,
        what: Leased,
        id: i64,
        holder: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Result<bool, StoreError> {
        if self.try_lease(what, id, holder, now, ttl).await? {
            return Ok(true);
        }
        match self.lease_holder(what, id).await? {
            Some(other) if holder_is_gone(self.path(), &other) => {
                self.reap(&other).await?;
                self.try_lease(what, id, holder, now, ttl).await
            }
            _ => Ok(false),
        }
    }

    async fn try_lease(
        &self,
        what: Leased,
        id: i64,
        holder: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Result<bool, StoreError> {
        let (table, key) = what.table();
        let expires = now.checked_add(ttl).unwrap_or(Timestamp::MAX);
        let sql = format!(
            "INSERT INTO {table} AS l ({key}, holder, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT ({key}) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                 WHERE l.holder = excluded.holder OR l.expires_at <= ?4
             RETURNING holder"
        );
        let row =
            self.fetch_optional_write(sqlx::query(&sql).bind(id).bind(holder).bind(ts(expires)).bind(ts(now))).await?;
        Ok(row.is_some())
    }

    pub(crate) async fn lease_holder(&self, what: Leased, id: i64) -> Result<Option<String>, StoreError> {
        let (table, key) = what.table();
        let row = sqlx::query(&format!("SELECT holder FROM {table} WHERE {key} = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    pub(crate) async fn release_lease(&self, what: Leased, id: i64, holder: &str) -> Result<(), StoreError> {
        let (table, key) = what.table();
        self.execute_write(
            sqlx::query(&format!("DELETE FROM {table} WHERE {key} = ? AND holder = ?")).bind(id).bind(holder),
        )
        .await?;
        Ok(())
    }

    /// Asks every engine to sweep `router` soon.
    pub async fn request_sweep(&self, router: RouterId) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sweep_router(&mut tx, router, self.now()).await?;
        Ok(tx.commit().await?)
    }

    /// Takes (returns and deletes, in one statement) every sweep request,
    /// by router id.
    pub async fn take_sweep_requests(&self) -> Result<Vec<RouterId>, StoreError> {
        let rows = self.fetch_all_write(sqlx::query("DELETE FROM sweep_requests RETURNING router_id")).await?;
        let mut routers: Vec<RouterId> = rows.iter().map(|r| r.try_get(0).map(RouterId)).collect::<Result<_, _>>()?;
        routers.sort();
        Ok(routers)
    }

    /// Like [`Store::take_sweep_requests`], but leaves the requests of
    /// routers whose lease another holder has right now: with the app and
    /// the agent both polling, the request stays for the engine that can
    /// act on it instead of being taken by one that must skip the router.
    pub async fn take_sweep_requests_for(&self, holder: &str, now: Timestamp) -> Result<Vec<RouterId>, StoreError> {
        // Polled four times a second by each engine and nearly always
        // empty: looked at first, without the write lock the sweeps need.
        let any: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sweep_requests)").fetch_one(&self.pool).await?;
        if !any {
            return Ok(Vec::new());
        }
        let rows = self
            .fetch_all_write(
                sqlx::query(
                    "DELETE FROM sweep_requests
             WHERE router_id NOT IN (SELECT router_id FROM router_leases WHERE holder != ? AND expires_at > ?)
             RETURNING router_id",
                )
                .bind(holder)
                .bind(ts(now)),
            )
            .await?;
        let mut routers: Vec<RouterId> = rows.iter().map(|r| r.try_get(0).map(RouterId)).collect::<Result<_, _>>()?;
        routers.sort();
        Ok(routers)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_seed;
    use super::*;

    #[tokio::test]
    async fn a_dead_engines_leases_are_released_when_the_next_one_starts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
        let router = test_seed::router(&store).await;
        // What a killed agent leaves: a lease and its lock file, unlocked.
        let engines = {
            let mut dir = store.path().as_os_str().to_owned();
            dir.push(".engines");
            std::path::PathBuf::from(dir)
        };
        std::fs::create_dir_all(&engines).unwrap();
        std::fs::write(engines.join("agent-00dead00.alive"), b"").unwrap();
        let now = store.now();
        assert!(
            store.acquire_router_lease(router, "agent:00dead00", now, SignedDuration::from_secs(30)).await.unwrap()
        );

        let app = store.engine_holder("app").await.unwrap();
        assert_eq!(store.router_lease_holder(router).await.unwrap(), None, "released at once");
        assert!(!engines.join("agent-00dead00.alive").exists());
        assert!(store.acquire_router_lease(router, app.name(), now, SignedDuration::from_secs(30)).await.unwrap());
    }
}

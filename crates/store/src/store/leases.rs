//! Engines in several processes (the app, `headend agent`): a lease per
//! router so only one sweeps it at a time, and sweep requests that any
//! process's write leaves for whichever engine runs.

use headend_core::RouterId;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use super::{Store, sweep_router, ts};
use crate::error::StoreError;

impl Store {
    /// Takes or extends the lease on `router` for `holder` until `now +
    /// ttl`. True if it was free, expired, or already `holder`'s; false if
    /// another holder's lease runs.
    pub async fn acquire_router_lease(
        &self,
        router: RouterId,
        holder: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Result<bool, StoreError> {
        let expires = now.checked_add(ttl).unwrap_or(Timestamp::MAX);
        let row = sqlx::query(
            "INSERT INTO router_leases AS l (router_id, holder, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (router_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                 WHERE l.holder = excluded.holder OR l.expires_at <= ?4
             RETURNING holder",
        )
        .bind(router.0)
        .bind(holder)
        .bind(ts(expires))
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Who holds the lease on `router` now, if anyone (expired or not).
    pub async fn router_lease_holder(&self, router: RouterId) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT holder FROM router_leases WHERE router_id = ?")
            .bind(router.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Gives the lease back (if `holder` has it).
    pub async fn release_router_lease(&self, router: RouterId, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM router_leases WHERE router_id = ? AND holder = ?")
            .bind(router.0)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Asks every engine to sweep `router` soon.
    pub async fn request_sweep(&self, router: RouterId) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        sweep_router(&mut conn, router).await
    }

    /// Takes (returns and deletes, in one statement) every sweep request,
    /// by router id.
    pub async fn take_sweep_requests(&self) -> Result<Vec<RouterId>, StoreError> {
        let rows = sqlx::query("DELETE FROM sweep_requests RETURNING router_id").fetch_all(&self.pool).await?;
        let mut routers: Vec<RouterId> = rows.iter().map(|r| r.try_get(0).map(RouterId)).collect::<Result<_, _>>()?;
        routers.sort();
        Ok(routers)
    }

    /// Like [`Store::take_sweep_requests`], but leaves the requests of
    /// routers whose lease another holder has right now: with the app and
    /// the agent both polling, the request stays for the engine that can
    /// act on it instead of being taken by one that must skip the router.
    pub async fn take_sweep_requests_for(&self, holder: &str, now: Timestamp) -> Result<Vec<RouterId>, StoreError> {
        let rows = sqlx::query(
            "DELETE FROM sweep_requests
             WHERE router_id NOT IN (SELECT router_id FROM router_leases WHERE holder != ? AND expires_at > ?)
             RETURNING router_id",
        )
        .bind(holder)
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        let mut routers: Vec<RouterId> = rows.iter().map(|r| r.try_get(0).map(RouterId)).collect::<Result<_, _>>()?;
        routers.sort();
        Ok(routers)
    }
}

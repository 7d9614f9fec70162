//! RADIUS mode's settings: the FreeRADIUS database Headend syncs, and each
//! router's backend.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use headend_core::radius::database::{DatabaseUrl, RadiusSettings};
use headend_core::router::Backend;
use headend_core::{RouterId, ServiceId};
use sqlx::Row;

use super::{Store, corrupt, ts};
use crate::error::StoreError;

impl Store {
    /// The RADIUS settings, if the operator gave them.
    pub async fn radius_settings(&self) -> Result<Option<RadiusSettings>, StoreError> {
        let row = sqlx::query("SELECT url, server_address FROM radius_settings WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let url: String = row.try_get(0)?;
        let server: Option<String> = row.try_get(1)?;
        Ok(Some(RadiusSettings {
            url: url.parse::<DatabaseUrl>().map_err(|e| corrupt("radius_settings", e))?,
            server: server.map(|s| s.parse::<SocketAddr>().map_err(|e| corrupt("radius_settings", e))).transpose()?,
        }))
    }

    /// Replaces the RADIUS settings; every RADIUS router is swept against
    /// the new database.
    pub async fn set_radius_settings(&self, settings: &RadiusSettings) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO radius_settings (id, url, server_address, updated_at) VALUES (1, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET url = excluded.url, server_address = excluded.server_address,
                                            updated_at = excluded.updated_at",
        )
        .bind(settings.url.to_string())
        .bind(settings.server.map(|s| s.to_string()))
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        let routers: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM routers WHERE backend = 'radius'").fetch_all(&mut *tx).await?;
        for router in routers {
            super::sweep_router(&mut tx, RouterId(router), self.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The PPPoE user names of every service: the users Headend manages.
    pub async fn pppoe_usernames(&self) -> Result<BTreeSet<String>, StoreError> {
        let names: Vec<String> = sqlx::query_scalar("SELECT username FROM services WHERE username IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        Ok(names.into_iter().collect())
    }

    /// The PPPoE user names of services on routers in RADIUS mode: the
    /// users FreeRADIUS's database holds for Headend, which the clean-up of
    /// an API router (that may have a user of the same name) must leave.
    pub async fn radius_usernames(&self) -> Result<BTreeSet<String>, StoreError> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT s.username FROM services s JOIN routers r ON r.id = s.router_id
             WHERE r.backend = 'radius' AND s.username IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(names.into_iter().collect())
    }

    /// A PPPoE user of `router` that is also a user of another router
    /// already in RADIUS mode: `(user, that service, that router's name)`.
    /// RADIUS routers share one database, so `router` cannot join them
    /// while one exists.
    pub async fn radius_user_clash(&self, router: RouterId) -> Result<Option<(String, ServiceId, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT s.username, o.id, r.name FROM services s
             JOIN services o ON o.username = s.username AND o.router_id <> s.router_id
             JOIN routers r ON r.id = o.router_id
             WHERE s.router_id = ? AND r.backend = 'radius' LIMIT 1",
        )
        .bind(router.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((row.try_get(0)?, ServiceId(row.try_get(1)?), row.try_get(2)?))).transpose()
    }

    /// A service on another RADIUS router than `router` with this PPPoE
    /// user name: RADIUS routers share one database, so a name is one user
    /// there. Returns the service and its router's name.
    pub async fn radius_user_elsewhere(
        &self,
        username: &str,
        router: RouterId,
    ) -> Result<Option<(ServiceId, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id, r.name FROM services s JOIN routers r ON r.id = s.router_id
             WHERE r.backend = 'radius' AND s.username = ? AND s.router_id <> ? LIMIT 1",
        )
        .bind(username)
        .bind(router.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((ServiceId(row.try_get(0)?), row.try_get(1)?))).transpose()
    }

    /// The rate each group's sessions on `router` were last given.
    pub async fn radius_synced_rates(&self, router: RouterId) -> Result<BTreeMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT groupname, rate FROM radius_synced_rates WHERE router_id = ?")
                .bind(router.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// Replaces what [`Store::radius_synced_rates`] returns for `router`.
    pub async fn set_radius_synced_rates(
        &self,
        router: RouterId,
        rates: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM radius_synced_rates WHERE router_id = ?").bind(router.0).execute(&mut *tx).await?;
        for (group, rate) in rates {
            sqlx::query("INSERT INTO radius_synced_rates (router_id, groupname, rate) VALUES (?, ?, ?)")
                .bind(router.0)
                .bind(group)
                .bind(rate)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Switches where a router's PPPoE users are kept; its next sweep
    /// moves them (see `headend_provision`'s RADIUS sync).
    pub async fn set_router_backend(&self, router: RouterId, backend: Backend) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let nas = backend.nas();
        let done = sqlx::query(
            "UPDATE routers SET backend = ?, nas_address = ?, coa_port = COALESCE(?, coa_port) WHERE id = ?",
        )
        .bind(backend.as_str())
        .bind(nas.map(|n| n.address.to_string()))
        .bind(nas.map(|n| i64::from(n.coa_port)))
        .bind(router.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("router {router}")));
        }
        super::sweep_router(&mut tx, router, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Routers and points of presence.

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::geo::GeoPoint;
use headend_core::router::{Backend, Nas, Pop, Router, Transport};
use headend_core::{PopId, RouterId};
use sqlx::Row;

use super::{Store, corrupt, ts, unique_violation};
use crate::error::StoreError;
use crate::records::{NewPop, NewRouter, RouterCertificate};

impl Store {
    pub async fn add_router(&self, new: &NewRouter) -> Result<RouterId, StoreError> {
        let id = self.fetch_one_write(sqlx::query(
            "INSERT INTO routers (name, host, port, transport, username, pop_id, latitude, longitude, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(&new.host)
        .bind(new.port)
        .bind(new.transport.as_str())
        .bind(&new.username)
        .bind(new.pop.map(|p| p.0))
        .bind(new.location.map(|l| l.lat()))
        .bind(new.location.map(|l| l.lon()))
        .bind(ts(self.now()))
        )
        .await
        .map_err(unique_violation("a router named", &new.name))?
        .try_get(0)?;
        Ok(RouterId(id))
    }

    const ROUTER_COLUMNS: &str = "id, name, host, port, transport, username, pop_id, latitude, longitude, tls_pin,
                                  presented_tls_pin, backend, nas_address, coa_port";

    pub async fn routers(&self) -> Result<Vec<Router>, StoreError> {
        let sql = format!("SELECT {} FROM routers ORDER BY name", Self::ROUTER_COLUMNS);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(router_row).collect()
    }

    pub async fn router(&self, id: RouterId) -> Result<Option<Router>, StoreError> {
        let sql = format!("SELECT {} FROM routers WHERE id = ?", Self::ROUTER_COLUMNS);
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(router_row).transpose()
    }

    pub async fn router_by_name(&self, name: &str) -> Result<Option<Router>, StoreError> {
        let sql = format!("SELECT {} FROM routers WHERE name = ?", Self::ROUTER_COLUMNS);
        let row = sqlx::query(&sql).bind(name).fetch_optional(&self.pool).await?;
        row.as_ref().map(router_row).transpose()
    }

    /// Changes how a router is reached. A new host or transport forgets the
    /// pinned certificate: it belonged to the old endpoint.
    pub async fn update_router(&self, id: RouterId, new: &NewRouter) -> Result<(), StoreError> {
        let done = self.execute_write(sqlx::query(
            "UPDATE routers SET name = ?, host = ?, port = ?, transport = ?, username = ?, pop_id = ?,
                    latitude = ?, longitude = ?,
                    tls_pin = CASE WHEN host = ?9 AND port = ?10 AND transport = ?11 THEN tls_pin END,
                    presented_tls_pin = CASE WHEN host = ?9 AND port = ?10 AND transport = ?11 THEN presented_tls_pin END
             WHERE id = ?12",
        )
        .bind(&new.name)
        .bind(&new.host)
        .bind(new.port)
        .bind(new.transport.as_str())
        .bind(&new.username)
        .bind(new.pop.map(|p| p.0))
        .bind(new.location.map(|l| l.lat()))
        .bind(new.location.map(|l| l.lon()))
        .bind(&new.host)
        .bind(new.port)
        .bind(new.transport.as_str())
        .bind(id.0)
        )
        .await
        .map_err(unique_violation("a router named", &new.name))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("router {id}")));
        }
        Ok(())
    }

    /// The router's certificate as the database knows it now: what
    /// another process pinned or refused a moment ago included.
    pub async fn router_certificate(&self, id: RouterId) -> Result<RouterCertificate, StoreError> {
        let row = sqlx::query("SELECT tls_pin, presented_tls_pin FROM routers WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("router {id}")))?;
        Ok(RouterCertificate { pinned: row.try_get(0)?, presented: row.try_get(1)? })
    }

    /// Pins the certificate of a router's first TLS connection, only if
    /// none is pinned: false if another connection pinned one first (which
    /// the caller must then compare with its own).
    pub async fn pin_first_router_certificate(&self, id: RouterId, pin: &str) -> Result<bool, StoreError> {
        let done = self
            .execute_write(
                sqlx::query("UPDATE routers SET tls_pin = ? WHERE id = ? AND tls_pin IS NULL").bind(pin).bind(id.0),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a certificate the router presented instead of its pinned
    /// one; the router is not contacted again until the operator trusts
    /// it. True if it is news (not the one already recorded).
    pub async fn refuse_router_certificate(&self, id: RouterId, presented: &str) -> Result<bool, StoreError> {
        let done = self
            .execute_write(
                sqlx::query(
                    "UPDATE routers SET presented_tls_pin = ?1
             WHERE id = ?2 AND presented_tls_pin IS NOT ?1 AND tls_pin IS NOT ?1",
                )
                .bind(presented)
                .bind(id.0),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The operator trusts `pin` (the certificate the router presents now):
    /// it becomes the pin and the refusal ends. `None` forgets the pin: the
    /// next connection pins whatever it sees.
    pub async fn set_router_tls_pin(&self, id: RouterId, pin: Option<&str>) -> Result<(), StoreError> {
        let done = self
            .execute_write(
                sqlx::query("UPDATE routers SET tls_pin = ?, presented_tls_pin = NULL WHERE id = ?")
                    .bind(pin)
                    .bind(id.0),
            )
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("router {id}")));
        }
        Ok(())
    }

    /// Removes a router that no service uses.
    pub async fn remove_router(&self, id: RouterId) -> Result<(), StoreError> {
        let users: i64 = sqlx::query("SELECT COUNT(*) FROM services WHERE router_id = ?")
            .bind(id.0)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if users > 0 {
            return Err(StoreError::InUse {
                what: format!("router {id}"),
                users: format!("{users} service(s); move or remove them first"),
            });
        }
        let done = self.execute_write(sqlx::query("DELETE FROM routers WHERE id = ?").bind(id.0)).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("router {id}")));
        }
        Ok(())
    }

    pub async fn add_pop(&self, new: &NewPop) -> Result<PopId, StoreError> {
        let id = self
            .fetch_one_write(
                sqlx::query(
                    "INSERT INTO pops (name, latitude, longitude, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                )
                .bind(&new.name)
                .bind(new.location.map(|l| l.lat()))
                .bind(new.location.map(|l| l.lon()))
                .bind(ts(self.now())),
            )
            .await
            .map_err(unique_violation("a POP named", &new.name))?
            .try_get(0)?;
        Ok(PopId(id))
    }

    /// The POP named `name`, added (without a location) if there is none.
    /// Also says whether it was added, so a caller whose next step fails
    /// can take it back with [`Store::remove_pop`].
    pub async fn find_or_add_pop(&self, name: &str) -> Result<(PopId, bool), StoreError> {
        let added = self
            .fetch_optional_write(
                sqlx::query(
                    "INSERT INTO pops (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING id",
                )
                .bind(name)
                .bind(ts(self.now())),
            )
            .await?;
        if let Some(row) = added {
            return Ok((PopId(row.try_get(0)?), true));
        }
        self.pop_by_name(name)
            .await?
            .map(|pop| (pop.id, false))
            // Removed between the two statements by another process.
            .ok_or_else(|| StoreError::NotFound(format!("POP {name:?}")))
    }

    const POP_COLUMNS: &str = "id, name, latitude, longitude";

    /// Every POP, by name.
    pub async fn pops(&self) -> Result<Vec<Pop>, StoreError> {
        let sql = format!("SELECT {} FROM pops ORDER BY name", Self::POP_COLUMNS);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(pop_row).collect()
    }

    pub async fn pop(&self, id: PopId) -> Result<Option<Pop>, StoreError> {
        let sql = format!("SELECT {} FROM pops WHERE id = ?", Self::POP_COLUMNS);
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(pop_row).transpose()
    }

    pub async fn pop_by_name(&self, name: &str) -> Result<Option<Pop>, StoreError> {
        let sql = format!("SELECT {} FROM pops WHERE name = ?", Self::POP_COLUMNS);
        let row = sqlx::query(&sql).bind(name).fetch_optional(&self.pool).await?;
        row.as_ref().map(pop_row).transpose()
    }

    /// Renames a POP; another POP of that name is [`StoreError::Duplicate`].
    pub async fn rename_pop(&self, id: PopId, name: &str) -> Result<(), StoreError> {
        let done = self
            .execute_write(sqlx::query("UPDATE pops SET name = ? WHERE id = ?").bind(name).bind(id.0))
            .await
            .map_err(unique_violation("a POP named", name))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("POP {id}")));
        }
        Ok(())
    }

    /// Routers and OLTs per POP (POPs without any are absent).
    pub async fn pop_members(&self) -> Result<HashMap<PopId, (u32, u32)>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, (SELECT COUNT(*) FROM routers r WHERE r.pop_id = p.id),
                    (SELECT COUNT(*) FROM olts o WHERE o.pop_id = p.id)
             FROM pops p",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let (routers, olts): (i64, i64) = (row.try_get(1)?, row.try_get(2)?);
                let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
                Ok((PopId(row.try_get(0)?), (count(routers), count(olts))))
            })
            .collect()
    }

    /// Removes a POP; its routers stay, without a POP.
    pub async fn remove_pop(&self, id: PopId) -> Result<(), StoreError> {
        let done = self.execute_write(sqlx::query("DELETE FROM pops WHERE id = ?").bind(id.0)).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("POP {id}")));
        }
        Ok(())
    }
}

fn router_row(row: &sqlx::sqlite::SqliteRow) -> Result<Router, StoreError> {
    let transport: String = row.try_get("transport")?;
    let port: i64 = row.try_get("port")?;
    let location = location("routers", row.try_get("latitude")?, row.try_get("longitude")?)?;
    Ok(Router {
        id: RouterId(row.try_get("id")?),
        name: row.try_get("name")?,
        host: row.try_get("host")?,
        port: u16::try_from(port).map_err(|e| corrupt("routers", e))?,
        transport: Transport::from_str(&transport).map_err(|e| corrupt("routers", e))?,
        username: row.try_get("username")?,
        pop: row.try_get::<Option<i64>, _>("pop_id")?.map(PopId),
        location,
        tls_pin: row.try_get("tls_pin")?,
        presented_tls_pin: row.try_get("presented_tls_pin")?,
        backend: backend_row(row)?,
    })
}

fn backend_row(row: &sqlx::sqlite::SqliteRow) -> Result<Backend, StoreError> {
    let backend: String = row.try_get("backend")?;
    match backend.as_str() {
        "api" => Ok(Backend::Api),
        "radius" => {
            let address: Option<String> = row.try_get("nas_address")?;
            let address = address
                .ok_or_else(|| corrupt("routers", "a RADIUS router without a NAS address"))?
                .parse()
                .map_err(|e| corrupt("routers", e))?;
            let port: i64 = row.try_get("coa_port")?;
            let coa_port = u16::try_from(port).map_err(|e| corrupt("routers", e))?;
            Ok(Backend::Radius(Nas { address, coa_port }))
        }
        other => Err(corrupt("routers", format!("unknown backend {other:?}"))),
    }
}

pub(super) fn location(
    table: &'static str,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<Option<GeoPoint>, StoreError> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).map(Some).map_err(|e| corrupt(table, e)),
        _ => Ok(None),
    }
}

fn pop_row(row: &sqlx::sqlite::SqliteRow) -> Result<Pop, StoreError> {
    Ok(Pop {
        id: PopId(row.try_get("id")?),
        name: row.try_get("name")?,
        location: location("pops", row.try_get("latitude")?, row.try_get("longitude")?)?,
    })
}

//! Optical distribution points (splitters) and the ONUs hanging from them.

use headend_core::olt::Odp;
use headend_core::{OdpId, OnuId, PopId};
use sqlx::Row;

use crate::error::StoreError;
use crate::records::NewOdp;
use crate::store::routers::location;
use crate::store::{Store, corrupt, ts, unique_violation};

/// An ODP with how many ONUs hang from it.
#[derive(Debug, Clone, PartialEq)]
pub struct OdpRow {
    pub odp: Odp,
    pub onus: u32,
}

impl Store {
    pub async fn add_odp(&self, new: &NewOdp) -> Result<OdpId, StoreError> {
        let id = self.fetch_one_write(sqlx::query(
            "INSERT INTO odps (name, pop_id, latitude, longitude, capacity, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.pop.map(|p| p.0))
        .bind(new.location.map(|l| l.lat()))
        .bind(new.location.map(|l| l.lon()))
        .bind(new.capacity)
        .bind(ts(self.now()))
        )
        .await
        .map_err(unique_violation("an ODP named", &new.name))?
        .try_get(0)?;
        Ok(OdpId(id))
    }

    /// Every ODP with its ONU count, by name.
    pub async fn odps(&self) -> Result<Vec<OdpRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.name, d.pop_id, d.latitude, d.longitude, d.capacity,
                    (SELECT COUNT(*) FROM onus n WHERE n.odp_id = d.id) AS onus
             FROM odps d ORDER BY d.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let capacity: Option<i64> = row.try_get("capacity")?;
                let location = location("odps", row.try_get("latitude")?, row.try_get("longitude")?)?;
                Ok(OdpRow {
                    odp: Odp {
                        id: OdpId(row.try_get("id")?),
                        name: row.try_get("name")?,
                        pop: row.try_get::<Option<i64>, _>("pop_id")?.map(PopId),
                        location,
                        capacity: capacity.map(|c| u16::try_from(c).map_err(|e| corrupt("odps", e))).transpose()?,
                    },
                    onus: u32::try_from(row.try_get::<i64, _>("onus")?).map_err(|e| corrupt("odps", e))?,
                })
            })
            .collect()
    }

    /// Removes an ODP; its ONUs stay, without one.
    pub async fn remove_odp(&self, id: OdpId) -> Result<(), StoreError> {
        let done = self.execute_write(sqlx::query("DELETE FROM odps WHERE id = ?").bind(id.0)).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("ODP {id}")));
        }
        Ok(())
    }

    pub async fn set_onu_odp(&self, onu: OnuId, odp: Option<OdpId>) -> Result<(), StoreError> {
        let done = self
            .execute_write(sqlx::query("UPDATE onus SET odp_id = ? WHERE id = ?").bind(odp.map(|o| o.0)).bind(onu.0))
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("ONU {onu}")));
        }
        Ok(())
    }
}

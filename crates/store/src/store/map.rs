//! What the network map places: every located customer's services with
//! what colours them, and the provisioning failures per router. Routers,
//! OLTs and ODPs come from their own reads.

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::geo::GeoPoint;
use headend_core::olt::OnuState;
use headend_core::service::ServiceStatus;
use headend_core::{CustomerId, PlanId, PopId, RouterId, ServiceId};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::routers::location;
use super::{Store, corrupt};
use crate::error::StoreError;

/// A service at its customer's place.
#[derive(Debug, Clone, PartialEq)]
pub struct MapService {
    pub service: ServiceId,
    pub customer: CustomerId,
    pub customer_name: String,
    pub address: Option<String>,
    pub location: GeoPoint,
    pub status: ServiceStatus,
    /// The PPPoE user name; `None` for a static-IP service.
    pub username: Option<String>,
    /// The static address, or the PPPoE user's fixed one.
    pub ip_address: Option<String>,
    pub router: RouterId,
    pub pop: Option<PopId>,
    pub plan: PlanId,
    pub plan_name: String,
    /// The service's ONU as the last OLT sweep saw it.
    pub onu_state: Option<OnuState>,
    pub onu_rx: Option<f64>,
    /// Where its drop cable starts: the ONU's ODP, else its OLT (when
    /// located).
    pub drop_from: Option<GeoPoint>,
}

impl Store {
    /// The services of every customer with a location, but terminated
    /// ones, by service id.
    pub async fn map_services(&self) -> Result<Vec<MapService>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.customer_id, c.name, c.address, c.latitude, c.longitude, s.status, s.username,
                    s.ip_address, s.router_id, r.pop_id, s.plan_id, p.name AS plan_name, o.state AS onu_state, o.onu_rx,
                    CASE WHEN d.latitude IS NOT NULL THEN d.latitude ELSE l.latitude END AS from_lat,
                    CASE WHEN d.latitude IS NOT NULL THEN d.longitude ELSE l.longitude END AS from_lon
             FROM services s
             JOIN customers c ON c.id = s.customer_id
             JOIN routers r ON r.id = s.router_id
             JOIN plans p ON p.id = s.plan_id
             LEFT JOIN onus o ON o.service_id = s.id
             LEFT JOIN odps d ON d.id = o.odp_id
             LEFT JOIN olts l ON l.id = o.olt_id
             WHERE c.latitude IS NOT NULL AND c.longitude IS NOT NULL AND s.status <> 'terminated'
             ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().filter_map(|row| map_service(row).transpose()).collect()
    }

    /// Customers without a location, who are not on the map.
    pub async fn unplaced_customers(&self) -> Result<u32, StoreError> {
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM customers WHERE latitude IS NULL OR longitude IS NULL")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// Failed provisioning actions per router (routers without any are
    /// absent).
    pub async fn failed_actions_by_router(&self) -> Result<HashMap<RouterId, u32>, StoreError> {
        let rows =
            sqlx::query("SELECT router_id, COUNT(*) FROM provision_queue WHERE status = 'failed' GROUP BY router_id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let count: i64 = row.try_get(1)?;
                Ok((RouterId(row.try_get(0)?), u32::try_from(count).unwrap_or(u32::MAX)))
            })
            .collect()
    }
}

fn map_service(row: &SqliteRow) -> Result<Option<MapService>, StoreError> {
    let Some(place) = location("customers", row.try_get("latitude")?, row.try_get("longitude")?)? else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    let onu_state: Option<String> = row.try_get("onu_state")?;
    Ok(Some(MapService {
        service: ServiceId(row.try_get("id")?),
        customer: CustomerId(row.try_get("customer_id")?),
        customer_name: row.try_get("name")?,
        address: row.try_get("address")?,
        location: place,
        status: ServiceStatus::from_str(&status).map_err(|e| corrupt("services", e))?,
        username: row.try_get("username")?,
        ip_address: row.try_get("ip_address")?,
        router: RouterId(row.try_get("router_id")?),
        pop: row.try_get::<Option<i64>, _>("pop_id")?.map(PopId),
        plan: PlanId(row.try_get("plan_id")?),
        plan_name: row.try_get("plan_name")?,
        onu_state: onu_state.map(|s| OnuState::from_str(&s).map_err(|e| corrupt("onus", e))).transpose()?,
        onu_rx: row.try_get("onu_rx")?,
        drop_from: location("odps or olts", row.try_get("from_lat")?, row.try_get("from_lon")?)?,
    }))
}

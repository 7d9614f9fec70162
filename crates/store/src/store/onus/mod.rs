//! ONUs: what each OLT's listings showed and what services and plans tell
//! an OLT. One module a concept: the registered ONUs (here), the PON
//! [`ports`], the [`autofind`] list, zero-touch provisioning's settings and
//! candidates ([`zero_touch`]) and the optical distribution points
//! ([`odps`]).
//!
//! Serials are stored as the engine gives them: the 12-character form
//! (`HWTC0B086EA9`, `headend_olt::SerialNumber`). Ports are
//! `frame/slot/port` text.

mod autofind;
mod odps;
mod ports;
mod zero_touch;

pub use autofind::{AutofindRow, AutofindSeen};
pub use odps::OdpRow;
pub use ports::PonPortRow;
use ports::port_ids;
pub use zero_touch::{ServiceOnu, ZtpAttempt, ZtpCandidate};

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use headend_core::olt::OnuState;
use headend_core::optical::AlertLevel;
use headend_core::{OdpId, OltId, OnuId, ServiceId};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{Store, corrupt, opt_ts, parse_ts, ts, unique_violation};
use crate::error::StoreError;

/// One registered ONU as an OLT listed it.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuSeen {
    /// `frame/slot/port`.
    pub port: String,
    /// Its id on the port.
    pub index: u32,
    pub serial: String,
    pub equipment: Option<String>,
    pub description: Option<String>,
    pub state: OnuState,
    /// When the OLT says (else the store notes the sweep that saw the
    /// change).
    pub last_up: Option<Timestamp>,
    pub last_down: Option<Timestamp>,
    pub last_down_cause: Option<String>,
}

/// An ONU after [`Store::sync_onus`]: its row and the state it had before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedOnu {
    pub id: OnuId,
    pub port: String,
    pub index: u32,
    pub serial: String,
    pub service: Option<ServiceId>,
    pub state: OnuState,
    /// `None` for an ONU seen for the first time.
    pub previous: Option<OnuState>,
}

/// An ONU as lists and detail pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuRow {
    pub id: OnuId,
    pub olt: OltId,
    pub olt_name: String,
    pub port: String,
    pub index: u32,
    pub serial: String,
    pub equipment: Option<String>,
    pub description: Option<String>,
    pub state: OnuState,
    pub last_up: Option<Timestamp>,
    pub last_down: Option<Timestamp>,
    pub last_down_cause: Option<String>,
    pub service: Option<ServiceId>,
    /// `user (customer)` or `address (customer)`.
    pub service_label: Option<String>,
    pub odp: Option<OdpId>,
    /// The last reading (dBm), `None` when the OLT gave none.
    pub onu_rx: Option<f64>,
    pub onu_tx: Option<f64>,
    pub olt_rx: Option<f64>,
    pub signal_at: Option<Timestamp>,
    /// The alert open on it.
    pub alert: Option<AlertLevel>,
    /// The last listing that showed it.
    pub seen_at: Timestamp,
}

pub(super) const ONU_COLUMNS: &str =
    "n.id, n.olt_id, o.name AS olt_name, p.name AS port, n.onu_index, n.serial, n.equipment,
    n.description, n.state, n.last_up_at, n.last_down_at, n.last_down_cause, n.service_id, n.odp_id, n.onu_rx,
    n.onu_tx, n.olt_rx, n.signal_at, n.seen_at,
    (SELECT a.level FROM onu_alerts a WHERE a.onu_id = n.id AND a.cleared_at IS NULL) AS alert,
    CASE WHEN s.id IS NULL THEN NULL
         ELSE IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' END AS service_label";

pub(super) const ONU_JOINS: &str = "FROM onus n
    JOIN olts o ON o.id = n.olt_id
    JOIN pon_ports p ON p.id = n.port_id
    LEFT JOIN services s ON s.id = n.service_id
    LEFT JOIN customers c ON c.id = s.customer_id";

/// `frame/slot/port` as numbers, for sorting ports as people do
/// (`0/1/2` before `0/1/10`).
pub(super) fn port_key(port: &str) -> Vec<u32> {
    port.split('/').map(|p| p.trim().parse().unwrap_or(u32::MAX)).collect()
}

pub(super) fn onu_index(n: u32) -> i64 {
    i64::from(n)
}

pub(super) fn state_of(table: &'static str, text: &str) -> Result<OnuState, StoreError> {
    OnuState::from_str(text).map_err(|e| corrupt(table, e))
}

impl Store {
    /// Records what an OLT listed: ONUs new to it are added, known ones
    /// updated (port and id too: an ONU can be moved), and, among the
    /// ports `scope` names (every port of the OLT when `None`), ONUs no
    /// longer listed are removed with their history. A state change the
    /// OLT gave no time for is dated `at`.
    pub async fn sync_onus(
        &self,
        olt: OltId,
        seen: &[OnuSeen],
        scope: Option<&[String]>,
        at: Timestamp,
    ) -> Result<Vec<SyncedOnu>, StoreError> {
        let stamp = ts(at);
        let mut tx = self.write().await?;
        let names: Vec<&str> =
            seen.iter().map(|s| s.port.as_str()).chain(scope.into_iter().flatten().map(String::as_str)).collect();
        let ports = port_ids(&mut tx, olt, &names).await?;
        let known: HashMap<String, (i64, String, Option<i64>)> =
            sqlx::query("SELECT id, serial, state, service_id FROM onus WHERE olt_id = ?")
                .bind(olt.0)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get("serial")?,
                        (row.try_get("id")?, row.try_get("state")?, row.try_get("service_id")?),
                    ))
                })
                .collect::<Result<_, StoreError>>()?;

        let mut out = Vec::with_capacity(seen.len());
        let mut listed = BTreeSet::new();
        for onu in seen {
            let port_id = *ports.get(&onu.port).ok_or_else(|| StoreError::Invalid(format!("no port {}", onu.port)))?;
            listed.insert(onu.serial.as_str());
            let up = onu.state.is_online();
            let (id, previous, service) = match known.get(&onu.serial) {
                Some((id, state, service)) => {
                    let previous = state_of("onus", state)?;
                    let came_up = up && !previous.is_online();
                    let went_down = !up && previous.is_online();
                    sqlx::query(
                        "UPDATE onus SET port_id = ?, onu_index = ?, equipment = IFNULL(?, equipment),
                                description = IFNULL(?, description), state = ?,
                                last_up_at = COALESCE(?, CASE WHEN ? THEN ? ELSE last_up_at END),
                                last_down_at = COALESCE(?, CASE WHEN ? THEN ? ELSE last_down_at END),
                                last_down_cause = IFNULL(?, last_down_cause), seen_at = ?
                         WHERE id = ?",
                    )
                    .bind(port_id)
                    .bind(onu_index(onu.index))
                    .bind(&onu.equipment)
                    .bind(&onu.description)
                    .bind(onu.state.as_str())
                    .bind(onu.last_up.map(ts))
                    .bind(came_up)
                    .bind(&stamp)
                    .bind(onu.last_down.map(ts))
                    .bind(went_down)
                    .bind(&stamp)
                    .bind(&onu.last_down_cause)
                    .bind(&stamp)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    (*id, Some(previous), service.map(ServiceId))
                }
                None => {
                    let id = insert_onu(&mut tx, olt, port_id, onu, None, &stamp).await?;
                    (id, None, None)
                }
            };
            out.push(SyncedOnu {
                id: OnuId(id),
                port: onu.port.clone(),
                index: onu.index,
                serial: onu.serial.clone(),
                service,
                state: onu.state,
                previous,
            });
        }

        // What the OLT no longer lists (in the listed ports) is gone.
        let in_scope = |port: &str| scope.is_none_or(|s| s.iter().any(|p| p == port));
        let rows = sqlx::query(
            "SELECT n.id, n.serial, p.name FROM onus n JOIN pon_ports p ON p.id = n.port_id WHERE n.olt_id = ?",
        )
        .bind(olt.0)
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let serial: &str = row.try_get(1)?;
            let port: &str = row.try_get(2)?;
            if in_scope(port) && !listed.contains(serial) {
                let id: i64 = row.try_get(0)?;
                sqlx::query("DELETE FROM onus WHERE id = ?").bind(id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Records one ONU just registered (or found) on `olt`, linked to
    /// `service` if given; an ONU of that serial on the OLT is updated.
    pub async fn upsert_onu(
        &self,
        olt: OltId,
        onu: &OnuSeen,
        service: Option<ServiceId>,
        at: Timestamp,
    ) -> Result<OnuId, StoreError> {
        let stamp = ts(at);
        let mut tx = self.write().await?;
        let ports = port_ids(&mut tx, olt, &[onu.port.as_str()]).await?;
        let port_id = *ports.get(&onu.port).ok_or_else(|| StoreError::Invalid(format!("no port {}", onu.port)))?;
        let existing = sqlx::query("SELECT id FROM onus WHERE olt_id = ? AND serial = ?")
            .bind(olt.0)
            .bind(&onu.serial)
            .fetch_optional(&mut *tx)
            .await?;
        let id = match existing {
            Some(row) => {
                let id: i64 = row.try_get(0)?;
                sqlx::query(
                    "UPDATE onus SET port_id = ?, onu_index = ?, equipment = IFNULL(?, equipment),
                            description = IFNULL(?, description), state = ?, service_id = IFNULL(?, service_id),
                            seen_at = ?
                     WHERE id = ?",
                )
                .bind(port_id)
                .bind(onu_index(onu.index))
                .bind(&onu.equipment)
                .bind(&onu.description)
                .bind(onu.state.as_str())
                .bind(service.map(|s| s.0))
                .bind(&stamp)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(unique_violation(
                    "an ONU linked to service",
                    &service.map(|s| s.to_string()).unwrap_or_default(),
                ))?;
                id
            }
            None => insert_onu(&mut tx, olt, port_id, onu, service, &stamp).await?,
        };
        // It is registered now: no longer waiting in autofind.
        sqlx::query("DELETE FROM olt_autofind WHERE olt_id = ? AND serial = ?")
            .bind(olt.0)
            .bind(&onu.serial)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(OnuId(id))
    }

    /// Forgets the ONU `index` on `port` of `olt` (deregistered), with its
    /// history and alerts. False if there was none.
    pub async fn remove_onu(&self, olt: OltId, port: &str, index: u32) -> Result<bool, StoreError> {
        let done = self
            .execute_write(
                sqlx::query(
                    "DELETE FROM onus WHERE olt_id = ? AND onu_index = ?
               AND port_id = (SELECT id FROM pon_ports WHERE olt_id = ? AND name = ?)",
                )
                .bind(olt.0)
                .bind(onu_index(index))
                .bind(olt.0)
                .bind(port),
            )
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The ONUs of `olt` (on one port, or all), by port and id.
    pub async fn onus(&self, olt: OltId, port: Option<&str>) -> Result<Vec<OnuRow>, StoreError> {
        let filter = if port.is_some() { "AND p.name = ?" } else { "" };
        let sql = format!("SELECT {ONU_COLUMNS} {ONU_JOINS} WHERE n.olt_id = ? {filter}");
        let mut select = sqlx::query(&sql).bind(olt.0);
        if let Some(port) = port {
            select = select.bind(port);
        }
        let rows = select.fetch_all(&self.pool).await?;
        let mut onus: Vec<OnuRow> = rows.iter().map(onu_row).collect::<Result<_, _>>()?;
        onus.sort_by(|a, b| port_key(&a.port).cmp(&port_key(&b.port)).then(a.index.cmp(&b.index)));
        Ok(onus)
    }

    pub async fn onu(&self, id: OnuId) -> Result<Option<OnuRow>, StoreError> {
        let sql = format!("SELECT {ONU_COLUMNS} {ONU_JOINS} WHERE n.id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(onu_row).transpose()
    }

    /// The ONU with this serial on any OLT.
    pub async fn onu_by_serial(&self, serial: &str) -> Result<Option<OnuRow>, StoreError> {
        let sql = format!("SELECT {ONU_COLUMNS} {ONU_JOINS} WHERE n.serial = ? ORDER BY n.id LIMIT 1");
        let row = sqlx::query(&sql).bind(serial).fetch_optional(&self.pool).await?;
        row.as_ref().map(onu_row).transpose()
    }

    /// The ONU linked to `service`.
    pub async fn onu_of_service(&self, service: ServiceId) -> Result<Option<OnuRow>, StoreError> {
        let sql = format!("SELECT {ONU_COLUMNS} {ONU_JOINS} WHERE n.service_id = ?");
        let row = sqlx::query(&sql).bind(service.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(onu_row).transpose()
    }

    /// Links an ONU to a service (or unlinks it). A service has one ONU:
    /// linking a second is [`StoreError::Duplicate`].
    pub async fn link_onu_service(&self, onu: OnuId, service: Option<ServiceId>) -> Result<(), StoreError> {
        let done = self
            .execute_write(
                sqlx::query("UPDATE onus SET service_id = ? WHERE id = ?").bind(service.map(|s| s.0)).bind(onu.0),
            )
            .await
            .map_err(unique_violation(
                "an ONU linked to service",
                &service.map(|s| s.to_string()).unwrap_or_default(),
            ))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("ONU {onu}")));
        }
        Ok(())
    }
}

async fn insert_onu(
    conn: &mut SqliteConnection,
    olt: OltId,
    port_id: i64,
    onu: &OnuSeen,
    service: Option<ServiceId>,
    stamp: &str,
) -> Result<i64, StoreError> {
    let up = onu.state.is_online();
    let id = sqlx::query(
        "INSERT INTO onus (olt_id, port_id, onu_index, serial, equipment, description, state, last_up_at, last_down_at,
                           last_down_cause, service_id, seen_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(olt.0)
    .bind(port_id)
    .bind(onu_index(onu.index))
    .bind(&onu.serial)
    .bind(&onu.equipment)
    .bind(&onu.description)
    .bind(onu.state.as_str())
    .bind(onu.last_up.map(ts).or_else(|| up.then(|| stamp.to_owned())))
    .bind(onu.last_down.map(ts))
    .bind(&onu.last_down_cause)
    .bind(service.map(|s| s.0))
    .bind(stamp)
    .bind(stamp)
    .fetch_one(conn)
    .await
    .map_err(unique_violation("an ONU linked to service", &service.map(|s| s.to_string()).unwrap_or_default()))?
    .try_get(0)?;
    Ok(id)
}

pub(super) fn vlan_col(table: &'static str, vlan: Option<i64>) -> Result<Option<u16>, StoreError> {
    vlan.map(|v| u16::try_from(v).map_err(|e| corrupt(table, e))).transpose()
}

pub(super) fn onu_row(row: &SqliteRow) -> Result<OnuRow, StoreError> {
    let state: &str = row.try_get("state")?;
    let index: i64 = row.try_get("onu_index")?;
    let alert: Option<&str> = row.try_get("alert")?;
    Ok(OnuRow {
        id: OnuId(row.try_get("id")?),
        olt: OltId(row.try_get("olt_id")?),
        olt_name: row.try_get("olt_name")?,
        port: row.try_get("port")?,
        index: u32::try_from(index).map_err(|e| corrupt("onus", e))?,
        serial: row.try_get("serial")?,
        equipment: row.try_get("equipment")?,
        description: row.try_get("description")?,
        state: state_of("onus", state)?,
        last_up: opt_ts("onus", row.try_get("last_up_at")?)?,
        last_down: opt_ts("onus", row.try_get("last_down_at")?)?,
        last_down_cause: row.try_get("last_down_cause")?,
        service: row.try_get::<Option<i64>, _>("service_id")?.map(ServiceId),
        service_label: row.try_get("service_label")?,
        odp: row.try_get::<Option<i64>, _>("odp_id")?.map(OdpId),
        onu_rx: row.try_get("onu_rx")?,
        onu_tx: row.try_get("onu_tx")?,
        olt_rx: row.try_get("olt_rx")?,
        signal_at: opt_ts("onus", row.try_get("signal_at")?)?,
        alert: alert.map(|a| AlertLevel::from_str(a).map_err(|e| corrupt("onu_alerts", e))).transpose()?,
        seen_at: parse_ts("onus", row.try_get("seen_at")?)?,
    })
}

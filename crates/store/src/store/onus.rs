//! ONUs: what each OLT's listings showed (ports, registered ONUs, the
//! autofind list), their link to services and ODPs, and what services and
//! plans tell an OLT when zero-touch provisioning registers an ONU.
//!
//! Serials are stored as the engine gives them: the 12-character form
//! (`HWTC0B086EA9`, `headend_olt::SerialNumber`). Ports are
//! `frame/slot/port` text.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use headend_core::olt::{Odp, OltProfile, OnuState};
use headend_core::optical::AlertLevel;
use headend_core::{OdpId, OltId, OnuId, PlanId, PopId, ServiceId};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{Store, corrupt, opt_ts, parse_ts, ts, unique_violation};
use crate::error::StoreError;
use crate::records::NewOdp;

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

/// A PON port of an OLT and its ONUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PonPortRow {
    pub olt: OltId,
    /// `frame/slot/port`.
    pub name: String,
    pub description: Option<String>,
    pub onus: u32,
    pub online: u32,
}

/// An ONU in an autofind: plugged in, not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutofindSeen {
    pub port: String,
    pub serial: String,
    pub equipment: Option<String>,
    pub found_at: Option<Timestamp>,
}

/// An autofind row with the service waiting for that serial, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutofindRow {
    pub olt: OltId,
    pub olt_name: String,
    pub port: String,
    pub serial: String,
    pub equipment: Option<String>,
    pub found_at: Option<Timestamp>,
    pub seen_at: Timestamp,
    /// The service whose `onu_serial` this is.
    pub service: Option<ServiceId>,
    pub service_label: Option<String>,
}

/// A service's ONU settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceOnu {
    /// The serial zero-touch provisioning registers.
    pub serial: Option<String>,
    /// Overrides the plan's VLAN.
    pub vlan: Option<u16>,
}

/// A service whose ONU zero-touch provisioning should register: pending
/// or active, with a serial, and no ONU linked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZtpCandidate {
    pub service: ServiceId,
    pub serial: String,
    pub customer_name: String,
    /// `user (customer)` or `address (customer)`.
    pub service_label: String,
    pub plan: PlanId,
    pub plan_name: String,
    /// The plan's profiles, with the service's VLAN over the plan's.
    pub profile: OltProfile,
    /// An ONU with this serial already registered (by hand, on any OLT):
    /// link it instead of registering it.
    pub registered: Option<OnuId>,
}

/// An ODP with how many ONUs hang from it.
#[derive(Debug, Clone, PartialEq)]
pub struct OdpRow {
    pub odp: Odp,
    pub onus: u32,
}

const ONU_COLUMNS: &str = "n.id, n.olt_id, o.name AS olt_name, p.name AS port, n.onu_index, n.serial, n.equipment,
    n.description, n.state, n.last_up_at, n.last_down_at, n.last_down_cause, n.service_id, n.odp_id, n.onu_rx,
    n.onu_tx, n.olt_rx, n.signal_at, n.seen_at,
    (SELECT a.level FROM onu_alerts a WHERE a.onu_id = n.id AND a.cleared_at IS NULL) AS alert,
    CASE WHEN s.id IS NULL THEN NULL
         ELSE IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' END AS service_label";

const ONU_JOINS: &str = "FROM onus n
    JOIN olts o ON o.id = n.olt_id
    JOIN pon_ports p ON p.id = n.port_id
    LEFT JOIN services s ON s.id = n.service_id
    LEFT JOIN customers c ON c.id = s.customer_id";

/// `frame/slot/port` as numbers, for sorting ports as people do
/// (`0/1/2` before `0/1/10`).
pub(crate) fn port_key(port: &str) -> Vec<u32> {
    port.split('/').map(|p| p.trim().parse().unwrap_or(u32::MAX)).collect()
}

fn onu_index(n: u32) -> i64 {
    i64::from(n)
}

/// The ids of the ports named, created as needed.
async fn port_ids(conn: &mut SqliteConnection, olt: OltId, names: &[&str]) -> Result<HashMap<String, i64>, StoreError> {
    let mut ids = HashMap::new();
    for &name in names {
        if ids.contains_key(name) {
            continue;
        }
        sqlx::query("INSERT INTO pon_ports (olt_id, name) VALUES (?, ?) ON CONFLICT (olt_id, name) DO NOTHING")
            .bind(olt.0)
            .bind(name)
            .execute(&mut *conn)
            .await?;
        let id: i64 = sqlx::query("SELECT id FROM pon_ports WHERE olt_id = ? AND name = ?")
            .bind(olt.0)
            .bind(name)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        ids.insert(name.to_owned(), id);
    }
    Ok(ids)
}

fn state_of(table: &'static str, text: &str) -> Result<OnuState, StoreError> {
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
        let done = sqlx::query(
            "DELETE FROM onus WHERE olt_id = ? AND onu_index = ?
               AND port_id = (SELECT id FROM pon_ports WHERE olt_id = ? AND name = ?)",
        )
        .bind(olt.0)
        .bind(onu_index(index))
        .bind(olt.0)
        .bind(port)
        .execute(&self.pool)
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
        let done = sqlx::query("UPDATE onus SET service_id = ? WHERE id = ?")
            .bind(service.map(|s| s.0))
            .bind(onu.0)
            .execute(&self.pool)
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

    pub async fn set_onu_odp(&self, onu: OnuId, odp: Option<OdpId>) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE onus SET odp_id = ? WHERE id = ?")
            .bind(odp.map(|o| o.0))
            .bind(onu.0)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("ONU {onu}")));
        }
        Ok(())
    }

    /// The PON ports of `olt` seen so far, with their ONU counts.
    pub async fn pon_ports(&self, olt: OltId) -> Result<Vec<PonPortRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.name, p.description,
                    (SELECT COUNT(*) FROM onus n WHERE n.port_id = p.id) AS onus,
                    (SELECT COUNT(*) FROM onus n WHERE n.port_id = p.id AND n.state = 'online') AS online
             FROM pon_ports p WHERE p.olt_id = ?",
        )
        .bind(olt.0)
        .fetch_all(&self.pool)
        .await?;
        let mut ports = rows
            .iter()
            .map(|row| {
                let n = |col: &str| -> Result<u32, StoreError> {
                    u32::try_from(row.try_get::<i64, _>(col)?).map_err(|e| corrupt("pon_ports", e))
                };
                Ok(PonPortRow {
                    olt,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                    onus: n("onus")?,
                    online: n("online")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        ports.sort_by_key(|p| port_key(&p.name));
        Ok(ports)
    }

    /// Sets (or clears) a port's description; the port is recorded if new.
    pub async fn set_pon_port_description(
        &self,
        olt: OltId,
        port: &str,
        description: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pon_ports (olt_id, name, description) VALUES (?, ?, ?)
             ON CONFLICT (olt_id, name) DO UPDATE SET description = excluded.description",
        )
        .bind(olt.0)
        .bind(port)
        .bind(description)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Replaces what `olt`'s autofind showed (the ports are recorded).
    pub async fn replace_autofind(&self, olt: OltId, found: &[AutofindSeen], at: Timestamp) -> Result<(), StoreError> {
        let stamp = ts(at);
        let mut tx = self.write().await?;
        let names: Vec<&str> = found.iter().map(|f| f.port.as_str()).collect();
        port_ids(&mut tx, olt, &names).await?;
        sqlx::query("DELETE FROM olt_autofind WHERE olt_id = ?").bind(olt.0).execute(&mut *tx).await?;
        for f in found {
            sqlx::query(
                "INSERT OR REPLACE INTO olt_autofind (olt_id, serial, port, equipment, found_at, seen_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(olt.0)
            .bind(&f.serial)
            .bind(&f.port)
            .bind(&f.equipment)
            .bind(f.found_at.map(ts))
            .bind(&stamp)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The last autofind of one OLT or of all, by OLT, port and serial,
    /// with the service waiting for each serial.
    pub async fn autofind_onus(&self, olt: Option<OltId>) -> Result<Vec<AutofindRow>, StoreError> {
        let filter = if olt.is_some() { "WHERE f.olt_id = ?" } else { "" };
        let sql = format!(
            "SELECT f.olt_id, o.name AS olt_name, f.port, f.serial, f.equipment, f.found_at, f.seen_at, s.id AS service_id,
                    CASE WHEN s.id IS NULL THEN NULL
                         ELSE IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' END AS service_label
             FROM olt_autofind f
             JOIN olts o ON o.id = f.olt_id
             LEFT JOIN services s ON s.onu_serial = f.serial
             LEFT JOIN customers c ON c.id = s.customer_id
             {filter}"
        );
        let mut select = sqlx::query(&sql);
        if let Some(olt) = olt {
            select = select.bind(olt.0);
        }
        let rows = select.fetch_all(&self.pool).await?;
        let mut out = rows
            .iter()
            .map(|row| {
                Ok(AutofindRow {
                    olt: OltId(row.try_get("olt_id")?),
                    olt_name: row.try_get("olt_name")?,
                    port: row.try_get("port")?,
                    serial: row.try_get("serial")?,
                    equipment: row.try_get("equipment")?,
                    found_at: opt_ts("olt_autofind", row.try_get("found_at")?)?,
                    seen_at: parse_ts("olt_autofind", row.try_get("seen_at")?)?,
                    service: row.try_get::<Option<i64>, _>("service_id")?.map(ServiceId),
                    service_label: row.try_get("service_label")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort_by(|a, b| {
            a.olt_name.cmp(&b.olt_name).then(port_key(&a.port).cmp(&port_key(&b.port))).then(a.serial.cmp(&b.serial))
        });
        Ok(out)
    }

    /// Sets a service's ONU serial (zero-touch) and VLAN override. A serial
    /// another service has is [`StoreError::Duplicate`].
    pub async fn set_service_onu(&self, service: ServiceId, onu: &ServiceOnu) -> Result<(), StoreError> {
        if let Some(vlan) = onu.vlan
            && !headend_core::olt::valid_vlan(vlan)
        {
            return Err(StoreError::Invalid(format!("VLAN {vlan} is outside 1-4094")));
        }
        let done = sqlx::query("UPDATE services SET onu_serial = ?, onu_vlan = ?, updated_at = ? WHERE id = ?")
            .bind(&onu.serial)
            .bind(onu.vlan)
            .bind(ts(self.now()))
            .bind(service.0)
            .execute(&self.pool)
            .await
            .map_err(unique_violation("a service with the ONU serial", onu.serial.as_deref().unwrap_or("")))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("service {service}")));
        }
        Ok(())
    }

    pub async fn service_onu(&self, service: ServiceId) -> Result<Option<ServiceOnu>, StoreError> {
        let row = sqlx::query("SELECT onu_serial, onu_vlan FROM services WHERE id = ?")
            .bind(service.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(ServiceOnu { serial: row.try_get("onu_serial")?, vlan: vlan_col("services", row.try_get("onu_vlan")?)? })
        })
        .transpose()
    }

    /// The service waiting for the ONU `serial`, if any.
    pub async fn service_by_onu_serial(&self, serial: &str) -> Result<Option<ServiceId>, StoreError> {
        let row =
            sqlx::query("SELECT id FROM services WHERE onu_serial = ?").bind(serial).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get(0).map(ServiceId)).transpose()?)
    }

    /// Sets what a plan tells the OLT (profiles and VLAN).
    pub async fn set_plan_olt_profile(&self, plan: PlanId, profile: &OltProfile) -> Result<(), StoreError> {
        if let Some(vlan) = profile.vlan
            && !headend_core::olt::valid_vlan(vlan)
        {
            return Err(StoreError::Invalid(format!("VLAN {vlan} is outside 1-4094")));
        }
        let done = sqlx::query(
            "UPDATE plans SET olt_line_profile = ?, olt_service_profile = ?, onu_vlan = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&profile.line)
        .bind(&profile.service)
        .bind(profile.vlan)
        .bind(ts(self.now()))
        .bind(plan.0)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("plan {plan}")));
        }
        Ok(())
    }

    pub async fn plan_olt_profile(&self, plan: PlanId) -> Result<Option<OltProfile>, StoreError> {
        let row = sqlx::query("SELECT olt_line_profile, olt_service_profile, onu_vlan FROM plans WHERE id = ?")
            .bind(plan.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(OltProfile {
                line: row.try_get("olt_line_profile")?,
                service: row.try_get("olt_service_profile")?,
                vlan: vlan_col("plans", row.try_get("onu_vlan")?)?,
            })
        })
        .transpose()
    }

    /// The services zero-touch provisioning should register an ONU for:
    /// pending or active, with a serial, and no ONU linked.
    pub async fn ztp_candidates(&self) -> Result<Vec<ZtpCandidate>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.onu_serial, s.onu_vlan, c.name AS customer_name,
                    IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' AS service_label,
                    p.id AS plan_id, p.name AS plan_name, p.olt_line_profile, p.olt_service_profile,
                    p.onu_vlan AS plan_vlan,
                    (SELECT n.id FROM onus n WHERE n.serial = s.onu_serial ORDER BY n.id LIMIT 1) AS registered
             FROM services s
             JOIN customers c ON c.id = s.customer_id
             JOIN plans p ON p.id = s.plan_id
             WHERE s.onu_serial IS NOT NULL AND s.status IN ('pending', 'active')
               AND NOT EXISTS (SELECT 1 FROM onus n WHERE n.service_id = s.id)
             ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let own = vlan_col("services", row.try_get("onu_vlan")?)?;
                let plan = vlan_col("plans", row.try_get("plan_vlan")?)?;
                Ok(ZtpCandidate {
                    service: ServiceId(row.try_get("id")?),
                    serial: row.try_get("onu_serial")?,
                    customer_name: row.try_get("customer_name")?,
                    service_label: row.try_get("service_label")?,
                    plan: PlanId(row.try_get("plan_id")?),
                    plan_name: row.try_get("plan_name")?,
                    profile: OltProfile {
                        line: row.try_get("olt_line_profile")?,
                        service: row.try_get("olt_service_profile")?,
                        vlan: own.or(plan),
                    },
                    registered: row.try_get::<Option<i64>, _>("registered")?.map(OnuId),
                })
            })
            .collect()
    }

    pub async fn add_odp(&self, new: &NewOdp) -> Result<OdpId, StoreError> {
        let id = sqlx::query(
            "INSERT INTO odps (name, pop_id, latitude, longitude, capacity, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.pop.map(|p| p.0))
        .bind(new.location.map(|l| l.lat()))
        .bind(new.location.map(|l| l.lon()))
        .bind(new.capacity)
        .bind(ts(self.now()))
        .fetch_one(&self.pool)
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
                let lat: Option<f64> = row.try_get("latitude")?;
                let lon: Option<f64> = row.try_get("longitude")?;
                let location = match (lat, lon) {
                    (Some(lat), Some(lon)) => {
                        Some(headend_core::geo::GeoPoint::new(lat, lon).map_err(|e| corrupt("odps", e))?)
                    }
                    _ => None,
                };
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
        let done = sqlx::query("DELETE FROM odps WHERE id = ?").bind(id.0).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("ODP {id}")));
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

fn vlan_col(table: &'static str, vlan: Option<i64>) -> Result<Option<u16>, StoreError> {
    vlan.map(|v| u16::try_from(v).map_err(|e| corrupt(table, e))).transpose()
}

fn onu_row(row: &SqliteRow) -> Result<OnuRow, StoreError> {
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

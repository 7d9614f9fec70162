//! The PON ports of each OLT, made as listings name them.

use std::collections::HashMap;

use headend_core::OltId;
use sqlx::{Row, SqliteConnection};

use super::port_key;
use crate::error::StoreError;
use crate::store::{Store, corrupt};

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

/// The ids of the ports named, created as needed.
pub(super) async fn port_ids(
    conn: &mut SqliteConnection,
    olt: OltId,
    names: &[&str],
) -> Result<HashMap<String, i64>, StoreError> {
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

impl Store {
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
        self.execute_write(
            sqlx::query(
                "INSERT INTO pon_ports (olt_id, name, description) VALUES (?, ?, ?)
             ON CONFLICT (olt_id, name) DO UPDATE SET description = excluded.description",
            )
            .bind(olt.0)
            .bind(port)
            .bind(description),
        )
        .await?;
        Ok(())
    }
}

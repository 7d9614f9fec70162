//! The autofind list: ONUs plugged in and not registered, with the service
//! waiting for each serial.

use headend_core::{OltId, ServiceId};
use jiff::Timestamp;
use sqlx::Row;

use super::{port_ids, port_key};
use crate::error::StoreError;
use crate::store::{Store, opt_ts, parse_ts, ts};

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

impl Store {
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
}

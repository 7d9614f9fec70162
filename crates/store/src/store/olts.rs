//! OLTs: the inventory, the host key pinned for each, their health as the
//! engine last saw it, the lease that keeps two engines off one OLT, and
//! the signal sweep's settings (in `isp_settings`, beside the ISP policy).

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::olt::{Olt, OltVendor};
use headend_core::optical::{SignalPolicy, SignalRetention, Thresholds};
use headend_core::{OltId, PopId};
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::leases::Leased;
use super::routers::location;
use super::{Store, corrupt, opt_ts, ts, unique_violation};
use crate::error::StoreError;
use crate::records::NewOlt;

/// What the engine last saw of an OLT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OltHealth {
    /// The last time a command worked.
    pub reached_at: Option<Timestamp>,
    /// The last failure; `None` once a command works again.
    pub error: Option<String>,
    pub error_at: Option<Timestamp>,
    /// A host key the OLT presented that is not the pinned one: the engine
    /// refuses it until the operator pins it ([`Store::set_olt_host_key`]).
    pub presented_key: Option<String>,
    /// The end of the last complete signal sweep.
    pub swept_at: Option<Timestamp>,
}

/// An OLT with its health and what its ONUs look like: a row of the OLTs
/// page.
#[derive(Debug, Clone, PartialEq)]
pub struct OltOverview {
    pub olt: Olt,
    pub pop_name: Option<String>,
    pub health: OltHealth,
    pub onus: u32,
    pub online: u32,
    pub los: u32,
    pub dying_gasp: u32,
    /// Offline for another reason, or not working yet.
    pub offline: u32,
    /// Open alerts by level.
    pub warnings: u32,
    pub criticals: u32,
    /// Open LOS alerts (the ONUs in LOS the sweep saw).
    pub los_alerts: u32,
    /// ONUs in the last autofind: plugged in, not registered.
    pub unconfigured: u32,
}

const OLT_COLUMNS: &str =
    "o.id, o.name, o.vendor, o.host, o.port, o.username, o.host_key, o.pop_id, o.latitude, o.longitude,
    o.reached_at, o.error, o.error_at, o.presented_key, o.swept_at";

const SWEEP_MINUTES: &str = "olt_sweep_minutes";
const RX_WARNING: &str = "onu_rx_warning_dbm";
const RX_CRITICAL: &str = "onu_rx_critical_dbm";
const RX_OVERLOAD: &str = "onu_rx_overload_dbm";
const RAW_DAYS: &str = "signal_raw_days";
const HISTORY_DAYS: &str = "signal_history_days";
const LOG_DAYS: &str = "olt_log_days";

impl Store {
    pub async fn add_olt(&self, new: &NewOlt) -> Result<OltId, StoreError> {
        let id = self
            .fetch_one_write(
                sqlx::query(
                    "INSERT INTO olts (name, vendor, host, port, username, pop_id, latitude, longitude, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&new.name)
                .bind(new.vendor.as_str())
                .bind(&new.host)
                .bind(new.port)
                .bind(&new.username)
                .bind(new.pop.map(|p| p.0))
                .bind(new.location.map(|l| l.lat()))
                .bind(new.location.map(|l| l.lon()))
                .bind(ts(self.now())),
            )
            .await
            .map_err(unique_violation("an OLT named", &new.name))?
            .try_get(0)?;
        Ok(OltId(id))
    }

    /// Every OLT, by name.
    pub async fn olts(&self) -> Result<Vec<Olt>, StoreError> {
        let sql = format!("SELECT {OLT_COLUMNS} FROM olts o ORDER BY o.name");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(olt_row).collect()
    }

    pub async fn olt(&self, id: OltId) -> Result<Option<Olt>, StoreError> {
        let sql = format!("SELECT {OLT_COLUMNS} FROM olts o WHERE o.id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(olt_row).transpose()
    }

    pub async fn olt_by_name(&self, name: &str) -> Result<Option<Olt>, StoreError> {
        let sql = format!("SELECT {OLT_COLUMNS} FROM olts o WHERE o.name = ?");
        let row = sqlx::query(&sql).bind(name).fetch_optional(&self.pool).await?;
        row.as_ref().map(olt_row).transpose()
    }

    /// Changes how an OLT is reached. A new host or port forgets the pinned
    /// host key (it belonged to the old endpoint) and the health.
    pub async fn update_olt(&self, id: OltId, new: &NewOlt) -> Result<(), StoreError> {
        let done = self
            .execute_write(
                sqlx::query(
                    "UPDATE olts SET name = ?1, vendor = ?2, host = ?3, port = ?4, username = ?5, pop_id = ?6,
                    latitude = ?7, longitude = ?8,
                    host_key = CASE WHEN host = ?3 AND port = ?4 THEN host_key END,
                    presented_key = CASE WHEN host = ?3 AND port = ?4 THEN presented_key END,
                    error = NULL, error_at = NULL
             WHERE id = ?9",
                )
                .bind(&new.name)
                .bind(new.vendor.as_str())
                .bind(&new.host)
                .bind(new.port)
                .bind(&new.username)
                .bind(new.pop.map(|p| p.0))
                .bind(new.location.map(|l| l.lat()))
                .bind(new.location.map(|l| l.lon()))
                .bind(id.0),
            )
            .await
            .map_err(unique_violation("an OLT named", &new.name))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("OLT {id}")));
        }
        Ok(())
    }

    /// Removes an OLT with its ports, ONUs, their history and alerts, and
    /// its command log. Services keep existing (their ONU link goes).
    pub async fn remove_olt(&self, id: OltId) -> Result<(), StoreError> {
        let done = self.execute_write(sqlx::query("DELETE FROM olts WHERE id = ?").bind(id.0)).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("OLT {id}")));
        }
        Ok(())
    }

    /// Pins the OLT's host key (`None` forgets it: the next connection pins
    /// whatever it sees). Clears a refused key and the error it caused.
    pub async fn set_olt_host_key(&self, id: OltId, fingerprint: Option<&str>) -> Result<(), StoreError> {
        let done = self
            .execute_write(
                sqlx::query(
                    "UPDATE olts SET host_key = ?,
                    error = CASE WHEN presented_key IS NULL THEN error END,
                    error_at = CASE WHEN presented_key IS NULL THEN error_at END,
                    presented_key = NULL
             WHERE id = ?",
                )
                .bind(fingerprint)
                .bind(id.0),
            )
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("OLT {id}")));
        }
        Ok(())
    }

    /// A command worked at `at`: the OLT is reachable and the last error is
    /// over (a refused host key stays until it is pinned).
    pub async fn record_olt_reached(&self, id: OltId, at: Timestamp) -> Result<(), StoreError> {
        self.execute_write(
            sqlx::query(
                "UPDATE olts SET reached_at = ?, error = CASE WHEN presented_key IS NULL THEN NULL ELSE error END,
                    error_at = CASE WHEN presented_key IS NULL THEN NULL ELSE error_at END
             WHERE id = ?",
            )
            .bind(ts(at))
            .bind(id.0),
        )
        .await?;
        Ok(())
    }

    /// Reaching the OLT failed; `presented_key` is the host key it showed
    /// when that key was refused.
    pub async fn record_olt_error(
        &self,
        id: OltId,
        at: Timestamp,
        error: &str,
        presented_key: Option<&str>,
    ) -> Result<(), StoreError> {
        self.execute_write(
            sqlx::query(
                "UPDATE olts SET error = ?, error_at = ?, presented_key = IFNULL(?, presented_key) WHERE id = ?",
            )
            .bind(error)
            .bind(ts(at))
            .bind(presented_key)
            .bind(id.0),
        )
        .await?;
        Ok(())
    }

    /// A signal sweep of the OLT finished at `at`.
    pub async fn record_olt_swept(&self, id: OltId, at: Timestamp) -> Result<(), StoreError> {
        self.execute_write(sqlx::query("UPDATE olts SET swept_at = ? WHERE id = ?").bind(ts(at)).bind(id.0)).await?;
        Ok(())
    }

    pub async fn olt_health(&self, id: OltId) -> Result<Option<OltHealth>, StoreError> {
        let sql = format!("SELECT {OLT_COLUMNS} FROM olts o WHERE o.id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(health_row).transpose()
    }

    /// Every OLT with its health and ONU counts, by name: the OLTs page.
    pub async fn olt_overviews(&self) -> Result<Vec<OltOverview>, StoreError> {
        let sql = format!(
            "SELECT {OLT_COLUMNS}, p.name AS pop_name,
                    (SELECT COUNT(*) FROM onus n WHERE n.olt_id = o.id) AS onus,
                    (SELECT COUNT(*) FROM onus n WHERE n.olt_id = o.id AND n.state = 'online') AS online,
                    (SELECT COUNT(*) FROM onus n WHERE n.olt_id = o.id AND n.state = 'los') AS los,
                    (SELECT COUNT(*) FROM onus n WHERE n.olt_id = o.id AND n.state = 'dying-gasp') AS dying_gasp,
                    (SELECT COUNT(*) FROM onu_alerts a JOIN onus n ON n.id = a.onu_id
                      WHERE n.olt_id = o.id AND a.cleared_at IS NULL AND a.level = 'warning') AS warnings,
                    (SELECT COUNT(*) FROM onu_alerts a JOIN onus n ON n.id = a.onu_id
                      WHERE n.olt_id = o.id AND a.cleared_at IS NULL AND a.level = 'critical') AS criticals,
                    (SELECT COUNT(*) FROM onu_alerts a JOIN onus n ON n.id = a.onu_id
                      WHERE n.olt_id = o.id AND a.cleared_at IS NULL AND a.level = 'los') AS los_alerts,
                    (SELECT COUNT(*) FROM olt_autofind f WHERE f.olt_id = o.id) AS unconfigured
             FROM olts o LEFT JOIN pops p ON p.id = o.pop_id
             ORDER BY o.name"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let count = |col: &str| -> Result<u32, StoreError> {
                    let n: i64 = row.try_get(col)?;
                    u32::try_from(n).map_err(|e| corrupt("olts", e))
                };
                let onus = count("onus")?;
                let online = count("online")?;
                let los = count("los")?;
                let dying_gasp = count("dying_gasp")?;
                Ok(OltOverview {
                    olt: olt_row(row)?,
                    pop_name: row.try_get("pop_name")?,
                    health: health_row(row)?,
                    onus,
                    online,
                    los,
                    dying_gasp,
                    offline: onus.saturating_sub(online + los + dying_gasp),
                    warnings: count("warnings")?,
                    criticals: count("criticals")?,
                    los_alerts: count("los_alerts")?,
                    unconfigured: count("unconfigured")?,
                })
            })
            .collect()
    }

    /// Takes or extends the lease on `olt` for `holder` until `now + ttl`.
    /// True if it was free, expired, or already `holder`'s.
    pub async fn acquire_olt_lease(
        &self,
        olt: OltId,
        holder: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Result<bool, StoreError> {
        self.acquire_lease(Leased::Olt, olt.0, holder, now, ttl).await
    }

    /// Who holds the lease on `olt` now, if anyone (expired or not).
    pub async fn olt_lease_holder(&self, olt: OltId) -> Result<Option<String>, StoreError> {
        self.lease_holder(Leased::Olt, olt.0).await
    }

    /// Gives the lease back (if `holder` has it).
    pub async fn release_olt_lease(&self, olt: OltId, holder: &str) -> Result<(), StoreError> {
        self.release_lease(Leased::Olt, olt.0, holder).await
    }

    /// The signal sweep's settings; a setting never saved is its default
    /// ([`SignalPolicy::default`]).
    pub async fn signal_policy(&self) -> Result<SignalPolicy, StoreError> {
        let rows = sqlx::query("SELECT key, value FROM isp_settings WHERE key IN (?, ?, ?, ?, ?, ?, ?)")
            .bind(SWEEP_MINUTES)
            .bind(RX_WARNING)
            .bind(RX_CRITICAL)
            .bind(RX_OVERLOAD)
            .bind(RAW_DAYS)
            .bind(HISTORY_DAYS)
            .bind(LOG_DAYS)
            .fetch_all(&self.pool)
            .await?;
        let values: HashMap<String, String> = rows
            .iter()
            .map(|row| Ok((row.try_get("key")?, row.try_get("value")?)))
            .collect::<Result<_, StoreError>>()?;
        let defaults = SignalPolicy::default();
        let bad = |key: &str, e: &dyn std::fmt::Display| corrupt("isp_settings", format!("{key}: {e}"));
        let mut policy = defaults;
        let t = defaults.thresholds;
        policy.thresholds = Thresholds::new(
            setting(&values, RX_WARNING, t.warning_below())?,
            setting(&values, RX_CRITICAL, t.critical_below())?,
            setting(&values, RX_OVERLOAD, t.critical_above())?,
        )
        .map_err(|e| bad("the ONU Rx thresholds", &e))?;
        policy
            .set_interval_minutes(setting(&values, SWEEP_MINUTES, defaults.interval_minutes())?)
            .map_err(|e| bad(SWEEP_MINUTES, &e))?;
        policy.retention = SignalRetention::new(
            setting(&values, RAW_DAYS, defaults.retention.raw_days())?,
            setting(&values, HISTORY_DAYS, defaults.retention.history_days())?,
        )
        .map_err(|e| bad("the signal history's retention", &e))?;
        policy
            .set_command_log_days(setting(&values, LOG_DAYS, defaults.command_log_days())?)
            .map_err(|e| bad(LOG_DAYS, &e))?;
        Ok(policy)
    }

    /// Saves the signal sweep's settings (already checked by
    /// [`SignalPolicy`]'s setters and [`Thresholds::new`]).
    pub async fn set_signal_policy(&self, policy: &SignalPolicy) -> Result<(), StoreError> {
        let t = policy.thresholds;
        let values = [
            (SWEEP_MINUTES, policy.interval_minutes().to_string()),
            (RX_WARNING, t.warning_below().to_string()),
            (RX_CRITICAL, t.critical_below().to_string()),
            (RX_OVERLOAD, t.critical_above().to_string()),
            (RAW_DAYS, policy.retention.raw_days().to_string()),
            (HISTORY_DAYS, policy.retention.history_days().to_string()),
            (LOG_DAYS, policy.command_log_days().to_string()),
        ];
        let mut tx = self.write().await?;
        for (key, value) in values {
            sqlx::query("INSERT OR REPLACE INTO isp_settings (key, value) VALUES (?, ?)")
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn setting<T: FromStr>(values: &HashMap<String, String>, key: &str, default: T) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    match values.get(key) {
        None => Ok(default),
        Some(text) => T::from_str(text).map_err(|e| corrupt("isp_settings", format!("{key} = {text:?}: {e}"))),
    }
}

pub(super) fn olt_row(row: &SqliteRow) -> Result<Olt, StoreError> {
    let vendor: String = row.try_get("vendor")?;
    let port: i64 = row.try_get("port")?;
    let location = location("olts", row.try_get("latitude")?, row.try_get("longitude")?)?;
    Ok(Olt {
        id: OltId(row.try_get("id")?),
        name: row.try_get("name")?,
        vendor: OltVendor::from_str(&vendor).map_err(|e| corrupt("olts", e))?,
        host: row.try_get("host")?,
        port: u16::try_from(port).map_err(|e| corrupt("olts", e))?,
        username: row.try_get("username")?,
        host_key: row.try_get("host_key")?,
        pop: row.try_get::<Option<i64>, _>("pop_id")?.map(PopId),
        location,
    })
}

fn health_row(row: &SqliteRow) -> Result<OltHealth, StoreError> {
    Ok(OltHealth {
        reached_at: opt_ts("olts", row.try_get("reached_at")?)?,
        error: row.try_get("error")?,
        error_at: opt_ts("olts", row.try_get("error_at")?)?,
        presented_key: row.try_get("presented_key")?,
        swept_at: opt_ts("olts", row.try_get("swept_at")?)?,
    })
}

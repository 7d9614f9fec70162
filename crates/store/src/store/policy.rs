//! The ISP's provisioning policy and each router's suspension override.

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::RouterId;
use headend_core::provision::policy::{IspPolicy, SuspensionMode};
use jiff::tz::TimeZone;
use sqlx::Row;

use super::{Store, corrupt, ts};
use crate::error::StoreError;

const TIME_ZONE: &str = "time_zone";
const GRACE_DAYS: &str = "grace_days";
const SUSPENSION: &str = "suspension";
const STATIC_QUEUES: &str = "static_queues";
const MAX_ATTEMPTS: &str = "max_attempts";

/// The machine's time zone if jiff knows its IANA name, else UTC.
fn machine_time_zone() -> String {
    TimeZone::try_system()
        .ok()
        .and_then(|tz| tz.iana_name().map(str::to_owned))
        .filter(|name| TimeZone::get(name).is_ok())
        .unwrap_or_else(|| "UTC".to_owned())
}

pub(in crate::store) fn setting<T: FromStr>(
    values: &HashMap<String, String>,
    key: &str,
    default: T,
) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    match values.get(key) {
        None => Ok(default),
        Some(text) => T::from_str(text).map_err(|e| corrupt("isp_settings", format!("{key} = {text:?}: {e}"))),
    }
}

impl Store {
    /// The ISP's policy. A setting never saved is its default
    /// ([`IspPolicy::default`]), except the time zone: the first read fixes
    /// it to this machine's zone (UTC if jiff cannot name it) and stores
    /// it, so it does not move with the next machine that opens the file.
    pub async fn isp_policy(&self) -> Result<IspPolicy, StoreError> {
        let mut values = self.isp_settings().await?;
        if !values.contains_key(TIME_ZONE) {
            // Another process may fix it first: its choice stands.
            self.execute_write(
                sqlx::query("INSERT INTO isp_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
                    .bind(TIME_ZONE)
                    .bind(machine_time_zone()),
            )
            .await?;
            values = self.isp_settings().await?;
        }
        let defaults = IspPolicy::default();
        let zone = values.get(TIME_ZONE).map_or("UTC", String::as_str);
        Ok(IspPolicy {
            time_zone: TimeZone::get(zone).map_err(|e| corrupt("isp_settings", format!("time_zone {zone:?}: {e}")))?,
            grace_days: setting(&values, GRACE_DAYS, defaults.grace_days)?,
            suspension: setting(&values, SUSPENSION, defaults.suspension)?,
            static_queues: setting(&values, STATIC_QUEUES, defaults.static_queues)?,
            max_attempts: setting(&values, MAX_ATTEMPTS, defaults.max_attempts)?,
        })
    }

    async fn isp_settings(&self) -> Result<HashMap<String, String>, StoreError> {
        let rows = sqlx::query("SELECT key, value FROM isp_settings").fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("key")?, row.try_get("value")?))).collect()
    }

    /// Saves the whole policy and asks every router to sweep. The time
    /// zone must have an IANA name (`America/Sao_Paulo`, `UTC`).
    pub async fn set_isp_policy(&self, policy: &IspPolicy) -> Result<(), StoreError> {
        let zone = policy.time_zone.iana_name().ok_or_else(|| {
            StoreError::Invalid("the ISP's time zone must be a named one, such as America/Sao_Paulo or UTC".into())
        })?;
        let values = [
            (TIME_ZONE, zone.to_owned()),
            (GRACE_DAYS, policy.grace_days.to_string()),
            (SUSPENSION, policy.suspension.as_str().to_owned()),
            (STATIC_QUEUES, policy.static_queues.to_string()),
            (MAX_ATTEMPTS, policy.max_attempts.to_string()),
        ];
        let mut tx = self.write().await?;
        for (key, value) in values {
            sqlx::query("INSERT OR REPLACE INTO isp_settings (key, value) VALUES (?, ?)")
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT OR REPLACE INTO sweep_requests (router_id, requested_at) SELECT id, ? FROM routers")
            .bind(ts(self.now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or, with `None`, removes) a router's own suspension mode, and
    /// asks it to sweep.
    pub async fn set_router_suspension(
        &self,
        router: RouterId,
        mode: Option<SuspensionMode>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE routers SET suspension_mode = ? WHERE id = ?")
            .bind(mode.map(SuspensionMode::as_str))
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

    /// A router's own suspension mode; `None` (also for an unknown router)
    /// means the ISP's.
    pub async fn router_suspension(&self, router: RouterId) -> Result<Option<SuspensionMode>, StoreError> {
        let row = sqlx::query("SELECT suspension_mode FROM routers WHERE id = ?")
            .bind(router.0)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mode: Option<&str> = row.try_get(0)?;
        mode.map(|m| SuspensionMode::from_str(m).map_err(|e| corrupt("routers", e))).transpose()
    }
}

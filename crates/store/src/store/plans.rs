//! Plans: rates (with RouterOS bursts), price, cycle, and the name of the
//! PPP profile that carries them on every router.

use std::str::FromStr;

use headend_core::PlanId;
use headend_core::billing::tax::TaxRate;
use headend_core::plan::{
    BillingCycle, Burst, Pair, Plan, PoolName, Rate, RateLimit, SessionLimits, Timeout, profile_name,
};
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, corrupt, ts, unique_violation};
use crate::error::StoreError;
use crate::records::NewPlan;

const PLAN_COLUMNS: &str = "id, name, profile_name, download_bps, upload_bps, burst_download_bps, burst_upload_bps,
    burst_threshold_download_bps, burst_threshold_upload_bps, burst_time_download_s, burst_time_upload_s,
    price, billing_cycle, tax_rate, session_timeout_s, idle_timeout_s, address_pool";

fn bps(rate: Rate) -> Result<i64, StoreError> {
    i64::try_from(rate.bps()).map_err(|_| StoreError::Invalid(format!("the rate {rate} is too large to store")))
}

/// The columns after `name` of an insert or update, in order.
struct PlanValues {
    download: i64,
    upload: i64,
    burst: [Option<i64>; 6],
    price: String,
    cycle: String,
    tax_rate: Option<String>,
    session_timeout: Option<i64>,
    idle_timeout: Option<i64>,
    address_pool: Option<String>,
}

impl PlanValues {
    fn new(plan: &NewPlan) -> Result<Self, StoreError> {
        let limits = &plan.limits;
        let burst = match &limits.burst {
            None => [None; 6],
            Some(b) => [
                Some(bps(b.rate.download)?),
                Some(bps(b.rate.upload)?),
                Some(bps(b.threshold.download)?),
                Some(bps(b.threshold.upload)?),
                Some(i64::from(b.time.download)),
                Some(i64::from(b.time.upload)),
            ],
        };
        Ok(Self {
            download: bps(limits.download)?,
            upload: bps(limits.upload)?,
            burst,
            price: plan.price.to_string(),
            cycle: plan.cycle.to_string(),
            tax_rate: plan.tax_rate.map(|r| r.to_string()),
            session_timeout: plan.session.session_timeout.map(|t| i64::from(t.seconds())),
            idle_timeout: plan.session.idle_timeout.map(|t| i64::from(t.seconds())),
            address_pool: plan.session.address_pool.as_ref().map(ToString::to_string),
        })
    }
}

impl Store {
    /// Adds a plan; its profile name ([`profile_name`]) is set in the same
    /// transaction, from the new id.
    pub async fn add_plan(&self, new: &NewPlan) -> Result<PlanId, StoreError> {
        let v = PlanValues::new(new)?;
        let mut tx = self.write().await?;
        let now = ts(self.now());
        let id: i64 = sqlx::query(
            "INSERT INTO plans (name, download_bps, upload_bps, burst_download_bps, burst_upload_bps,
                                burst_threshold_download_bps, burst_threshold_upload_bps,
                                burst_time_download_s, burst_time_upload_s, price, billing_cycle,
                                tax_rate, session_timeout_s, idle_timeout_s, address_pool, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(v.download)
        .bind(v.upload)
        .bind(v.burst[0])
        .bind(v.burst[1])
        .bind(v.burst[2])
        .bind(v.burst[3])
        .bind(v.burst[4])
        .bind(v.burst[5])
        .bind(&v.price)
        .bind(&v.cycle)
        .bind(&v.tax_rate)
        .bind(v.session_timeout)
        .bind(v.idle_timeout)
        .bind(&v.address_pool)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique_violation("a plan named", &new.name))?
        .try_get(0)?;
        let id = PlanId(id);
        sqlx::query("UPDATE plans SET profile_name = ? WHERE id = ?")
            .bind(profile_name(id, &new.name))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a plan's name, rates, price and cycle. The profile keeps its
    /// name; every router with a service on the plan is asked to sweep, so
    /// the new rate reaches them all.
    pub async fn update_plan(&self, id: PlanId, new: &NewPlan) -> Result<(), StoreError> {
        let v = PlanValues::new(new)?;
        let mut tx = self.write().await?;
        let now = ts(self.now());
        let done = sqlx::query(
            "UPDATE plans SET name = ?, download_bps = ?, upload_bps = ?, burst_download_bps = ?,
                    burst_upload_bps = ?, burst_threshold_download_bps = ?, burst_threshold_upload_bps = ?,
                    burst_time_download_s = ?, burst_time_upload_s = ?, price = ?, billing_cycle = ?,
                    tax_rate = ?, session_timeout_s = ?, idle_timeout_s = ?, address_pool = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(&new.name)
        .bind(v.download)
        .bind(v.upload)
        .bind(v.burst[0])
        .bind(v.burst[1])
        .bind(v.burst[2])
        .bind(v.burst[3])
        .bind(v.burst[4])
        .bind(v.burst[5])
        .bind(&v.price)
        .bind(&v.cycle)
        .bind(&v.tax_rate)
        .bind(v.session_timeout)
        .bind(v.idle_timeout)
        .bind(&v.address_pool)
        .bind(&now)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(unique_violation("a plan named", &new.name))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("plan {id}")));
        }
        sqlx::query(
            "INSERT OR REPLACE INTO sweep_requests (router_id, requested_at)
             SELECT DISTINCT router_id, ? FROM services WHERE plan_id = ?",
        )
        .bind(&now)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn plan(&self, id: PlanId) -> Result<Option<Plan>, StoreError> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(plan_row).transpose()
    }

    pub async fn plan_by_name(&self, name: &str) -> Result<Option<Plan>, StoreError> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE name = ?");
        let row = sqlx::query(&sql).bind(name).fetch_optional(&self.pool).await?;
        row.as_ref().map(plan_row).transpose()
    }

    /// Every plan, by name.
    pub async fn plans(&self) -> Result<Vec<Plan>, StoreError> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM plans ORDER BY name");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(plan_row).collect()
    }
}

fn plan_row(row: &SqliteRow) -> Result<Plan, StoreError> {
    let rate = |col: &str| -> Result<Option<Rate>, StoreError> {
        let bps: Option<i64> = row.try_get(col)?;
        bps.map(|b| u64::try_from(b).map(Rate::bits_per_second).map_err(|e| corrupt("plans", e))).transpose()
    };
    let secs = |col: &str| -> Result<Option<u32>, StoreError> {
        let s: Option<i64> = row.try_get(col)?;
        s.map(|s| u32::try_from(s).map_err(|e| corrupt("plans", e))).transpose()
    };
    let timeout = |col: &str| -> Result<Option<Timeout>, StoreError> {
        secs(col)?
            .map(|s| Timeout::from_seconds(s).ok_or_else(|| corrupt("plans", format!("{col} {s} is out of range"))))
            .transpose()
    };
    let required = |col: &str| -> Result<Rate, StoreError> {
        rate(col)?.ok_or_else(|| corrupt("plans", format!("{col} is NULL")))
    };
    let burst = match (
        rate("burst_upload_bps")?,
        rate("burst_download_bps")?,
        rate("burst_threshold_upload_bps")?,
        rate("burst_threshold_download_bps")?,
        secs("burst_time_upload_s")?,
        secs("burst_time_download_s")?,
    ) {
        (Some(ru), Some(rd), Some(tu), Some(td), Some(su), Some(sd)) => Some(Burst {
            rate: Pair { upload: ru, download: rd },
            threshold: Pair { upload: tu, download: td },
            time: Pair { upload: su, download: sd },
        }),
        (None, None, None, None, None, None) => None,
        _ => return Err(corrupt("plans", "a burst with some of its values missing")),
    };
    let price: String = row.try_get("price")?;
    let cycle: String = row.try_get("billing_cycle")?;
    Ok(Plan {
        id: PlanId(row.try_get("id")?),
        name: row.try_get("name")?,
        profile: row
            .try_get::<Option<String>, _>("profile_name")?
            .ok_or_else(|| corrupt("plans", "a plan without a profile name"))?,
        limits: RateLimit { upload: required("upload_bps")?, download: required("download_bps")?, burst },
        price: Decimal::from_str(&price).map_err(|e| corrupt("plans", e))?,
        cycle: BillingCycle::from_str(&cycle).map_err(|e| corrupt("plans", e))?,
        tax_rate: row
            .try_get::<Option<String>, _>("tax_rate")?
            .map(|r| TaxRate::from_str(&r).map_err(|e| corrupt("plans", e)))
            .transpose()?,
        session: SessionLimits {
            session_timeout: timeout("session_timeout_s")?,
            idle_timeout: timeout("idle_timeout_s")?,
            address_pool: row
                .try_get::<Option<String>, _>("address_pool")?
                .map(|p| PoolName::from_str(&p).map_err(|e| corrupt("plans", e)))
                .transpose()?,
        },
    })
}

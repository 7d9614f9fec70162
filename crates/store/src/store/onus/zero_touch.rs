//! What zero-touch provisioning needs: a service's ONU serial and VLAN, a
//! plan's OLT profile, the services waiting for their ONU with the
//! defaults core gives their registration, and the registrations under
//! way ([`ZtpAttempt`]), which outlive a registration that could not be
//! seen through.

use headend_core::olt::{AuthorizeDefaults, OltProfile};
use headend_core::{OltId, OnuId, PlanId, ServiceId};
use jiff::Timestamp;
use sqlx::Row;

use super::vlan_col;
use crate::error::StoreError;
use crate::store::{Store, parse_ts, ts, unique_violation};

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
    /// What its ONU is registered with: the plan's profiles, the service's
    /// VLAN over the plan's, its description (core's one rule).
    pub defaults: AuthorizeDefaults,
    /// An ONU with this serial already registered (by hand, on any OLT):
    /// link it instead of registering it.
    pub registered: Option<OnuId>,
}

/// A zero-touch registration begun on an OLT and not seen through: the
/// ONU with `serial` may be registered there, half-configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZtpAttempt {
    pub olt: OltId,
    pub serial: String,
    pub service: ServiceId,
    /// The PON port it was registered on (`frame/slot/port`).
    pub port: String,
    pub started_at: Timestamp,
    /// The service still waits for this ONU: pending or active, the serial
    /// still its, no ONU linked. `false`: the attempt is moot (the ONU was
    /// linked, the serial changed, the service ended).
    pub waiting: bool,
}

impl Store {
    /// Records that zero-touch is about to register `serial` on `olt`
    /// for `service` (before the first command is sent).
    pub async fn begin_ztp_attempt(
        &self,
        olt: OltId,
        service: ServiceId,
        serial: &str,
        port: &str,
    ) -> Result<(), StoreError> {
        self.execute_write(
            sqlx::query(
                "INSERT OR REPLACE INTO zero_touch_attempts (olt_id, serial, service_id, port, started_at)
             VALUES (?, ?, ?, ?, ?)",
            )
            .bind(olt.0)
            .bind(serial)
            .bind(service.0)
            .bind(port)
            .bind(ts(self.now())),
        )
        .await?;
        Ok(())
    }

    /// The registration of `serial` on `olt` was seen through: the ONU is
    /// linked, or nothing of it is left on the OLT.
    pub async fn end_ztp_attempt(&self, olt: OltId, serial: &str) -> Result<(), StoreError> {
        self.execute_write(
            sqlx::query("DELETE FROM zero_touch_attempts WHERE olt_id = ? AND serial = ?").bind(olt.0).bind(serial),
        )
        .await?;
        Ok(())
    }

    /// The zero-touch registrations on `olt` not seen through.
    pub async fn ztp_attempts(&self, olt: OltId) -> Result<Vec<ZtpAttempt>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.serial, a.service_id, a.port, a.started_at,
                    EXISTS (SELECT 1 FROM services s
                            WHERE s.id = a.service_id AND s.onu_serial = a.serial
                              AND s.status IN ('pending', 'active')
                              AND NOT EXISTS (SELECT 1 FROM onus n WHERE n.service_id = s.id)) AS waiting
             FROM zero_touch_attempts a WHERE a.olt_id = ? ORDER BY a.started_at, a.serial",
        )
        .bind(olt.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ZtpAttempt {
                    olt,
                    serial: row.try_get("serial")?,
                    service: ServiceId(row.try_get("service_id")?),
                    port: row.try_get("port")?,
                    started_at: parse_ts("zero_touch_attempts", row.try_get("started_at")?)?,
                    waiting: row.try_get("waiting")?,
                })
            })
            .collect()
    }

    /// Sets a service's ONU serial (zero-touch) and VLAN override. A serial
    /// another service has is [`StoreError::Duplicate`].
    pub async fn set_service_onu(&self, service: ServiceId, onu: &ServiceOnu) -> Result<(), StoreError> {
        if let Some(vlan) = onu.vlan
            && !headend_core::olt::valid_vlan(vlan)
        {
            return Err(StoreError::Invalid(format!("VLAN {vlan} is outside 1-4094")));
        }
        let done = self
            .execute_write(
                sqlx::query("UPDATE services SET onu_serial = ?, onu_vlan = ?, updated_at = ? WHERE id = ?")
                    .bind(&onu.serial)
                    .bind(onu.vlan)
                    .bind(ts(self.now()))
                    .bind(service.0),
            )
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
        let done = self.execute_write(sqlx::query(
            "UPDATE plans SET olt_line_profile = ?, olt_service_profile = ?, onu_vlan = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&profile.line)
        .bind(&profile.service)
        .bind(profile.vlan)
        .bind(ts(self.now()))
        .bind(plan.0)
        )
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
    /// pending or active, with a serial, and no ONU linked. An ONU listed
    /// with the serial is `registered` (to link) unless a zero-touch
    /// registration of it on its OLT was not seen through: that one may be
    /// half-configured, and the OLT's next sweep removes it.
    pub async fn ztp_candidates(&self) -> Result<Vec<ZtpCandidate>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.onu_serial, s.onu_vlan, c.name AS customer_name,
                    IFNULL(s.username, s.ip_address) || ' (' || c.name || ')' AS service_label,
                    p.id AS plan_id, p.name AS plan_name, p.olt_line_profile, p.olt_service_profile,
                    p.onu_vlan AS plan_vlan,
                    (SELECT n.id FROM onus n
                     WHERE n.serial = s.onu_serial
                       AND NOT EXISTS (SELECT 1 FROM zero_touch_attempts a
                                       WHERE a.olt_id = n.olt_id AND a.serial = n.serial)
                     ORDER BY n.id LIMIT 1) AS registered
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
                let service = ServiceId(row.try_get("id")?);
                let customer_name: String = row.try_get("customer_name")?;
                let plan_profile = OltProfile {
                    line: row.try_get("olt_line_profile")?,
                    service: row.try_get("olt_service_profile")?,
                    vlan: vlan_col("plans", row.try_get("plan_vlan")?)?,
                };
                let own_vlan = vlan_col("services", row.try_get("onu_vlan")?)?;
                Ok(ZtpCandidate {
                    service,
                    serial: row.try_get("onu_serial")?,
                    defaults: AuthorizeDefaults::for_service(service, &customer_name, Some(plan_profile), own_vlan),
                    customer_name,
                    service_label: row.try_get("service_label")?,
                    plan: PlanId(row.try_get("plan_id")?),
                    plan_name: row.try_get("plan_name")?,
                    registered: row.try_get::<Option<i64>, _>("registered")?.map(OnuId),
                })
            })
            .collect()
    }
}

//! The ISP's provisioning rules.

use headend_core::activity::{Actor, Subject};
use headend_core::provision::policy::{IspPolicy, MAX_ATTEMPTS, SuspensionMode, checked_grace};
use jiff::tz::TimeZone;

use crate::{WorkflowError, Workflows};

/// A change to the policy: what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct PolicyChange {
    /// An IANA time zone name.
    pub time_zone: Option<String>,
    pub grace_days: Option<u32>,
    pub suspension: Option<SuspensionMode>,
    pub static_queues: Option<bool>,
    pub max_attempts: Option<u32>,
}

impl Workflows {
    /// Applies `change` to the ISP's policy, within the bounds core sets.
    /// Every router is swept: the rules decide what all of them hold.
    pub async fn change_policy(&self, actor: &Actor, change: PolicyChange) -> Result<IspPolicy, WorkflowError> {
        let mut policy = self.store.isp_policy().await?;
        if let Some(zone) = &change.time_zone {
            policy.time_zone = TimeZone::get(zone).map_err(|_| {
                WorkflowError::invalid(
                    "time_zone",
                    format!("unknown time zone {zone:?}: use an IANA name such as America/Sao_Paulo"),
                )
            })?;
        }
        if let Some(days) = change.grace_days {
            policy.grace_days = checked_grace(days).map_err(|e| WorkflowError::invalid("grace_days", e.to_string()))?;
        }
        if let Some(attempts) = change.max_attempts {
            if !MAX_ATTEMPTS.contains(&attempts) {
                return Err(WorkflowError::invalid(
                    "max_attempts",
                    format!("attempts are {} to {}, not {attempts}", MAX_ATTEMPTS.start(), MAX_ATTEMPTS.end()),
                ));
            }
            policy.max_attempts = attempts;
        }
        policy.suspension = change.suspension.unwrap_or(policy.suspension);
        policy.static_queues = change.static_queues.unwrap_or(policy.static_queues);
        self.store.set_isp_policy(&policy).await?;
        let zone = policy.time_zone.iana_name().unwrap_or("UTC");
        let detail = format!(
            "time zone {zone}, grace {} day(s), suspension {}, static queues {}, max attempts {}",
            policy.grace_days,
            policy.suspension.as_str(),
            if policy.static_queues { "yes" } else { "no" },
            policy.max_attempts
        );
        self.log(actor, Subject::Policy, "policy-set", detail).await;
        for router in self.store.routers().await? {
            self.sweep(router.id);
        }
        Ok(policy)
    }
}

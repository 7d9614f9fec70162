//! GPON OLTs: the inventory with its keyring entries and pinned host keys,
//! and the ONU workflows (authorize with the service's defaults,
//! deregister, zero-touch, a plan's OLT profile, the signal settings).

use headend_core::activity::{Actor, Subject};
use headend_core::geo::GeoPoint;
use headend_core::olt::{AuthorizeDefaults, Olt, OltProfile, OltVendor, valid_vlan};
use headend_core::optical::{SignalPolicy, SignalRetention, SignalRetentionError, Thresholds};
use headend_core::queue::OltAction;
use headend_core::{OltId, OnuId, PlanId, ServiceId};
use headend_olt::{AuthorizeRequest, OnuRef, PonPort, SerialNumber, Vlan};
use headend_pon::{OltFleet, onu_profile};
use headend_secrets::SecretKey;
use headend_store::{NewOlt, ServiceOnu};

use crate::devices::{Device, checked_host, checked_name, checked_port, checked_user};
use crate::error::name_taken;
use crate::{WorkflowError, Workflows};

/// An OLT as the form or the command line gives it.
#[derive(Debug, Clone)]
pub struct OltInput {
    pub name: String,
    pub vendor: OltVendor,
    pub host: String,
    /// `None`: 22.
    pub port: Option<u16>,
    pub username: String,
    /// The point of presence, by name; made if new.
    pub pop: Option<String>,
    pub location: Option<GeoPoint>,
}

/// What removing an OLT did.
#[derive(Debug)]
pub struct RemovedOlt {
    pub olt: Olt,
    /// Why its password is still in the keyring, if it is.
    pub password_kept: Option<WorkflowError>,
}

/// A host key the operator now trusts.
#[derive(Debug, Clone)]
pub struct PinnedKey {
    pub olt: Olt,
    pub host_key: String,
    pub previous: Option<String>,
}

/// An ONU to register. What is `None` comes from the service (its plan's
/// OLT profile, its VLAN, its description) when one is named.
#[derive(Debug, Clone)]
pub struct AuthorizeOnu {
    pub olt: OltId,
    pub port: PonPort,
    pub serial: SerialNumber,
    pub service: Option<ServiceId>,
    pub line: Option<String>,
    pub service_profile: Option<String>,
    pub vlan: Option<u16>,
    pub description: Option<String>,
}

/// A registered ONU and what it was registered with.
#[derive(Debug, Clone)]
pub struct AuthorizedOnu {
    pub olt: Olt,
    pub at: OnuRef,
    /// Its row, once recorded.
    pub onu: Option<OnuId>,
    pub profile: OltProfile,
    pub description: Option<String>,
}

/// The ONU a technician will install for a service: its serial and VLAN,
/// or `None` to clear both.
#[derive(Debug, Clone, Default)]
pub struct ZeroTouch {
    pub serial: Option<SerialNumber>,
    pub vlan: Option<u16>,
}

fn checked_vlan(vlan: Option<u16>) -> Result<Option<u16>, WorkflowError> {
    match vlan {
        Some(v) if !valid_vlan(v) => Err(WorkflowError::invalid("vlan", format!("{v} is not a VLAN (1-4094)"))),
        other => Ok(other),
    }
}

fn text(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Workflows {
    pub async fn olt(&self, id: OltId) -> Result<Olt, WorkflowError> {
        self.store.olt(id).await?.ok_or_else(|| WorkflowError::NotFound(format!("no OLT {id}")))
    }

    fn new_olt(input: &OltInput, pop: Option<headend_core::PopId>) -> Result<NewOlt, WorkflowError> {
        Ok(NewOlt {
            name: checked_name(&input.name, "OLT")?,
            vendor: input.vendor,
            host: checked_host(&input.host)?,
            port: checked_port(input.port, 22)?,
            username: checked_user(&input.username, "CLI")?,
            pop,
            location: input.location,
        })
    }

    /// Adds an OLT with its password: nothing is half-added. Its SSH host
    /// key is pinned on the first connection.
    pub async fn add_olt(&self, actor: &Actor, input: OltInput, password: String) -> Result<Olt, WorkflowError> {
        let new = Self::new_olt(&input, None)?;
        if self.store.olt_by_name(&new.name).await?.is_some() {
            return Err(WorkflowError::invalid("name", format!("an OLT named {:?} already exists", new.name)));
        }
        let store = &self.store;
        let id = self
            .add_with_password(
                Device { what: "OLT", name: &new.name, pop: input.pop.as_deref() },
                password,
                async |pop| store.add_olt(&NewOlt { pop, ..new.clone() }).await,
                SecretKey::olt,
                async |id| store.remove_olt(id).await,
            )
            .await?;
        let detail = format!("{} ({}) at {}:{}", new.name, new.vendor, new.host, new.port);
        self.log(actor, Subject::Olt(id), "olt added", detail).await;
        self.olt(id).await
    }

    /// Edits an OLT; a new password replaces the keyring's.
    pub async fn edit_olt(
        &self,
        actor: &Actor,
        id: OltId,
        input: OltInput,
        password: Option<String>,
    ) -> Result<Olt, WorkflowError> {
        let old = self.olt(id).await?;
        let mut new = Self::new_olt(&input, old.pop)?;
        new.location = input.location.or(old.location);
        if let Some(pop) = input.pop.as_deref() {
            new.pop = Some(self.store.find_or_add_pop(pop.trim()).await?.0);
        }
        self.store.update_olt(id, &new).await.map_err(name_taken)?;
        if let Some(password) = password.filter(|p| !p.is_empty()) {
            self.keyring.set(&self.store, SecretKey::olt(id), password).await?;
        }
        let detail = format!("{} ({}) at {}:{}", new.name, new.vendor, new.host, new.port);
        self.log(actor, Subject::Olt(id), "olt edited", detail).await;
        self.olt(id).await
    }

    /// Removes an OLT, then its password.
    pub async fn remove_olt(&self, actor: &Actor, id: OltId) -> Result<RemovedOlt, WorkflowError> {
        let olt = self.olt(id).await?;
        self.store.remove_olt(id).await?;
        self.log(actor, Subject::Olt(id), "olt removed", olt.name.clone()).await;
        let password_kept = self.keyring.delete(&self.store, SecretKey::olt(id)).await.err();
        if let Some(err) = &password_kept {
            tracing::warn!("OLT {id} removed, but its password is still in the keyring: {err}");
        }
        Ok(RemovedOlt { olt, password_kept })
    }

    /// Trusts the host key the OLT presents now (its control board was
    /// replaced). `expected` is the key the operator was shown, if the
    /// console showed one: a key that changed again since is refused.
    pub async fn pin_olt_key(
        &self,
        actor: &Actor,
        id: OltId,
        expected: Option<&str>,
    ) -> Result<PinnedKey, WorkflowError> {
        let olt = self.olt(id).await?;
        let health = self.store.olt_health(id).await?.unwrap_or_default();
        let presented = match (health.presented_key, expected) {
            (Some(now), Some(shown)) if now != shown => {
                return Err(WorkflowError::invalid(
                    "presented",
                    format!("{} now presents another key ({now}); look at it again before pinning", olt.name),
                ));
            }
            (Some(now), _) => now,
            (None, _) => {
                return Err(WorkflowError::invalid(
                    "presented",
                    format!(
                        "OLT {:?} has presented no other host key{}; nothing to pin",
                        olt.name,
                        olt.host_key.as_deref().map(|k| format!(" (pinned: {k})")).unwrap_or_default()
                    ),
                ));
            }
        };
        self.store.set_olt_host_key(id, Some(&presented)).await?;
        let previous = olt.host_key.clone();
        let detail = format!("{presented} now trusted instead of {}", previous.as_deref().unwrap_or("none"));
        self.log(actor, Subject::Olt(id), "host key pinned", detail).await;
        Ok(PinnedKey { olt, host_key: presented, previous })
    }

    /// What registering an ONU for `service` starts from.
    pub async fn authorize_defaults(&self, service: ServiceId) -> Result<AuthorizeDefaults, WorkflowError> {
        let s = self.service(service).await?;
        let plan_profile = self.store.plan_olt_profile(s.plan).await?;
        let own_vlan = self.store.service_onu(service).await?.and_then(|o| o.vlan);
        Ok(AuthorizeDefaults::for_service(service, &s.customer_name, plan_profile, own_vlan))
    }

    /// Registers an ONU over SSH, linked to a service if one is named; a
    /// zero-touch retry waiting for that service is then settled.
    pub async fn authorize_onu(
        &self,
        actor: &Actor,
        fleet: &OltFleet,
        input: AuthorizeOnu,
    ) -> Result<AuthorizedOnu, WorkflowError> {
        let olt = self.olt(input.olt).await?;
        let (mut profile, mut description) = match input.service {
            Some(service) => {
                let d = self.authorize_defaults(service).await?;
                (d.profile, Some(d.description))
            }
            None => (OltProfile::default(), None),
        };
        if let Some(line) = text(input.line) {
            profile.line = Some(line);
        }
        if let Some(service_profile) = text(input.service_profile) {
            profile.service = Some(service_profile);
        }
        if let Some(vlan) = checked_vlan(input.vlan)? {
            profile.vlan = Some(vlan);
        }
        if let Some(given) = text(input.description) {
            description = Some(given);
        }
        let equipment = self
            .store
            .autofind_onus(Some(olt.id))
            .await?
            .into_iter()
            .find(|f| f.serial == input.serial.as_str())
            .and_then(|f| f.equipment);
        let request = AuthorizeRequest {
            port: input.port,
            serial: input.serial.clone(),
            onu_id: None,
            profile: onu_profile(olt.vendor, &profile, equipment.as_deref()),
            vlan: profile.vlan.and_then(Vlan::new),
            description: description.clone(),
        };
        let at = fleet.authorize(&olt, request, input.service, actor.clone()).await?;
        if let Some(service) = input.service
            && let Err(e) = self.store.olt_queue_clear(service, OltAction::Authorize).await
        {
            tracing::warn!(%service, error = %e, "cannot clear the zero-touch queue");
        }
        let onu = self.store.onu_by_serial(input.serial.as_str()).await?.map(|o| o.id);
        Ok(AuthorizedOnu { olt, at, onu, profile, description })
    }

    /// Removes an ONU's registration from the OLT and its row here.
    pub async fn deregister_onu(
        &self,
        actor: &Actor,
        fleet: &OltFleet,
        olt: OltId,
        at: OnuRef,
    ) -> Result<Option<String>, WorkflowError> {
        let olt = self.olt(olt).await?;
        let serial = self
            .store
            .onus(olt.id, Some(&at.port.to_string()))
            .await?
            .into_iter()
            .find(|o| o.index == at.id)
            .map(|o| o.serial);
        fleet.deregister(&olt, at, actor.clone()).await?;
        Ok(serial)
    }

    /// What a plan tells the OLT when its subscribers' ONUs are registered.
    pub async fn set_plan_olt_profile(
        &self,
        actor: &Actor,
        plan: PlanId,
        profile: OltProfile,
    ) -> Result<OltProfile, WorkflowError> {
        let profile =
            OltProfile { line: text(profile.line), service: text(profile.service), vlan: checked_vlan(profile.vlan)? };
        self.plan(plan).await?;
        self.store.set_plan_olt_profile(plan, &profile).await?;
        let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
        let detail = format!(
            "line {}, service {}, VLAN {}",
            show(&profile.line),
            show(&profile.service),
            profile.vlan.map_or_else(|| "none".into(), |v| v.to_string())
        );
        self.log(actor, Subject::Plan(plan), "olt profile set", detail).await;
        Ok(profile)
    }

    /// The serial of the ONU a technician will install: the app or the
    /// agent registers it when it shows up in an OLT's autofind.
    pub async fn set_zero_touch(
        &self,
        actor: &Actor,
        id: ServiceId,
        zero_touch: ZeroTouch,
    ) -> Result<ServiceOnu, WorkflowError> {
        self.service(id).await?;
        let onu = ServiceOnu { serial: zero_touch.serial.map(|s| s.to_string()), vlan: checked_vlan(zero_touch.vlan)? };
        self.store.set_service_onu(id, &onu).await?;
        let detail = match &onu.serial {
            Some(serial) => format!("ONU {serial}{}", onu.vlan.map(|v| format!(", VLAN {v}")).unwrap_or_default()),
            None => "no ONU serial".to_owned(),
        };
        self.log(actor, Subject::Service(id), "onu serial set", detail).await;
        Ok(onu)
    }

    /// Changes the signal sweep's interval, thresholds and retention; what
    /// is `None` stays.
    pub async fn change_signal_settings(
        &self,
        actor: &Actor,
        change: SignalChange,
    ) -> Result<SignalPolicy, WorkflowError> {
        let mut policy = self.store.signal_policy().await?;
        let before = policy;
        let invalid = |field, e: &dyn std::fmt::Display| WorkflowError::invalid(field, e.to_string());
        if let Some(m) = change.sweep_minutes {
            policy.set_interval_minutes(m).map_err(|e| invalid("sweep_minutes", &e))?;
        }
        if change.warning.is_some() || change.critical.is_some() || change.overload.is_some() {
            let t = policy.thresholds;
            policy.thresholds = Thresholds::new(
                change.warning.unwrap_or(t.warning_below()),
                change.critical.unwrap_or(t.critical_below()),
                change.overload.unwrap_or(t.critical_above()),
            )
            .map_err(|e| invalid("thresholds", &e))?;
        }
        if change.raw_days.is_some() || change.history_days.is_some() {
            let r = policy.retention;
            let (raw, history) =
                (change.raw_days.unwrap_or(r.raw_days()), change.history_days.unwrap_or(r.history_days()));
            policy.retention = SignalRetention::new(raw, history).map_err(|e| match e {
                SignalRetentionError::Raw(_) => invalid("raw_days", &e),
                SignalRetentionError::History { .. } => invalid("history_days", &e),
            })?;
        }
        if let Some(d) = change.log_days {
            policy.set_command_log_days(d).map_err(|e| invalid("log_days", &e))?;
        }
        if policy != before {
            self.store.set_signal_policy(&policy).await?;
            self.log(actor, Subject::OltSettings, "signal settings changed", describe_signal(&policy)).await;
        }
        Ok(policy)
    }
}

/// A change to the signal sweep's settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignalChange {
    pub sweep_minutes: Option<u16>,
    pub warning: Option<f64>,
    pub critical: Option<f64>,
    pub overload: Option<f64>,
    /// Days of every reading, before they are rolled up into hours.
    pub raw_days: Option<u16>,
    pub history_days: Option<u16>,
    pub log_days: Option<u16>,
}

/// The signal settings in one line.
pub fn describe_signal(policy: &SignalPolicy) -> String {
    let t = policy.thresholds;
    format!(
        "signal sweep every {} min; ONU Rx warning below {} dBm, critical below {} or above {} dBm; every reading kept {} days, then hourly until {} days; command log {} days",
        policy.interval_minutes(),
        t.warning_below(),
        t.critical_below(),
        t.critical_above(),
        policy.retention.raw_days(),
        policy.retention.history_days(),
        policy.command_log_days()
    )
}

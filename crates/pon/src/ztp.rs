//! Zero-touch provisioning: a service waiting for installation (pending or
//! active) carries its ONU's serial; when that serial shows up in an OLT's
//! autofind, the ONU is registered with the plan's OLT profile and VLAN
//! (the service's VLAN first), described as the service and customer,
//! linked to the service, and the activity log says so. An ONU with that
//! serial already registered (by hand) is just linked.
//!
//! A failure goes to the durable `olt_queue` with the queues' backoff
//! (`headend_core::queue::backoff`) and the ISP's `max_attempts`; the ONU
//! is tried again the next time it is seen in autofind after its next
//! attempt is due. After the last attempt (or at once when the request
//! cannot be made, such as a plan without profiles) an
//! [`OnuAuthorizeFailed`] event tells the operator;
//! `Store::olt_queue_retry` starts over.
//!
//! **Half-registered ONUs.** Each registration is recorded as an attempt
//! (`Store::begin_ztp_attempt`) before its first command and cleared once
//! the ONU is linked or nothing of it is left. A registration that fails
//! after the OLT may have applied its registering command is undone by the
//! client on a fresh session; when even that cannot reach the OLT (or the
//! process stopped mid-way) the attempt stays, and the ONU may sit on the
//! OLT registered, half-configured and out of autofind, where zero-touch
//! would never see it again. The OLT's next signal sweep finds it by serial
//! ([`OltFleet::remove_half_registered`]) and deregisters it rather than
//! completing it: a registration whose steps are unknown is not trusted
//! (its profile, VLAN or service port may be missing or half-written),
//! and removing it puts the ONU back in autofind, so zero-touch registers
//! it from scratch with the same defaults (after the queue's backoff, like
//! any failed attempt). The service's activity log says so and one
//! [`OltEvent::AuthorizeFailed`] tells the operator. An ONU with the
//! serial is never linked as "registered by hand" while its attempt stands.

use std::collections::HashMap;
use std::sync::Arc;

use headend_core::activity::{Actor, Subject};
use headend_core::olt::{AuthorizeDefaults, Olt, OnuAuthorizeFailed, OnuAuthorized};
use headend_core::queue::{Backoff, OltAction, QueueStatus};
use headend_core::{OnuId, ServiceId};
use headend_olt::{AuthorizeRequest, OltDriver, OltError, Onu, OnuRef, PonPort, SerialNumber, Vlan};
use headend_store::ZtpCandidate;
use tokio::task::JoinSet;

use crate::convert;
use crate::fleet::{OltEngineError, OltEvent, OltFleet};

/// What one round of zero-touch provisioning did.
#[derive(Debug, Clone, Default)]
pub struct ZtpReport {
    /// Services waiting for their ONU at the start.
    pub waiting: usize,
    pub authorized: Vec<OnuAuthorized>,
    /// ONUs found already registered and linked to their service.
    pub linked: Vec<(ServiceId, OnuId)>,
    /// Attempts that failed (queued for a retry, or given up).
    pub failed: Vec<(ServiceId, String)>,
    /// Failures that were final.
    pub gave_up: Vec<OnuAuthorizeFailed>,
    /// OLTs whose autofind could not be read.
    pub errors: Vec<String>,
}

/// The registration of `serial` on `port` for a service.
fn request(
    olt: &Olt,
    port: PonPort,
    serial: SerialNumber,
    defaults: &AuthorizeDefaults,
    equipment: Option<&str>,
) -> Result<AuthorizeRequest, OltError> {
    let profile = &defaults.profile;
    let vlan = match profile.vlan {
        Some(v) => Some(Vlan::new(v).ok_or_else(|| OltError::InvalidRequest(format!("VLAN {v} is outside 1-4094")))?),
        None => None,
    };
    Ok(AuthorizeRequest {
        port,
        serial,
        onu_id: None,
        profile: convert::onu_profile(olt.vendor, profile, equipment),
        vlan,
        description: Some(defaults.description.clone()),
    })
}

impl OltFleet {
    /// One round: link ONUs registered by hand, then look for the waiting
    /// serials in every OLT's autofind (in parallel) and register them.
    pub async fn zero_touch(&self) -> Result<ZtpReport, OltEngineError> {
        let store = self.store().clone();
        let candidates = store.ztp_candidates().await?;
        let mut report = ZtpReport { waiting: candidates.len(), ..ZtpReport::default() };
        if candidates.is_empty() {
            return Ok(report);
        }
        let now = self.now();
        let mut waiting: HashMap<String, ZtpCandidate> = HashMap::new();
        for c in candidates {
            if let Some(onu) = c.registered {
                match store.link_onu_service(onu, Some(c.service)).await {
                    Ok(()) => {
                        store.olt_queue_clear(c.service, OltAction::Authorize).await?;
                        self.activity(
                            Actor::Engine,
                            Subject::Service(c.service),
                            "onu linked",
                            format!("{} was already registered", c.serial),
                        )
                        .await;
                        report.linked.push((c.service, onu));
                    }
                    Err(e) => tracing::warn!(service = %c.service, error = %e, "cannot link the ONU"),
                }
                continue;
            }
            let Ok(serial) = SerialNumber::parse(&c.serial) else {
                tracing::warn!(service = %c.service, serial = %c.serial, "not a GPON serial; zero-touch skips it");
                continue;
            };
            let held = store.olt_queue_for_service(c.service).await?.into_iter().any(|e| {
                e.action == OltAction::Authorize
                    && (e.status == QueueStatus::Failed
                        || (e.status == QueueStatus::Retrying && e.next_attempt_at > now))
            });
            if !held {
                waiting.insert(serial.to_string(), c);
            }
        }
        if waiting.is_empty() {
            return Ok(report);
        }
        let waiting = Arc::new(waiting);
        let mut tasks = JoinSet::new();
        for olt in store.olts().await? {
            if self.refused(olt.id).is_some() {
                continue;
            }
            let fleet = self.clone();
            let waiting = waiting.clone();
            tasks.spawn(async move { fleet.zero_touch_olt(&olt, &waiting).await });
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(part)) => {
                    report.authorized.extend(part.authorized);
                    report.failed.extend(part.failed);
                    report.gave_up.extend(part.gave_up);
                }
                Ok(Err(e)) => report.errors.push(e.to_string()),
                Err(e) => report.errors.push(format!("a zero-touch task stopped: {e}")),
            }
        }
        Ok(report)
    }

    async fn zero_touch_olt(
        &self,
        olt: &Olt,
        waiting: &HashMap<String, ZtpCandidate>,
    ) -> Result<ZtpReport, OltEngineError> {
        self.lease(olt).await?;
        let found = self.autofind(olt).await?;
        let mut report = ZtpReport::default();
        for f in found {
            let Some(c) = waiting.get(f.serial.as_str()) else { continue };
            let attempt = request(olt, f.port, f.serial.clone(), &c.defaults, f.equipment_id.as_deref())
                .map_err(|source| OltEngineError::Olt { olt: olt.name.clone(), source });
            let result = match attempt {
                Ok(req) => self.register(olt, req, c.service).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(onu) => {
                    self.store().olt_queue_clear(c.service, OltAction::Authorize).await?;
                    tracing::info!(olt = %olt.name, serial = %f.serial, service = %c.service, %onu, "zero-touch: ONU registered");
                    let done = OnuAuthorized {
                        service: c.service,
                        olt: olt.id,
                        serial: f.serial.to_string(),
                        port: onu.port.to_string(),
                        onu_index: onu.id,
                    };
                    self.emit(OltEvent::Authorized(done.clone()));
                    report.authorized.push(done);
                }
                Err(e) => self.authorize_failed(olt, c, &e, &mut report).await?,
            }
        }
        Ok(report)
    }

    /// Registers a service's ONU, its attempt recorded from before the
    /// first command until it is linked or known not to be left on the OLT.
    async fn register(&self, olt: &Olt, req: AuthorizeRequest, service: ServiceId) -> Result<OnuRef, OltEngineError> {
        let store = self.store().clone();
        let serial = req.serial.to_string();
        let _registering = self.registering(olt.id, &serial);
        store.begin_ztp_attempt(olt.id, service, &serial, &req.port.to_string()).await?;
        let result = self.authorize(olt, req, Some(service), Actor::Engine).await;
        let left = matches!(&result, Err(OltEngineError::Olt { source: OltError::HalfRegistered { .. }, .. }));
        if !left {
            store.end_ztp_attempt(olt.id, &serial).await?;
        }
        result
    }

    /// Deregisters the ONUs in `onus` (a full listing of `olt`) that a
    /// zero-touch registration left half-configured, and takes them out of
    /// the listing; clears the attempts that left nothing. What cannot be
    /// removed now goes to `errors` and is tried at the next sweep. See the
    /// module's docs for why they are removed, not completed.
    pub(crate) async fn remove_half_registered(
        &self,
        olt: &Olt,
        onus: &mut Vec<Onu>,
        errors: &mut Vec<String>,
    ) -> Result<(), OltEngineError> {
        let store = self.store().clone();
        for attempt in store.ztp_attempts(olt.id).await? {
            if self.is_registering(olt.id, &attempt.serial) {
                continue;
            }
            let listed = onus.iter().position(|o| o.serial.as_ref().is_some_and(|s| s.to_string() == attempt.serial));
            let (Some(at), true) = (listed, attempt.waiting) else {
                // Nothing on the OLT (zero-touch meets it in autofind), or
                // the service no longer waits for it: the ONU, if listed,
                // is someone's and stays.
                store.end_ztp_attempt(olt.id, &attempt.serial).await?;
                continue;
            };
            let onu = onus[at].onu;
            if let Err(e) = self.with(olt, |h| async move { h.deregister(onu).await }).await {
                errors.push(format!("half-registered ONU {} at {onu} not removed yet: {e}", attempt.serial));
                continue;
            }
            onus.remove(at);
            store.remove_onu(olt.id, &onu.port.to_string(), onu.id).await?;
            store.end_ztp_attempt(olt.id, &attempt.serial).await?;
            let text = format!(
                "{} on {} {onu} was left half-registered by a failed zero-touch registration; \
                 deregistered it, zero-touch registers it again from autofind",
                attempt.serial, olt.name
            );
            tracing::warn!(olt = %olt.name, serial = %attempt.serial, service = %attempt.service, %onu, "zero-touch: removed a half-registered ONU");
            self.activity(
                Actor::Engine,
                Subject::Service(attempt.service),
                "onu half-registration removed",
                text.clone(),
            )
            .await;
            self.emit(OltEvent::AuthorizeFailed(OnuAuthorizeFailed {
                service: attempt.service,
                olt: Some(olt.id),
                serial: attempt.serial,
                error: text,
            }));
        }
        Ok(())
    }

    /// Queues a failed registration; tells the operator when it is final.
    async fn authorize_failed(
        &self,
        olt: &Olt,
        c: &ZtpCandidate,
        error: &OltEngineError,
        report: &mut ZtpReport,
    ) -> Result<(), OltEngineError> {
        let store = self.store();
        let now = self.now();
        let text = error.to_string();
        // A request that cannot be made (no profile, bad VLAN) will not
        // work next time either.
        let hopeless = matches!(error, OltEngineError::Olt { source: OltError::InvalidRequest(_), .. });
        let max_attempts = if hopeless { 1 } else { store.isp_policy().await?.max_attempts };
        let backoff = Backoff::Exponential { max_attempts, jitter: rand::random::<f64>() };
        let entry = store
            .olt_queue_failure(c.service, Some(olt.id), OltAction::Authorize, &c.serial, &text, now, backoff)
            .await?;
        tracing::info!(olt = %olt.name, serial = %c.serial, service = %c.service, attempts = entry.attempts, error = %text, "zero-touch: registration failed");
        report.failed.push((c.service, text.clone()));
        let (action, detail) = if entry.status == QueueStatus::Failed {
            (
                "onu authorize failed",
                format!("{} on {}: {text}; gave up after {} attempt(s)", c.serial, olt.name, entry.attempts),
            )
        } else {
            (
                "onu authorize retrying",
                format!("{} on {}: {text}; next attempt at {}", c.serial, olt.name, entry.next_attempt_at),
            )
        };
        self.activity(Actor::Engine, Subject::Service(c.service), action, detail).await;
        if entry.status == QueueStatus::Failed {
            let failed =
                OnuAuthorizeFailed { service: c.service, olt: Some(olt.id), serial: c.serial.clone(), error: text };
            self.emit(OltEvent::AuthorizeFailed(failed.clone()));
            report.gave_up.push(failed);
        }
        Ok(())
    }
}

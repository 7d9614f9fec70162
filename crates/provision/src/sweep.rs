//! One reconcile of one router: read the database's view and the router's,
//! diff, hold back what the durable queue says must wait, apply the rest,
//! and record every write (router log before and after, activity log,
//! queue, the services' provisioned state).
//!
//! Crash safety comes from the shape, not from bookkeeping: the diff is
//! computed from what the router holds, so a sweep after a crash at any
//! point simply finishes the job and never adds twice. Every write is in
//! the router log as `pending` before it is sent; a run that dies leaves it
//! `pending`, and the next sweep of that router marks it `interrupted`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::event::ProvisionFailed;
use headend_core::provision::desired::{self, ServiceSpec};
use headend_core::provision::diff::{self, Conflict, ProvisionPlan, Step};
use headend_core::provision::marker::{Installation, Marker, Ownership};
use headend_core::provision::observed::{Marked, ObservedRouter};
use headend_core::provision::policy::Entitlement;
use headend_core::queue::{Backoff, ProvisionAction, QueueStatus};
use headend_core::router::Router;
use headend_core::{RouterId, ServiceId};
use headend_routeros::client::ClientError;
use headend_routeros::ops::RouterApi;
use headend_secrets::SubscriberCipher;
use headend_store::{QueueEntry, RouterLogOutcome, Store, StoreError};
use jiff::Timestamp;

use crate::apply::{self, change};
use crate::command_text;
use crate::dialect::Dialect;
use crate::lease::RouterLease;
use crate::observe::observe;
use crate::radius::{RadiusInput, RadiusSide};

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("reading the router failed: {0}")]
    Read(#[source] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("FreeRADIUS's database: {0}")]
    Radius(String),
    #[error(
        "this sweep lost the router's lease (another Headend process took it over) and stopped writing; what it \
         did is recorded"
    )]
    LeaseLost,
}

/// Apply the plan, or only compute it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepMode {
    Apply,
    DryRun,
}

/// One step of a sweep's plan and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub service: Option<ServiceId>,
    pub kind: &'static str,
    /// What an operator reads: `disable PPP secret ana`.
    pub text: String,
    pub outcome: StepStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    /// Dry run: would be sent.
    Planned,
    /// The durable queue holds it back (backoff, or failed for good).
    Held(String),
    Applied,
    Failed(String),
}

/// What one sweep of one router did.
#[derive(Debug, Clone)]
pub struct RouterSweep {
    pub router: RouterId,
    pub router_name: String,
    /// A dry run or an applying sweep.
    pub mode: SweepMode,
    pub steps: Vec<StepReport>,
    pub conflicts: Vec<Conflict>,
    /// Failures that just became final: the operator is told.
    pub gave_up: Vec<ProvisionFailed>,
    pub read_ms: u64,
    pub apply_ms: u64,
}

impl RouterSweep {
    pub fn writes(&self) -> usize {
        self.steps.iter().filter(|s| matches!(s.outcome, StepStatus::Applied | StepStatus::Failed(_))).count()
    }
}

/// The queue's key for a step or a conflict.
type QueueKey = (Option<ServiceId>, ProvisionAction);

/// As long as a router's lease: past it, no live sweep can hold the row.
const QUEUE_LOCK_STALE: jiff::SignedDuration = headend_store::LEASE_TTL;

/// What a sweep works with besides the router itself.
pub struct SweepContext<'a> {
    pub store: &'a Store,
    /// Decrypts PPPoE passwords; without it PPPoE services are left alone.
    pub cipher: Option<&'a SubscriberCipher>,
    pub now: Timestamp,
    /// A random number in `[0, 1)` for the retry backoff's jitter.
    pub jitter: &'a (dyn Fn() -> f64 + Sync),
    /// The router's lease, renewed before each write phase: writing stops
    /// once it is lost. Without one (a dry run) nothing is written.
    pub lease: Option<&'a RouterLease<'a>>,
    /// FreeRADIUS's database and the router's shared secret, when RADIUS
    /// is set up: required for a router in RADIUS mode.
    pub radius: Option<&'a RadiusSide<'a>>,
}

/// Sweeps `router` over `api` now. An applying sweep holds the router's
/// lease ([`SweepContext::lease`]).
pub async fn sweep_router(
    cx: &SweepContext<'_>,
    api: &impl RouterApi,
    dialect: Dialect,
    router: &Router,
    mode: SweepMode,
) -> Result<RouterSweep, SweepError> {
    let SweepContext { store, cipher, now, jitter, lease, radius } = *cx;
    let nas = router.backend.nas();
    if nas.is_some() && radius.is_none() {
        return Err(SweepError::Radius(
            "the router is in RADIUS mode but no RADIUS database is set up (headend radius set)".into(),
        ));
    }
    let mut report = RouterSweep {
        router: router.id,
        router_name: router.name.clone(),
        mode,
        steps: Vec::new(),
        conflicts: Vec::new(),
        gave_up: Vec::new(),
        read_ms: 0,
        apply_ms: 0,
    };
    if mode == SweepMode::Apply {
        store.router_log_interrupt_pending(router.id).await?;
    }
    let policy = store.isp_policy().await?;
    let suspension = store.router_suspension(router.id).await?.unwrap_or(policy.suspension);
    let plans: BTreeMap<_, _> = store.plans().await?.into_iter().map(|p| (p.id, p)).collect();
    let rows = store.provisioning_rows(router.id).await?;
    let mut frozen = BTreeSet::new();
    let mut was_provisioned = HashMap::new();
    let mut specs = Vec::with_capacity(rows.len());
    for row in rows {
        let password = match (&row.password, cipher) {
            (None, _) => None,
            (Some(blob), Some(cipher)) => match cipher.decrypt(blob) {
                Ok(p) => Some(p),
                Err(e) => {
                    freeze(
                        &mut report,
                        &mut frozen,
                        row.service.id,
                        &format!("its PPPoE password cannot be decrypted ({e})"),
                    );
                    continue;
                }
            },
            (Some(_), None) => {
                freeze(
                    &mut report,
                    &mut frozen,
                    row.service.id,
                    "the key that decrypts PPPoE passwords is not available",
                );
                continue;
            }
        };
        was_provisioned.insert(row.service.id, row.router_provisioned);
        specs.push(ServiceSpec { service: row.service, password, adopt: row.adopt });
    }
    let with_queues = policy.static_queues || specs.iter().any(|s| s.service.access.kind() == "static");
    let read_started = std::time::Instant::now();
    let installation = store.installation_id().await?;
    let installation =
        Installation::new(&installation).map_err(|e| StoreError::Corrupt { table: "meta", detail: e.to_string() })?;
    let observed = observe(api, with_queues).await.map_err(SweepError::Read)?;
    report.read_ms = millis(read_started.elapsed());
    // Marked objects of services not on this router: known ones moved here
    // from elsewhere and go; unknown ones (another installation's) stay.
    let mine: BTreeSet<ServiceId> = specs.iter().map(|s| s.service.id).collect();
    let foreign: Vec<ServiceId> = marked_services(&observed, &installation)
        .filter(|id| !mine.contains(id) && !frozen.contains(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut known = store.existing_service_ids(&foreign).await?;
    known.extend(mine);
    let mut desired = desired::for_router(&policy, suspension, &plans, &specs, known, now);
    let radius_input = |sessions| RadiusInput {
        router,
        nas,
        specs: &specs,
        was_provisioned: &was_provisioned,
        plans: &plans,
        policy: &policy,
        suspension,
        sessions,
        now,
    };
    // RADIUS mode: FreeRADIUS gets the users before the router loses them.
    let mut radius_unsettled = BTreeSet::new();
    if let (Some(_), Some(side)) = (nas, radius) {
        if mode == SweepMode::Apply {
            let Some(lease) = lease else { return Err(SweepError::LeaseLost) };
            if !lease.renew().await {
                return Err(SweepError::LeaseLost);
            }
        }
        let done = crate::radius::sync(side, store, api, &radius_input(&observed.sessions), mode).await?;
        report.steps.extend(done.steps);
        radius_unsettled = done.unsettled;
    }
    if nas.is_some() {
        desired = desired.without_local_users();
    }
    let plan = diff::plan(&desired, &observed, &installation);
    report.conflicts.extend(plan.conflicts.iter().cloned());

    // The durable queue decides what waits.
    let queue: HashMap<QueueKey, QueueEntry> =
        store.queue_for_router(router.id).await?.into_iter().map(|e| ((e.service, e.action), e)).collect();
    let mut send = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let key = (step.service(), step.action());
        let held = queue.get(&key).and_then(|e| match e.status {
            QueueStatus::Failed => Some(format!(
                "failed {} times, waiting for a manual retry: {}",
                e.attempts,
                e.last_error.as_deref().unwrap_or("")
            )),
            QueueStatus::Retrying if e.next_attempt_at > now => Some(format!("retrying at {}", e.next_attempt_at)),
            _ => None,
        });
        let outcome = match (held, mode) {
            (Some(why), _) => StepStatus::Held(why),
            (None, SweepMode::DryRun) => StepStatus::Planned,
            (None, SweepMode::Apply) => {
                send.push(i);
                StepStatus::Planned
            }
        };
        report.steps.push(StepReport {
            service: step.service(),
            kind: step.action().as_str(),
            text: step.to_string(),
            outcome,
        });
    }
    if mode == SweepMode::DryRun {
        return Ok(report);
    }
    // Writes happen only under a lease that still holds.
    let Some(lease) = lease else {
        return Err(SweepError::LeaseLost);
    };
    // Queue rows for actions the plan no longer needs are done with.
    let mut keep: HashSet<QueueKey> = plan.steps.iter().map(|s| (s.service(), s.action())).collect();
    keep.extend(plan.conflicts.iter().map(|c| (c.service, ProvisionAction::Conflict)));
    let stale_queue = queue.keys().any(|key| !keep.contains(key));
    // A steady sweep has nothing to write: it takes no write lock here
    // (hundreds of routers' sweeps share the database's one writer).
    if !send.is_empty() || stale_queue || !plan.conflicts.is_empty() {
        if !lease.renew().await {
            return Err(SweepError::LeaseLost);
        }
        if stale_queue {
            store.queue_clear_router_except(router.id, &keep.into_iter().collect::<Vec<_>>()).await?;
        }
        record_conflicts(store, router, &plan, &queue, now, &mut report).await?;
    }

    let mut lease_lost = false;
    if !send.is_empty() {
        // Mark this router's due queue rows as in flight (`locked_at`, shown
        // in the queue view); the outcome below clears or re-schedules
        // them, and a lock left by a run that died goes stale with its lease.
        store.queue_lock(router.id, now, QUEUE_LOCK_STALE).await?;
        let lines: Vec<(Option<ServiceId>, String)> = send
            .iter()
            .map(|&i| (plan.steps[i].service(), command_text(&change(&plan.steps[i], dialect, &installation))))
            .collect();
        let log_ids = store.router_log_begin_many(router.id, &lines, now).await?;
        let started = std::time::Instant::now();
        let outcomes = apply::apply(api, dialect, &plan, &send, &installation, lease).await;
        report.apply_ms = millis(started.elapsed());
        let mut finished = Vec::with_capacity(send.len());
        let mut activity = Vec::new();
        let mut cleared = Vec::new();
        for ((&i, outcome), log_id) in send.iter().zip(&outcomes).zip(&log_ids) {
            let step = &plan.steps[i];
            let Some(outcome) = outcome else {
                // Never sent: the lease was lost before its phase.
                finished.push((*log_id, RouterLogOutcome::Interrupted, Some("not sent: lease lost".into()), 0));
                lease_lost = true;
                continue;
            };
            let took = millis(outcome.took);
            match &outcome.result {
                Ok(()) => {
                    finished.push((*log_id, RouterLogOutcome::Ok, None, took));
                    activity.push(applied_entry(step, router, &desired.services, now));
                    // Only a row the sweep found needs deleting (failures
                    // are recorded after that read, never for this step).
                    if queue.contains_key(&(step.service(), step.action())) {
                        cleared.push((step.service(), step.action()));
                    }
                    report.steps[i].outcome = StepStatus::Applied;
                }
                Err(e) => {
                    let error = e.to_string();
                    finished.push((*log_id, RouterLogOutcome::Error, Some(error.clone()), took));
                    let backoff = Backoff::Exponential { max_attempts: policy.max_attempts, jitter: jitter() };
                    let entry = store
                        .queue_failure(
                            router.id,
                            step.service(),
                            step.action(),
                            &step.to_string(),
                            &error,
                            now,
                            backoff,
                        )
                        .await?;
                    if entry.status == QueueStatus::Failed {
                        activity.push(gave_up_entry(step, router, &error, entry.attempts, now));
                        if let Some(service) = step.service() {
                            report.gave_up.push(ProvisionFailed {
                                service,
                                router: router.id,
                                error: format!("{step}: {error}"),
                            });
                        }
                    }
                    report.steps[i].outcome = StepStatus::Failed(error);
                }
            }
        }
        store.router_log_finish_many(&finished).await?;
        store.log_activity_many(&activity).await?;
        store.queue_clear_many(router.id, &cleared).await?;
    }
    if lease_lost {
        // The new holder's sweep settles the rest.
        return Err(SweepError::LeaseLost);
    }

    // API mode with RADIUS set up: users the router now holds leave
    // FreeRADIUS (a router switched back from RADIUS mode), never before.
    if let (None, Some(side)) = (nas, radius) {
        let unsettled_here: BTreeSet<ServiceId> =
            report.steps.iter().filter(|s| s.outcome != StepStatus::Applied).filter_map(|s| s.service).collect();
        let on_router: Vec<ServiceSpec> =
            specs.iter().filter(|s| !unsettled_here.contains(&s.service.id)).cloned().collect();
        let input = RadiusInput { specs: &on_router, ..radius_input(&[]) };
        match crate::radius::sync(side, store, api, &input, SweepMode::Apply).await {
            Ok(done) => report.steps.extend(done.steps),
            Err(e) => tracing::debug!(router = %router.name, error = %e, "RADIUS clean-up skipped"),
        }
    }

    // The services' provisioned flags follow what the router now holds.
    let unsettled: BTreeSet<ServiceId> = report
        .steps
        .iter()
        .filter(|s| s.outcome != StepStatus::Applied)
        .filter_map(|s| s.service)
        .chain(report.conflicts.iter().filter_map(|c| c.service))
        .chain(radius_unsettled)
        .collect();
    let marks: Vec<(ServiceId, bool)> = desired
        .services
        .iter()
        .filter(|(id, _)| !unsettled.contains(id))
        .map(|(id, want)| (*id, want.entitlement == Entitlement::On))
        .filter(|(id, on)| was_provisioned.get(id) != Some(on))
        .collect();
    store.mark_provisioned_many(&marks, now).await?;
    Ok(report)
}

/// The services named by the marks of the router's objects that are this
/// installation's or legacy (another installation's are none of its
/// business).
fn marked_services<'a>(
    observed: &'a ObservedRouter,
    installation: &'a Installation,
) -> impl Iterator<Item = ServiceId> + 'a {
    let objects = observed
        .secrets
        .iter()
        .map(|s| s as &dyn Marked)
        .chain(observed.addresses.iter().map(|a| a as &dyn Marked))
        .chain(observed.queues.iter().map(|q| q as &dyn Marked));
    objects.filter_map(move |o| match o.ownership(installation) {
        Ownership::Ours(Marker::Service(id)) | Ownership::Legacy(Marker::Service(id)) => Some(id),
        _ => None,
    })
}

/// Leaves a service's router objects alone this sweep, and says why.
fn freeze(report: &mut RouterSweep, frozen: &mut BTreeSet<ServiceId>, service: ServiceId, why: &str) {
    frozen.insert(service);
    report.conflicts.push(Conflict { service: Some(service), message: format!("left as it is on the router: {why}") });
}

/// A conflict is a failure that retrying cannot fix: it goes straight to
/// `failed` (once) and the operator is told.
async fn record_conflicts(
    store: &Store,
    router: &Router,
    plan: &ProvisionPlan,
    queue: &HashMap<QueueKey, QueueEntry>,
    now: Timestamp,
    report: &mut RouterSweep,
) -> Result<(), StoreError> {
    for conflict in &plan.conflicts {
        // Told once; again only after the operator retried and it persists.
        let known = queue.get(&(conflict.service, ProvisionAction::Conflict));
        if known.is_some_and(|q| q.status == QueueStatus::Failed) {
            continue;
        }
        store
            .queue_failure(
                router.id,
                conflict.service,
                ProvisionAction::Conflict,
                &conflict.message,
                &conflict.message,
                now,
                Backoff::Never,
            )
            .await?;
        let subject = conflict.service.map_or(Subject::Router(router.id), Subject::Service);
        store
            .log_activity(&ActivityEntry {
                at: now,
                actor: Actor::Engine,
                subject,
                action: "provision-conflict".into(),
                detail: format!("on {}: {}", router.name, conflict.message),
            })
            .await?;
        if let Some(service) = conflict.service {
            report.gave_up.push(ProvisionFailed { service, router: router.id, error: conflict.message.clone() });
        }
    }
    Ok(())
}

fn applied_entry(
    step: &Step,
    router: &Router,
    services: &BTreeMap<ServiceId, headend_core::provision::desired::DesiredService>,
    at: Timestamp,
) -> ActivityEntry {
    let (subject, why) = match (step, step.service()) {
        (_, Some(service)) => {
            let why = match services.get(&service).map(|d| &d.entitlement) {
                Some(Entitlement::On) => "the service is active and paid".to_owned(),
                Some(Entitlement::Off(reason)) => reason.to_string(),
                None => "the service is no longer on this router".to_owned(),
            };
            (Subject::Service(service), why)
        }
        (Step::AddProfile { plan, .. } | Step::SetProfile { plan, .. } | Step::UnsetProfile { plan, .. }, None) => {
            (Subject::Plan(*plan), "the plan's rates and session limits".to_owned())
        }
        _ => (Subject::Router(router.id), String::new()),
    };
    ActivityEntry {
        at,
        actor: Actor::Engine,
        subject,
        action: step.action().to_string(),
        detail: if why.is_empty() {
            format!("{step} on {}", router.name)
        } else {
            format!("{step} on {} ({why})", router.name)
        },
    }
}

/// The activity line of a write that failed for the last time.
fn gave_up_entry(step: &Step, router: &Router, error: &str, attempts: u32, at: Timestamp) -> ActivityEntry {
    let subject = step.service().map_or(Subject::Router(router.id), Subject::Service);
    ActivityEntry {
        at,
        actor: Actor::Engine,
        subject,
        action: "provision-failed".into(),
        detail: format!("{step} on {} failed {attempts} times, waiting for a retry: {error}", router.name),
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

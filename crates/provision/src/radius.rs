//! The RADIUS side of a sweep: FreeRADIUS's rows for the router's PPPoE
//! users, and the live sessions that must end or change because of them.
//!
//! For a router in RADIUS mode this runs before the router side, which
//! then removes Headend's secrets from the router: FreeRADIUS has every
//! user before the router stops knowing them, so switching a router to
//! RADIUS never refuses a login. For a router in API mode (when RADIUS is
//! set up) it runs after the router side with no rows wanted, so switching
//! back removes the users from FreeRADIUS only once the router has them.
//!
//! Kicks: a Disconnect-Request (or a CoA-Request for a new rate) to the
//! router's RFC 5176 port; a NAK, a timeout or a missing secret falls back
//! to removing the session over the API. Either way the session is then
//! looked for in `/ppp/active`: an ACK with the user still online (the
//! most common complaint about RADIUS panels) falls back too, and a
//! session that survives both is a failure, retried next sweep.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use headend_core::PlanId;
use headend_core::ServiceId;
use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::plan::Plan;
use headend_core::provision::desired::ServiceSpec;
use headend_core::provision::observed::ObservedSession;
use headend_core::provision::policy::{Entitlement, IspPolicy, SuspensionMode};
use headend_core::radius::desired::{GROUP_PREFIX, RATE_LIMIT, RadiusState, RadiusSuspension, desired};
use headend_core::radius::diff::{Change, RadiusChange, diff};
use headend_core::radius::kick::{SessionAction, SessionStanding, session_action};
use headend_core::radius::rows::CheckValue;
use headend_core::router::{Nas, Router};
use headend_core::service::Access;
use headend_radius::build::SessionSelector;
use headend_radius::client::{ClientError, Retry, exchange};
use headend_radius::{Code, coa_request, disconnect_request};
use headend_radius_db::RadiusDb;
use headend_radius_db::nas::NasRow;
use headend_routeros::Value;
use headend_routeros::ops::{ItemId, RouterApi};
use headend_secrets::Secret;
use headend_store::{RouterLogOutcome, Store};
use jiff::Timestamp;

use crate::sweep::{StepReport, StepStatus, SweepError, SweepMode};

/// What a sweep needs to reach FreeRADIUS's database and the router's
/// RFC 5176 port.
pub struct RadiusSide<'a> {
    pub db: &'a RadiusDb,
    /// The router's shared secret; without it kicks go over the API and
    /// the router gets no `nas` row.
    pub nas_secret: Option<&'a Secret>,
    pub retry: Retry,
}

/// What the RADIUS side of a sweep works on.
pub(crate) struct RadiusInput<'a> {
    pub router: &'a Router,
    /// `None` for a router in API mode: its users' rows are removed.
    pub nas: Option<Nas>,
    pub specs: &'a [ServiceSpec],
    pub was_provisioned: &'a HashMap<ServiceId, bool>,
    pub plans: &'a BTreeMap<PlanId, Plan>,
    pub policy: &'a IspPolicy,
    pub suspension: SuspensionMode,
    pub sessions: &'a [ObservedSession],
    pub now: Timestamp,
}

/// What the RADIUS side did.
pub(crate) struct RadiusOutcome {
    pub steps: Vec<StepReport>,
    /// Services whose kick failed: not settled, so the next sweep tries
    /// again.
    pub unsettled: BTreeSet<ServiceId>,
}

/// Syncs FreeRADIUS's rows for the router's users and kicks what must be
/// kicked. A database error fails the sweep before the router is touched.
pub(crate) async fn sync(
    side: &RadiusSide<'_>,
    store: &Store,
    api: &impl RouterApi,
    input: &RadiusInput<'_>,
    mode: SweepMode,
) -> Result<RadiusOutcome, SweepError> {
    let router = input.router;
    // An API router's clean-up leaves the users of RADIUS routers alone: a
    // user of the same name on this router is another subscriber.
    let kept_elsewhere = match input.nas {
        Some(_) => BTreeSet::new(),
        None => store.radius_usernames().await?,
    };
    let mut users: BTreeMap<String, ServiceId> = BTreeMap::new();
    for spec in input.specs {
        if let Access::Pppoe { username, .. } = &spec.service.access
            && !kept_elsewhere.contains(username)
        {
            users.insert(username.clone(), spec.service.id);
        }
    }
    let managed: BTreeSet<String> = users.keys().cloned().collect();
    let suspension = RadiusSuspension::of(input.suspension);
    let passwords = input.specs.iter().filter_map(|s| s.password.clone().map(|p| (s.service.id, p))).collect();
    let services = input.specs.iter().map(|s| &s.service).filter(|_| input.nas.is_some());
    let want = desired(services, &passwords, input.plans, input.policy, suspension, input.now);
    let db = |e: headend_radius_db::RadiusDbError| SweepError::Radius(e.to_string());
    let current = side.db.read_users(&managed).await.map_err(db)?;
    let changes = diff(&want, &current, &managed);
    let mut out = RadiusOutcome { steps: Vec::new(), unsettled: BTreeSet::new() };

    if mode == SweepMode::DryRun {
        out.steps.extend(changes.iter().map(|c| StepReport {
            service: service_of(c, &users),
            kind: "radius-row",
            text: change_text(c),
            outcome: StepStatus::Planned,
        }));
    } else if !changes.is_empty() {
        let lines: Vec<(Option<ServiceId>, String)> =
            changes.iter().map(|c| (service_of(c, &users), change_text(c))).collect();
        let log_ids = store.router_log_begin_many(router.id, &lines, input.now).await?;
        let started = std::time::Instant::now();
        let applied = side.db.apply(&changes).await;
        let took = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (outcome, error) = match &applied {
            Ok(_) => (RouterLogOutcome::Ok, None),
            Err(e) => (RouterLogOutcome::Error, Some(e.to_string())),
        };
        let finished: Vec<_> = log_ids.iter().map(|id| (*id, outcome, error.clone(), took)).collect();
        store.router_log_finish_many(&finished).await?;
        applied.map_err(db)?;
        out.steps.extend(lines.into_iter().map(|(service, text)| StepReport {
            service,
            kind: "radius-row",
            text,
            outcome: StepStatus::Applied,
        }));
    }
    if mode == SweepMode::DryRun {
        out.steps.extend(kicks(input, suspension, &current, &want).into_iter().map(|k| StepReport {
            service: Some(k.service),
            kind: k.kind(),
            text: k.what(),
            outcome: StepStatus::Planned,
        }));
        return Ok(out);
    }
    let nas_row = match (input.nas, side.nas_secret) {
        (Some(nas), Some(secret)) => Some(NasRow {
            router: router.id,
            nasname: nas.address.to_string(),
            shortname: router.name.clone(),
            secret: secret.expose().to_owned(),
        }),
        _ => None,
    };
    if side.db.sync_nas(router.id, nas_row.as_ref()).await.map_err(db)? > 0 {
        out.steps.push(StepReport {
            service: None,
            kind: "radius-nas",
            text: match &nas_row {
                Some(row) => format!("nas {} ({}) with the router's shared secret", row.nasname, row.shortname),
                None => format!("nas row of {} removed", router.name),
            },
            outcome: StepStatus::Applied,
        });
    }

    let Some(nas) = input.nas else { return Ok(out) };
    let coa_port = SocketAddr::new(nas.address, nas.coa_port);
    // The rates this router's sessions were given: another router's sweep
    // may have written a plan's new rate already, and these sessions still
    // need their CoA.
    let given = store.radius_synced_rates(router.id).await?;
    let wanted = rates(&want);
    let mut seen = current.clone();
    for group in &mut seen.group_reply {
        if let Some(rate) = given.get(&group.groupname).filter(|_| group.attribute == RATE_LIMIT) {
            group.value.clone_from(rate);
        }
    }
    // A midnight cutoff may end hundreds of sessions: a few at a time, so
    // one slow NAS answer or check does not hold the others.
    let kicks = kicks(input, suspension, &seen, &want);
    let mut steps = Vec::with_capacity(kicks.len());
    let mut in_flight = FuturesOrdered::new();
    for kick in &kicks {
        if in_flight.len() == KICKS_IN_FLIGHT
            && let Some(step) = in_flight.next().await
        {
            steps.push(step);
        }
        in_flight.push_back(kick.run(side, api, coa_port));
    }
    while let Some(step) = in_flight.next().await {
        steps.push(step);
    }
    for step in steps {
        if matches!(step.outcome, StepStatus::Failed(_))
            && let Some(service) = step.service
        {
            out.unsettled.insert(service);
        }
        record(store, router, &step, input.now).await?;
        out.steps.push(step);
    }
    // Remembered once every session has its rate; a failure tries again.
    if out.unsettled.is_empty() && given != wanted {
        store.set_radius_synced_rates(router.id, &wanted).await?;
    }
    Ok(out)
}

/// Each group's `Mikrotik-Rate-Limit`.
fn rates(state: &RadiusState) -> BTreeMap<String, String> {
    state
        .group_reply
        .iter()
        .filter(|g| g.attribute == RATE_LIMIT)
        .map(|g| (g.groupname.clone(), g.value.clone()))
        .collect()
}

/// Kicks sent at once.
const KICKS_IN_FLIGHT: usize = 16;

/// The live sessions of the router's users that the sync must end or
/// change (core's `session_action`, per session).
fn kicks<'a>(
    input: &RadiusInput<'a>,
    suspension: RadiusSuspension,
    current: &RadiusState,
    want: &RadiusState,
) -> Vec<Kick<'a>> {
    let group_of = |state: &RadiusState, user: &str| -> Option<String> {
        state
            .user_group
            .iter()
            .find(|m| m.username == user && m.groupname.starts_with(GROUP_PREFIX))
            .map(|m| m.groupname.clone())
    };
    let rate_of = |state: &RadiusState, group: Option<&str>| -> Option<String> {
        let group = group?;
        state.group_reply.iter().find(|g| g.groupname == group && g.attribute == RATE_LIMIT).map(|g| g.value.clone())
    };
    let mut out = Vec::new();
    for spec in input.specs {
        let Access::Pppoe { username, .. } = &spec.service.access else { continue };
        let sessions: Vec<&ObservedSession> = input.sessions.iter().filter(|s| &s.name == username).collect();
        if sessions.is_empty() {
            continue;
        }
        let on = input.policy.entitlement(&spec.service, spec.password.as_ref(), input.now) == Entitlement::On;
        let (before, after) = (group_of(current, username), group_of(want, username));
        let (rate_before, rate_after) = (rate_of(current, before.as_deref()), rate_of(want, after.as_deref()));
        let standing = SessionStanding {
            on,
            was_on: input.was_provisioned.get(&spec.service.id).copied().unwrap_or(false),
            adopted: spec.adopt,
            suspension,
            group_before: before.as_deref(),
            group_after: after.as_deref(),
            rate_before: rate_before.as_deref(),
            rate_after: rate_after.as_deref(),
        };
        let Some(action) = session_action(&standing) else { continue };
        for session in sessions {
            out.push(Kick { service: spec.service.id, user: username, session, action: action.clone() });
        }
    }
    out
}

/// One live session to end or change.
struct Kick<'a> {
    service: ServiceId,
    user: &'a str,
    session: &'a ObservedSession,
    action: SessionAction,
}

/// How long after an ACK the session may take to leave `/ppp/active`.
const GONE_CHECKS: [Duration; 3] = [Duration::from_millis(100), Duration::from_millis(300), Duration::from_millis(600)];

impl Kick<'_> {
    fn kind(&self) -> &'static str {
        match self.action {
            SessionAction::Disconnect(_) => "radius-disconnect",
            SessionAction::ChangeRate(_) => "radius-coa",
        }
    }

    /// What the step does, as the router log and the dry run say it.
    fn what(&self) -> String {
        match &self.action {
            SessionAction::Disconnect(why) => format!("end the session of {} ({why})", self.user),
            SessionAction::ChangeRate(rate) => format!("change the rate of {}'s session to {rate}", self.user),
        }
    }

    async fn run(&self, side: &RadiusSide<'_>, api: &impl RouterApi, coa_port: SocketAddr) -> StepReport {
        let (kind, what) = (self.kind(), self.what());
        let outcome = match self.over_radius(side, coa_port).await {
            Ok(path) => match &self.action {
                // A CoA leaves the session up by design: nothing to look for.
                SessionAction::ChangeRate(_) => Ok(path),
                SessionAction::Disconnect(_) if self.gone(api).await => Ok(path),
                SessionAction::Disconnect(_) => self.over_api(api, &format!("{path}, but the session stayed up")).await,
            },
            Err(why) => self.over_api(api, &why).await,
        };
        match outcome {
            Ok(path) => StepReport {
                service: Some(self.service),
                kind,
                text: format!("{what}: {path}"),
                outcome: StepStatus::Applied,
            },
            Err(e) => StepReport { service: Some(self.service), kind, text: what, outcome: StepStatus::Failed(e) },
        }
    }

    /// The RFC 5176 request; `Ok` says what the router answered.
    async fn over_radius(&self, side: &RadiusSide<'_>, coa_port: SocketAddr) -> Result<String, String> {
        let Some(secret) = side.nas_secret else {
            return Err("no shared secret for the router in the keyring".into());
        };
        let selector = SessionSelector {
            user_name: Some(self.user),
            acct_session_id: None,
            framed_ip_address: match self.session.address {
                Some(std::net::IpAddr::V4(v4)) => Some(v4),
                _ => None,
            },
        };
        let identifier = rand::random::<u8>();
        let secret = secret.expose().as_bytes();
        let request = match &self.action {
            SessionAction::Disconnect(_) => disconnect_request(identifier, &selector, secret),
            SessionAction::ChangeRate(rate) => coa_request(identifier, &selector, rate, secret),
        }
        .map_err(|e| e.to_string())?;
        let name = request.packet.code.name();
        match exchange(coa_port, &request, secret, side.retry).await {
            Ok(reply) if matches!(reply.code, Code::DisconnectAck | Code::CoaAck) => {
                Ok(format!("{name} to {coa_port}: {}", reply.code.name()))
            }
            Ok(reply) => {
                let cause = reply
                    .find(headend_radius::attribute::typ::ERROR_CAUSE)
                    .and_then(|a| a.as_u32().ok())
                    .and_then(headend_radius::ErrorCause::from_u32)
                    .map(|c| format!(" ({})", c.name()))
                    .unwrap_or_default();
                Err(format!("{name} to {coa_port}: {}{cause}", reply.code.name()))
            }
            Err(ClientError::Timeout { .. }) => Err(format!("{name} to {coa_port}: no answer")),
            Err(e) => Err(format!("{name}: {e}")),
        }
    }

    /// The fallback: remove the session over the API, then look for it.
    async fn over_api(&self, api: &impl RouterApi, why: &str) -> Result<String, String> {
        let id = ItemId::new(Value::from(self.session.id.as_str()));
        match api.kick_ppp_session(id).await {
            Ok(()) if self.gone(api).await => Ok(format!("{why}; removed over the API")),
            Ok(()) => Err(format!("{why}; removed over the API, but the session is still in /ppp/active")),
            // Gone between the read and the remove: what was wanted.
            Err(_) if self.gone(api).await => Ok(format!("{why}; the session ended on its own")),
            Err(e) => Err(format!("{why}; removing it over the API failed: {e}")),
        }
    }

    /// Whether the session has left `/ppp/active`, looking a few times.
    async fn gone(&self, api: &impl RouterApi) -> bool {
        for wait in GONE_CHECKS {
            tokio::time::sleep(wait).await;
            match api.ppp_active().await {
                Ok(active) => {
                    let here = active.iter().any(|a| a.id.as_value().to_string_lossy_cp1252() == self.session.id);
                    if !here {
                        return true;
                    }
                }
                Err(e) => tracing::debug!(error = %e, "cannot read /ppp/active to check a kick"),
            }
        }
        false
    }
}

/// The kick in the router log and the service's activity, with the path
/// that worked.
async fn record(store: &Store, router: &Router, step: &StepReport, at: Timestamp) -> Result<(), SweepError> {
    let (outcome, error, detail) = match &step.outcome {
        StepStatus::Failed(e) => (RouterLogOutcome::Error, Some(e.clone()), format!("{}: {e}", step.text)),
        _ => (RouterLogOutcome::Ok, None, step.text.clone()),
    };
    let ids = store.router_log_begin_many(router.id, &[(step.service, step.text.clone())], at).await?;
    let finished: Vec<_> = ids.iter().map(|id| (*id, outcome, error.clone(), 0)).collect();
    store.router_log_finish_many(&finished).await?;
    if let Some(service) = step.service {
        store
            .log_activity(&ActivityEntry {
                at,
                actor: Actor::Engine,
                subject: Subject::Service(service),
                action: if outcome == RouterLogOutcome::Ok {
                    step.kind.to_owned()
                } else {
                    format!("{}-failed", step.kind)
                },
                detail: format!("{detail} (on {})", router.name),
            })
            .await?;
    }
    Ok(())
}

fn service_of(change: &RadiusChange, users: &BTreeMap<String, ServiceId>) -> Option<ServiceId> {
    let user = match change {
        RadiusChange::Check(c) => &row(c).username,
        RadiusChange::Reply(c) => &row(c).username,
        RadiusChange::UserGroup(c) => &row(c).username,
        RadiusChange::GroupReply(_) => return None,
    };
    users.get(user).copied()
}

fn row<R>(change: &Change<R>) -> &R {
    match change {
        Change::Insert(r) | Change::Delete(r) => r,
        Change::Update { to, .. } => to,
    }
}

/// A row write as the router log shows it; a password never.
fn change_text(change: &RadiusChange) -> String {
    fn verb<R>(c: &Change<R>) -> &'static str {
        match c {
            Change::Insert(_) => "add",
            Change::Update { .. } => "set",
            Change::Delete(_) => "remove",
        }
    }
    let shown = |v: &CheckValue| match v {
        CheckValue::Secret(_) => "***".to_owned(),
        CheckValue::Text(t) => t.clone(),
    };
    match change {
        RadiusChange::Check(c) => {
            let r = row(c);
            format!("radcheck {} {} {} {} {}", verb(c), r.username, r.attribute, r.op, shown(&r.value))
        }
        RadiusChange::Reply(c) => {
            let r = row(c);
            format!("radreply {} {} {} {} {}", verb(c), r.username, r.attribute, r.op, r.value)
        }
        RadiusChange::GroupReply(c) => {
            let r = row(c);
            format!("radgroupreply {} {} {} {} {}", verb(c), r.groupname, r.attribute, r.op, r.value)
        }
        RadiusChange::UserGroup(Change::Update { from, to }) => {
            format!("radusergroup set {} {} → {}", to.username, from.groupname, to.groupname)
        }
        RadiusChange::UserGroup(c) => {
            let r = row(c);
            format!("radusergroup {} {} {}", verb(c), r.username, r.groupname)
        }
    }
}

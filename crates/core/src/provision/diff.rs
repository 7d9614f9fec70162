//! From desired and observed state to the smallest list of writes.
//!
//! Objects are matched by their [`Marker`] first, then by name; an object
//! without a marker is never written unless its service asked to adopt it,
//! and an object another installation marked is never written at all. A
//! legacy mark (no installation) of a service or plan this installation
//! knows is claimed with a comment-only write ([`Step::Claim`]).
//! Steps come in three phases, applied in order: profiles (secrets refer to
//! them), then secrets, address-lists and queues, then kicks (after the
//! secret is disabled, so the customer cannot dial straight back in).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::net::IpAddr;

use crate::ids::{PlanId, ServiceId};
use crate::plan::{Pair, Rate, RateLimit, SessionLimits, Timeout};
use crate::provision::Password;
use crate::provision::desired::{DesiredAccess, DesiredRouter, SecretWant};
use crate::provision::marker::{Installation, Mark, Marker, Ownership, claimed};
use crate::provision::observed::{Marked, ObservedRouter, ObservedSecret};
use crate::provision::policy::SUSPENDED_LIST;
use crate::queue::ProvisionAction;

/// The PPP profile's properties a plan's [`SessionLimits`] set.
pub const SESSION_TIMEOUT: &str = "session-timeout";
pub const IDLE_TIMEOUT: &str = "idle-timeout";
pub const REMOTE_ADDRESS: &str = "remote-address";

/// One write to a router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    AddProfile {
        plan: PlanId,
        name: String,
        rate_limit: RateLimit,
        session: SessionLimits,
    },
    /// Sets the name, the rate and what the plan's [`SessionLimits`] has.
    SetProfile {
        plan: PlanId,
        id: String,
        name: String,
        rate_limit: RateLimit,
        session: SessionLimits,
    },
    /// Returns a profile's property the plan no longer has to its default.
    UnsetProfile {
        plan: PlanId,
        id: String,
        name: String,
        property: &'static str,
    },
    AddSecret {
        service: ServiceId,
        name: String,
        password: Password,
        profile: String,
        /// The service's fixed address (`remote-address`).
        address: Option<IpAddr>,
        disabled: bool,
    },
    SetSecret {
        service: ServiceId,
        id: String,
        name: String,
        changes: SecretChanges,
    },
    EnableSecret {
        service: ServiceId,
        id: String,
        name: String,
    },
    DisableSecret {
        service: ServiceId,
        id: String,
        name: String,
    },
    /// Removes a fixed address the service no longer has.
    UnsetSecretAddress {
        service: ServiceId,
        id: String,
        name: String,
    },
    RemoveSecret {
        service: ServiceId,
        id: String,
        name: String,
    },
    Kick {
        service: ServiceId,
        id: String,
        name: String,
    },
    AddAddress {
        service: ServiceId,
        list: String,
        address: IpAddr,
    },
    RemoveAddress {
        service: ServiceId,
        id: String,
        list: String,
        address: String,
    },
    AddQueue {
        service: ServiceId,
        name: String,
        target: IpAddr,
        max_limit: Pair<Rate>,
    },
    SetQueue {
        service: ServiceId,
        id: String,
        name: String,
        target: IpAddr,
        max_limit: Pair<Rate>,
    },
    RemoveQueue {
        service: ServiceId,
        id: String,
        name: String,
    },
    /// Rewrites a legacy mark as this installation's (`comment` is the
    /// object's whole new comment); nothing else about the object changes.
    Claim {
        marker: Marker,
        kind: ObjectKind,
        id: String,
        name: String,
        comment: String,
    },
}

/// The kinds of router object Headend marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Profile,
    Secret,
    Address,
    Queue,
}

impl ObjectKind {
    fn noun(self) -> &'static str {
        match self {
            ObjectKind::Profile => "PPP profile",
            ObjectKind::Secret => "PPP secret",
            ObjectKind::Address => "address-list entry",
            ObjectKind::Queue => "simple queue",
        }
    }
}

/// The properties a `SetSecret` changes; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretChanges {
    pub name: Option<String>,
    pub password: Option<Password>,
    pub profile: Option<String>,
    /// A new fixed address; removing one is [`Step::UnsetSecretAddress`].
    pub address: Option<IpAddr>,
    pub disabled: Option<bool>,
    /// Set when adopting: the marker comment.
    pub comment: Option<String>,
}

impl Step {
    /// The service the step is for (`None` for a plan's profile).
    pub fn service(&self) -> Option<ServiceId> {
        match self {
            Step::AddProfile { .. } | Step::SetProfile { .. } | Step::UnsetProfile { .. } => None,
            Step::Claim { marker, .. } => match marker {
                Marker::Service(id) => Some(*id),
                Marker::Plan(_) => None,
            },
            Step::AddSecret { service, .. }
            | Step::UnsetSecretAddress { service, .. }
            | Step::SetSecret { service, .. }
            | Step::EnableSecret { service, .. }
            | Step::DisableSecret { service, .. }
            | Step::RemoveSecret { service, .. }
            | Step::Kick { service, .. }
            | Step::AddAddress { service, .. }
            | Step::RemoveAddress { service, .. }
            | Step::AddQueue { service, .. }
            | Step::SetQueue { service, .. }
            | Step::RemoveQueue { service, .. } => Some(*service),
        }
    }

    /// The kind of write, as the queue keys it and the logs name it.
    pub fn action(&self) -> ProvisionAction {
        match self {
            Step::AddProfile { .. } => ProvisionAction::ProfileAdd,
            Step::SetProfile { .. } | Step::UnsetProfile { .. } => ProvisionAction::ProfileSet,
            Step::AddSecret { .. } => ProvisionAction::SecretAdd,
            Step::SetSecret { .. } | Step::UnsetSecretAddress { .. } => ProvisionAction::SecretSet,
            Step::EnableSecret { .. } => ProvisionAction::SecretEnable,
            Step::DisableSecret { .. } => ProvisionAction::SecretDisable,
            Step::RemoveSecret { .. } => ProvisionAction::SecretRemove,
            Step::Kick { .. } => ProvisionAction::Kick,
            Step::AddAddress { .. } => ProvisionAction::AddressListAdd,
            Step::RemoveAddress { .. } => ProvisionAction::AddressListRemove,
            Step::AddQueue { .. } => ProvisionAction::QueueAdd,
            Step::SetQueue { .. } => ProvisionAction::QueueSet,
            Step::RemoveQueue { .. } => ProvisionAction::QueueRemove,
            Step::Claim { .. } => ProvisionAction::Claim,
        }
    }

    /// 0: claims and profiles, 1: secrets, address-lists and queues, 2:
    /// kicks.
    pub fn phase(&self) -> u8 {
        match self {
            Step::Claim { .. } | Step::AddProfile { .. } | Step::SetProfile { .. } | Step::UnsetProfile { .. } => 0,
            Step::Kick { .. } => 2,
            _ => 1,
        }
    }
}

/// What an operator reads in the logs and the dry run. Never shows a
/// password, only that it changes.
impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::AddProfile { name, rate_limit, session, .. } if session.is_empty() => {
                write!(f, "add PPP profile {name} (rate-limit {rate_limit})")
            }
            Step::AddProfile { name, rate_limit, session, .. } => {
                write!(f, "add PPP profile {name} (rate-limit {rate_limit}, {session})")
            }
            Step::SetProfile { name, rate_limit, session, .. } if session.is_empty() => {
                write!(f, "set PPP profile {name} rate-limit to {rate_limit}")
            }
            Step::SetProfile { name, rate_limit, session, .. } => {
                write!(f, "set PPP profile {name} rate-limit to {rate_limit}, {session}")
            }
            Step::UnsetProfile { name, property, .. } => write!(f, "unset PPP profile {name} {property}"),
            Step::AddSecret { name, profile, address, disabled, .. } => {
                write!(f, "add PPP secret {name} (profile {profile}")?;
                if let Some(address) = address {
                    write!(f, ", address {address}")?;
                }
                f.write_str(if *disabled { ", disabled)" } else { ")" })
            }
            Step::UnsetSecretAddress { name, .. } => write!(f, "unset PPP secret {name} remote-address"),
            Step::SetSecret { name, changes, .. } => {
                write!(f, "set PPP secret {name}:")?;
                if let Some(n) = &changes.name {
                    write!(f, " name {n}")?;
                }
                if changes.password.is_some() {
                    f.write_str(" password")?;
                }
                if let Some(p) = &changes.profile {
                    write!(f, " profile {p}")?;
                }
                if let Some(a) = &changes.address {
                    write!(f, " address {a}")?;
                }
                if let Some(d) = changes.disabled {
                    f.write_str(if d { " disabled" } else { " enabled" })?;
                }
                if changes.comment.is_some() {
                    f.write_str(" adopted")?;
                }
                Ok(())
            }
            Step::EnableSecret { name, .. } => write!(f, "enable PPP secret {name}"),
            Step::DisableSecret { name, .. } => write!(f, "disable PPP secret {name}"),
            Step::RemoveSecret { name, .. } => write!(f, "remove PPP secret {name}"),
            Step::Kick { name, .. } => write!(f, "end the live session of {name}"),
            Step::AddAddress { list, address, .. } => write!(f, "add {address} to address-list {list}"),
            Step::RemoveAddress { list, address, .. } => write!(f, "remove {address} from address-list {list}"),
            Step::AddQueue { name, target, max_limit, .. } => write!(
                f,
                "add simple queue {name} for {target} (max-limit {}/{})",
                max_limit.upload, max_limit.download
            ),
            Step::SetQueue { name, target, max_limit, .. } => write!(
                f,
                "set simple queue {name}: target {target}, max-limit {}/{}",
                max_limit.upload, max_limit.download
            ),
            Step::RemoveQueue { name, .. } => write!(f, "remove simple queue {name}"),
            Step::Claim { kind, name, .. } => write!(f, "mark {} {name} as this installation's", kind.noun()),
        }
    }
}

/// Something the reconciler will not do on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub service: Option<ServiceId>,
    pub message: String,
}

/// The writes that bring a router to its desired state, in phase order,
/// and what stands in the way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvisionPlan {
    pub steps: Vec<Step>,
    pub conflicts: Vec<Conflict>,
}

impl ProvisionPlan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps grouped by phase, in the order they must be applied.
    pub fn phases(&self) -> impl Iterator<Item = Vec<&Step>> {
        (0..=2u8).filter_map(|p| {
            let steps: Vec<&Step> = self.steps.iter().filter(|s| s.phase() == p).collect();
            (!steps.is_empty()).then_some(steps)
        })
    }
}

/// The name of a static service's simple queue.
pub fn queue_name(service: ServiceId) -> String {
    format!("hd-svc-{service}")
}

/// The plan from `observed` to `desired`, for the database `installation`.
pub fn plan(desired: &DesiredRouter, observed: &ObservedRouter, installation: &Installation) -> ProvisionPlan {
    let cx = Cx { desired, installation };
    let mut out = ProvisionPlan::default();
    claims(&cx, observed, &mut out);
    profiles(&cx, observed, &mut out);
    secrets(&cx, observed, &mut out);
    addresses(&cx, observed, &mut out);
    queues(&cx, observed, &mut out);
    out.steps.sort_by_key(Step::phase);
    out
}

/// What the diff is relative to: the desired state and who "we" are.
struct Cx<'a> {
    desired: &'a DesiredRouter,
    installation: &'a Installation,
}

impl Cx<'_> {
    /// The marker of an object this installation manages: its own, or a
    /// legacy one it claims (a service or plan it knows).
    fn managed(&self, object: &impl Marked) -> Option<Marker> {
        match object.ownership(self.installation) {
            Ownership::Ours(m) => Some(m),
            Ownership::Legacy(m) if self.claims(m) => Some(m),
            _ => None,
        }
    }

    fn claims(&self, marker: Marker) -> bool {
        match marker {
            Marker::Service(id) => self.desired.services.contains_key(&id) || self.desired.known_services.contains(&id),
            Marker::Plan(id) => self.desired.profiles.contains_key(&id),
        }
    }

    /// Whether a managed object belongs to a service this router should no
    /// longer carry (it moved to another router, or was deleted here).
    fn moved_away(&self, marker: Option<Marker>) -> Option<ServiceId> {
        match marker {
            Some(Marker::Service(id))
                if !self.desired.services.contains_key(&id) && self.desired.known_services.contains(&id) =>
            {
                Some(id)
            }
            _ => None,
        }
    }

    /// Why an object of this name is not ours to write, for a conflict.
    fn whose(&self, object: &impl Marked) -> String {
        match object.ownership(self.installation) {
            Ownership::Foreign(_, owner) => format!("is managed by another Headend installation ({owner})"),
            _ => "was not made by Headend".to_owned(),
        }
    }
}

/// Claims the legacy marks of the services and plans this installation
/// knows: each comment is rewritten in place, once.
fn claims(cx: &Cx<'_>, observed: &ObservedRouter, out: &mut ProvisionPlan) {
    let mut claim = |object: &dyn Marked, kind: ObjectKind, id: &str, name: &str| {
        if let Ownership::Legacy(marker) = Mark::ownership(object.comment(), cx.installation)
            && cx.claims(marker)
        {
            let comment = claimed(object.comment().unwrap_or_default(), marker, cx.installation);
            out.steps.push(Step::Claim { marker, kind, id: id.to_owned(), name: name.to_owned(), comment });
        }
    };
    for p in &observed.profiles {
        claim(p, ObjectKind::Profile, &p.id, &p.name);
    }
    for s in &observed.secrets {
        claim(s, ObjectKind::Secret, &s.id, &s.name);
    }
    for a in observed.addresses.iter().filter(|a| !a.dynamic) {
        claim(a, ObjectKind::Address, &a.id, &format!("{} in {}", a.address, a.list));
    }
    for q in &observed.queues {
        claim(q, ObjectKind::Queue, &q.id, &q.name);
    }
}

fn profiles(cx: &Cx<'_>, observed: &ObservedRouter, out: &mut ProvisionPlan) {
    let desired = cx.desired;
    for (plan, want) in &desired.profiles {
        let ours = observed.profiles.iter().find(|p| cx.managed(*p) == Some(Marker::Plan(*plan)));
        match ours {
            Some(p) => {
                let current = p.rate_limit.as_deref().map(RateLimit::parse_routeros);
                let session = &want.session;
                let seconds = |t: Option<Timeout>| t.map(Timeout::seconds);
                let session_wrong = (session.session_timeout.is_some()
                    && p.session_timeout != seconds(session.session_timeout))
                    || (session.idle_timeout.is_some() && p.idle_timeout != seconds(session.idle_timeout))
                    || session
                        .address_pool
                        .as_ref()
                        .is_some_and(|pool| p.remote_address.as_deref() != Some(pool.as_str()));
                if current != Some(Ok(want.rate_limit)) || p.name != want.name || session_wrong {
                    out.steps.push(Step::SetProfile {
                        plan: *plan,
                        id: p.id.clone(),
                        name: want.name.clone(),
                        rate_limit: want.rate_limit,
                        session: session.clone(),
                    });
                }
                let extra = [
                    (SESSION_TIMEOUT, session.session_timeout.is_none() && p.session_timeout.is_some()),
                    (IDLE_TIMEOUT, session.idle_timeout.is_none() && p.idle_timeout.is_some()),
                    (REMOTE_ADDRESS, session.address_pool.is_none() && p.remote_address.is_some()),
                ];
                for (property, _) in extra.into_iter().filter(|(_, extra)| *extra) {
                    out.steps.push(Step::UnsetProfile {
                        plan: *plan,
                        id: p.id.clone(),
                        name: want.name.clone(),
                        property,
                    });
                }
            }
            None if let Some(other) = observed.profiles.iter().find(|p| p.name == want.name) => {
                out.conflicts.push(Conflict {
                    service: None,
                    message: format!(
                        "a PPP profile named {} exists on the router and {}; rename or remove it",
                        want.name,
                        cx.whose(other)
                    ),
                });
            }
            None => out.steps.push(Step::AddProfile {
                plan: *plan,
                name: want.name.clone(),
                rate_limit: want.rate_limit,
                session: want.session.clone(),
            }),
        }
    }
}

fn secrets(cx: &Cx<'_>, observed: &ObservedRouter, out: &mut ProvisionPlan) {
    let desired = cx.desired;
    let mut by_service: BTreeMap<ServiceId, Vec<&ObservedSecret>> = BTreeMap::new();
    // Secrets by name, in the router's order: looked up for every service,
    // so a router with thousands of secrets is not scanned thousands of times.
    let mut by_name: HashMap<&str, Vec<&ObservedSecret>> = HashMap::new();
    for s in &observed.secrets {
        if let Some(Marker::Service(id)) = cx.managed(s) {
            by_service.entry(id).or_default().push(s);
        }
        by_name.entry(s.name.as_str()).or_default().push(s);
    }
    let named = |name: &str| by_name.get(name).into_iter().flatten().copied();
    // Secrets of services that moved to another router: remove and kick.
    for s in &observed.secrets {
        if let Some(service) = cx.moved_away(cx.managed(s)) {
            out.steps.push(Step::RemoveSecret { service, id: s.id.clone(), name: s.name.clone() });
            kick_sessions(observed, service, &s.name, out);
        }
    }
    for (&service, want) in &desired.services {
        let DesiredAccess::Pppoe { username, password, profile, address, secret, kick, .. } = &want.access else {
            for s in by_service.get(&service).into_iter().flatten() {
                out.steps.push(Step::RemoveSecret { service, id: s.id.clone(), name: s.name.clone() });
            }
            continue;
        };
        let mut ours: Vec<&ObservedSecret> = by_service.get(&service).cloned().unwrap_or_default();
        let same_name_unmanaged = named(username).find(|s| s.ownership(cx.installation) == Ownership::Unmarked);
        let mut adopting = false;
        if ours.is_empty()
            && want.adopt
            && let Some(s) = same_name_unmanaged
        {
            ours.push(s);
            adopting = true;
        }
        // The secret to keep: the one with the right name, else the first.
        ours.sort_by_key(|s| &s.name != username);
        let mut ours = ours.into_iter();
        let primary = ours.next();
        for extra in ours {
            out.steps.push(Step::RemoveSecret { service, id: extra.id.clone(), name: extra.name.clone() });
        }
        let blocked_by = |out: &mut ProvisionPlan| {
            let other = named(username).find(|s| primary.is_none_or(|p| p.id != s.id));
            let message = match other.map(|s| s.ownership(cx.installation)) {
                Some(Ownership::Foreign(_, owner)) => format!(
                    "a PPP secret named {username} already exists on the router and is managed by another Headend \
                     installation ({owner}): only one database may manage a router's subscribers"
                ),
                _ => format!(
                    "a PPP secret named {username} already exists on the router and is not managed by Headend: adopt it or choose another user name"
                ),
            };
            out.conflicts.push(Conflict { service: Some(service), message });
        };
        let name_taken_by_other = named(username).any(|s| primary.is_none_or(|p| p.id != s.id));
        match (secret, primary) {
            (SecretWant::Enabled, None) => match password {
                _ if name_taken_by_other => blocked_by(out),
                Some(password) => out.steps.push(Step::AddSecret {
                    service,
                    name: username.clone(),
                    password: password.clone(),
                    profile: profile.clone(),
                    address: *address,
                    disabled: false,
                }),
                None => out.conflicts.push(Conflict {
                    service: Some(service),
                    message: "the service has no PPPoE password to push".into(),
                }),
            },
            (SecretWant::Enabled | SecretWant::Disabled, Some(s)) => {
                let disable = *secret == SecretWant::Disabled;
                let mut changes = SecretChanges::default();
                if &s.name != username {
                    if name_taken_by_other {
                        blocked_by(out);
                    } else {
                        changes.name = Some(username.clone());
                    }
                }
                if let (Some(have), Some(want)) = (&s.password, password)
                    && have != want
                {
                    changes.password = Some(want.clone());
                }
                if &s.profile != profile {
                    changes.profile = Some(profile.clone());
                }
                let have_address = s.remote_address.as_deref().map(str::parse::<IpAddr>);
                match address {
                    Some(want) if have_address != Some(Ok(*want)) => changes.address = Some(*want),
                    None if have_address.is_some() => {
                        out.steps.push(Step::UnsetSecretAddress { service, id: s.id.clone(), name: s.name.clone() })
                    }
                    _ => {}
                }
                if adopting {
                    changes.comment = Some(Marker::Service(service).comment(cx.installation));
                }
                let flip = (s.disabled != disable).then_some(disable);
                if changes == SecretChanges::default() {
                    match flip {
                        Some(true) => {
                            out.steps.push(Step::DisableSecret { service, id: s.id.clone(), name: s.name.clone() })
                        }
                        Some(false) => {
                            out.steps.push(Step::EnableSecret { service, id: s.id.clone(), name: s.name.clone() })
                        }
                        None => {}
                    }
                } else {
                    changes.disabled = flip;
                    out.steps.push(Step::SetSecret { service, id: s.id.clone(), name: s.name.clone(), changes });
                }
            }
            (SecretWant::Disabled, None) => {}
            (SecretWant::Absent, Some(s)) => {
                out.steps.push(Step::RemoveSecret { service, id: s.id.clone(), name: s.name.clone() });
            }
            (SecretWant::Absent, None) => {}
        }
        // Never end a session that belongs to someone else's secret (the
        // operator's, or another installation's).
        let session_is_ours = primary.is_some() || named(username).next().is_none();
        if *kick && session_is_ours {
            kick_sessions(observed, service, username, out);
        }
    }
}

fn kick_sessions(observed: &ObservedRouter, service: ServiceId, name: &str, out: &mut ProvisionPlan) {
    for session in observed.sessions.iter().filter(|s| s.name == name) {
        out.steps.push(Step::Kick { service, id: session.id.clone(), name: session.name.clone() });
    }
}

/// An address-list entry's address, if it is a single host.
fn host_address(text: &str) -> Option<IpAddr> {
    let host = text.strip_suffix("/32").or_else(|| text.strip_suffix("/128")).unwrap_or(text);
    host.parse().ok()
}

fn addresses(cx: &Cx<'_>, observed: &ObservedRouter, out: &mut ProvisionPlan) {
    let desired = cx.desired;
    let mut wanted: BTreeMap<ServiceId, BTreeSet<(&str, IpAddr)>> = BTreeMap::new();
    for (&service, want) in &desired.services {
        let entries = wanted.entry(service).or_default();
        match &want.access {
            DesiredAccess::Static { address, list: Some(list), .. } => {
                entries.insert((list, *address));
            }
            DesiredAccess::Pppoe { username, list_session_address: true, .. } => {
                for session in observed.sessions.iter().filter(|s| &s.name == username) {
                    if let Some(address) = session.address {
                        entries.insert((SUSPENDED_LIST, address));
                    }
                }
            }
            _ => {}
        }
    }
    let mut present: BTreeSet<(ServiceId, &str, IpAddr)> = BTreeSet::new();
    for entry in observed.addresses.iter().filter(|a| !a.dynamic) {
        let Some(Marker::Service(service)) = cx.managed(entry) else { continue };
        let keep = host_address(&entry.address).filter(|addr| {
            wanted.get(&service).is_some_and(|w| w.contains(&(entry.list.as_str(), *addr)))
                && present.insert((service, entry.list.as_str(), *addr))
        });
        let ours_here =
            desired.services.contains_key(&service) || cx.moved_away(Some(Marker::Service(service))).is_some();
        if keep.is_none() && ours_here {
            out.steps.push(Step::RemoveAddress {
                service,
                id: entry.id.clone(),
                list: entry.list.clone(),
                address: entry.address.clone(),
            });
        }
    }
    for (service, entries) in wanted {
        for (list, address) in entries {
            // An entry the operator made already does the job (and RouterOS
            // would refuse a second one for the same address).
            let satisfied = present.contains(&(service, list, address))
                || observed.addresses.iter().any(|a| a.list == list && host_address(&a.address) == Some(address));
            if !satisfied {
                out.steps.push(Step::AddAddress { service, list: list.to_owned(), address });
            }
        }
    }
}

fn queues(cx: &Cx<'_>, observed: &ObservedRouter, out: &mut ProvisionPlan) {
    let desired = cx.desired;
    let mut seen: BTreeSet<ServiceId> = BTreeSet::new();
    for q in &observed.queues {
        let Some(Marker::Service(service)) = cx.managed(q) else { continue };
        let want = desired.services.get(&service).and_then(|d| match &d.access {
            DesiredAccess::Static { address, queue: Some(limit), .. } => {
                Some((*address, Pair { upload: limit.upload, download: limit.download }))
            }
            _ => None,
        });
        let remove = match want {
            Some((target, max_limit)) if seen.insert(service) => {
                let same_target = host_address(&q.target) == Some(target);
                let same_limit = q.max_limit.as_deref().map(Pair::parse) == Some(Ok(max_limit));
                let name = queue_name(service);
                if !same_target || !same_limit || q.name != name {
                    out.steps.push(Step::SetQueue { service, id: q.id.clone(), name, target, max_limit });
                }
                false
            }
            Some(_) => true,
            None => desired.services.contains_key(&service) || cx.moved_away(Some(Marker::Service(service))).is_some(),
        };
        if remove {
            out.steps.push(Step::RemoveQueue { service, id: q.id.clone(), name: q.name.clone() });
        }
    }
    for (&service, want) in &desired.services {
        if let DesiredAccess::Static { address, queue: Some(limit), .. } = &want.access
            && !seen.contains(&service)
        {
            let name = queue_name(service);
            if let Some(other) = observed.queues.iter().find(|q| q.name == name) {
                out.conflicts.push(Conflict {
                    service: Some(service),
                    message: format!("a simple queue named {name} exists on the router and {}", cx.whose(other)),
                });
            } else {
                out.steps.push(Step::AddQueue {
                    service,
                    name,
                    target: *address,
                    max_limit: Pair { upload: limit.upload, download: limit.download },
                });
            }
        }
    }
}

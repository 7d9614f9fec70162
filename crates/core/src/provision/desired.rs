//! What a router should hold, computed from the database's services and
//! plans by the [`policy`](crate::provision::policy).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use jiff::Timestamp;

use crate::ids::{PlanId, ServiceId};
use crate::plan::{Plan, RateLimit, SessionLimits};
use crate::provision::Password;
use crate::provision::policy::{Entitlement, IspPolicy, SuspensionMode};
use crate::service::{Access, Service, ServiceStatus};

/// One service as the reconciler sees it: the row, its password (PPPoE),
/// and whether the operator asked to adopt a secret already on the router.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSpec {
    pub service: Service,
    pub password: Option<Password>,
    pub adopt: bool,
}

/// The state one router should be in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DesiredRouter {
    /// Profiles of the plans used on this router, by plan.
    pub profiles: BTreeMap<PlanId, DesiredProfile>,
    /// Every service of this router that is not terminated, plus
    /// terminated ones (which want nothing, so their objects go).
    pub services: BTreeMap<ServiceId, DesiredService>,
    /// Every service id in the database. Marked objects of a known
    /// service that is not on this router (it moved) are removed; objects
    /// marked with an unknown id (another installation's?) are left alone.
    pub known_services: BTreeSet<ServiceId>,
    pub suspension: SuspensionMode,
    pub static_queues: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredProfile {
    pub name: String,
    pub rate_limit: RateLimit,
    /// The plan's timeouts and pool; what is `None` is unset on the
    /// profile, since Headend owns it.
    pub session: SessionLimits,
}

/// What one service needs on the router.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredService {
    pub entitlement: Entitlement,
    pub adopt: bool,
    pub access: DesiredAccess,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DesiredAccess {
    Pppoe {
        username: String,
        /// `None` only when the service is off and never had one.
        password: Option<Password>,
        profile: String,
        /// The fixed address the router gives the user, if any.
        address: Option<IpAddr>,
        secret: SecretWant,
        /// Whether the customer's live session must be ended.
        kick: bool,
        /// Put the session's address in the suspended list.
        list_session_address: bool,
    },
    Static {
        address: IpAddr,
        /// The address-list the address belongs in, if any.
        list: Option<&'static str>,
        /// A simple queue with the plan's rate.
        queue: Option<RateLimit>,
    },
}

/// The state a PPP secret should be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretWant {
    /// Present and enabled (added if missing).
    Enabled,
    /// Disabled if present; not added if missing (a pending or suspended
    /// service that was never on the router stays off it).
    Disabled,
    Absent,
}

/// The desired state of one router. `mode` is the router's suspension mode
/// (its override, or the ISP's default).
pub fn for_router<'a>(
    policy: &IspPolicy,
    mode: SuspensionMode,
    plans: &BTreeMap<PlanId, Plan>,
    services: impl IntoIterator<Item = &'a ServiceSpec>,
    known_services: BTreeSet<ServiceId>,
    now: Timestamp,
) -> DesiredRouter {
    let mut desired = DesiredRouter {
        known_services,
        suspension: mode,
        static_queues: policy.static_queues,
        ..DesiredRouter::default()
    };
    for spec in services {
        let service = &spec.service;
        let Some(plan) = plans.get(&service.plan) else { continue };
        let entitlement = policy.entitlement(service, spec.password.as_ref(), now);
        let on = entitlement == Entitlement::On;
        let terminated = service.status == ServiceStatus::Terminated;
        let access = match &service.access {
            Access::Pppoe { username, address } => {
                let secret = match (on, terminated, mode) {
                    (true, _, _) => SecretWant::Enabled,
                    (false, true, _) | (false, false, SuspensionMode::Remove) => SecretWant::Absent,
                    (false, false, SuspensionMode::Disable) => SecretWant::Disabled,
                    (false, false, SuspensionMode::AddressList) => SecretWant::Enabled,
                };
                let list_session_address = !on && !terminated && mode == SuspensionMode::AddressList;
                DesiredAccess::Pppoe {
                    username: username.clone(),
                    password: spec.password.clone(),
                    profile: plan.profile.clone(),
                    address: *address,
                    // An address-list suspension must keep the session: it
                    // is what the firewall redirects.
                    secret: if list_session_address && spec.password.is_none() { SecretWant::Disabled } else { secret },
                    kick: !on && !list_session_address,
                    list_session_address,
                }
            }
            Access::StaticIp { address } => DesiredAccess::Static {
                address: *address,
                list: match (on, terminated) {
                    (true, _) => Some(crate::provision::policy::ALLOWED_LIST),
                    (false, false) => Some(crate::provision::policy::SUSPENDED_LIST),
                    (false, true) => None,
                },
                queue: (policy.static_queues && !terminated).then_some(plan.limits),
            },
        };
        let uses_profile = matches!(
            &access,
            DesiredAccess::Pppoe { secret, .. } if *secret != SecretWant::Absent
        );
        if uses_profile {
            desired.profiles.entry(plan.id).or_insert_with(|| DesiredProfile {
                name: plan.profile.clone(),
                rate_limit: plan.limits,
                session: plan.session.clone(),
            });
        }
        desired.services.insert(service.id, DesiredService { entitlement, adopt: spec.adopt, access });
    }
    desired
}

impl DesiredRouter {
    /// For a router in RADIUS mode: its PPPoE users live in FreeRADIUS, so
    /// it keeps none of their secrets (Headend's are removed once
    /// FreeRADIUS has the users, which the sweep writes first) and no
    /// profile for them; live sessions stay up (removing a secret does not
    /// end one) and are ended or changed by the RADIUS sync's kicks, not
    /// here. Static-IP services are unchanged.
    pub fn without_local_users(mut self) -> Self {
        self.profiles.clear();
        for service in self.services.values_mut() {
            if let DesiredAccess::Pppoe { secret, kick, list_session_address, .. } = &mut service.access {
                *secret = SecretWant::Absent;
                *kick = false;
                *list_session_address = false;
            }
        }
        self
    }
}

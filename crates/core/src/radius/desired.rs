//! The rows FreeRADIUS should hold for the services of routers in RADIUS
//! mode, decided by the same [`IspPolicy`] as the router side
//! ([`provision::desired`](crate::provision::desired)).
//!
//! Per service entitled to be on: its `Cleartext-Password` and membership
//! of its plan's group, whose `Mikrotik-Rate-Limit` is the plan's, in the
//! PPP profile's notation. A suspended or overdue service follows
//! [`RadiusSuspension`]; a pending, inactive or terminated one (or one
//! without valid credentials) has no rows, so FreeRADIUS rejects it.
//!
//! `radreply` holds a PPPoE service's fixed address (`Framed-IP-Address`);
//! a static-IP service is an address on the router, not a user that dials
//! in, so it has no rows.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::ids::{PlanId, ServiceId};
use crate::plan::Plan;
use crate::provision::Password;
use crate::provision::policy::{Entitlement, IspPolicy, OffReason, SUSPENDED_LIST, SuspensionMode};
use crate::radius::rows::{CheckRow, GroupReplyRow, Op, ReplyRow, UserGroup};
use crate::service::{Access, Service};

/// The prefix of every group Headend owns; groups without it are the
/// operator's and are never touched.
pub const GROUP_PREFIX: &str = "headend-";

/// The group of suspended users under [`RadiusSuspension::AddressList`].
pub const SUSPENDED_GROUP: &str = "headend-suspended";

/// The priority of Headend's group memberships: FreeRADIUS's default.
pub const GROUP_PRIORITY: i32 = 1;

/// The group of a plan's users. Named by the plan's id alone, never its
/// name: renaming a plan must not rename the group (which would rewrite
/// every user's `radusergroup` row), and the id is unique and stable.
pub fn plan_group(plan: PlanId) -> String {
    format!("{GROUP_PREFIX}plan-{plan}")
}

/// The rate of [`SUSPENDED_GROUP`]'s sessions: enough for the payment
/// page the operator's firewall redirects them to.
pub const SUSPENDED_RATE: &str = "1M/1M";

/// What FreeRADIUS does with a suspended (or overdue) user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RadiusSuspension {
    /// `Auth-Type := Reject` in the user's `radcheck`; the password and
    /// plan group stay, so coming back deletes one row.
    Reject,
    /// The user logs in, in [`SUSPENDED_GROUP`]: the router puts the
    /// session's address in [`SUSPENDED_LIST`] (`Mikrotik-Address-List`),
    /// which the operator's firewall redirects to a payment page, at
    /// [`SUSPENDED_RATE`].
    AddressList,
}

impl RadiusSuspension {
    /// The router's suspension mode in RADIUS terms: disabling and
    /// removing a secret both mean "may not log in".
    pub fn of(mode: SuspensionMode) -> Self {
        match mode {
            SuspensionMode::Disable | SuspensionMode::Remove => RadiusSuspension::Reject,
            SuspensionMode::AddressList => RadiusSuspension::AddressList,
        }
    }
}

/// FreeRADIUS's tables, as Headend wants them or as read from the
/// database. Row order carries no meaning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RadiusState {
    pub check: Vec<CheckRow>,
    pub reply: Vec<ReplyRow>,
    pub group_reply: Vec<GroupReplyRow>,
    pub user_group: Vec<UserGroup>,
}

/// The desired rows for `services` (those of one router in RADIUS mode)
/// and every group: the groups are the same whichever router's services
/// are synced, so routers synced one after another never undo each other.
/// `passwords` are the PPPoE passwords by service; `now` decides who is
/// overdue.
pub fn desired<'a>(
    services: impl IntoIterator<Item = &'a Service>,
    passwords: &BTreeMap<ServiceId, Password>,
    plans: &BTreeMap<PlanId, Plan>,
    policy: &IspPolicy,
    suspension: RadiusSuspension,
    now: Timestamp,
) -> RadiusState {
    let mut state = RadiusState { group_reply: groups(plans), ..RadiusState::default() };
    for service in services {
        let Access::Pppoe { username, address } = &service.access else { continue };
        let Some(plan) = plans.get(&service.plan) else { continue };
        let password = passwords.get(&service.id);
        // A user who may log in (whatever their group) gets their address.
        let set_password = |state: &mut RadiusState, password: &Password| {
            state.check.push(CheckRow::new(username.as_str(), "Cleartext-Password", Op::Set, password.expose()));
            if let Some(address) = address {
                state.reply.push(ReplyRow {
                    username: username.clone(),
                    attribute: FRAMED_IP_ADDRESS.to_owned(),
                    op: Op::Set,
                    value: address.to_string(),
                });
            }
        };
        let join = |state: &mut RadiusState, groupname: String| {
            state.user_group.push(UserGroup { username: username.clone(), groupname, priority: GROUP_PRIORITY });
        };
        match policy.entitlement(service, password, now) {
            Entitlement::On => {
                if let Some(password) = password {
                    set_password(&mut state, password);
                }
                join(&mut state, plan_group(plan.id));
            }
            Entitlement::Off(OffReason::Suspended | OffReason::Overdue { .. }) => match suspension {
                RadiusSuspension::Reject => {
                    if let Some(password) = password {
                        set_password(&mut state, password);
                    }
                    state.check.push(CheckRow::new(username.as_str(), "Auth-Type", Op::Set, "Reject"));
                    join(&mut state, plan_group(plan.id));
                }
                // Without a password the user cannot log in to be listed:
                // no rows, and FreeRADIUS rejects them.
                RadiusSuspension::AddressList => {
                    if let Some(password) = password {
                        set_password(&mut state, password);
                        join(&mut state, SUSPENDED_GROUP.to_owned());
                    }
                }
            },
            Entitlement::Off(_) => {}
        }
    }
    state
}

/// Every plan's group (its rate, timeouts and pool) and the suspended
/// group. Groups of plans nobody uses cost a few rows each and keep every
/// sync's groups identical.
pub fn groups(plans: &BTreeMap<PlanId, Plan>) -> Vec<GroupReplyRow> {
    let mut rows = Vec::new();
    for plan in plans.values() {
        let group = plan_group(plan.id);
        rows.push(rate_limit_row(group.clone(), plan.limits.to_string()));
        let session = &plan.session;
        let limits = [
            ("Session-Timeout", session.session_timeout.map(|t| t.seconds().to_string())),
            ("Idle-Timeout", session.idle_timeout.map(|t| t.seconds().to_string())),
            ("Framed-Pool", session.address_pool.as_ref().map(ToString::to_string)),
        ];
        for (attribute, value) in limits {
            if let Some(value) = value {
                rows.push(GroupReplyRow {
                    groupname: group.clone(),
                    attribute: attribute.to_owned(),
                    op: Op::Set,
                    value,
                });
            }
        }
    }
    rows.push(GroupReplyRow {
        groupname: SUSPENDED_GROUP.to_owned(),
        attribute: "Mikrotik-Address-List".to_owned(),
        op: Op::Set,
        value: SUSPENDED_LIST.to_owned(),
    });
    rows.push(rate_limit_row(SUSPENDED_GROUP.to_owned(), SUSPENDED_RATE.to_owned()));
    rows
}

/// `Mikrotik-Rate-Limit` in exactly the PPP profile's `rate-limit` text
/// ([`RateLimit`](crate::plan::RateLimit)'s `Display`), so both backends
/// limit a plan alike.
fn rate_limit_row(groupname: String, rate: String) -> GroupReplyRow {
    GroupReplyRow { groupname, attribute: RATE_LIMIT.to_owned(), op: Op::Set, value: rate }
}

/// The reply attribute that carries a session's rate.
pub const RATE_LIMIT: &str = "Mikrotik-Rate-Limit";

/// The reply attribute of a user's fixed address.
pub const FRAMED_IP_ADDRESS: &str = "Framed-IP-Address";

/// The `radcheck` attributes Headend writes for its users; their other
/// check rows (an operator's `Simultaneous-Use`) are left alone.
pub const HEADEND_CHECKS: [&str; 2] = ["Cleartext-Password", "Auth-Type"];

/// The `radreply` attributes Headend writes for its users.
pub const HEADEND_REPLIES: [&str; 1] = [FRAMED_IP_ADDRESS];

//! Table-driven tests of the desired rows and their diff: new services,
//! plan and rate changes, both suspension modes, termination, the
//! operator's own rows, idempotence and password changes.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal::Decimal;

use super::desired::{RadiusState, RadiusSuspension, SUSPENDED_GROUP, SUSPENDED_RATE, desired, groups, plan_group};
use super::diff::{Change, RadiusChange, diff};
use super::rows::{CheckRow, GroupReplyRow, Op, ReplyRow, UserGroup};
use crate::ids::{CustomerId, PlanId, RouterId, ServiceId};
use crate::plan::{BillingCycle, Plan, RateLimit};
use crate::provision::Password;
use crate::provision::policy::{IspPolicy, SUSPENDED_LIST};
use crate::service::{Access, Service, ServiceStatus};

fn now() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

fn limits(rate: &str) -> RateLimit {
    RateLimit::from_parts(rate, None, None, None).unwrap()
}

fn plan(id: i64, limits: RateLimit) -> Plan {
    Plan {
        id: PlanId(id),
        name: format!("Plan {id}"),
        profile: format!("hd-{id}-plan"),
        limits,
        price: Decimal::new(2500, 2),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    }
}

fn plans() -> BTreeMap<PlanId, Plan> {
    [plan(1, limits("10M/20M")), plan(2, limits("20M/40M"))].into_iter().map(|p| (p.id, p)).collect()
}

fn service(id: i64, user: &str, plan: i64, status: ServiceStatus) -> Service {
    Service {
        id: ServiceId(id),
        customer: CustomerId(id),
        router: RouterId(1),
        plan: PlanId(plan),
        access: Access::Pppoe { username: user.into(), address: None },
        status,
        next_billing_date: Some(date(2026, 12, 1)),
        grace_days: None,
    }
}

fn ana(status: ServiceStatus) -> Service {
    service(1, "ana", 1, status)
}

fn passwords(pw: &str) -> BTreeMap<ServiceId, Password> {
    [(ServiceId(1), Password::new(pw)), (ServiceId(2), Password::new("bob-pw"))].into_iter().collect()
}

const LIST: RadiusSuspension = RadiusSuspension::AddressList;
const REJECT: RadiusSuspension = RadiusSuspension::Reject;

fn want(services: &[Service], plans: &BTreeMap<PlanId, Plan>, mode: RadiusSuspension, pw: &str) -> RadiusState {
    desired(services, &passwords(pw), plans, &IspPolicy::default(), mode, now())
}

fn managed() -> BTreeSet<String> {
    ["ana", "bob"].map(String::from).into()
}

fn check(user: &str, attribute: &str, value: &str) -> CheckRow {
    CheckRow::new(user, attribute, Op::Set, value)
}

fn member(user: &str, group: &str) -> UserGroup {
    UserGroup { username: user.into(), groupname: group.into(), priority: 1 }
}

fn group(name: &str, attribute: &str, value: &str) -> GroupReplyRow {
    GroupReplyRow { groupname: name.into(), attribute: attribute.into(), op: Op::Set, value: value.into() }
}

fn every_group() -> Vec<GroupReplyRow> {
    vec![
        group(&plan_group(PlanId(1)), "Mikrotik-Rate-Limit", "10M/20M"),
        group(&plan_group(PlanId(2)), "Mikrotik-Rate-Limit", "20M/40M"),
        group(SUSPENDED_GROUP, "Mikrotik-Address-List", SUSPENDED_LIST),
        group(SUSPENDED_GROUP, "Mikrotik-Rate-Limit", SUSPENDED_RATE),
    ]
}

#[test]
fn every_sync_wants_every_group_whoever_uses_it() {
    assert_eq!(groups(&plans()), every_group());
    assert_eq!(want(&[], &plans(), REJECT, "pw").group_reply, every_group());
    assert_eq!(want(&[ana(ServiceStatus::Active)], &plans(), LIST, "pw").group_reply, every_group());
}

#[test]
fn a_plans_timeouts_and_pool_are_its_groups_replies() {
    let mut limited = plans();
    if let Some(p) = limited.get_mut(&PlanId(2)) {
        p.session = crate::plan::SessionLimits {
            session_timeout: "1d".parse().ok(),
            idle_timeout: None,
            address_pool: "pool-fast".parse().ok(),
        };
    }
    let plan2 = plan_group(PlanId(2));
    let rows: Vec<(String, String)> =
        groups(&limited).into_iter().filter(|r| r.groupname == plan2).map(|r| (r.attribute, r.value)).collect();
    assert_eq!(
        rows,
        [
            ("Mikrotik-Rate-Limit".to_owned(), "20M/40M".to_owned()),
            ("Session-Timeout".to_owned(), "86400".to_owned()),
            ("Framed-Pool".to_owned(), "pool-fast".to_owned()),
        ]
    );
}

#[test]
fn desired_rows_per_status_and_mode() {
    use ServiceStatus::*;
    let plan1 = plan_group(PlanId(1));
    let on = RadiusState {
        check: vec![check("ana", "Cleartext-Password", "pw")],
        user_group: vec![member("ana", &plan1)],
        group_reply: every_group(),
        reply: vec![],
    };
    let rejected = RadiusState {
        check: vec![check("ana", "Cleartext-Password", "pw"), check("ana", "Auth-Type", "Reject")],
        ..on.clone()
    };
    let listed = RadiusState {
        check: vec![check("ana", "Cleartext-Password", "pw")],
        user_group: vec![member("ana", SUSPENDED_GROUP)],
        ..on.clone()
    };
    let none = RadiusState { group_reply: every_group(), ..RadiusState::default() };
    let cases = [
        (Active, REJECT, &on),
        (Active, LIST, &on),
        (Suspended, REJECT, &rejected),
        (Suspended, LIST, &listed),
        (Pending, REJECT, &none),
        (Inactive, LIST, &none),
        (Terminated, REJECT, &none),
        (Terminated, LIST, &none),
    ];
    for (status, mode, expected) in cases {
        assert_eq!(&want(&[ana(status)], &plans(), mode, "pw"), expected, "{status} {mode:?}");
    }
}

#[test]
fn overdue_is_suspended_and_static_ip_and_missing_password_have_no_rows() {
    let overdue = Service { next_billing_date: Some(date(2026, 11, 1)), ..ana(ServiceStatus::Active) };
    let got = want(&[overdue], &plans(), REJECT, "pw");
    assert!(got.check.contains(&check("ana", "Auth-Type", "Reject")));

    let only_groups = RadiusState { group_reply: every_group(), ..RadiusState::default() };
    let static_ip =
        Service { access: Access::StaticIp { address: "10.0.0.9".parse().unwrap() }, ..ana(ServiceStatus::Active) };
    assert_eq!(want(&[static_ip], &plans(), REJECT, "pw"), only_groups);

    let no_password =
        desired(&[ana(ServiceStatus::Active)], &BTreeMap::new(), &plans(), &IspPolicy::default(), LIST, now());
    assert_eq!(no_password, only_groups);
}

#[test]
fn group_names_are_the_plan_id_so_a_rename_changes_nothing() {
    assert_eq!(plan_group(PlanId(7)), "headend-plan-7");
    let before = want(&[ana(ServiceStatus::Active)], &plans(), REJECT, "pw");
    let mut renamed = plans();
    renamed.entry(PlanId(1)).and_modify(|p| p.name = "Fibra Turbo".into());
    let after = want(&[ana(ServiceStatus::Active)], &renamed, REJECT, "pw");
    assert!(diff(&after, &before, &managed()).is_empty());
}

#[test]
fn rate_limit_is_the_ppp_profile_text_with_burst() {
    let burst = RateLimit::from_parts("10M/20M", Some("20M/40M"), Some("8M/16M"), Some("16s/16s")).unwrap();
    let plans = [plan(1, burst)].into_iter().map(|p| (p.id, p)).collect();
    let got = want(&[ana(ServiceStatus::Active)], &plans, REJECT, "pw");
    assert_eq!(got.group_reply[0], group("headend-plan-1", "Mikrotik-Rate-Limit", &burst.to_string()));
    assert_eq!(got.group_reply[0].value, "10M/20M 20M/40M 8M/16M 16/16");
}

/// `current` → `desired`: the diff, and applying it reaches `desired`.
fn changes(desired: &RadiusState, current: &RadiusState) -> Vec<RadiusChange> {
    let out = diff(desired, current, &managed());
    let applied = apply(current, &out);
    assert!(diff(desired, &applied, &managed()).is_empty(), "not converged: {out:#?}");
    out
}

fn apply_one<R: Clone + PartialEq>(rows: &mut Vec<R>, change: &Change<R>) {
    match change {
        Change::Insert(r) => rows.push(r.clone()),
        Change::Update { from, to } => {
            let i = rows.iter().position(|r| r == from).unwrap();
            rows[i] = to.clone();
        }
        Change::Delete(r) => rows.retain(|x| x != r),
    }
}

fn apply(state: &RadiusState, changes: &[RadiusChange]) -> RadiusState {
    let mut s = state.clone();
    for c in changes {
        match c {
            RadiusChange::GroupReply(c) => apply_one(&mut s.group_reply, c),
            RadiusChange::Check(c) => apply_one(&mut s.check, c),
            RadiusChange::UserGroup(c) => apply_one(&mut s.user_group, c),
            RadiusChange::Reply(c) => apply_one(&mut s.reply, c),
        }
    }
    s
}

#[test]
fn transitions_make_minimal_changes() {
    use ServiceStatus::*;
    let (reject, list) = (REJECT, LIST);
    let p = plans();
    let faster: BTreeMap<PlanId, Plan> =
        [plan(1, limits("15M/30M")), plan(2, limits("20M/40M"))].into_iter().map(|p| (p.id, p)).collect();
    let on = want(&[ana(Active)], &p, reject, "pw");
    let plan1 = plan_group(PlanId(1));
    let plan2 = plan_group(PlanId(2));
    let groups_only = RadiusState { group_reply: every_group(), ..RadiusState::default() };
    let cases: Vec<(&str, RadiusState, RadiusState, Vec<RadiusChange>)> = vec![
        (
            "first sync: groups first, then the user",
            RadiusState::default(),
            on.clone(),
            vec![
                RadiusChange::GroupReply(Change::Insert(group(&plan1, "Mikrotik-Rate-Limit", "10M/20M"))),
                RadiusChange::GroupReply(Change::Insert(group(&plan2, "Mikrotik-Rate-Limit", "20M/40M"))),
                RadiusChange::GroupReply(Change::Insert(group(
                    SUSPENDED_GROUP,
                    "Mikrotik-Address-List",
                    SUSPENDED_LIST,
                ))),
                RadiusChange::GroupReply(Change::Insert(group(SUSPENDED_GROUP, "Mikrotik-Rate-Limit", SUSPENDED_RATE))),
                RadiusChange::Check(Change::Insert(check("ana", "Cleartext-Password", "pw"))),
                RadiusChange::UserGroup(Change::Insert(member("ana", &plan1))),
            ],
        ),
        (
            "new service: its user only",
            groups_only.clone(),
            on.clone(),
            vec![
                RadiusChange::Check(Change::Insert(check("ana", "Cleartext-Password", "pw"))),
                RadiusChange::UserGroup(Change::Insert(member("ana", &plan1))),
            ],
        ),
        (
            "plan change moves the user's group",
            on.clone(),
            want(&[service(1, "ana", 2, Active)], &p, reject, "pw"),
            vec![RadiusChange::UserGroup(Change::Update { from: member("ana", &plan1), to: member("ana", &plan2) })],
        ),
        (
            "rate change rewrites only the group row",
            on.clone(),
            want(&[ana(Active)], &faster, reject, "pw"),
            vec![RadiusChange::GroupReply(Change::Update {
                from: group(&plan1, "Mikrotik-Rate-Limit", "10M/20M"),
                to: group(&plan1, "Mikrotik-Rate-Limit", "15M/30M"),
            })],
        ),
        (
            "password change updates one row",
            on.clone(),
            want(&[ana(Active)], &p, reject, "new"),
            vec![RadiusChange::Check(Change::Update {
                from: check("ana", "Cleartext-Password", "pw"),
                to: check("ana", "Cleartext-Password", "new"),
            })],
        ),
        (
            "suspend by reject",
            on.clone(),
            want(&[ana(Suspended)], &p, reject, "pw"),
            vec![RadiusChange::Check(Change::Insert(check("ana", "Auth-Type", "Reject")))],
        ),
        (
            "back from reject",
            want(&[ana(Suspended)], &p, reject, "pw"),
            on.clone(),
            vec![RadiusChange::Check(Change::Delete(check("ana", "Auth-Type", "Reject")))],
        ),
        (
            "suspend by address list",
            on.clone(),
            want(&[ana(Suspended)], &p, list, "pw"),
            vec![RadiusChange::UserGroup(Change::Update {
                from: member("ana", &plan1),
                to: member("ana", SUSPENDED_GROUP),
            })],
        ),
        (
            "back from the address list",
            want(&[ana(Suspended)], &p, list, "pw"),
            on.clone(),
            vec![RadiusChange::UserGroup(Change::Update {
                from: member("ana", SUSPENDED_GROUP),
                to: member("ana", &plan1),
            })],
        ),
        (
            "terminated: the user's rows go, the groups stay",
            on.clone(),
            want(&[ana(Terminated)], &p, reject, "pw"),
            vec![
                RadiusChange::Check(Change::Delete(check("ana", "Cleartext-Password", "pw"))),
                RadiusChange::UserGroup(Change::Delete(member("ana", &plan1))),
            ],
        ),
        (
            "a deleted plan's group goes after its users moved",
            RadiusState {
                group_reply: [every_group(), vec![group("headend-plan-9", "Mikrotik-Rate-Limit", "1M/1M")]].concat(),
                ..on.clone()
            },
            on.clone(),
            vec![RadiusChange::GroupReply(Change::Delete(group("headend-plan-9", "Mikrotik-Rate-Limit", "1M/1M")))],
        ),
    ];
    for (name, current, desired, expected) in cases {
        assert_eq!(changes(&desired, &current), expected, "{name}");
    }
}

#[test]
fn the_operators_rows_are_never_touched() {
    let p = plans();
    let desired = want(&[ana(ServiceStatus::Active)], &p, REJECT, "pw");
    let mut current = desired.clone();
    // Another user, a group without the prefix, a managed user in the
    // operator's group, and an extra attribute on an unmanaged user.
    current.check.push(check("carol", "Cleartext-Password", "carol-pw"));
    current.check.push(check("carol", "Simultaneous-Use", "1"));
    current.reply.push(ReplyRow {
        username: "carol".into(),
        attribute: "Framed-IP-Address".into(),
        op: Op::Set,
        value: "10.9.9.9".into(),
    });
    current.user_group.push(member("carol", "headend-plan-1"));
    current.user_group.push(member("ana", "static-pool"));
    current.group_reply.push(group("static-pool", "Framed-Pool", "pool1"));
    assert!(diff(&desired, &current, &managed()).is_empty());
    // Even when `desired` names them, foreign rows are not written.
    let mut greedy = desired.clone();
    greedy.check.push(check("carol", "Cleartext-Password", "other"));
    greedy.group_reply.push(group("static-pool", "Framed-Pool", "pool2"));
    assert!(diff(&greedy, &current, &managed()).is_empty());
}

#[test]
fn stale_rows_headend_writes_go_and_the_operators_other_rows_of_its_users_stay() {
    let mut addressed = ana(ServiceStatus::Active);
    addressed.access = Access::Pppoe { username: "ana".into(), address: "100.64.0.7".parse().ok() };
    let desired = want(&[addressed], &plans(), REJECT, "pw");
    assert_eq!(desired.reply.len(), 1, "the fixed address: {:?}", desired.reply);
    let mut current = desired.clone();
    let operators = check("ana", "Simultaneous-Use", "2");
    let duplicate = check("ana", "Cleartext-Password", "old");
    let old_group = group("headend-plan-9", "Mikrotik-Rate-Limit", "1M/1M");
    current.check.extend([operators, duplicate.clone()]);
    current.group_reply.push(old_group.clone());
    let old_address = ReplyRow {
        username: "ana".into(),
        attribute: "Framed-IP-Address".into(),
        op: Op::Set,
        value: "100.64.0.9".into(),
    };
    current.reply = vec![old_address.clone()];
    assert_eq!(
        changes(&desired, &current),
        vec![
            RadiusChange::Check(Change::Delete(duplicate)),
            RadiusChange::Reply(Change::Update { from: old_address, to: desired.reply[0].clone() }),
            RadiusChange::GroupReply(Change::Delete(old_group)),
        ]
    );
}

#[test]
fn the_diff_of_desired_against_itself_is_empty() {
    use ServiceStatus::*;
    let services = [ana(Active), service(2, "bob", 2, Suspended)];
    for mode in [REJECT, LIST] {
        let state = want(&services, &plans(), mode, "pw");
        assert!(diff(&state, &state, &managed()).is_empty(), "{mode:?}");
        assert_eq!(
            apply(&RadiusState::default(), &changes(&state, &RadiusState::default())).check.len(),
            state.check.len()
        );
    }
}

#[test]
fn change_debug_hides_passwords() {
    let out = changes(&want(&[ana(ServiceStatus::Active)], &plans(), REJECT, "s3cret!"), &RadiusState::default());
    let text = format!("{out:?}");
    assert!(text.contains("Cleartext-Password") && !text.contains("s3cret!"), "{text}");
}

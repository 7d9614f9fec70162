//! Table-driven tests of the provisioning policy and diff: every status in
//! every suspension mode, unmanaged objects, adoption, drift, moves, and
//! the idempotence of applying a plan.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use headend_core::plan::{BillingCycle, Plan, RateLimit, SessionLimits, Timeout};
use headend_core::provision::Password;
use headend_core::provision::desired::{self, DesiredRouter, ServiceSpec};
use headend_core::provision::diff::{self, IDLE_TIMEOUT, ObjectKind, ProvisionPlan, SESSION_TIMEOUT, Step, queue_name};
use headend_core::provision::marker::{Installation, Marker};
use headend_core::provision::observed::{
    ObservedAddress, ObservedProfile, ObservedQueue, ObservedRouter, ObservedSecret, ObservedSession,
};
use headend_core::provision::policy::{ALLOWED_LIST, IspPolicy, SUSPENDED_LIST, SuspensionMode};
use headend_core::service::{Access, Service, ServiceStatus};
use headend_core::{CustomerId, PlanId, RouterId, ServiceId};
use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal::Decimal;

const NOW: &str = "2026-11-25T12:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

fn plan(id: i64, rate: &str) -> Plan {
    Plan {
        id: PlanId(id),
        name: format!("Plan {id}"),
        profile: format!("hd-{id}-plan"),
        limits: RateLimit::from_parts(rate, None, None, None).unwrap(),
        price: Decimal::new(2500, 2),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    }
}

fn plans() -> BTreeMap<PlanId, Plan> {
    [plan(1, "10M/20M"), plan(2, "20M/40M")].into_iter().map(|p| (p.id, p)).collect()
}

fn pppoe(id: i64, user: &str, status: ServiceStatus) -> ServiceSpec {
    ServiceSpec {
        service: Service {
            id: ServiceId(id),
            customer: CustomerId(id),
            router: RouterId(1),
            plan: PlanId(1),
            access: Access::Pppoe { username: user.into(), address: None },
            status,
            next_billing_date: Some(date(2026, 12, 1)),
            grace_days: None,
        },
        password: Some(Password::new(format!("pw-{user}"))),
        adopt: false,
    }
}

fn static_ip(id: i64, ip: &str, status: ServiceStatus) -> ServiceSpec {
    let mut s = pppoe(id, "x", status);
    s.service.access = Access::StaticIp { address: ip.parse().unwrap() };
    s.password = None;
    s
}

/// The installation these tests run as.
fn here() -> Installation {
    Installation::new("5f3a9c0e1b2d4a67").unwrap()
}

fn want(mode: SuspensionMode, specs: &[ServiceSpec]) -> DesiredRouter {
    want_with(&IspPolicy::default(), mode, specs)
}

fn want_with(policy: &IspPolicy, mode: SuspensionMode, specs: &[ServiceSpec]) -> DesiredRouter {
    let known: BTreeSet<ServiceId> = specs.iter().map(|s| s.service.id).collect();
    desired::for_router(policy, mode, &plans(), specs, known, now())
}

fn profile(plan: i64, rate: &str) -> ObservedProfile {
    ObservedProfile {
        id: format!("*P{plan}"),
        name: format!("hd-{plan}-plan"),
        rate_limit: Some(rate.into()),
        session_timeout: None,
        idle_timeout: None,
        remote_address: None,
        comment: Some(Marker::Plan(PlanId(plan)).comment(&here())),
    }
}

fn secret(id: &str, name: &str, service: Option<i64>, disabled: bool) -> ObservedSecret {
    ObservedSecret {
        id: id.into(),
        name: name.into(),
        password: Some(Password::new(format!("pw-{name}"))),
        profile: "hd-1-plan".into(),
        disabled,
        comment: service.map(|s| Marker::Service(ServiceId(s)).comment(&here())),
        remote_address: None,
    }
}

fn session(id: &str, name: &str, ip: &str) -> ObservedSession {
    ObservedSession { id: id.into(), name: name.into(), address: Some(ip.parse().unwrap()) }
}

fn entry(id: &str, list: &str, address: &str, service: Option<i64>) -> ObservedAddress {
    ObservedAddress {
        id: id.into(),
        list: list.into(),
        address: address.into(),
        dynamic: false,
        comment: service.map(|s| Marker::Service(ServiceId(s)).comment(&here())),
    }
}

fn observed_with_profile() -> ObservedRouter {
    ObservedRouter { profiles: vec![profile(1, "10M/20M")], ..ObservedRouter::default() }
}

/// The steps as their Display text: what the dry run shows.
fn texts(plan: &ProvisionPlan) -> Vec<String> {
    plan.steps.iter().map(ToString::to_string).collect()
}

/// Applies a plan to an observed state the way a router would, to check
/// that the diff converges.
fn apply(observed: &mut ObservedRouter, plan: &ProvisionPlan) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let new_id = || format!("*N{}", NEXT.fetch_add(1, Ordering::Relaxed));
    for step in &plan.steps {
        match step {
            Step::AddProfile { plan, name, rate_limit, session } => observed.profiles.push(ObservedProfile {
                id: new_id(),
                name: name.clone(),
                rate_limit: Some(rate_limit.to_string()),
                session_timeout: session.session_timeout.map(Timeout::seconds),
                idle_timeout: session.idle_timeout.map(Timeout::seconds),
                remote_address: session.address_pool.as_ref().map(ToString::to_string),
                comment: Some(Marker::Plan(*plan).comment(&here())),
            }),
            Step::SetProfile { id, name, rate_limit, session, .. } => {
                let p = observed.profiles.iter_mut().find(|p| &p.id == id).unwrap();
                p.name = name.clone();
                p.rate_limit = Some(rate_limit.to_string());
                if let Some(t) = session.session_timeout {
                    p.session_timeout = Some(t.seconds());
                }
                if let Some(t) = session.idle_timeout {
                    p.idle_timeout = Some(t.seconds());
                }
                if let Some(pool) = &session.address_pool {
                    p.remote_address = Some(pool.to_string());
                }
            }
            Step::UnsetProfile { id, property, .. } => {
                let p = observed.profiles.iter_mut().find(|p| &p.id == id).unwrap();
                match *property {
                    SESSION_TIMEOUT => p.session_timeout = None,
                    IDLE_TIMEOUT => p.idle_timeout = None,
                    _ => p.remote_address = None,
                }
            }
            Step::AddSecret { service, name, password, profile, address, disabled } => {
                observed.secrets.push(ObservedSecret {
                    id: new_id(),
                    name: name.clone(),
                    password: Some(password.clone()),
                    profile: profile.clone(),
                    disabled: *disabled,
                    comment: Some(Marker::Service(*service).comment(&here())),
                    remote_address: address.map(|a| a.to_string()),
                })
            }
            Step::SetSecret { id, changes, .. } => {
                let s = observed.secrets.iter_mut().find(|s| &s.id == id).unwrap();
                if let Some(n) = &changes.name {
                    s.name = n.clone();
                }
                if let Some(p) = &changes.password {
                    s.password = Some(p.clone());
                }
                if let Some(p) = &changes.profile {
                    s.profile = p.clone();
                }
                if let Some(d) = changes.disabled {
                    s.disabled = d;
                }
                if let Some(c) = &changes.comment {
                    s.comment = Some(c.clone());
                }
                if let Some(a) = changes.address {
                    s.remote_address = Some(a.to_string());
                }
            }
            Step::UnsetSecretAddress { id, .. } => {
                observed.secrets.iter_mut().find(|s| &s.id == id).unwrap().remote_address = None;
            }
            Step::EnableSecret { id, .. } | Step::DisableSecret { id, .. } => {
                let s = observed.secrets.iter_mut().find(|s| &s.id == id).unwrap();
                s.disabled = matches!(step, Step::DisableSecret { .. });
            }
            Step::RemoveSecret { id, .. } => observed.secrets.retain(|s| &s.id != id),
            Step::Kick { id, .. } => observed.sessions.retain(|s| &s.id != id),
            Step::AddAddress { service, list, address } => observed.addresses.push(ObservedAddress {
                id: new_id(),
                list: list.clone(),
                address: address.to_string(),
                dynamic: false,
                comment: Some(Marker::Service(*service).comment(&here())),
            }),
            Step::RemoveAddress { id, .. } => observed.addresses.retain(|a| &a.id != id),
            Step::AddQueue { service, name, target, max_limit } => observed.queues.push(ObservedQueue {
                id: new_id(),
                name: name.clone(),
                target: format!("{target}/32"),
                max_limit: Some(format!("{}/{}", max_limit.upload, max_limit.download)),
                comment: Some(Marker::Service(*service).comment(&here())),
            }),
            Step::SetQueue { id, name, target, max_limit, .. } => {
                let q = observed.queues.iter_mut().find(|q| &q.id == id).unwrap();
                q.name = name.clone();
                q.target = format!("{target}/32");
                q.max_limit = Some(format!("{}/{}", max_limit.upload, max_limit.download));
            }
            Step::RemoveQueue { id, .. } => observed.queues.retain(|q| &q.id != id),
            Step::Claim { kind, id, comment, .. } => {
                let comment = Some(comment.clone());
                match kind {
                    ObjectKind::Profile => {
                        observed.profiles.iter_mut().find(|p| &p.id == id).unwrap().comment = comment
                    }
                    ObjectKind::Secret => observed.secrets.iter_mut().find(|s| &s.id == id).unwrap().comment = comment,
                    ObjectKind::Address => {
                        observed.addresses.iter_mut().find(|a| &a.id == id).unwrap().comment = comment
                    }
                    ObjectKind::Queue => observed.queues.iter_mut().find(|q| &q.id == id).unwrap().comment = comment,
                }
            }
        }
    }
}

/// Plans, applies, and checks a second plan is empty.
fn converge(desired: &DesiredRouter, observed: &mut ObservedRouter) -> ProvisionPlan {
    let first = diff::plan(desired, observed, &here());
    apply(observed, &first);
    let second = diff::plan(desired, observed, &here());
    assert!(second.is_empty(), "not idempotent: {:?}", texts(&second));
    first
}

#[test]
fn an_active_service_on_an_empty_router_gets_its_profile_then_its_secret() {
    let d = want(SuspensionMode::Disable, &[pppoe(1, "ana", ServiceStatus::Active)]);
    let mut o = ObservedRouter::default();
    let plan = converge(&d, &mut o);
    assert_eq!(
        texts(&plan),
        ["add PPP profile hd-1-plan (rate-limit 10M/20M)", "add PPP secret ana (profile hd-1-plan)"]
    );
    assert_eq!(o.secrets[0].comment.as_deref(), Some("headend:svc=1@5f3a9c0e1b2d4a67"));
}

#[test]
fn every_status_in_every_suspension_mode() {
    use ServiceStatus::*;
    use SuspensionMode::*;
    // (mode, status, secret already there enabled?, expected steps)
    let cases: &[(SuspensionMode, ServiceStatus, bool, &[&str])] = &[
        (Disable, Active, false, &["add PPP secret ana (profile hd-1-plan)"]),
        (Disable, Active, true, &[]),
        (Disable, Pending, false, &[]),
        (Disable, Suspended, true, &["disable PPP secret ana", "end the live session of ana"]),
        (Disable, Inactive, true, &["disable PPP secret ana", "end the live session of ana"]),
        (Disable, Terminated, true, &["remove PPP secret ana", "end the live session of ana"]),
        (Disable, Suspended, false, &[]),
        (Remove, Suspended, true, &["remove PPP secret ana", "end the live session of ana"]),
        (Remove, Pending, false, &[]),
        (Remove, Active, false, &["add PPP secret ana (profile hd-1-plan)"]),
        (AddressList, Suspended, true, &["add 100.64.0.9 to address-list headend-suspended"]),
        (AddressList, Terminated, true, &["remove PPP secret ana", "end the live session of ana"]),
        (AddressList, Active, true, &[]),
    ];
    for (mode, status, present, expected) in cases {
        let d = want(*mode, &[pppoe(1, "ana", *status)]);
        let mut o = observed_with_profile();
        if *present {
            o.secrets.push(secret("*1", "ana", Some(1), false));
            o.sessions.push(session("*A1", "ana", "100.64.0.9"));
        }
        let plan = converge(&d, &mut o);
        assert_eq!(texts(&plan), *expected, "{mode} {status} present={present}");
    }
}

#[test]
fn overdue_services_go_off_and_come_back_when_paid() {
    let mut spec = pppoe(1, "ana", ServiceStatus::Active);
    spec.service.next_billing_date = Some(date(2026, 11, 20));
    let policy = IspPolicy { grace_days: 3, ..IspPolicy::default() };
    let mut o = observed_with_profile();
    o.secrets.push(secret("*1", "ana", Some(1), false));
    o.sessions.push(session("*A1", "ana", "100.64.0.9"));
    let plan = converge(&want_with(&policy, SuspensionMode::Disable, std::slice::from_ref(&spec)), &mut o);
    assert_eq!(texts(&plan), ["disable PPP secret ana", "end the live session of ana"]);
    spec.service.next_billing_date = Some(date(2026, 12, 20));
    let plan = converge(&want_with(&policy, SuspensionMode::Disable, &[spec]), &mut o);
    assert_eq!(texts(&plan), ["enable PPP secret ana"]);
}

#[test]
fn unmanaged_objects_are_never_touched() {
    let d = want(
        SuspensionMode::Disable,
        &[pppoe(1, "ana", ServiceStatus::Active), pppoe(2, "bob", ServiceStatus::Suspended)],
    );
    let mut o = observed_with_profile();
    // The operator's own secrets: one named like a Headend service, one not.
    o.secrets.push(secret("*1", "ana", None, false));
    o.secrets.push(secret("*2", "bob", None, false));
    o.secrets.push(secret("*3", "office", None, true));
    o.sessions.push(session("*A2", "bob", "100.64.0.2"));
    let plan = diff::plan(&d, &o, &here());
    assert!(plan.steps.is_empty(), "{:?}", texts(&plan));
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].service, Some(ServiceId(1)));
    assert!(plan.conflicts[0].message.contains("adopt"), "{}", plan.conflicts[0].message);
}

#[test]
fn adoption_marks_the_existing_secret_and_fixes_it() {
    let mut spec = pppoe(1, "ana", ServiceStatus::Active);
    spec.adopt = true;
    let d = want(SuspensionMode::Disable, &[spec]);
    let mut o = observed_with_profile();
    let mut old = secret("*1", "ana", None, true);
    old.profile = "default".into();
    o.secrets.push(old);
    let plan = converge(&d, &mut o);
    assert_eq!(texts(&plan), ["set PPP secret ana: profile hd-1-plan enabled adopted"]);
    assert_eq!(o.secrets.len(), 1);
    assert_eq!(o.secrets[0].comment.as_deref(), Some("headend:svc=1@5f3a9c0e1b2d4a67"));
}

#[test]
fn drifted_passwords_profiles_and_rates_are_put_back() {
    let d = want(SuspensionMode::Disable, &[pppoe(1, "ana", ServiceStatus::Active)]);
    let mut o = ObservedRouter { profiles: vec![profile(1, "5M/5M")], ..ObservedRouter::default() };
    let mut drifted = secret("*1", "ana", Some(1), false);
    drifted.password = Some(Password::new("changed-in-winbox"));
    drifted.profile = "default".into();
    o.secrets.push(drifted);
    let plan = converge(&d, &mut o);
    assert_eq!(
        texts(&plan),
        ["set PPP profile hd-1-plan rate-limit to 10M/20M", "set PPP secret ana: password profile hd-1-plan"]
    );
    // A router that hides passwords is not "drifted".
    o.secrets[0].password = None;
    assert!(diff::plan(&d, &o, &here()).is_empty());
    // The same rate written differently is not drift either.
    o.profiles[0].rate_limit = Some("10000k/20000k".into());
    assert!(diff::plan(&d, &o, &here()).is_empty());
}

#[test]
fn renamed_user_and_changed_plan() {
    let mut spec = pppoe(1, "ana2", ServiceStatus::Active);
    spec.service.plan = PlanId(2);
    let d = want(SuspensionMode::Disable, &[spec]);
    let mut o = observed_with_profile();
    let mut s = secret("*1", "ana", Some(1), false);
    s.password = Some(Password::new("pw-ana2"));
    o.secrets.push(s);
    let plan = converge(&d, &mut o);
    assert_eq!(
        texts(&plan),
        ["add PPP profile hd-2-plan (rate-limit 20M/40M)", "set PPP secret ana: name ana2 profile hd-2-plan"]
    );
}

#[test]
fn duplicates_and_moved_services_are_cleaned_up_but_foreign_marks_are_not() {
    let d = want(SuspensionMode::Disable, &[pppoe(1, "ana", ServiceStatus::Active)]);
    let mut d = d;
    d.known_services.insert(ServiceId(7));
    let mut o = observed_with_profile();
    o.secrets.push(secret("*1", "ana", Some(1), false));
    o.secrets.push(secret("*2", "ana-old", Some(1), false));
    // Service 7 moved to another router; service 99 is not in this database.
    o.secrets.push(secret("*7", "gus", Some(7), false));
    o.sessions.push(session("*A7", "gus", "100.64.0.7"));
    o.secrets.push(secret("*9", "zoe", Some(99), false));
    let plan = converge(&d, &mut o);
    assert_eq!(texts(&plan), ["remove PPP secret gus", "remove PPP secret ana-old", "end the live session of gus"]);
    assert!(o.secrets.iter().any(|s| s.name == "zoe"));
}

#[test]
fn another_installations_objects_are_never_written_even_for_the_same_ids() {
    // A restored copy on a second desktop (its own installation id) has the
    // same services: it must not fight the first over the router.
    let d = want(
        SuspensionMode::Disable,
        &[
            pppoe(1, "ana", ServiceStatus::Active),
            pppoe(2, "bob", ServiceStatus::Active),
            pppoe(3, "cy", ServiceStatus::Suspended),
        ],
    );
    let first = Installation::new("0000aaaa").unwrap();
    let theirs = |m: Marker| Some(m.comment(&first));
    let o = ObservedRouter {
        profiles: vec![ObservedProfile { comment: theirs(Marker::Plan(PlanId(1))), ..profile(1, "10M/20M") }],
        secrets: vec![
            ObservedSecret { comment: theirs(Marker::Service(ServiceId(1))), ..secret("*1", "ana", None, false) },
            ObservedSecret { comment: theirs(Marker::Service(ServiceId(3))), ..secret("*3", "cy", None, false) },
        ],
        // cy is suspended here, not there: its session is not ours to end.
        sessions: vec![session("*A3", "cy", "100.64.0.3")],
        ..ObservedRouter::default()
    };
    let plan = diff::plan(&d, &o, &here());
    assert_eq!(texts(&plan), ["add PPP secret bob (profile hd-1-plan)"], "{:?}", plan.conflicts);
    // (bob's secret refers to the profile by name; the other installation's
    // profile of the same name serves it.)
    let messages: Vec<&str> = plan.conflicts.iter().map(|c| c.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("PPP profile named hd-1-plan")
            && messages[0].contains("another Headend installation (0000aaaa)")
    );
    assert!(
        messages[1].contains("PPP secret named ana") && messages[1].contains("another Headend installation (0000aaaa)")
    );
    // Nor does it remove them as "moved away" or duplicates.
    let mut gone = d.clone();
    gone.services.remove(&ServiceId(1));
    gone.services.remove(&ServiceId(3));
    assert!(diff::plan(&gone, &o, &here()).steps.iter().all(|s| s.service() == Some(ServiceId(2))));
}

#[test]
fn legacy_marks_are_claimed_in_place_with_nothing_removed_and_no_session_dropped() {
    let policy = IspPolicy { static_queues: true, ..IspPolicy::default() };
    let specs = [pppoe(1, "ana", ServiceStatus::Active), static_ip(2, "10.0.0.2", ServiceStatus::Active)];
    let d = want_with(&policy, SuspensionMode::Disable, &specs);
    let legacy = |text: &str| Some(text.to_owned());
    let mut o = ObservedRouter {
        profiles: vec![ObservedProfile { comment: legacy("headend:plan=1"), ..profile(1, "10M/20M") }],
        secrets: vec![ObservedSecret {
            comment: legacy("Ana, tower B headend:svc=1"),
            ..secret("*1", "ana", None, false)
        }],
        sessions: vec![session("*A1", "ana", "100.64.0.1")],
        addresses: vec![ObservedAddress {
            comment: legacy("headend:svc=2"),
            ..entry("*L2", ALLOWED_LIST, "10.0.0.2", None)
        }],
        queues: vec![ObservedQueue {
            id: "*Q2".into(),
            name: queue_name(ServiceId(2)),
            target: "10.0.0.2/32".into(),
            max_limit: Some("10M/20M".into()),
            comment: legacy("headend:svc=2"),
        }],
    };
    // Another database's legacy-marked secret of a service unknown here.
    o.secrets.push(ObservedSecret { comment: legacy("headend:svc=77"), ..secret("*77", "zed", None, false) });
    let plan = converge(&d, &mut o);
    assert_eq!(
        texts(&plan),
        [
            "mark PPP profile hd-1-plan as this installation's",
            "mark PPP secret ana as this installation's",
            "mark address-list entry 10.0.0.2 in headend-allowed as this installation's",
            "mark simple queue hd-svc-2 as this installation's",
        ]
    );
    assert_eq!(o.secrets[0].comment.as_deref(), Some("Ana, tower B headend:svc=1@5f3a9c0e1b2d4a67"));
    assert_eq!(o.sessions.len(), 1, "the session stays up");
    assert_eq!(o.secrets[1].comment.as_deref(), Some("headend:svc=77"), "not ours to claim");
}

#[test]
fn static_ip_services_use_the_lists_and_optional_queues() {
    let policy = IspPolicy { static_queues: true, ..IspPolicy::default() };
    let specs = [static_ip(1, "10.0.0.1", ServiceStatus::Active), static_ip(2, "10.0.0.2", ServiceStatus::Suspended)];
    let mut o = ObservedRouter::default();
    let plan = converge(&want_with(&policy, SuspensionMode::Disable, &specs), &mut o);
    assert_eq!(
        texts(&plan),
        [
            "add 10.0.0.1 to address-list headend-allowed",
            "add 10.0.0.2 to address-list headend-suspended",
            "add simple queue hd-svc-1 for 10.0.0.1 (max-limit 10M/20M)",
            "add simple queue hd-svc-2 for 10.0.0.2 (max-limit 10M/20M)",
        ]
    );
    // Paying moves the address from one list to the other.
    let specs = [static_ip(1, "10.0.0.1", ServiceStatus::Active), static_ip(2, "10.0.0.2", ServiceStatus::Active)];
    let plan = converge(&want_with(&policy, SuspensionMode::Disable, &specs), &mut o);
    assert_eq!(
        texts(&plan),
        ["remove 10.0.0.2 from address-list headend-suspended", "add 10.0.0.2 to address-list headend-allowed"]
    );
    // Terminated: out of both lists, queue gone.
    let specs = [static_ip(1, "10.0.0.1", ServiceStatus::Terminated), static_ip(2, "10.0.0.2", ServiceStatus::Active)];
    let plan = converge(&want_with(&policy, SuspensionMode::Disable, &specs), &mut o);
    assert_eq!(texts(&plan), ["remove 10.0.0.1 from address-list headend-allowed", "remove simple queue hd-svc-1"]);
    assert_eq!(o.queues.len(), 1);
    assert_eq!(o.queues[0].name, queue_name(ServiceId(2)));
}

#[test]
fn duplicate_list_entries_are_removed_and_operator_entries_count() {
    let specs = [static_ip(1, "10.0.0.1", ServiceStatus::Active), static_ip(2, "10.0.0.2", ServiceStatus::Active)];
    let d = want(SuspensionMode::Disable, &specs);
    let mut o = ObservedRouter {
        addresses: vec![
            entry("*1", ALLOWED_LIST, "10.0.0.1", Some(1)),
            entry("*2", ALLOWED_LIST, "10.0.0.1/32", Some(1)),
            entry("*3", ALLOWED_LIST, "10.0.0.2", None),
            entry("*4", SUSPENDED_LIST, "10.0.0.1", Some(1)),
        ],
        ..ObservedRouter::default()
    };
    let plan = converge(&d, &mut o);
    assert_eq!(
        texts(&plan),
        ["remove 10.0.0.1/32 from address-list headend-allowed", "remove 10.0.0.1 from address-list headend-suspended"]
    );
}

#[test]
fn address_list_mode_follows_the_session_address() {
    let d = want(SuspensionMode::AddressList, &[pppoe(1, "ana", ServiceStatus::Suspended)]);
    let mut o = observed_with_profile();
    o.secrets.push(secret("*1", "ana", Some(1), false));
    o.sessions.push(session("*A1", "ana", "100.64.0.9"));
    converge(&d, &mut o);
    // The customer redials and gets another address.
    o.sessions = vec![session("*A2", "ana", "100.64.0.10")];
    let plan = converge(&d, &mut o);
    assert_eq!(
        texts(&plan),
        ["remove 100.64.0.9 from address-list headend-suspended", "add 100.64.0.10 to address-list headend-suspended"]
    );
    // Paid: the entry goes, the secret was never touched.
    let d = want(SuspensionMode::AddressList, &[pppoe(1, "ana", ServiceStatus::Active)]);
    let plan = converge(&d, &mut o);
    assert_eq!(texts(&plan), ["remove 100.64.0.10 from address-list headend-suspended"]);
}

#[test]
fn a_profile_name_taken_by_the_operator_is_a_conflict() {
    let d = want(SuspensionMode::Disable, &[pppoe(1, "ana", ServiceStatus::Active)]);
    let mut o = ObservedRouter::default();
    o.profiles.push(ObservedProfile { comment: None, ..profile(1, "1M/1M") });
    let plan = diff::plan(&d, &o, &here());
    assert_eq!(plan.conflicts.len(), 1);
    assert!(plan.conflicts[0].message.contains("hd-1-plan"));
    assert!(plan.steps.iter().all(|s| !matches!(s, Step::AddProfile { .. } | Step::SetProfile { .. })));
}

#[test]
fn steps_are_grouped_in_phases() {
    let d = want(
        SuspensionMode::Disable,
        &[pppoe(1, "ana", ServiceStatus::Active), pppoe(2, "bob", ServiceStatus::Suspended)],
    );
    let mut o = ObservedRouter::default();
    o.secrets.push(secret("*2", "bob", Some(2), false));
    o.sessions.push(session("*B", "bob", "100.64.0.2"));
    let plan = diff::plan(&d, &o, &here());
    let phases: Vec<Vec<String>> = plan.phases().map(|p| p.iter().map(ToString::to_string).collect()).collect();
    assert_eq!(
        phases,
        [
            vec!["add PPP profile hd-1-plan (rate-limit 10M/20M)".to_owned()],
            vec!["add PPP secret ana (profile hd-1-plan)".to_owned(), "disable PPP secret bob".to_owned()],
            vec!["end the live session of bob".to_owned()],
        ]
    );
}

#[test]
fn no_step_or_error_ever_shows_a_password() {
    let d = want(SuspensionMode::Disable, &[pppoe(1, "ana", ServiceStatus::Active)]);
    let mut o = observed_with_profile();
    let mut s = secret("*1", "ana", Some(1), false);
    s.password = Some(Password::new("old-secret"));
    o.secrets.push(s);
    let plan = diff::plan(&d, &o, &here());
    let shown = format!("{:?} {}", plan, texts(&plan).join(" "));
    assert!(!shown.contains("pw-ana") && !shown.contains("old-secret"), "{shown}");
}

#[test]
fn a_plans_session_limits_reach_its_profile_and_leave_it_when_removed() {
    let specs = [pppoe(1, "ana", ServiceStatus::Active)];
    let mut limited = plans();
    if let Some(p) = limited.get_mut(&PlanId(1)) {
        p.session = SessionLimits {
            session_timeout: "1d".parse().ok(),
            idle_timeout: "30m".parse().ok(),
            address_pool: "pool-home".parse().ok(),
        };
    }
    let known: BTreeSet<ServiceId> = specs.iter().map(|s| s.service.id).collect();
    let with_limits =
        desired::for_router(&IspPolicy::default(), SuspensionMode::Disable, &limited, &specs, known, now());
    let mut observed = ObservedRouter::default();
    let first = converge(&with_limits, &mut observed);
    assert_eq!(
        texts(&first)[0],
        "add PPP profile hd-1-plan (rate-limit 10M/20M, session-timeout 1d, idle-timeout 30m, pool pool-home)"
    );
    let p = &observed.profiles[0];
    assert_eq!(
        (p.session_timeout, p.idle_timeout, p.remote_address.as_deref()),
        (Some(86_400), Some(1_800), Some("pool-home"))
    );

    // Drift on the router is put back; the plan losing its limits unsets them.
    observed.profiles[0].session_timeout = Some(3_600);
    let fixed = converge(&with_limits, &mut observed);
    assert_eq!(
        texts(&fixed),
        ["set PPP profile hd-1-plan rate-limit to 10M/20M, session-timeout 1d, idle-timeout 30m, pool pool-home"]
    );
    let plain = want(SuspensionMode::Disable, &specs);
    let unset = converge(&plain, &mut observed);
    assert_eq!(
        texts(&unset),
        [
            "unset PPP profile hd-1-plan session-timeout",
            "unset PPP profile hd-1-plan idle-timeout",
            "unset PPP profile hd-1-plan remote-address",
        ]
    );
    assert!(unset.steps.iter().all(|s| s.phase() == 0));
}

#[test]
fn a_fixed_pppoe_address_is_the_secrets_remote_address_until_removed() {
    let mut ana = pppoe(1, "ana", ServiceStatus::Active);
    ana.service.access = Access::Pppoe { username: "ana".into(), address: "100.64.0.7".parse().ok() };
    let mut observed = ObservedRouter::default();
    let added = converge(&want(SuspensionMode::Disable, &[ana.clone()]), &mut observed);
    assert_eq!(texts(&added)[1], "add PPP secret ana (profile hd-1-plan, address 100.64.0.7)");

    ana.service.access = Access::Pppoe { username: "ana".into(), address: "100.64.0.8".parse().ok() };
    let moved = converge(&want(SuspensionMode::Disable, &[ana.clone()]), &mut observed);
    assert_eq!(texts(&moved), ["set PPP secret ana: address 100.64.0.8"]);

    ana.service.access = Access::Pppoe { username: "ana".into(), address: None };
    let pooled = converge(&want(SuspensionMode::Disable, &[ana]), &mut observed);
    assert_eq!(texts(&pooled), ["unset PPP secret ana remote-address"]);
}

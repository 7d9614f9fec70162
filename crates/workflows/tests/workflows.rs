//! The workflows on a real database in a temporary folder, with a fixed
//! clock and an engine ear that records what it is told. Only workflows
//! that need no keyring are here (static-IP services); the ones that keep
//! passwords run through both shells in `tests/shells_agree.rs`.

#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use headend_core::activity::Actor;
use headend_core::clock::ManualClock;
use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId};
use headend_store::{ActivityQuery, NewPlan, NewRouter, Store};
use headend_workflows::policy::PolicyChange;
use headend_workflows::services::{CustomerInput, ServiceInput};
use headend_workflows::{Keyring, SweepHint, WorkflowError, Workflows};
use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal::Decimal;

#[derive(Default)]
struct Heard(Mutex<Vec<RouterId>>);

impl SweepHint for Heard {
    fn sweep(&self, router: RouterId) {
        self.0.lock().unwrap().push(router);
    }
}

struct Lab {
    _dir: tempfile::TempDir,
    w: Workflows,
    heard: Arc<Heard>,
    router: RouterId,
    plan: PlanId,
    now: Timestamp,
}

impl Lab {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
        let router = store
            .add_router(&NewRouter {
                name: "core-1".into(),
                host: "127.0.0.1".into(),
                port: 8728,
                transport: Transport::Api,
                username: "admin".into(),
                pop: None,
                location: None,
            })
            .await
            .unwrap();
        let limits = RateLimit::new(Pair::parse("5M/20M").unwrap(), None).unwrap();
        let plan = store
            .add_plan(&NewPlan {
                name: "Home 20".into(),
                limits,
                price: Decimal::new(2500, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
            })
            .await
            .unwrap();
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let heard = Arc::new(Heard::default());
        let store = store.with_clock(Arc::new(ManualClock::at(now)));
        let w = Workflows::new(store, Keyring::lazy(), heard.clone());
        Self { _dir: dir, w, heard, router, plan, now }
    }

    fn input(&self, customer: &str, ip: &str) -> ServiceInput {
        ServiceInput {
            customer: CustomerInput {
                name: customer.into(),
                phone: Some(" +254 700 ".into()),
                ..CustomerInput::default()
            },
            router: self.router,
            plan: self.plan,
            access: Access::StaticIp { address: ip.parse::<IpAddr>().unwrap() },
            password: None,
            status: ServiceStatus::Active,
            next_billing_date: Some(date(2026, 12, 5)),
            grace_days: None,
        }
    }

    async fn actions(&self) -> Vec<(String, String, String)> {
        let mut log = self.w.store().activity(&ActivityQuery::default()).await.unwrap();
        log.reverse();
        log.into_iter().map(|(_, e)| (e.subject.to_string(), e.action, e.detail)).collect()
    }
}

fn field(err: WorkflowError) -> Option<&'static str> {
    err.field()
}

#[tokio::test]
async fn a_service_and_its_new_customer_are_written_together_with_their_activity() {
    let lab = Lab::new().await;
    let first = lab.w.add_service(&Actor::Cli, lab.input("Ana Lima", "10.0.0.2")).await.unwrap();
    assert_eq!(first.customer_phone.as_deref(), Some("+254 700"), "fields are trimmed");
    let second = lab.w.add_service(&Actor::Cli, lab.input("Ana Lima", "10.0.0.3")).await.unwrap();
    assert_eq!(second.customer, first.customer, "the customer is found by name and phone");
    let log = lab.actions().await;
    let actions: Vec<&str> = log.iter().map(|(_, a, _)| a.as_str()).collect();
    assert_eq!(actions, ["customer added", "service added", "service added"]);
    assert_eq!(log[1].2, "static 10.0.0.2 on core-1, active for Ana Lima, plan Home 20");
    let entries = lab.w.store().activity(&ActivityQuery::default()).await.unwrap();
    assert!(entries.iter().all(|(_, e)| e.at == lab.now && e.actor == Actor::Cli), "the injected clock and actor");
    assert_eq!(*lab.heard.0.lock().unwrap(), [lab.router, lab.router], "the engine is told at once");
}

#[tokio::test]
async fn bad_input_names_its_field_and_writes_nothing() {
    let lab = Lab::new().await;
    let no_name = lab.w.add_service(&Actor::Operator, lab.input("  ", "10.0.0.2")).await.unwrap_err();
    assert_eq!(field(no_name), Some("customer_name"));
    let long_grace = ServiceInput { grace_days: Some(366), ..lab.input("Ana", "10.0.0.2") };
    let err = lab.w.add_service(&Actor::Operator, long_grace).await.unwrap_err();
    assert_eq!(err.to_string(), "grace is a whole number of days from 0 to 365, not 366, or empty for the ISP's");
    assert_eq!(field(err), Some("grace_days"));
    let no_password = ServiceInput { access: Access::Pppoe { username: "ana".into() }, ..lab.input("Ana", "10.0.0.2") };
    assert_eq!(field(lab.w.add_service(&Actor::Operator, no_password).await.unwrap_err()), Some("password"));
    let gone = ServiceInput { router: RouterId(99), ..lab.input("Ana", "10.0.0.2") };
    assert_eq!(field(lab.w.add_service(&Actor::Operator, gone).await.unwrap_err()), Some("router_id"));
    assert!(lab.w.store().services().await.unwrap().is_empty());
    assert!(lab.w.store().customers().await.unwrap().is_empty(), "no customer without its service");
    assert!(lab.actions().await.is_empty());
}

#[tokio::test]
async fn an_edit_keeps_the_adopt_flag_and_a_status_change_says_what_changed() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    lab.w.store().set_service_adopt(s.id, true).await.unwrap();
    let edited = ServiceInput { grace_days: Some(7), ..lab.input("Ana Lima", "10.0.0.9") };
    let after = lab.w.edit_service(&Actor::Operator, s.id, edited).await.unwrap();
    assert_eq!((after.adopt, after.grace_days, after.customer_name.as_str()), (true, Some(7), "Ana Lima"));
    lab.w.set_service_status(&Actor::Operator, s.id, ServiceStatus::Suspended).await.unwrap();
    let log = lab.actions().await;
    assert_eq!(
        log.last().map(|(_, a, d)| (a.as_str(), d.as_str())),
        Some(("status changed", "status active -> suspended"))
    );
}

#[tokio::test]
async fn a_payment_moves_the_due_date_from_the_current_one() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    let preview = lab.w.preview_payment(s.id, 3).await.unwrap();
    assert_eq!((preview.previous, preview.new), (Some(date(2026, 12, 5)), date(2027, 3, 5)));
    assert_eq!(field(lab.w.preview_payment(s.id, 0).await.unwrap_err()), Some("months"));
    let negative = lab.w.record_payment(&Actor::Operator, s.id, Decimal::new(-1, 0), 1).await.unwrap_err();
    assert_eq!(field(negative), Some("amount"));
    let paid = lab.w.record_payment(&Actor::Operator, s.id, Decimal::new(7500, 2), 3).await.unwrap();
    assert_eq!((paid.new_due, paid.paid_at), (date(2027, 3, 5), lab.now));
}

#[tokio::test]
async fn the_policy_keeps_to_its_bounds() {
    let lab = Lab::new().await;
    let grace = lab.w.change_policy(&Actor::Cli, PolicyChange { grace_days: Some(400), ..PolicyChange::default() });
    assert_eq!(field(grace.await.unwrap_err()), Some("grace_days"));
    let zone = PolicyChange { time_zone: Some("Mars/Olympus".into()), ..PolicyChange::default() };
    assert_eq!(field(lab.w.change_policy(&Actor::Cli, zone).await.unwrap_err()), Some("time_zone"));
    let attempts = PolicyChange { max_attempts: Some(0), ..PolicyChange::default() };
    assert_eq!(field(lab.w.change_policy(&Actor::Cli, attempts).await.unwrap_err()), Some("max_attempts"));
    let ok =
        PolicyChange { grace_days: Some(365), time_zone: Some("Africa/Nairobi".into()), ..PolicyChange::default() };
    let policy = lab.w.change_policy(&Actor::Cli, ok).await.unwrap();
    assert_eq!(policy.grace_days, 365);
    assert_eq!(lab.w.store().isp_policy().await.unwrap(), policy);
    assert_eq!(lab.actions().await.last().map(|(s, a, _)| (s.as_str(), a.as_str())), Some(("policy", "policy-set")));
}

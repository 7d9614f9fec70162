//! The provisioning engine against simulated routers over loopback:
//! convergence and idempotence on both RouterOS personas, suspension,
//! faults on one router not holding up another, backoff and final failure,
//! refused logins, the lease, and a midnight cutoff crossed with an
//! injected clock.

#![allow(clippy::unwrap_used)]

// The inventory helper the fleet's tests use too.
#[path = "../../fleet/tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use headend_core::activity::Subject;
use headend_core::clock::{Clock, ManualClock};
use headend_core::plan::{BillingCycle, RateLimit, SessionLimits};
use headend_core::provision::Password;
use headend_core::provision::policy::IspPolicy;
use headend_core::queue::QueueStatus;
use headend_core::router::{Router, Transport};
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_fleet::Connector;
use headend_provision::lease::RouterLease;
use headend_provision::{EngineConfig, EngineEvent, Provisioner, StepStatus, SweepMode};
use headend_routeros::Attributes;
use headend_routeros::ops::{Change, ItemId, Menu, RouterApi};
use headend_secrets::{SecretKey, SubscriberCipher};
use headend_simlab::{Faults, Persona, SimConfig, SimRouter, SimRouterHandle};
use headend_store::{EngineHolder, LEASE_TTL, NewCustomer, NewPlan, NewService, RouterLogOutcome, Store};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use support::Inventory;

struct Fixture {
    inv: Inventory,
    cipher: SubscriberCipher,
    plan: PlanId,
}

impl Fixture {
    async fn new() -> Self {
        let inv = Inventory::new().await;
        // The engine takes the cipher it is given; where its key is kept is the workflows' concern.
        let cipher = SubscriberCipher::generate();
        let plan = inv
            .store
            .add_plan(&NewPlan {
                name: "Home 20".into(),
                limits: RateLimit::from_parts("10M/20M", None, None, None).unwrap(),
                price: Decimal::new(2500, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            })
            .await
            .unwrap();
        Self { inv, cipher, plan }
    }

    fn store(&self) -> &Store {
        &self.inv.store
    }

    /// From here on the store, and the engines made from it, read `clock`.
    fn set_clock(&mut self, clock: impl Clock) {
        self.inv.store = self.inv.store.clone().with_clock(Arc::new(clock));
    }

    async fn router(&mut self, name: &str, sim: &SimRouterHandle) -> Router {
        self.inv.router(name, sim.api_port(), Transport::Api, Some("admin")).await
    }

    async fn pppoe(&self, router: RouterId, user: &str, status: ServiceStatus, due: Option<Date>) -> ServiceId {
        let customer = self
            .store()
            .add_customer(&NewCustomer {
                name: format!("Customer {user}"),
                phone: None,
                email: None,
                address: None,
                location: None,
            })
            .await
            .unwrap();
        self.store()
            .add_service(&NewService {
                customer,
                router,
                plan: self.plan,
                access: Access::Pppoe { username: user.into(), address: None },
                status,
                next_billing_date: due,
                grace_days: None,
                password: Some(self.cipher.encrypt(&Password::new(format!("pw-{user}")))),
                adopt: false,
            })
            .await
            .unwrap()
    }

    async fn static_ip(&self, router: RouterId, ip: &str, status: ServiceStatus) -> ServiceId {
        let customer = self
            .store()
            .add_customer(&NewCustomer {
                name: format!("Customer {ip}"),
                phone: None,
                email: None,
                address: None,
                location: None,
            })
            .await
            .unwrap();
        self.store()
            .add_service(&NewService {
                customer,
                router,
                plan: self.plan,
                access: Access::StaticIp { address: ip.parse().unwrap() },
                status,
                next_billing_date: None,
                grace_days: None,
                password: None,
                adopt: false,
            })
            .await
            .unwrap()
    }

    fn engine(&self) -> Provisioner {
        let connector = Connector::new(self.inv.store.clone(), self.inv.secrets.clone())
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(2));
        let config = EngineConfig::new(EngineHolder::named("test"));
        Provisioner::new(self.inv.store.clone(), connector, Some(self.cipher.clone()), config)
    }
}

fn find<'a>(items: &'a [Attributes], key: &str, value: &str) -> Vec<&'a Attributes> {
    items.iter().filter(|a| a.get_str(key) == Some(value)).collect()
}

fn secret(sim: &SimRouterHandle, name: &str) -> Option<Attributes> {
    find(&sim.secrets(), "name", name).first().map(|a| (*a).clone())
}

#[tokio::test]
async fn converges_then_a_second_sweep_reads_once_per_menu_and_writes_nothing() {
    for persona in [Persona::V6, Persona::V7] {
        let sim = SimRouter::start(SimConfig { persona, secrets: 3, ..SimConfig::default() }).await.unwrap();
        let mut fx = Fixture::new().await;
        let router = fx.router("core", &sim).await;
        let policy = IspPolicy { static_queues: true, ..IspPolicy::default() };
        fx.store().set_isp_policy(&policy).await.unwrap();
        for i in 0..5 {
            fx.pppoe(router.id, &format!("ana{i}"), ServiceStatus::Active, None).await;
        }
        fx.pppoe(router.id, "pending1", ServiceStatus::Pending, None).await;
        fx.static_ip(router.id, "10.9.0.1", ServiceStatus::Active).await;
        fx.static_ip(router.id, "10.9.0.2", ServiceStatus::Suspended).await;
        let engine = fx.engine();

        let first = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
        assert!(first.steps.iter().all(|s| s.outcome == StepStatus::Applied), "{persona:?}: {:?}", first.steps);
        // 1 profile, 5 secrets, 2 list entries, 2 queues.
        assert_eq!(first.writes(), 10, "{persona:?}");
        assert_eq!(
            sim.secret_count(),
            3 + 5,
            "{persona:?}: the operator's 3 secrets stay, the pending one is not added"
        );
        let ana = secret(&sim, "ana0").unwrap();
        assert_eq!(ana.get_str("password"), Some("pw-ana0"));
        let installation = fx.store().installation_id().await.unwrap();
        assert_eq!(ana.get_str("comment"), Some(format!("headend:svc=1@{installation}").as_str()));
        assert!(secret(&sim, "pending1").is_none());
        let lists = sim.items("/ip/firewall/address-list").unwrap();
        assert_eq!(find(&lists, "list", "headend-allowed").len(), 1);
        assert_eq!(find(&lists, "list", "headend-suspended").len(), 1);

        sim.reset_stats();
        let second = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
        assert!(second.steps.is_empty(), "{persona:?}: {:?}", second.steps);
        let stats = sim.stats();
        assert_eq!(stats.writes, 0, "{persona:?}");
        for menu in ["/ppp/secret/print", "/ppp/profile/print", "/ppp/active/print", "/queue/simple/print"] {
            assert_eq!(stats.commands_by_path.get(menu), Some(&1), "{persona:?} {menu}: {:?}", stats.commands_by_path);
        }
        assert_eq!(stats.logins, 0, "{persona:?}: the connection is kept between sweeps");
        let services = fx.store().services_page(&Default::default()).await.unwrap();
        assert!(services.rows.iter().filter(|s| s.status == ServiceStatus::Active).all(|s| s.router_provisioned));
    }
}

#[tokio::test]
async fn a_plans_session_limits_are_set_on_its_profile_and_unset_when_removed() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let plan = fx.store().plan(fx.plan).await.unwrap().unwrap();
    let edit = |session: SessionLimits| NewPlan {
        name: plan.name.clone(),
        limits: plan.limits,
        price: plan.price,
        cycle: plan.cycle,
        tax_rate: plan.tax_rate,
        session,
    };
    let limited = SessionLimits {
        session_timeout: "1d".parse().ok(),
        idle_timeout: "30m".parse().ok(),
        address_pool: "pool-home".parse().ok(),
    };
    fx.store().update_plan(fx.plan, &edit(limited)).await.unwrap();
    let engine = fx.engine();
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    let profile = || find(&sim.items("/ppp/profile").unwrap(), "name", &plan.profile)[0].clone();
    let set = profile();
    assert_eq!(
        (set.get_str("session-timeout"), set.get_str("idle-timeout"), set.get_str("remote-address")),
        (Some("1d"), Some("30m"), Some("pool-home"))
    );
    assert!(engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap().steps.is_empty(), "read back equal");

    fx.store().update_plan(fx.plan, &edit(SessionLimits::default())).await.unwrap();
    let cleared = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert_eq!(cleared.writes(), 3, "{:?}", cleared.steps);
    assert!(cleared.steps.iter().all(|s| s.outcome == StepStatus::Applied), "{:?}", cleared.steps);
    let unset = profile();
    assert_eq!(
        (unset.get("session-timeout"), unset.get("idle-timeout"), unset.get("remote-address")),
        (None, None, None)
    );
    assert!(engine.sweep_one(router, SweepMode::Apply).await.unwrap().steps.is_empty());
}

#[tokio::test]
async fn a_fixed_pppoe_address_is_the_secrets_remote_address_and_goes_when_removed() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    let ana = fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let set_address = |address: Option<&str>| {
        let address = address.map(|a| a.parse().unwrap());
        let store = fx.store().clone();
        async move {
            let s = store.service(ana).await.unwrap().unwrap();
            let new = NewService {
                customer: s.customer,
                router: s.router,
                plan: s.plan,
                access: Access::Pppoe { username: "ana".into(), address },
                status: s.status,
                next_billing_date: s.next_billing_date,
                grace_days: s.grace_days,
                password: None,
                adopt: false,
            };
            store.update_service(ana, &new).await.unwrap();
        }
    };
    set_address(Some("100.64.0.7")).await;
    let engine = fx.engine();
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert_eq!(secret(&sim, "ana").unwrap().get_str("remote-address"), Some("100.64.0.7"));
    assert!(engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap().steps.is_empty());
    set_address(None).await;
    let cleared = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(cleared.steps.iter().all(|s| s.outcome == StepStatus::Applied), "{:?}", cleared.steps);
    assert_eq!(secret(&sim, "ana").unwrap().get("remote-address"), None);
}

#[tokio::test]
async fn suspending_disables_the_secret_and_ends_the_session() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    let ana = fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let engine = fx.engine();
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(sim.connect_session("ana").is_some());
    assert_eq!(sim.active_count(), 1);

    fx.store().set_service_status(ana, ServiceStatus::Suspended).await.unwrap();
    let dry = engine.sweep_one(router.clone(), SweepMode::DryRun).await.unwrap();
    let planned: Vec<&str> = dry.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(planned, ["disable PPP secret ana", "end the live session of ana"]);
    assert_eq!(sim.active_count(), 1, "a dry run writes nothing");

    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert_eq!(secret(&sim, "ana").unwrap().get_str("disabled"), Some("true"));
    assert_eq!(sim.active_count(), 0);
    let log = fx.store().service_router_log(ana, 10).await.unwrap();
    assert!(log.iter().any(|l| l.command.starts_with("/ppp/active/remove")), "{log:?}");
    assert!(log.iter().all(|l| !l.command.contains("pw-ana")), "{log:?}");

    // Paying is not enough while suspended; activating brings it back.
    fx.store().set_service_status(ana, ServiceStatus::Active).await.unwrap();
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert_eq!(secret(&sim, "ana").unwrap().get_str("disabled"), Some("false"));
}

#[tokio::test]
async fn marks_of_an_older_version_are_claimed_without_touching_the_secret_or_its_session() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    let ana = fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let engine = fx.engine();
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    let installation = fx.store().installation_id().await.unwrap();
    let before = secret(&sim, "ana").unwrap();
    assert_eq!(before.get_str("comment"), Some(format!("headend:svc={ana}@{installation}").as_str()));
    // What the version before installations wrote, with a note beside it.
    let link = Connector::new(fx.store().clone(), fx.inv.secrets.clone()).connect(&router).await.unwrap();
    let legacy = |menu, id: &str, comment: String| {
        let mut attrs = Attributes::new();
        attrs.push("comment", comment);
        Change::set(menu, ItemId::new(id.to_owned()), attrs)
    };
    let profile =
        sim.items("/ppp/profile").unwrap().into_iter().find(|p| p.get_str("name") == Some("hd-1-home-20")).unwrap();
    let changes = vec![
        legacy(Menu::PppSecret, before.get_str(".id").unwrap(), format!("Ana headend:svc={ana}")),
        legacy(Menu::PppProfile, profile.get_str(".id").unwrap(), format!("headend:plan={}", fx.plan)),
    ];
    assert!(link.apply(changes).await.iter().all(Result::is_ok));
    let session = sim.connect_session("ana").unwrap();
    sim.reset_stats();

    let swept = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    let texts: Vec<&str> = swept.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        ["mark PPP profile hd-1-home-20 as this installation's", "mark PPP secret ana as this installation's"]
    );
    let after = secret(&sim, "ana").unwrap();
    assert_eq!(after.get_str(".id"), before.get_str(".id"), "the same secret, not a new one");
    assert_eq!(after.get_str("comment"), Some(format!("Ana headend:svc={ana}@{installation}").as_str()));
    assert_eq!(sim.active_sessions().first().and_then(|s| s.get_str(".id").map(str::to_owned)), Some(session));
    assert_eq!(sim.stats().writes, 2);
    sim.reset_stats();
    engine.sweep_one(router, SweepMode::Apply).await.unwrap();
    assert_eq!(sim.stats().writes, 0, "claimed once");
}

#[tokio::test]
async fn a_stalled_router_does_not_hold_up_another() {
    let slow = SimRouter::start(SimConfig::default()).await.unwrap();
    let fast = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let r_slow = fx.router("slow", &slow).await;
    let r_fast = fx.router("fast", &fast).await;
    fx.pppoe(r_slow.id, "s1", ServiceStatus::Active, None).await;
    fx.pppoe(r_fast.id, "f1", ServiceStatus::Active, None).await;
    let engine = fx.engine();
    slow.set_faults(Faults { stall: true, ..Faults::default() });
    let stuck = tokio::spawn({
        let engine = engine.clone();
        async move { engine.sweep_one(r_slow, SweepMode::Apply).await }
    });
    engine.sweep_one(r_fast, SweepMode::Apply).await.unwrap();
    assert!(secret(&fast, "f1").is_some());
    assert!(!stuck.is_finished(), "the stalled router's sweep is still waiting");
    let err = stuck.await.unwrap().unwrap_err();
    assert!(err.contains("no answer"), "{err}");
}

#[tokio::test]
async fn failing_writes_back_off_then_give_up_and_wait_for_a_retry() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    fx.store().set_isp_policy(&IspPolicy { max_attempts: 2, ..IspPolicy::default() }).await.unwrap();
    let ana = fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let clock = ManualClock::at("2026-11-25T12:00:00Z".parse().unwrap());
    fx.set_clock(clock.clone());
    let engine = fx.engine();
    let mut events = engine.subscribe();
    sim.set_faults(Faults { trap_every_nth_write: Some(1), ..Faults::default() });

    let first = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(first.steps.iter().all(|s| matches!(s.outcome, StepStatus::Failed(_))), "{:?}", first.steps);
    let queue = fx.store().queue_for_router(router.id).await.unwrap();
    assert_eq!(queue.len(), 2, "profile and secret: {queue:?}");
    assert!(queue.iter().all(|q| q.status == QueueStatus::Retrying && q.attempts == 1));
    let retry_at = queue.iter().map(|q| q.next_attempt_at).min().unwrap();
    assert!(retry_at > clock.now());

    // Before the backoff ends nothing is sent.
    sim.reset_stats();
    let held = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(held.steps.iter().all(|s| matches!(s.outcome, StepStatus::Held(_))), "{:?}", held.steps);
    assert_eq!(sim.stats().writes, 0);

    // After it, the second failure is the last: the operator is told once.
    clock.set(retry_at.checked_add(jiff::SignedDuration::from_secs(3600)).unwrap());
    let last = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert_eq!(last.gave_up.len(), 1, "{:?}", last.gave_up);
    assert_eq!(last.gave_up[0].service, ana);
    let mut told = 0;
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::ProvisionFailed(f) = event {
            assert_eq!(f.service, ana);
            told += 1;
        }
    }
    assert_eq!(told, 1);
    let history = fx
        .store()
        .activity(&headend_store::ActivityQuery { subject: Some(Subject::Service(ana)), ..Default::default() })
        .await
        .unwrap();
    assert!(
        history.iter().any(|(_, e)| e.action == "provision-failed" && e.detail.contains("failed 2 times")),
        "{history:?}"
    );
    assert!(fx.store().queue_for_router(router.id).await.unwrap().iter().all(|q| q.status == QueueStatus::Failed));

    // Fixed, retried by hand: applied, queue empty.
    sim.set_faults(Faults::default());
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(secret(&sim, "ana").is_none(), "failed actions wait for a manual retry");
    fx.store().queue_retry_service(ana).await.unwrap();
    for q in fx.store().queue_for_router(router.id).await.unwrap() {
        if q.service.is_none() {
            fx.store().queue_retry(q.id).await.unwrap();
        }
    }
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(secret(&sim, "ana").is_some());
    assert!(fx.store().queue_for_router(router.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_login_is_tried_once_and_reported_once() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.inv.router("core", sim.api_port(), Transport::Api, Some("wrong")).await;
    fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let engine = fx.engine();
    let mut events = engine.subscribe();
    for _ in 0..3 {
        assert!(engine.sweep_one(router.clone(), SweepMode::Apply).await.is_err());
    }
    assert_eq!(sim.stats().failed_logins, 1);
    let refused =
        std::iter::from_fn(|| events.try_recv().ok()).filter(|e| matches!(e, EngineEvent::LoginRefused { .. })).count();
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn a_refused_router_is_tried_again_once_its_password_or_address_is_fixed() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.inv.router("core", sim.api_port(), Transport::Api, Some("wrong")).await;
    fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let engine = fx.engine();
    assert!(engine.sweep_one(router.clone(), SweepMode::Apply).await.is_err());
    assert!(engine.sweep_one(router.clone(), SweepMode::Apply).await.is_err());
    assert_eq!(sim.stats().failed_logins, 1, "a refusal is not tried again unchanged");
    // The password fixed in the keyring by any process: no restart, no resume.
    fx.inv.secrets.set(&SecretKey::router(router.id), "admin").unwrap();
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(secret(&sim, "ana").is_some());

    // A link is kept for one address: the router moved, the next sweep
    // logs in where it is now.
    let moved = SimRouter::start(SimConfig::default()).await.unwrap();
    let router = Router { port: moved.api_port(), ..router };
    engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap();
    assert!(secret(&moved, "ana").is_some(), "swept at its new address");
}

#[tokio::test]
async fn a_router_leased_by_another_process_is_left_to_it() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let now = Timestamp::now();
    assert!(
        fx.store().acquire_router_lease(router.id, "agent:1", now, jiff::SignedDuration::from_secs(60)).await.unwrap()
    );
    let engine = fx.engine();
    let err = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap_err();
    assert!(err.contains("another Headend process"), "{err}");
    assert_eq!(sim.stats().writes, 0);
    fx.store().release_router_lease(router.id, "agent:1").await.unwrap();
    engine.sweep_one(router, SweepMode::Apply).await.unwrap();
    assert!(secret(&sim, "ana").is_some());
}

#[tokio::test]
async fn a_lease_of_a_process_this_machine_cannot_see_is_not_taken_over() {
    // A lease named after a process id that does not exist here: an engine
    // in another PID namespace, a container, another host. Only its expiry
    // frees the router, whatever `/proc` says.
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let mut clock_at = Timestamp::now();
    let clock = ManualClock::at(clock_at);
    fx.set_clock(clock.clone());
    assert!(fx.store().acquire_router_lease(router.id, "agent:4194305", clock_at, LEASE_TTL).await.unwrap());
    let engine = fx.engine();
    let err = engine.sweep_one(router.clone(), SweepMode::Apply).await.unwrap_err();
    assert!(err.contains("another Headend process"), "{err}");
    assert_eq!(sim.stats().writes, 0);
    // Once it runs out (no heartbeat came), the router is swept.
    clock_at = clock_at.checked_add(LEASE_TTL).unwrap();
    clock.set(clock_at);
    engine.sweep_one(router, SweepMode::Apply).await.unwrap();
    assert!(secret(&sim, "ana").is_some());
}

#[tokio::test]
async fn a_renewed_lease_outlives_its_first_term_and_a_lost_one_stays_lost() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    let start = Timestamp::now();
    let clock = ManualClock::at(start);
    fx.set_clock(clock.clone());
    let store = fx.store().clone();
    let lease = RouterLease::take(&store, router.id, "app:a").await.unwrap().unwrap();
    let later = |secs| start.checked_add(jiff::SignedDuration::from_secs(secs)).unwrap();
    clock.set(later(25));
    assert!(lease.renew().await, "a heartbeat within the term renews it");
    clock.set(later(50));
    assert!(!store.acquire_router_lease(router.id, "agent:b", later(50), LEASE_TTL).await.unwrap(), "still held");
    clock.set(later(90));
    assert!(store.acquire_router_lease(router.id, "agent:b", later(90), LEASE_TTL).await.unwrap(), "expired");
    assert!(!lease.renew().await, "taken by another engine: lost");
    store.release_router_lease(router.id, "agent:b").await.unwrap();
    assert!(!lease.renew().await, "and it stays lost: this sweep's plan is stale");
}

#[tokio::test]
async fn a_sweep_that_loses_its_lease_stops_writing() {
    // Slow enough to take the lease away while the profiles are written.
    let sim = SimRouter::start(SimConfig {
        faults: Faults { latency: Duration::from_millis(400), ..Faults::default() },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    fx.pppoe(router.id, "ana", ServiceStatus::Active, None).await;
    let engine = fx.engine();
    let sweep = tokio::spawn({
        let (engine, router) = (engine.clone(), router.clone());
        async move { engine.sweep_one(router, SweepMode::Apply).await }
    });
    wait_for(|| sim.stats().writes > 0).await;
    // The lease ran out and another engine took it (a frozen process).
    let store = fx.store();
    store.release_router_lease(router.id, "test").await.unwrap();
    assert!(store.acquire_router_lease(router.id, "agent:other", Timestamp::now(), LEASE_TTL).await.unwrap());
    let err = sweep.await.unwrap().unwrap_err();
    assert!(err.contains("lost the router's lease"), "{err}");
    let profiles = sim.items("/ppp/profile").unwrap();
    assert!(profiles.iter().any(|p| p.get_str("comment").is_some_and(|c| c.starts_with("headend:plan="))));
    assert!(secret(&sim, "ana").is_none(), "the secrets' phase was not sent");
    let log = store.router_log(router.id, 10).await.unwrap();
    let add = log.iter().find(|l| l.command.starts_with("/ppp/secret/add")).unwrap();
    assert_eq!(add.outcome, RouterLogOutcome::Interrupted, "{add:?}");
    assert_eq!(
        store.router_lease_holder(router.id).await.unwrap().as_deref(),
        Some("agent:other"),
        "the new holder keeps its lease"
    );
}

#[tokio::test]
async fn the_loop_cuts_off_at_local_midnight_and_picks_up_changes_at_once() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("core", &sim).await;
    let tz = jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap();
    fx.store()
        .set_isp_policy(&IspPolicy { time_zone: tz.clone(), grace_days: 0, ..IspPolicy::default() })
        .await
        .unwrap();
    let due = jiff::civil::date(2026, 11, 25);
    fx.pppoe(router.id, "ana", ServiceStatus::Active, Some(due)).await;
    let bob = fx.pppoe(router.id, "bob", ServiceStatus::Active, None).await;
    // Two seconds before midnight in São Paulo; a long interval, so only
    // the cutoff and the change requests can trigger sweeps.
    let midnight = due.tomorrow().unwrap().to_zoned_datetime(tz).unwrap().timestamp();
    let start = midnight.checked_sub(jiff::SignedDuration::from_secs(2)).unwrap();
    fx.set_clock(RealTimeFrom::new(start));
    let connector = Connector::new(fx.store().clone(), fx.inv.secrets.clone());
    let config = EngineConfig { interval: Duration::from_secs(3600), ..EngineConfig::new(EngineHolder::named("test")) };
    let engine = Provisioner::new(fx.store().clone(), connector, Some(fx.cipher.clone()), config);
    let running = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run().await }
    });
    wait_for(|| secret(&sim, "ana").is_some_and(|s| s.get_str("disabled") == Some("false"))).await;
    assert!(secret(&sim, "bob").is_some());
    // Past midnight the cutoff sweep disables ana, with nobody asking.
    wait_for(|| secret(&sim, "ana").is_some_and(|s| s.get_str("disabled") == Some("true"))).await;
    // A change from "another process" (a row in the database) is picked up.
    fx.store().set_service_status(bob, ServiceStatus::Suspended).await.unwrap();
    wait_for(|| secret(&sim, "bob").is_some_and(|s| s.get_str("disabled") == Some("true"))).await;
    engine.shutdown();
    running.await.unwrap();
}

/// Real time, shifted to start at a chosen instant.
struct RealTimeFrom {
    start: Timestamp,
    since: std::time::Instant,
}

impl RealTimeFrom {
    fn new(start: Timestamp) -> Self {
        Self { start, since: std::time::Instant::now() }
    }
}

impl Clock for RealTimeFrom {
    fn now(&self) -> Timestamp {
        let elapsed = jiff::SignedDuration::try_from(self.since.elapsed()).unwrap();
        self.start.checked_add(elapsed).unwrap()
    }
}

/// Polls until `done` (the engine works in the background); fails after
/// 20 s so a broken engine cannot hang the suite.
async fn wait_for(mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("condition not reached in 20 s");
}

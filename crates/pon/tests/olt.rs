//! The OLT engine against simulated OLTs over real SSH on loopback, with
//! the passwords in the real keyring: the signal sweep storing history and
//! raising, changing and clearing alerts; zero-touch provisioning from a
//! service's serial to a linked ONU, and its retries; a registration cut
//! off at its registering command (undone on a fresh session, or, when the
//! OLT cannot be reached, found by serial and removed by the next sweep);
//! a changed host key and a refused login, neither knocked on again.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use headend_core::activity::{Actor, Subject};
use headend_core::clock::ManualClock;
use headend_core::olt::{Olt, OltProfile, OltVendor, OnuState};
use headend_core::optical::{AlertChange, AlertLevel};
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::policy::IspPolicy;
use headend_core::queue::QueueStatus;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{OltId, PlanId, ServiceId};
use headend_olt::OltError;
use headend_pon::{OltEngineError, OltEvent, OltFleet, OltFleetConfig};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::olt::{OltFaults, OnuState as SimState, PonPort as SimPort, SimOlt, SimOltConfig, SimOltHandle};
use headend_store::{
    ActivityQuery, AlertQuery, EngineHolder, NewCustomer, NewOlt, NewPlan, NewRouter, NewService, ServiceOnu, Store,
};
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use tokio::sync::broadcast;

struct Lab {
    _dir: tempfile::TempDir,
    store: Store,
    secrets: SecretStore,
    keys: Vec<SecretKey>,
    clock: ManualClock,
}

impl Lab {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The store and the fleets made from it share the test's clock.
        let clock = ManualClock::at(Timestamp::now());
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap().with_clock(Arc::new(clock.clone()));
        let scope = store.installation_id().await.unwrap();
        let secrets = SecretStore::open().unwrap().scoped(&scope);
        Self { _dir: dir, store, secrets, keys: Vec::new(), clock }
    }

    async fn olt(&mut self, name: &str, sim: &SimOltHandle, password: &str) -> Olt {
        let id = self
            .store
            .add_olt(&NewOlt {
                name: name.into(),
                vendor: sim.vendor(),
                host: "127.0.0.1".into(),
                port: sim.addr().port(),
                username: "admin".into(),
                pop: None,
                location: None,
            })
            .await
            .unwrap();
        let key = SecretKey::olt(id);
        self.secrets.set(&key, password).unwrap();
        self.keys.push(key);
        self.store.olt(id).await.unwrap().unwrap()
    }

    fn fleet(&self) -> OltFleet {
        OltFleet::new(
            self.store.clone(),
            self.secrets.clone(),
            OltFleetConfig {
                connect_timeout: Duration::from_secs(5),
                command_timeout: Duration::from_secs(5),
                ..OltFleetConfig::new(EngineHolder::named("test:0"))
            },
        )
    }

    async fn refresh(&self, olt: OltId) -> Olt {
        self.store.olt(olt).await.unwrap().unwrap()
    }

    /// A plan with `profile` and a pending service for Ana Silva with ONU `serial`.
    async fn service(&self, plan_name: &str, profile: &OltProfile, serial: &str) -> (PlanId, ServiceId) {
        let router = match self.store.router_by_name("core").await.unwrap() {
            Some(r) => r.id,
            None => self
                .store
                .add_router(&NewRouter {
                    name: "core".into(),
                    host: "127.0.0.1".into(),
                    port: 8728,
                    transport: Transport::Api,
                    username: "admin".into(),
                    pop: None,
                    location: None,
                })
                .await
                .unwrap(),
        };
        let plan = self
            .store
            .add_plan(&NewPlan {
                name: plan_name.into(),
                limits: RateLimit::from_parts("50M/100M", None, None, None).unwrap(),
                price: Decimal::new(4000, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            })
            .await
            .unwrap();
        self.store.set_plan_olt_profile(plan, profile).await.unwrap();
        let customer = self
            .store
            .add_customer(&NewCustomer {
                name: "Ana Silva".into(),
                phone: None,
                email: None,
                address: None,
                location: None,
            })
            .await
            .unwrap();
        let service = self
            .store
            .add_service(&NewService {
                customer,
                router,
                plan,
                access: Access::Pppoe { username: format!("ana-{serial}"), address: None },
                status: ServiceStatus::Pending,
                next_billing_date: None,
                grace_days: None,
                password: None,
                adopt: false,
            })
            .await
            .unwrap();
        self.store.set_service_onu(service, &ServiceOnu { serial: Some(serial.into()), vlan: None }).await.unwrap();
        (plan, service)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for key in &self.keys {
            let _ = self.secrets.delete(key);
        }
    }
}

async fn sim(vendor: OltVendor, pon_ports: usize, onus_per_port: usize) -> SimOltHandle {
    SimOlt::start(SimOltConfig {
        vendor,
        pon_ports,
        onus_per_port,
        autofind: 0,
        online_delay: Duration::from_millis(200),
        ..SimOltConfig::default()
    })
    .await
    .unwrap()
}

fn alerts(rx: &mut broadcast::Receiver<OltEvent>) -> Vec<(String, AlertChange)> {
    let mut out = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let OltEvent::Alert(a) = event {
            out.push((format!("{}:{}", a.port, a.onu_index), a.change));
        }
    }
    out
}

async fn signal_sweep(vendor: OltVendor) {
    let mut lab = Lab::new().await;
    let sim = sim(vendor, 2, 4).await;
    let olt = lab.olt("olt-a", &sim, "admin").await;
    let fleet = lab.fleet();
    let mut events = fleet.subscribe();

    let report = fleet.sweep_signals(&olt).await.unwrap();
    assert_eq!((report.onus, report.online, report.ports, report.ports_read), (8, 8, 2, 2), "{report:?}");
    assert_eq!(report.readings, 8, "{report:?}");
    assert!(report.alerts.is_empty(), "{report:?}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // The host key was pinned on first use.
    let pinned = lab.refresh(olt.id).await.host_key.unwrap();
    assert_eq!(pinned, sim.host_key_fingerprint());

    let p0 = sim.pon_port(0);
    let first = u16::from(vendor == OltVendor::Zte);
    let name = |id: u16| format!("{p0}:{id}");
    let onus = lab.store.onus(olt.id, Some(&p0.to_string())).await.unwrap();
    assert_eq!(onus.len(), 4);
    let rx_store = onus[0].onu_rx.unwrap();
    let rx_sim = sim.onu(p0, first).unwrap().optics.unwrap().onu_rx_dbm;
    assert!((rx_store - rx_sim).abs() < 0.5, "stored {rx_store}, simulated {rx_sim}");

    // Weak, then critical, then LOS on another ONU.
    lab.clock.advance(SignedDuration::from_mins(5));
    assert!(sim.set_rx_power(p0, first, -28.0));
    fleet.sweep_signals(&olt).await.unwrap();
    assert_eq!(alerts(&mut events), [(name(first), AlertChange::Raise(AlertLevel::Warning))]);

    lab.clock.advance(SignedDuration::from_mins(5));
    assert!(sim.set_rx_power(p0, first, -30.5));
    assert!(sim.set_onu_state(p0, first + 1, SimState::Los));
    fleet.sweep_signals(&olt).await.unwrap();
    let mut got = alerts(&mut events);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            (name(first), AlertChange::Change { from: AlertLevel::Warning, to: AlertLevel::Critical }),
            (name(first + 1), AlertChange::Raise(AlertLevel::Los)),
        ]
    );
    let open = lab.store.onu_alerts(&AlertQuery { olt: Some(olt.id), ..AlertQuery::default() }).await.unwrap();
    assert_eq!(open.len(), 2);
    let los =
        lab.store.onus(olt.id, None).await.unwrap().into_iter().find(|o| o.alert == Some(AlertLevel::Los)).unwrap();
    assert_eq!((los.state, los.onu_rx), (OnuState::Los, None));
    assert!(los.last_down.is_some());
    let overview = &lab.store.olt_overviews().await.unwrap()[0];
    assert_eq!(
        (overview.onus, overview.online, overview.los, overview.criticals, overview.los_alerts),
        (8, 7, 1, 1, 1)
    );
    assert!(overview.health.swept_at.is_some() && overview.health.error.is_none());

    // Repaired: both clear.
    lab.clock.advance(SignedDuration::from_mins(5));
    assert!(sim.set_rx_power(p0, first, -19.0));
    assert!(sim.set_onu_state(p0, first + 1, SimState::Online));
    fleet.sweep_signals(&olt).await.unwrap();
    let mut got = alerts(&mut events);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            (name(first), AlertChange::Clear(AlertLevel::Critical)),
            (name(first + 1), AlertChange::Clear(AlertLevel::Los))
        ]
    );
    assert!(lab.store.onu_alerts(&AlertQuery { olt: Some(olt.id), ..AlertQuery::default() }).await.unwrap().is_empty());

    // Four sweeps of history for the first ONU, in order.
    let onu = lab
        .store
        .onus(olt.id, None)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.index == u32::from(first) && o.port == los.port)
        .unwrap();
    let history = lab.store.signal_history(onu.id, Timestamp::MIN, Timestamp::MAX).await.unwrap();
    let levels: Vec<f64> = history.iter().map(|p| p.sample.onu_rx.unwrap()).collect();
    assert_eq!(levels.len(), 4, "{levels:?}");
    assert!(levels[1] < -27.0 && levels[2] < -29.0 && levels[3] > -20.0, "{levels:?}");

    // Every command went to the command log; never more than two sessions.
    fleet.flush_log().await;
    let log = lab.store.olt_log(olt.id, None, 1000).await.unwrap();
    assert!(log.len() >= 8, "{}", log.len());
    assert!(
        log.iter().any(|e| e.command.contains("optical") || e.command.contains("power")),
        "{:?}",
        log.iter().map(|e| &e.command).collect::<Vec<_>>()
    );
    assert!(log.iter().all(|e| !e.command.contains("admin") && !e.reply.contains("Password:admin")));
    assert!(sim.stats().max_sessions_open <= 2, "{:?}", sim.stats());

    // Three days on, the engine's hourly pass has rolled them into hours.
    lab.clock.advance(SignedDuration::from_hours(72));
    fleet.prune().await;
    let hours = lab.store.signal_history(onu.id, Timestamp::MIN, Timestamp::MAX).await.unwrap();
    assert!(!hours.is_empty() && hours.iter().all(|p| p.hourly), "{hours:?}");
    assert_eq!(hours.iter().map(|p| p.samples).sum::<u32>(), 4);
    let lowest = hours.iter().filter_map(|p| p.low.onu_rx).reduce(f64::min).unwrap();
    assert!((lowest - levels[2]).abs() < 0.01, "{lowest} {levels:?}");
    fleet.close().await;
}

#[tokio::test]
async fn huawei_signal_sweep_stores_history_and_raises_and_clears_alerts() {
    signal_sweep(OltVendor::Huawei).await;
}

#[tokio::test]
async fn zte_signal_sweep_stores_history_and_raises_and_clears_alerts() {
    signal_sweep(OltVendor::Zte).await;
}

async fn zero_touch(vendor: OltVendor, serial: &str, profile: OltProfile) {
    let mut lab = Lab::new().await;
    let sim = sim(vendor, 2, 2).await;
    let olt = lab.olt("olt-z", &sim, "admin").await;
    let fleet = lab.fleet();
    let mut events = fleet.subscribe();
    let (_plan, service) = lab.service("Fibra", &profile, serial).await;

    // Nothing in autofind yet: nothing happens.
    let report = fleet.zero_touch().await.unwrap();
    assert_eq!((report.waiting, report.authorized.len()), (1, 0));

    // The technician plugs it in.
    let port = sim.pon_port(1);
    assert!(sim.add_autofind_onu(port, serial, "EG8145V5"));
    let report = fleet.zero_touch().await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.authorized.len(), 1, "{report:?}");
    let done = &report.authorized[0];
    assert_eq!((done.service, done.serial.as_str()), (service, serial));
    assert!(matches!(events.try_recv(), Ok(OltEvent::Authorized(_))));

    // On the OLT with the plan's profile and VLAN, described as the service.
    let onu = sim.onu(port, u16::try_from(done.onu_index).unwrap()).unwrap();
    assert_eq!(onu.serial, serial);
    assert_eq!(onu.vlan, Some(100));
    if vendor == OltVendor::Huawei {
        assert_eq!((onu.line_profile, onu.srv_profile), (20, 30));
        assert_eq!(onu.description, format!("svc{service}-Ana_Silva"));
    }
    assert!(sim.autofind().is_empty());

    // Linked, logged, and no longer waiting.
    let linked = lab.store.onu_of_service(service).await.unwrap().unwrap();
    assert_eq!((linked.serial.as_str(), linked.index), (serial, done.onu_index));
    let log = lab
        .store
        .activity(&ActivityQuery { subject: Some(Subject::Service(service)), ..ActivityQuery::default() })
        .await
        .unwrap();
    assert!(
        log.iter().any(|(_, e)| e.action == "onu authorized" && e.actor == Actor::Engine && e.detail.contains(serial)),
        "{log:?}"
    );
    assert_eq!(fleet.zero_touch().await.unwrap().waiting, 0);

    // It comes online; the next sweep sees it, still linked.
    tokio::time::sleep(Duration::from_millis(400)).await;
    fleet.sweep_signals(&olt).await.unwrap();
    let linked = lab.store.onu_of_service(service).await.unwrap().unwrap();
    assert_eq!(linked.state, OnuState::Online);
    assert!(linked.onu_rx.is_some());
    fleet.close().await;
}

#[tokio::test]
async fn huawei_zero_touch_registers_and_links_the_services_onu() {
    let profile = OltProfile { line: Some("20".into()), service: Some("30".into()), vlan: Some(100) };
    zero_touch(OltVendor::Huawei, "HWTC0B086EA9", profile).await;
}

#[tokio::test]
async fn zte_zero_touch_registers_and_links_the_services_onu() {
    let profile = OltProfile { line: Some("UP-100M".into()), service: Some("ZTE-F670".into()), vlan: Some(100) };
    zero_touch(OltVendor::Zte, "ZTEGC8F22D1F", profile).await;
}

#[tokio::test]
async fn zero_touch_failures_back_off_then_give_up() {
    let mut lab = Lab::new().await;
    // A full port: the OLT refuses another ONU on it.
    let sim = sim(OltVendor::Huawei, 1, 128).await;
    let olt = lab.olt("olt-full", &sim, "admin").await;
    let fleet = lab.fleet();
    let mut events = fleet.subscribe();
    lab.store.set_isp_policy(&IspPolicy { max_attempts: 2, ..IspPolicy::default() }).await.unwrap();
    let profile = OltProfile { line: Some("20".into()), service: Some("30".into()), vlan: None };
    let (_, service) = lab.service("Fibra", &profile, "HWTC0B086EA9").await;
    assert!(sim.add_autofind_onu(sim.pon_port(0), "HWTC0B086EA9", "EG8145V5"));

    let report = fleet.zero_touch().await.unwrap();
    assert_eq!((report.authorized.len(), report.failed.len(), report.gave_up.len()), (0, 1, 0), "{report:?}");
    let queued = lab.store.olt_queue_for_service(service).await.unwrap();
    assert_eq!((queued[0].attempts, queued[0].status, queued[0].olt), (1, QueueStatus::Retrying, Some(olt.id)));
    assert!(queued[0].last_error.as_deref().unwrap().contains("refused"), "{queued:?}");

    // Not again before its next attempt.
    let report = fleet.zero_touch().await.unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(lab.store.olt_queue_for_service(service).await.unwrap()[0].attempts, 1);

    // After the backoff, the last attempt fails for good and says so.
    lab.clock.advance(SignedDuration::from_mins(5));
    let report = fleet.zero_touch().await.unwrap();
    assert_eq!(report.gave_up.len(), 1, "{report:?}");
    assert_eq!(lab.store.olt_queue_for_service(service).await.unwrap()[0].status, QueueStatus::Failed);
    let failed = std::iter::from_fn(|| events.try_recv().ok()).find_map(|e| match e {
        OltEvent::AuthorizeFailed(f) => Some(f),
        _ => None,
    });
    let failed = failed.expect("an AuthorizeFailed event");
    assert_eq!((failed.service, failed.olt, failed.serial.as_str()), (service, Some(olt.id), "HWTC0B086EA9"));
    lab.clock.advance(SignedDuration::from_hours(2));
    assert!(fleet.zero_touch().await.unwrap().failed.is_empty(), "failed for good waits for a manual retry");

    // A plan without OLT profiles cannot work: it gives up at once.
    let (_, other) = lab.service("Bare", &OltProfile::default(), "HWTC00C0FFEE").await;
    assert!(sim.add_autofind_onu(sim.pon_port(0), "HWTC00C0FFEE", "EG8145V5"));
    let report = fleet.zero_touch().await.unwrap();
    assert_eq!(report.gave_up.iter().map(|f| f.service).collect::<Vec<_>>(), [other], "{report:?}");
    assert!(report.gave_up[0].error.contains("profile"), "{}", report.gave_up[0].error);
    fleet.close().await;
}

/// How the registering command starts on each vendor's CLI.
fn register_command(vendor: OltVendor) -> &'static str {
    if vendor == OltVendor::Huawei { "ont add" } else { "onu " }
}

fn fibra(vendor: OltVendor) -> OltProfile {
    if vendor == OltVendor::Huawei {
        OltProfile { line: Some("20".into()), service: Some("30".into()), vlan: Some(100) }
    } else {
        OltProfile { line: Some("UP-100M".into()), service: Some("ZTE-F670".into()), vlan: Some(100) }
    }
}

fn on_sim(sim: &SimOltHandle, serial: &str) -> (bool, bool) {
    (sim.onus().iter().any(|o| o.serial == serial), sim.autofind().iter().any(|f| f.serial == serial))
}

fn authorize_failures(events: &mut broadcast::Receiver<OltEvent>) -> Vec<String> {
    std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|e| match e {
            OltEvent::AuthorizeFailed(f) => Some(f.error),
            _ => None,
        })
        .collect()
}

/// The OLT applies the registering command, then the session drops before
/// its reply: the ONU is removed again on a fresh session, back in
/// autofind, and the next due round registers it whole.
async fn cut_at_the_register_command_is_undone_on_a_fresh_session(vendor: OltVendor, serial: &str) {
    let mut lab = Lab::new().await;
    let sim = sim(vendor, 2, 2).await;
    let _olt = lab.olt("olt-cut", &sim, "admin").await;
    let fleet = lab.fleet();
    let (_plan, service) = lab.service("Fibra", &fibra(vendor), serial).await;
    assert!(sim.add_autofind_onu(sim.pon_port(1), serial, "EG8145V5"));
    sim.set_faults(OltFaults { drop_after_command: Some(register_command(vendor).into()), ..OltFaults::default() });

    let report = fleet.zero_touch().await.unwrap();
    assert_eq!((report.authorized.len(), report.failed.len()), (0, 1), "{report:?}");
    assert!(sim.faults().drop_after_command.is_none(), "the fault fired");
    assert_eq!(on_sim(&sim, serial), (false, true), "unregistered and back in autofind");
    assert!(lab.store.onu_of_service(service).await.unwrap().is_none());

    lab.clock.advance(SignedDuration::from_mins(10));
    let report = fleet.zero_touch().await.unwrap();
    assert_eq!(report.authorized.len(), 1, "{report:?}");
    let onu = sim.onus().into_iter().find(|o| o.serial == serial).unwrap();
    assert_eq!(onu.vlan, Some(100), "configured whole");
    assert!(lab.store.onu_of_service(service).await.unwrap().is_some());
    fleet.close().await;
}

#[tokio::test]
async fn zte_registration_cut_at_onu_sn_is_undone_on_a_fresh_session() {
    cut_at_the_register_command_is_undone_on_a_fresh_session(OltVendor::Zte, "ZTEGC8F22D1F").await;
}

#[tokio::test]
async fn huawei_registration_cut_at_ont_add_is_undone_on_a_fresh_session() {
    cut_at_the_register_command_is_undone_on_a_fresh_session(OltVendor::Huawei, "HWTC0B086EA9").await;
}

/// As above, but the OLT refuses new connections when the undo is tried:
/// the ONU stays half-registered until the next sweep, which finds it by
/// serial, deregisters it (once, logged and told), and zero-touch then
/// registers it whole.
async fn half_registered_onu_is_removed_by_the_next_sweep(vendor: OltVendor, serial: &str) {
    let mut lab = Lab::new().await;
    let sim = sim(vendor, 2, 2).await;
    let olt = lab.olt("olt-half", &sim, "admin").await;
    let fleet = lab.fleet();
    let mut events = fleet.subscribe();
    let (_plan, service) = lab.service("Fibra", &fibra(vendor), serial).await;
    assert!(sim.add_autofind_onu(sim.pon_port(1), serial, "EG8145V5"));
    // One session open before the OLT stops taking new ones.
    fleet.autofind(&olt).await.unwrap();
    sim.set_faults(OltFaults {
        drop_after_command: Some(register_command(vendor).into()),
        refuse_connections: true,
        ..OltFaults::default()
    });
    let report = fleet.zero_touch().await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.failed[0].1.contains("half-registered"), "{report:?}");
    assert_eq!(on_sim(&sim, serial), (true, false), "half-registered, out of autofind");
    sim.set_faults(OltFaults::default());

    // Not linked as if it had been registered by hand, before or after
    // the sweep.
    lab.clock.advance(SignedDuration::from_mins(10));
    assert!(fleet.zero_touch().await.unwrap().linked.is_empty());
    let _ = authorize_failures(&mut events);
    let swept = fleet.sweep_signals(&olt).await.unwrap();
    assert_eq!(on_sim(&sim, serial), (false, true), "deregistered, back in autofind: {swept:?}");
    assert!(lab.store.onu_of_service(service).await.unwrap().is_none());
    let told = authorize_failures(&mut events);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("half-registered"), "{told:?}");
    let log = lab
        .store
        .activity(&ActivityQuery { subject: Some(Subject::Service(service)), ..ActivityQuery::default() })
        .await
        .unwrap();
    assert!(
        log.iter().any(|(_, e)| e.action == "onu half-registration removed" && e.detail.contains(serial)),
        "{log:?}"
    );
    // Once.
    fleet.sweep_signals(&olt).await.unwrap();
    assert!(authorize_failures(&mut events).is_empty());

    lab.clock.advance(SignedDuration::from_mins(30));
    let report = fleet.zero_touch().await.unwrap();
    assert_eq!(report.authorized.len(), 1, "{report:?}");
    let onu = sim.onus().into_iter().find(|o| o.serial == serial).unwrap();
    assert_eq!(onu.vlan, Some(100), "configured whole");
    assert_eq!(lab.store.onu_of_service(service).await.unwrap().map(|o| o.serial), Some(serial.to_owned()));
    fleet.close().await;
}

#[tokio::test]
async fn zte_half_registered_onu_is_removed_by_the_next_sweep() {
    half_registered_onu_is_removed_by_the_next_sweep(OltVendor::Zte, "ZTEGC8F22D1F").await;
}

#[tokio::test]
async fn huawei_half_registered_onu_is_removed_by_the_next_sweep() {
    half_registered_onu_is_removed_by_the_next_sweep(OltVendor::Huawei, "HWTC0B086EA9").await;
}

#[tokio::test]
async fn a_changed_host_key_is_refused_and_not_knocked_on() {
    let mut lab = Lab::new().await;
    let sim = sim(OltVendor::Huawei, 1, 2).await;
    let olt = lab.olt("olt-k", &sim, "admin").await;
    let fleet = lab.fleet();
    fleet.sweep_signals(&olt).await.unwrap();
    fleet.close().await;
    let olt = lab.refresh(olt.id).await;
    assert_eq!(olt.host_key.as_deref(), Some(sim.host_key_fingerprint().as_str()));

    // The OLT's control board is swapped (or someone is in the middle).
    let presented = sim.regenerate_host_key();
    let fleet = lab.fleet();
    let mut events = fleet.subscribe();
    let err = fleet.sweep_signals(&olt).await.unwrap_err();
    assert!(matches!(err, OltEngineError::Olt { source: OltError::HostKeyChanged { .. }, .. }), "{err}");
    assert!(err.to_string().contains("host key changed"), "{err}");
    let Ok(OltEvent::HostKeyChanged(changed)) = events.try_recv() else { panic!("no HostKeyChanged event") };
    assert_eq!(changed.presented, presented);
    let health = lab.store.olt_health(olt.id).await.unwrap().unwrap();
    assert_eq!(health.presented_key.as_deref(), Some(presented.as_str()));
    assert!(health.error.is_some());

    // Not tried again, by this process or a restarted one.
    let knocks = sim.stats().connections;
    assert!(matches!(fleet.sweep_signals(&olt).await, Err(OltEngineError::Refused { .. })));
    assert!(fleet.zero_touch().await.is_ok());
    let restarted = lab.fleet();
    let err = restarted.autofind(&olt).await.unwrap_err();
    assert!(matches!(err, OltEngineError::Refused { .. }), "{err}");
    assert!(err.to_string().contains(&presented), "{err}");
    assert_eq!(sim.stats().connections, knocks, "no new connection to an OLT whose key changed");

    // The operator pins the new key (from anywhere): both work again at
    // once, even with a copy of the OLT read before the pin.
    lab.store.set_olt_host_key(olt.id, Some(&presented)).await.unwrap();
    restarted.sweep_signals(&olt).await.unwrap();
    fleet.sweep_signals(&lab.refresh(olt.id).await).await.unwrap();
    assert_eq!(lab.store.olt_health(olt.id).await.unwrap().unwrap().error, None);
    restarted.close().await;
    fleet.close().await;
}

#[tokio::test]
async fn a_refused_login_is_tried_once() {
    let mut lab = Lab::new().await;
    let sim = sim(OltVendor::Zte, 1, 1).await;
    let olt = lab.olt("olt-p", &sim, "not-the-password").await;
    let fleet = lab.fleet();
    let mut events = fleet.subscribe();
    let err = fleet.onus(&olt, None).await.unwrap_err();
    assert!(matches!(err, OltEngineError::Olt { source: OltError::AuthFailed { .. }, .. }), "{err}");
    assert!(!err.to_string().contains("not-the-password"), "{err}");
    assert!(matches!(events.try_recv(), Ok(OltEvent::LoginRefused { .. })));
    let knocks = sim.stats();
    assert!(knocks.failed_logins >= 1, "{knocks:?}");
    let err = fleet.sweep_signals(&olt).await.unwrap_err();
    assert!(matches!(err, OltEngineError::Refused { .. }), "{err}");
    assert_eq!(sim.stats().connections, knocks.connections, "not tried again");

    // The password is fixed: resumed, it works.
    lab.secrets.set(&SecretKey::olt(olt.id), "admin").unwrap();
    fleet.resume(olt.id);
    assert_eq!(fleet.onus(&olt, None).await.unwrap().len(), 1);
    fleet.close().await;
}

#[tokio::test]
async fn the_run_loop_sweeps_and_provisions_on_its_own() {
    let mut lab = Lab::new().await;
    let sim = sim(OltVendor::Huawei, 1, 2).await;
    let olt = lab.olt("olt-r", &sim, "admin").await;
    let profile = OltProfile { line: Some("20".into()), service: Some("30".into()), vlan: Some(300) };
    let (_, service) = lab.service("Fibra", &profile, "HWTC0B086EAA").await;
    assert!(sim.add_autofind_onu(sim.pon_port(0), "HWTC0B086EAA", "EG8145V5"));
    let fleet = OltFleet::new(
        lab.store.clone(),
        lab.secrets.clone(),
        OltFleetConfig {
            ztp_interval: Duration::from_millis(200),
            sweep_interval: Some(Duration::from_millis(300)),
            ..OltFleetConfig::new(EngineHolder::named("test:run"))
        },
    );
    let mut events = fleet.subscribe();
    let running = tokio::spawn({
        let fleet = fleet.clone();
        async move { fleet.run().await }
    });
    let mut swept = false;
    let mut authorized = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !(swept && authorized) {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(OltEvent::Swept(r))) if r.olt == olt.id => swept = true,
            Ok(Ok(OltEvent::Authorized(a))) if a.service == service => authorized = true,
            Ok(_) => {}
            Err(_) => panic!("the loop did not sweep ({swept}) and authorize ({authorized}) in time"),
        }
    }
    fleet.shutdown();
    running.await.unwrap();
    assert!(lab.store.onu_of_service(service).await.unwrap().is_some());
    assert_eq!(lab.store.olt_lease_holder(olt.id).await.unwrap(), None, "the lease is given back");
    for _ in 0..100 {
        if sim.stats().sessions_open_now == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sim.stats().sessions_open_now, 0, "the sessions are closed: {:?}", sim.stats());
}

#[tokio::test]
async fn sim_ports_match_the_driver() {
    let p = sim(OltVendor::Zte, 1, 0).await.pon_port(0);
    assert_eq!(p, SimPort::new(1, 1, 1));
}

//! The fleet against simulated routers over loopback.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::sessions::SessionSource;
use headend_fleet::{Connector, Fleet, RouterState, SessionFilter};
use headend_simlab::{SimConfig, SimRouter};
use headend_store::{NewCustomer, NewPlan, NewService};
use support::Inventory;

/// Polls `check` until it holds, for up to 10 s.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test]
async fn follows_sessions_kicks_and_keeps_going_when_another_router_is_down() {
    let sim = SimRouter::start(SimConfig {
        identity: "core-1".into(),
        secrets: 40,
        active_sessions: 25,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut inv = Inventory::new().await;
    let up = inv.router("core-1", sim.api_port(), Transport::Api, Some("admin")).await;
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = inv.router("dead", closed_port, Transport::Api, Some("admin")).await;

    let fleet = Fleet::new(Connector::new(inv.store.clone(), inv.secrets.clone()));
    fleet.watch(up.clone());
    fleet.watch(down.clone());
    eventually("core-1 up with its 25 sessions", || {
        fleet
            .statuses()
            .iter()
            .any(|s| s.router == up.id && matches!(&s.state, RouterState::Up(h) if h.identity == "core-1"))
            && fleet.session_count() == 25
    })
    .await;
    eventually("the dead router reported down", || {
        fleet.statuses().iter().any(|s| s.router == down.id && matches!(s.state, RouterState::Down { .. }))
    })
    .await;
    assert_eq!(fleet.session_window(&SessionFilter::default(), 0, 100).rows.len(), 25);

    // A session that starts on the router streams in.
    let before = sim.active_count();
    let user = sim.secrets().iter().find_map(|s| {
        let name = s.get_str("name")?.to_owned();
        (!sim.active_sessions().iter().any(|a| a.get_str("name") == Some(name.as_str()))).then_some(name)
    });
    let user = user.expect("an idle secret");
    sim.connect_session(user.as_str()).unwrap();
    eventually("the new session seen", || fleet.sessions().iter().any(|s| s.user == user)).await;
    assert_eq!(sim.active_count(), before + 1);

    // Kicking ends it on the router and in the table.
    let session = fleet.sessions().into_iter().find(|s| s.user == user).unwrap();
    let seen = fleet.sessions_version();
    fleet.kick(up.id, &session.id).await.unwrap();
    assert_eq!(sim.active_count(), before);
    assert!(!fleet.sessions().iter().any(|s| s.user == user));
    assert_ne!(fleet.sessions_version(), seen, "the console sees a change");

    // Kicking on the dead router is a clear error, and probing now works on the live one.
    let err = fleet.kick(down.id, "*1").await.unwrap_err();
    assert!(err.to_string().contains("not connected"), "{err}");
    assert_eq!(fleet.probe_now(up.id).await.unwrap().active_sessions, before as u64);
    let interfaces = fleet.interfaces(up.id).await.unwrap();
    assert!(interfaces.iter().any(|i| i.name == "ether1"), "{interfaces:?}");
    assert!(fleet.interfaces(down.id).await.is_err());

    fleet.unwatch(up.id);
    assert_eq!(fleet.session_count(), 0);
}

#[tokio::test]
async fn follows_a_rest_router_by_polling_and_kicks_over_rest() {
    let sim = SimRouter::start(SimConfig {
        identity: "edge-rest".into(),
        secrets: 10,
        active_sessions: 6,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut inv = Inventory::new().await;
    let router = inv.router("edge-rest", sim.rest_port().unwrap(), Transport::Rest, Some("admin")).await;
    let connector =
        Connector::new(inv.store.clone(), inv.secrets.clone()).with_rest_poll_interval(Duration::from_millis(100));
    let fleet = Fleet::new(connector);
    fleet.watch(router.clone());
    eventually("edge-rest up with its 6 sessions", || {
        fleet.statuses().iter().any(|s| matches!(&s.state, RouterState::Up(h) if h.identity == "edge-rest"))
            && fleet.session_count() == 6
    })
    .await;

    sim.connect_session("user00007").unwrap();
    eventually("the new session polled in", || fleet.sessions().iter().any(|s| s.user == "user00007")).await;
    let session = fleet.sessions().into_iter().find(|s| s.user == "user00007").unwrap();
    fleet.kick(router.id, &session.id).await.unwrap();
    assert_eq!(sim.active_count(), 6);
    assert!(!fleet.sessions().iter().any(|s| s.user == "user00007"));

    // A session that ends on the router is polled out.
    sim.disconnect_session("user00001");
    eventually("the ended session gone", || fleet.session_count() == 5).await;
    fleet.unwatch(router.id);
}

#[tokio::test]
async fn sessions_of_an_api_router_become_its_services_history() {
    let sim = SimRouter::start(SimConfig {
        identity: "core-1".into(),
        secrets: 3,
        active_sessions: 0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut inv = Inventory::new().await;
    let router = inv.router("core-1", sim.api_port(), Transport::Api, Some("admin")).await;
    let user = sim.secrets().iter().find_map(|s| s.get_str("name").map(str::to_owned)).unwrap();
    let plan = NewPlan {
        name: "Home".into(),
        limits: RateLimit::new(Pair::parse("5M/20M").unwrap(), None).unwrap(),
        price: rust_decimal::Decimal::new(2500, 2),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    };
    let plan = inv.store.add_plan(&plan).await.unwrap();
    let customer = NewCustomer { name: "Ana".into(), phone: None, email: None, address: None, location: None };
    let customer = inv.store.add_customer(&customer).await.unwrap();
    let service = NewService {
        customer,
        router: router.id,
        plan,
        access: Access::Pppoe { username: user.clone(), address: None },
        status: ServiceStatus::Active,
        next_billing_date: None,
        grace_days: None,
        password: None,
        adopt: false,
    };
    let service = inv.store.add_service(&service).await.unwrap();

    let fleet = Fleet::new(Connector::new(inv.store.clone(), inv.secrets.clone()))
        .with_history_interval(Duration::from_millis(100));
    fleet.watch(router.clone());
    sim.connect_session(user.as_str()).unwrap();
    eventually("the session seen", || fleet.sessions().iter().any(|s| s.user == user)).await;
    let mut history = Vec::new();
    for _ in 0..100 {
        history = inv.store.service_sessions(service, 10).await.unwrap();
        if !history.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(history.len(), 1, "recorded while online");
    let online = history[0].clone();
    assert_eq!((online.source, online.stopped_at, online.router), (SessionSource::Api, None, Some(router.id)));
    assert!(online.address.is_some() && online.caller.is_some(), "{online:?}");

    // The subscriber hangs up: the same row stops, with its last bytes.
    assert!(sim.disconnect_session(user.as_str()));
    eventually("the session gone", || !fleet.sessions().iter().any(|s| s.user == user)).await;
    for _ in 0..100 {
        history = inv.store.service_sessions(service, 10).await.unwrap();
        if history.iter().all(|s| s.stopped_at.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(history.len(), 1, "{history:?}");
    let stopped = &history[0];
    assert_eq!((stopped.id, stopped.started_at), (online.id, online.started_at));
    let at = stopped.stopped_at.expect("stopped");
    assert!(at >= stopped.started_at, "{stopped:?}");
    assert!(stopped.bytes_in >= online.bytes_in && stopped.bytes_out >= online.bytes_out, "{stopped:?}");
    fleet.unwatch(router.id);
}

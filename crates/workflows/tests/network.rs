//! The map's markers and the dashboard's health on a real database, with
//! what the engines saw given as data: a router up with an online and an
//! offline customer and a suspended one, a router down, one never reached.

#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use headend_core::geo::GeoPoint;
use headend_core::map_layers::MarkerState;
use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_fleet::{RouterHealth, RouterState};
use headend_store::{NewCustomer, NewPlan, NewRouter, NewService, Store};
use headend_workflows::network::{EnginesSeen, MarkerKind};
use headend_workflows::{Keyring, NoEngine, Workflows};
use rust_decimal::Decimal;

fn at(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::new(lat, lon).unwrap()
}

async fn router(store: &Store, name: &str, location: Option<GeoPoint>) -> RouterId {
    let router = NewRouter {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: 8728,
        transport: Transport::Api,
        username: "admin".into(),
        pop: None,
        location,
    };
    store.add_router(&router).await.unwrap()
}

async fn customer(store: &Store, router: RouterId, plan: PlanId, user: &str, status: ServiceStatus) -> ServiceId {
    let customer = NewCustomer {
        name: format!("Customer {user}"),
        phone: None,
        email: None,
        address: Some(format!("{user} street")),
        location: Some(at(-0.30, 36.07)),
    };
    let customer = store.add_customer(&customer).await.unwrap();
    let service = NewService {
        customer,
        router,
        plan,
        access: Access::Pppoe { username: user.into(), address: None },
        status,
        next_billing_date: None,
        grace_days: None,
        password: None,
        adopt: false,
    };
    store.add_service(&service).await.unwrap()
}

fn up() -> RouterState {
    RouterState::Up(RouterHealth {
        identity: "core-1".into(),
        version: "7.18.2 (stable)".into(),
        board: "CCR2004".into(),
        uptime: None,
        cpu_load: None,
        free_memory: None,
        total_memory: None,
        ppp_secrets: 3,
        active_sessions: 1,
    })
}

#[tokio::test]
async fn markers_and_health_follow_what_the_engines_saw() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
    let core = router(&store, "core-1", Some(at(-0.28, 36.06))).await;
    let tower = router(&store, "tower-2", Some(at(-0.29, 36.08))).await;
    let unplaced = router(&store, "tower-3", None).await;
    let plan = NewPlan {
        name: "Home 20".into(),
        limits: RateLimit::new(Pair::parse("10M/20M").unwrap(), None).unwrap(),
        price: Decimal::new(2500, 2),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    };
    let plan = store.add_plan(&plan).await.unwrap();
    let ana = customer(&store, core, plan, "ana", ServiceStatus::Active).await;
    let bob = customer(&store, core, plan, "bob", ServiceStatus::Active).await;
    let carol = customer(&store, tower, plan, "carol", ServiceStatus::Suspended).await;
    let seen = EnginesSeen {
        routers: HashMap::from([
            (core, up()),
            (tower, RouterState::Down { error: "connection refused".into() }),
            (unplaced, RouterState::Connecting),
        ]),
        online: HashSet::from([(core, "ana".to_owned())]),
        refused_olts: HashSet::new(),
    };
    let w = Workflows::new(store, Keyring::lazy(), Arc::new(NoEngine));

    let map = w.network_map(&seen).await.unwrap();
    let marker = |kind: MarkerKind, id: i64| map.markers.iter().find(|m| m.kind == kind && m.id == id).unwrap();
    assert_eq!(marker(MarkerKind::Router, core.0).state, MarkerState::Up);
    let down = marker(MarkerKind::Router, tower.0);
    assert_eq!(down.state, MarkerState::Down);
    assert!(down.lines.contains(&"connection refused".to_owned()), "the popup says why: {:?}", down.lines);
    assert!(!map.markers.iter().any(|m| m.kind == MarkerKind::Router && m.id == unplaced.0), "no location, no marker");
    assert_eq!(marker(MarkerKind::Customer, ana.0).state, MarkerState::Online);
    assert_eq!(marker(MarkerKind::Customer, bob.0).state, MarkerState::Offline);
    let suspended = marker(MarkerKind::Customer, carol.0);
    assert_eq!(suspended.state, MarkerState::Suspended);
    assert_eq!((suspended.router, suspended.plan), (Some(tower), Some(plan)), "what the filters match");
    assert_eq!(suspended.search, "customer carol carol carol street");
    assert_eq!(map.routers.len(), 3, "every router is a filter choice, placed or not");
    assert_eq!(map.unplaced_customers, 0);

    let health = w.network_health(&seen).await.unwrap();
    assert_eq!((health.routers_up, health.routers_degraded, health.routers_down), (1, 0, 1), "tower-3 is connecting");
    assert_eq!((health.olts_down, health.olt_alerts, health.onus_los), (0, 0, 0));
}

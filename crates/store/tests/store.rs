#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::plan::{BillingCycle, Rate, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{CustomerId, PlanId, RouterId, ServiceId};
use headend_store::{NewCustomer, NewPlan, NewPop, NewRouter, NewService, RouterCertificate, Store, StoreError};
use jiff::civil::date;
use rust_decimal::Decimal;

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
    (dir, store)
}

fn new_router(name: &str) -> NewRouter {
    NewRouter {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: 8728,
        transport: Transport::Api,
        username: "admin".into(),
        pop: None,
        location: Some("-1.29,36.82".parse().unwrap()),
    }
}

async fn seed(store: &Store) -> (RouterId, PlanId, CustomerId) {
    let router = store.add_router(&new_router("core-1")).await.unwrap();
    let plan = store
        .add_plan(&NewPlan {
            name: "Home 20".into(),
            limits: RateLimit::from_parts("5M/20M", None, None, None).unwrap(),
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let customer = store
        .add_customer(&NewCustomer {
            name: "Jane Doe".into(),
            phone: Some("+254700000001".into()),
            email: None,
            address: None,
            location: None,
        })
        .await
        .unwrap();
    (router, plan, customer)
}

fn pppoe(router: RouterId, plan: PlanId, customer: CustomerId, username: &str) -> NewService {
    NewService {
        customer,
        router,
        plan,
        access: Access::Pppoe { username: username.into(), address: None },
        status: ServiceStatus::Active,
        next_billing_date: Some(date(2026, 12, 1)),
        grace_days: None,
        password: None,
        adopt: false,
    }
}

#[tokio::test]
async fn fresh_database_is_migrated_and_empty() {
    let (_dir, store) = open().await;
    let status = store.status().await.unwrap();
    assert_eq!(status.schema_version, headend_store::latest_schema_version());
    assert!(headend_store::latest_schema_version() >= 20261125000005);
    assert_eq!((status.routers, status.customers, status.services), (0, 0, 0));
}

#[tokio::test]
async fn reopening_keeps_data_and_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    let store = Store::open(&path).await.unwrap();
    store.add_router(&new_router("edge")).await.unwrap();
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let routers = store.routers().await.unwrap();
    assert_eq!(routers.len(), 1);
    assert_eq!(routers[0].name, "edge");
    assert_eq!(routers[0].location.map(|l| l.lat()), Some(-1.29));
    assert!(dir.path().join("t.sqlite3-wal").exists(), "WAL journal expected");
}

#[tokio::test]
async fn services_round_trip_with_names() {
    let (_dir, store) = open().await;
    let (router, plan, customer) = seed(&store).await;
    let pppoe_id = store.add_service(&pppoe(router, plan, customer, "jdoe")).await.unwrap();
    let static_id = store
        .add_service(&NewService {
            access: Access::StaticIp { address: IpAddr::V4(Ipv4Addr::new(100, 64, 0, 9)) },
            status: ServiceStatus::Suspended,
            next_billing_date: None,
            ..pppoe(router, plan, customer, "unused")
        })
        .await
        .unwrap();

    let svc = store.service(pppoe_id).await.unwrap().unwrap();
    assert_eq!(svc.label(), "jdoe (Jane Doe)");
    assert_eq!((svc.router_name.as_str(), svc.plan_name.as_str()), ("core-1", "Home 20"));
    assert_eq!(svc.next_billing_date, Some(date(2026, 12, 1)));
    let st = store.service(static_id).await.unwrap().unwrap();
    assert_eq!(st.label(), "100.64.0.9 (Jane Doe)");
    assert_eq!(store.service(ServiceId(999)).await.unwrap(), None);

    let status = store.status().await.unwrap();
    assert_eq!((status.services, status.active_services, status.suspended_services), (2, 1, 1));
    let plans = store.plans().await.unwrap();
    assert_eq!(plans[0].download(), Rate::bits_per_second(20_000_000));
    assert_eq!(plans[0].profile, "hd-1-home-20");
    assert_eq!(plans[0].price.to_string(), "25.00");
}

#[tokio::test]
async fn duplicate_pppoe_user_on_a_router_is_refused() {
    let (_dir, store) = open().await;
    let (router, plan, customer) = seed(&store).await;
    store.add_service(&pppoe(router, plan, customer, "jdoe")).await.unwrap();
    let err = store.add_service(&pppoe(router, plan, customer, "jdoe")).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateUser { .. }), "{err:?}");
    assert_eq!(err.to_string(), "a PPPoE user named \"jdoe\" already exists on router \"core-1\"");

    let other = store.add_router(&new_router("core-2")).await.unwrap();
    store.add_service(&pppoe(other, plan, customer, "jdoe")).await.unwrap();
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let (_dir, store) = open().await;
    let (_router, plan, customer) = seed(&store).await;
    let err = store.add_service(&pppoe(RouterId(42), plan, customer, "x")).await.unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[tokio::test]
async fn activity_is_listed_newest_first() {
    let (_dir, store) = open().await;
    for (i, action) in ["created", "suspended"].into_iter().enumerate() {
        store
            .log_activity(&ActivityEntry {
                at: jiff::Timestamp::from_second(1_700_000_000 + i as i64).unwrap(),
                actor: Actor::Operator,
                subject: Subject::Service(ServiceId(1)),
                action: action.into(),
                detail: String::new(),
            })
            .await
            .unwrap();
    }
    let log = store.recent_activity(10).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["suspended", "created"]);
}

#[tokio::test]
async fn routers_are_found_updated_pinned_and_removed() {
    let (_dir, store) = open().await;
    let (router, plan, customer) = seed(&store).await;
    let spare = store.add_router(&new_router("spare")).await.unwrap();

    store.set_router_tls_pin(spare, Some("ab12")).await.unwrap();
    assert_eq!(store.router(spare).await.unwrap().unwrap().tls_pin.as_deref(), Some("ab12"));
    // Same endpoint, new name: the pin stays.
    store.update_router(spare, &new_router("edge-2")).await.unwrap();
    let edge = store.router_by_name("edge-2").await.unwrap().unwrap();
    assert_eq!(edge.tls_pin.as_deref(), Some("ab12"));
    // New host: the pin belonged to the old one.
    store.update_router(spare, &NewRouter { host: "127.0.0.2".into(), ..new_router("edge-2") }).await.unwrap();
    assert_eq!(store.router(spare).await.unwrap().unwrap().tls_pin, None);
    // The first pin wins; a second connection's pin does not overwrite it.
    assert!(store.pin_first_router_certificate(spare, "aa").await.unwrap());
    assert!(!store.pin_first_router_certificate(spare, "bb").await.unwrap());
    // A refused certificate is recorded once, and trusting it moves it.
    assert!(store.refuse_router_certificate(spare, "bb").await.unwrap());
    assert!(!store.refuse_router_certificate(spare, "bb").await.unwrap(), "already known");
    assert!(!store.refuse_router_certificate(spare, "aa").await.unwrap(), "the pinned one is no refusal");
    let cert = store.router_certificate(spare).await.unwrap();
    assert_eq!((cert.pinned.as_deref(), cert.presented.as_deref()), (Some("aa"), Some("bb")));
    store.set_router_tls_pin(spare, Some("bb")).await.unwrap();
    assert_eq!(
        store.router_certificate(spare).await.unwrap(),
        RouterCertificate { pinned: Some("bb".into()), presented: None }
    );
    let err = store.update_router(spare, &new_router("core-1")).await.unwrap_err();
    assert_eq!(err.to_string(), "a router named \"core-1\" already exists");

    store.add_service(&pppoe(router, plan, customer, "jdoe")).await.unwrap();
    let err = store.remove_router(router).await.unwrap_err();
    assert_eq!(err.to_string(), "router 1 is still used by 1 service(s); move or remove them first");
    store.remove_router(spare).await.unwrap();
    assert!(store.router(spare).await.unwrap().is_none());
    assert!(matches!(store.remove_router(spare).await, Err(StoreError::NotFound(_))));
}

#[tokio::test]
async fn pops_are_added_found_or_added_and_removed() {
    let (_dir, store) = open().await;
    let tower =
        store.add_pop(&NewPop { name: "Tower A".into(), location: Some("-1.3,36.8".parse().unwrap()) }).await.unwrap();
    let err = store.add_pop(&NewPop { name: "Tower A".into(), location: None }).await.unwrap_err();
    assert_eq!(err.to_string(), "a POP named \"Tower A\" already exists");

    // An existing POP is found, not added again; a new one is added without a location.
    assert_eq!(store.find_or_add_pop("Tower A").await.unwrap(), (tower, false));
    let (cabinet, added) = store.find_or_add_pop("Cabinet 7").await.unwrap();
    assert!(added);
    assert_ne!(cabinet, tower);
    assert_eq!(store.find_or_add_pop("Cabinet 7").await.unwrap(), (cabinet, false));

    let pops = store.pops().await.unwrap();
    assert_eq!(pops.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Cabinet 7", "Tower A"]);
    let a = store.pop(tower).await.unwrap().unwrap();
    assert_eq!(a.location.map(|l| (l.lat(), l.lon())), Some((-1.3, 36.8)));
    assert_eq!(store.pop_by_name("Cabinet 7").await.unwrap().unwrap().location, None);
    assert_eq!(store.pop_by_name("nowhere").await.unwrap(), None);

    // Removing a POP keeps its routers, without a POP.
    let router = store.add_router(&NewRouter { pop: Some(cabinet), ..new_router("edge") }).await.unwrap();
    assert_eq!(store.router(router).await.unwrap().unwrap().pop, Some(cabinet));
    store.remove_pop(cabinet).await.unwrap();
    assert_eq!(store.router(router).await.unwrap().unwrap().pop, None);
    assert!(store.pop(cabinet).await.unwrap().is_none());
    assert!(matches!(store.remove_pop(cabinet).await, Err(StoreError::NotFound(_))));
}

#[tokio::test]
async fn every_database_has_its_own_lasting_installation_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    let store = Store::open(&path).await.unwrap();
    let id = store.installation_id().await.unwrap();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    store.close().await;
    assert_eq!(Store::open(&path).await.unwrap().installation_id().await.unwrap(), id);
    let (_other_dir, other) = open().await;
    assert_ne!(other.installation_id().await.unwrap(), id);
}

#[tokio::test]
async fn the_map_places_located_customers_services() {
    let (_dir, store) = open().await;
    let (router, plan, unplaced) = seed(&store).await;
    let at: headend_core::geo::GeoPoint = "-1.2841,36.8233".parse().unwrap();
    let ana = store
        .add_customer(&NewCustomer {
            name: "Ana".into(),
            phone: None,
            email: None,
            address: Some("12 Moi Ave".into()),
            location: Some(at),
        })
        .await
        .unwrap();
    let online = store.add_service(&pppoe(router, plan, ana, "ana")).await.unwrap();
    let gone = store.add_service(&pppoe(router, plan, ana, "ana-old")).await.unwrap();
    store.set_service_status(gone, ServiceStatus::Terminated).await.unwrap();
    store.add_service(&pppoe(router, plan, unplaced, "jane")).await.unwrap();

    let placed = store.map_services().await.unwrap();
    assert_eq!(placed.len(), 1, "located, not terminated: {placed:?}");
    let s = &placed[0];
    assert_eq!((s.service, s.customer, s.location), (online, ana, at));
    assert_eq!(
        (s.username.as_deref(), s.address.as_deref(), s.plan_name.as_str()),
        (Some("ana"), Some("12 Moi Ave"), "Home 20")
    );
    assert_eq!((s.router, s.plan, s.onu_state, s.drop_from), (router, plan, None, None));
    assert_eq!(store.unplaced_customers().await.unwrap(), 1, "Jane has no location");
    assert_eq!(store.customer(ana).await.unwrap().unwrap().location, Some(at), "read back");
    assert!(store.failed_actions_by_router().await.unwrap().is_empty());
}

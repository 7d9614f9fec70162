//! One change to many services: previewed (what changes, what does not,
//! what cannot), then applied through the single-service workflows.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use headend_core::activity::Actor;
use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_store::{NewCustomer, NewPlan, NewRouter, NewService, Store};
use headend_workflows::bulk::{BulkChange, BulkOutcome};
use headend_workflows::{Keyring, NoEngine, Workflows};
use rust_decimal::Decimal;

async fn router(store: &Store, name: &str) -> RouterId {
    store
        .add_router(&NewRouter {
            name: name.into(),
            host: "127.0.0.1".into(),
            port: 8728,
            transport: Transport::Api,
            username: "admin".into(),
            pop: None,
            location: None,
        })
        .await
        .unwrap()
}

async fn plan(store: &Store, name: &str) -> PlanId {
    store
        .add_plan(&NewPlan {
            name: name.into(),
            limits: RateLimit::new(Pair::parse("5M/20M").unwrap(), None).unwrap(),
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap()
}

async fn service(
    store: &Store,
    router: RouterId,
    plan: PlanId,
    user: &str,
    address: &str,
    status: ServiceStatus,
) -> ServiceId {
    let customer = store
        .add_customer(&NewCustomer { name: user.into(), phone: None, email: None, address: None, location: None })
        .await
        .unwrap();
    store
        .add_service(&NewService {
            customer,
            router,
            plan,
            access: Access::StaticIp { address: address.parse().unwrap() },
            status,
            next_billing_date: None,
            grace_days: None,
            password: None,
            adopt: false,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn preview_then_apply() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
    let (core1, core2) = (router(&store, "core-1").await, router(&store, "core-2").await);
    let (home, fast) = (plan(&store, "Home").await, plan(&store, "Fast").await);
    let ana = service(&store, core1, home, "ana", "100.64.0.10", ServiceStatus::Active).await;
    let bob = service(&store, core1, home, "bob", "100.64.0.11", ServiceStatus::Suspended).await;
    // Carla's address is Ana's on core-2: Ana cannot move there.
    let ana_address = match store.service(ana).await.unwrap().unwrap().access {
        Access::StaticIp { address } => address,
        Access::Pppoe { .. } => unreachable!(),
    };
    let carla_customer = store
        .add_customer(&NewCustomer { name: "Carla".into(), phone: None, email: None, address: None, location: None })
        .await
        .unwrap();
    store
        .add_service(&NewService {
            customer: carla_customer,
            router: core2,
            plan: home,
            access: Access::StaticIp { address: ana_address },
            status: ServiceStatus::Active,
            next_billing_date: None,
            grace_days: None,
            password: None,
            adopt: false,
        })
        .await
        .unwrap();
    let w = Workflows::new(store.clone(), Keyring::lazy(), Arc::new(NoEngine));
    let actor = Actor::Operator;

    let preview = w.bulk_change(&actor, &[ana, bob], BulkChange::Status(ServiceStatus::Suspended), true).await.unwrap();
    let outcomes: Vec<&BulkOutcome> = preview.lines.iter().map(|l| &l.outcome).collect();
    assert_eq!(outcomes, [&BulkOutcome::Changes("status active -> suspended".into()), &BulkOutcome::Unchanged]);
    assert_eq!(preview.applied, 0);
    assert_eq!(store.service(ana).await.unwrap().unwrap().status, ServiceStatus::Active, "a preview writes nothing");

    let moved = w.bulk_change(&actor, &[ana, bob], BulkChange::Router(core2), false).await.unwrap();
    assert!(
        matches!(&moved.lines[0].outcome, BulkOutcome::Refused(why) if why.contains("core-2")),
        "{:?}",
        moved.lines[0].outcome
    );
    assert_eq!(moved.lines[1].outcome, BulkOutcome::Changes("router core-1 -> core-2".into()));
    assert_eq!(moved.applied, 1);
    assert_eq!(store.service(bob).await.unwrap().unwrap().router, core2);
    assert_eq!(store.service(ana).await.unwrap().unwrap().router, core1);

    let replanned = w.bulk_change(&actor, &[ana, bob], BulkChange::Plan(fast), false).await.unwrap();
    assert_eq!(replanned.applied, 2);
    assert_eq!(store.service(ana).await.unwrap().unwrap().plan, fast);
    assert!(w.bulk_change(&actor, &[], BulkChange::Plan(fast), true).await.is_err(), "nothing chosen");
    let twice = w.bulk_change(&actor, &[ana, ana], BulkChange::Plan(home), false).await.unwrap();
    assert_eq!((twice.lines.len(), twice.applied), (1, 1), "a service named twice is changed once");
}

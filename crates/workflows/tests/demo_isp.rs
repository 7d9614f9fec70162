//! The demo ISP is made through the operator's own workflows: what it
//! holds is checked here in the database, as the console will read it.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use headend_core::service::ServiceStatus;
use headend_store::{InvoiceQuery, Store};
use headend_workflows::demo_isp::{DemoOlt, DemoRouter, ROUTER_NAMES};
use headend_workflows::{Keyring, NoEngine, Workflows};

#[tokio::test]
async fn a_demo_town_with_every_kind_of_customer() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
    let w = Workflows::new(store.clone(), Keyring::lazy(), std::sync::Arc::new(NoEngine));
    let routers: Vec<DemoRouter> = ROUTER_NAMES
        .iter()
        .zip(18_728..)
        .map(|(name, port)| DemoRouter { name, port, username: "headend".into(), password: "demo".into() })
        .collect();
    let olt = DemoOlt { port: 18_022, username: "admin".into(), password: "admin".into() };

    let seeded = w.seed_demo_isp(&routers, &olt, 300).await.unwrap();

    assert_eq!(seeded.services, 300);
    let names: Vec<&str> = seeded.routers.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ROUTER_NAMES);
    assert!(seeded.routers.iter().all(|r| r.location.is_some() && r.pop.is_some()), "placed, in a POP");
    assert_eq!(store.pops().await.unwrap().len(), 3);
    assert_eq!(store.plans().await.unwrap().len(), 4);
    assert_eq!(seeded.olt.name, "olt-1");
    assert_eq!(store.billing_settings().await.unwrap().currency.code(), "KES");

    let services = store.services().await.unwrap();
    assert_eq!(services.len(), 300);
    let statuses: BTreeSet<String> = services.iter().map(|s| s.status.to_string()).collect();
    for status in [ServiceStatus::Active, ServiceStatus::Suspended, ServiceStatus::Pending, ServiceStatus::Terminated] {
        assert!(statuses.contains(&status.to_string()), "{status} in {statuses:?}");
    }
    let unplaced = store.unplaced_customers().await.unwrap();
    assert_eq!(unplaced, 0, "every customer has a place on the map");

    // Bills went out and a third of the customers paid.
    let (_, today) = w.today().await.unwrap();
    let invoices = store.invoices(&InvoiceQuery::default(), today).await.unwrap();
    assert!(!invoices.is_empty(), "the month's invoices");
    assert!(!seeded.payable.is_empty());
    assert!((6..=12).contains(&seeded.onu_serials.len()), "{} fibre ONUs", seeded.onu_serials.len());

    // A second demo in the same database is refused, not doubled.
    let again = w.seed_demo_isp(&routers, &olt, 300).await.unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
}

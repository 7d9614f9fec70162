//! The dashboard's figures of the day, on a real database with a fixed
//! clock: cut off today by the ISP's rules, suspended by hand today, and
//! services online hour by hour from the session history.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use headend_core::activity::Actor;
use headend_core::clock::ManualClock;
use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::provision::policy::IspPolicy;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::sessions::SessionSource;
use headend_core::{PlanId, RouterId, ServiceId};
use headend_store::{NewCustomer, NewPlan, NewRouter, NewService, NewSession, ServiceQuery, Store};
use headend_workflows::{Keyring, NoEngine, Workflows};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

async fn service(store: &Store, router: RouterId, plan: PlanId, user: &str, due: Option<Date>) -> ServiceId {
    let customer = store
        .add_customer(&NewCustomer { name: user.into(), phone: None, email: None, address: None, location: None })
        .await
        .unwrap();
    store
        .add_service(&NewService {
            customer,
            router,
            plan,
            access: Access::Pppoe { username: user.into(), address: None },
            status: ServiceStatus::Active,
            next_billing_date: due,
            grace_days: Some(0),
            password: None,
            adopt: false,
        })
        .await
        .unwrap()
}

fn session(
    service: ServiceId,
    key: &str,
    started: Timestamp,
    stopped: Option<Timestamp>,
    updated: Timestamp,
) -> NewSession {
    NewSession {
        service,
        router: None,
        source: SessionSource::Radius,
        key: key.into(),
        radacctid: None,
        started_at: started,
        stopped_at: stopped,
        updated_at: updated,
        cause: None,
        address: None,
        caller: None,
        bytes_in: 0,
        bytes_out: 0,
    }
}

#[tokio::test]
async fn the_days_figures() {
    let dir = tempfile::tempdir().unwrap();
    // 14:30 in Nairobi.
    let now: Timestamp = "2030-03-10T11:30:00Z".parse().unwrap();
    let store =
        Store::open(&dir.path().join("headend.sqlite3")).await.unwrap().with_clock(Arc::new(ManualClock::at(now)));
    let policy = store.isp_policy().await.unwrap();
    let zone = jiff::tz::TimeZone::get("Africa/Nairobi").unwrap();
    store.set_isp_policy(&IspPolicy { time_zone: zone, ..policy }).await.unwrap();
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
    let plan = store
        .add_plan(&NewPlan {
            name: "Home".into(),
            limits: RateLimit::new(Pair::parse("5M/20M").unwrap(), None).unwrap(),
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let today = now.to_zoned_datetime(jiff::tz::TimeZone::get("Africa/Nairobi").unwrap()).date();
    // Paid through yesterday: off since midnight. Paid through today: on.
    let ana = service(&store, router, plan, "ana", today.yesterday().ok()).await;
    let bob = service(&store, router, plan, "bob", Some(today)).await;
    let carol = service(&store, router, plan, "carol", None).await;
    let hours = |h: i64| SignedDuration::from_hours(h);
    store
        .record_radius_sessions(
            &[
                session(ana, "a1", now - hours(3), Some(now - hours(1)), now - hours(1)),
                // Still online: its router reported it a minute ago.
                session(bob, "b1", now - hours(30), None, now - SignedDuration::from_mins(1)),
                // Over before the chart's day.
                session(carol, "c1", now - hours(40), Some(now - hours(26)), now - hours(26)),
                // Open, but nothing heard of it for 26 hours: not online.
                session(carol, "c2", now - hours(28), None, now - hours(26)),
            ],
            None,
        )
        .await
        .unwrap();
    let w = Workflows::new(store, Keyring::lazy(), Arc::new(NoEngine));
    w.set_service_status(&Actor::Operator, carol, ServiceStatus::Suspended).await.unwrap();

    let day = w.day_figures().await.unwrap();
    assert_eq!(day.went_off.cut_off, [ana], "Ana cut off");
    assert_eq!(day.went_off.suspended_by_hand, [carol], "Carol suspended");
    let listed = w.services_page(ServiceQuery::default(), true).await.unwrap();
    let ids: Vec<ServiceId> = listed.rows.iter().map(|s| s.id).collect();
    assert_eq!((listed.total, ids), (2, vec![ana, carol]), "the list the figure opens");
    assert_eq!((day.payments, day.collected), (0, Decimal::ZERO));
    let mut want = vec![1; 24];
    want[21..].copy_from_slice(&[2, 2, 2]);
    assert_eq!(day.online_by_hour, want, "Bob all day, Ana in the last three hours");
}

//! The store at the size of a large customer: 100,000 services on 20
//! routers. Seeds them in one transaction (the import path) and prints how
//! long the console's and the engine's queries take; run with
//! `cargo test -p headend-store --release --test scale -- --nocapture` for
//! the figures that matter (the target is p99 < 5 ms for a first page).
//! No timing is asserted: machines differ.

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use headend_core::activity::Actor;
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{RouterId, ServiceId};
use headend_store::{ImportService, NewPlan, NewRouter, ServiceQuery, Store};
use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal::Decimal;

const SERVICES: usize = 100_000;
const ROUTERS: usize = 20;
const RUNS: usize = 200;

fn status(i: usize) -> ServiceStatus {
    match i % 20 {
        0 | 1 => ServiceStatus::Suspended,
        2 => ServiceStatus::Pending,
        3 => ServiceStatus::Inactive,
        _ => ServiceStatus::Active,
    }
}

/// p50 and p99 of `runs` runs of `f`.
async fn time_n<F, Fut, T>(name: &str, runs: usize, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut took = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f().await);
        took.push(start.elapsed());
    }
    took.sort();
    let pick = |q: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let i = ((took.len() as f64 * q).ceil() as usize).saturating_sub(1);
        took[i.min(took.len() - 1)]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{name:<44} p50 {:>8.3} ms   p99 {:>8.3} ms   ({runs} runs)", ms(pick(0.5)), ms(pick(0.99)));
    last.unwrap()
}

/// p50 and p99 of `RUNS` runs of `f`.
async fn time<F, Fut, T>(name: &str, f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    time_n(name, RUNS, f).await
}

/// For the slow queries, which no page waits on.
const FEW: usize = 10;

#[tokio::test(flavor = "multi_thread")]
async fn queries_at_100k_services() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
    let mut routers = Vec::new();
    for r in 0..ROUTERS {
        let new = NewRouter {
            name: format!("core-{r:02}"),
            host: "127.0.0.1".into(),
            port: 8728,
            transport: Transport::Api,
            username: "admin".into(),
            pop: None,
            location: None,
        };
        routers.push(store.add_router(&new).await.unwrap());
    }
    let mut plans = Vec::new();
    for (i, rate) in ["5M/10M", "10M/20M", "20M/50M", "50M/100M"].into_iter().enumerate() {
        let plan = NewPlan {
            name: format!("Plan {i}"),
            limits: RateLimit::from_parts(rate, None, None, None).unwrap(),
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        };
        plans.push(store.add_plan(&plan).await.unwrap());
    }
    let sealed = vec![7u8; 1 + 24 + 12 + 16];
    let services: Vec<ImportService> = (0..SERVICES)
        .map(|i| {
            let access = if i % 10 == 9 {
                let n = u32::try_from(i).unwrap();
                Access::StaticIp { address: IpAddr::V4(Ipv4Addr::from(0x6440_0000 + n)) }
            } else {
                Access::Pppoe { username: format!("user{i:06}"), address: None }
            };
            ImportService {
                customer_name: format!("Customer {i:06}"),
                customer_phone: Some(format!("+254 7{i:08}")),
                customer_address: None,
                customer_location: None,
                router: routers[i % ROUTERS],
                plan: plans[i % plans.len()],
                password: matches!(access, Access::Pppoe { .. }).then(|| sealed.clone()),
                access,
                status: status(i),
                next_billing_date: date(2026, 12, 1)
                    .checked_add(jiff::Span::new().days(i64::try_from(i % 60).unwrap()))
                    .ok(),
                adopt: false,
            }
        })
        .collect();
    let start = Instant::now();
    let ids = store.import_services(&services, Timestamp::now(), &Actor::Cli).await.unwrap();
    println!(
        "seeded {} services, customers and activity entries in one transaction: {:.2?}",
        ids.len(),
        start.elapsed()
    );
    assert_eq!(ids.len(), SERVICES);

    let first = ServiceQuery { limit: 50, ..ServiceQuery::default() };
    let page = time("services_page first 50", || store.services_page(&first)).await.unwrap();
    assert_eq!((page.total, page.rows.len()), (SERVICES as u64, 50));
    let active = ServiceQuery { status: Some(ServiceStatus::Active), ..first.clone() };
    let page = time("services_page first 50, status active", || store.services_page(&active)).await.unwrap();
    assert_eq!(page.total, (SERVICES as u64) * 16 / 20);
    let suspended = ServiceQuery { status: Some(ServiceStatus::Suspended), ..first.clone() };
    let page = time("services_page first 50, status suspended", || store.services_page(&suspended)).await.unwrap();
    assert_eq!(page.total, (SERVICES as u64) * 2 / 20);
    let on_router = ServiceQuery { router: Some(routers[3]), ..first.clone() };
    let page = time("services_page first 50, one router", || store.services_page(&on_router)).await.unwrap();
    assert_eq!(page.total, (SERVICES / ROUTERS) as u64);
    let deep = ServiceQuery { offset: 90_000, ..first.clone() };
    time_n("services_page at offset 90,000", FEW, || store.services_page(&deep)).await.unwrap();
    let search = ServiceQuery { search: Some("user042421".into()), ..first.clone() };
    let found = time_n("services_page search (trigram index)", FEW, || store.services_page(&search)).await.unwrap();
    assert_eq!(found.total, 1);

    time("service(id)", || store.service(ServiceId(50_000))).await.unwrap().unwrap();
    time("payments(id)", || store.payments(ServiceId(50_000))).await.unwrap();
    time("pppoe_user(router, name)", || store.pppoe_user(routers[0], "user000020")).await.unwrap();
    let rows =
        time_n("provisioning_rows(router): 5,000 rows", FEW, || store.provisioning_rows(RouterId(1))).await.unwrap();
    assert_eq!(rows.len(), SERVICES / ROUTERS);
    let start = Instant::now();
    let all = store.all_services().await.unwrap();
    println!("{:<44} {:>8.3} ms (once)", "all_services: 100,000 rows", start.elapsed().as_secs_f64() * 1000.0);
    assert_eq!(all.len(), SERVICES);
    time_n("earliest_paid_through (the next cutoff)", FEW, || store.earliest_paid_through(3, date(2026, 12, 20)))
        .await
        .unwrap();
    let start = Instant::now();
    assert_eq!(store.services_page(&ServiceQuery::default()).await.unwrap().total, SERVICES as u64);
    println!("{:<44} {:>8.3} ms (once)", "service_ids", start.elapsed().as_secs_f64() * 1000.0);
    time("take_sweep_requests", || store.take_sweep_requests()).await.unwrap();
}

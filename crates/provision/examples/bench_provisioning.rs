//! `cargo xtask bench provisioning [--routers N] [--services N]`: the
//! engine against N simulated routers (20) 20 ms away, with N services
//! (10,000) spread evenly over them, then the database at 100,000 services
//! (or at the services swept, if more). Prints one JSON object:
//!
//! - `cold_converge_s`: the first sweep of every router on empty routers;
//! - `steady_sweep_s`, `steady_calls_per_router` (commands by menu, per
//!   router), `steady_writes`: a sweep with nothing to change;
//! - `cold_cpu_s` and `steady_cpu_s`: the CPU time this process used in
//!   those sweeps, every thread and core, the simulated routers' side
//!   included (`/proc/self/stat`): what the wall times are made of when
//!   other work shares the cores;
//! - `suspend_to_router_ms` (the app: the store write, then
//!   `Provisioner::request`) and `suspend_to_router_from_cli_ms` (only the
//!   store write, as the CLI does: picked up from the database), each
//!   over 20 suspensions (fewer below 3 routers) made while the engine's loop
//!   runs (its first turn sweeps every router, so the first suspensions
//!   wait behind a periodic sweep as they would in the app);
//! - `db_p99_ms`: the 99th percentile of the console's and the engine's
//!   queries at `db_services`;
//! - `memory_mb`: the process's resident memory (`VmRSS` from
//!   `/proc/self/status`) once the routers are started and the services
//!   stored, after the cold converge and after the steady sweep, and its
//!   peak (`VmHWM`) over the whole run. The simulated routers run in this
//!   process and hold every secret, address and queue the engine wrote, so
//!   these include them, the store's SQLite caches and the engine; the
//!   growth from `after_setup` to `after_cold` is mostly the simulators
//!   filling up (the engine keeps nothing per service between sweeps).
//!
//! Passwords go to the machine's secret store, scoped to a throwaway
//! database (the kernel keyring when there is no Secret Service).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use headend_core::activity::Actor;
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::Password;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{RouterId, ServiceId};
use headend_fleet::Connector;
use headend_provision::{EngineConfig, Provisioner, SweepMode};
use headend_secrets::{SecretKey, SecretStore, SubscriberCipher};
use headend_simlab::{Faults, SimConfig, SimRouter, SimRouterHandle};
use headend_store::{EngineHolder, ImportService, NewPlan, NewRouter, QueueQuery, ServiceQuery, Store};
use jiff::Timestamp;
use rust_decimal::Decimal;

/// The database's size for the console's queries, at least.
const DB_SERVICES: usize = 100_000;
const LATENCY: Duration = Duration::from_millis(20);
/// Suspensions timed, half told to the engine, half left in the database.
const SUSPENSIONS: usize = 40;

/// The benchmark's size.
struct Size {
    routers: usize,
    services: usize,
}

fn size() -> anyhow::Result<Size> {
    let mut size = Size { routers: 20, services: 10_000 };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().with_context(|| format!("{flag} needs a number"))?;
        let number = || value.parse::<usize>().with_context(|| format!("{flag} {value:?} is not a whole number"));
        match flag.as_str() {
            "--routers" => size.routers = number()?,
            "--services" => size.services = number()?,
            other => anyhow::bail!("unknown option {other:?}: use --routers N --services N"),
        }
    }
    anyhow::ensure!(size.routers > 0, "--routers must be above 0");
    anyhow::ensure!(
        size.services >= 20 * size.routers && size.services.is_multiple_of(size.routers),
        "--services {} does not spread evenly over {} routers with 20 or more each: give a multiple of {} from {}",
        size.services,
        size.routers,
        size.routers,
        20 * size.routers
    );
    Ok(size)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Size { routers: router_count, services: service_count } = size()?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("bench.sqlite3")).await?;
    let scope = store.installation_id().await?;
    let secrets = tokio::task::spawn_blocking(SecretStore::open).await??.scoped(&scope);
    let cipher = SubscriberCipher::generate();
    let plan = store
        .add_plan(&NewPlan {
            name: "Home 20".into(),
            limits: RateLimit::from_parts("10M/20M", None, None, None)?,
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await?;

    let mut sims: Vec<SimRouterHandle> = Vec::new();
    let mut routers = Vec::new();
    for i in 0..router_count {
        let sim = SimRouter::start(SimConfig {
            identity: format!("bench-{i:02}"),
            faults: Faults { latency: LATENCY, ..Faults::default() },
            ..SimConfig::default()
        })
        .await?;
        let id = store
            .add_router(&NewRouter {
                name: format!("bench-{i:02}"),
                host: "127.0.0.1".into(),
                port: sim.api_port(),
                transport: Transport::Api,
                username: "admin".into(),
                pop: None,
                location: None,
            })
            .await?;
        secrets.set(&SecretKey::router(id), "admin")?;
        routers.push(id);
        sims.push(sim);
    }
    let per_router = service_count / router_count;
    let rows = services(&routers, plan, per_router, 0, &cipher)?;
    for chunk in rows.chunks(10_000) {
        store.import_services(chunk, Timestamp::now(), &Actor::Cli).await?;
    }
    drop(rows);
    store.take_sweep_requests().await?;
    let rss_after_setup = memory_kib("VmRSS");

    let connector = Connector::new(store.clone(), secrets.clone());
    let config = EngineConfig::new(EngineHolder::named("bench"));
    let concurrency = config.concurrency;
    let engine = Provisioner::new(store.clone(), connector, Some(cipher.clone()), config);

    // Cold: every router empty.
    let started = Instant::now();
    let cpu_before = cpu_s();
    let cold = engine.sweep_all(SweepMode::Apply).await;
    let cold_s = started.elapsed().as_secs_f64();
    let cold_cpu_s = cpu_s() - cpu_before;
    let cold_writes: usize = cold.iter().flatten().map(|r| r.writes()).sum();
    anyhow::ensure!(
        cold.iter().all(Result::is_ok),
        "cold sweep failed: {:?}",
        cold.iter().filter_map(|r| r.as_ref().err()).collect::<Vec<_>>()
    );
    let rss_after_cold = memory_kib("VmRSS");

    // Steady: nothing to change.
    sims.iter().for_each(SimRouterHandle::reset_stats);
    let started = Instant::now();
    let cpu_before = cpu_s();
    let steady = engine.sweep_all(SweepMode::Apply).await;
    let steady_s = started.elapsed().as_secs_f64();
    let steady_cpu_s = cpu_s() - cpu_before;
    let steady_writes: usize = steady.iter().flatten().map(|r| r.writes()).sum();
    let mut calls: BTreeMap<String, f64> = BTreeMap::new();
    for sim in &sims {
        for (path, n) in sim.stats().commands_by_path {
            *calls.entry(path).or_default() += n as f64 / router_count as f64;
        }
    }
    let router_writes: u64 = sims.iter().map(|s| s.stats().writes).sum();
    let rss_after_steady = memory_kib("VmRSS");

    // Suspension to router, with the loop running.
    let running = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run().await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut in_app = Vec::new();
    let mut from_cli = Vec::new();
    for i in 0..SUSPENSIONS.min(router_count * 18) {
        // Router by router; services 0 to 17 of each are active PPPoE.
        let (r, n) = (i % router_count, i / router_count);
        let service = ServiceId((r * per_router + n + 1) as i64);
        let user = format!("u{r:02}-{n:05}");
        let started = Instant::now();
        store.set_service_status(service, ServiceStatus::Suspended).await?;
        if i % 2 == 0 {
            engine.request(routers[r]);
        }
        wait_disabled(&sims[r], &user).await.with_context(|| format!("{user} was never disabled"))?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if i % 2 == 0 { in_app.push(ms) } else { from_cli.push(ms) }
    }
    engine.shutdown();
    running.await?;

    // The database at 100,000 services (or more).
    let more = services(&routers, plan, DB_SERVICES.saturating_sub(service_count) / router_count, per_router, &cipher)?;
    for chunk in more.chunks(10_000) {
        store.import_services(chunk, Timestamp::now(), &Actor::Cli).await?;
    }
    let db_services = store.services_page(&ServiceQuery::default()).await?.total;
    let mut queries: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for i in 0..200u32 {
        let mut time = async |name, q: &ServiceQuery| -> anyhow::Result<()> {
            let t = Instant::now();
            store.services_page(q).await?;
            queries.entry(name).or_default().push(t.elapsed().as_secs_f64() * 1000.0);
            Ok(())
        };
        time("services_first_page", &ServiceQuery::default()).await?;
        time("services_suspended", &ServiceQuery { status: Some(ServiceStatus::Suspended), ..ServiceQuery::default() })
            .await?;
        time(
            "services_search",
            &ServiceQuery { search: Some(format!("u07-0{:03}", i % 500)), ..ServiceQuery::default() },
        )
        .await?;
        time("services_page_100", &ServiceQuery { offset: 5_000, ..ServiceQuery::default() }).await?;
        let t = Instant::now();
        store.service(ServiceId(i64::from(i) * 400 + 1)).await?;
        queries.entry("service_detail").or_default().push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        store.queue(&QueueQuery { status: None, limit: 50, offset: 0 }).await?;
        queries.entry("queue_page").or_default().push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut sweep_reads = Vec::new();
    for r in &routers {
        let t = Instant::now();
        store.provisioning_rows(*r).await?;
        sweep_reads.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let p99: BTreeMap<&str, f64> = queries.iter_mut().map(|(k, v)| (*k, round(percentile(v, 0.99)))).collect();

    let mb = |kib: u64| round(kib as f64 / 1024.0);
    let json = serde_json::json!({
        "bench": "provisioning",
        "routers": router_count,
        "services": service_count,
        "latency_ms": LATENCY.as_millis(),
        "concurrency": concurrency,
        "cold_converge_s": round(cold_s),
        "cold_cpu_s": round(cold_cpu_s),
        "cold_writes": cold_writes,
        "steady_sweep_s": round(steady_s),
        "steady_cpu_s": round(steady_cpu_s),
        "steady_writes": steady_writes + router_writes as usize,
        "steady_calls_per_router": calls.iter().map(|(k, v)| (k.clone(), round(*v))).collect::<BTreeMap<_, _>>(),
        "suspend_to_router_ms": spread(&mut in_app),
        "suspend_to_router_from_cli_ms": spread(&mut from_cli),
        "db_services": db_services,
        "db_p99_ms": p99,
        "db_router_rows_ms": { "rows_per_router": db_services / router_count as u64, "p99": round(percentile(&mut sweep_reads, 0.99)) },
        "memory_mb": {
            "after_setup": mb(rss_after_setup),
            "after_cold": mb(rss_after_cold),
            "after_steady": mb(rss_after_steady),
            "peak": mb(memory_kib("VmHWM")),
        },
    });
    println!("{json}");
    for id in routers {
        secrets.delete(&SecretKey::router(id)).ok();
    }
    secrets.delete(&SecretKey::subscriber_key()).ok();
    Ok(())
}

/// `count` services on each router, named `u<router>-<n>`: 90 % PPPoE
/// active, 5 % PPPoE suspended, 5 % static IPs (`10.0.0.0/8` on every
/// router: an address is unique per router).
fn services(
    routers: &[RouterId],
    plan: headend_core::PlanId,
    count: usize,
    first: usize,
    cipher: &headend_secrets::SubscriberCipher,
) -> anyhow::Result<Vec<ImportService>> {
    let mut out = Vec::with_capacity(routers.len() * count);
    for (r, router) in routers.iter().enumerate() {
        for n in first..first + count {
            let user = format!("u{r:02}-{n:05}");
            let (access, password) = if n % 20 == 19 {
                let host = u32::try_from(n + 1).ok().filter(|h| *h < 1 << 24).context("too many services a router")?;
                let ip = std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0)) | host);
                (Access::StaticIp { address: ip.into() }, None)
            } else {
                (
                    Access::Pppoe { username: user.clone(), address: None },
                    Some(cipher.encrypt(&Password::new(format!("pw{n}")))),
                )
            };
            out.push(ImportService {
                customer_name: format!("Customer {user}"),
                customer_phone: Some(format!("+55 11 9{r:02}{n:05}")),
                router: *router,
                plan,
                access,
                password,
                status: if n % 20 == 18 { ServiceStatus::Suspended } else { ServiceStatus::Active },
                next_billing_date: None,
                adopt: false,
                customer_address: None,
                customer_location: None,
            });
        }
    }
    Ok(out)
}

async fn wait_disabled(sim: &SimRouterHandle, user: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let disabled =
            sim.secrets().iter().any(|s| s.get_str("name") == Some(user) && s.get_str("disabled") == Some("true"));
        if disabled {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    anyhow::bail!("timed out")
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

/// Median, 99th percentile and maximum.
fn spread(v: &mut [f64]) -> serde_json::Value {
    serde_json::json!({ "median": round(percentile(v, 0.5)), "p99": round(percentile(v, 0.99)), "max": round(max(v)) })
}

/// CPU time used so far by this process, user and system, every thread
/// (`/proc/self/stat`, in Linux's fixed 100 ticks a second); 0 where there
/// is no `/proc`.
fn cpu_s() -> f64 {
    let ticks = std::fs::read_to_string("/proc/self/stat").ok().and_then(|stat| {
        // The fields after the parenthesised name: utime and stime are
        // the 12th and 13th.
        let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
        let user: u64 = fields.next()?.parse().ok()?;
        let system: u64 = fields.next()?.parse().ok()?;
        Some(user + system)
    });
    ticks.unwrap_or(0) as f64 / 100.0
}

/// A `/proc/self/status` figure in KiB (`VmRSS`: resident now, `VmHWM`:
/// the most resident so far); 0 where there is no `/proc`.
fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

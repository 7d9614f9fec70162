//! `cargo xtask bench radius`: RADIUS mode at 10,000 services on 20
//! routers (20 ms away), against a real PostgreSQL on loopback with
//! FreeRADIUS's schema. Prints one JSON object:
//!
//! - `cold_sync_s` (target < 10 s): the first sweep of every router, with
//!   an empty database (every user, group and `nas` row written);
//! - `steady_sync_s` (target < 0.5 s) and `steady_writes` (target 0): a
//!   sweep with nothing to change;
//! - `suspend_to_database_ms`: a suspension, from the store write with the
//!   engine running to FreeRADIUS's `Auth-Type := Reject` row (target < 2 s,
//!   as a router write).
//!
//! Passwords go to the machine's secret store, scoped to a throwaway
//! database, so it runs in a D-Bus session like the provisioning bench.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use headend_core::activity::Actor;
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::Password;
use headend_core::radius::database::RadiusSettings;
use headend_core::router::{Backend, Nas, Transport};
use headend_core::service::{Access, ServiceStatus};
use headend_core::{RouterId, ServiceId};
use headend_fleet::Connector;
use headend_provision::{EngineConfig, Provisioner, StepStatus, SweepMode};
use headend_radius_db::RadiusDb;
use headend_secrets::{RADIUS_DB_KEY, Secret, SecretKey, SecretStore, SubscriberCipher};
use headend_simlab::{Faults, PostgresServer, SimConfig, SimRouter, SimRouterHandle};
use headend_store::{EngineHolder, ImportService, NewPlan, NewRouter, Store};
use jiff::Timestamp;
use rust_decimal::Decimal;

const ROUTERS: usize = 20;
const SERVICES: usize = 10_000;
const LATENCY: Duration = Duration::from_millis(20);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let postgres = PostgresServer::start().await?;
    let url = postgres.url().parse()?;
    let password = Secret::new(postgres.password().to_owned());
    let db = RadiusDb::connect(&url, &password).await?;
    db.create_schema().await?;

    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("bench.sqlite3")).await?;
    let scope = store.installation_id().await?;
    let secrets = tokio::task::spawn_blocking(SecretStore::open).await??.scoped(&scope);
    let cipher = SubscriberCipher::generate();
    store.set_radius_settings(&RadiusSettings { url, server: None }).await?;
    secrets.set(&SecretKey::radius_db(RADIUS_DB_KEY), password.expose())?;
    let plan = store
        .add_plan(&NewPlan {
            name: "Home 20".into(),
            limits: RateLimit::from_parts("10M/20M", None, None, None)?,
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
        })
        .await?;
    let mut sims: Vec<SimRouterHandle> = Vec::new();
    let mut routers = Vec::new();
    for i in 0..ROUTERS {
        let sim = SimRouter::start(SimConfig {
            identity: format!("bench-{i:02}"),
            faults: Faults { latency: LATENCY, ..Faults::default() },
            tls: false,
            rest: false,
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
        secrets.set(&SecretKey::nas_secret(id), &format!("nas-secret-{i}"))?;
        // Each router its own NAS address, as on a real network.
        let nas = Nas { address: std::net::Ipv4Addr::new(127, 0, 1, i as u8 + 1).into(), coa_port: 3799 };
        store.set_router_backend(id, Backend::Radius(nas)).await?;
        routers.push(id);
        sims.push(sim);
    }
    let rows = services(&routers, plan, SERVICES / ROUTERS, &cipher);
    store.import_services(&rows, Timestamp::now(), &Actor::Cli).await?;
    store.take_sweep_requests().await?;

    let connector = Connector::new(store.clone(), secrets.clone());
    let engine = Provisioner::new(
        store.clone(),
        connector,
        Some(cipher.clone()),
        EngineConfig::new(EngineHolder::named("bench")),
    );

    let started = Instant::now();
    let cold = engine.sweep_all(SweepMode::Apply).await;
    let cold_s = started.elapsed().as_secs_f64();
    let failed: Vec<_> = cold.iter().filter_map(|r| r.as_ref().err()).collect();
    anyhow::ensure!(failed.is_empty(), "cold sync failed: {failed:?}");
    let cold_rows = rows_written(&cold);

    let started = Instant::now();
    let steady = engine.sweep_all(SweepMode::Apply).await;
    let steady_s = started.elapsed().as_secs_f64();
    let steady_writes = rows_written(&steady) + sims.iter().map(|s| s.stats().writes as usize).sum::<usize>();

    // A suspension with the loop running, as the app does.
    let running = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run().await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut suspend_ms = Vec::new();
    for i in 0..10 {
        let r = i % ROUTERS;
        let per_router = SERVICES / ROUTERS;
        let service = ServiceId((r * per_router + i + 1) as i64);
        let user = format!("u{r:02}-{i:05}");
        let started = Instant::now();
        store.set_service_status(service, ServiceStatus::Suspended).await?;
        engine.request(routers[r]);
        wait_rejected(&db, &user).await.with_context(|| format!("{user} was never rejected"))?;
        suspend_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    engine.shutdown();
    running.await?;
    suspend_ms.sort_by(f64::total_cmp);

    let json = serde_json::json!({
        "bench": "radius",
        "database": "postgresql",
        "routers": ROUTERS,
        "services": SERVICES,
        "latency_ms": LATENCY.as_millis(),
        "cold_sync_s": round(cold_s),
        "cold_rows_written": cold_rows,
        "steady_sync_s": round(steady_s),
        "steady_writes": steady_writes,
        "suspend_to_database_ms": {
            "median": round(suspend_ms[suspend_ms.len() / 2]),
            "max": round(suspend_ms.last().copied().unwrap_or_default()),
        },
    });
    println!("{json}");
    for id in routers {
        secrets.delete(&SecretKey::router(id)).ok();
        secrets.delete(&SecretKey::nas_secret(id)).ok();
    }
    secrets.delete(&SecretKey::radius_db(RADIUS_DB_KEY)).ok();
    secrets.delete(&SecretKey::subscriber_key()).ok();
    Ok(())
}

/// Rows written to FreeRADIUS's database by these sweeps.
fn rows_written(sweeps: &[Result<std::sync::Arc<headend_provision::RouterSweep>, (String, String)>]) -> usize {
    sweeps
        .iter()
        .flatten()
        .flat_map(|r| r.steps.iter())
        .filter(|s| s.kind.starts_with("radius-") && s.outcome == StepStatus::Applied)
        .count()
}

/// `count` PPPoE services on each router, `u<router>-<n>`, 5 % suspended.
fn services(
    routers: &[RouterId],
    plan: headend_core::PlanId,
    count: usize,
    cipher: &SubscriberCipher,
) -> Vec<ImportService> {
    let mut out = Vec::with_capacity(routers.len() * count);
    for (r, router) in routers.iter().enumerate() {
        for n in 0..count {
            let user = format!("u{r:02}-{n:05}");
            out.push(ImportService {
                customer_name: format!("Customer {user}"),
                customer_phone: None,
                router: *router,
                plan,
                password: Some(cipher.encrypt(&Password::new(format!("pw{n}")))),
                access: Access::Pppoe { username: user },
                status: if n % 20 == 18 { ServiceStatus::Suspended } else { ServiceStatus::Active },
                next_billing_date: None,
                adopt: false,
            });
        }
    }
    out
}

async fn wait_rejected(db: &RadiusDb, user: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let users = [user.to_owned()].into();
    while Instant::now() < deadline {
        let rows = db.read_users(&users).await?;
        if rows.check.iter().any(|c| c.attribute == "Auth-Type" && c.value.expose() == "Reject") {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    anyhow::bail!("timed out")
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

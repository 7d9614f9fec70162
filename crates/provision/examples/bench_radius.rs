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
//!   as a router write);
//! - with 5,000,000 `radacct` rows (made in PostgreSQL by
//!   `generate_series`, spread over the 10,000 users and 60 days):
//!   `history_import_s` and its rows per second, the first import into the
//!   services' session history; `history_steady_import_ms`, an import with
//!   nothing new (it reads by `radacctid`, never the whole table);
//!   `history_query_p99_ms` (target < 5 ms), a service's last 50 sessions,
//!   and `usage_query_p99_ms`, its 30-day usage chart.
//!
//! Passwords go to the machine's secret store, scoped to a throwaway
//! database, so it runs in a D-Bus session like the provisioning bench.

use std::sync::Arc;
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
use headend_workflows::{Keyring, NoEngine, Workflows};
use jiff::Timestamp;
use rust_decimal::Decimal;

const ROUTERS: usize = 20;
const SERVICES: usize = 10_000;
const LATENCY: Duration = Duration::from_millis(20);
const RADACCT_ROWS: u64 = 5_000_000;

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
            session: Default::default(),
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

    // Accounting: 5 million rows, imported once, then read back per service.
    let started = Instant::now();
    postgres.execute("radius", &radacct_rows(RADACCT_ROWS)).await?;
    let radacct_s = started.elapsed().as_secs_f64();
    let workflows = Workflows::new(store.clone(), Keyring::lazy(), Arc::new(NoEngine));
    let started = Instant::now();
    let mut imported = 0;
    loop {
        let run = workflows.import_radius_accounting(&db).await?;
        imported += run.recorded;
        if run.read == 0 {
            break;
        }
    }
    let import_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let steady = workflows.import_radius_accounting(&db).await?;
    let steady_import_ms = started.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(steady.read == 0, "a second import read {} rows", steady.read);
    let (mut history_ms, mut usage_ms) = (Vec::new(), Vec::new());
    for i in 0..500i64 {
        let service = ServiceId(i * 19 % SERVICES as i64 + 1);
        let t = Instant::now();
        let rows = workflows.service_sessions(service, 50).await?;
        history_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(!rows.is_empty(), "service {service} has no history");
        let t = Instant::now();
        workflows.service_usage(service, 30).await?;
        usage_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }

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
        "radacct_rows": RADACCT_ROWS,
        "radacct_generate_s": round(radacct_s),
        "history_import_s": round(import_s),
        "history_import_rows_per_s": (imported as f64 / import_s).round(),
        "history_sessions_recorded": imported,
        "history_steady_import_ms": round(steady_import_ms),
        "history_query_p99_ms": round(p99(&mut history_ms)),
        "usage_query_p99_ms": round(p99(&mut usage_ms)),
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
                access: Access::Pppoe { username: user, address: None },
                status: if n % 20 == 18 { ServiceStatus::Suspended } else { ServiceStatus::Active },
                next_billing_date: None,
                adopt: false,
                customer_address: None,
                customer_location: None,
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

/// `rows` closed sessions of the bench's users over the last 60 days, as a
/// router would have reported them: one `INSERT … SELECT` in PostgreSQL.
fn radacct_rows(rows: u64) -> String {
    let per_router = SERVICES / ROUTERS;
    format!(
        "INSERT INTO radacct (acctsessionid, acctuniqueid, username, nasipaddress, acctstarttime, acctupdatetime,
             acctstoptime, acctsessiontime, acctinputoctets, acctoutputoctets, callingstationid,
             acctterminatecause, framedipaddress)
         SELECT to_hex(i), md5(i::text),
                'u' || lpad((i % {ROUTERS})::text, 2, '0') || '-' || lpad(((i / {ROUTERS}) % {per_router})::text, 5, '0'),
                ('127.0.1.' || (i % {ROUTERS} + 1))::inet,
                start, start + interval '1 hour', start + interval '1 hour', 3600,
                (i * 7919) % 1000000000, (i * 104729) % 5000000000, '02:00:00:00:00:01', 'User-Request',
                ('10.1.' || (i % 250) || '.' || (i % 200 + 1))::inet
         FROM generate_series(1::bigint, {rows}) AS i,
              LATERAL (SELECT now() - (i % 5184000) * interval '1 second' AS start) AS t"
    )
}

fn p99(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 * 0.99).ceil() as usize).clamp(1, values.len().max(1)) - 1;
    values.get(i).copied().unwrap_or_default()
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

//! `chaos`: 20 simulated routers on API-SSL and 2 simulated OLTs under
//! the release `headend agent`, while `headend` subcommands change
//! services, plans and payments at random.
//!
//! 1. Converge: the agent pins every router's certificate and both OLTs'
//!    host keys, and writes every service.
//! 2. Baseline (a quarter of the time, at least 15 s): changes without
//!    faults; for each change on a healthy router (r05–r19), the time from
//!    the CLI's answer to the router holding it.
//! 3. Faults (the rest): r00 presents a new TLS certificate and olt0 a
//!    new host key, both for good; every 1–3 s one of r01–r04 gets a fault
//!    (refused connections, a stall, a reply cut in half, every 3rd write
//!    trapped, a 1.5 s latency spike) or loses it, and olt1 likewise
//!    (refused connections or logins, a stall, a cut reply, a 2 s
//!    latency spike). The same changes continue and are timed the same
//!    way.
//! 4. Faults off; up to 60 s for the agent to bring r01–r04 back on its
//!    own; the agent stopped, queued actions retried, one `headend sweep
//!    --once`, and the audit of r01–r19 (r00's changes are rightly
//!    held back while its certificate is refused). The pins in the
//!    database must still be the original certificate and host key, and
//!    neither r00 nor olt0 may have seen a login since the swap (clients
//!    check the certificate or key before they send a password).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use headend_core::ServiceId;
use headend_core::olt::OltVendor;
use headend_core::router::Transport;
use headend_simlab::{Faults, OltFaults, SimOlt, SimOltConfig, SimOltHandle, audit};
use headend_store::RouterLogOutcome;
use serde_json::{Value, json};

use crate::lab::{Lab, LabConfig, Rng, quantile};

const ROUTERS: usize = 20;
const SERVICES_PER_ROUTER: usize = 30;
/// r00: its certificate is swapped.
const SWAPPED: usize = 0;
/// r01–r04 get faults; the others stay healthy and are timed.
const FAULTY: std::ops::Range<usize> = 1..5;
const HEALTHY: std::ops::Range<usize> = 5..ROUTERS;
const CLI_LIMIT: Duration = Duration::from_secs(60);
/// A change not on its router after this long counts as not applied.
const APPLY_LIMIT: Duration = Duration::from_secs(60);
/// How long the agent gets to bring the faulty routers back once the
/// faults are off.
const RECOVERY_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Baseline,
    Faults,
}

/// Milliseconds from a change's CLI answer to its router holding it.
#[derive(Default)]
struct Timings {
    baseline: Vec<u64>,
    faults: Vec<u64>,
    not_applied: usize,
}

pub async fn run(headend: PathBuf, minutes: f64) -> anyhow::Result<bool> {
    let started = Instant::now();
    let total = Duration::from_secs_f64((minutes * 60.0).max(20.0));
    let baseline = (total / 4).max(Duration::from_secs(15));
    let config = LabConfig {
        routers: ROUTERS,
        services_per_router: SERVICES_PER_ROUTER,
        plans: 3,
        transport: Transport::ApiTls,
        faults: Faults { latency: Duration::from_millis(5), ..Faults::default() },
    };
    let lab = Arc::new(Lab::new(headend, &config).await?);
    let olts = [
        Arc::new(SimOlt::start(SimOltConfig { seed: 11, ..SimOltConfig::vendor(OltVendor::Huawei) }).await?),
        Arc::new(SimOlt::start(SimOltConfig { seed: 12, ..SimOltConfig::vendor(OltVendor::Zte) }).await?),
    ];
    for (i, olt) in olts.iter().enumerate() {
        let vendor = if i == 0 { "huawei" } else { "zte" };
        let port = olt.addr().port().to_string();
        let name = format!("olt{i}");
        let args = ["olt", "add", &name, "--vendor", vendor, "--host", "127.0.0.1", "--port", &port];
        let args = [&args[..], &["--user", "admin", "--password-stdin"]].concat();
        lab.run(&args, Some("admin\n"), CLI_LIMIT).await?;
    }
    let original_pin = lab.routers[SWAPPED].sim.certificate_pin().context("r00 has no certificate")?.to_string();
    let original_key = olts[0].host_key_fingerprint();

    let agent_log = std::fs::File::create(lab.dir.path().join("agent.log"))?;
    let mut agent = lab.headend(&["agent"]).stderr(agent_log).spawn().context("starting headend agent")?;
    let converge = Instant::now();
    wait_converged(&lab, 0..ROUTERS, Duration::from_secs(300)).await?;
    eprintln!("bench chaos: converged in {:.1} s", converge.elapsed().as_secs_f64());
    // What must still be pinned at the end: the agent's first OLT sweep
    // pins the host keys.
    let pin = lab.store.router(lab.routers[SWAPPED].id).await?.and_then(|r| r.tls_pin);
    anyhow::ensure!(pin.as_deref() == Some(original_pin.as_str()), "r00's certificate was not pinned: {pin:?}");
    let deadline = Instant::now() + CLI_LIMIT;
    loop {
        let key = lab.store.olt_by_name("olt0").await?.and_then(|o| o.host_key);
        if key.as_deref() == Some(original_key.as_str()) {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "olt0's host key was not pinned: {key:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let timings = Arc::new(Mutex::new(Timings::default()));
    let changes = AtomicUsize::new(0);
    let mut rng = Rng(0xc4a0_5eed);
    eprintln!("bench chaos: baseline for {} s", baseline.as_secs());
    change_until(&lab, &timings, &changes, &mut rng, Phase::Baseline, Instant::now() + baseline).await?;

    eprintln!("bench chaos: faults for {} s", total.saturating_sub(baseline).as_secs());
    lab.routers[SWAPPED].sim.rotate_certificate()?;
    // The agent's kept connection must go, or it never meets the new one.
    lab.routers[SWAPPED].sim.drop_connections();
    olts[0].regenerate_host_key();
    // From now on a login means the new certificate or key was trusted:
    // the client checks them before it sends a password.
    lab.routers[SWAPPED].sim.reset_stats();
    olts[0].reset_stats();
    let injected = Arc::new(AtomicUsize::new(2));
    let stop = Arc::new(AtomicBool::new(false));
    let toggler = tokio::spawn(toggle_faults(lab.clone(), olts[1].clone(), injected.clone(), stop.clone()));
    let olt_probes = tokio::spawn(probe_olts(lab.clone(), stop.clone()));
    let end = Instant::now() + total.saturating_sub(baseline);
    change_until(&lab, &timings, &changes, &mut rng, Phase::Faults, end).await?;
    stop.store(true, Ordering::Relaxed);
    toggler.await?;
    let olt_refusals = olt_probes.await?;

    // Faults off, the agent stopped, one clean sweep.
    for router in &lab.routers {
        router.sim.set_faults(Faults::default());
    }
    olts[1].set_faults(OltFaults::default());
    // How long the agent alone takes to bring r01–r04 back (rows that
    // used up their attempts wait for the operator, so it may not).
    let lifted = Instant::now();
    let recovered = wait_converged(&lab, FAULTY, RECOVERY_LIMIT).await.is_ok();
    let recovery = recovered.then(|| (lifted.elapsed().as_secs_f64() * 10.0).round() / 10.0);
    let left_to_final_sweep = lab.audit(FAULTY).await?.services_differing;
    stop_agent(&mut agent).await?;
    for router in &lab.routers {
        for entry in lab.store.queue_for_router(router.id).await? {
            lab.store.queue_retry(entry.id).await?;
        }
    }
    if let Err(err) = lab.run(&["sweep", "--once"], None, Duration::from_secs(300)).await {
        eprintln!("bench chaos: the final sweep (r00 must fail): {err:#}");
    }
    let audited = || (0..ROUTERS).filter(|r| *r != SWAPPED);
    let audit = lab.audit(audited()).await?;
    for problem in &audit.problems {
        eprintln!("bench chaos: {problem}");
    }

    // Accepted: the pin in the database moved, or a client logged in.
    let pin = lab.store.router(lab.routers[SWAPPED].id).await?.and_then(|r| r.tls_pin);
    let key = lab.store.olt_by_name("olt0").await?.and_then(|o| o.host_key);
    let router_logins = lab.routers[SWAPPED].sim.stats().logins;
    let olt_logins = olts[0].stats().logins;
    let router_accepted = pin.as_deref() != Some(original_pin.as_str()) || router_logins > 0;
    let olt_accepted = key.as_deref() != Some(original_key.as_str()) || olt_logins > 0;
    if router_accepted {
        eprintln!("bench chaos: r00 after its swap: pin {pin:?} (was {original_pin}), {router_logins} logins");
    }
    if olt_accepted {
        eprintln!("bench chaos: olt0 after its swap: key {key:?} (was {original_key}), {olt_logins} logins");
    }
    let accepted = usize::from(router_accepted) + usize::from(olt_accepted);
    let mut writes_applied = 0;
    for router in &lab.routers {
        let log = lab.store.router_log(router.id, u32::MAX).await?;
        writes_applied += log.iter().filter(|l| l.outcome == RouterLogOutcome::Ok).count();
    }
    let timings = std::mem::take(&mut *timings.lock().unwrap_or_else(PoisonError::into_inner));
    let spread = |v: &[u64]| json!({"p50": quantile(v, 0.5), "p99": quantile(v, 0.99), "changes": v.len()});
    let delay = |q| match (quantile(&timings.faults, q), quantile(&timings.baseline, q)) {
        (Some(f), Some(b)) => Value::from(f as i64 - b as i64),
        _ => Value::Null,
    };
    let report = json!({
        "bench": "chaos",
        "routers": ROUTERS,
        "olts": olts.len(),
        "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        "changes": changes.load(Ordering::Relaxed),
        "writes_applied": writes_applied,
        "faults_injected": injected.load(Ordering::Relaxed),
        "olt_commands_refused": olt_refusals,
        "routers_audited": audited().count(),
        "services_differing": audit.services_differing,
        "profiles_differing": audit.profiles_differing,
        "services_unreadable": audit.unreadable,
        "duplicates": audit.duplicates,
        "certificates_or_keys_accepted_after_change": accepted,
        "logins_after_change": {"router": router_logins, "olt": olt_logins},
        "healthy_change_to_router_ms": {"baseline": spread(&timings.baseline), "faults": spread(&timings.faults)},
        "changes_not_applied_in_60s": timings.not_applied,
        "faulty_routers_recovered_by_agent_s": recovery,
        "faulty_services_left_to_final_sweep": left_to_final_sweep,
        "fault_delay_ms": {"p50": delay(0.5), "p99": delay(0.99)},
    });
    println!("{report}");
    Ok(audit.clean() && accepted == 0)
}

async fn wait_converged(lab: &Lab, routers: std::ops::Range<usize>, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        let audit = lab.audit(routers.clone()).await?;
        if audit.clean() {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "not converged after {limit:?}: {:#?}", audit.problems);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Random changes from the CLI until `end`; each change on a healthy
/// router is timed until the router holds it.
async fn change_until(
    lab: &Arc<Lab>,
    timings: &Arc<Mutex<Timings>>,
    changes: &AtomicUsize,
    rng: &mut Rng,
    phase: Phase,
    end: Instant,
) -> anyhow::Result<()> {
    let in_flight: Arc<Mutex<BTreeSet<ServiceId>>> = Arc::default();
    let mut watchers = Vec::new();
    while Instant::now() < end {
        let r = 1 + rng.below(ROUTERS as u64 - 1) as usize;
        let services = lab.live_services_of(r).await?;
        let Some(&id) = rng.pick(&services) else { continue };
        if in_flight.lock().unwrap_or_else(PoisonError::into_inner).contains(&id) {
            continue;
        }
        let touched = match change(lab, rng, r, id).await {
            Ok(touched) => touched,
            Err(err) => {
                eprintln!("bench chaos: {err:#}");
                continue;
            }
        };
        changes.fetch_add(1, Ordering::Relaxed);
        if !HEALTHY.contains(&r) {
            continue;
        }
        let Some(id) = touched else { continue };
        let answered = Instant::now();
        let expected = lab.expected(r).await?;
        if !audit::audit(&lab.routers[r].sim, &expected).services_differing.contains(&id) {
            continue;
        }
        in_flight.lock().unwrap_or_else(PoisonError::into_inner).insert(id);
        let (lab, timings, in_flight) = (lab.clone(), timings.clone(), in_flight.clone());
        watchers.push(tokio::spawn(async move {
            let applied = loop {
                if !audit::audit(&lab.routers[r].sim, &expected).services_differing.contains(&id) {
                    break Some(answered.elapsed());
                }
                if answered.elapsed() > APPLY_LIMIT {
                    break None;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            };
            let mut timings = timings.lock().unwrap_or_else(PoisonError::into_inner);
            match (applied, phase) {
                (Some(took), Phase::Baseline) => timings.baseline.push(took.as_millis() as u64),
                (Some(took), Phase::Faults) => timings.faults.push(took.as_millis() as u64),
                (None, _) => timings.not_applied += 1,
            }
            in_flight.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
        }));
    }
    for watcher in watchers {
        watcher.await?;
    }
    Ok(())
}

/// One random change through `headend`; the service it touched, if one.
async fn change(lab: &Lab, rng: &mut Rng, r: usize, id: ServiceId) -> anyhow::Result<Option<ServiceId>> {
    let service = id.0.to_string();
    match rng.below(100) {
        0..50 => {
            let status = ["active", "active", "suspended", "suspended", "inactive", "terminated"];
            let status = rng.pick(&status).copied().unwrap_or("active");
            lab.run(&["service", "set-status", &service, status], None, CLI_LIMIT).await?;
        }
        50..65 => {
            let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
            let due = today.checked_add(jiff::Span::new().days(rng.below(40) as i64 - 20))?.to_string();
            lab.run(&["service", "set-due", &service, &due], None, CLI_LIMIT).await?;
        }
        65..80 => {
            lab.run(&["payment", "add", &service, "--amount", "20.00"], None, CLI_LIMIT).await?;
        }
        80..85 => {
            let (plan, _) = rng.pick(&lab.plans).context("no plans")?;
            let rate = format!("{}M/{}M", 1 + rng.below(50), 1 + rng.below(100));
            lab.run(&["plan", "set", plan, "--rate", &rate], None, CLI_LIMIT).await?;
            return Ok(None);
        }
        _ => {
            let (plan, _) = rng.pick(&lab.plans).context("no plans")?;
            let user = format!("chaos{}", rng.below(1 << 40));
            let router = &lab.routers[r].name;
            let args = ["service", "add", "--customer", &user, "--router", router, "--plan", plan];
            let args = [&args[..], &["--pppoe", &user, "--password-stdin"]].concat();
            let mut json_args = vec!["--json"];
            json_args.extend(args);
            let out = lab.run(&json_args, Some("secret-pw\n"), CLI_LIMIT).await?;
            let added: Value = serde_json::from_str(out.trim()).context("service add printed no JSON")?;
            return Ok(added["id"].as_i64().map(ServiceId));
        }
    }
    Ok(Some(id))
}

/// Faults on r01–r04 and olt1, toggled every 1–3 s until `stop`.
async fn toggle_faults(lab: Arc<Lab>, olt: Arc<SimOltHandle>, injected: Arc<AtomicUsize>, stop: Arc<AtomicBool>) {
    let mut rng = Rng(0x0fa0_0175);
    while !stop.load(Ordering::Relaxed) {
        let r = FAULTY.start + rng.below(FAULTY.len() as u64) as usize;
        let fault = match rng.below(6) {
            0 => Faults { refuse_connections: true, ..Faults::default() },
            1 => Faults { stall: true, ..Faults::default() },
            2 => Faults { close_mid_reply: true, ..Faults::default() },
            3 => Faults { trap_every_nth_write: Some(3), ..Faults::default() },
            4 => Faults { latency: Duration::from_millis(1500), ..Faults::default() },
            _ => Faults { latency: Duration::from_millis(5), ..Faults::default() },
        };
        if fault.latency != Duration::from_millis(5) {
            injected.fetch_add(1, Ordering::Relaxed);
        }
        lab.routers[r].sim.set_faults(fault);
        let olt_fault = match rng.below(7) {
            0 => OltFaults { refuse_login: true, ..OltFaults::default() },
            4 => OltFaults { refuse_connections: true, ..OltFaults::default() },
            1 => OltFaults { stall: true, ..OltFaults::default() },
            2 => OltFaults { close_mid_reply: true, ..OltFaults::default() },
            3 => OltFaults { latency: Duration::from_secs(2), ..OltFaults::default() },
            _ => OltFaults::default(),
        };
        if olt_fault != OltFaults::default() {
            injected.fetch_add(1, Ordering::Relaxed);
        }
        olt.set_faults(olt_fault);
        tokio::time::sleep(Duration::from_millis(1000 + rng.below(2000))).await;
    }
}

/// Reads both OLTs' ONUs from the CLI every few seconds until `stop`;
/// how many reads were refused or failed.
async fn probe_olts(lab: Arc<Lab>, stop: Arc<AtomicBool>) -> usize {
    let mut refused = 0;
    while !stop.load(Ordering::Relaxed) {
        for name in ["olt0", "olt1"] {
            if lab.run(&["olt", "onus", name], None, Duration::from_secs(30)).await.is_err() {
                refused += 1;
            }
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    refused
}

/// SIGTERM, then SIGKILL if it has not finished its writes in 30 s.
async fn stop_agent(agent: &mut tokio::process::Child) -> anyhow::Result<()> {
    if let Some(pid) = agent.id() {
        tokio::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
    }
    if tokio::time::timeout(Duration::from_secs(30), agent.wait()).await.is_err() {
        eprintln!("bench chaos: the agent did not stop in 30 s after SIGTERM; killing it");
        agent.start_kill().ok();
        agent.wait().await?;
    }
    Ok(())
}

//! `kills`: the release `headend agent` killed with SIGKILL N times while
//! it writes to a simulated router (50 ms a round trip, every 23rd write
//! trapped, so kills land between a write and its record and the retry
//! queue has rows to lose), with the database changing between kills;
//! then faults off, queued actions retried, one clean `headend sweep
//! --once`, and the audit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::provision::Password;
use headend_core::router::Transport;
use headend_core::service::ServiceStatus;
use headend_simlab::Faults;
use headend_store::{QueueEntry, RouterLogOutcome};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

use crate::lab::{Lab, LabConfig, Rng};

const SERVICES: usize = 150;
const CHANGES_PER_ROUND: usize = 8;
/// The longest an agent gets to start writing before it is killed anyway.
const START_LIMIT: Duration = Duration::from_secs(3);
const LIMIT: Duration = Duration::from_secs(120);

/// What the benchmark wrote to a service: it must read back the same.
#[derive(Debug, Clone, PartialEq)]
struct Written {
    status: ServiceStatus,
    due: Option<Date>,
    password: Option<String>,
}

pub async fn run(headend: PathBuf, kills: usize) -> anyhow::Result<bool> {
    let started = Instant::now();
    let faults = Faults { latency: Duration::from_millis(50), trap_every_nth_write: Some(23), ..Faults::default() };
    let config = LabConfig { routers: 1, services_per_router: SERVICES, plans: 2, transport: Transport::Api, faults };
    let mut lab = Lab::new(headend, &config).await?;
    let router = lab.routers[0].id;
    let mut written = BTreeMap::new();
    for row in lab.store.provisioning_rows(router).await? {
        let password = row.password.map(|blob| lab.cipher.decrypt(&blob).map(|p| p.expose().to_owned())).transpose()?;
        written.insert(
            row.service.id,
            Written { status: row.service.status, due: row.service.next_billing_date, password },
        );
    }
    let mut rng = Rng(0x5eed_cafe_f00d);
    let mut rounds_without_writes = 0_usize;
    let mut agent_exits = 0_usize;
    let mut queue_rows_seen = 0_usize;
    let mut queue_rows_lost = 0_usize;
    for round in 1..=kills {
        for _ in 0..CHANGES_PER_ROUND {
            change(&mut lab, &mut written, &mut rng).await?;
        }
        let queued_before = lab.store.queue_for_router(router).await?;
        queue_rows_seen += queued_before.len();
        let writes_before = lab.routers[0].sim.stats().writes;
        let mut agent = lab.headend(&["agent"]).spawn().context("starting headend agent")?;
        let deadline = Instant::now() + START_LIMIT;
        while lab.routers[0].sim.stats().writes == writes_before && Instant::now() < deadline {
            if agent.try_wait()?.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if lab.routers[0].sim.stats().writes == writes_before {
            rounds_without_writes += 1;
        }
        tokio::time::sleep(Duration::from_millis(rng.below(301))).await;
        if agent.try_wait()?.is_some() {
            agent_exits += 1;
        }
        agent.start_kill().ok();
        agent.wait().await?;
        queue_rows_lost += lost_queue_rows(&lab, &queued_before).await?;
        if round % 10 == 0 || round == kills {
            eprintln!(
                "bench kills: {round}/{kills} kills, {:.0} s, {} writes reached the router",
                started.elapsed().as_secs_f64(),
                lab.routers[0].sim.stats().writes
            );
        }
    }

    // Faults off, every queued action retried, one clean sweep.
    lab.routers[0].sim.set_faults(Faults::default());
    for entry in lab.store.queue_for_router(router).await? {
        lab.store.queue_retry(entry.id).await?;
    }
    let sweep = lab.run(&["sweep", "--once"], None, LIMIT).await;
    if let Err(err) = &sweep {
        eprintln!("bench kills: the clean sweep failed: {err:#}");
    }
    let audit = lab.audit([0]).await?;
    for problem in &audit.problems {
        eprintln!("bench kills: {problem}");
    }
    let services_lost = lost_services(&lab, &written).await?;
    let log = lab.store.router_log(router, u32::MAX).await?;
    let cut_off =
        log.iter().filter(|l| matches!(l.outcome, RouterLogOutcome::Interrupted | RouterLogOutcome::Pending)).count();
    let seconds = started.elapsed().as_secs_f64();
    let report = json!({
        "bench": "kills",
        "kills": kills,
        "services": written.len(),
        "rounds_without_writes": rounds_without_writes,
        "agent_exits_before_kill": agent_exits,
        "writes_logged": log.len(),
        "writes_cut_off": cut_off,
        "queue_rows_seen": queue_rows_seen,
        "clean_sweep_ok": sweep.is_ok(),
        "duplicates": audit.duplicates,
        "services_wrong": audit.services_differing,
        "profiles_wrong": audit.profiles_differing,
        "services_lost": services_lost + audit.unreadable,
        "queue_rows_lost": queue_rows_lost,
        "seconds": (seconds * 10.0).round() / 10.0,
        "seconds_per_1000_kills": (seconds * 1000.0 / kills.max(1) as f64).round(),
    });
    println!("{report}");
    Ok(audit.clean() && services_lost == 0 && queue_rows_lost == 0 && sweep.is_ok())
}

/// One change an operator or the billing might make: a status (a
/// termination deletes the service from the router), a due date, a
/// password, a new service.
async fn change(lab: &mut Lab, written: &mut BTreeMap<ServiceId, Written>, rng: &mut Rng) -> anyhow::Result<()> {
    let live: Vec<ServiceId> =
        written.iter().filter(|(_, w)| w.status != ServiceStatus::Terminated).map(|(id, _)| *id).collect();
    let Some(&id) = rng.pick(&live) else { return Ok(()) };
    let Some(entry) = written.get_mut(&id) else { return Ok(()) };
    match rng.below(100) {
        0..40 => {
            let status = match rng.below(20) {
                0 => ServiceStatus::Terminated,
                1..=3 => ServiceStatus::Inactive,
                4..=10 => ServiceStatus::Suspended,
                _ => ServiceStatus::Active,
            };
            lab.store.set_service_status(id, status).await?;
            entry.status = status;
        }
        40..65 => {
            // From well past due (cut off after the grace) to paid ahead.
            let today = Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
            let due = today.checked_add(jiff::Span::new().days(rng.below(60) as i64 - 30))?;
            let due = (rng.below(5) > 0).then_some(due);
            lab.store.set_service_due(id, due).await?;
            entry.due = due;
        }
        65..85 if entry.password.is_some() => {
            let password = format!("new{}", rng.below(1_000_000));
            lab.store.set_service_password(id, Some(lab.cipher.encrypt(&Password::new(password.clone())))).await?;
            entry.password = Some(password);
        }
        _ => {
            let row = lab.service_row(0, rng.below(10) == 0, ServiceStatus::Active);
            let password = row.password.as_deref().map(|b| lab.cipher.decrypt(b)).transpose()?;
            for new in lab.store.import_services(&[row], Timestamp::now(), &Actor::Cli).await? {
                let password = password.as_ref().map(|p| p.expose().to_owned());
                written.insert(new, Written { status: ServiceStatus::Active, due: None, password });
            }
        }
    }
    Ok(())
}

/// Queue rows present before a round and gone after it whose action the
/// router still needs (a dry run plans or holds it): dropped, not done.
async fn lost_queue_rows(lab: &Lab, before: &[QueueEntry]) -> anyhow::Result<usize> {
    let after = lab.store.queue_for_router(lab.routers[0].id).await?;
    let gone: Vec<&QueueEntry> = before.iter().filter(|b| !after.iter().any(|a| a.id == b.id)).collect();
    if gone.is_empty() {
        return Ok(0);
    }
    let plan = lab.run(&["--json", "sweep", "--once", "--dry-run"], None, LIMIT).await?;
    let mut lost = 0;
    for line in plan.lines() {
        let router: serde_json::Value = serde_json::from_str(line)?;
        for step in router["steps"].as_array().into_iter().flatten() {
            let service = step["service"].as_i64();
            let action = step["action"].as_str();
            let needed = |e: &&&QueueEntry| e.service.map(|s| s.0) == service && Some(e.action.as_str()) == action;
            lost += gone.iter().filter(needed).count();
        }
    }
    Ok(lost)
}

/// Services whose row no longer reads back what the benchmark wrote.
async fn lost_services(lab: &Lab, written: &BTreeMap<ServiceId, Written>) -> anyhow::Result<usize> {
    let rows: BTreeMap<ServiceId, Written> = lab
        .store
        .provisioning_rows(lab.routers[0].id)
        .await?
        .into_iter()
        .map(|row| {
            let password = row.password.and_then(|blob| lab.cipher.decrypt(&blob).ok()).map(|p| p.expose().to_owned());
            (row.service.id, Written { status: row.service.status, due: row.service.next_billing_date, password })
        })
        .collect();
    let lost = written.iter().filter(|(id, want)| rows.get(id) != Some(want)).count();
    Ok(lost)
}

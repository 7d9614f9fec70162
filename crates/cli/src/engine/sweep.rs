//! `headend sweep --once [--dry-run]`: one sweep of every router, printed
//! per router: the plan (dry run) or what was applied.

use std::sync::Arc;

use headend_provision::{RouterSweep, StepStatus, SweepMode};
use serde::Serialize;

use crate::Globals;
use crate::output::line;

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Sweep every router once, then exit (the only mode: the continuous
    /// engine is `headend agent`).
    #[arg(long, required = true)]
    once: bool,
    /// Print what would change without writing to any router.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Serialize)]
struct RouterJson<'a> {
    router: &'a str,
    ok: bool,
    error: Option<&'a str>,
    steps: Vec<StepJson<'a>>,
    conflicts: Vec<&'a str>,
    read_ms: u64,
    apply_ms: u64,
}

#[derive(Serialize)]
struct StepJson<'a> {
    service: Option<i64>,
    action: &'a str,
    text: &'a str,
    outcome: &'static str,
    reason: Option<&'a str>,
}

fn outcome(status: &StepStatus) -> (&'static str, Option<&str>) {
    match status {
        StepStatus::Planned => ("planned", None),
        StepStatus::Held(why) => ("held", Some(why)),
        StepStatus::Applied => ("applied", None),
        StepStatus::Failed(e) => ("failed", Some(e)),
    }
}

pub async fn run(globals: &Globals, args: SweepArgs) -> anyhow::Result<()> {
    debug_assert!(args.once);
    let (store, provisioner) = super::provisioner(globals, "cli").await?;
    let mode = if args.dry_run { SweepMode::DryRun } else { SweepMode::Apply };
    let mut results = provisioner.sweep_all(mode).await;
    results.sort_by(|a, b| name(a).cmp(name(b)));
    let mut failed = false;
    for result in &results {
        failed |= result.is_err()
            || result.as_ref().is_ok_and(|r| r.steps.iter().any(|s| matches!(s.outcome, StepStatus::Failed(_))));
        if globals.json {
            crate::output::json(&json(result))?;
        } else {
            print_text(result, args.dry_run)?;
        }
    }
    store.close().await;
    if failed {
        anyhow::bail!("some routers could not be swept completely");
    }
    Ok(())
}

fn name(result: &Result<Arc<RouterSweep>, (String, String)>) -> &str {
    match result {
        Ok(r) => &r.router_name,
        Err((name, _)) => name,
    }
}

fn json(result: &Result<Arc<RouterSweep>, (String, String)>) -> RouterJson<'_> {
    match result {
        Ok(r) => RouterJson {
            router: &r.router_name,
            ok: true,
            error: None,
            steps: r
                .steps
                .iter()
                .map(|s| {
                    let (outcome, reason) = outcome(&s.outcome);
                    StepJson { service: s.service.map(|id| id.0), action: s.kind, text: &s.text, outcome, reason }
                })
                .collect(),
            conflicts: r.conflicts.iter().map(|c| c.message.as_str()).collect(),
            read_ms: r.read_ms,
            apply_ms: r.apply_ms,
        },
        Err((name, error)) => RouterJson {
            router: name,
            ok: false,
            error: Some(error),
            steps: Vec::new(),
            conflicts: Vec::new(),
            read_ms: 0,
            apply_ms: 0,
        },
    }
}

fn print_text(result: &Result<Arc<RouterSweep>, (String, String)>, dry_run: bool) -> anyhow::Result<()> {
    match result {
        Err((name, error)) => line(format!("{name}: not swept: {error}"))?,
        Ok(r) if r.steps.is_empty() && r.conflicts.is_empty() => line(format!("{}: in sync", r.router_name))?,
        Ok(r) => {
            let verb = if dry_run { "would change" } else { "changes" };
            line(format!("{}: {} {verb}", r.router_name, r.steps.len()))?;
            for step in &r.steps {
                let (outcome, reason) = outcome(&step.outcome);
                let outcome = if dry_run && outcome == "planned" { "" } else { outcome };
                match reason {
                    Some(reason) => line(format!("  {:<8} {} ({reason})", outcome, step.text))?,
                    None => line(format!("  {:<8} {}", outcome, step.text))?,
                }
            }
            for conflict in &r.conflicts {
                line(format!("  conflict {}", conflict.message))?;
            }
        }
    }
    Ok(())
}

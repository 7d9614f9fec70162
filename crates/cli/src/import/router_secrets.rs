//! `headend import router-secrets ROUTER [--plan-map FILE] [--dry-run]`:
//! the PPP secrets already on a router become customers and services that
//! Headend adopts. The next sweep marks each secret as Headend's and fixes
//! its profile; nothing is removed or renamed.
//!
//! Which secrets are adopted is `headend_core::provision::adoption`'s rule;
//! the workflow reads the router and imports; this prints. No due date is
//! set (the operator sets it, or records a payment).

use std::path::Path;

use anyhow::{Context, bail};
use headend_core::activity::Actor;
use headend_core::provision::adoption::parse_plan_map;
use headend_workflows::Workflows;
use serde::Serialize;

use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Serialize)]
struct Report<'a> {
    router: &'a str,
    dry_run: bool,
    imported: bool,
    services: Vec<ServiceJson<'a>>,
    skipped: Vec<Reason<'a>>,
    errors: Vec<Reason<'a>>,
}

#[derive(Serialize)]
struct ServiceJson<'a> {
    id: Option<i64>,
    username: &'a str,
    customer: &'a str,
    plan: &'a str,
    status: &'static str,
}

#[derive(Serialize)]
struct Reason<'a> {
    secret: &'a str,
    reason: &'a str,
}

pub async fn run(globals: &Globals, router_name: &str, plan_map: Option<&Path>, dry_run: bool) -> anyhow::Result<()> {
    let map = match plan_map {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            parse_plan_map(&text).map_err(|errors| anyhow::anyhow!("{}: {}", path.display(), errors.join("; ")))?
        }
        None => Vec::new(),
    };
    let w = open_workflows(globals).await?;
    let result = adopt(globals, &w, router_name, &map, dry_run).await;
    w.store().close().await;
    result
}

async fn adopt(
    globals: &Globals,
    w: &Workflows,
    router_name: &str,
    map: &[(String, String)],
    dry_run: bool,
) -> anyhow::Result<()> {
    let router = w
        .store()
        .router_by_name(router_name)
        .await?
        .with_context(|| format!("no router named {router_name:?}; see `headend router list`"))?;
    let done = w.adopt_router_secrets(&Actor::Cli, router.id, map, dry_run).await?;
    let adoption = &done.adoption;
    let mut ids = done.ids.iter().map(|id| Some(id.0)).chain(std::iter::repeat(None));
    let report = Report {
        router: router_name,
        dry_run,
        imported: !done.ids.is_empty(),
        services: adoption
            .services
            .iter()
            .map(|(a, _)| ServiceJson {
                id: ids.next().flatten(),
                username: &a.username,
                customer: &a.customer,
                plan: done.plan_name(a.plan),
                status: a.status.as_str(),
            })
            .collect(),
        skipped: adoption.skipped.iter().map(|(s, r)| Reason { secret: s, reason: r }).collect(),
        errors: adoption.errors.iter().map(|(s, r)| Reason { secret: s, reason: r }).collect(),
    };
    print(globals, &report)?;
    if !adoption.errors.is_empty() {
        bail!("{} secret(s) cannot be imported; nothing was imported", adoption.errors.len());
    }
    Ok(())
}

fn print(globals: &Globals, report: &Report<'_>) -> anyhow::Result<()> {
    if globals.json {
        return output::json(report);
    }
    for s in &report.services {
        output::line(format!(
            "{} {} for {} ({}, plan {})",
            match s.id {
                Some(id) => format!("service {id}:"),
                None => "would adopt".to_owned(),
            },
            output::safe(s.username),
            output::safe(s.customer),
            s.status,
            output::safe(s.plan),
        ))?;
    }
    for r in &report.skipped {
        output::line(format!("skipped {}: {}", output::safe(r.secret), r.reason))?;
    }
    for r in &report.errors {
        eprintln!("{}: {}", output::safe(r.secret), output::safe(r.reason));
    }
    if report.errors.is_empty() {
        output::line(format!(
            "{} {} secret(s) of {}{}",
            if report.imported { "Adopted" } else { "Would adopt" },
            report.services.len(),
            output::safe(report.router),
            if report.imported { "; the next sweep marks them as Headend's" } else { " (dry run: nothing written)" },
        ))?;
    }
    Ok(())
}

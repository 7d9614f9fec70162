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

use super::report::Report;
use crate::Globals;
use crate::open::open_workflows;

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
    let report = Report::new(router_name, "secret", dry_run, adoption, &done.ids, &|id| done.plan_name(id));
    report.print(globals)?;
    if !adoption.errors.is_empty() {
        bail!("{} secret(s) cannot be imported; nothing was imported", adoption.errors.len());
    }
    Ok(())
}

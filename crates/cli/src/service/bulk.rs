//! `headend service bulk IDS… --suspend | --activate | --plan NAME |
//! --router NAME [--dry-run]`: one change to many services, each line
//! saying what changed, what did not need to, and what could not.

use anyhow::Context;
use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::service::ServiceStatus;
use headend_workflows::Workflows;
use headend_workflows::bulk::{BulkChange, BulkOutcome};
use serde::Serialize;

use crate::{Globals, output};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("change").required(true).args(["suspend", "activate", "plan", "router"])))]
pub struct BulkArgs {
    /// The services' ids.
    #[arg(required = true, num_args = 1.., value_name = "ID")]
    ids: Vec<i64>,
    /// Suspend them.
    #[arg(long)]
    suspend: bool,
    /// Activate them.
    #[arg(long)]
    activate: bool,
    /// Move them to this plan.
    #[arg(long, value_name = "NAME")]
    plan: Option<String>,
    /// Move them to this router.
    #[arg(long, value_name = "NAME")]
    router: Option<String>,
    /// Say what would change; change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Serialize)]
struct LineJson {
    id: i64,
    service: String,
    /// "changes", "unchanged" or "refused".
    outcome: &'static str,
    detail: String,
}

#[derive(Debug, Serialize)]
struct BulkJson {
    lines: Vec<LineJson>,
    applied: usize,
    dry_run: bool,
}

pub async fn bulk(globals: &Globals, w: &Workflows, args: BulkArgs) -> anyhow::Result<()> {
    let store = w.store();
    let change = if args.suspend {
        BulkChange::Status(ServiceStatus::Suspended)
    } else if args.activate {
        BulkChange::Status(ServiceStatus::Active)
    } else if let Some(name) = &args.plan {
        let plan = store.plan_by_name(name).await?.with_context(|| format!("no plan named {name:?}"))?;
        BulkChange::Plan(plan.id)
    } else {
        let name = args.router.as_deref().unwrap_or_default();
        let router = store.router_by_name(name).await?.with_context(|| format!("no router named {name:?}"))?;
        BulkChange::Router(router.id)
    };
    let ids: Vec<ServiceId> = args.ids.iter().copied().map(ServiceId).collect();
    let result = w.bulk_change(&Actor::Cli, &ids, change, args.dry_run).await?;
    let lines: Vec<LineJson> = result
        .lines
        .iter()
        .map(|l| {
            let (outcome, detail) = match &l.outcome {
                BulkOutcome::Changes(what) => ("changes", what.clone()),
                BulkOutcome::Unchanged => ("unchanged", String::new()),
                BulkOutcome::Refused(why) => ("refused", why.clone()),
            };
            LineJson { id: l.service.id.0, service: l.service.label(), outcome, detail }
        })
        .collect();
    if globals.json {
        return output::json(&BulkJson { lines, applied: result.applied, dry_run: args.dry_run });
    }
    for l in &lines {
        let what = match l.outcome {
            "changes" if args.dry_run => format!("would change: {}", l.detail),
            "changes" => format!("changed: {}", l.detail),
            "unchanged" => "unchanged".to_owned(),
            _ => format!("refused: {}", l.detail),
        };
        output::line(format!("Service {} ({}): {what}", l.id, output::safe(&l.service)))?;
    }
    output::line(if args.dry_run {
        "Nothing was changed (--dry-run).".to_owned()
    } else {
        format!("{} service(s) changed.", result.applied)
    })?;
    Ok(())
}

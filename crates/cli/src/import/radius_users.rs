//! `headend import radius-users [--router R] [--plan-map FILE] [--dry-run]`:
//! the users already in FreeRADIUS's database become customers and
//! services of a RADIUS router that Headend adopts. Which users is
//! `headend_core::radius::adoption`'s rule; the operator's own rows (their
//! groups, other attributes) stay as they are.

use std::path::Path;

use anyhow::{Context, bail};
use headend_core::activity::Actor;
use headend_core::provision::adoption::parse_plan_map;

use super::report::Report;
use crate::open::open_workflows;
use crate::{Globals, output};

pub async fn run(
    globals: &Globals,
    router: Option<&str>,
    plan_map: Option<&Path>,
    dry_run: bool,
) -> anyhow::Result<()> {
    let map = match plan_map {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            parse_plan_map(&text).map_err(|errors| anyhow::anyhow!("{}: {}", path.display(), errors.join("; ")))?
        }
        None => Vec::new(),
    };
    let w = open_workflows(globals).await?;
    let result = async {
        let router = match router {
            Some(name) => Some(
                w.store()
                    .router_by_name(name)
                    .await?
                    .with_context(|| format!("no router named {name:?}; see `headend router list`"))?
                    .id,
            ),
            None => None,
        };
        let done = w.adopt_radius_users(&Actor::Cli, router, &map, dry_run).await?;
        let report =
            Report::new(&done.router.name, "user", dry_run, &done.adoption, &done.ids, &|id| done.plan_name(id));
        report.print(globals)?;
        if !done.adoption.errors.is_empty() {
            bail!("{} user(s) cannot be imported; nothing was imported", done.adoption.errors.len());
        }
        if !globals.json && !done.foreign_groups.is_empty() {
            let groups: Vec<&str> = done.foreign_groups.iter().map(String::as_str).collect();
            output::line(format!(
                "Note: these users stay in your groups too ({}): FreeRADIUS applies those beside the plan's group; \
                 remove those memberships once the plans are right.",
                groups.join(", ")
            ))?;
        }
        Ok(())
    }
    .await;
    w.store().close().await;
    result
}

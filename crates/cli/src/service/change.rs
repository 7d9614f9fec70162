//! `headend service set-status | set-due | retry`.

use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::service::ServiceStatus;
use headend_store::ServiceOverview;
use headend_workflows::Workflows;
use jiff::civil::Date;
use serde::Serialize;

use super::ServiceJson;
use crate::{Globals, output};

fn print_changed(globals: &Globals, service: &ServiceOverview, what: &str) -> anyhow::Result<()> {
    if globals.json {
        return output::json(&ServiceJson::new(service));
    }
    output::line(format!(
        "Service {} ({}): {what}; {} will be swept.",
        service.id,
        output::safe(&service.label()),
        output::safe(&service.router_name)
    ))?;
    Ok(())
}

pub async fn set_status(globals: &Globals, w: &Workflows, id: ServiceId, status: ServiceStatus) -> anyhow::Result<()> {
    let before = w.service(id).await?.status;
    let service = w.set_service_status(&Actor::Cli, id, status).await?;
    print_changed(globals, &service, &format!("status {before} -> {status}"))
}

pub async fn set_due(globals: &Globals, w: &Workflows, id: ServiceId, due: Option<Date>) -> anyhow::Result<()> {
    let before = w.service(id).await?.next_billing_date;
    let service = w.set_service_due(&Actor::Cli, id, due).await?;
    let show = |d: Option<Date>| d.map_or_else(|| "none".to_owned(), |d| d.to_string());
    print_changed(globals, &service, &format!("next billing date {} -> {}", show(before), show(due)))
}

#[derive(Debug, Serialize)]
struct RetryJson {
    id: i64,
    /// Queued actions set to try again now.
    reset: usize,
    /// The routers asked to sweep.
    routers: Vec<String>,
}

pub async fn retry(globals: &Globals, w: &Workflows, id: ServiceId) -> anyhow::Result<()> {
    let retried = w.retry_service(&Actor::Cli, id).await?;
    if globals.json {
        return output::json(&RetryJson { id: id.0, reset: retried.reset, routers: retried.router_names });
    }
    output::line(format!(
        "Service {id} ({}): {} queued action(s) to try again now; {} will be swept.",
        output::safe(&retried.service.label()),
        retried.reset,
        retried.router_names.iter().map(|n| output::safe(n)).collect::<Vec<_>>().join(", ")
    ))?;
    Ok(())
}

//! `headend service set-status | set-due | retry`.

use headend_core::ServiceId;
use headend_core::activity::Subject;
use headend_core::service::ServiceStatus;
use headend_store::Store;
use jiff::civil::Date;
use serde::Serialize;

use super::{ServiceJson, find};
use crate::{Globals, activity, output};

async fn print_changed(globals: &Globals, store: &Store, id: ServiceId, what: String) -> anyhow::Result<()> {
    let service = find(store, id).await?;
    if globals.json {
        return output::json(&ServiceJson::new(&service));
    }
    output::line(format!(
        "Service {id} ({}): {what}; {} will be swept.",
        output::safe(&service.label()),
        output::safe(&service.router_name)
    ))?;
    Ok(())
}

pub async fn set_status(globals: &Globals, store: &Store, id: ServiceId, status: ServiceStatus) -> anyhow::Result<()> {
    let before = find(store, id).await?;
    store.set_service_status(id, status).await?;
    let what = format!("status {} -> {status}", before.status);
    activity::log(store, Subject::Service(id), "status changed", what.clone()).await;
    print_changed(globals, store, id, what).await
}

pub async fn set_due(globals: &Globals, store: &Store, id: ServiceId, due: Option<Date>) -> anyhow::Result<()> {
    let before = find(store, id).await?;
    store.set_service_due(id, due).await?;
    let show = |d: Option<Date>| d.map_or_else(|| "none".to_owned(), |d| d.to_string());
    let what = format!("next billing date {} -> {}", show(before.next_billing_date), show(due));
    activity::log(store, Subject::Service(id), "due date changed", what.clone()).await;
    print_changed(globals, store, id, what).await
}

#[derive(Debug, Serialize)]
struct RetryJson {
    id: i64,
    /// Queued actions set to try again now.
    reset: usize,
    /// The routers asked to sweep.
    routers: Vec<String>,
}

pub async fn retry(globals: &Globals, store: &Store, id: ServiceId) -> anyhow::Result<()> {
    let service = find(store, id).await?;
    let queued = store.queue_for_service(id).await?.len();
    let routers = store.queue_retry_service(id).await?;
    // Its ONU's zero-touch authorization, if that was failing, too.
    let onu = usize::try_from(store.olt_queue_retry(id).await?).unwrap_or(usize::MAX);
    let reset = queued.saturating_add(onu);
    let mut names = Vec::new();
    for router in routers {
        names.push(store.router(router).await?.map_or_else(|| router.to_string(), |r| r.name));
    }
    activity::log(
        store,
        Subject::Service(id),
        "retry requested",
        format!("{reset} queued action(s) reset; sweep of {}", names.join(", ")),
    )
    .await;
    if globals.json {
        return output::json(&RetryJson { id: id.0, reset, routers: names });
    }
    output::line(format!(
        "Service {id} ({}): {reset} queued action(s) to try again now; {} will be swept.",
        output::safe(&service.label()),
        names.iter().map(|n| output::safe(n)).collect::<Vec<_>>().join(", ")
    ))?;
    Ok(())
}

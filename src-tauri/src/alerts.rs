//! How the operator hears about trouble the engine cannot fix by itself:
//! a provisioning action that finally failed, a message to a customer that
//! failed, or a router that refuses Headend's login. Three ways at once: a
//! desktop notification (if enabled), the tray icon turning to its alert
//! variant, and a badge in the UI whose list opens the service, the
//! provisioning queue and the Messages outbox.
//!
//! The durable queues are the truth: the counts are their `failed` rows
//! (the provisioning queue's and the outbox's), so they survive restarts
//! and fall when a retry succeeds, whoever retried (this app, another
//! console, `headend service retry`, `headend messages retry`).
//!
//! Desktop notifications from tauri-plugin-notification cannot report a
//! click on Linux and Windows, so the click-through lives in the app: the
//! badge list and the tray's "failed actions" entry open the queue and
//! the service.

use headend_core::RouterId;
use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::event::ProvisionFailed;
use headend_core::queue::QueueStatus;
use headend_ipc::{Failures, ProvisionFailure, event};
use headend_store::{QueueQuery, Store, StoreError};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::state::{AppState, lock};
use crate::tray;

/// How many failures the badge's list shows.
const RECENT: usize = 8;
/// Rows read to count them (the queue holds one row per router action, so
/// this many failed at once means something bigger is wrong; the count
/// then reads "at least").
const COUNT_CAP: u32 = 10_000;

/// The failed actions in the durable queue (how many, and the newest) and
/// the outbox's failed messages.
pub async fn failures(store: &Store) -> Result<Failures, StoreError> {
    let rows = store.queue(&QueueQuery { status: Some(QueueStatus::Failed), limit: COUNT_CAP, offset: 0 }).await?;
    let recent = rows
        .iter()
        .rev()
        .take(RECENT)
        .map(|r| ProvisionFailure {
            queue_id: r.entry.id,
            service_id: r.entry.service.map(|s| s.0),
            label: r.service_label.clone().unwrap_or_else(|| r.entry.detail.clone()),
            router_id: r.entry.router.0,
            router_name: r.router_name.clone(),
            error: r.entry.last_error.clone().unwrap_or_default(),
            at: r.entry.updated_at.to_string(),
        })
        .collect();
    let failed_messages = store.failed_message_count().await?;
    Ok(Failures { count: rows.len() as u64, recent, failed_messages })
}

/// Tells the tray and the UI how many actions and messages have failed,
/// if that changed since they were last told.
pub async fn publish<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let now = match failures(&state.store).await {
        Ok(f) => f,
        Err(err) => {
            tracing::warn!("cannot read the failed provisioning actions: {err}");
            return;
        }
    };
    {
        let mut told = lock(&state.told_failures);
        if told.as_ref() == Some(&now) {
            return;
        }
        *told = Some(now.clone());
    }
    tray::show_failures(app, now.count);
    tray::show_failed_messages(app, now.failed_messages);
    if let Err(err) = app.emit(event::FAILURES_CHANGED, now) {
        tracing::warn!("cannot tell the UI about failures: {err}");
    }
}

/// Tells the operator that provisioning gave up, once for a burst: a
/// notification naming the service and router for one failure, or how
/// many for several. The engine already recorded them (queue, router log).
pub async fn provision_failed<R: Runtime>(app: &AppHandle<R>, failed: &[ProvisionFailed]) {
    let state = app.state::<AppState>();
    for f in failed {
        tracing::warn!(service = %f.service, router = %f.router, error = %f.error, "provisioning failed");
    }
    let Some(first) = failed.first() else { return };
    let notice = if let [only] = failed {
        let overview = state.store.service(only.service).await.ok().flatten();
        let (label, router) = match &overview {
            Some(svc) => (svc.label(), svc.router_name.clone()),
            None => (format!("service {}", only.service), router_name(&state.store, only.router).await),
        };
        only.notice(&label, &router)
    } else {
        headend_core::event::Notice {
            title: format!("Provisioning failed for {} services", failed.len()),
            body: format!("The first: {}. Open Headend's provisioning queue to retry them.", first.error.trim()),
        }
    };
    notify(app, &notice.title, &notice.body);
    publish(app).await;
}

/// A router refused the login: the engine stops trying it until the
/// operator edits it, and says so once.
pub async fn login_refused<R: Runtime>(app: &AppHandle<R>, router: RouterId, name: &str, error: &str) {
    let state = app.state::<AppState>();
    state.login_refused(router);
    tracing::error!(router = %name, %error, "login refused: not retrying until the router is edited");
    let entry = ActivityEntry {
        at: jiff::Timestamp::now(),
        actor: Actor::Engine,
        subject: Subject::Router(router),
        action: "login refused".into(),
        detail: format!("{name}: {error}; not tried again until its user or password is edited"),
    };
    if let Err(err) = state.store.log_activity(&entry).await {
        tracing::warn!("cannot write the activity log: {err}");
    }
    notify(
        app,
        &format!("{name} refused Headend's login"),
        "Headend stops provisioning it until you edit the router's user or password.",
    );
}

async fn router_name(store: &Store, router: RouterId) -> String {
    match store.router(router).await {
        Ok(Some(r)) => r.name,
        _ => format!("router {router}"),
    }
}

/// A desktop notification, if the operator wants them (Settings).
pub fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    if !app.state::<AppState>().settings().notifications {
        return;
    }
    if let Err(err) = app.notification().builder().title(title).body(body).show() {
        // No notification server (a bare X session, a test under Xvfb):
        // the tray and the badge still tell.
        tracing::info!("desktop notification not shown: {err}");
    }
}

//! Provisioning failures reach the operator three ways at once: a desktop
//! notification (if enabled), the tray icon turning to its alert variant,
//! and a badge in the UI whose list opens the failed service.
//!
//! Desktop notifications from tauri-plugin-notification cannot report a
//! click on Linux and Windows, so the click-through lives in the app: the
//! badge list and the tray's "failed actions" entry both open the service.

use headend_core::activity::{ActivityEntry, Actor};
use headend_core::event::ProvisionFailed;
use headend_ipc::{FailuresChanged, ProvisionFailure, event};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;
use crate::tray;

/// Raises `provision_failed` for the operator. The engine calls this when
/// a job runs out of retries.
pub async fn provision_failed<R: Runtime>(app: &AppHandle<R>, failed: ProvisionFailed) -> anyhow::Result<()> {
    let state = app.state::<AppState>();
    let overview = state.store.service(failed.service).await?;
    let (service_label, router_name) = match &overview {
        Some(svc) => (svc.label(), svc.router_name.clone()),
        None => (format!("service {}", failed.service), format!("router {}", failed.router)),
    };
    let now = jiff::Timestamp::now();
    state
        .store
        .log_activity(&ActivityEntry {
            at: now,
            actor: Actor::Engine,
            subject: format!("service:{}", failed.service),
            action: "provisioning failed".into(),
            detail: format!("on {router_name}: {}", failed.error),
        })
        .await?;

    let notice = failed.notice(&service_label, &router_name);
    tracing::warn!(service = %failed.service, router = %failed.router, error = %failed.error, "provisioning failed");
    let waiting = state.push_failure(ProvisionFailure {
        service_id: failed.service.0,
        service_label,
        router_id: failed.router.0,
        router_name,
        error: failed.error,
        at: now.to_string(),
    });
    if state.settings().notifications
        && let Err(err) = app.notification().builder().title(&notice.title).body(&notice.body).show()
    {
        // No notification server (a bare X session, a test under Xvfb):
        // the tray and the badge still tell.
        tracing::info!("desktop notification not shown: {err}");
    }
    tray::show_failures(app, waiting);
    publish(app)
}

/// Pushes the current failure list to the UI.
pub fn publish<R: Runtime>(app: &AppHandle<R>) -> anyhow::Result<()> {
    let failures = app.state::<AppState>().failures();
    app.emit(event::FAILURES_CHANGED, FailuresChanged { failures })?;
    Ok(())
}

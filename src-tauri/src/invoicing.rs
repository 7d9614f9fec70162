//! The invoice run inside the app: once at start and then every hour
//! (`Workflows::invoice_run` is idempotent: it issues only what is due and
//! not yet issued, so an hourly run meeting a `headend invoice run` or the
//! agent issues nothing twice). A failure is a desktop notification, as a
//! failed provision is; invoices issued tell open pages to reload.

use std::time::Duration;

use headend_core::activity::Actor;
use headend_ipc::event;
use tauri::{AppHandle, Emitter, Manager};

use crate::alerts;
use crate::state::AppState;

/// How often the app runs the invoice run.
const RUN_EVERY: Duration = Duration::from_secs(60 * 60);

pub fn start(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            run_once(&app).await;
            tokio::time::sleep(RUN_EVERY).await;
        }
    });
}

async fn run_once(app: &AppHandle) {
    let state = app.state::<AppState>();
    match state.workflows.invoice_run(&Actor::Engine, None).await {
        Ok(run) if run.issued.is_empty() => {}
        Ok(run) => {
            tracing::info!(date = %run.date, issued = run.issued.len(), "invoice run issued invoices");
            if let Err(err) = app.emit(event::BILLING_CHANGED, ()) {
                tracing::warn!("cannot tell the UI about new invoices: {err}");
            }
        }
        Err(err) => {
            tracing::error!("the invoice run failed: {err}");
            alerts::notify(app, "Invoice run failed", &format!("Invoice run failed: {err}"));
        }
    }
}

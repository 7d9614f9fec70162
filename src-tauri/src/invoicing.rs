//! The invoice run inside the app: the workflows' hourly run (it issues
//! only what is due and not yet issued, so meeting a `headend invoice run`
//! or the agent issues nothing twice). A failure is a desktop
//! notification, as a failed provision is; invoices issued tell open pages
//! to reload.

use headend_ipc::event;
use headend_workflows::WorkflowError;
use headend_workflows::billing::InvoiceRun;
use tauri::{AppHandle, Emitter, Manager};

use crate::alerts;
use crate::state::AppState;

pub fn start(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let workflows = app.state::<AppState>().workflows.clone();
        workflows.run_invoices_periodically(|outcome| report(&app, outcome)).await;
    });
}

fn report(app: &AppHandle, outcome: Result<InvoiceRun, WorkflowError>) {
    match outcome {
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

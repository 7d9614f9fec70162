//! Session history inside the app: RADIUS accounting imported every
//! minute and old sessions summed, by the workflows' periodic run (the
//! agent may run it too: an import is idempotent). API routers' sessions
//! reach the history through the fleet.

use headend_workflows::sessions::log_history_pass;
use tauri::{AppHandle, Manager};

use crate::state::AppState;

pub fn start(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let workflows = app.state::<AppState>().workflows.clone();
        // Runs as long as the app: quitting ends it between passes or
        // rolls back the one in flight.
        let (_keep, stop) = tokio::sync::watch::channel(false);
        workflows.run_session_history_periodically(stop, log_history_pass).await;
    });
}

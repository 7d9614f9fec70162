//! The daily backup: once an hour the app asks whether today's file is in
//! `<data dir>/backups` and makes it if not, pruning the daily files past
//! the days kept (`Workflows::daily_backup`; the rule is
//! `headend_core::backup::daily_run`). "Today" is the store clock's
//! instant in this computer's time zone.

use std::time::Duration;

use tauri::{AppHandle, Manager};

use crate::state::AppState;

/// How often the app looks for today's backup.
const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);

pub fn start(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            run_once(&app).await;
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

async fn run_once(app: &AppHandle) {
    let state = app.state::<AppState>();
    let today = state.store.clock().now().to_zoned_datetime(jiff::tz::TimeZone::system()).date();
    match state.workflows.daily_backup(&state.data_dir.backup_dir(), today).await {
        Ok(run) => {
            if let Some(made) = run.made {
                tracing::info!(path = %made.path.display(), bytes = made.bytes, "daily backup written");
            }
            for pruned in run.pruned {
                tracing::info!(path = %pruned.display(), "old daily backup removed");
            }
        }
        Err(err) => tracing::warn!("the daily backup failed: {err}"),
    }
}

//! Settings → Backups: "Back up now", the days of daily backups kept, and
//! "Restore…", which sets a checked backup aside for the next start.

use headend_core::activity::Actor;
use headend_core::backup::MAX_KEEP_DAYS;
use headend_ipc::{BackupMade, BackupsView, RestoreStaged};
use headend_workflows::backup::stage_restore as stage;
use tauri::State;

use super::{Answer, instant, workflow_error};
use crate::state::AppState;

async fn view(state: &AppState) -> Answer<BackupsView> {
    Ok(BackupsView {
        folder: state.data_dir.backup_dir().display().to_string(),
        keep_days: state.workflows.backup_keep_days().await.map_err(workflow_error)?,
        max_keep_days: MAX_KEEP_DAYS,
    })
}

#[tauri::command]
pub async fn get_backups(state: State<'_, AppState>) -> Answer<BackupsView> {
    view(&state).await
}

#[tauri::command]
pub async fn set_backup_keep_days(state: State<'_, AppState>, days: u16) -> Answer<BackupsView> {
    state.workflows.set_backup_keep_days(&Actor::Operator, days).await.map_err(workflow_error)?;
    view(&state).await
}

/// A backup now, named by the instant, into the backups folder (never
/// pruned: only the daily files are).
#[tauri::command]
pub async fn back_up_now(state: State<'_, AppState>) -> Answer<BackupMade> {
    let folder = state.data_dir.backup_dir();
    std::fs::create_dir_all(&folder).map_err(|e| {
        super::error(headend_ipc::ErrorCode::Internal, format!("Cannot create {}: {e}.", folder.display()))
    })?;
    let now = state.store.clock().now().to_zoned_datetime(jiff::tz::TimeZone::system());
    let path = folder.join(format!("headend-{}.sqlite3", now.strftime("%Y-%m-%dT%H%M%S")));
    let made = state.workflows.back_up(&path).await.map_err(workflow_error)?;
    Ok(BackupMade { path: made.path.display().to_string(), bytes: made.bytes })
}

/// Checks the backup at `path` and sets it aside; the app restores it when
/// it next starts.
#[tauri::command]
pub async fn stage_restore(state: State<'_, AppState>, path: String) -> Answer<RestoreStaged> {
    let facts = stage(&state.data_dir, std::path::Path::new(path.trim())).await.map_err(workflow_error)?;
    Ok(RestoreStaged { installation_id: facts.installation_id, last_change: facts.last_change.map(instant) })
}

//! The app itself: where things are, the dashboard's counts and what
//! needs the operator, settings.

use headend_core::settings::Settings;
use headend_ipc::{AppInfo, Dashboard, ErrorCode, Health, SettingsDto, SettingsLimits, SettingsView};
use tauri::{AppHandle, Manager, State};

use super::map::engines_seen;
use super::{Answer, db, error, workflow_error};
use crate::state::AppState;
use crate::{alerts, settings};

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Answer<AppInfo> {
    let status = state.store.status().await.map_err(db)?;
    let dir = &state.data_dir;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: dir.root().display().to_string(),
        database_path: dir.database_path().display().to_string(),
        log_dir: dir.log_dir().display().to_string(),
        settings_path: dir.settings_path().display().to_string(),
        schema_version: status.schema_version,
        secret_backend: state.secrets.backend().to_string(),
    })
}

#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Answer<Dashboard> {
    let s = state.store.status().await.map_err(db)?;
    Ok(Dashboard {
        routers: s.routers,
        customers: s.customers,
        plans: s.plans,
        services: s.services,
        active_services: s.active_services,
        suspended_services: s.suspended_services,
        health: health(&state).await?,
    })
}

/// What needs the operator: routers and OLTs as the engines last saw them,
/// the queue's and the outbox's failures, and the day's figures.
async fn health(state: &AppState) -> Answer<Health> {
    let network = state.workflows.network_health(&engines_seen(state)).await.map_err(workflow_error)?;
    let failures = alerts::failures(&state.store).await.map_err(db)?;
    let day = state.workflows.day_figures().await.map_err(workflow_error)?;
    Ok(Health {
        failed_actions: failures.count,
        failed_messages: failures.failed_messages,
        went_off_today: count(day.went_off.all().len()),
        cut_off_today: count(day.went_off.cut_off.len()),
        suspended_today: count(day.went_off.suspended_by_hand.len()),
        payments_today: day.payments,
        collected_today: day.currency.format(day.collected),
        currency: day.currency.code().to_owned(),
        online_by_hour: day.online_by_hour,
        routers_up: network.routers_up,
        routers_degraded: network.routers_degraded,
        routers_down: network.routers_down,
        olts_down: network.olts_down,
        olt_alerts: network.olt_alerts,
        onus_los: network.onus_los,
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn settings_view(s: Settings, demo_isp: bool) -> SettingsView {
    SettingsView {
        demo_isp,
        settings: SettingsDto {
            sweep_interval_secs: s.sweep_interval().as_secs(),
            notifications: s.notifications,
            theme: settings::theme_to_dto(s.theme),
        },
        limits: SettingsLimits { sweep_min_secs: Settings::SWEEP_MIN_SECS, sweep_max_secs: Settings::SWEEP_MAX_SECS },
    }
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> SettingsView {
    settings_view(state.settings(), state.demo_isp.is_some())
}

/// Saves the settings; the engine takes the new sweep interval at once.
#[tauri::command]
pub fn save_settings(app: AppHandle, settings: SettingsDto) -> Answer<SettingsView> {
    let mut new = Settings::default();
    new.set_sweep_interval_secs(settings.sweep_interval_secs).map_err(|e| error(ErrorCode::InvalidInput, e))?;
    new.notifications = settings.notifications;
    new.theme = settings::theme_from_dto(settings.theme);
    settings::save(&app, new).map_err(|e| error(ErrorCode::Settings, format!("cannot save the settings: {e:#}")))?;
    if let Some(window) = app.get_webview_window("main") {
        settings::apply_theme(&window, new.theme);
    }
    tracing::info!(sweep_secs = settings.sweep_interval_secs, notifications = new.notifications, theme = %new.theme, "settings saved");
    Ok(settings_view(new, app.state::<AppState>().demo_isp.is_some()))
}

/// The UI painted its first frame: log how long the start took (the
/// start-up benchmark reads this line).
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>) {
    let ms = state.started.elapsed().as_millis();
    tracing::info!(ms, "console interactive");
    if state.demo_isp.is_some() {
        // The operator's app, which started this demo, waits for this line.
        println!("{}", super::demo_isp::READY_LINE);
    }
}

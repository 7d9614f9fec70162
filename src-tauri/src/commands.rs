//! The IPC commands: the only code that knows both the UI's shapes
//! (`headend-ipc`) and the library crates. Each converts, delegates and
//! maps errors to an [`ErrorDto`] with a stable code.

use headend_core::ServiceId;
use headend_core::event::ProvisionFailed;
use headend_core::router::Router;
use headend_core::service::Access;
use headend_core::settings::Settings;
use headend_ipc::{
    ActivityRow, AppInfo, Dashboard, ErrorCode, ErrorDto, PlanRow, ProvisionFailure, RaiseProvisionFailed, RouterRow,
    ServiceRow, SettingsDto, SettingsLimits, SettingsView,
};
use headend_store::{ServiceOverview, StoreError};
use tauri::{AppHandle, Manager, State};

use crate::state::AppState;
use crate::{alerts, settings};

type Answer<T> = Result<T, ErrorDto>;

fn error(code: ErrorCode, message: impl ToString) -> ErrorDto {
    ErrorDto {
        code,
        message: message.to_string(),
    }
}

fn db(err: StoreError) -> ErrorDto {
    tracing::error!("database: {err}");
    error(ErrorCode::Database, err)
}

/// How many activity entries the Activity page shows.
const ACTIVITY_PAGE: u32 = 200;

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
    })
}

fn settings_view(s: Settings) -> SettingsView {
    SettingsView {
        settings: SettingsDto {
            sweep_interval_secs: s.sweep_interval().as_secs(),
            notifications: s.notifications,
            theme: settings::theme_to_dto(s.theme),
        },
        limits: SettingsLimits {
            sweep_min_secs: Settings::SWEEP_MIN_SECS,
            sweep_max_secs: Settings::SWEEP_MAX_SECS,
        },
    }
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> SettingsView {
    settings_view(state.settings())
}

#[tauri::command]
pub fn save_settings(app: AppHandle, settings: SettingsDto) -> Answer<SettingsView> {
    let mut new = Settings::default();
    new.set_sweep_interval_secs(settings.sweep_interval_secs)
        .map_err(|e| error(ErrorCode::InvalidInput, e))?;
    new.notifications = settings.notifications;
    new.theme = settings::theme_from_dto(settings.theme);
    settings::save(&app, new).map_err(|e| error(ErrorCode::Settings, format!("cannot save the settings: {e:#}")))?;
    if let Some(window) = app.get_webview_window("main") {
        settings::apply_theme(&window, new.theme);
    }
    tracing::info!(sweep_secs = settings.sweep_interval_secs, notifications = new.notifications, theme = %new.theme, "settings saved");
    Ok(settings_view(new))
}

fn router_row(r: Router) -> RouterRow {
    RouterRow {
        id: r.id.0,
        address: format!("{}:{}", r.host, r.port),
        name: r.name,
        transport: r.transport.to_string(),
        username: r.username,
        location: r.location.map(|l| (l.lat(), l.lon())),
    }
}

#[tauri::command]
pub async fn list_routers(state: State<'_, AppState>) -> Answer<Vec<RouterRow>> {
    Ok(state.store.routers().await.map_err(db)?.into_iter().map(router_row).collect())
}

#[tauri::command]
pub async fn list_plans(state: State<'_, AppState>) -> Answer<Vec<PlanRow>> {
    let plans = state.store.plans().await.map_err(db)?;
    Ok(plans
        .into_iter()
        .map(|p| PlanRow {
            id: p.id.0,
            rate: format!("{}/{}", p.download, p.upload),
            price: p.price.to_string(),
            cycle: p.cycle.as_str().to_owned(),
            name: p.name,
        })
        .collect())
}

fn service_row(s: ServiceOverview) -> ServiceRow {
    let login = match &s.access {
        Access::Pppoe { username } => username.clone(),
        Access::StaticIp { address } => address.to_string(),
    };
    ServiceRow {
        id: s.id.0,
        kind: s.access.kind().to_owned(),
        login,
        customer_name: s.customer_name,
        router_name: s.router_name,
        plan_name: s.plan_name,
        status: s.status.to_string(),
        next_billing_date: s.next_billing_date.map(|d| d.to_string()).unwrap_or_default(),
    }
}

#[tauri::command]
pub async fn list_services(state: State<'_, AppState>) -> Answer<Vec<ServiceRow>> {
    Ok(state.store.services().await.map_err(db)?.into_iter().map(service_row).collect())
}

#[tauri::command]
pub async fn get_service(state: State<'_, AppState>, id: i64) -> Answer<ServiceRow> {
    match state.store.service(ServiceId(id)).await.map_err(db)? {
        Some(s) => Ok(service_row(s)),
        None => Err(error(ErrorCode::NotFound, format!("there is no service {id}"))),
    }
}

#[tauri::command]
pub async fn list_activity(state: State<'_, AppState>) -> Answer<Vec<ActivityRow>> {
    let entries = state.store.recent_activity(ACTIVITY_PAGE).await.map_err(db)?;
    Ok(entries
        .into_iter()
        .map(|e| ActivityRow {
            at: e.at.to_string(),
            actor: e.actor.as_str().to_owned(),
            subject: e.subject,
            action: e.action,
            detail: e.detail,
        })
        .collect())
}

#[tauri::command]
pub fn list_failures(state: State<'_, AppState>) -> Vec<ProvisionFailure> {
    state.failures()
}

#[tauri::command]
pub fn dismiss_failures(app: AppHandle) -> Answer<()> {
    app.state::<AppState>().clear_failures();
    crate::tray::show_failures(&app, 0);
    alerts::publish(&app).map_err(|e| error(ErrorCode::Internal, e))
}

/// Raises `provision_failed` as the engine will, for the end-to-end tests;
/// refused unless the app was started with the e2e hooks enabled.
#[tauri::command]
pub async fn e2e_raise_provision_failed(app: AppHandle, failure: RaiseProvisionFailed) -> Answer<()> {
    let state = app.state::<AppState>();
    if !state.e2e_hooks {
        return Err(error(ErrorCode::Forbidden, "test hooks are disabled"));
    }
    let service = state
        .store
        .service(ServiceId(failure.service_id))
        .await
        .map_err(db)?
        .ok_or_else(|| error(ErrorCode::NotFound, format!("there is no service {}", failure.service_id)))?;
    let failed = ProvisionFailed {
        service: service.id,
        router: service.router,
        error: failure.error,
    };
    alerts::provision_failed(&app, failed).await.map_err(|e| error(ErrorCode::Internal, format!("{e:#}")))
}

/// The UI painted its first frame: log how long the start took (the
/// start-up benchmark reads this line).
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>) {
    let ms = state.started.elapsed().as_millis();
    tracing::info!(ms, "console interactive");
}

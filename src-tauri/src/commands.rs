//! The IPC commands: the only code that knows both the UI's shapes
//! (`headend-ipc`) and the library crates. Each converts, delegates and
//! maps errors to an [`ErrorDto`] with a stable code.

use std::str::FromStr;

use headend_core::activity::{ActivityEntry, Actor};
use headend_core::event::ProvisionFailed;
use headend_core::geo::GeoPoint;
use headend_core::router::{Router, Transport};
use headend_core::{RouterId, ServiceId};
use headend_engine::RouterStatus;
use headend_secrets::SecretKey;
use headend_core::service::Access;
use headend_core::settings::Settings;
use headend_ipc::{
    ActivityRow, AppInfo, Dashboard, ErrorCode, ErrorDto, InterfaceRow, KickSession, PlanRow, ProvisionFailure, RaiseProvisionFailed,
    RouterForm, RouterHealthDto, RouterRow, ServiceRow, SessionRow, SettingsDto, SettingsLimits,
    SettingsView,
};
use headend_store::{NewRouter, ServiceOverview, StoreError};
use tauri::{AppHandle, Manager, State};

use crate::demo::DemoNetwork;
use crate::state::AppState;
use crate::{alerts, live, settings};

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

fn router_row(r: &Router, demo: bool, statuses: &[RouterStatus]) -> RouterRow {
    RouterRow {
        id: r.id.0,
        name: r.name.clone(),
        host: r.host.clone(),
        port: r.port,
        transport: r.transport.to_string(),
        username: r.username.clone(),
        location: r.location.map(|l| (l.lat(), l.lon())),
        demo,
        status: live::status_dto(statuses.iter().find(|s| s.router == r.id)),
    }
}

/// Stored routers, then the demo network's, each with its live state.
#[tauri::command]
pub async fn list_routers(state: State<'_, AppState>) -> Answer<Vec<RouterRow>> {
    let statuses = state.fleet.statuses();
    let stored = state.store.routers().await.map_err(db)?;
    let mut rows: Vec<RouterRow> = stored.iter().map(|r| router_row(r, false, &statuses)).collect();
    if let Some(demo) = state.demo.lock().await.as_ref() {
        rows.extend(demo.routers().map(|r| router_row(r, true, &statuses)));
    }
    Ok(rows)
}

fn invalid(message: impl ToString) -> ErrorDto {
    error(ErrorCode::InvalidInput, message)
}

/// Checks the router form and turns it into what the store takes.
fn parse_router_form(form: &RouterForm) -> Answer<NewRouter> {
    let name = form.name.trim();
    let host = form.host.trim();
    let username = form.username.trim();
    if name.is_empty() {
        return Err(invalid("Give the router a name."));
    }
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(invalid("The address is a host name or an IP address, without spaces."));
    }
    if username.is_empty() {
        return Err(invalid("Enter the RouterOS user Headend logs in as."));
    }
    let transport = Transport::from_str(&form.transport).map_err(invalid)?;
    let port = match form.port.trim() {
        "" => transport.default_port(),
        port => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| invalid(format!("{port:?} is not a port number (1-65535).")))?,
    };
    let location = match form.location.trim() {
        "" => None,
        text => Some(GeoPoint::from_str(text).map_err(invalid)?),
    };
    Ok(NewRouter {
        name: name.to_owned(),
        host: host.to_owned(),
        port,
        transport,
        username: username.to_owned(),
        pop: None,
        location,
    })
}

async fn set_password(state: &AppState, id: RouterId, password: String) -> Answer<()> {
    let secrets = state.secrets.clone();
    tokio::task::spawn_blocking(move || secrets.set(&SecretKey::router(id), &password))
        .await
        .map_err(|e| error(ErrorCode::Internal, e))?
        .map_err(|e| error(ErrorCode::Internal, format!("cannot keep the password in the keyring: {e}")))
}

async fn log(state: &AppState, subject: String, action: &str, detail: String) {
    let entry = ActivityEntry {
        at: jiff::Timestamp::now(),
        actor: Actor::Operator,
        subject,
        action: action.to_owned(),
        detail,
    };
    if let Err(err) = state.store.log_activity(&entry).await {
        tracing::error!("cannot write the activity log: {err}");
    }
}

/// Adds or edits a router: the password goes to the keyring, never the
/// database, and nothing is half-added if the keyring refuses it.
#[tauri::command]
pub async fn save_router(state: State<'_, AppState>, form: RouterForm) -> Answer<i64> {
    let new = parse_router_form(&form)?;
    let id = match form.id {
        None => {
            if form.password.is_empty() {
                return Err(invalid("Enter the router's password."));
            }
            let id = state.store.add_router(&new).await.map_err(store_error)?;
            if let Err(err) = set_password(&state, id, form.password).await {
                let _ = state.store.remove_router(id).await;
                return Err(err);
            }
            log(&state, format!("router:{id}"), "router added", format!("{} at {}:{} over {}", new.name, new.host, new.port, new.transport)).await;
            id
        }
        Some(id) => {
            let id = RouterId(id);
            state.store.update_router(id, &new).await.map_err(store_error)?;
            if !form.password.is_empty() {
                set_password(&state, id, form.password).await?;
            }
            log(&state, format!("router:{id}"), "router edited", format!("{} at {}:{} over {}", new.name, new.host, new.port, new.transport)).await;
            id
        }
    };
    if let Some(router) = state.store.router(id).await.map_err(db)? {
        state.fleet.watch(router);
    }
    Ok(id.0)
}

fn store_error(err: StoreError) -> ErrorDto {
    match err {
        StoreError::Duplicate { .. } | StoreError::InUse { .. } => invalid(err),
        StoreError::NotFound(_) => error(ErrorCode::NotFound, err),
        other => db(other),
    }
}

#[tauri::command]
pub async fn remove_router(state: State<'_, AppState>, id: i64) -> Answer<()> {
    let id = RouterId(id);
    let name = state.store.router(id).await.map_err(db)?.map(|r| r.name).unwrap_or_default();
    state.store.remove_router(id).await.map_err(store_error)?;
    state.fleet.unwatch(id);
    let secrets = state.secrets.clone();
    let forgotten = tokio::task::spawn_blocking(move || secrets.delete(&SecretKey::router(id)))
        .await
        .map_err(|e| e.to_string())
        .and_then(|deleted| deleted.map_err(|e| e.to_string()));
    if let Err(err) = forgotten {
        tracing::warn!("router {id} removed, but its password is still in the keyring: {err}");
    }
    log(&state, format!("router:{id}"), "router removed", name).await;
    Ok(())
}

/// Reads the router's health now.
#[tauri::command]
pub async fn test_router(state: State<'_, AppState>, id: i64) -> Answer<RouterHealthDto> {
    let health = state.fleet.probe_now(RouterId(id)).await.map_err(|e| error(ErrorCode::Router, e))?;
    Ok(live::health_dto(&health))
}

/// The router's interfaces and their counters; the UI turns successive
/// readings into live traffic.
#[tauri::command]
pub async fn router_interfaces(state: State<'_, AppState>, id: i64) -> Answer<Vec<InterfaceRow>> {
    let interfaces = state.fleet.interfaces(RouterId(id)).await.map_err(|e| error(ErrorCode::Router, e))?;
    Ok(interfaces
        .into_iter()
        .map(|i| InterfaceRow {
            name: i.name.to_string_lossy_cp1252().into_owned(),
            kind: i.kind.to_string_lossy_cp1252().into_owned(),
            running: i.running,
            disabled: i.disabled,
            rx_bytes: i.rx_bytes,
            tx_bytes: i.tx_bytes,
            comment: i.comment.map(|c| c.to_string_lossy_cp1252().into_owned()).unwrap_or_default(),
        })
        .collect())
}

#[tauri::command]
pub fn list_sessions(state: State<'_, AppState>) -> Vec<SessionRow> {
    let statuses = state.fleet.statuses();
    state
        .fleet
        .sessions()
        .iter()
        .map(|s| live::session_row(s, live::router_name(&statuses, s.router)))
        .collect()
}

#[tauri::command]
pub async fn kick_session(state: State<'_, AppState>, kick: KickSession) -> Answer<()> {
    let router = RouterId(kick.router_id);
    let user = state
        .fleet
        .sessions()
        .into_iter()
        .find(|s| s.router == router && s.id == kick.session_id)
        .map(|s| s.user)
        .unwrap_or_default();
    state.fleet.kick(router, &kick.session_id).await.map_err(|e| error(ErrorCode::Router, e))?;
    log(&state, format!("router:{router}"), "session kicked", user).await;
    Ok(())
}

#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> Answer<()> {
    let mut demo = state.demo.lock().await;
    if demo.is_none() {
        let network = DemoNetwork::start(&state.secrets, &state.fleet)
            .await
            .map_err(|e| error(ErrorCode::Internal, format!("cannot start the demo network: {e:#}")))?;
        *demo = Some(network);
    }
    Ok(())
}

#[tauri::command]
pub async fn stop_demo(state: State<'_, AppState>) -> Answer<()> {
    if let Some(network) = state.demo.lock().await.take() {
        network.stop(&state.secrets, &state.fleet).await;
    }
    Ok(())
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

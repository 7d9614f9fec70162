//! Routers: the inventory, their live state, sessions, and the demo network.

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::geo::GeoPoint;
use headend_core::router::{Router, Transport};
use headend_core::{PopId, RouterId};
use headend_fleet::RouterStatus;
use headend_ipc::olt::PinKey;
use headend_ipc::{
    ErrorCode, InterfaceRow, KickSession, PopRow, RouterForm, RouterHealthDto, RouterLogRow, RouterRow, SessionQuery,
    SessionUser, SessionWindow,
};
use headend_store::RouterLogEntry;
use headend_workflows::pops::PopOverview;
use headend_workflows::routers::RouterInput;
use tauri::State;

use super::{Answer, db, error, instant, invalid, workflow_error};
use crate::demo::DemoNetwork;
use crate::live;
use crate::state::{AppState, lock};

fn router_row(r: &Router, demo: bool, statuses: &[RouterStatus], pops: &HashMap<PopId, String>) -> RouterRow {
    RouterRow {
        id: r.id.0,
        name: r.name.clone(),
        host: r.host.clone(),
        port: r.port,
        transport: r.transport.to_string(),
        username: r.username.clone(),
        location: r.location.map(|l| (l.lat(), l.lon())),
        pop: r.pop.and_then(|p| pops.get(&p).cloned()).unwrap_or_default(),
        demo,
        status: live::status_dto(statuses.iter().find(|s| s.router == r.id)),
        pinned_certificate: r.tls_pin.clone().unwrap_or_default(),
        presented_certificate: r.presented_tls_pin.clone().unwrap_or_default(),
        backend: r.backend.as_str().to_owned(),
    }
}

/// The POPs' names, sorted.
#[tauri::command]
pub async fn list_pops(state: State<'_, AppState>) -> Answer<Vec<String>> {
    let mut names: Vec<String> = state.store.pops().await.map_err(db)?.into_iter().map(|p| p.name).collect();
    names.sort();
    Ok(names)
}

fn pop_row(p: PopOverview) -> PopRow {
    PopRow { id: p.pop.id.0, name: p.pop.name, routers: p.routers, olts: p.olts }
}

/// Every POP with its routers and OLTs.
#[tauri::command]
pub async fn pop_overviews(state: State<'_, AppState>) -> Answer<Vec<PopRow>> {
    Ok(state.workflows.pops().await.map_err(workflow_error)?.into_iter().map(pop_row).collect())
}

/// Renames a POP (`headend pop rename`).
#[tauri::command]
pub async fn rename_pop(state: State<'_, AppState>, id: i64, name: String) -> Answer<PopRow> {
    state.workflows.rename_pop(&Actor::Operator, PopId(id), &name).await.map_err(workflow_error)?;
    let pops = state.workflows.pops().await.map_err(workflow_error)?;
    pops.into_iter()
        .find(|p| p.pop.id.0 == id)
        .map(pop_row)
        .ok_or_else(|| error(ErrorCode::NotFound, format!("POP {id} is gone")))
}

/// Stored routers, then the demo network's, each with its live state.
#[tauri::command]
pub async fn list_routers(state: State<'_, AppState>) -> Answer<Vec<RouterRow>> {
    let statuses = state.fleet.statuses();
    let stored = state.store.routers().await.map_err(db)?;
    let pops: HashMap<PopId, String> =
        state.store.pops().await.map_err(db)?.into_iter().map(|p| (p.id, p.name)).collect();
    let mut rows: Vec<RouterRow> = stored.iter().map(|r| router_row(r, false, &statuses, &pops)).collect();
    if let Some(demo) = state.demo.lock().await.as_ref() {
        rows.extend(demo.routers().map(|r| router_row(r, true, &statuses, &pops)));
    }
    Ok(rows)
}

/// Reads the router form's transport, port and location; the workflow
/// checks the rest.
fn parse_router_form(form: &RouterForm) -> Answer<RouterInput> {
    let transport = Transport::from_str(&form.transport).map_err(invalid)?;
    let port = match form.port.trim() {
        "" => None,
        port => Some(port.parse::<u16>().map_err(|_| invalid(format!("{port:?} is not a port number (1-65535).")))?),
    };
    let location = match form.location.trim() {
        "" => None,
        text => Some(GeoPoint::from_str(text).map_err(invalid)?),
    };
    Ok(RouterInput {
        name: form.name.clone(),
        host: form.host.clone(),
        port,
        transport,
        username: form.username.clone(),
        pop: Some(form.pop.trim()).filter(|p| !p.is_empty()).map(str::to_owned),
        location,
    })
}

/// Adds or edits a router: the password goes to the keyring, never the
/// database, and nothing is half-added if the keyring refuses it. The
/// fleet watches it at once.
#[tauri::command]
pub async fn save_router(state: State<'_, AppState>, form: RouterForm) -> Answer<i64> {
    let input = parse_router_form(&form)?;
    let saved = match form.id {
        None => state.workflows.add_router(&Actor::Operator, input, form.password).await,
        Some(id) => {
            let password = (!form.password.is_empty()).then_some(form.password);
            state.workflows.edit_router(&Actor::Operator, RouterId(id), input, password).await
        }
    };
    let router = saved.map_err(workflow_error)?;
    let id = router.id;
    state.fleet.watch(router);
    // New credentials or a new address: worth a login again, and a sweep now.
    state.resume_router(id);
    Ok(id.0)
}

/// Trusts the certificate the router presents now (it was replaced), if
/// it is still the one the operator was shown; the engine and the live
/// view connect again at once.
#[tauri::command]
pub async fn pin_router_certificate(state: State<'_, AppState>, pin: PinKey) -> Answer<()> {
    let pinned = state
        .workflows
        .pin_router_certificate(&Actor::Operator, RouterId(pin.id), Some(&pin.presented))
        .await
        .map_err(workflow_error)?;
    let router = state.workflows.router(pinned.router.id).await.map_err(workflow_error)?;
    state.fleet.watch(router);
    state.resume_router(pinned.router.id);
    Ok(())
}

#[tauri::command]
pub async fn remove_router(state: State<'_, AppState>, id: i64) -> Answer<()> {
    let id = RouterId(id);
    state.workflows.remove_router(&Actor::Operator, id).await.map_err(workflow_error)?;
    state.fleet.unwatch(id);
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

/// The Live sessions page shows these rows now (`None`: it closed): they
/// come with every sessions tick that changes them, and now.
#[tauri::command]
pub fn watch_sessions(state: State<'_, AppState>, query: Option<SessionQuery>) -> Option<SessionWindow> {
    lock(&state.session_watch).watch(&state.fleet, query)
}

/// The router log lines a router's page shows.
const ROUTER_LOG_ROWS: u32 = 50;

/// A line of the router log as the pages show it.
pub(crate) fn router_log_row(l: RouterLogEntry) -> RouterLogRow {
    RouterLogRow {
        id: l.id,
        at: instant(l.at),
        router_id: l.router.0,
        command: l.command,
        outcome: l.outcome.to_string(),
        error: l.error.unwrap_or_default(),
        duration_ms: l.duration_ms,
    }
}

/// The commands last sent to a router (its page's "Sent to this router").
#[tauri::command]
pub async fn router_log(state: State<'_, AppState>, id: i64) -> Answer<Vec<RouterLogRow>> {
    let log = state.store.router_log(RouterId(id), ROUTER_LOG_ROWS).await.map_err(db)?;
    Ok(log.into_iter().map(router_log_row).collect())
}

/// The service a live session's user is, for the link from Live sessions.
#[tauri::command]
pub async fn session_service(state: State<'_, AppState>, session: SessionUser) -> Answer<Option<i64>> {
    let service =
        state.workflows.session_service(RouterId(session.router_id), &session.user).await.map_err(workflow_error)?;
    Ok(service.map(|s| s.0))
}

#[tauri::command]
pub async fn kick_session(state: State<'_, AppState>, kick: KickSession) -> Answer<()> {
    let router = RouterId(kick.router_id);
    let user = state.fleet.session(router, &kick.session_id).map(|s| s.user).unwrap_or_default();
    state
        .workflows
        .kick_session(&Actor::Operator, &state.fleet, router, &kick.session_id, &user)
        .await
        .map_err(workflow_error)
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

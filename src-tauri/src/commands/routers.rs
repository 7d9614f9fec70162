//! Routers: the inventory, their live state, sessions, and the demo network.

use std::str::FromStr;

use headend_core::RouterId;
use headend_core::activity::Subject;
use headend_core::geo::GeoPoint;
use headend_core::router::{Router, Transport};
use headend_engine::RouterStatus;
use headend_ipc::{ErrorCode, InterfaceRow, KickSession, RouterForm, RouterHealthDto, RouterRow, SessionRow};
use headend_secrets::SecretKey;
use headend_store::NewRouter;
use tauri::State;

use super::{Answer, db, error, invalid, log, store_error};
use crate::demo::DemoNetwork;
use crate::live;
use crate::state::AppState;

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
            log(
                &state,
                Subject::Router(id),
                "router added",
                format!("{} at {}:{} over {}", new.name, new.host, new.port, new.transport),
            )
            .await;
            id
        }
        Some(id) => {
            let id = RouterId(id);
            state.store.update_router(id, &new).await.map_err(store_error)?;
            if !form.password.is_empty() {
                set_password(&state, id, form.password).await?;
            }
            log(
                &state,
                Subject::Router(id),
                "router edited",
                format!("{} at {}:{} over {}", new.name, new.host, new.port, new.transport),
            )
            .await;
            id
        }
    };
    if let Some(router) = state.store.router(id).await.map_err(db)? {
        state.fleet.watch(router);
    }
    // New credentials or a new address: worth a login again, and a sweep now.
    state.resume_router(id);
    Ok(id.0)
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
    log(&state, Subject::Router(id), "router removed", name).await;
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
    state.fleet.sessions().iter().map(|s| live::session_row(s, live::router_name(&statuses, s.router))).collect()
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
    log(&state, Subject::Router(router), "session kicked", user).await;
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

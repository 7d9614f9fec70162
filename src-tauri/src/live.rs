//! Keeps the UI in step with the fleet: once a second, the session changes
//! since the last look (sent even when empty: the UI's clock for uptimes
//! ticks with it, so it repaints once a second, not once per source), and a
//! ping when a router's state changed. Batching bounds the IPC traffic
//! however busy the routers are.

use std::time::Duration;

use headend_fleet::{Fleet, LiveSession, RouterHealth, RouterState, RouterStatus};
use headend_ipc::{RouterHealthDto, RouterStatusDto, SessionRow, SessionsChanged, event};
use tauri::{AppHandle, Emitter, Runtime};

const PUSH_EVERY: Duration = Duration::from_secs(1);

pub async fn push_changes<R: Runtime>(app: AppHandle<R>, fleet: Fleet) {
    let mut tick = tokio::time::interval(PUSH_EVERY);
    let mut last_statuses = Vec::new();
    loop {
        tick.tick().await;
        let statuses = fleet.statuses();
        if statuses != last_statuses {
            if let Err(err) = app.emit(event::ROUTERS_CHANGED, ()) {
                tracing::warn!("cannot notify the UI: {err}");
            }
            last_statuses = statuses;
        }
        let changes = fleet.take_session_changes();
        let names = |id| router_name(&last_statuses, id);
        let payload = SessionsChanged {
            upserted: changes.upserted.iter().map(|s| session_row(s, names(s.router))).collect(),
            removed: changes.removed.into_iter().map(|(router, id)| (router.0, id)).collect(),
        };
        // As a JSON string: the UI parses one string much faster than the
        // equivalent JavaScript objects.
        let sent = serde_json::to_string(&payload)
            .map_err(tauri::Error::from)
            .and_then(|json| app.emit(event::SESSIONS_CHANGED, json));
        if let Err(err) = sent {
            tracing::warn!("cannot send sessions to the UI: {err}");
        }
    }
}

pub fn router_name(statuses: &[RouterStatus], id: headend_core::RouterId) -> String {
    statuses.iter().find(|s| s.router == id).map(|s| s.name.clone()).unwrap_or_else(|| id.to_string())
}

pub fn session_row(s: &LiveSession, router_name: String) -> SessionRow {
    SessionRow {
        router_id: s.router.0,
        router_name,
        id: s.id.clone(),
        user: s.user.clone(),
        address: s.address.clone(),
        caller_id: s.caller_id.clone(),
        since: s.since.as_second(),
        // The router counts from its side: what comes in is the subscriber's upload.
        rate_down: s.rate_out,
        rate_up: s.rate_in,
    }
}

pub fn health_dto(h: &RouterHealth) -> RouterHealthDto {
    RouterHealthDto {
        identity: h.identity.clone(),
        version: h.version.clone(),
        board: h.board.clone(),
        uptime_secs: h.uptime.map(|u| u.as_secs()),
        cpu_load: h.cpu_load,
        free_memory: h.free_memory,
        total_memory: h.total_memory,
        ppp_secrets: h.ppp_secrets,
        active_sessions: h.active_sessions,
    }
}

pub fn status_dto(status: Option<&RouterStatus>) -> RouterStatusDto {
    match status.map(|s| &s.state) {
        None => RouterStatusDto::Unknown,
        Some(RouterState::Connecting) => RouterStatusDto::Connecting,
        Some(RouterState::Up(h)) => RouterStatusDto::Up(health_dto(h)),
        Some(RouterState::Down { error }) => RouterStatusDto::Down { error: error.clone() },
    }
}

//! Keeps the UI in step with the fleet: once a second a [`SessionsTick`]
//! (the sessions' version and count, the console's clock for uptimes, and
//! the rows the Live sessions page watches when they changed), and a ping
//! when a router's state changed. Only the rows on screen cross to the web
//! view, and only when they changed, so 20,000 sessions changing cost it
//! the forty it shows, however busy the routers are. They are pushed with
//! the tick rather than asked for: on WebKitGTK an `invoke` a second costs
//! the web process about 15 % of a core, an event a fraction of that.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use headend_fleet::{Fleet, LiveSession, RouterHealth, RouterState, RouterStatus, SessionFilter};
use headend_ipc::{
    RouterHealthDto, RouterStatusDto, RoutersChanged, SessionQuery, SessionRouter, SessionRow, SessionWindow,
    SessionsTick, WatchedSessions, event,
};
use tauri::{AppHandle, Emitter, Runtime};

use crate::state::lock;

const PUSH_EVERY: Duration = Duration::from_secs(1);
/// The most rows one ask returns: several screens of a tall window.
const MAX_WINDOW_ROWS: u32 = 500;

/// The rows the Live sessions page shows, and the last it was sent.
#[derive(Debug, Default)]
pub struct SessionWatch {
    query: Option<SessionQuery>,
    sent: Option<(SessionQuery, u64)>,
}

impl SessionWatch {
    /// The page shows `query` now (`None`: it closed); the rows for it now.
    pub fn watch(&mut self, fleet: &Fleet, query: Option<SessionQuery>) -> Option<SessionWindow> {
        self.query = query;
        self.sent = None;
        self.changed(fleet).map(|w| w.window)
    }

    /// The watched rows, if they changed since last sent.
    fn changed(&mut self, fleet: &Fleet) -> Option<WatchedSessions> {
        let query = self.query.clone()?;
        let version = fleet.sessions_version();
        if self.sent.as_ref().is_some_and(|(q, v)| *q == query && *v == version) {
            return None;
        }
        let window = session_window(fleet, &query);
        self.sent = Some((query.clone(), version));
        Some(WatchedSessions { query, window })
    }
}

pub async fn push_changes<R: Runtime>(app: AppHandle<R>, fleet: Fleet, watch: Arc<Mutex<SessionWatch>>) {
    let mut tick = tokio::time::interval(PUSH_EVERY);
    let mut last_statuses = Vec::new();
    loop {
        tick.tick().await;
        let statuses = fleet.statuses();
        if statuses != last_statuses {
            let changed = RoutersChanged { states: states(&statuses) != states(&last_statuses) };
            if let Err(err) = app.emit(event::ROUTERS_CHANGED, changed) {
                tracing::warn!("cannot notify the UI: {err}");
            }
            last_statuses = statuses;
        }
        let tick = SessionsTick {
            version: fleet.sessions_version(),
            total: fleet.session_count() as u64,
            watched: lock(&watch).changed(&fleet),
        };
        if let Err(err) = app.emit(event::SESSIONS_TICK, tick) {
            tracing::warn!("cannot send the sessions' tick to the UI: {err}");
        }
    }
}

/// Each router's state (connecting, up, down), without its details.
fn states(statuses: &[RouterStatus]) -> Vec<(headend_core::RouterId, std::mem::Discriminant<RouterState>)> {
    statuses.iter().map(|s| (s.router, std::mem::discriminant(&s.state))).collect()
}

/// The rows of the Live sessions list for `query`.
fn session_window(fleet: &Fleet, query: &SessionQuery) -> SessionWindow {
    let statuses = fleet.statuses();
    let needle = query.search.trim().to_lowercase();
    let filter = SessionFilter {
        text: query.search.clone(),
        routers: query.router_id.map(|id| vec![headend_core::RouterId(id)]).unwrap_or_default(),
        // A search for a router's name finds its sessions.
        text_routers: statuses
            .iter()
            .filter(|s| !needle.is_empty() && s.name.to_lowercase().contains(&needle))
            .map(|s| s.router)
            .collect(),
    };
    let window = fleet.session_window(&filter, query.first as usize, query.count.min(MAX_WINDOW_ROWS) as usize);
    SessionWindow {
        matched: window.matched as u64,
        total: window.total as u64,
        first: u32::try_from(window.first).unwrap_or(u32::MAX),
        rows: window.rows.iter().map(|s| session_row(s, router_name(&statuses, s.router))).collect(),
        routers: fleet
            .sessions_per_router()
            .into_iter()
            .map(|(id, sessions)| SessionRouter {
                id: id.0,
                name: router_name(&statuses, id),
                sessions: sessions as u64,
            })
            .collect(),
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

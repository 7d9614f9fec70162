//! Watching every router: one task per router keeps a connection, reads its
//! health every [`HEALTH_EVERY`], follows its PPP sessions with `listen`
//! (streamed, not polled; REST routers, which cannot stream, are polled
//! every second by the REST client) and re-reads them every [`COUNTERS_EVERY`] for byte
//! counters and rates. A router that is down, slow or refusing only
//! affects its own task, which reconnects with capped backoff.
//!
//! Routers in API mode also feed the session history: every
//! [`HISTORY_EVERY`] their sessions and those that ended since go to the
//! store (`Store::record_api_sessions`); RADIUS-mode routers' history
//! comes from accounting instead.
//!
//! The fleet keeps the results ([`Fleet::statuses`], [`Fleet::sessions`],
//! [`Fleet::session_window`], [`Fleet::sessions_version`]); the app decides how
//! often to show them.

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use headend_core::RouterId;
use headend_core::router::{Backend, Router};
use headend_routeros::client::ClientError;
use headend_routeros::ops::{ActiveEvent, Interface, ItemId, RouterApi};
use headend_store::{ApiSession, Store};
use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};

use crate::connect::Connector;
use crate::health::{RouterHealth, probe};
use crate::live::{LiveSession, LiveSessions, SessionFilter, SessionWindow};

pub const HEALTH_EVERY: Duration = Duration::from_secs(10);
pub const COUNTERS_EVERY: Duration = Duration::from_secs(5);
/// How often sessions go to the session history: their bytes there are at
/// most this old, and a session's stop is its end event's instant.
pub const HISTORY_EVERY: Duration = Duration::from_secs(60);
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouterState {
    Connecting,
    Up(RouterHealth),
    Down { error: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterStatus {
    pub router: RouterId,
    pub name: String,
    pub state: RouterState,
    /// When the state last changed from up to down or back.
    pub since: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("router {0} is not being watched")]
    UnknownRouter(RouterId),
    #[error("router {0} is not connected right now")]
    RouterDown(String),
    #[error("{0}")]
    Router(#[from] ClientError),
}

enum RouterCommand {
    Kick { id: String, reply: oneshot::Sender<Result<(), FleetError>> },
    ProbeNow { reply: oneshot::Sender<Result<RouterHealth, FleetError>> },
    Interfaces { reply: oneshot::Sender<Result<Vec<Interface>, FleetError>> },
}

struct Watched {
    commands: mpsc::Sender<RouterCommand>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Shared {
    statuses: BTreeMap<RouterId, RouterStatus>,
    sessions: LiveSessions,
}

/// The watched routers. Cheap to clone.
#[derive(Clone)]
pub struct Fleet {
    connector: Connector,
    shared: Arc<Mutex<Shared>>,
    watched: Arc<Mutex<BTreeMap<RouterId, Watched>>>,
    history_every: Duration,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Fleet {
    pub fn new(connector: Connector) -> Self {
        Self { connector, shared: Arc::default(), watched: Arc::default(), history_every: HISTORY_EVERY }
    }

    /// How often sessions go to the session history (for tests); default
    /// [`HISTORY_EVERY`].
    #[must_use]
    pub fn with_history_interval(mut self, every: Duration) -> Self {
        self.history_every = every;
        self
    }

    /// Starts watching `router`, or restarts it with new settings.
    pub fn watch(&self, router: Router) {
        self.unwatch(router.id);
        let (commands, inbox) = mpsc::channel(16);
        lock(&self.shared).statuses.insert(
            router.id,
            RouterStatus {
                router: router.id,
                name: router.name.clone(),
                state: RouterState::Connecting,
                since: Timestamp::now(),
            },
        );
        let id = router.id;
        let task =
            tokio::spawn(watch_router(self.connector.clone(), self.shared.clone(), router, inbox, self.history_every));
        lock(&self.watched).insert(id, Watched { commands, task });
    }

    /// Stops watching `router` and forgets its sessions.
    pub fn unwatch(&self, router: RouterId) {
        if let Some(w) = lock(&self.watched).remove(&router) {
            w.task.abort();
        }
        let mut shared = lock(&self.shared);
        shared.statuses.remove(&router);
        shared.sessions.forget(router);
    }

    pub fn statuses(&self) -> Vec<RouterStatus> {
        lock(&self.shared).statuses.values().cloned().collect()
    }

    pub fn sessions(&self) -> Vec<LiveSession> {
        lock(&self.shared).sessions.snapshot()
    }

    pub fn session_count(&self) -> usize {
        lock(&self.shared).sessions.len()
    }

    pub fn session(&self, router: RouterId, id: &str) -> Option<LiveSession> {
        lock(&self.shared).sessions.get(router, id).cloned()
    }

    /// Moves whenever a session comes, goes or changes.
    pub fn sessions_version(&self) -> u64 {
        lock(&self.shared).sessions.version()
    }

    /// A slice of the sessions list ([`LiveSessions::window`]).
    pub fn session_window(&self, filter: &SessionFilter, first: usize, count: usize) -> SessionWindow {
        lock(&self.shared).sessions.window(filter, first, count)
    }

    /// The routers that have sessions, with how many.
    pub fn sessions_per_router(&self) -> Vec<(RouterId, usize)> {
        lock(&self.shared).sessions.per_router().collect()
    }

    fn sender(&self, router: RouterId) -> Result<mpsc::Sender<RouterCommand>, FleetError> {
        lock(&self.watched).get(&router).map(|w| w.commands.clone()).ok_or(FleetError::UnknownRouter(router))
    }

    /// Sends `command` to the router's task and waits for its answer.
    async fn ask<T>(
        &self,
        router: RouterId,
        command: impl FnOnce(oneshot::Sender<Result<T, FleetError>>) -> RouterCommand,
    ) -> Result<T, FleetError> {
        let (reply, answer) = oneshot::channel();
        let name = self.name(router);
        self.sender(router)?.send(command(reply)).await.map_err(|_| FleetError::RouterDown(name.clone()))?;
        answer.await.map_err(|_| FleetError::RouterDown(name))?
    }

    /// Ends a live session on its router.
    pub async fn kick(&self, router: RouterId, session_id: &str) -> Result<(), FleetError> {
        let id = session_id.to_owned();
        self.ask(router, |reply| RouterCommand::Kick { id, reply }).await
    }

    /// Reads the router's health now (the "test connection" button).
    pub async fn probe_now(&self, router: RouterId) -> Result<RouterHealth, FleetError> {
        self.ask(router, |reply| RouterCommand::ProbeNow { reply }).await
    }

    /// The router's interfaces with their byte counters, read now.
    pub async fn interfaces(&self, router: RouterId) -> Result<Vec<Interface>, FleetError> {
        self.ask(router, |reply| RouterCommand::Interfaces { reply }).await
    }

    fn name(&self, router: RouterId) -> String {
        lock(&self.shared).statuses.get(&router).map(|s| s.name.clone()).unwrap_or_else(|| router.to_string())
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn set_state(shared: &Mutex<Shared>, router: RouterId, state: RouterState) {
    let mut shared = lock(shared);
    let going_down = matches!(state, RouterState::Down { .. } | RouterState::Connecting);
    if going_down {
        shared.sessions.forget(router);
    }
    if let Some(status) = shared.statuses.get_mut(&router) {
        let was_up = matches!(status.state, RouterState::Up(_));
        let is_up = matches!(state, RouterState::Up(_));
        if was_up != is_up {
            status.since = Timestamp::now();
        }
        status.state = state;
    }
}

async fn watch_router(
    connector: Connector,
    shared: Arc<Mutex<Shared>>,
    router: Router,
    mut inbox: mpsc::Receiver<RouterCommand>,
    history_every: Duration,
) {
    let mut backoff = BACKOFF_FIRST;
    loop {
        let error = match connector.connect(&router).await {
            Ok(link) => {
                backoff = BACKOFF_FIRST;
                let watch = Watch { shared: &shared, router: &router, store: connector.store(), history_every };
                match follow(&link, watch, &mut inbox).await {
                    Ok(()) => return,
                    Err(err) => err.to_string(),
                }
            }
            Err(err) => err.to_string(),
        };
        tracing::info!(router = %router.name, %error, retry_in = ?backoff, "router unreachable");
        set_state(&shared, router.id, RouterState::Down { error: error.clone() });
        // Wait out the backoff, answering commands; a probe retries at once.
        let wake = tokio::time::sleep(backoff);
        tokio::pin!(wake);
        loop {
            tokio::select! {
                () = &mut wake => break,
                command = inbox.recv() => match command {
                    None => return,
                    Some(RouterCommand::Kick { reply, .. }) => {
                        let _ = reply.send(Err(FleetError::RouterDown(router.name.clone())));
                    }
                    Some(RouterCommand::ProbeNow { reply }) => {
                        let _ = reply.send(Err(FleetError::RouterDown(format!("{}: {error}", router.name))));
                        break;
                    }
                    Some(RouterCommand::Interfaces { reply }) => {
                        let _ = reply.send(Err(FleetError::RouterDown(router.name.clone())));
                    }
                },
            }
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
        set_state(&shared, router.id, RouterState::Connecting);
    }
}

/// What a router's task follows it with.
struct Watch<'a> {
    shared: &'a Mutex<Shared>,
    router: &'a Router,
    store: &'a Store,
    history_every: Duration,
}

/// Follows a connected router until the connection fails (`Err`) or the
/// fleet stops watching it (`Ok`).
async fn follow<A: RouterApi>(
    link: &A,
    cx: Watch<'_>,
    inbox: &mut mpsc::Receiver<RouterCommand>,
) -> Result<(), ClientError> {
    let Watch { shared, router, store, history_every } = cx;
    // Listen first, then read, so no change between the two is missed.
    let mut watch = link.watch_ppp_active().await?;
    let active = link.ppp_active().await?;
    lock(shared).sessions.reset(router.id, &active, Timestamp::now());
    set_state(shared, router.id, RouterState::Up(probe(link).await?));
    let mut health = tokio::time::interval_at(tokio::time::Instant::now() + HEALTH_EVERY, HEALTH_EVERY);
    let mut counters = tokio::time::interval_at(tokio::time::Instant::now() + COUNTERS_EVERY, COUNTERS_EVERY);
    // At once too: rows left open while nobody watched are closed now.
    let mut history = tokio::time::interval(history_every);
    let record = matches!(router.backend, Backend::Api);
    loop {
        tokio::select! {
            event = poll_fn(|cx| futures_core::Stream::poll_next(std::pin::Pin::new(&mut watch), cx)) => match event {
                Some(Ok(ActiveEvent::Up(active))) => lock(shared).sessions.up(router.id, &active, Timestamp::now()),
                Some(Ok(ActiveEvent::Gone(id))) => lock(shared).sessions.ended(router.id, &id.to_string(), Timestamp::now()),
                Some(Err(err)) => return Err(err),
                None => return Err(ClientError::UnexpectedReply("the session stream ended".into())),
            },
            _ = health.tick() => set_state(shared, router.id, RouterState::Up(probe(link).await?)),
            _ = history.tick() => {
                if record {
                    record_history(store, shared, router.id).await;
                } else {
                    // A RADIUS router's history comes from accounting: what
                    // ended is dropped, not kept for nobody.
                    lock(shared).sessions.take_history(router.id);
                }
            }
            _ = counters.tick() => {
                let active = link.ppp_active().await?;
                lock(shared).sessions.reset(router.id, &active, Timestamp::now());
            }
            command = inbox.recv() => match command {
                None => return Ok(()),
                Some(RouterCommand::Kick { id, reply }) => {
                    let result = link.kick_ppp_session(ItemId::new(id.as_str())).await;
                    if result.is_ok() {
                        lock(shared).sessions.ended(router.id, &id, Timestamp::now());
                    }
                    let _ = reply.send(result.map_err(FleetError::from));
                }
                Some(RouterCommand::ProbeNow { reply }) => {
                    let health = probe(link).await;
                    if let Ok(h) = &health {
                        set_state(shared, router.id, RouterState::Up(h.clone()));
                    }
                    let _ = reply.send(health.map_err(FleetError::from));
                }
                Some(RouterCommand::Interfaces { reply }) => {
                    let _ = reply.send(link.interfaces().await.map_err(FleetError::from));
                }
            },
        }
    }
}

/// Hands a router's sessions and those that ended to the session history.
/// A failure is logged: the rows left open are closed at a later pass.
async fn record_history(store: &Store, shared: &Mutex<Shared>, router: RouterId) {
    let (listed, ended) = lock(shared).sessions.take_history(router);
    let listed: Vec<ApiSession> = listed.iter().map(api_session).collect();
    let ended: Vec<(ApiSession, Timestamp)> = ended.iter().map(|(s, at)| (api_session(s), *at)).collect();
    match store.record_api_sessions(router, &listed, &ended, Timestamp::now()).await {
        Ok(done) => tracing::debug!(%router, started = done.started, stopped = done.stopped, "session history"),
        Err(err) => tracing::warn!(%router, "cannot record the session history: {err}"),
    }
}

fn api_session(s: &LiveSession) -> ApiSession {
    let text = |t: &str| (!t.is_empty()).then(|| t.to_owned());
    ApiSession {
        id: s.id.clone(),
        user: s.user.clone(),
        started_at: s.since,
        address: text(&s.address),
        caller: text(&s.caller_id),
        bytes_in: s.bytes_in,
        bytes_out: s.bytes_out,
    }
}

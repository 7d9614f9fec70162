//! The provisioning loop: which router is swept when.
//!
//! Every router is swept every interval (default 15 s), at once when a
//! change asks for it (from this process through [`Provisioner::request`],
//! from another through the database's sweep requests, polled four times a
//! second), and at the next midnight cutoff of the ISP's time zone even if
//! nothing else happens. Routers are swept in parallel up to a bound; a
//! slow or dead router only holds its own slot. One sweep per router at a
//! time, here and across processes (a lease row in the database). Sweeps
//! asked for start before the periodic ones waiting for a slot. A
//! router whose login is refused is not retried until its address, user
//! or password changes (in the database or the keyring, from any process)
//! or the operator asks: failed logins fill the router's log and can lock
//! the account.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use headend_core::RouterId;
use headend_core::event::{CertificateChanged, ProvisionFailed};
use headend_core::radius::database::DatabaseUrl;
use headend_core::router::{Router, Transport};
use headend_fleet::{ConnectError, Connector, RouterLink};
use headend_radius::client::Retry;
use headend_radius_db::RadiusDb;
use headend_routeros::client::ClientError;
use headend_routeros::ops::RouterApi;
use headend_secrets::{RADIUS_DB_KEY, Secret, SecretKey, SubscriberCipher};
use headend_store::{EngineHolder, Store};
use jiff::Timestamp;
use tokio::sync::{Notify, Semaphore, broadcast};
use tokio::task::JoinSet;

use crate::dialect::Dialect;
use crate::lease::RouterLease;
use crate::radius::RadiusSide;
use crate::sweep::{RouterSweep, SweepContext, SweepMode, sweep_router};

/// How the loop runs.
#[derive(Clone)]
pub struct EngineConfig {
    pub interval: Duration,
    /// Routers swept at the same time.
    pub concurrency: usize,
    /// This engine in the router leases ([`Store::engine_holder`]).
    pub holder: EngineHolder,
}

impl EngineConfig {
    /// Every 15 s, 8 routers at a time.
    pub fn new(holder: EngineHolder) -> Self {
        Self { interval: Duration::from_secs(15), concurrency: 8, holder }
    }
}

/// What the loop tells the rest of the app.
#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// A router was swept (with writes, conflicts or failures, or not).
    Swept(Arc<RouterSweep>),
    /// A write gave up after its last retry, or cannot be done at all.
    ProvisionFailed(ProvisionFailed),
    /// The router could not be swept.
    Unreachable { router: RouterId, name: String, error: String },
    /// The router refused the login: no more attempts until its address,
    /// user or password changes, or [`Provisioner::resume_router`].
    LoginRefused { router: RouterId, name: String, error: String },
    /// The router presented another certificate than the pinned one: not
    /// contacted until the operator trusts it. Raised once per certificate.
    CertificateChanged(CertificateChanged),
    /// A sweep of a reachable router did not complete (reading it failed,
    /// another process holds it, the database refused).
    SweepFailed { router: RouterId, name: String, error: String },
}

/// Which routers a turn of the loop found due: every one (the interval or
/// a cutoff), and those asked for.
#[derive(Default)]
struct Due {
    all: bool,
    routers: HashSet<RouterId>,
}

impl Due {
    fn is_empty(&self) -> bool {
        !self.all && self.routers.is_empty()
    }
}

/// Routers due and not started yet, started as slots free up: those asked
/// for first, so a suspension is not queued behind a periodic sweep of
/// every router (hundreds, on a large network).
#[derive(Default)]
struct Waiting {
    asked: VecDeque<RouterId>,
    periodic: VecDeque<RouterId>,
}

impl Waiting {
    fn ask(&mut self, router: RouterId) {
        // Its sweep does the periodic one's work too.
        self.periodic.retain(|r| *r != router);
        if !self.asked.contains(&router) {
            self.asked.push_back(router);
        }
    }

    fn periodic(&mut self, router: RouterId) {
        if !self.asked.contains(&router) && !self.periodic.contains(&router) {
            self.periodic.push_back(router);
        }
    }

    fn next(&mut self) -> Option<RouterId> {
        self.asked.pop_front().or_else(|| self.periodic.pop_front())
    }

    fn is_empty(&self) -> bool {
        self.asked.is_empty() && self.periodic.is_empty()
    }
}

const REQUEST_POLL: Duration = Duration::from_millis(250);

struct Link {
    link: RouterLink,
    dialect: Dialect,
    /// Where and as whom it logged in: a router edited since gets a new one.
    endpoint: Endpoint,
}

/// Where a router is reached and who logs in: what an operator's edit
/// changes. Links and refusals are kept for one endpoint only.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Endpoint {
    host: String,
    port: u16,
    transport: Transport,
    username: String,
}

impl Endpoint {
    fn of(router: &Router) -> Self {
        Self {
            host: router.host.clone(),
            port: router.port,
            transport: router.transport,
            username: router.username.clone(),
        }
    }
}

/// A refused login: for this endpoint and the password the keyring held
/// (its digest, not the password).
#[derive(Debug, Clone)]
struct Refusal {
    endpoint: Endpoint,
    password: u64,
}

#[derive(Default)]
struct State {
    links: HashMap<RouterId, Arc<Link>>,
    running: HashSet<RouterId>,
    /// Asked for again while running: swept once more right after.
    again: HashSet<RouterId>,
    refused: HashMap<RouterId, Refusal>,
    paused: bool,
    interval: Option<Duration>,
}

/// The pool to FreeRADIUS's database, kept while its address and
/// password stay the same.
struct RadiusPool {
    url: DatabaseUrl,
    password: u64,
    db: RadiusDb,
}

struct Inner {
    store: Store,
    connector: Connector,
    radius: tokio::sync::Mutex<Option<RadiusPool>>,
    /// Digests refused passwords, to notice when the keyring's changes.
    hasher: RandomState,
    cipher: Option<SubscriberCipher>,
    config: EngineConfig,
    state: Mutex<State>,
    wake: Notify,
    stop: Notify,
    slots: Semaphore,
    events: broadcast::Sender<EngineEvent>,
}

/// The provisioning engine. Cheap to clone; [`Provisioner::run`] drives it.
/// "Now" is its store's clock ([`Store::clock`]), so the instants it
/// compares and the ones the store writes are the same time.
#[derive(Clone)]
pub struct Provisioner {
    inner: Arc<Inner>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Provisioner {
    /// `cipher` decrypts PPPoE passwords; without it PPPoE services are
    /// left as they are on their routers (and reported).
    pub fn new(store: Store, connector: Connector, cipher: Option<SubscriberCipher>, config: EngineConfig) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                slots: Semaphore::new(config.concurrency.max(1)),
                store,
                connector,
                radius: tokio::sync::Mutex::new(None),
                hasher: RandomState::new(),
                cipher,
                config,
                state: Mutex::new(State::default()),
                wake: Notify::new(),
                stop: Notify::new(),
                events,
            }),
        }
    }

    /// This engine in the leases; the process's other engine (OLTs) shares
    /// it.
    pub fn holder(&self) -> &EngineHolder {
        &self.inner.config.holder
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    /// Sweep `router` as soon as possible.
    pub fn request(&self, router: RouterId) {
        lock(&self.inner.state).again.insert(router);
        self.inner.wake.notify_one();
    }

    /// Stop or restart the periodic and requested sweeps (the tray's
    /// Pause). Sweeps in flight finish.
    pub fn set_paused(&self, paused: bool) {
        lock(&self.inner.state).paused = paused;
        self.inner.wake.notify_one();
    }

    pub fn set_interval(&self, interval: Duration) {
        lock(&self.inner.state).interval = Some(interval);
        self.inner.wake.notify_one();
    }

    /// Try a router whose login was refused again (its password or user
    /// was changed).
    pub fn resume_router(&self, router: RouterId) {
        {
            let mut state = lock(&self.inner.state);
            state.refused.remove(&router);
            state.links.remove(&router);
        }
        self.request(router);
    }

    /// Ends [`Provisioner::run`] after the sweeps in flight finish their
    /// writes.
    pub fn shutdown(&self) {
        self.inner.stop.notify_one();
    }

    fn now(&self) -> Timestamp {
        self.inner.store.clock().now()
    }

    /// Sweeps every router once, all in parallel up to the bound, and
    /// returns what happened to each (`headend sweep --once`).
    pub async fn sweep_all(&self, mode: SweepMode) -> Vec<Result<Arc<RouterSweep>, (String, String)>> {
        let routers = match self.inner.store.routers().await {
            Ok(r) => r,
            Err(e) => return vec![Err(("database".into(), e.to_string()))],
        };
        let mut tasks = JoinSet::new();
        for router in routers {
            let me = self.clone();
            tasks.spawn(async move {
                let name = router.name.clone();
                me.sweep_one(router, mode).await.map_err(|e| (name, e))
            });
        }
        let mut out = Vec::new();
        while let Some(done) = tasks.join_next().await {
            out.push(done.unwrap_or_else(|e| Err(("task".into(), e.to_string()))));
        }
        out
    }

    /// Sweeps one router now (waiting for a slot and for its lease).
    pub async fn sweep_one(&self, router: Router, mode: SweepMode) -> Result<Arc<RouterSweep>, String> {
        let (id, name) = (router.id, router.name.clone());
        let result = self.sweep_slot(router, mode).await;
        if let Err(error) = &result {
            let error = error.clone();
            self.inner.events.send(EngineEvent::SweepFailed { router: id, name, error }).ok();
        }
        result
    }

    /// Sweeps under the router's lease (an applying sweep), kept alive by a
    /// heartbeat while the sweep runs; a dead engine's lease is taken over
    /// (see [`headend_store::EngineHolder`]).
    async fn sweep_slot(&self, router: Router, mode: SweepMode) -> Result<Arc<RouterSweep>, String> {
        let _slot = self.inner.slots.acquire().await.map_err(|e| e.to_string())?;
        if mode == SweepMode::DryRun {
            return self.sweep_leased(&router, mode, None).await;
        }
        let holder = self.inner.config.holder.name();
        let Some(lease) = RouterLease::take(&self.inner.store, router.id, holder).await? else {
            return Err("another Headend process is sweeping this router".into());
        };
        let result = tokio::select! {
            result = self.sweep_leased(&router, mode, Some(&lease)) => result,
            never = lease.heartbeat() => match never {},
        };
        lease.release().await;
        result
    }

    async fn sweep_leased(
        &self,
        router: &Router,
        mode: SweepMode,
        lease: Option<&RouterLease<'_>>,
    ) -> Result<Arc<RouterSweep>, String> {
        let link = self.link(router).await?;
        let radius_db = match self.radius_db().await {
            Ok(db) => db,
            // Only a RADIUS router needs it; an API router's clean-up waits.
            Err(e) if router.backend.nas().is_some() => return Err(e),
            Err(e) => {
                tracing::debug!(error = %e, "FreeRADIUS's database is out of reach");
                None
            }
        };
        let nas_secret = match router.backend.nas() {
            Some(_) => self.keyring(SecretKey::nas_secret(router.id)).await?,
            None => None,
        };
        let side =
            radius_db.as_ref().map(|db| RadiusSide { db, nas_secret: nas_secret.as_ref(), retry: Retry::default() });
        let cx = SweepContext {
            store: &self.inner.store,
            cipher: self.inner.cipher.as_ref(),
            now: self.now(),
            jitter: &rand::random::<f64>,
            lease,
            radius: side.as_ref(),
        };
        let swept = sweep_router(&cx, &link.link, link.dialect, router, mode).await;
        match swept {
            Ok(report) => {
                let report = Arc::new(report);
                for failed in &report.gave_up {
                    self.inner.events.send(EngineEvent::ProvisionFailed(failed.clone())).ok();
                }
                self.inner.events.send(EngineEvent::Swept(report.clone())).ok();
                Ok(report)
            }
            Err(e) => {
                // A broken connection is made again next time.
                lock(&self.inner.state).links.remove(&router.id);
                Err(e.to_string())
            }
        }
    }

    /// A password from the keyring (whose calls block).
    async fn keyring(&self, key: SecretKey) -> Result<Option<Secret>, String> {
        let secrets = self.inner.connector.secrets().clone();
        let what = key.to_string();
        tokio::task::spawn_blocking(move || secrets.get(&key))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot read {what} from the keyring: {e}"))
    }

    /// FreeRADIUS's database when RADIUS is set up (`None` otherwise),
    /// connected once and again only when its address or password
    /// changes, in this process or another.
    async fn radius_db(&self) -> Result<Option<RadiusDb>, String> {
        let Some(settings) = self.inner.store.radius_settings().await.map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let Some(password) = self.keyring(SecretKey::radius_db(RADIUS_DB_KEY)).await? else {
            return Err("no password for FreeRADIUS's database in the keyring (headend radius set)".into());
        };
        let digest = self.inner.hasher.hash_one(password.expose());
        let mut pool = self.inner.radius.lock().await;
        if let Some(p) = pool.as_ref()
            && p.url == settings.url
            && p.password == digest
        {
            return Ok(Some(p.db.clone()));
        }
        let db = RadiusDb::connect(&settings.url, &password).await.map_err(|e| e.to_string())?;
        db.require_schema().await.map_err(|e| e.to_string())?;
        if let Some(old) = pool.replace(RadiusPool { url: settings.url, password: digest, db: db.clone() }) {
            old.db.close().await;
        }
        Ok(Some(db))
    }

    /// The router's connection, made (and its RouterOS version read) on
    /// first use and kept: a sweep every 15 s must not log in every 15 s.
    async fn link(&self, router: &Router) -> Result<Arc<Link>, String> {
        if self.still_refused(router).await {
            return Err("the router refused the login; fix its user or password, then retry".into());
        }
        let endpoint = Endpoint::of(router);
        {
            let mut state = lock(&self.inner.state);
            match state.links.get(&router.id) {
                Some(link) if link.endpoint == endpoint => return Ok(link.clone()),
                Some(_) => {
                    // Edited since: a new address or user needs a new login.
                    if let Some(old) = state.links.remove(&router.id) {
                        old.link.close();
                    }
                }
                None => {}
            }
        }
        let connected = match self.inner.connector.connect(router).await {
            Ok(link) => link,
            Err(e) => {
                let error = e.to_string();
                if let ConnectError::CertificateChanged { pinned, presented, refused_earlier, .. } = e {
                    if !refused_earlier {
                        let changed =
                            CertificateChanged { router: router.id, name: router.name.clone(), pinned, presented };
                        self.inner.events.send(EngineEvent::CertificateChanged(changed)).ok();
                    }
                } else if let ConnectError::Router { source: ClientError::LoginFailed { .. }, .. } = e {
                    self.refuse(router).await;
                    self.inner
                        .events
                        .send(EngineEvent::LoginRefused {
                            router: router.id,
                            name: router.name.clone(),
                            error: error.clone(),
                        })
                        .ok();
                } else {
                    self.inner
                        .events
                        .send(EngineEvent::Unreachable {
                            router: router.id,
                            name: router.name.clone(),
                            error: error.clone(),
                        })
                        .ok();
                }
                return Err(error);
            }
        };
        let dialect = match connected.resource().await {
            Ok(r) => Dialect::from_version(&r.version),
            Err(e) => return Err(e.to_string()),
        };
        let link = Arc::new(Link { link: connected, dialect, endpoint });
        lock(&self.inner.state).links.insert(router.id, link.clone());
        Ok(link)
    }

    /// Remembers that `router` refused the login with the password the
    /// keyring holds now.
    async fn refuse(&self, router: &Router) {
        let password = match self.inner.connector.password_digest(router, &self.inner.hasher).await {
            Ok(digest) => digest,
            Err(e) => {
                tracing::debug!(router = %router.name, error = %e, "cannot read the refused password's digest");
                return;
            }
        };
        lock(&self.inner.state).refused.insert(router.id, Refusal { endpoint: Endpoint::of(router), password });
    }

    /// Whether `router` refused the login and nothing has changed since:
    /// not its address, its user, nor the password in the keyring. A
    /// refusal that no longer holds is forgotten, so a fix made anywhere
    /// (the console, the CLI, another machine's keyring tool) is tried at
    /// once, without a restart.
    async fn still_refused(&self, router: &Router) -> bool {
        let Some(refusal) = lock(&self.inner.state).refused.get(&router.id).cloned() else {
            return false;
        };
        let holds = refusal.endpoint == Endpoint::of(router)
            && match self.inner.connector.password_digest(router, &self.inner.hasher).await {
                Ok(digest) => digest == refusal.password,
                // Unreadable now: not worth a login that would fail too.
                Err(_) => true,
            };
        if !holds {
            lock(&self.inner.state).refused.remove(&router.id);
        }
        holds
    }

    /// Runs the loop until [`Provisioner::shutdown`].
    pub async fn run(&self) {
        let mut tasks: JoinSet<RouterId> = JoinSet::new();
        let mut waiting = Waiting::default();
        let mut next_periodic = tokio::time::Instant::now();
        let mut next_poll = tokio::time::Instant::now();
        // Recomputed whenever something may have changed it (a sweep is
        // due), not on every poll: it reads every service.
        let mut cutoff_at: Option<Timestamp> = None;
        loop {
            let (paused, interval) = {
                let s = lock(&self.inner.state);
                (s.paused, s.interval.unwrap_or(self.inner.config.interval))
            };
            let now = self.now();
            let mut due = Due::default();
            if !paused {
                if tokio::time::Instant::now() >= next_periodic {
                    next_periodic = tokio::time::Instant::now() + interval;
                    due.all = true;
                }
                // Requests for a router another process is sweeping stay
                // for it (its sweep reads the change anyway). Polled on
                // its own clock: the loop also turns at every finished
                // sweep.
                if tokio::time::Instant::now() >= next_poll {
                    next_poll = tokio::time::Instant::now() + REQUEST_POLL;
                    match self.inner.store.take_sweep_requests_for(self.inner.config.holder.name(), now).await {
                        Ok(requested) => due.routers.extend(requested),
                        Err(e) => tracing::warn!(error = %e, "cannot read sweep requests"),
                    }
                }
                // One asked for while it runs waits for its sweep to end
                // (`finished` wakes the loop).
                let mut state = lock(&self.inner.state);
                let State { again, running, .. } = &mut *state;
                again.retain(|r| {
                    let waits = running.contains(r);
                    if !waits {
                        due.routers.insert(*r);
                    }
                    waits
                });
            }
            if !due.is_empty() {
                cutoff_at = self.next_cutoff(now).await;
                self.wait_for_slots(due, &mut waiting).await;
            }
            if !paused {
                self.start_sweeps(&mut waiting, &mut tasks).await;
            }
            let cutoff = cutoff_at.map(|at| Duration::try_from(now.duration_until(at)).unwrap_or(Duration::ZERO));
            let poll = next_poll.min(next_periodic).saturating_duration_since(tokio::time::Instant::now());
            tokio::select! {
                () = self.inner.stop.notified() => break,
                () = self.inner.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
                () = tokio::time::sleep(cutoff.unwrap_or(Duration::ZERO)), if cutoff.is_some() => {
                    // Midnight for someone: sweep everything now.
                    next_periodic = tokio::time::Instant::now();
                    cutoff_at = None;
                }
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Ok(router) = done {
                        self.finished(router);
                    }
                }
            }
        }
        // Let in-flight sweeps finish their writes and logs.
        while let Some(done) = tasks.join_next().await {
            if let Ok(router) = done {
                self.finished(router);
            }
        }
    }

    fn finished(&self, router: RouterId) {
        let mut state = lock(&self.inner.state);
        state.running.remove(&router);
        if state.again.contains(&router) {
            drop(state);
            self.inner.wake.notify_one();
        }
    }

    /// Puts what became due in line: the routers asked for, and on the
    /// interval or a cutoff every router.
    async fn wait_for_slots(&self, due: Due, waiting: &mut Waiting) {
        due.routers.into_iter().for_each(|r| waiting.ask(r));
        if due.all {
            match self.inner.store.routers().await {
                Ok(routers) => routers.into_iter().for_each(|r| waiting.periodic(r.id)),
                Err(e) => tracing::warn!(error = %e, "cannot list routers"),
            }
        }
    }

    /// Starts the waiting sweeps the free slots allow, asked-for ones
    /// first. Only as many start as can run, so one asked for later does
    /// not queue behind them.
    async fn start_sweeps(&self, waiting: &mut Waiting, tasks: &mut JoinSet<RouterId>) {
        let concurrency = self.inner.config.concurrency.max(1);
        if waiting.is_empty() || tasks.len() >= concurrency {
            return;
        }
        let mut routers: HashMap<RouterId, Router> = match self.inner.store.routers().await {
            Ok(r) => r.into_iter().map(|r| (r.id, r)).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot list routers");
                return;
            }
        };
        while tasks.len() < concurrency {
            let Some(id) = waiting.next() else { break };
            // Gone since it was due: removed.
            let Some(router) = routers.remove(&id) else { continue };
            if self.still_refused(&router).await {
                continue;
            }
            {
                let mut state = lock(&self.inner.state);
                if !state.running.insert(router.id) {
                    state.again.insert(router.id);
                    continue;
                }
                state.again.remove(&router.id);
            }
            let me = self.clone();
            tasks.spawn(async move {
                let id = router.id;
                let name = router.name.clone();
                if let Err(error) = me.sweep_one(router, SweepMode::Apply).await {
                    tracing::warn!(router = %name, %error, "sweep failed");
                }
                id
            });
        }
    }

    /// The next midnight cutoff of an active service (found in SQL: the
    /// earliest paid-through day from today on).
    async fn next_cutoff(&self, now: Timestamp) -> Option<Timestamp> {
        let policy = self.inner.store.isp_policy().await.ok()?;
        let today = policy.today(now);
        let paid_through = self.inner.store.earliest_paid_through(policy.grace_days, today).await.ok()??;
        policy.cutoff_after(paid_through)
    }
}

//! [`OltFleet`]: one [`OltHandle`] per OLT of the inventory (the client's
//! pool keeps at most two SSH sessions on it), made on first use with the
//! password from the keyring, the host key pinned on the first connection
//! and refused when it changes, and every command sent persisted in the
//! OLT command log.
//!
//! An OLT whose host key changed is not contacted again until the
//! operator pins the key it now presents (`Store::set_olt_host_key`): the
//! presented key is kept in the database, so this process, a restarted one
//! and the CLI all see it, and pinning from any of them takes effect at
//! once. An OLT whose login is refused is tried again only after
//! [`LOGIN_RETRY`] or [`OltFleet::resume`]: failed logins fill the OLT's log
//! and can lock the account.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use headend_core::OltId;
use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::olt::{HostKeyChanged, Olt, OnuAuthorizeFailed, OnuAuthorized};
use headend_core::optical::OnuAlertEvent;
use headend_olt::{
    AuthorizeRequest, AutofindOnu, CommandLogEntry, Olt as OltClient, OltAuth, OltConfig, OltDriver, OltError,
    OltHandle, OltSecret, Onu, OnuRef, OpticalReading, PonPort, PortOptical,
};
use headend_secrets::{SecretError, SecretKey, SecretStore};
use headend_store::{EngineHolder, OnuSeen, Store, StoreError};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::{Notify, broadcast, mpsc, oneshot};
use tokio::time::Instant;

use crate::convert;
use crate::sweep::OltSweepReport;

/// Why an OLT operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OltEngineError {
    #[error("no password is stored for OLT {0}; add it again")]
    NoPassword(String),
    #[error("cannot read OLT {olt}'s password: {source}")]
    Secrets { olt: String, source: SecretError },
    #[error("reading the keyring stopped unexpectedly: {0}")]
    KeyringTask(String),
    /// Not tried: its login was refused or its host key changed earlier.
    #[error("OLT {olt} is not contacted: {reason}")]
    Refused { olt: String, reason: String },
    #[error("OLT {olt}: {source}")]
    Olt { olt: String, source: OltError },
    #[error("another Headend process is working on OLT {0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OltEngineError {
    /// True when trying again later may help (network, timeouts, busy).
    pub fn is_transient(&self) -> bool {
        match self {
            OltEngineError::Olt { source, .. } => source.is_transient(),
            OltEngineError::Busy(_) | OltEngineError::KeyringTask(_) => true,
            _ => false,
        }
    }
}

/// What the OLT engine tells the rest of the app (the tray, the console).
#[derive(Debug, Clone)]
pub enum OltEvent {
    /// An OLT's signal sweep finished.
    Swept(Arc<OltSweepReport>),
    /// An ONU's alert was raised, changed or cleared.
    Alert(OnuAlertEvent),
    /// Zero-touch provisioning registered a service's ONU.
    Authorized(OnuAuthorized),
    /// Zero-touch provisioning gave up on a service's ONU.
    AuthorizeFailed(OnuAuthorizeFailed),
    /// An OLT presented another host key: not contacted until re-pinned.
    HostKeyChanged(HostKeyChanged),
    /// An OLT refused the login: not contacted until resumed.
    LoginRefused { olt: OltId, name: String, error: String },
    /// An OLT could not be reached.
    Unreachable { olt: OltId, name: String, error: String },
}

/// How the OLT engine runs.
#[derive(Clone)]
pub struct OltFleetConfig {
    /// This engine in the OLT leases ([`Store::engine_holder`]).
    pub holder: EngineHolder,
    pub connect_timeout: Duration,
    pub command_timeout: Duration,
    /// SSH sessions per OLT, 1 or 2.
    pub max_sessions: usize,
    /// How often zero-touch provisioning looks at the OLTs' autofind while
    /// a service waits for its ONU.
    pub ztp_interval: Duration,
    /// The signal sweep's interval, overriding the database's setting
    /// (tests).
    pub sweep_interval: Option<Duration>,
}

impl OltFleetConfig {
    /// Two sessions per OLT, zero-touch every 30 s, the database's signal
    /// sweep interval.
    pub fn new(holder: EngineHolder) -> Self {
        Self {
            holder,
            connect_timeout: Duration::from_secs(15),
            command_timeout: Duration::from_secs(30),
            max_sessions: 2,
            ztp_interval: Duration::from_secs(30),
            sweep_interval: None,
        }
    }
}

/// A refused login is tried again after this long (or at once after
/// [`OltFleet::resume`]).
pub const LOGIN_RETRY: Duration = Duration::from_secs(3600);

/// An OLT lease lasts this long; every operation renews it.
const LEASE: SignedDuration = SignedDuration::from_secs(900);

/// How an OLT was reached when its handle was made: a change (an edit, a
/// new pin) makes a new handle.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reach {
    vendor: headend_core::olt::OltVendor,
    host: String,
    port: u16,
    username: String,
}

impl Reach {
    fn of(olt: &Olt) -> Self {
        Self { vendor: olt.vendor, host: olt.host.clone(), port: olt.port, username: olt.username.clone() }
    }
}

struct Connected {
    handle: OltHandle,
    reach: Reach,
}

#[derive(Default)]
struct State {
    handles: HashMap<OltId, Connected>,
    /// OLTs whose login was refused: why, and when.
    refused: HashMap<OltId, (String, Instant)>,
    /// One connection attempt per OLT at a time.
    connecting: HashMap<OltId, Arc<tokio::sync::Mutex<()>>>,
    leased: HashSet<OltId>,
    /// Serials zero-touch is registering now, per OLT: the sweep leaves
    /// their unfinished attempts alone.
    registering: HashSet<(OltId, String)>,
    paused: bool,
}

/// Marks a serial as being registered on an OLT while it lives.
pub(crate) struct Registering {
    fleet: OltFleet,
    key: (OltId, String),
}

impl Drop for Registering {
    fn drop(&mut self) {
        lock(&self.fleet.inner.state).registering.remove(&self.key);
    }
}

enum LogMsg {
    Entry(OltId, CommandLogEntry),
    Flush(oneshot::Sender<()>),
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    secrets: SecretStore,
    pub(crate) config: OltFleetConfig,
    state: Mutex<State>,
    pub(crate) events: broadcast::Sender<OltEvent>,
    log: mpsc::UnboundedSender<LogMsg>,
    pub(crate) stop: Notify,
    pub(crate) wake: Notify,
}

/// The OLTs of the inventory, reached over SSH. Cheap to clone.
/// [`OltFleet::run`] drives the signal sweeps and zero-touch provisioning;
/// the other methods are what the console and the CLI call. "Now" is its
/// store's clock ([`Store::clock`]).
#[derive(Clone)]
pub struct OltFleet {
    pub(crate) inner: Arc<Inner>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Why `olt`'s login is not tried now; a refusal older than
/// [`LOGIN_RETRY`] is forgotten.
fn refusal(state: &mut State, olt: OltId) -> Option<String> {
    match state.refused.get(&olt) {
        Some((_, at)) if at.elapsed() >= LOGIN_RETRY => {
            state.refused.remove(&olt);
            None
        }
        Some((reason, _)) => Some(reason.clone()),
        None => None,
    }
}

/// Writes the command log as entries come, in batches.
async fn write_log(store: Store, mut rx: mpsc::UnboundedReceiver<LogMsg>) {
    let mut batch = Vec::new();
    let mut flushes = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(msg) = next {
            match msg {
                LogMsg::Entry(olt, entry) => batch.push((olt, convert::log_entry(entry))),
                LogMsg::Flush(done) => flushes.push(done),
            }
            next = if batch.len() < 500 { rx.try_recv().ok() } else { None };
        }
        if let Err(e) = store.log_olt_commands(&batch).await {
            tracing::warn!(error = %e, entries = batch.len(), "cannot write the OLT command log");
        }
        batch.clear();
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

impl OltFleet {
    /// Starts the command log writer: call inside a tokio runtime.
    pub fn new(store: Store, secrets: SecretStore, config: OltFleetConfig) -> Self {
        let (events, _) = broadcast::channel(1024);
        let (log, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_log(store.clone(), rx));
        Self {
            inner: Arc::new(Inner {
                store,
                secrets,
                config,
                state: Mutex::new(State::default()),
                events,
                log,
                stop: Notify::new(),
                wake: Notify::new(),
            }),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OltEvent> {
        self.inner.events.subscribe()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.inner.store.clock().now()
    }

    pub(crate) fn emit(&self, event: OltEvent) {
        self.inner.events.send(event).ok();
    }

    /// Waits until every command logged so far is in the database.
    pub async fn flush_log(&self) {
        let (done, wait) = oneshot::channel();
        if self.inner.log.send(LogMsg::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Try an OLT whose login was refused again (its password or user was
    /// changed), or one whose settings changed: its handle is made anew.
    pub fn resume(&self, olt: OltId) {
        let mut state = lock(&self.inner.state);
        state.refused.remove(&olt);
        state.handles.remove(&olt);
    }

    /// Why `olt`'s login is not tried now, if it is not.
    pub fn refused(&self, olt: OltId) -> Option<String> {
        refusal(&mut lock(&self.inner.state), olt)
    }

    /// The OLTs whose login is refused now.
    pub fn refused_olts(&self) -> HashSet<OltId> {
        let state = lock(&self.inner.state);
        state.refused.iter().filter(|(_, (_, at))| at.elapsed() < LOGIN_RETRY).map(|(olt, _)| *olt).collect()
    }

    /// Stop or restart the periodic sweeps and zero-touch provisioning.
    pub fn set_paused(&self, paused: bool) {
        lock(&self.inner.state).paused = paused;
        self.inner.wake.notify_one();
    }

    pub(crate) fn paused(&self) -> bool {
        lock(&self.inner.state).paused
    }

    /// Ends [`OltFleet::run`] and closes the idle SSH sessions.
    pub fn shutdown(&self) {
        self.inner.stop.notify_one();
    }

    /// Closes every idle session and gives the leases back.
    pub async fn close(&self) {
        let (handles, leased) = {
            let mut state = lock(&self.inner.state);
            let handles: Vec<OltHandle> = state.handles.drain().map(|(_, c)| c.handle).collect();
            (handles, std::mem::take(&mut state.leased))
        };
        for handle in handles {
            handle.close().await;
        }
        for olt in leased {
            if let Err(e) = self.inner.store.release_olt_lease(olt, self.inner.config.holder.name()).await {
                tracing::warn!(olt = %olt, error = %e, "cannot release the OLT's lease");
            }
        }
        self.flush_log().await;
    }

    /// Marks `serial` as being registered on `olt` until the guard drops.
    pub(crate) fn registering(&self, olt: OltId, serial: &str) -> Registering {
        let key = (olt, serial.to_owned());
        lock(&self.inner.state).registering.insert(key.clone());
        Registering { fleet: self.clone(), key }
    }

    pub(crate) fn is_registering(&self, olt: OltId, serial: &str) -> bool {
        lock(&self.inner.state).registering.contains(&(olt, serial.to_owned()))
    }

    /// Takes (or renews) the lease on `olt`, for work the engine does on
    /// its own (sweeps, zero-touch): with the app and the agent both
    /// running, one of them works on an OLT at a time.
    pub(crate) async fn lease(&self, olt: &Olt) -> Result<(), OltEngineError> {
        let store = &self.inner.store;
        let holder = &self.inner.config.holder;
        // A dead engine's lease is taken over (see `EngineHolder`).
        if !store.acquire_olt_lease(olt.id, holder.name(), self.now(), LEASE).await? {
            return Err(OltEngineError::Busy(olt.name.clone()));
        }
        lock(&self.inner.state).leased.insert(olt.id);
        Ok(())
    }

    async fn password(&self, olt: &Olt) -> Result<String, OltEngineError> {
        let secrets = self.inner.secrets.clone();
        let key = SecretKey::olt(olt.id);
        let found = tokio::task::spawn_blocking(move || secrets.get(&key))
            .await
            .map_err(|e| OltEngineError::KeyringTask(e.to_string()))?
            .map_err(|source| OltEngineError::Secrets { olt: olt.name.clone(), source })?;
        found.map(|s| s.expose().to_owned()).ok_or_else(|| OltEngineError::NoPassword(olt.name.clone()))
    }

    /// The OLT's handle: the one made before if the OLT is still reached
    /// the same way, else a new login (pinning the host key on the first).
    async fn handle(&self, olt: &Olt) -> Result<OltHandle, OltEngineError> {
        let refused = |reason| OltEngineError::Refused { olt: olt.name.clone(), reason };
        let gate = {
            let mut state = lock(&self.inner.state);
            if let Some(reason) = refusal(&mut state, olt.id) {
                return Err(refused(reason));
            }
            if let Some(c) = state.handles.get(&olt.id)
                && c.reach == Reach::of(olt)
            {
                return Ok(c.handle.clone());
            }
            state.connecting.entry(olt.id).or_default().clone()
        };
        let _connecting = gate.lock().await;
        // Another caller may have connected (or been refused) meanwhile.
        {
            let mut state = lock(&self.inner.state);
            if let Some(reason) = refusal(&mut state, olt.id) {
                return Err(refused(reason));
            }
            if let Some(c) = state.handles.get(&olt.id)
                && c.reach == Reach::of(olt)
            {
                return Ok(c.handle.clone());
            }
        }
        // A key refused earlier (by this process or another) stays refused
        // until it is pinned.
        if let Some(health) = self.inner.store.olt_health(olt.id).await?
            && let Some(presented) = health.presented_key
        {
            return Err(refused(format!(
                "its SSH host key changed (it now presents {presented}); pin the new key only if the OLT was replaced or re-keyed"
            )));
        }
        // The pin as stored now (the caller's copy may predate a pin made
        // by another process): never connect unpinned over a pin.
        let pinned = self
            .inner
            .store
            .olt(olt.id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("OLT {}", olt.name)))?
            .host_key;
        let password = self.password(olt).await?;
        let mut config = OltConfig::new(
            olt.vendor,
            olt.host.clone(),
            olt.username.clone(),
            OltAuth::Password(OltSecret::new(password)),
        );
        config.port = olt.port;
        config.known_host_key = pinned.clone();
        config.connect_timeout = self.inner.config.connect_timeout;
        config.command_timeout = self.inner.config.command_timeout;
        config.max_sessions = self.inner.config.max_sessions.clamp(1, 2);
        let log = self.inner.log.clone();
        let id = olt.id;
        let sink = move |entry: CommandLogEntry| {
            // A closed writer means the fleet is gone.
            let _ = log.send(LogMsg::Entry(id, entry));
        };
        let handle = match OltClient::connect_with_log(config, sink).await {
            Ok(h) => h,
            Err(e) => return Err(self.failed(olt, e).await),
        };
        if pinned.is_none()
            && let Some(key) = handle.host_key()
        {
            tracing::info!(olt = %olt.name, %key, "pinned the OLT's SSH host key");
            self.inner.store.set_olt_host_key(olt.id, Some(&key)).await?;
            self.activity(
                Actor::Engine,
                Subject::Olt(olt.id),
                "host key pinned",
                format!("{} presented {key}", olt.name),
            )
            .await;
        }
        self.inner.store.record_olt_reached(olt.id, self.now()).await?;
        lock(&self.inner.state).handles.insert(olt.id, Connected { handle: handle.clone(), reach: Reach::of(olt) });
        Ok(handle)
    }

    /// Records a failure; a refused login or host key stops all contact.
    /// Logged at debug only: the error goes back to the caller and out as
    /// an [`OltEvent`], which the app and the agent report.
    async fn failed(&self, olt: &Olt, error: OltError) -> OltEngineError {
        let now = self.now();
        let text = error.to_string();
        let store = &self.inner.store;
        let note = |r: Result<(), StoreError>| {
            if let Err(e) = r {
                tracing::warn!(olt = %olt.name, error = %e, "cannot record the OLT's health");
            }
        };
        match &error {
            OltError::HostKeyChanged { expected, observed } => {
                tracing::debug!(olt = %olt.name, pinned = %expected, presented = %observed, "OLT host key changed; not connecting");
                lock(&self.inner.state).handles.remove(&olt.id);
                note(store.record_olt_error(olt.id, now, &text, Some(observed)).await);
                self.activity(
                    Actor::Engine,
                    Subject::Olt(olt.id),
                    "host key refused",
                    format!("{} presented {observed} instead of the pinned {expected}", olt.name),
                )
                .await;
                self.emit(OltEvent::HostKeyChanged(HostKeyChanged {
                    olt: olt.id,
                    name: olt.name.clone(),
                    pinned: expected.clone(),
                    presented: observed.clone(),
                }));
            }
            OltError::AuthFailed { .. } => {
                tracing::debug!(olt = %olt.name, error = %text, "OLT login refused; not retrying until it is edited");
                {
                    let mut state = lock(&self.inner.state);
                    let reason = format!("{text}; fix its user or password, then retry (tried again within the hour)");
                    state.refused.insert(olt.id, (reason, Instant::now()));
                    state.handles.remove(&olt.id);
                }
                note(store.record_olt_error(olt.id, now, &text, None).await);
                self.emit(OltEvent::LoginRefused { olt: olt.id, name: olt.name.clone(), error: text.clone() });
            }
            e if e.is_transient() || matches!(e, OltError::BadKey(_)) => {
                tracing::debug!(olt = %olt.name, error = %text, "OLT unreachable");
                note(store.record_olt_error(olt.id, now, &text, None).await);
                self.emit(OltEvent::Unreachable { olt: olt.id, name: olt.name.clone(), error: text.clone() });
            }
            // The OLT answered (a refusal, an unexpected reply): reachable.
            OltError::Refused { .. } | OltError::Parse { .. } | OltError::ReplyTooLarge { .. } => {
                note(store.record_olt_reached(olt.id, now).await);
            }
            _ => {}
        }
        OltEngineError::Olt { olt: olt.name.clone(), source: error }
    }

    /// Runs `op` on the OLT's handle, recording how it went.
    pub(crate) async fn with<T, F, Fut>(&self, olt: &Olt, op: F) -> Result<T, OltEngineError>
    where
        F: FnOnce(OltHandle) -> Fut,
        Fut: Future<Output = Result<T, OltError>>,
    {
        let handle = self.handle(olt).await?;
        match op(handle).await {
            Ok(value) => {
                if let Err(e) = self.inner.store.record_olt_reached(olt.id, self.now()).await {
                    tracing::warn!(olt = %olt.name, error = %e, "cannot record the OLT's health");
                }
                Ok(value)
            }
            Err(e) => Err(self.failed(olt, e).await),
        }
    }

    pub(crate) async fn activity(&self, actor: Actor, subject: Subject, action: &str, detail: String) {
        let entry = ActivityEntry { at: self.now(), actor, subject, action: action.to_owned(), detail };
        if let Err(e) = self.inner.store.log_activity(&entry).await {
            tracing::warn!(error = %e, "cannot write the activity log");
        }
    }

    pub(crate) async fn time_zone(&self) -> TimeZone {
        match self.inner.store.isp_policy().await {
            Ok(policy) => policy.time_zone,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the ISP's time zone; OLT times read as UTC");
                TimeZone::UTC
            }
        }
    }

    /// The OLT's unregistered ONUs, read now; the stored autofind list is
    /// replaced with them.
    pub async fn autofind(&self, olt: &Olt) -> Result<Vec<AutofindOnu>, OltEngineError> {
        let found = self.with(olt, |h| async move { h.autofind().await }).await?;
        let tz = self.time_zone().await;
        let seen: Vec<_> = found.iter().map(|f| convert::autofind_seen(f, &tz)).collect();
        self.inner.store.replace_autofind(olt.id, &seen, self.now()).await?;
        Ok(found)
    }

    /// The OLT's registered ONUs (on one port, or all), read now; the
    /// stored ONUs of those ports are brought up to date.
    pub async fn onus(&self, olt: &Olt, port: Option<PonPort>) -> Result<Vec<Onu>, OltEngineError> {
        let onus = self.with(olt, |h| async move { h.onus(port).await }).await?;
        self.sync(olt, &onus, port).await?;
        Ok(onus)
    }

    /// Records a listing; returns the synced rows.
    pub(crate) async fn sync(
        &self,
        olt: &Olt,
        onus: &[Onu],
        port: Option<PonPort>,
    ) -> Result<Vec<headend_store::SyncedOnu>, OltEngineError> {
        let tz = self.time_zone().await;
        let seen: Vec<OnuSeen> = onus.iter().filter_map(|o| convert::onu_seen(o, &tz)).collect();
        let scope = port.map(|p| vec![p.to_string()]);
        Ok(self.inner.store.sync_onus(olt.id, &seen, scope.as_deref(), self.now()).await?)
    }

    /// One ONU's optical readings, read now (and kept in its history).
    pub async fn optical(&self, olt: &Olt, onu: OnuRef) -> Result<OpticalReading, OltEngineError> {
        let reading = self.with(olt, |h| async move { h.optical(onu).await }).await?;
        self.keep_readings(olt, &[PortOptical { onu, reading: reading.clone() }]).await?;
        Ok(reading)
    }

    /// Every ONU's readings on a port, read now (and kept in their history).
    pub async fn optical_port(&self, olt: &Olt, port: PonPort) -> Result<Vec<PortOptical>, OltEngineError> {
        let readings = self.with(olt, |h| async move { h.optical_port(port).await }).await?;
        self.keep_readings(olt, &readings).await?;
        Ok(readings)
    }

    /// Stores readings of ONUs the database knows.
    async fn keep_readings(&self, olt: &Olt, readings: &[PortOptical]) -> Result<(), OltEngineError> {
        let known: HashMap<(String, u32), headend_core::OnuId> =
            self.inner.store.onus(olt.id, None).await?.into_iter().map(|o| ((o.port, o.index), o.id)).collect();
        let samples: Vec<_> = readings
            .iter()
            .filter_map(|r| known.get(&(r.onu.port.to_string(), r.onu.id)).map(|id| (*id, convert::sample(&r.reading))))
            .collect();
        self.inner.store.record_signals(&samples, self.now()).await?;
        Ok(())
    }

    /// Registers an ONU; it is recorded (offline until the next listing),
    /// linked to `service` if given, and the activity log says who did it.
    pub async fn authorize(
        &self,
        olt: &Olt,
        request: AuthorizeRequest,
        service: Option<headend_core::ServiceId>,
        actor: Actor,
    ) -> Result<OnuRef, OltEngineError> {
        let serial = request.serial.to_string();
        let description = request.description.clone();
        let vlan = request.vlan;
        let onu = self.with(olt, |h| async move { h.authorize(request).await }).await?;
        let seen = OnuSeen {
            port: onu.port.to_string(),
            index: onu.id,
            serial: serial.clone(),
            equipment: None,
            description,
            state: headend_core::olt::OnuState::Offline,
            last_up: None,
            last_down: None,
            last_down_cause: None,
        };
        self.inner.store.upsert_onu(olt.id, &seen, service, self.now()).await?;
        let vlan = vlan.map(|v| format!(", VLAN {v}")).unwrap_or_default();
        let subject = service.map_or(Subject::Olt(olt.id), Subject::Service);
        self.activity(actor, subject, "onu authorized", format!("{serial} on {} {onu}{vlan}", olt.name)).await;
        Ok(onu)
    }

    /// Removes an ONU's registration, and its row (with its history).
    pub async fn deregister(&self, olt: &Olt, onu: OnuRef, actor: Actor) -> Result<(), OltEngineError> {
        let row =
            self.inner.store.onus(olt.id, Some(&onu.port.to_string())).await?.into_iter().find(|o| o.index == onu.id);
        self.with(olt, |h| async move { h.deregister(onu).await }).await?;
        self.inner.store.remove_onu(olt.id, &onu.port.to_string(), onu.id).await?;
        let serial = row.as_ref().map(|r| r.serial.clone()).unwrap_or_else(|| "ONU".into());
        let subject = row.and_then(|r| r.service).map_or(Subject::Olt(olt.id), Subject::Service);
        self.activity(actor, subject, "onu deregistered", format!("{serial} on {} {onu}", olt.name)).await;
        Ok(())
    }

    pub async fn reboot(&self, olt: &Olt, onu: OnuRef, actor: Actor) -> Result<(), OltEngineError> {
        self.with(olt, |h| async move { h.reboot(onu).await }).await?;
        self.activity(actor, Subject::Olt(olt.id), "onu rebooted", format!("{} {onu}", olt.name)).await;
        Ok(())
    }
}

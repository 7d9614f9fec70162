//! What the app keeps while it runs.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use headend_core::RouterId;
use headend_core::settings::Settings;
use headend_fleet::{Connector, Fleet};
use headend_ipc::Failures;
use headend_pon::{OltFleet, OltFleetConfig};
use headend_provision::{EngineConfig, Provisioner};
use headend_secrets::{SecretStore, SubscriberCipher};
use headend_store::{DataDir, EngineHolder, Store};
use headend_workflows::{Keyring, SweepHint, Workflows};

use crate::provisioning::SweepRun;

pub struct AppState {
    pub data_dir: DataDir,
    pub store: Store,
    /// Every operator workflow; the commands only convert and call them.
    pub workflows: Workflows,
    pub secrets: SecretStore,
    pub fleet: Fleet,
    /// The provisioning engine; `provisioning::start` runs it.
    pub provisioner: Provisioner,
    /// The OLT engine; `olts::start` runs it.
    pub olts: OltFleet,
    /// The simulated routers, while the demo runs.
    pub demo: tokio::sync::Mutex<Option<crate::demo::DemoNetwork>>,
    /// This process is the demo ISP (`--demo-isp`): its devices.
    pub demo_isp: Option<crate::demo_isp::DemoIspRun>,
    /// The operator's app started a demo ISP that is still running.
    pub exploring_demo: AtomicBool,
    /// The rows the Live sessions page shows (pushed with the sessions tick).
    pub session_watch: Arc<Mutex<crate::live::SessionWatch>>,
    /// When the process started, to report how long the console took to appear.
    pub started: Instant,
    /// The engine's loop, until the app quits.
    pub engine: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    /// The operator's "Sweep now", while it runs.
    pub sweep_run: Mutex<Option<SweepRun>>,
    /// What the tray and the UI were last told about failed actions, so
    /// they are told again only when it changes. The durable queue is the
    /// truth; this is only the last message.
    pub told_failures: Mutex<Option<Failures>>,
    settings: Mutex<Settings>,
    sweeps_paused: AtomicBool,
    quitting: AtomicBool,
    /// Routers whose login was refused: the engine leaves them alone until
    /// the operator edits them.
    refused: Mutex<HashSet<RouterId>>,
}

/// The app's own engine sweeps a changed router at once.
struct EngineHint(Provisioner);

impl SweepHint for EngineHint {
    fn sweep(&self, router: RouterId) {
        self.0.request(router);
    }
}

/// A poisoned lock only means another thread panicked mid-update of plain
/// data; the data is still the best we have.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    pub fn new(
        data_dir: DataDir,
        store: Store,
        secrets: SecretStore,
        cipher: Option<SubscriberCipher>,
        holder: EngineHolder,
        started: Instant,
    ) -> Self {
        let fleet = Fleet::new(Connector::new(store.clone(), secrets.clone()));
        let config = EngineConfig { interval: Settings::default().sweep_interval(), ..EngineConfig::new(holder) };
        let olts = {
            // It starts its command-log writer: inside the app's runtime.
            let runtime = tauri::async_runtime::handle();
            let _inside = runtime.inner().enter();
            OltFleet::new(store.clone(), secrets.clone(), OltFleetConfig::new(config.holder.clone()))
        };
        let provisioner =
            Provisioner::new(store.clone(), Connector::new(store.clone(), secrets.clone()), cipher.clone(), config);
        let workflows = Workflows::new(
            store.clone(),
            Keyring::opened(secrets.clone(), cipher.clone()),
            Arc::new(EngineHint(provisioner.clone())),
        );
        Self {
            data_dir,
            store,
            workflows,
            secrets,
            fleet,
            provisioner,
            olts,
            demo: tokio::sync::Mutex::new(None),
            demo_isp: None,
            exploring_demo: AtomicBool::new(false),
            session_watch: Arc::default(),
            started,
            engine: Mutex::new(None),
            sweep_run: Mutex::new(None),
            told_failures: Mutex::new(None),
            settings: Mutex::new(Settings::default()),
            sweeps_paused: AtomicBool::new(false),
            quitting: AtomicBool::new(false),
            refused: Mutex::new(HashSet::new()),
        }
    }

    pub fn settings(&self) -> Settings {
        *lock(&self.settings)
    }

    /// Keeps the settings, and gives the engine its sweep interval.
    pub fn set_settings(&self, settings: Settings) {
        *lock(&self.settings) = settings;
        self.provisioner.set_interval(settings.sweep_interval());
    }

    pub fn sweeps_paused(&self) -> bool {
        self.sweeps_paused.load(Ordering::Relaxed)
    }

    /// Flips pause/resume, in the engine too, and returns the new state.
    pub fn toggle_sweeps(&self) -> bool {
        let paused = !self.sweeps_paused.fetch_xor(true, Ordering::Relaxed);
        self.provisioner.set_paused(paused);
        self.olts.set_paused(paused);
        paused
    }

    /// True the first time only: the app is quitting.
    pub fn start_quitting(&self) -> bool {
        !self.quitting.swap(true, Ordering::SeqCst)
    }

    pub fn login_refused(&self, router: RouterId) {
        lock(&self.refused).insert(router);
    }

    pub fn refused(&self) -> HashSet<RouterId> {
        lock(&self.refused).clone()
    }

    /// The router was edited: its login is worth trying again.
    pub fn resume_router(&self, router: RouterId) {
        lock(&self.refused).remove(&router);
        self.provisioner.resume_router(router);
    }
}

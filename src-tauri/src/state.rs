//! What the app keeps while it runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use headend_core::settings::Settings;
use headend_engine::Fleet;
use headend_ipc::ProvisionFailure;
use headend_secrets::SecretStore;
use headend_store::{DataDir, Store};

pub struct AppState {
    pub data_dir: DataDir,
    pub store: Store,
    pub secrets: SecretStore,
    pub fleet: Fleet,
    /// The simulated routers, while the demo runs.
    pub demo: tokio::sync::Mutex<Option<crate::demo::DemoNetwork>>,
    /// Whether the e2e-only commands answer (see `E2E_HOOKS_ENV`).
    pub e2e_hooks: bool,
    /// When the process started, to report how long the console took to appear.
    pub started: Instant,
    settings: Mutex<Settings>,
    sweeps_paused: AtomicBool,
    /// Provisioning failures the operator has not dismissed yet, newest first.
    /// In memory until the engine's durable queue holds them.
    failures: Mutex<Vec<ProvisionFailure>>,
}

/// A poisoned lock only means another thread panicked mid-update of plain
/// data; the data is still the best we have.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    pub fn new(data_dir: DataDir, store: Store, secrets: SecretStore, e2e_hooks: bool, started: Instant) -> Self {
        let fleet = Fleet::new(headend_engine::Connector::new(store.clone(), secrets.clone()));
        Self {
            data_dir,
            store,
            secrets,
            fleet,
            demo: tokio::sync::Mutex::new(None),
            e2e_hooks,
            started,
            settings: Mutex::new(Settings::default()),
            sweeps_paused: AtomicBool::new(false),
            failures: Mutex::new(Vec::new()),
        }
    }

    pub fn settings(&self) -> Settings {
        *lock(&self.settings)
    }

    pub fn set_settings(&self, settings: Settings) {
        *lock(&self.settings) = settings;
    }

    pub fn sweeps_paused(&self) -> bool {
        self.sweeps_paused.load(Ordering::Relaxed)
    }

    /// Flips pause/resume and returns the new state.
    pub fn toggle_sweeps(&self) -> bool {
        !self.sweeps_paused.fetch_xor(true, Ordering::Relaxed)
    }

    pub fn failures(&self) -> Vec<ProvisionFailure> {
        lock(&self.failures).clone()
    }

    /// Returns how many failures are now waiting.
    pub fn push_failure(&self, failure: ProvisionFailure) -> usize {
        let mut failures = lock(&self.failures);
        failures.insert(0, failure);
        failures.len()
    }

    pub fn clear_failures(&self) {
        lock(&self.failures).clear();
    }
}

//! The application layer: one function per operator workflow (add a
//! service with its customer, record a payment, add a router with its
//! keyring entry, authorize an ONU with its defaults, adopt a router's
//! secrets...), each with its validation, its transaction and its activity
//! entry. The desktop app's commands and the CLI's subcommands only parse
//! their input, call one workflow and render the answer, so the two can
//! never disagree about a rule.
//!
//! A workflow takes who is acting ([`Actor`]) and plain inputs, and returns
//! plain outputs or a [`WorkflowError`]; it never reaches for a window, a
//! tray or a terminal. After a write that changes what a router should
//! hold, it tells the [`SweepHint`] (the app's engine sweeps at once; the
//! store's sweep request reaches an engine in any other process anyway).
//!
//! Architecture invariant: the shells (`src-tauri`, `crates/cli`) call this
//! crate for every write; this crate calls the store, the keyring and the
//! engines, never a shell. Time comes from the store's clock
//! (`Store::with_clock` injects one).

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod devices;
mod error;
mod files;
mod keyring;

pub mod backup;
pub mod billing;
pub mod bulk;
pub mod dashboard;
pub mod demo_isp;
pub mod import;
pub mod keys;
pub mod messages;
pub mod network;
pub mod olts;
pub mod plans;
pub mod policy;
pub mod pops;
pub mod provisioning;
pub mod radius;
pub mod radius_setup;
pub mod routers;
pub mod service_onus;
pub mod services;
pub mod sessions;

use std::sync::Arc;

pub use error::{Field, WorkflowError};
use headend_core::RouterId;
use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_secrets::{SecretStore, SubscriberCipher};
use headend_store::Store;
use jiff::Timestamp;
pub use keyring::Keyring;
pub use keys::open_subscriber_cipher;

/// Writes of an activity entry outside a transaction before giving up.
const LOG_ATTEMPTS: u32 = 3;

/// Tells a running engine that a router's desired state changed.
pub trait SweepHint: Send + Sync + 'static {
    fn sweep(&self, router: RouterId);
}

/// For shells without an engine of their own (the CLI): the sweep request
/// the store wrote is enough.
pub struct NoEngine;

impl SweepHint for NoEngine {
    fn sweep(&self, _router: RouterId) {}
}

/// Everything a workflow needs: the database (with its clock), the keyring and
/// the engine's ear. Cheap to clone.
#[derive(Clone)]
pub struct Workflows {
    store: Store,
    keyring: Keyring,
    hint: Arc<dyn SweepHint>,
}

impl Workflows {
    /// Workflows over `store`, taking "now" from the store's clock, so
    /// what they write and what the store stamps agree.
    pub fn new(store: Store, keyring: Keyring, hint: Arc<dyn SweepHint>) -> Self {
        Self { store, keyring, hint }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, by the store's clock.
    fn now(&self) -> Timestamp {
        self.store.clock().now()
    }

    /// The keyring, opened on first use.
    pub async fn secrets(&self) -> Result<SecretStore, WorkflowError> {
        self.keyring.secrets(&self.store).await
    }

    /// The cipher of subscriber passwords, opened on first use.
    pub async fn cipher(&self) -> Result<SubscriberCipher, WorkflowError> {
        self.keyring.cipher(&self.store).await
    }

    /// An activity entry by `actor`, now.
    fn entry(&self, actor: &Actor, subject: Subject, action: &str, detail: String) -> ActivityEntry {
        ActivityEntry { at: self.now(), actor: actor.clone(), subject, action: action.to_owned(), detail }
    }

    /// Logs an entry outside the change's transaction (where the change
    /// spans several, or is the engine's). The change is done, so a failure
    /// to log is a warning, not the workflow's error; the entry is the audit
    /// trail, so a write lock another process holds past the busy timeout
    /// (a long sweep) is waited out a few times first.
    async fn log(&self, actor: &Actor, subject: Subject, action: &str, detail: String) {
        let entry = self.entry(actor, subject, action, detail);
        for attempt in 1..=LOG_ATTEMPTS {
            match self.store.log_activity(&entry).await {
                Ok(()) => return,
                Err(err) if attempt == LOG_ATTEMPTS => tracing::warn!("cannot write the activity log: {err}"),
                Err(err) => {
                    tracing::debug!(attempt, "activity log write failed, trying again: {err}");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
    }

    fn sweep(&self, router: RouterId) {
        self.hint.sweep(router);
    }
}

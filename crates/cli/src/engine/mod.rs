//! The provisioning engine from a terminal: `sweep --once` (one sweep of
//! every router, or its dry run) and `agent` (the engine headless, as an
//! OS service with `agent install`).

mod agent;
mod sweep;

pub use agent::{AgentArgs, run as agent};
pub use sweep::{SweepArgs, run as sweep};

use anyhow::Context as _;
use headend_fleet::Connector;
use headend_provision::{EngineConfig, Provisioner};
use headend_secrets::{SecretStore, SubscriberCipher};
use headend_store::Store;

use crate::Globals;

/// The engine over this data directory's database and keyring scope.
async fn provisioner(globals: &Globals, role: &str) -> anyhow::Result<(Store, Provisioner)> {
    let dir = globals.data_dir()?;
    let store = Store::open(&dir.database_path()).await.context("opening the database")?;
    let scope = store.installation_id().await?;
    let secrets = tokio::task::spawn_blocking(SecretStore::open)
        .await
        .context("opening the keyring stopped unexpectedly")?
        .context("opening the keyring")?
        .scoped(&scope);
    let cipher = cipher(&store, &secrets).await;
    let config = EngineConfig::new(store.engine_holder(role).await?);
    let provisioner = Provisioner::new(store.clone(), Connector::new(store.clone(), secrets), cipher, config);
    Ok((store, provisioner))
}

/// The key for PPPoE passwords, as the database expects it; without it
/// the engine leaves PPPoE secrets as they are and says why (a missing key
/// is never replaced by a new one here: see `open_subscriber_cipher`).
async fn cipher(store: &Store, secrets: &SecretStore) -> Option<SubscriberCipher> {
    match headend_workflows::open_subscriber_cipher(store, secrets).await {
        Ok(cipher) => Some(cipher),
        Err(e) => {
            tracing::warn!(error = %e, "no key for PPPoE passwords: PPPoE services are left as they are");
            None
        }
    }
}

//! Opening what the subcommands share: the database, the keyring scoped to
//! it, and the workflows over them.

use std::sync::Arc;

use anyhow::Context;
use headend_secrets::SecretStore;
use headend_store::Store;
use headend_workflows::{Keyring, NoEngine, Workflows};

use crate::Globals;

/// The database of the data directory, migrated.
pub async fn open_store(globals: &Globals) -> anyhow::Result<Store> {
    let dir = globals.data_dir()?;
    Store::open(&dir.database_path()).await.context("opening the database")
}

/// The OS keyring, scoped to this database (see `Store::installation_id`).
/// Opening it may talk to D-Bus and wait for an unlock.
pub async fn open_secrets(store: &Store) -> anyhow::Result<SecretStore> {
    let scope = store.installation_id().await?;
    let secrets = tokio::task::spawn_blocking(SecretStore::open)
        .await
        .context("opening the keyring stopped unexpectedly")?
        .context("opening the keyring")?;
    Ok(secrets.scoped(&scope))
}

/// The workflows over this data directory, acting as the CLI. The keyring
/// opens only when a workflow needs it; sweeps are left to the store's
/// sweep requests, which any running engine (the app, the agent) takes.
pub async fn open_workflows(globals: &Globals) -> anyhow::Result<Workflows> {
    let store = open_store(globals).await?;
    Ok(Workflows::new(store, Keyring::lazy(), Arc::new(NoEngine)))
}

//! Opening what the subcommands share: the database, the keyring scoped to
//! it, and the cipher of subscriber passwords.

use anyhow::Context;
use headend_secrets::{SecretStore, SubscriberCipher};
use headend_store::Store;

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

/// The cipher of subscriber PPPoE passwords (its key made on first use).
pub async fn open_cipher(store: &Store) -> anyhow::Result<SubscriberCipher> {
    let secrets = open_secrets(store).await?;
    tokio::task::spawn_blocking(move || secrets.subscriber_cipher())
        .await
        .context("the keyring call stopped unexpectedly")?
        .context("reading the key of subscriber passwords from the keyring")
}

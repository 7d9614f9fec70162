//! The OS keyring as the workflows reach it: opened once, on first use (a
//! CLI command that needs no password never talks to D-Bus), or handed
//! over already open by the app.

use std::sync::Arc;

use headend_secrets::{SecretKey, SecretStore, SubscriberCipher};
use headend_store::Store;
use tokio::sync::OnceCell;

use crate::WorkflowError;
use crate::keys::open_subscriber_cipher;

#[derive(Clone, Default)]
pub struct Keyring {
    secrets: Arc<OnceCell<SecretStore>>,
    cipher: Arc<OnceCell<SubscriberCipher>>,
}

impl Keyring {
    /// Opens the keyring when a workflow first needs it.
    pub fn lazy() -> Self {
        Self::default()
    }

    /// A keyring the caller already opened (scoped to the database), and
    /// the cipher if [`open_subscriber_cipher`] gave one.
    pub fn opened(secrets: SecretStore, cipher: Option<SubscriberCipher>) -> Self {
        Self { secrets: Arc::new(OnceCell::new_with(Some(secrets))), cipher: Arc::new(OnceCell::new_with(cipher)) }
    }

    pub async fn secrets(&self, store: &Store) -> Result<SecretStore, WorkflowError> {
        self.secrets
            .get_or_try_init(|| async {
                let scope = store.installation_id().await?;
                let secrets = blocking(SecretStore::open)
                    .await?
                    .map_err(|source| WorkflowError::Keyring { what: "opening the keyring", source })?;
                Ok(secrets.scoped(&scope))
            })
            .await
            .cloned()
    }

    pub async fn cipher(&self, store: &Store) -> Result<SubscriberCipher, WorkflowError> {
        self.cipher
            .get_or_try_init(|| async {
                let secrets = self.secrets(store).await?;
                open_subscriber_cipher(store, &secrets).await
            })
            .await
            .cloned()
    }

    /// Keeps `password` under `key`.
    pub(crate) async fn set(&self, store: &Store, key: SecretKey, password: String) -> Result<(), WorkflowError> {
        let secrets = self.secrets(store).await?;
        blocking(move || secrets.set(&key, &password))
            .await?
            .map_err(|source| WorkflowError::Keyring { what: "cannot keep the password in the keyring", source })
    }

    /// Forgets the password under `key`.
    pub(crate) async fn delete(&self, store: &Store, key: SecretKey) -> Result<(), WorkflowError> {
        let secrets = self.secrets(store).await?;
        blocking(move || secrets.delete(&key))
            .await?
            .map_err(|source| WorkflowError::Keyring { what: "cannot delete the password from the keyring", source })
    }
}

/// Keyring calls block: they run off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, WorkflowError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| WorkflowError::Interrupted(format!("the keyring call stopped unexpectedly: {e}")))
}

//! What adding a router and adding an OLT share: the POP named on the
//! command line (made if new, and taken out again if the add fails) and
//! the password kept in the keyring.

use anyhow::Context;
use headend_core::PopId;
use headend_secrets::{SecretKey, SecretStore};
use headend_store::Store;

/// The POP an added device goes to.
#[derive(Debug, Clone, Copy)]
pub struct PopChoice {
    pub id: Option<PopId>,
    /// Made for this add (so an add that fails removes it again).
    added: bool,
}

impl PopChoice {
    pub async fn find_or_add(store: &Store, name: Option<&str>) -> anyhow::Result<Self> {
        Ok(match name {
            Some(name) => {
                let (id, added) = store.find_or_add_pop(name).await?;
                Self { id: Some(id), added }
            }
            None => Self { id: None, added: false },
        })
    }

    /// Removes the POP if this add made it; `what` names the device in the
    /// warning when that fails.
    pub async fn undo(self, store: &Store, what: &str) {
        if let (Some(id), true) = (self.id, self.added)
            && let Err(err) = store.remove_pop(id).await
        {
            tracing::warn!("cannot remove the POP added for the {what}: {err}");
        }
    }
}

/// Stores `password` under `key` (keyring calls block, so off the runtime).
pub async fn keep_password(secrets: SecretStore, key: SecretKey, password: String) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || secrets.set(&key, &password))
        .await
        .context("the keyring call stopped unexpectedly")?
        .map_err(anyhow::Error::from)
}

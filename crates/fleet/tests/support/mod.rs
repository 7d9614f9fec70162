//! A temporary inventory whose routers point at simulators, with their
//! passwords in the real keyring of the machine running the tests.

#![allow(clippy::unwrap_used)]

use headend_core::router::{Router, Transport};
use headend_secrets::{SecretKey, SecretStore};
use headend_store::{NewRouter, Store};

pub struct Inventory {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub secrets: SecretStore,
    keys: Vec<SecretKey>,
}

impl Inventory {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
        // Scoped like the app's: a fresh database's passwords never meet
        // another's, nor an operator's real ones.
        let scope = store.installation_id().await.unwrap();
        let secrets = SecretStore::open().unwrap().scoped(&scope);
        Self { _dir: dir, store, secrets, keys: Vec::new() }
    }

    /// Adds a router on 127.0.0.1:`port`, its password (if any) in the keyring.
    pub async fn router(&mut self, name: &str, port: u16, transport: Transport, password: Option<&str>) -> Router {
        let id = self
            .store
            .add_router(&NewRouter {
                name: name.into(),
                host: "127.0.0.1".into(),
                port,
                transport,
                username: "admin".into(),
                pop: None,
                location: None,
            })
            .await
            .unwrap();
        let key = SecretKey::router(id);
        match password {
            Some(pw) => {
                self.secrets.set(&key, pw).unwrap();
                self.keys.push(key);
            }
            None => self.secrets.delete(&key).unwrap(),
        }
        self.store.router(id).await.unwrap().unwrap()
    }
}

impl Drop for Inventory {
    fn drop(&mut self) {
        for key in &self.keys {
            let _ = self.secrets.delete(key);
        }
    }
}

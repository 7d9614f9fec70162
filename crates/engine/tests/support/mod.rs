//! A temporary inventory whose routers point at simulators, with their
//! passwords in the real keyring of the machine running the tests.

use headend_core::router::{Router, Transport};
use headend_secrets::{SecretKey, SecretStore};
use headend_store::{NewRouter, Store};

/// Every temporary database numbers its routers from 1, and passwords are
/// keyed by router id in the one real keyring: one inventory at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Inventory {
    _one: tokio::sync::MutexGuard<'static, ()>,
    _dir: tempfile::TempDir,
    pub store: Store,
    pub secrets: SecretStore,
    keys: Vec<SecretKey>,
}

impl Inventory {
    pub async fn new() -> Self {
        let one = ONE_AT_A_TIME.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
        Self { _one: one, _dir: dir, store, secrets: SecretStore::open().unwrap(), keys: Vec::new() }
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

//! The connector against simulated routers over loopback, with passwords
//! in the real keyring of the machine running the tests.

use headend_core::router::Transport;
use headend_engine::{ConnectError, Connector, probe};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{SimConfig, SimRouter};
use headend_store::{NewRouter, Store};

/// Every temporary database numbers its routers from 1, and passwords are
/// keyed by router id in the one real keyring: one fixture at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Fixture {
    _one: tokio::sync::MutexGuard<'static, ()>,
    _dir: tempfile::TempDir,
    store: Store,
    secrets: SecretStore,
    keys: Vec<SecretKey>,
}

impl Fixture {
    async fn new() -> Self {
        let one = ONE_AT_A_TIME.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
        Self { _one: one, _dir: dir, store, secrets: SecretStore::open().unwrap(), keys: Vec::new() }
    }

    /// A router in the inventory pointing at the simulator, its password in the keyring.
    async fn router(&mut self, name: &str, port: u16, transport: Transport, password: Option<&str>) -> headend_core::router::Router {
        let id = self
            .store
            .add_router(&NewRouter {
                name: format!("{name}-{}", std::process::id()),
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
        if let Some(pw) = password {
            self.secrets.set(&key, pw).unwrap();
            self.keys.push(key);
        } else {
            self.secrets.delete(&key).unwrap();
        }
        self.store.router(id).await.unwrap().unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for key in &self.keys {
            let _ = self.secrets.delete(key);
        }
    }
}

#[tokio::test]
async fn connects_with_the_keyring_password_and_probes_health() {
    let sim = SimRouter::start(SimConfig { identity: "core-1".into(), secrets: 12, active_sessions: 5, ..SimConfig::default() })
        .await
        .unwrap();
    let mut fx = Fixture::new().await;
    let router = fx.router("plain", sim.api_port(), Transport::Api, Some("admin")).await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());
    let client = connector.connect(&router).await.unwrap();
    let health = probe(&client).await.unwrap();
    assert_eq!(health.identity, "core-1");
    assert_eq!((health.ppp_secrets, health.active_sessions), (12, 5));
    assert!(!health.version.is_empty());
}

#[tokio::test]
async fn pins_the_certificate_on_first_use_and_refuses_a_new_one() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let tls_port = sim.api_tls_port().unwrap();
    let router = fx.router("tls", tls_port, Transport::ApiTls, Some("admin")).await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());
    connector.connect(&router).await.unwrap();

    let stored = fx.store.router(router.id).await.unwrap().unwrap();
    assert_eq!(stored.tls_pin, sim.certificate_pin().map(|p| p.to_string()));
    connector.connect(&stored).await.unwrap();

    sim.rotate_certificate().unwrap();
    let err = connector.connect(&stored).await.unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
}

#[tokio::test]
async fn a_missing_or_wrong_password_is_a_clear_error() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Fixture::new().await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());

    let none = fx.router("nopw", sim.api_port(), Transport::Api, None).await;
    let err = connector.connect(&none).await.unwrap_err();
    assert!(matches!(err, ConnectError::NoPassword(_)), "{err}");

    let wrong = fx.router("wrong", sim.api_port(), Transport::Api, Some("not-admin")).await;
    let err = connector.connect(&wrong).await.unwrap_err();
    assert!(matches!(err, ConnectError::Router { .. }), "{err}");
}

//! The demo network: with no routers configured, the console offers to
//! start three simulated routers on loopback, so a new operator sees
//! living routers and sessions at once. They are watched like real ones
//! (their password goes through the keyring too) but never stored in the
//! database, and vanish when the demo is stopped or the app quits.

use std::time::Duration;

use headend_core::RouterId;
use headend_core::router::{Router, Transport};
use headend_fleet::Fleet;
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{Persona, SimConfig, SimRouter, SimRouterHandle};

/// Negative ids never collide with the database's.
const DEMO_ROUTERS: [(i64, &str, &str, usize, Persona); 3] = [
    (-1, "Demo core-1", "-1.2921,36.8219", 180, Persona::V7),
    (-2, "Demo tower-2", "-1.3031,36.7073", 120, Persona::V7),
    (-3, "Demo tower-3", "-1.2195,36.8869", 90, Persona::V6),
];
const DEMO_PASSWORD: &str = "demo";

pub struct DemoNetwork {
    routers: Vec<(Router, SimRouterHandle)>,
}

impl DemoNetwork {
    pub async fn start(secrets: &SecretStore, fleet: &Fleet) -> anyhow::Result<Self> {
        let mut routers = Vec::new();
        for (id, name, location, secrets_count, persona) in DEMO_ROUTERS {
            let sim = SimRouter::start(SimConfig {
                persona,
                username: "headend".into(),
                password: DEMO_PASSWORD.into(),
                identity: name.into(),
                secrets: secrets_count,
                active_sessions: secrets_count * 3 / 4,
                churn: Some(Duration::from_millis(1500)),
                seed: id.unsigned_abs(),
                ..SimConfig::default()
            })
            .await?;
            let router = Router {
                id: RouterId(id),
                name: name.into(),
                host: "127.0.0.1".into(),
                port: sim.api_port(),
                transport: Transport::Api,
                username: "headend".into(),
                pop: None,
                location: location.parse().ok(),
                tls_pin: None,
                presented_tls_pin: None,
                backend: headend_core::router::Backend::Api,
            };
            let (store, key) = (secrets.clone(), SecretKey::router(id));
            tokio::task::spawn_blocking(move || store.set(&key, DEMO_PASSWORD)).await??;
            fleet.watch(router.clone());
            routers.push((router, sim));
        }
        tracing::info!("demo network started");
        Ok(Self { routers })
    }

    pub fn routers(&self) -> impl Iterator<Item = &Router> {
        self.routers.iter().map(|(r, _)| r)
    }

    pub async fn stop(self, secrets: &SecretStore, fleet: &Fleet) {
        for (router, sim) in self.routers {
            fleet.unwatch(router.id);
            drop(sim);
            let (store, key) = (secrets.clone(), SecretKey::router(router.id));
            if let Ok(Err(err)) = tokio::task::spawn_blocking(move || store.delete(&key)).await {
                tracing::warn!("cannot remove the demo password: {err}");
            }
        }
        tracing::info!("demo network stopped");
    }
}

//! The demo network: with no routers configured, the console offers to
//! start three simulated routers on loopback, so a new operator sees
//! living routers and sessions at once. They are watched like real ones
//! (their password goes through the keyring too) but never stored in the
//! database, and vanish when the demo is stopped or the app quits.
//!
//! When FreeRADIUS is installed, a fourth router works in RADIUS mode: its
//! subscribers log in through a FreeRADIUS of its own (users from a file,
//! on loopback), and come and go as the others' do.

use std::sync::Arc;
use std::time::Duration;

use headend_core::RouterId;
use headend_core::router::{Backend, Nas, Router, Transport};
use headend_fleet::Fleet;
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{
    FileUser, FreeRadiusConfig, FreeRadiusServer, Persona, SimConfig, SimRadius, SimRouter, SimRouterHandle, UserStore,
};
use tokio::task::JoinHandle;

/// Negative ids never collide with the database's.
const DEMO_ROUTERS: [(i64, &str, &str, usize, Persona); 3] = [
    (-1, "Demo core-1", "-1.2921,36.8219", 180, Persona::V7),
    (-2, "Demo tower-2", "-1.3031,36.7073", 120, Persona::V7),
    (-3, "Demo tower-3", "-1.2195,36.8869", 90, Persona::V6),
];
const DEMO_PASSWORD: &str = "demo";

/// The RADIUS router: its id, name, place and subscribers.
const RADIUS_ROUTER: (i64, &str, &str, usize) = (-4, "Demo radius-4", "-1.2580,36.8040", 60);
/// What the RADIUS router and its FreeRADIUS share.
const RADIUS_SECRET: &str = "demo-radius";
/// How often one of its subscribers logs in or out.
const RADIUS_CHURN: Duration = Duration::from_millis(1500);

/// The RADIUS router and what keeps it going. Dropping it stops them.
struct RadiusDemo {
    churn: JoinHandle<()>,
    // Kept for their lifetime: the router asks this server.
    _freeradius: FreeRadiusServer,
}

impl Drop for RadiusDemo {
    fn drop(&mut self) {
        self.churn.abort();
    }
}

pub struct DemoNetwork {
    routers: Vec<(Router, Arc<SimRouterHandle>)>,
    radius: Option<RadiusDemo>,
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
            let router = demo_router(id, name, location, sim.api_port(), Backend::Api);
            let (store, key) = (secrets.clone(), SecretKey::router(id));
            tokio::task::spawn_blocking(move || store.set(&key, DEMO_PASSWORD)).await??;
            fleet.watch(router.clone());
            routers.push((router, Arc::new(sim)));
        }
        let radius = match FreeRadiusServer::program() {
            Ok(_) => match start_radius_router(secrets).await {
                Ok((router, sim, radius)) => {
                    fleet.watch(router.clone());
                    routers.push((router, sim));
                    Some(radius)
                }
                Err(err) => {
                    tracing::warn!("the demo's RADIUS router did not start: {err:#}");
                    None
                }
            },
            Err(_) => {
                tracing::info!("FreeRADIUS is not installed: the demo network has no RADIUS router");
                None
            }
        };
        tracing::info!("demo network started");
        Ok(Self { routers, radius })
    }

    pub fn routers(&self) -> impl Iterator<Item = &Router> {
        self.routers.iter().map(|(r, _)| r)
    }

    pub async fn stop(self, secrets: &SecretStore, fleet: &Fleet) {
        drop(self.radius);
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

/// A demo router as the fleet watches it: on loopback, over the plain API.
fn demo_router(id: i64, name: &str, location: &str, port: u16, backend: Backend) -> Router {
    Router {
        id: RouterId(id),
        name: name.into(),
        host: "127.0.0.1".into(),
        port,
        transport: Transport::Api,
        username: "headend".into(),
        pop: None,
        location: location.parse().ok(),
        tls_pin: None,
        presented_tls_pin: None,
        backend,
    }
}

/// FreeRADIUS with the RADIUS router's subscribers, the router asking it,
/// three in four of them logged in, and one logging in or out every
/// [`RADIUS_CHURN`].
async fn start_radius_router(secrets: &SecretStore) -> anyhow::Result<(Router, Arc<SimRouterHandle>, RadiusDemo)> {
    let (id, name, location, count) = RADIUS_ROUTER;
    let rates = ["10M/20M", "5M/10M", "20M/40M"];
    let users: Vec<FileUser> = (1..=count)
        .map(|n| FileUser {
            name: format!("radius-{n:03}"),
            password: format!("pw-{n:03}"),
            rate_limit: rates[n % rates.len()].to_owned(),
        })
        .collect();
    let config = FreeRadiusConfig {
        users: UserStore::Files(users.clone()),
        clients: vec![("127.0.0.1/32".parse()?, RADIUS_SECRET.to_owned())],
    };
    // Its start-up future is not `Send` (a retrying async closure), which
    // a command's future must be: it runs to completion on a blocking
    // thread of the same runtime instead.
    let runtime = tokio::runtime::Handle::current();
    let freeradius = tokio::task::spawn_blocking(move || runtime.block_on(FreeRadiusServer::start(config))).await??;
    let sim = SimRouter::start(SimConfig {
        persona: Persona::V7,
        username: "headend".into(),
        password: DEMO_PASSWORD.into(),
        identity: name.into(),
        secrets: 0,
        active_sessions: 0,
        seed: id.unsigned_abs(),
        radius: Some(SimRadius {
            auth: freeradius.auth_addr(),
            accounting: freeradius.acct_addr(),
            secret: RADIUS_SECRET.to_owned(),
            nas_identifier: name.to_owned(),
            interim: Some(Duration::from_secs(60)),
        }),
        ..SimConfig::default()
    })
    .await?;
    let sim = Arc::new(sim);
    for user in &users[..count * 3 / 4] {
        sim.dial(&user.name, &user.password).await?;
    }
    let coa_port = sim.coa_addr().map_or(headend_core::router::DEFAULT_COA_PORT, |a| a.port());
    let nas = Nas { address: "127.0.0.1".parse()?, coa_port };
    let router = demo_router(id, name, location, sim.api_port(), Backend::Radius(nas));
    let (store, key) = (secrets.clone(), SecretKey::router(id));
    tokio::task::spawn_blocking(move || store.set(&key, DEMO_PASSWORD)).await??;
    let churning = Arc::clone(&sim);
    let churn = tokio::spawn(async move {
        // Walks the users with a stride prime to their number, so every
        // one comes and goes in turn.
        let mut at = 0;
        loop {
            tokio::time::sleep(RADIUS_CHURN).await;
            at = (at + 7) % users.len();
            let user = &users[at];
            if churning.radius_session(user.name.as_str()).is_some() {
                churning.hang_up(&user.name).await;
            } else if let Err(err) = churning.dial(&user.name, &user.password).await {
                tracing::debug!("demo RADIUS login of {} failed: {err}", user.name);
            }
        }
    });
    Ok((router, sim, RadiusDemo { churn, _freeradius: freeradius }))
}

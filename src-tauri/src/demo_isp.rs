//! The demo ISP (`headend-app --demo-isp`): a whole small ISP on loopback,
//! in a throwaway data directory, in a window of its own. The operator's
//! app starts it as a second process ("Explore a demo ISP" on the first
//! Dashboard) and hides its own window until the demo ends, so the demo's
//! data never mixes with theirs; the demo's process deletes its directory
//! and its keyring entries when it quits.
//!
//! The data is made by `Workflows::seed_demo_isp` (crates/workflows) on
//! three simulated routers and a simulated Huawei OLT. What keeps it alive
//! is here:
//! - sessions: most active customers are brought online as soon as the
//!   provisioning engine has written their secrets, then the routers'
//!   churn logs one in or out every few seconds;
//! - the fibre customers' ONUs appear in the OLT's autofind (one now and
//!   then, as a technician would plug them in) and zero-touch registers
//!   them; the first one's signal then drifts down into an alert;
//! - tower-3 refuses one write in seven and drops off the network for a
//!   minute every few minutes, so the queue and the tray have something to
//!   show;
//! - a "billing desk" takes a payment every so often.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use headend_core::olt::OltVendor;
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{Faults, SimConfig, SimOlt, SimOltConfig, SimOltHandle, SimRouter, SimRouterHandle};
use headend_workflows::Workflows;
use headend_workflows::billing::PaymentInput;
use headend_workflows::demo_isp::{DemoOlt, DemoRouter, ROUTER_NAMES, SeededDemo};
use tokio::task::JoinHandle;

use crate::state::lock;

/// How many customers the town has.
const CUSTOMERS: usize = 300;
const PASSWORD: &str = "demo";
/// Of a router's enabled secrets, how many are online when the demo settles.
const ONLINE_SHARE: f64 = 0.8;
const CHURN: Duration = Duration::from_secs(3);
/// How often a fibre ONU is plugged in, after the first few.
const PLUG_IN_EVERY: Duration = Duration::from_secs(90);
const FIBRE_AT_START: usize = 6;
/// The drifting ONU loses this much each step, from its first reading.
const DRIFT_STEP_DB: f64 = 0.4;
const DRIFT_EVERY: Duration = Duration::from_secs(20);
/// It stops below the critical threshold.
const DRIFT_FLOOR_DBM: f64 = -29.5;
const FLAKY_EVERY: Duration = Duration::from_secs(240);
const FLAKY_FOR: Duration = Duration::from_secs(60);
const PAYMENT_EVERY: Duration = Duration::from_secs(45);

/// The demo's devices and the tasks that keep them going; dropping it
/// stops them.
pub struct DemoIsp {
    // Kept for their lifetime: the devices stop when dropped.
    _routers: Vec<Arc<SimRouterHandle>>,
    _olt: Arc<SimOltHandle>,
    tasks: Vec<JoinHandle<()>>,
    /// The keyring entries the demo made, deleted when it ends.
    keys: Vec<SecretKey>,
}

impl Drop for DemoIsp {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// The demo of this process, ended once (when the app exits).
pub struct DemoIspRun(Mutex<Option<DemoIsp>>);

impl DemoIspRun {
    pub fn new(demo: DemoIsp) -> Self {
        Self(Mutex::new(Some(demo)))
    }

    pub fn end(&self, secrets: &SecretStore, dir: &Path) {
        if let Some(demo) = lock(&self.0).take() {
            demo.end(secrets, dir);
        }
    }
}

/// The directory of the data of the demo run by process `pid`, inside
/// `base` (the temporary folder by default).
pub fn data_dir(base: Option<&Path>, pid: u32) -> PathBuf {
    base.map_or_else(std::env::temp_dir, Path::to_path_buf).join(format!("headend-demo-isp-{pid}"))
}

impl DemoIsp {
    /// Starts the devices and fills the (empty) database.
    pub async fn start(workflows: &Workflows) -> anyhow::Result<Self> {
        let mut routers = Vec::new();
        for (n, name) in ROUTER_NAMES.iter().enumerate() {
            let sim = SimRouter::start(SimConfig {
                username: "headend".into(),
                password: PASSWORD.into(),
                identity: (*name).into(),
                churn: Some(CHURN),
                seed: 40 + n as u64,
                tls: false,
                rest: false,
                ..SimConfig::default()
            })
            .await
            .with_context(|| format!("starting the demo's {name}"))?;
            routers.push(Arc::new(sim));
        }
        let olt = SimOlt::start(SimOltConfig {
            pon_ports: 4,
            onus_per_port: 6,
            autofind: 0,
            password: PASSWORD.into(),
            seed: 7,
            ..SimOltConfig::vendor(OltVendor::Huawei)
        })
        .await
        .context("starting the demo's OLT")?;
        let demo_routers: Vec<DemoRouter> = ROUTER_NAMES
            .iter()
            .zip(&routers)
            .map(|(name, sim)| DemoRouter {
                name,
                port: sim.api_port(),
                username: "headend".into(),
                password: PASSWORD.into(),
            })
            .collect();
        let demo_olt = DemoOlt { port: olt.addr().port(), username: "admin".into(), password: PASSWORD.into() };
        let seeded =
            workflows.seed_demo_isp(&demo_routers, &demo_olt, CUSTOMERS).await.context("making the demo ISP")?;
        tracing::info!(services = seeded.services, "demo ISP ready");
        let mut keys: Vec<SecretKey> = seeded.routers.iter().map(|r| SecretKey::router(r.id)).collect();
        keys.extend([SecretKey::olt(seeded.olt.id), SecretKey::subscriber_key()]);
        let olt = Arc::new(olt);
        let tasks = bring_to_life(workflows, &routers, &olt, seeded);
        Ok(Self { _routers: routers, _olt: olt, tasks, keys })
    }

    /// Ends the demo: its devices stop, its keyring entries and its data go.
    pub fn end(self, secrets: &SecretStore, dir: &Path) {
        for key in &self.keys {
            if let Err(err) = secrets.delete(key) {
                tracing::warn!("cannot remove the demo's {key} from the keyring: {err}");
            }
        }
        drop(self);
        if let Err(err) = std::fs::remove_dir_all(dir) {
            tracing::warn!("cannot remove the demo's data at {}: {err}", dir.display());
        }
    }
}

fn bring_to_life(
    workflows: &Workflows,
    routers: &[Arc<SimRouterHandle>],
    olt: &Arc<SimOltHandle>,
    seeded: SeededDemo,
) -> Vec<JoinHandle<()>> {
    let mut tasks: Vec<JoinHandle<()>> = routers.iter().cloned().map(|sim| tokio::spawn(fill_sessions(sim))).collect();
    if let Some(flaky) = routers.get(2) {
        flaky.set_faults(Faults { trap_every_nth_write: Some(7), ..Faults::default() });
        tasks.push(tokio::spawn(flap(Arc::clone(flaky))));
    }
    tasks.push(tokio::spawn(plug_in_onus(
        Arc::clone(olt),
        seeded.onu_serials.iter().map(ToString::to_string).collect(),
    )));
    tasks.push(tokio::spawn(billing_desk(workflows.clone(), seeded.payable)));
    tasks
}

/// Brings the router's customers online once their secrets are there,
/// until [`ONLINE_SHARE`] of them are; the router's churn does the rest.
async fn fill_sessions(sim: Arc<SimRouterHandle>) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        let secrets = sim.secrets();
        let enabled: Vec<String> = secrets
            .iter()
            .filter(|s| s.get_str("disabled") != Some("true"))
            .filter_map(|s| s.get_str("name").map(str::to_owned))
            .collect();
        let wanted = (enabled.len() as f64 * ONLINE_SHARE) as usize;
        if !enabled.is_empty() && sim.active_count() >= wanted {
            return;
        }
        let online: std::collections::HashSet<String> =
            sim.active_sessions().iter().filter_map(|a| a.get_str("name").map(str::to_owned)).collect();
        for user in enabled.iter().filter(|u| !online.contains(*u)).take(wanted.saturating_sub(online.len())) {
            sim.connect_session(user.as_str());
        }
    }
}

/// Every [`FLAKY_EVERY`], the router drops off the network for [`FLAKY_FOR`].
async fn flap(sim: Arc<SimRouterHandle>) {
    loop {
        tokio::time::sleep(FLAKY_EVERY).await;
        let faults = sim.faults();
        sim.set_faults(Faults { refuse_connections: true, ..faults.clone() });
        sim.drop_connections();
        tokio::time::sleep(FLAKY_FOR).await;
        sim.set_faults(faults);
    }
}

/// The fibre ONUs appear in autofind, a few at once and then one by one;
/// the first registered one's signal drifts down.
async fn plug_in_onus(olt: Arc<SimOltHandle>, serials: Vec<String>) {
    let ports: Vec<_> = (0..4).map(|p| olt.pon_port(p)).collect();
    let mut waiting = serials.iter().enumerate();
    for (n, serial) in waiting.by_ref().take(FIBRE_AT_START) {
        olt.add_autofind_onu(ports[n % ports.len()], serial, "EG8145V5");
    }
    let drifting = serials.first().cloned();
    let mut plug = tokio::time::interval_at(tokio::time::Instant::now() + PLUG_IN_EVERY, PLUG_IN_EVERY);
    let mut drift = tokio::time::interval(DRIFT_EVERY);
    let mut rx = None;
    loop {
        tokio::select! {
            _ = plug.tick() => {
                if let Some((n, serial)) = waiting.next() {
                    olt.add_autofind_onu(ports[n % ports.len()], serial, "EG8145V5");
                }
            }
            _ = drift.tick() => {
                let onu = drifting.as_ref().and_then(|s| olt.onus().into_iter().find(|o| o.serial == *s));
                let Some((onu, optics)) = onu.and_then(|o| o.optics.map(|optics| (o, optics))) else {
                    continue;
                };
                let now = rx.unwrap_or(optics.onu_rx_dbm) - DRIFT_STEP_DB;
                if now > DRIFT_FLOOR_DBM {
                    olt.set_rx_power(onu.port, onu.id, now);
                    rx = Some(now);
                }
            }
        }
    }
}

/// Takes a payment for one of the customers now and then, as the front
/// desk would: the dashboard's payments move and a suspended customer
/// who pays is reconnected.
async fn billing_desk(workflows: Workflows, payable: Vec<(headend_core::ServiceId, rust_decimal::Decimal)>) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + PAYMENT_EVERY, PAYMENT_EVERY);
    for (service, amount) in payable.iter().cycle().step_by(7) {
        tick.tick().await;
        let payment = PaymentInput {
            service: *service,
            amount: *amount,
            method: headend_core::billing::ledger::PaymentMethod::MobileMoney,
            reference: None,
            date: None,
            months: None,
            invoice: None,
        };
        if let Err(err) = workflows.record_payment(&headend_core::activity::Actor::Operator, &payment).await {
            tracing::debug!("the demo's payment for service {service} was refused: {err}");
        }
    }
}

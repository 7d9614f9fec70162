//! `headend agent` killed with SIGKILL at random moments while it sweeps,
//! many times, with the services changing between runs; then one clean
//! sweep. The router must hold exactly what the database says, with no
//! duplicate (`headend_simlab::audit`, shared with `cargo xtask bench
//! kills`), and every write the router holds must be in the router log.
//! Also: SIGTERM lets the agent finish its writes and exit cleanly.
//!
//! Needs a keyring (`cargo xtask test`, or by hand: `dbus-run-session --
//! bash -c 'echo -n pw | gnome-keyring-daemon --unlock
//! --components=secrets >/dev/null; cargo test -p headend --test agent'`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use headend_core::activity::Actor;
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::Password;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{RouterId, ServiceId};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{Faults, SimConfig, SimRouter, SimRouterHandle, audit};
use headend_store::{ImportService, NewPlan, NewRouter, Store};
use jiff::Timestamp;
use rust_decimal::Decimal;

const SERVICES: usize = 120;

struct Lab {
    dir: tempfile::TempDir,
    store: Store,
    secrets: SecretStore,
    router: RouterId,
    sim: SimRouterHandle,
}

impl Lab {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
        let scope = store.installation_id().await.unwrap();
        let secrets =
            SecretStore::open().expect("these tests need a keyring: run them with cargo xtask test").scoped(&scope);
        // Slow enough that a kill often lands between a write and its record.
        let sim = SimRouter::start(SimConfig {
            faults: Faults { latency: Duration::from_millis(15), ..Faults::default() },
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let router = store
            .add_router(&NewRouter {
                name: "core".into(),
                host: "127.0.0.1".into(),
                port: sim.api_port(),
                transport: Transport::Api,
                username: "admin".into(),
                pop: None,
                location: None,
            })
            .await
            .unwrap();
        secrets.set(&SecretKey::router(router), "admin").unwrap();
        let cipher = headend_workflows::open_subscriber_cipher(&store, &secrets).await.unwrap();
        let plan = store
            .add_plan(&NewPlan {
                name: "Home".into(),
                limits: RateLimit::from_parts("10M/20M", None, None, None).unwrap(),
                price: Decimal::new(2500, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            })
            .await
            .unwrap();
        let rows: Vec<ImportService> = (0..SERVICES)
            .map(|n| {
                let (access, password) = if n % 10 == 9 {
                    (Access::StaticIp { address: format!("10.1.0.{}", n + 1).parse().unwrap() }, None)
                } else {
                    (
                        Access::Pppoe { username: format!("c{n:03}"), address: None },
                        Some(cipher.encrypt(&Password::new(format!("pw{n}")))),
                    )
                };
                ImportService {
                    customer_name: format!("Customer {n}"),
                    customer_phone: None,
                    router,
                    plan,
                    access,
                    password,
                    status: ServiceStatus::Active,
                    next_billing_date: None,
                    adopt: false,
                    customer_address: None,
                    customer_location: None,
                }
            })
            .collect();
        store.import_services(&rows, Timestamp::now(), &Actor::Cli).await.unwrap();
        Self { dir, store, secrets, router, sim }
    }

    fn headend(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_headend"));
        cmd.arg("--data-dir").arg(self.dir.path()).args(args);
        cmd
    }

    fn agent(&self) -> Child {
        self.headend(&["agent"]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.secrets.delete(&SecretKey::router(self.router));
        let _ = self.secrets.delete(&SecretKey::subscriber_key());
    }
}

/// A small deterministic generator: the test is random but repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_sweeping_agent_loses_nothing_and_duplicates_nothing() {
    let lab = Lab::new().await;
    let mut rng = Rng(0x5eed_cafe);
    for round in 0..12 {
        // The operator changes things between crashes.
        for _ in 0..8 {
            let id = ServiceId(1 + rng.next(SERVICES as u64) as i64);
            let status = if rng.next(2) == 0 { ServiceStatus::Suspended } else { ServiceStatus::Active };
            lab.store.set_service_status(id, status).await.unwrap();
        }
        let mut agent = lab.agent();
        tokio::time::sleep(Duration::from_millis(30 + rng.next(400))).await;
        agent.kill().unwrap();
        let status = agent.wait().unwrap();
        assert!(!status.success(), "round {round}: the agent was killed");
    }

    // One clean sweep finishes whatever the crashes left.
    let out = lab.headend(&["sweep", "--once"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = lab.headend(&["--json", "sweep", "--once"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["steps"].as_array().unwrap().len(), 0, "converged: {report}");

    // Exactly the database's view, no duplicates.
    let cipher = headend_workflows::open_subscriber_cipher(&lab.store, &lab.secrets).await.unwrap();
    let expected = audit::expected(&lab.store, &cipher, lab.router, Timestamp::now()).await.unwrap();
    assert_eq!(expected.unreadable, vec![], "services whose data was lost");
    let found = audit::audit(&lab.sim, &expected);
    assert!(found.is_clean(), "the router differs from the database: {:#?}", found.problems);
    let secrets = lab.sim.secrets();

    // Every secret on the router was added by a logged write.
    let log = lab.store.router_log(lab.router, 100_000).await.unwrap();
    for s in &secrets {
        let name = s.get_str("name").unwrap();
        let add = format!("/ppp/secret/add name={name} ");
        assert!(log.iter().any(|l| l.command.starts_with(&add)), "no log line for adding {name}");
    }
    assert!(log.iter().all(|l| !l.command.contains("pw1")), "a password reached the router log");
    let cut = log.iter().filter(|l| l.outcome == headend_store::RouterLogOutcome::Interrupted).count();
    eprintln!("{} writes logged, {cut} of them cut off by a kill", log.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_agent_finish_and_exit_cleanly() {
    let lab = Lab::new().await;
    let agent = lab.agent();
    // Wait until it is writing, then ask it to stop.
    for _ in 0..500 {
        if lab.sim.secret_count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = agent.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let out = agent.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = lab.store.router_log(lab.router, 100_000).await.unwrap();
    assert!(log.iter().all(|l| l.outcome != headend_store::RouterLogOutcome::Pending), "a write was left unrecorded");
    assert!(Path::new(lab.dir.path()).join("headend.sqlite3").exists());
}

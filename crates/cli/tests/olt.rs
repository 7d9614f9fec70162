//! `headend olt …` (the real binary) against simulated OLTs over SSH on
//! loopback, with a temporary data directory and the real keyring
//! (`cargo xtask test` runs the tests in a D-Bus session with an unlocked
//! throwaway GNOME Keyring).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use headend_core::olt::{OltVendor, OnuState};
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::olt::{SimOlt, SimOltConfig, SimOltHandle};
use headend_store::{NewCustomer, NewPlan, NewRouter, NewService, Store};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const PASSWORD: &str = "0lt-S3cret!pass";

struct Out {
    success: bool,
    stdout: String,
    stderr: String,
}

impl Out {
    fn json(&self) -> Json {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?} / {}", self.stdout, self.stderr))
    }

    fn ok(self) -> Self {
        assert!(self.success, "headend failed: {}", self.stderr);
        assert!(!self.stdout.contains(PASSWORD) && !self.stderr.contains(PASSWORD), "a password was printed");
        self
    }

    /// A failure with one clear line on stderr containing `needle`.
    fn clear_error(&self, needle: &str) {
        assert!(!self.success, "expected a failure, got: {}", self.stdout);
        let err = self.stderr.trim_end();
        assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
        assert!(err.starts_with("headend: "), "{err:?}");
        assert!(err.contains(needle), "{err:?} lacks {needle:?}");
        assert!(!err.contains("panicked"), "{err:?}");
        assert!(!err.contains(PASSWORD), "a password in an error: {err:?}");
    }
}

struct Lab {
    dir: tempfile::TempDir,
    secrets: SecretStore,
    ids: Vec<i64>,
}

impl Lab {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
        let scope = store.installation_id().await.unwrap();
        store.close().await;
        let secrets = SecretStore::open().expect("these tests need a keyring: run them with cargo xtask test");
        Self { dir, secrets: secrets.scoped(&scope), ids: Vec::new() }
    }

    fn headend(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_headend"));
        cmd.arg("--data-dir").arg(self.dir.path()).kill_on_drop(true);
        cmd
    }

    async fn run(&self, args: &[&str]) -> Out {
        self.run_with_input(args, None).await
    }

    async fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Out {
        let mut child = self
            .headend()
            .args(args)
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            let _ = stdin.write_all(input.as_bytes()).await;
        }
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("headend did not finish in a minute")
            .unwrap();
        Out {
            success: out.status.success(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// `headend olt add NAME` on 127.0.0.1, the password on stdin.
    async fn add(&mut self, name: &str, sim: &SimOltHandle, vendor: &str, password: &str) -> Out {
        let port = sim.addr().port().to_string();
        let args = [
            "--json",
            "olt",
            "add",
            name,
            "--vendor",
            vendor,
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--user",
            "admin",
            "--password-stdin",
        ];
        let out = self.run_with_input(&args, Some(password)).await;
        if out.success {
            self.ids.push(out.json()["id"].as_i64().unwrap());
        }
        out
    }

    fn stored_password(&self, id: i64) -> Option<String> {
        self.secrets.get(&SecretKey::olt(id)).unwrap().map(|s| s.expose().to_owned())
    }

    async fn store(&self) -> Store {
        Store::open(&self.dir.path().join("headend.sqlite3")).await.unwrap()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for id in &self.ids {
            let _ = self.secrets.delete(&SecretKey::olt(id));
        }
    }
}

fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("headend.sqlite3") {
            all.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    all
}

async fn sim(vendor: OltVendor, password: &str) -> SimOltHandle {
    SimOlt::start(SimOltConfig {
        vendor,
        pon_ports: 2,
        onus_per_port: 3,
        autofind: 1,
        password: password.into(),
        online_delay: Duration::from_millis(200),
        ..SimOltConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn add_list_and_remove_keep_the_password_in_the_keyring() {
    let sim = sim(OltVendor::Huawei, PASSWORD).await;
    let mut lab = Lab::new().await;
    let added = lab.add("olt-north", &sim, "huawei", &format!("{PASSWORD}\n")).await.ok().json();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(
        (added["vendor"].as_str(), added["port"].as_u64()),
        (Some("huawei"), Some(u64::from(sim.addr().port())))
    );
    assert_eq!(added["host_key"], Json::Null, "pinned on the first connection, not before");

    assert_eq!(lab.stored_password(id).as_deref(), Some(PASSWORD));
    let db = database_bytes(lab.dir.path());
    assert!(!db.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "the password is in the database");

    lab.add("olt-north", &sim, "huawei", PASSWORD).await.clear_error("already exists");
    let bad = lab
        .run_with_input(
            &["olt", "add", "x", "--vendor", "fiberhome", "--host", "h", "--user", "u", "--password-stdin"],
            Some("p"),
        )
        .await;
    assert!(!bad.success && bad.stderr.contains("unknown OLT vendor \"fiberhome\""), "{}", bad.stderr);
    lab.run(&["olt", "add", "x", "--vendor", "zte", "--host", "h", "--user", "u", "--password-stdin"])
        .await
        .clear_error("no password on standard input");

    // The first contact pins the host key; the list shows the health.
    lab.run(&["olt", "onus", "olt-north"]).await.ok();
    let list = lab.run(&["--json", "olt", "list"]).await.ok().json();
    let olt = &list.as_array().unwrap()[0];
    assert_eq!(olt["host_key"].as_str(), Some(sim.host_key_fingerprint().as_str()));
    assert_eq!((olt["onus"].as_u64(), olt["online"].as_u64()), (Some(6), Some(6)));
    assert_eq!(olt["error"], Json::Null);
    assert!(olt["reached_at"].is_string(), "{olt}");
    let text = lab.run(&["olt", "list"]).await.ok().stdout;
    assert!(text.starts_with("ID  NAME") && text.contains("olt-north") && text.contains("6/6"), "{text}");
    lab.run(&["olt", "pin", "olt-north"]).await.clear_error("presented no other host key");

    // The key changes: refused, shown, and trusted only when pinned.
    let presented = sim.regenerate_host_key();
    lab.run(&["olt", "onus", "olt-north"]).await.clear_error("host key changed");
    lab.run(&["olt", "onus", "olt-north"]).await.clear_error(&presented);
    let list = lab.run(&["--json", "olt", "list"]).await.ok().json();
    assert_eq!(list[0]["presented_key"].as_str(), Some(presented.as_str()));
    assert!(lab.run(&["olt", "list"]).await.ok().stdout.contains("KEY CHANGED"));
    let pinned = lab.run(&["--json", "olt", "pin", "olt-north"]).await.ok().json();
    assert_eq!(pinned["host_key"].as_str(), Some(presented.as_str()));
    lab.run(&["olt", "onus", "olt-north"]).await.ok();
    let list = lab.run(&["--json", "olt", "list"]).await.ok().json();
    assert_eq!((list[0]["presented_key"].clone(), list[0]["error"].clone()), (Json::Null, Json::Null));

    let removed = lab.run(&["--json", "olt", "remove", "olt-north"]).await.ok().json();
    assert_eq!(removed["password_deleted"], true);
    assert_eq!(lab.stored_password(id), None);
    assert_eq!(lab.run(&["--json", "olt", "list"]).await.ok().json(), serde_json::json!([]));
    lab.run(&["olt", "autofind", "olt-north"]).await.clear_error("no OLT named \"olt-north\"");
}

async fn life_of_an_onu(vendor: OltVendor, vendor_name: &str, serial: &str, profile: &str) {
    let sim = sim(vendor, PASSWORD).await;
    let mut lab = Lab::new().await;
    lab.add("olt-1", &sim, vendor_name, PASSWORD).await.ok();
    let port = sim.pon_port(1);
    assert!(sim.add_autofind_onu(port, serial, "EG8145V5"));

    // Autofind: the simulator's waiting ONU and the one plugged in now.
    let found = lab.run(&["--json", "olt", "autofind", "olt-1"]).await.ok().json();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let new = found.iter().find(|f| f["serial"] == serial).expect("the new ONU");
    assert_eq!(new["port"].as_str(), Some(port.to_string().as_str()));
    let text = lab.run(&["olt", "autofind", "olt-1"]).await.ok().stdout;
    assert!(text.starts_with("PORT") && text.contains(serial), "{text}");

    // Authorize it.
    let p = port.to_string();
    let done = lab
        .run(&[
            "--json",
            "olt",
            "authorize",
            "olt-1",
            "--port",
            &p,
            "--serial",
            serial,
            "--profile",
            profile,
            "--vlan",
            "100",
            "--description",
            "Maria Lopez",
        ])
        .await
        .ok()
        .json();
    let id = done["id"].as_u64().unwrap();
    assert_eq!((done["serial"].as_str(), done["vlan"].as_u64()), (Some(serial), Some(100)));
    let onu = sim.onu(port, u16::try_from(id).unwrap()).expect("registered on the OLT");
    assert_eq!((onu.serial.as_str(), onu.vlan), (serial, Some(100)));

    // Listed (online after the simulator's delay).
    tokio::time::sleep(Duration::from_millis(400)).await;
    let onus = lab.run(&["--json", "olt", "onus", "olt-1", "--port", &p]).await.ok().json();
    let onus = onus.as_array().unwrap();
    assert_eq!(onus.len(), 4, "{onus:?}");
    let listed = onus.iter().find(|o| o["serial"] == serial).unwrap();
    assert_eq!((listed["id"].as_u64(), listed["state"].as_str()), (Some(id), Some(OnuState::Online.as_str())));
    let text = lab.run(&["olt", "onus", "olt-1"]).await.ok().stdout;
    assert_eq!(text.lines().count(), 8, "a header and 7 ONUs: {text}");

    // Its optical levels, alone and with its port; every port.
    let idt = id.to_string();
    let one = lab.run(&["--json", "olt", "optical", "olt-1", "--port", &p, "--onu", &idt]).await.ok().json();
    let one = &one.as_array().unwrap()[0];
    let rx = one["onu_rx_dbm"].as_f64().expect("an ONU Rx reading");
    let simulated = sim.onu(port, u16::try_from(id).unwrap()).unwrap().optics.unwrap().onu_rx_dbm;
    assert!((rx - simulated).abs() < 0.5, "read {rx}, simulated {simulated}");
    assert_eq!(one["band"], "good");
    assert_eq!(one["serial"].as_str(), Some(serial));
    let port_levels = lab.run(&["--json", "olt", "optical", "olt-1", "--port", &p]).await.ok().json();
    assert_eq!(port_levels.as_array().unwrap().len(), 4);
    let all = lab.run(&["--json", "olt", "optical", "olt-1"]).await.ok().json();
    assert_eq!(all.as_array().unwrap().len(), 7);
    assert!(!lab.run(&["olt", "optical", "olt-1", "--onu", "1"]).await.success, "--onu needs --port");
    let text = lab.run(&["olt", "optical", "olt-1", "--port", &p]).await.ok().stdout;
    assert!(text.starts_with("PORT") && text.contains("ONU RX"), "{text}");

    // Deregister it.
    let gone = lab.run(&["--json", "olt", "deregister", "olt-1", "--port", &p, "--onu", &idt]).await.ok().json();
    assert_eq!(gone["serial"].as_str(), Some(serial));
    assert!(sim.onu(port, u16::try_from(id).unwrap()).is_none());
    let onus = lab.run(&["--json", "olt", "onus", "olt-1", "--port", &p]).await.ok().json();
    assert_eq!(onus.as_array().unwrap().len(), 3);

    // An OLT refusal is a clear error.
    lab.run(&["olt", "deregister", "olt-1", "--port", &p, "--onu", "77"]).await.clear_error("olt-1");

    // Every command is in the command log, with the replies.
    let log = lab.run(&["--json", "olt", "log", "olt-1", "--limit", "500"]).await.ok().json();
    let log = log.as_array().unwrap();
    assert!(
        log.iter().any(|e| e["command"].as_str().unwrap().contains(serial)
            || e["command"].as_str().unwrap().contains(&headend_olt::SerialNumber::parse(serial).unwrap().hex16())),
        "{log:?}"
    );
    assert!(log.iter().all(|e| e["outcome"].is_string() && e["reply"].is_string()));
    let activity = lab.store().await.activity(&headend_store::ActivityQuery::default()).await.unwrap();
    assert!(
        activity.iter().any(|(_, e)| e.action == "onu authorized" && e.actor == headend_core::activity::Actor::Cli),
        "{activity:?}"
    );
    assert!(activity.iter().any(|(_, e)| e.action == "onu deregistered"), "{activity:?}");
}

#[tokio::test]
async fn huawei_autofind_authorize_onus_optical_deregister() {
    life_of_an_onu(OltVendor::Huawei, "huawei", "HWTC0B086EA9", "20,30").await;
}

#[tokio::test]
async fn zte_autofind_authorize_onus_optical_deregister() {
    life_of_an_onu(OltVendor::Zte, "zte", "ZTEGC8F22D1F", "UP-100M,ZTE-F670").await;
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_error() {
    let sim = sim(OltVendor::Zte, "the-real-one").await;
    let mut lab = Lab::new().await;
    lab.add("olt-z", &sim, "zte", PASSWORD).await.ok();
    lab.run(&["olt", "autofind", "olt-z"]).await.clear_error("refused the login of \"admin\"");
    let list = lab.run(&["--json", "olt", "list"]).await.ok().json();
    assert!(list[0]["error"].as_str().unwrap().contains("refused the login"), "{list}");
    // Unreachable is clear too.
    drop(sim);
    lab.run(&["olt", "onus", "olt-z"]).await.clear_error("cannot connect");
}

#[tokio::test]
async fn zero_touch_from_the_command_line() {
    let sim = sim(OltVendor::Huawei, PASSWORD).await;
    let mut lab = Lab::new().await;
    lab.add("olt-1", &sim, "huawei", PASSWORD).await.ok();
    let store = lab.store().await;
    let router = store
        .add_router(&NewRouter {
            name: "core".into(),
            host: "127.0.0.1".into(),
            port: 8728,
            transport: Transport::Api,
            username: "admin".into(),
            pop: None,
            location: None,
        })
        .await
        .unwrap();
    store
        .add_plan(&NewPlan {
            name: "Fibra 100".into(),
            limits: RateLimit::from_parts("50M/100M", None, None, None).unwrap(),
            price: Decimal::new(4000, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let plan = store.plan_by_name("Fibra 100").await.unwrap().unwrap().id;
    let customer = store
        .add_customer(&NewCustomer {
            name: "José Núñez".into(),
            phone: None,
            email: None,
            address: None,
            location: None,
        })
        .await
        .unwrap();
    let service = store
        .add_service(&NewService {
            customer,
            router,
            plan,
            access: Access::Pppoe { username: "jose".into(), address: None },
            status: ServiceStatus::Pending,
            next_billing_date: None,
            grace_days: None,
            password: None,
            adopt: false,
        })
        .await
        .unwrap();
    store.close().await;

    let profile = lab
        .run(&["--json", "olt", "plan-profile", "Fibra 100", "--line", "20", "--service", "30", "--vlan", "200"])
        .await
        .ok()
        .json();
    assert_eq!((profile["line"].as_str(), profile["vlan"].as_u64()), (Some("20"), Some(200)));
    let sid = service.0.to_string();
    let set = lab.run(&["--json", "olt", "zero-touch", &sid, "--serial", "485754430B086EA9"]).await.ok().json();
    assert_eq!(set["serial"].as_str(), Some("HWTC0B086EA9"), "stored in the 12-character form");
    lab.run(&["olt", "zero-touch", "999", "--serial", "HWTC0B086EA9"]).await.clear_error("no service with id 999");
    let bad = lab.run(&["olt", "zero-touch", &sid, "--serial", "nope"]).await;
    assert!(!bad.success && bad.stderr.contains("not a GPON serial"), "{}", bad.stderr);

    // Not plugged in yet: the sweep finds nothing to do.
    let out = lab.run(&["olt", "sweep"]).await.ok().stdout;
    assert!(out.contains("olt-1: 6/6 ONUs online") && !out.contains("zero-touch"), "{out}");

    // Plugged in: the next sweep registers and links it.
    assert!(sim.add_autofind_onu(sim.pon_port(0), "HWTC0B086EA9", "EG8145V5"));
    let out = lab.run(&["--json", "olt", "sweep", "olt-1"]).await.ok().stdout;
    let last: Json = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let authorized = last["zero_touch"]["authorized"].as_array().unwrap();
    assert_eq!(authorized.len(), 1, "{out}");
    assert!(authorized[0].as_str().unwrap().contains(&format!("service {service}")), "{out}");
    let onu = sim.pon_port(0);
    let registered = sim.onus().into_iter().find(|o| o.serial == "HWTC0B086EA9").expect("registered");
    assert_eq!(
        (registered.port, registered.vlan, registered.line_profile, registered.srv_profile),
        (onu, Some(200), 20, 30)
    );
    assert_eq!(registered.description, format!("svc{service}-Jose_Nunez"));
    let onus = lab.run(&["--json", "olt", "onus", "olt-1", "--port", &onu.to_string()]).await.ok().json();
    let linked = onus.as_array().unwrap().iter().find(|o| o["serial"] == "HWTC0B086EA9").unwrap().clone();
    assert_eq!(linked["service_id"].as_i64(), Some(service.0));
    assert_eq!(linked["service"].as_str(), Some("jose (José Núñez)"));
}

#[tokio::test]
async fn simulate_starts_olts_that_can_be_added() {
    let mut lab = Lab::new().await;
    let mut child = lab
        .headend()
        .args([
            "--json",
            "simulate",
            "--routers",
            "1",
            "--secrets-per-router",
            "1",
            "--olts",
            "2",
            "--onus-per-olt",
            "10",
            "--olt-vendor",
            "zte",
            "--password",
            PASSWORD,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut olts = Vec::new();
    for _ in 0..3 {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("a line in time")
            .unwrap()
            .unwrap();
        let json: Json = serde_json::from_str(&line).unwrap();
        if json["kind"] == "olt" {
            olts.push(json);
        }
    }
    assert_eq!(olts.len(), 2);
    assert_eq!(
        (olts[0]["name"].as_str(), olts[0]["vendor"].as_str(), olts[0]["onus"].as_u64()),
        (Some("olt-1"), Some("zte"), Some(10))
    );
    let port = olts[0]["ssh_port"].as_u64().unwrap().to_string();
    let out = lab
        .run_with_input(
            &[
                "--json",
                "olt",
                "add",
                "olt-1",
                "--vendor",
                "zte",
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--user",
                "admin",
                "--password-stdin",
            ],
            Some(PASSWORD),
        )
        .await
        .ok();
    lab.ids.push(out.json()["id"].as_i64().unwrap());
    let onus = lab.run(&["--json", "olt", "onus", "olt-1"]).await.ok().json();
    assert_eq!(onus.as_array().unwrap().len(), 10);
    let list = lab.run(&["--json", "olt", "list"]).await.ok().json();
    assert_eq!(list[0]["host_key"], olts[0]["host_key"]);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn signal_settings_are_bounded_and_kept() {
    let lab = Lab::new().await;
    let shown = lab.run(&["--json", "olt", "settings"]).await.ok().json();
    assert_eq!(
        shown,
        serde_json::json!({"sweep_minutes": 5, "warning_dbm": -27.0, "critical_dbm": -29.0, "overload_dbm": -8.0, "raw_days": 2, "history_days": 90, "log_days": 14})
    );
    let set = lab
        .run(&["--json", "olt", "settings", "--sweep-minutes", "10", "--warning", "-26.5", "--history-days", "60"])
        .await
        .ok()
        .json();
    assert_eq!(
        (set["sweep_minutes"].as_u64(), set["warning_dbm"].as_f64(), set["history_days"].as_u64()),
        (Some(10), Some(-26.5), Some(60))
    );
    assert_eq!(lab.run(&["--json", "olt", "settings"]).await.ok().json(), set);
    lab.run(&["olt", "settings", "--sweep-minutes", "61"]).await.clear_error("every 1 to 60 minutes");
    lab.run(&["olt", "settings", "--warning", "-30"]).await.clear_error("in order");
    lab.run(&["olt", "settings", "--raw-days", "61"]).await.clear_error("every reading is kept 1 to 30 days");
    lab.run(&["olt", "settings", "--raw-days", "7", "--history-days", "5"])
        .await
        .clear_error("from the days of every reading (7)");
    let set = lab.run(&["--json", "olt", "settings", "--raw-days", "7"]).await.ok().json();
    assert_eq!((set["raw_days"].as_u64(), set["history_days"].as_u64()), (Some(7), Some(60)));
    let text = lab.run(&["olt", "settings"]).await.ok().stdout;
    assert!(text.contains("every 10 min") && text.contains("-26.5 dBm"), "{text}");
}

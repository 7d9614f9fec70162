//! `headend import router-secrets` against a simulated router that already
//! carries an ISP's customers, then `headend sweep --once`: the secrets are
//! adopted (marked, moved to the plan's profile), nothing is removed, and a
//! second sweep changes nothing. Needs a keyring (`cargo xtask test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::router::Transport;
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{SimConfig, SimRouter};
use headend_store::{NewPlan, NewRouter, Store};
use rust_decimal::Decimal;

fn headend(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headend")).arg("--data-dir").arg(dir).args(args).output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

// The simulator runs on the test's runtime while the test waits for
// the CLI: it needs a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_already_on_a_router_are_adopted_not_duplicated() {
    // 5 secrets user00001..user00005, password pass<N>, profile default.
    let sim = SimRouter::start(SimConfig { secrets: 5, active_sessions: 2, ..SimConfig::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
    let secrets = SecretStore::open()
        .expect("a keyring: run with cargo xtask test")
        .scoped(&store.installation_id().await.unwrap());
    let router = store
        .add_router(&NewRouter {
            name: "legacy".into(),
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
    store
        .add_plan(&NewPlan {
            name: "Basic".into(),
            limits: RateLimit::from_parts("5M/10M", None, None, None).unwrap(),
            price: Decimal::new(1500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    store.close().await;
    let map = dir.path().join("plans.txt");
    std::fs::write(&map, "# profile on the router, plan in Headend\ndefault,Basic\n").unwrap();
    let map = map.display().to_string();

    // Without a map the default profile means nothing: refused, nothing written.
    let out = headend(dir.path(), &["import", "router-secrets", "legacy"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--plan-map"), "{stderr}");

    let dry =
        json(&headend(dir.path(), &["--json", "import", "router-secrets", "legacy", "--plan-map", &map, "--dry-run"]));
    assert_eq!(dry["services"].as_array().unwrap().len(), 5);
    assert_eq!(dry["imported"], false);
    let none = json(&headend(dir.path(), &["--json", "service", "list"]));
    assert!(none.as_array().unwrap().is_empty());

    let done = json(&headend(dir.path(), &["--json", "import", "router-secrets", "legacy", "--plan-map", &map]));
    assert_eq!(done["imported"], true);
    assert!(!String::from_utf8_lossy(&serde_json::to_vec(&done).unwrap()).contains("pass1"));

    let sweep = json(&headend(dir.path(), &["--json", "sweep", "--once"]));
    let texts: Vec<&str> = sweep["steps"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 6, "{texts:?}");
    assert_eq!(texts[0], "add PPP profile hd-1-basic (rate-limit 5M/10M)");
    assert!(texts[1..].iter().all(|t| t.ends_with("profile hd-1-basic adopted")), "{texts:?}");
    assert_eq!(sim.secret_count(), 5, "adopted, not added again");
    assert_eq!(sim.active_count(), 2, "nobody was cut off");
    for s in sim.secrets() {
        assert!(s.get_str("comment").unwrap().starts_with("headend:svc="));
        assert_eq!(s.get_str("profile"), Some("hd-1-basic"));
    }
    let again = json(&headend(dir.path(), &["--json", "sweep", "--once"]));
    assert!(again["steps"].as_array().unwrap().is_empty(), "{again}");

    // Importing again finds nothing new.
    let twice = json(&headend(dir.path(), &["--json", "import", "router-secrets", "legacy", "--plan-map", &map]));
    assert!(twice["services"].as_array().unwrap().is_empty());
    assert_eq!(twice["skipped"].as_array().unwrap().len(), 5);

    secrets.delete(&SecretKey::router(router)).ok();
    secrets.delete(&SecretKey::subscriber_key()).ok();
}

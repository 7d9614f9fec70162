//! The two shells agree: every workflow that both the console and the
//! `headend` CLI offer is driven once through the real app's IPC commands
//! (invoked in its WebKit window, as the UI does) and once through the real
//! CLI binary, each on a fresh data directory, and the resulting rows and
//! the operator's activity entries must be the same (ids included: both
//! databases see the same steps in the same order). Only who acted
//! (`operator` or `cli`) and when may differ.

use std::path::{Path, PathBuf};

use anyhow::Context;
use fantoccini::Client;
use headend_core::activity::Actor;
use headend_e2e::{Driver, Sandbox, cli, invoke, one_app_at_a_time};
use headend_ipc::billing::PaymentForm;
use headend_ipc::bulk::BulkRequest;
use headend_ipc::import::ImportRequest;
use headend_ipc::olt::{OltForm, PlanOltProfileDto, SignalSettingsForm, ZeroTouchForm};
use headend_ipc::policy::{PolicyForm, RouterSuspensionForm};
use headend_ipc::sessions::RetentionForm;
use headend_ipc::{BurstDto, PlanForm, RouterForm, ServiceForm, SetServiceStatus};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{SimConfig, SimRouter};
use headend_store::{ActivityQuery, Store};
use serde_json::json;

const DUE: &str = "2030-01-15";
const CSV: &str = "customer,phone,router,plan,type,username,password,ip,status,next_billing_date\n\
                   Bruno Costa,+254700000002,core-1,Home 20,pppoe,bruno,bruno-pw-1,,active,2030-02-01\n\
                   Carla Dias,,core-1,Home 20,static,,,100.64.0.7,pending,\n";

fn plan_form(id: Option<i64>, price: &str) -> PlanForm {
    PlanForm {
        id,
        name: "Home 20".into(),
        download: "20M".into(),
        upload: "5M".into(),
        burst: BurstDto::default(),
        price: price.into(),
        cycle: "monthly".into(),
        tax_rate: String::new(),
        session: Default::default(),
    }
}

/// Every shared workflow, through the app's commands.
async fn through_the_app(app: &Client, router_port: u16) -> anyhow::Result<()> {
    let router = |name: &str| RouterForm {
        id: None,
        name: name.into(),
        host: "127.0.0.1".into(),
        port: router_port.to_string(),
        transport: "api".into(),
        username: "admin".into(),
        password: "router-pw".into(),
        location: String::new(),
        pop: "Westlands".into(),
    };
    invoke(app, "save_router", json!({ "form": router("core-1") })).await?;
    let spare = invoke(app, "save_router", json!({ "form": router("spare") })).await?;
    invoke(app, "remove_router", json!({ "id": spare })).await?;
    let plan = invoke(app, "save_plan", json!({ "form": plan_form(None, "25.00") })).await?;
    let plan_id = plan["id"].as_i64().context("the plan's id")?;
    invoke(app, "save_plan", json!({ "form": plan_form(Some(plan_id), "30.00") })).await?;
    let service = ServiceForm {
        id: None,
        customer_name: "Ana Lima".into(),
        customer_phone: "+254700000001".into(),
        customer_address: "12 Moi Avenue".into(),
        customer_location: "https://www.openstreetmap.org/#map=18/-1.28410/36.82330".into(),
        router_id: Some(1),
        plan_id: Some(plan_id),
        kind: "pppoe".into(),
        username: "ana".into(),
        password: "s3cret-pw".into(),
        status: "active".into(),
        next_billing_date: DUE.into(),
        grace_days: "5".into(),
        ..ServiceForm::default()
    };
    let id = invoke(app, "save_service", json!({ "form": service })).await?;
    let id = id.as_i64().context("the service's id")?;
    invoke(app, "set_service_status", json!({ "change": SetServiceStatus { id, status: "suspended".into() } })).await?;
    let payment = PaymentForm {
        service_id: id,
        amount: "75.00".into(),
        method: "cash".into(),
        months: "3".into(),
        ..PaymentForm::default()
    };
    invoke(app, "record_payment", json!({ "payment": payment })).await?;
    invoke(app, "retry_service", json!({ "id": id })).await?;
    let olt = OltForm {
        id: None,
        name: "olt-1".into(),
        vendor: "huawei".into(),
        host: "127.0.0.1".into(),
        port: "2222".into(),
        username: "root".into(),
        password: "olt-pw".into(),
        location: String::new(),
        pop: String::new(),
    };
    let olt = invoke(app, "save_olt", json!({ "form": olt })).await?;
    invoke(app, "remove_olt", json!({ "id": olt })).await?;
    invoke(app, "import_services", json!({ "request": ImportRequest { csv: CSV.into(), dry_run: false } })).await?;
    let retention = RetentionForm { detail_days: "30".into(), keep_days: "365".into() };
    invoke(app, "set_session_retention", json!({ "form": retention })).await?;
    let policy = PolicyForm {
        time_zone: "Africa/Nairobi".into(),
        grace_days: "5".into(),
        suspension: "address-list".into(),
        static_queues: true,
        max_attempts: "5".into(),
    };
    invoke(app, "save_policy", json!({ "form": policy })).await?;
    invoke(app, "set_router_suspension", json!({ "form": RouterSuspensionForm { id: 1, mode: "remove".into() } }))
        .await?;
    let signal = SignalSettingsForm {
        sweep_minutes: "10".into(),
        warning_dbm: "-26".into(),
        critical_dbm: "-28.5".into(),
        overload_dbm: "-7".into(),
        raw_days: "3".into(),
        history_days: "60".into(),
        log_days: "30".into(),
    };
    invoke(app, "save_signal_settings", json!({ "form": signal })).await?;
    let fibre = ZeroTouchForm { service_id: id, serial: "HWTC0B086EA9".into(), vlan: "120".into() };
    invoke(app, "set_zero_touch", json!({ "form": fibre })).await?;
    let profile = PlanOltProfileDto { plan_id, line: "10".into(), service: "20".into(), vlan: "100".into() };
    invoke(app, "set_plan_olt_profile", json!({ "profile": profile })).await?;
    let bulk = BulkRequest { service_ids: vec![id], action: "activate".into(), target_id: None, dry_run: false };
    invoke(app, "bulk_change", json!({ "request": bulk })).await?;
    invoke(app, "rename_pop", json!({ "id": 1, "name": "Westlands tower" })).await?;
    Ok(())
}

/// The same workflows, through the CLI.
fn through_the_cli(dir: &Path, router_port: u16) -> anyhow::Result<()> {
    let port = router_port.to_string();
    for name in ["core-1", "spare"] {
        let add = ["router", "add", name, "--host", "127.0.0.1", "--port", &port, "--transport", "api"];
        let rest = ["--user", "admin", "--password-stdin", "--pop", "Westlands"];
        cli(dir, &[&add[..], &rest[..]].concat(), Some("router-pw"))?;
    }
    cli(dir, &["router", "remove", "spare"], None)?;
    cli(dir, &["plan", "add", "Home 20", "--rate", "5M/20M", "--price", "25.00"], None)?;
    cli(dir, &["plan", "set", "Home 20", "--price", "30.00"], None)?;
    let add = [
        "service",
        "add",
        "--customer",
        "Ana Lima",
        "--phone",
        "+254700000001",
        "--router",
        "core-1",
        "--plan",
        "Home 20",
        "--pppoe",
        "ana",
        "--password-stdin",
        "--due",
        DUE,
        "--grace",
        "5",
        "--street",
        "12 Moi Avenue",
        "--location",
        "-1.2841,36.8233",
    ];
    cli(dir, &add, Some("s3cret-pw"))?;
    cli(dir, &["service", "set-status", "1", "suspended"], None)?;
    cli(dir, &["payment", "add", "1", "--amount", "75.00", "--months", "3"], None)?;
    cli(dir, &["service", "retry", "1"], None)?;
    let olt = ["olt", "add", "olt-1", "--vendor", "huawei", "--host", "127.0.0.1", "--port", "2222", "--user", "root"];
    cli(dir, &[&olt[..], &["--password-stdin"]].concat(), Some("olt-pw"))?;
    cli(dir, &["olt", "remove", "olt-1"], None)?;
    let file = dir.join("services.csv");
    std::fs::write(&file, CSV)?;
    cli(dir, &["import", "services", "--file", &file.to_string_lossy()], None)?;
    cli(dir, &["service", "history-retention", "--detail-days", "30", "--keep-days", "365"], None)?;
    let policy = ["--time-zone", "Africa/Nairobi", "--grace-days", "5", "--suspension", "address-list"];
    cli(dir, &[&["policy", "set"][..], &policy, &["--static-queues", "true", "--max-attempts", "5"]].concat(), None)?;
    cli(dir, &["policy", "router", "core-1", "remove"], None)?;
    let signal = ["--sweep-minutes", "10", "--warning", "-26", "--critical", "-28.5", "--overload", "-7"];
    cli(
        dir,
        &[&["olt", "settings"][..], &signal, &["--raw-days", "3", "--history-days", "60", "--log-days", "30"]].concat(),
        None,
    )?;
    cli(dir, &["olt", "zero-touch", "1", "--serial", "HWTC0B086EA9", "--vlan", "120"], None)?;
    cli(dir, &["olt", "plan-profile", "Home 20", "--line", "10", "--service", "20", "--vlan", "100"], None)?;
    cli(dir, &["service", "bulk", "1", "--activate"], None)?;
    cli(dir, &["pop", "rename", "Westlands", "Westlands tower"], None)?;
    Ok(())
}

/// What a data directory holds, as comparable text: the rows the
/// workflows wrote and the activity entries of whoever acted for the
/// operator, without instants (and without what the app's engine did).
async fn snapshot(data_dir: &Path) -> anyhow::Result<Vec<String>> {
    let store = Store::open(&data_dir.join("headend.sqlite3")).await?;
    let mut rows = Vec::new();
    for r in store.routers().await? {
        rows.push(format!(
            "router {} {} {}:{} {} {} pop {:?}",
            r.id, r.name, r.host, r.port, r.transport, r.username, r.pop
        ));
        rows.push(format!("router {} suspension {:?}", r.id, store.router_suspension(r.id).await?));
    }
    for p in store.pops().await? {
        rows.push(format!("pop {} {}", p.id, p.name));
    }
    for p in store.plans().await? {
        rows.push(format!("plan {} {} {} {} {} {}", p.id, p.name, p.profile, p.limits, p.price, p.cycle));
        rows.push(format!("plan {} olt profile {:?}", p.id, store.plan_olt_profile(p.id).await?));
    }
    for c in store.customers().await? {
        rows.push(format!("customer {} {} {:?} {:?} {:?} {:?}", c.id, c.name, c.phone, c.email, c.address, c.location));
    }
    for s in store.services().await? {
        rows.push(format!(
            "service {} customer {} router {} plan {} {:?} {} due {:?} grace {:?} adopt {}",
            s.id, s.customer, s.router, s.plan, s.access, s.status, s.next_billing_date, s.grace_days, s.adopt
        ));
        rows.push(format!("service {} onu {:?}", s.id, store.service_onu(s.id).await?));
        for p in store.payments(s.id).await? {
            rows.push(format!(
                "payment {} {} {} {:?} {:?} -> {:?}",
                p.receipt, p.service, p.amount, p.months, p.previous_due, p.new_due
            ));
        }
    }
    rows.push(format!("olts {}", store.olts().await?.len()));
    let retention = store.session_retention().await?;
    rows.push(format!("session retention {} {}", retention.detail_days(), retention.keep_days()));
    rows.push(format!("policy {:?}", store.isp_policy().await?));
    rows.push(format!("signal {:?}", store.signal_policy().await?));
    let mut log = store.activity(&ActivityQuery { limit: 1000, ..ActivityQuery::default() }).await?;
    log.reverse();
    for (_, e) in log.into_iter().filter(|(_, e)| e.actor != Actor::Engine) {
        rows.push(format!("activity {} {} {}", e.subject, e.action, e.detail));
    }
    store.close().await;
    Ok(rows)
}

async fn keyring_holds(data_dir: &Path, router: i64) -> anyhow::Result<bool> {
    let store = Store::open(&data_dir.join("headend.sqlite3")).await?;
    let scope = store.installation_id().await?;
    store.close().await;
    let secrets = SecretStore::open()?.scoped(&scope);
    Ok(secrets.get(&SecretKey::router(headend_core::RouterId(router)))?.is_some())
}

#[tokio::test]
#[ignore = "needs the built app and CLI, tauri-driver and a display: run `cargo xtask test`"]
async fn every_workflow_both_shells_offer_leaves_the_same_rows_and_activity() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    // A router that answers, so the app's engine sweeps it cleanly and
    // queues nothing of its own.
    let sim = SimRouter::start(SimConfig {
        username: "admin".into(),
        password: "router-pw".into(),
        identity: "core-1".into(),
        tls: false,
        rest: false,
        ..SimConfig::default()
    })
    .await?;
    let app_side = Sandbox::new()?;
    let driver = Driver::start(&app_side)?;
    let app = driver.launch().await?;
    through_the_app(&app, sim.api_port()).await?;
    app.close().await?;
    drop(driver);

    let cli_side = Sandbox::new()?;
    let cli_dir: PathBuf = cli_side.data_dir();
    through_the_cli(&cli_dir, sim.api_port())?;

    let (by_app, by_cli) = (snapshot(&app_side.data_dir()).await?, snapshot(&cli_dir).await?);
    assert!(by_app.iter().any(|r| r.starts_with("activity service:1 service added")), "{by_app:#?}");
    assert!(by_app.iter().any(|r| r.starts_with("payment ")), "{by_app:#?}");
    assert!(by_app.iter().any(|r| r == "session retention 30 365"), "{by_app:#?}");
    let differ: Vec<_> = by_app.iter().zip(&by_cli).filter(|(a, c)| a != c).collect();
    assert!(
        differ.is_empty() && by_app.len() == by_cli.len(),
        "the shells disagree: {differ:#?}\napp: {by_app:#?}\ncli: {by_cli:#?}"
    );
    assert!(keyring_holds(&app_side.data_dir(), 1).await? && keyring_holds(&cli_dir, 1).await?, "passwords kept");
    Ok(())
}

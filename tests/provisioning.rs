//! Provisioning from the console, against a simulated router in this test
//! process: a plan and a customer made in the UI reach the router; a
//! suspension disables the secret and ends the live session; a router that
//! refuses writes fills the queue and lights the badge; the dry run and
//! "Sweep now"; and the engine keeps enforcing with the window closed.

use std::time::Duration;

use fantoccini::{Client, Locator};
use headend_core::provision::policy::IspPolicy;
use headend_core::router::Transport;
use headend_core::service::ServiceStatus;
use headend_core::{RouterId, ServiceId};
use headend_e2e::{
    Driver, Sandbox, click, eventually, fill, find, one_app_at_a_time, screenshots, wait_for_text, wait_gone,
};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{Faults, SimConfig, SimRouter, SimRouterHandle};
use headend_store::{NewRouter, Store};

const ROUTER_USER: &str = "headend";
const ROUTER_PASSWORD: &str = "sim-router-pw";

/// The router of the test network, in the app's database and keyring
/// scope (as the Routers page would store it), and a policy that gives up
/// after two attempts so a failure reaches the operator quickly.
async fn seed(data_dir: &std::path::Path, sim: &SimRouterHandle) -> anyhow::Result<(RouterId, SecretStore)> {
    let store = Store::open(&data_dir.join("headend.sqlite3")).await?;
    let router = store
        .add_router(&NewRouter {
            name: "core-1".into(),
            host: "127.0.0.1".into(),
            port: sim.api_port(),
            transport: Transport::Api,
            username: ROUTER_USER.into(),
            pop: None,
            location: Some("-1.2921,36.8219".parse()?),
        })
        .await?;
    let scope = store.installation_id().await?;
    let secrets = SecretStore::open()?.scoped(&scope);
    secrets.set(&SecretKey::router(router), ROUTER_PASSWORD)?;
    let policy = store.isp_policy().await?;
    store.set_isp_policy(&IspPolicy { max_attempts: 2, ..policy }).await?;
    store.close().await;
    // The shortest sweep interval, so a retry that falls due is made soon.
    std::fs::write(data_dir.join("settings.json"), r#"{"sweep_interval_secs": 5}"#)?;
    Ok((router, secrets))
}

/// The PPP secret named `user` on the simulator: (disabled, profile).
fn secret(sim: &SimRouterHandle, user: &str) -> Option<(bool, String)> {
    sim.secrets()
        .into_iter()
        .find(|s| s.get_str("name") == Some(user))
        .map(|s| (s.get_str("disabled") == Some("true"), s.get_str("profile").unwrap_or_default().to_owned()))
}

fn has_session(sim: &SimRouterHandle, user: &str) -> bool {
    sim.active_sessions().iter().any(|s| s.get_str("name") == Some(user))
}

fn profile_property(sim: &SimRouterHandle, profile: &str, property: &str) -> Option<String> {
    sim.items("/ppp/profile")?
        .into_iter()
        .find(|p| p.get_str("name") == Some(profile))
        .and_then(|p| p.get_str(property).map(str::to_owned))
}

async fn select_index(app: &Client, css: &str, index: usize) -> anyhow::Result<()> {
    app.find(Locator::Css(css)).await?.select_by_index(index).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn customers_reach_the_router_suspensions_cut_them_off_and_failures_reach_the_operator() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let sim = SimRouter::start(SimConfig {
        username: ROUTER_USER.into(),
        password: ROUTER_PASSWORD.into(),
        identity: "core-1".into(),
        tls: false,
        rest: false,
        ..SimConfig::default()
    })
    .await?;
    let (router, secrets) = seed(&sandbox.data_dir(), &sim).await?;
    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;
    wait_for_text(&app, "#stat-routers", "1").await?;

    // A plan, with a burst; its profile name and rate-limit are shown.
    click(&app, "#nav-billing").await?;
    click(&app, "#tab-plans").await?;
    wait_for_text(&app, ".empty-state h2", "No plans yet").await?;
    click(&app, "#new-plan").await?;
    click(&app, "#plan-save").await?;
    wait_for_text(&app, "#error-name", "Give the plan a name").await?;
    fill(&app, "#plan-name", "Home 20").await?;
    fill(&app, "#plan-download", "20M").await?;
    fill(&app, "#plan-upload", "5M").await?;
    fill(&app, "#plan-price", "25.00").await?;
    click(&app, "#plan-burst").await?;
    fill(&app, "#plan-burst-download", "40M").await?;
    fill(&app, "#plan-burst-upload", "10M").await?;
    fill(&app, "#plan-burst-time", "16").await?;
    fill(&app, "#plan-threshold-download", "16M").await?;
    fill(&app, "#plan-threshold-upload", "4M").await?;
    wait_for_text(&app, "#plan-preview", "5M/20M 10M/40M 4M/16M 16/16").await?;
    fill(&app, "#plan-session-timeout", "1 day").await?;
    fill(&app, "#plan-idle-timeout", "30m").await?;
    click(&app, "#plan-save").await?;
    wait_for_text(&app, "#error-session_timeout", "is not a time limit").await?;
    fill(&app, "#plan-session-timeout", "1d").await?;
    screenshots(&app, "plan-form").await?;
    click(&app, "#plan-save").await?;
    wait_for_text(&app, "#plan-saved", "PPP profile hd-1-home-20 with rate-limit 5M/20M 10M/40M 4M/16M 16/16").await?;
    wait_for_text(&app, "#plans-table", "hd-1-home-20").await?;
    wait_for_text(&app, "#plans-table .plan-session", "session-timeout 1d, idle-timeout 30m").await?;
    screenshots(&app, "plans").await?;

    // A customer: the form says what is missing, then the service is
    // created and its secret appears on the router within seconds.
    click(&app, "#nav-customers").await?;
    wait_for_text(&app, ".empty-state h2", "No customers yet").await?;
    click(&app, "#new-service").await?;
    wait_for_text(&app, "#page-title", "New customer").await?;
    click(&app, "#svc-save").await?;
    wait_for_text(&app, "#error-customer_name", "Enter the customer's name").await?;
    wait_for_text(&app, "#error-username", "Enter the PPPoE user name").await?;
    wait_for_text(&app, "#error-password", "Enter the PPPoE password").await?;
    screenshots(&app, "service-form-errors").await?;
    fill(&app, "#svc-customer-name", "Ana Lima").await?;
    fill(&app, "#svc-phone", "+254700000001").await?;
    select_index(&app, "#svc-router", 1).await?;
    select_index(&app, "#svc-plan", 1).await?;
    fill(&app, "#svc-username", "ana").await?;
    fill(&app, "#svc-password", "s3cret-pw").await?;
    fill(&app, "#svc-fixed-address", "100.64.0.300").await?;
    click(&app, "#svc-save").await?;
    wait_for_text(&app, "#error-ip_address", "Enter a fixed address").await?;
    fill(&app, "#svc-fixed-address", "100.64.0.30").await?;
    screenshots(&app, "service-form").await?;
    click(&app, "#svc-save").await?;
    wait_for_text(&app, "#page-title", "ana · Ana Lima").await?;
    let took = eventually("the secret on the router", || secret(&sim, "ana").is_some()).await?;
    println!("a new service reached the router in {took:?} (from the page showing it)");
    assert_eq!(secret(&sim, "ana"), Some((false, "hd-1-home-20".to_owned())));
    assert_eq!(profile_property(&sim, "hd-1-home-20", "rate-limit").as_deref(), Some("5M/20M 10M/40M 4M/16M 16/16"));
    assert_eq!(profile_property(&sim, "hd-1-home-20", "session-timeout").as_deref(), Some("1d"));
    assert_eq!(profile_property(&sim, "hd-1-home-20", "idle-timeout").as_deref(), Some("30m"));
    let remote_address = sim.items("/ppp/secret").and_then(|all| {
        all.into_iter()
            .find(|s| s.get_str("name") == Some("ana"))
            .and_then(|s| s.get_str("remote-address").map(str::to_owned))
    });
    assert_eq!(remote_address.as_deref(), Some("100.64.0.30"), "ana's fixed address");
    wait_for_text(&app, "#service-on-router", "On router").await?;
    wait_for_text(&app, "#service-router-log", "/ppp/secret/add").await?;
    wait_for_text(&app, "#service-activity", "service added").await?;

    // A prepaid payment (no invoice is open) moves the due date, previewed
    // first. The due date comes from the app's clock, so the test reads it
    // from the service's facts instead of knowing the calendar, and expects
    // what the billing rule makes of it: three months later.
    click(&app, "#service-pay").await?;
    app.find(Locator::Css("#payment-months")).await?.select_by_value("3").await?;
    let facts = wait_for_text(&app, "#service-due", "-").await?;
    let due = facts.split_whitespace().next().unwrap_or_default();
    let due: jiff::civil::Date =
        due.parse().map_err(|e| anyhow::anyhow!("the service shows no due date in {facts:?}: {e}"))?;
    let paid_through = headend_core::billing::advance_due(Some(due), due, 3, None);
    fill(&app, "#payment-amount", "75.00").await?;
    wait_for_text(&app, "#payment-preview", &format!("paid through {paid_through}")).await?;
    click(&app, "#payment-save").await?;
    wait_for_text(&app, "#payment-done", &format!("Paid through {paid_through}.")).await?;
    wait_for_text(&app, "#service-payments", "75.00").await?;
    app.execute("document.getElementById('content').scrollTop = 0", vec![]).await?;
    screenshots(&app, "service-detail").await?;

    // Suspending disables the secret and ends the live session.
    assert!(sim.connect_session("ana").is_some(), "the subscriber dials in");
    // The router's page lists what was sent to it.
    click(&app, "#nav-routers").await?;
    click(&app, "#routers-table .router-link").await?;
    wait_for_text(&app, "#router-log", "/ppp/secret/add").await?;
    app.execute("document.querySelector('#router-log').scrollIntoView()", vec![]).await?;
    screenshots(&app, "router-log").await?;
    // Her live session leads back to her service.
    click(&app, "#nav-sessions").await?;
    click(&app, "#sessions-list .session-row[data-user='ana'] .session-user").await?;
    wait_for_text(&app, "#page-title", "ana · Ana Lima").await?;
    click(&app, "#service-suspend").await?;
    wait_for_text(&app, "#confirm-suspend", "Suspend this service?").await?;
    screenshots(&app, "service-suspend-confirm").await?;
    click(&app, "#confirm-suspend-yes").await?;
    let took = eventually("the secret disabled and the session ended", || {
        secret(&sim, "ana").is_some_and(|(disabled, _)| disabled) && !has_session(&sim, "ana")
    })
    .await?;
    println!("a suspension reached the router in {took:?} (from the click)");
    wait_for_text(&app, "#service-status", "suspended").await?;
    wait_for_text(&app, "#service-on-router", "Off router").await?;

    // The list shows it; the same user name twice on a router is refused
    // next to the field, with the store's words.
    click(&app, "#nav-customers").await?;
    wait_for_text(&app, "#services-table", "ana").await?;
    wait_for_text(&app, "#services-table", "Off router").await?;
    fill(&app, "#service-search", "lima").await?;
    wait_for_text(&app, "#service-count", "1–1 of 1").await?;
    screenshots(&app, "customers").await?;
    click(&app, "#new-service").await?;
    fill(&app, "#svc-customer-name", "Bruno Costa").await?;
    select_index(&app, "#svc-router", 1).await?;
    select_index(&app, "#svc-plan", 1).await?;
    fill(&app, "#svc-username", "ana").await?;
    fill(&app, "#svc-password", "another-pw").await?;
    click(&app, "#svc-save").await?;
    wait_for_text(&app, "#error-username", "A PPPoE user named \"ana\" already exists on router \"core-1\"").await?;
    screenshots(&app, "service-form-duplicate").await?;

    // The router refuses every write: activating fails, is retried, then
    // waits for the operator, who sees it on the badge and in the queue.
    sim.set_faults(Faults { trap_every_nth_write: Some(1), ..Faults::default() });
    click(&app, "#nav-customers").await?;
    click(&app, "#services-table .service-row td.customer-cell").await?;
    wait_for_text(&app, "#page-title", "ana · Ana Lima").await?;
    click(&app, "#service-activate").await?;
    wait_for_text(&app, "#service-queue", "retrying").await?;
    click(&app, "#nav-provisioning").await?;
    wait_for_text(&app, "#queue-table", "retrying").await?;
    wait_for_text(&app, "#queue-table", "simulated fault").await?;
    screenshots(&app, "queue-retrying").await?;
    wait_for_text(&app, "#failures-badge", "1").await?;
    click(&app, "#failures-button").await?;
    wait_for_text(&app, "#failures-panel", "ana (Ana Lima)").await?;
    wait_for_text(&app, "#failures-panel", "on core-1").await?;
    screenshots(&app, "failure-badge").await?;
    click(&app, "#failures-queue").await?;
    wait_for_text(&app, "#queue-filter-failed", "1").await?;
    wait_for_text(&app, "#queue-table", "failed").await?;
    screenshots(&app, "queue-failed").await?;
    click(&app, "#queue-table .link.strong").await?;
    wait_for_text(&app, "#service-failure", "On core-1: the router refused the command: failure: simulated fault")
        .await?;
    screenshots(&app, "service-failed").await?;

    // Fixed on the router, one Retry: the customer is back, the badge goes.
    sim.set_faults(Faults::default());
    click(&app, "#service-queue .queue-retry").await?;
    eventually("the secret enabled again", || secret(&sim, "ana").is_some_and(|(disabled, _)| !disabled)).await?;
    wait_gone(&app, "#failures-badge").await?;
    wait_for_text(&app, "#service-on-router", "On router").await?;

    // What will change: a plan edit the router refuses is held back in the
    // dry run; fixed and retried, "Sweep now" finds every router in sync.
    sim.set_faults(Faults { trap_every_nth_write: Some(1), ..Faults::default() });
    click(&app, "#nav-billing").await?;
    click(&app, "#tab-plans").await?;
    click(&app, "#plans-table .row-actions .link").await?;
    fill(&app, "#plan-download", "25M").await?;
    click(&app, "#plan-save").await?;
    wait_for_text(&app, "#plan-saved", "5M/25M").await?;
    click(&app, "#nav-provisioning").await?;
    wait_for_text(&app, "#queue-table", "set PPP profile hd-1-home-20").await?;
    click(&app, "#tab-plan").await?;
    wait_for_text(&app, "#plans-list", "set PPP profile hd-1-home-20 rate-limit to 5M/25M").await?;
    wait_for_text(&app, "#plans-list", "held").await?;
    screenshots(&app, "dry-run").await?;
    sim.set_faults(Faults::default());
    click(&app, "#tab-queue").await?;
    click(&app, "#queue-table .queue-retry").await?;
    eventually("the new rate on the router", || {
        profile_property(&sim, "hd-1-home-20", "rate-limit").is_some_and(|r| r.starts_with("5M/25M"))
    })
    .await?;
    click(&app, "#tab-plan").await?;
    click(&app, "#sweep-now").await?;
    wait_for_text(&app, "#sweep-progress", "Swept 1 of 1 routers").await?;
    wait_for_text(&app, "#plan-in-sync", "Every router holds exactly what it should").await?;
    screenshots(&app, "dry-run-swept").await?;

    // Onboarding from a spreadsheet: every bad line is shown and nothing is
    // imported; fixed, the good rows go in and reach the router.
    let csv = sandbox.root.join("customers.csv");
    let header = "customer,phone,router,plan,type,username,password,ip,status,next_billing_date\n";
    std::fs::write(
        &csv,
        format!(
            "{header}Carla Dias,+5511900000003,core-1,Home 20,pppoe,carla,pw-carla,,active,\nDan Reis,,core-1,No Such Plan,pppoe,dan,pw-dan,,active,\n"
        ),
    )?;
    click(&app, "#nav-customers").await?;
    click(&app, "#import-open").await?;
    app.find(Locator::Css("#import-file")).await?.send_keys(&csv.display().to_string()).await?;
    click(&app, "#import-check").await?;
    wait_for_text(&app, "#import-errors", "Line 3").await?;
    wait_for_text(&app, "#import-errors", "No Such Plan").await?;
    screenshots(&app, "import-errors").await?;
    std::fs::write(&csv, format!("{header}Carla Dias,+5511900000003,core-1,Home 20,pppoe,carla,pw-carla,,active,\n"))?;
    app.find(Locator::Css("#import-file")).await?.send_keys(&csv.display().to_string()).await?;
    click(&app, "#import-check").await?;
    wait_for_text(&app, "#import-summary", "1 line(s) ready, 1 new customer(s)").await?;
    screenshots(&app, "import-checked").await?;
    click(&app, "#import-run").await?;
    wait_for_text(&app, "#import-done", "Imported 1 service(s)").await?;
    eventually("the imported secret on the router", || secret(&sim, "carla").is_some_and(|(disabled, _)| !disabled))
        .await?;
    screenshots(&app, "import-done").await?;

    // The activity log has it all, filterable.
    click(&app, "#nav-activity").await?;
    wait_for_text(&app, "#activity-table", "service added").await?;
    wait_for_text(&app, "#activity-table", "secret-disable").await?;
    app.find(Locator::Css("#activity-actor")).await?.select_by_value("engine").await?;
    let mut actors = Vec::new();
    for _ in 0..100 {
        actors.clear();
        for cell in app.find_all(Locator::Css("#activity-table tbody td:nth-child(2)")).await? {
            actors.push(cell.text().await.unwrap_or_default());
        }
        if !actors.is_empty() && actors.iter().all(|a| a == "engine") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!actors.is_empty() && actors.iter().all(|a| a == "engine"), "only the engine's entries: {actors:?}");
    screenshots(&app, "activity").await?;
    app.find(Locator::Css("#activity-actor")).await?.select_by_value("").await?;
    fill(&app, "#activity-search", "payment").await?;
    wait_for_text(&app, "#activity-table", "75.00 USD for 3 month(s)").await?;
    click(&app, "#nav-map").await?;
    // core-1, up, on the street map (the map's own test is `map.rs`).
    find(&app, "#map-canvas path.marker.kind-router.state-up").await?;
    screenshots(&app, "map").await?;

    // Closing the window leaves the engine running in the tray: a
    // suspension made from elsewhere (here, the store, as the CLI would)
    // still reaches the router.
    driver.close_window_like_a_user()?;
    let mut visibility = serde_json::Value::Null;
    for _ in 0..50 {
        visibility = app.execute("return document.visibilityState", vec![]).await?;
        if visibility == "hidden" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(visibility, "hidden", "the window is hidden, not closed");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(driver.app_running(), "closing the window keeps Headend running in the tray");
    let store = Store::open(&sandbox.data_dir().join("headend.sqlite3")).await?;
    let ana = store.pppoe_user(router, "ana").await?.unwrap_or(ServiceId(0));
    store.set_service_status(ana, ServiceStatus::Suspended).await?;
    eventually("the suspension with the window closed", || secret(&sim, "ana").is_some_and(|(disabled, _)| disabled))
        .await?;
    store.close().await;

    driver.quit(app).await?;
    let _ = secrets.delete(&SecretKey::router(router));
    Ok(())
}

//! RADIUS mode from the console, against a real PostgreSQL and a real
//! FreeRADIUS started on loopback by the test, and a simulated router in
//! RADIUS mode: Settings → RADIUS refuses an empty database until asked to
//! create FreeRADIUS's tables, then shows what it holds; the router page
//! switches the router to RADIUS (its secret needed the first time) and
//! shows the RouterOS commands without the secret; the app's sweep moves
//! the subscriber to FreeRADIUS, and the service page's Test login gets an
//! Access-Accept with the plan's Mikrotik-Rate-Limit. The router's
//! accounting then is the service page's session history and usage chart,
//! and Settings → Session history saves its retention.
//!
//! The router, plan and service come from the `headend` CLI, as in
//! `radius_cli.rs`, which runs the same flow from the terminal.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::Client;
use headend_e2e::{Driver, RadiusLab, Sandbox, cli, click, fill, find, one_app_at_a_time, screenshots, wait_for_text};
use headend_simlab::DialOutcome;

const NAS_SECRET: &str = "tower-s3cret";

async fn value(app: &Client, css: &str) -> anyhow::Result<String> {
    Ok(find(app, css).await?.prop("value").await?.unwrap_or_default())
}

/// Scrolls the element at `css` to the top of the page, for a screenshot.
async fn scroll_to(app: &Client, css: &str) -> anyhow::Result<()> {
    app.execute("document.querySelector(arguments[0]).scrollIntoView()", vec![css.into()]).await?;
    Ok(())
}

// The CLI calls block their thread: the simulators serve from the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver, a display, PostgreSQL and FreeRADIUS: run `cargo xtask test`"]
async fn a_router_is_switched_to_radius_and_a_login_tested_from_the_console() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let data = sandbox.data_dir();
    let lab = RadiusLab::start(NAS_SECRET).await?;
    let (postgres, sim) = (&lab.postgres, &lab.sim);
    let (api_port, coa_port, server) = (lab.api_port(), lab.coa_port()?, lab.server());

    let add = ["router", "add", "tower-a", "--host", "127.0.0.1", "--port", &api_port, "--transport", "api"];
    cli(&data, &[&add[..], &["--user", "admin", "--password-stdin"]].concat(), Some("admin"))?;
    cli(&data, &["plan", "add", "Home 20", "--rate", "10M/20M", "--price", "25.00"], None)?;
    let service = ["--json", "service", "add", "--customer", "Ana Lima", "--router", "tower-a", "--plan", "Home 20"];
    let ana = cli(&data, &[&service[..], &["--pppoe", "ana", "--password-stdin"]].concat(), Some("ana-pw"))?;
    let ana: serde_json::Value = serde_json::from_str(&ana)?;
    let ana_id = ana["id"].as_i64().context("the new service's id")?.to_string();

    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;

    // Settings → RADIUS: an empty database is refused at its address until
    // the tables are asked for; the password is never shown back.
    click(&app, "#nav-settings").await?;
    wait_for_text(&app, "#radius-overview", "RADIUS is not set up").await?;
    fill(&app, "#radius-url", &postgres.url()).await?;
    fill(&app, "#radius-password", postgres.password()).await?;
    fill(&app, "#radius-server", &server).await?;
    click(&app, "#radius-save").await?;
    wait_for_text(&app, "#error-url", "lacks FreeRADIUS's tables").await?;
    click(&app, "#radius-create-schema").await?;
    click(&app, "#radius-save").await?;
    wait_for_text(&app, "#radius-saved", "Saved").await?;
    wait_for_text(&app, "#radius-reachable", "Reachable").await?;
    wait_for_text(&app, "#radius-schema", "FreeRADIUS 3.2").await?;
    wait_for_text(&app, "#radius-routers", "None yet").await?;
    assert_eq!(value(&app, "#radius-password").await?, "", "the password is not shown back");
    fill(&app, "#radius-status-secret", NAS_SECRET).await?;
    click(&app, "#radius-status-check").await?;
    wait_for_text(&app, "#radius-status-answer", "Access-Accept").await?;
    scroll_to(&app, "#radius").await?;
    screenshots(&app, "radius-settings").await?;

    // The router page: RADIUS needs the router's shared secret the first
    // time; the commands the router needs then show, without it.
    click(&app, "#nav-routers").await?;
    click(&app, "#routers-table .router-link").await?;
    find(&app, "#backend-choice").await?.select_by_value("radius").await?;
    assert_eq!(value(&app, "#backend-nas-address").await?, "127.0.0.1", "the router's address by default");
    assert_eq!(value(&app, "#backend-coa-port").await?, "3799");
    fill(&app, "#backend-coa-port", &coa_port).await?;
    click(&app, "#backend-save").await?;
    wait_for_text(&app, "#error-secret", "no RADIUS shared secret yet").await?;
    fill(&app, "#backend-secret", NAS_SECRET).await?;
    click(&app, "#backend-save").await?;
    wait_for_text(&app, "#backend-saved", "Saved").await?;
    let commands =
        wait_for_text(&app, "#routeros-commands", &format!("/radius incoming set accept=yes port={coa_port}")).await?;
    assert!(commands.contains(&format!("address={}", lab.freeradius.auth_addr().ip())), "{commands}");
    assert!(!commands.contains(NAS_SECRET), "the secret is not shown: {commands}");
    wait_for_text(&app, "#radius-move-note", "FreeRADIUS gets them first").await?;
    assert_eq!(value(&app, "#backend-secret").await?, "", "the secret is not shown back");
    // Read back from the router, then put right over its API.
    click(&app, "#radius-setup-check").await?;
    wait_for_text(&app, "#radius-setup-issues", "use-radius is off").await?;
    click(&app, "#radius-setup-apply").await?;
    wait_for_text(&app, "#radius-setup-state", "The router is set up for RADIUS.").await?;
    let applied = wait_for_text(&app, "#radius-setup-applied", "/ppp aaa set use-radius=yes").await?;
    assert!(!applied.contains(NAS_SECRET), "the secret is not shown: {applied}");
    scroll_to(&app, "#router-backend").await?;
    screenshots(&app, "radius-router").await?;
    // The router's own suspension mode, kept across a visit elsewhere.
    scroll_to(&app, "#router-suspension").await?;
    find(&app, "#router-suspension-mode").await?.select_by_value("address-list").await?;
    click(&app, "#router-suspension-save").await?;
    wait_for_text(&app, "#router-suspension-saved", "Saved").await?;
    screenshots(&app, "router-suspension").await?;
    click(&app, "#nav-routers").await?;
    click(&app, "#routers-table .router-link").await?;
    let mut kept = String::new();
    for _ in 0..50 {
        kept = value(&app, "#router-suspension-mode").await.unwrap_or_default();
        if kept == "address-list" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(kept, "address-list", "the router's own mode, read back");
    click(&app, "#nav-routers").await?;
    wait_for_text(&app, "#routers-table .backend-radius", "RADIUS").await?;

    // The service page's Test login, once the app's sweep has moved Ana
    // to FreeRADIUS (the router's own secret goes after).
    click(&app, "#nav-customers").await?;
    click(&app, "tr.service-row[data-login='ana'] td.customer-cell").await?;
    wait_for_text(&app, "#page-title", "ana · Ana Lima").await?;
    wait_for_text(&app, "#sessions-empty", "No sessions recorded for this service yet").await?;
    scroll_to(&app, "#service-sessions").await?;
    screenshots(&app, "sessions-empty").await?;
    find(&app, "#test-login").await?;
    assert_eq!(value(&app, "#test-login-server").await?, server, "the saved server by default");
    fill(&app, "#test-login-secret", NAS_SECRET).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        click(&app, "#test-login-send").await?;
        let verdict = wait_for_text(&app, "#test-login-verdict", "").await?;
        if verdict == "Accept" {
            break;
        }
        if Instant::now() > deadline {
            bail!("Ana's test login is still {verdict:?}: the sweep never reached FreeRADIUS");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    wait_for_text(&app, "#test-login-attributes", "Mikrotik-Rate-Limit").await?;
    wait_for_text(&app, "#test-login-attributes", "10M/20M").await?;
    scroll_to(&app, "#test-login").await?;
    screenshots(&app, "radius-test-login").await?;

    // The router itself now logs Ana in through FreeRADIUS.
    assert!(matches!(sim.dial("ana", "ana-pw").await?, DialOutcome::Accepted { .. }));
    click(&app, "#nav-settings").await?;
    wait_for_text(&app, "#radius-managed", "1").await?;
    wait_for_text(&app, "#radius-routers", "tower-a").await?;
    wait_for_text(&app, "#radius-reachable", "Reachable").await?;

    // Ana hangs up and logs in again: her accounting, imported now (the
    // app imports every minute), is the service page's history and chart.
    assert!(sim.hang_up("ana").await, "Ana was online");
    let DialOutcome::Accepted { address, .. } = sim.dial("ana", "ana-pw").await? else {
        bail!("Ana's second login was refused");
    };
    cli(&data, &["radius", "import-accounting"], None)?;
    let history: serde_json::Value =
        serde_json::from_str(&cli(&data, &["--json", "service", "sessions", &ana_id], None)?)?;
    let ended = history
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["stopped_at"].is_string()))
        .with_context(|| format!("Ana's first session, ended: {history}"))?;
    let downloaded = ended["bytes_out"].as_u64().context("bytes")?;
    assert!(downloaded > 0, "the router counted Ana's traffic: {ended}");
    click(&app, "#nav-customers").await?;
    click(&app, "tr.service-row[data-login='ana'] td.customer-cell").await?;
    let table = wait_for_text(&app, "#sessions-table", "User-Request").await?;
    assert!(table.contains("online"), "the second session is online: {table}");
    assert!(table.contains(&address.to_string()), "Ana's address {address}: {table}");
    assert!(table.contains("RADIUS"), "the source: {table}");
    let ended_row = find(&app, "#sessions-table tr.session-row:not(.session-online)").await?;
    let down = ended_row.find(fantoccini::Locator::Css("td:nth-child(7)")).await?;
    assert_eq!(down.attr("title").await?, Some(format!("{downloaded} bytes")), "the download the router counted");
    let days = app.find_all(fantoccini::Locator::Css("#usage-chart g.usage-day")).await?;
    assert_eq!(days.len(), 30, "every day of the chart has its place");
    let bars = app.find_all(fantoccini::Locator::Css("#usage-chart rect.bar-down")).await?;
    assert_eq!(bars.len(), 1, "today's bar, the other days are gaps");
    wait_for_text(&app, "#usage-legend", "Download").await?;
    scroll_to(&app, "#service-sessions").await?;
    screenshots(&app, "sessions-history").await?;

    // Settings → Session history: each bound refused at its field, then
    // saved and read back by the CLI and the page.
    click(&app, "#nav-settings").await?;
    assert_eq!(value(&app, "#retention-detail-days").await?, "90");
    assert_eq!(value(&app, "#retention-keep-days").await?, "730");
    // In view, as the operator works it, so its errors are shown text.
    scroll_to(&app, "#session-history").await?;
    fill(&app, "#retention-detail-days", "400").await?;
    fill(&app, "#retention-keep-days", "365").await?;
    click(&app, "#retention-save").await?;
    wait_for_text(&app, "#error-keep_days", "from the days of detail (400)").await?;
    fill(&app, "#retention-detail-days", "0").await?;
    click(&app, "#retention-save").await?;
    wait_for_text(&app, "#error-detail_days", "from 1 to 3650").await?;
    scroll_to(&app, "#session-history").await?;
    screenshots(&app, "session-retention-refused").await?;
    fill(&app, "#retention-detail-days", "30").await?;
    click(&app, "#retention-save").await?;
    wait_for_text(&app, "#retention-saved", "Saved").await?;
    let kept: serde_json::Value =
        serde_json::from_str(&cli(&data, &["--json", "service", "history-retention"], None)?)?;
    assert_eq!((kept["detail_days"].as_u64(), kept["keep_days"].as_u64()), (Some(30), Some(365)), "{kept}");
    click(&app, "#nav-customers").await?;
    click(&app, "#nav-settings").await?;
    wait_for_text(&app, "#session-history", "Session history").await?;
    assert_eq!(value(&app, "#retention-detail-days").await?, "30", "read back");
    assert_eq!(value(&app, "#retention-keep-days").await?, "365", "read back");
    scroll_to(&app, "#session-history").await?;
    screenshots(&app, "session-retention").await?;
    driver.quit(app).await?;
    Ok(())
}

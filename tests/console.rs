//! The console as an operator meets it: every page with its empty state,
//! settings that survive a restart, and the demo network. Provisioning
//! (customers, plans, the queue, failures) is in `provisioning.rs`.

use fantoccini::Locator;
use headend_e2e::{
    Driver, Sandbox, cli, click, fill, one_app_at_a_time, screenshot, screenshots, wait_for_text, wait_gone,
};

/// The sidebar's pages: nav id, title, and the heading of its empty state.
const PAGES: [(&str, &str, Option<&str>); 11] = [
    ("dashboard", "Dashboard", None),
    ("map", "Map", Some("Nothing on the map yet")),
    ("routers", "Routers", Some("No routers yet")),
    ("sessions", "Live sessions", Some("No live sessions")),
    ("customers", "Customers", Some("No customers yet")),
    ("olts", "OLTs & ONUs", Some("No OLTs yet")),
    ("billing", "Billing", Some("No invoices yet")),
    ("messages", "Messages", Some("No messages yet")),
    ("provisioning", "Provisioning", Some("The queue is empty")),
    ("activity", "Activity", Some("Nothing has happened yet")),
    ("settings", "Settings", None),
];

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn every_page_has_an_empty_state_and_settings_survive_a_restart() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;

    // A second launch hands over to the running console and exits.
    let second = driver.second_launch()?;
    assert!(second.success(), "second launch: {second}");
    wait_for_text(&app, "#page-title", "Dashboard").await?;
    app.set_window_size(1100, 700).await?;

    wait_for_text(&app, "#getting-started", "Connect your first MikroTik router").await?;
    for (id, title, empty) in PAGES {
        click(&app, &format!("#nav-{id}")).await?;
        wait_for_text(&app, "#page-title", title).await?;
        if let Some(empty) = empty {
            wait_for_text(&app, ".empty-state h2", empty).await?;
        }
        screenshots(&app, &format!("{id}-empty")).await?;
    }
    // The dry run with no router says what to do first.
    click(&app, "#nav-provisioning").await?;
    click(&app, "#tab-plan").await?;
    wait_for_text(&app, ".empty-state h2", "No routers to compare").await?;
    screenshots(&app, "dry-run-empty").await?;
    click(&app, "#nav-settings").await?;

    // The Settings page says where things are.
    let data_dir = sandbox.data_dir();
    let locations = wait_for_text(&app, "#locations", "headend.sqlite3").await?;
    assert!(locations.contains(&data_dir.join("logs").display().to_string()), "{locations}");
    assert!(locations.contains("Secret Service"), "the test session has an unlocked GNOME Keyring: {locations}");
    assert!(data_dir.join("logs").read_dir()?.next().is_some(), "a log file is written");

    // Back up now: a file in the backups folder, named and sized on the page;
    // today's daily backup was made at start.
    click(&app, "#back-up-now").await?;
    let made = wait_for_text(&app, "#backup-made", "Wrote").await?;
    let path = app.find(Locator::Css("#backup-path")).await?.text().await?;
    let backup = std::path::PathBuf::from(&path);
    assert_eq!(backup.parent(), Some(data_dir.join("backups").as_path()), "{made}");
    assert!(std::fs::metadata(&backup)?.len() > 0, "{made}");
    let daily: Vec<String> = std::fs::read_dir(data_dir.join("backups"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.len() == "headend-YYYY-MM-DD.sqlite3".len())
        .collect();
    assert_eq!(daily.len(), 1, "{daily:?}");
    app.execute("document.querySelector('#backups').scrollIntoView()", vec![]).await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    screenshot(&app, "settings-backup").await?;
    app.execute("document.querySelector('#page-title').scrollIntoView()", vec![]).await?;

    // Change every setting.
    let sweep = app.find(Locator::Css("#sweep-interval")).await?;
    sweep.clear().await?;
    sweep.send_keys("45").await?;
    click(&app, "#notifications").await?;
    app.find(Locator::Css("#theme")).await?.select_by_value("dark").await?;
    click(&app, "#settings-save").await?;
    wait_for_text(&app, "#settings-saved", "Saved").await?;
    screenshot(&app, "settings-dark").await?;

    // An out-of-range interval is refused with the reason, and nothing is saved.
    let sweep = app.find(Locator::Css("#sweep-interval")).await?;
    sweep.clear().await?;
    sweep.send_keys("2").await?;
    click(&app, "#settings-save").await?;
    wait_for_text(&app, "#settings-form .error-box", "between 5 and 3600 seconds").await?;

    // The ISP's rules: a zone the computer does not know is refused at its
    // field; the rest is saved for every router.
    app.execute("document.querySelector('#policy').scrollIntoView()", vec![]).await?;
    let zone = app.find(Locator::Css("#policy-time-zone")).await?;
    zone.clear().await?;
    zone.send_keys("Mars/Olympus").await?;
    click(&app, "#policy-save").await?;
    wait_for_text(&app, "#error-time_zone", "Unknown time zone").await?;
    let zone = app.find(Locator::Css("#policy-time-zone")).await?;
    zone.clear().await?;
    zone.send_keys("Africa/Nairobi").await?;
    let grace = app.find(Locator::Css("#policy-grace-days")).await?;
    grace.clear().await?;
    grace.send_keys("5").await?;
    app.find(Locator::Css("#policy-suspension")).await?.select_by_value("address-list").await?;
    click(&app, "#policy-save").await?;
    wait_for_text(&app, "#policy-saved", "Saved").await?;
    screenshot(&app, "settings-policy").await?;
    let shown = cli(&data_dir, &["--json", "policy", "show"], None)?;
    let shown: serde_json::Value = serde_json::from_str(&shown)?;
    assert_eq!((shown["time_zone"].as_str(), shown["grace_days"].as_u64()), (Some("Africa/Nairobi"), Some(5)));
    assert_eq!(shown["suspension"], "address-list");

    // The ONU signal bands: out of order is refused at the bands, then saved
    // and read back by the CLI.
    app.execute("document.querySelector('#signal-settings').scrollIntoView()", vec![]).await?;
    fill(&app, "#signal-warning", "-30").await?;
    click(&app, "#signal-save").await?;
    wait_for_text(&app, "#error-thresholds", "-30").await?;
    fill(&app, "#signal-warning", "-26").await?;
    fill(&app, "#signal-sweep-minutes", "10").await?;
    click(&app, "#signal-save").await?;
    wait_for_text(&app, "#signal-saved", "Saved").await?;
    app.execute("document.querySelector('#signal-settings').scrollIntoView()", vec![]).await?;
    screenshot(&app, "settings-signal").await?;
    let signal: serde_json::Value = serde_json::from_str(&cli(&data_dir, &["--json", "olt", "settings"], None)?)?;
    assert_eq!((signal["warning_dbm"].as_f64(), signal["sweep_minutes"].as_u64()), (Some(-26.0), Some(10)), "{signal}");
    driver.quit(app).await?;

    let stored: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(data_dir.join("settings.json"))?)?;
    assert_eq!(stored["sweep_interval_secs"], 45);
    assert_eq!(stored["notifications"], false);
    assert_eq!(stored["theme"], "dark");

    // A second start finds them all, and the window as it was left.
    let app = driver.launch().await?;
    assert_eq!(app.get_window_size().await?, (1100, 700));
    let theme = app.execute("return document.documentElement.dataset.theme", vec![]).await?;
    assert_eq!(theme, "dark");
    click(&app, "#nav-settings").await?;
    wait_for_text(&app, "#page-title", "Settings").await?;
    let value = |css: &'static str| {
        let app = app.clone();
        async move { app.find(Locator::Css(css)).await?.prop("value").await }
    };
    assert_eq!(value("#sweep-interval").await?.as_deref(), Some("45"));
    assert_eq!(value("#theme").await?.as_deref(), Some("dark"));
    let notifications = app.find(Locator::Css("#notifications")).await?.prop("checked").await?;
    assert_eq!(notifications.as_deref(), Some("false"));
    assert_eq!(value("#policy-time-zone").await?.as_deref(), Some("Africa/Nairobi"));
    screenshot(&app, "settings-after-restart").await?;
    driver.quit(app).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn the_demo_network_streams_sessions_that_can_be_kicked_and_routers_can_be_added() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;

    // A console with no routers offers the demo network.
    click(&app, "#nav-routers").await?;
    click(&app, "#start-demo").await?;
    wait_for_text(&app, "#routers-table", "Demo tower-3").await?;
    // With FreeRADIUS installed (`cargo xtask test` installs it), a fourth
    // router logs its subscribers in through it.
    let with_radius = headend_simlab::FreeRadiusServer::program().is_ok();
    let expected = if with_radius { 4 } else { 3 };
    for _ in 0..100 {
        if app.find_all(Locator::Css("#routers-table .status.up")).await?.len() == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.find_all(Locator::Css("#routers-table .status.up")).await?.len(), expected, "every demo router up");
    if with_radius {
        wait_for_text(&app, "#routers-table .backend-radius", "RADIUS").await?;
        wait_for_text(&app, "#routers-table", "Demo radius-4").await?;
    }
    click(&app, "#routers-table .router-row .row-actions .link").await?;
    wait_for_text(&app, "#router-notice", "answered: RouterOS").await?;
    screenshot(&app, "routers-demo").await?;

    // A router's page shows its health and its interfaces' live traffic.
    click(&app, "#routers-table .router-link").await?;
    wait_for_text(&app, "#page-title", "Demo core-1").await?;
    wait_for_text(&app, "#interfaces-table", "ether1").await?;
    wait_for_text(&app, "#router-online", "online of 180 PPP secrets").await?;
    screenshot(&app, "router-detail").await?;

    // Their sessions stream into the Live sessions page.
    click(&app, "#nav-sessions").await?;
    wait_for_text(&app, "#session-count", "sessions").await?;
    let rows = app.find_all(Locator::Css("#sessions-list .session-row")).await?;
    assert!(rows.len() > 5, "the visible window of sessions is rendered ({})", rows.len());
    assert!(rows.len() < 100, "only the visible rows exist in the page ({})", rows.len());
    screenshot(&app, "sessions-demo").await?;
    // A demo session is no service of Headend's: the link says so.
    click(&app, "#sessions-list .session-user").await?;
    wait_for_text(&app, "#session-not-ours", "is not a Headend service").await?;
    if with_radius {
        // The RADIUS router's subscribers, logged in through FreeRADIUS.
        app.find(Locator::Css("#session-search")).await?.send_keys("radius-").await?;
        let mut users = Vec::new();
        for _ in 0..100 {
            users.clear();
            for row in app.find_all(Locator::Css("#sessions-list .session-row")).await? {
                users.push(row.attr("data-user").await?.unwrap_or_default());
            }
            if !users.is_empty() && users.iter().all(|u| u.starts_with("radius-")) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(!users.is_empty() && users.iter().all(|u| u.starts_with("radius-")), "{users:?}");
        // Seven backspaces (WebDriver's U+E003) empty the box as typing would.
        app.find(Locator::Css("#session-search")).await?.send_keys(&"\u{E003}".repeat(7)).await?;
    }

    // Search narrows to one user (the demo routers share user names, so
    // there may be one row per router); kicking asks first, then ends it.
    let user = rows[0].attr("data-user").await?.unwrap_or_default();
    app.find(Locator::Css("#session-search")).await?.send_keys(&user).await?;
    for _ in 0..100 {
        let mut shown = Vec::new();
        for row in app.find_all(Locator::Css("#sessions-list .session-row")).await? {
            shown.push(row.attr("data-user").await?.unwrap_or_default());
        }
        if !shown.is_empty() && shown.iter().all(|u| *u == user) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let shown = app.find_all(Locator::Css("#sessions-list .session-row")).await?;
    assert!((1..=3).contains(&shown.len()), "searching {user} shows {} rows", shown.len());
    click(&app, "#sessions-list .kick").await?;
    wait_for_text(&app, "#confirm-kick", &format!("Disconnect {user}?")).await?;
    screenshot(&app, "sessions-kick-confirm").await?;
    let before = shown.len();
    click(&app, "#confirm-kick-yes").await?;
    wait_gone(&app, "#confirm-kick").await?;
    // The row goes once the router said yes (and the activity is written).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.find_all(Locator::Css("#sessions-list .session-row")).await?.len() >= before {
        anyhow::ensure!(std::time::Instant::now() < deadline, "the kicked session stayed in the list");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    click(&app, "#nav-activity").await?;
    wait_for_text(&app, "#activity-table", "session kicked").await?;
    wait_for_text(&app, "#activity-table", &user).await?;

    // A router added by hand that does not answer shows as down, with why.
    click(&app, "#nav-routers").await?;
    click(&app, "#add-router").await?;
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    for (css, text) in [("#router-name", "lab"), ("#router-host", "127.0.0.1"), ("#router-password", "secret")] {
        app.find(Locator::Css(css)).await?.send_keys(text).await?;
    }
    app.find(Locator::Css("#router-port")).await?.send_keys(&closed_port.to_string()).await?;
    screenshot(&app, "router-form").await?;
    click(&app, "#router-save").await?;
    wait_for_text(&app, "#routers-table", "lab").await?;
    wait_for_text(&app, "#routers-table", "Down").await?;
    // Over API-TLS by default: the error folds away how to give the
    // router's api-ssl a certificate.
    click(&app, "#routers-table .cell-help summary").await?;
    wait_for_text(&app, "#routers-table .cell-help", "/ip service set api-ssl certificate=headend-api").await?;
    screenshot(&app, "routers-with-down").await?;

    // Removing asks first, then the router is gone.
    click(&app, "#routers-table .router-row .danger").await?;
    click(&app, "#confirm-remove .danger-button").await?;
    wait_gone(&app, "#confirm-remove").await?;
    click(&app, "#stop-demo").await?;
    wait_for_text(&app, ".empty-state h2", "No routers yet").await?;
    driver.quit(app).await?;
    Ok(())
}

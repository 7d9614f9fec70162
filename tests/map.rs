//! The network map in the real app: street tiles from a tile server the
//! test starts on loopback, through the app's `tile:` protocol and its disk
//! cache; markers in their states' colours; 10,000 imported customers in
//! clusters; search; the map still drawn from the cache once the tile
//! server is gone; a router placed by clicking the map in its form. And
//! the dashboard's figures of the same network, each opening its list.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use fantoccini::{Client, Locator};
use headend_e2e::{Driver, Sandbox, cli, click, eventually, fill, find, one_app_at_a_time, screenshots, wait_for_text};
use headend_simlab::tiles::SimTileServer;
use headend_simlab::{SimConfig, SimRouter};
use headend_store::Store;

const ROUTER_USER: &str = "headend";
const ROUTER_PASSWORD: &str = "sim-router-pw";
/// The imported customers, around Nairobi.
const CUSTOMERS: usize = 10_000;

/// Two routers (core-1 up, on the simulator; core-2 at a closed port, so
/// down), a plan, an ODP, Ana (PPPoE, on core-1) and 10,000 imported
/// static customers on core-2, a tenth of them suspended.
fn seed(dir: &Path, router_port: u16, closed_port: u16) -> anyhow::Result<()> {
    let up = router_port.to_string();
    let down = closed_port.to_string();
    for (name, port, at) in [("core-1", &up, "-1.2921,36.8219"), ("core-2", &down, "-1.3000,36.7800")] {
        let add = ["router", "add", name, "--host", "127.0.0.1", "--port", port, "--transport", "api"];
        let rest = ["--user", ROUTER_USER, "--password-stdin", "--location", at];
        cli(dir, &[&add[..], &rest[..]].concat(), Some(ROUTER_PASSWORD))?;
    }
    cli(dir, &["plan", "add", "Home 20", "--rate", "5M/20M", "--price", "25.00"], None)?;
    cli(
        dir,
        &[
            "service",
            "add",
            "--customer",
            "Ana Lima",
            "--router",
            "core-1",
            "--plan",
            "Home 20",
            "--pppoe",
            "ana",
            "--password-stdin",
            "--location",
            "https://www.openstreetmap.org/#map=18/-1.28800/36.82500",
        ],
        Some("ana-pw-1"),
    )?;
    let csv = dir.join("customers.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&csv)?);
    writeln!(file, "customer,router,plan,type,ip,status,address,latitude,longitude")?;
    for i in 0..CUSTOMERS {
        // A grid of about 12 × 12 km south-west of the centre.
        let (row, col) = (i / 100, i % 100);
        let lat = -1.26 - row as f64 * 0.0011;
        let lon = 36.74 + col as f64 * 0.0011;
        let ip = format!("100.64.{}.{}", i / 250, i % 250 + 1);
        let status = if i % 10 == 0 { "suspended" } else { "active" };
        writeln!(file, "Customer {i:05},core-2,Home 20,static,{ip},{status},{i} Ngong Road,{lat:.6},{lon:.6}")?;
    }
    file.flush()?;
    drop(file);
    cli(dir, &["import", "services", "--file", &csv.to_string_lossy()], None)?;
    // Today: Ana pays, and Customer 00001 (service 3) is suspended by hand.
    cli(dir, &["payment", "add", "1", "--amount", "25.00"], None)?;
    cli(dir, &["service", "set-status", "3", "suspended"], None)?;
    Ok(())
}

/// A JavaScript expression's value in the window.
async fn js(app: &Client, script: &str) -> anyhow::Result<serde_json::Value> {
    Ok(app.execute(script, vec![]).await?)
}

/// Waits until `script` returns true.
async fn until(app: &Client, what: &str, script: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if js(app, script).await?.as_bool() == Some(true) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            anyhow::bail!("never true: {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Tiles drawn: loaded and 256 px wide.
const TILES_LOADED: &str = "return [...document.querySelectorAll('#map-canvas img.leaflet-tile-loaded')]
    .filter(i => i.naturalWidth === 256).length > 0";

/// Customers on screen: in clusters and alone.
const CUSTOMERS_SHOWN: &str = "return [...document.querySelectorAll('#map-canvas .map-cluster span')]
    .reduce((n, s) => n + Number(s.textContent), 0)
    + document.querySelectorAll('#map-canvas path.marker.kind-customer').length";

// The CLI calls block their thread: the simulator serves from the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn the_map_draws_tiles_markers_and_clusters_and_works_offline() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let data = sandbox.data_dir();
    let tiles = SimTileServer::start().await?;
    let sim = SimRouter::start(SimConfig {
        username: ROUTER_USER.into(),
        password: ROUTER_PASSWORD.into(),
        identity: "core-1".into(),
        // The router's own users, from before Headend: user00001..user00003.
        secrets: 3,
        ..SimConfig::default()
    })
    .await?;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    seed(&data, sim.api_port(), closed)?;

    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;
    // The dashboard: what needs the operator, each figure a door to its list.
    wait_for_text(&app, "#health-routers", "1 up").await?;
    assert!(find(&app, "#health-routers .stat-value").await?.text().await? == "1", "core-2 is down");
    wait_for_text(&app, "#health-payments", "25.00").await?;
    assert_eq!(find(&app, "#health-payments .stat-value").await?.text().await?, "1", "Ana's payment");
    assert_eq!(find(&app, "#health-went-off .stat-value").await?.text().await?, "1", "suspended by hand today");
    // No session history yet (Ana dials in later): the chart says so.
    wait_for_text(&app, "#online-chart", "No session in the last 24 hours").await?;
    screenshots(&app, "dashboard").await?;
    click(&app, "#health-went-off").await?;
    wait_for_text(&app, "#page-title", "Customers").await?;
    find(&app, "#went-off-filter").await?;
    // The one service that went off today, of the 10,000 imported and more.
    wait_for_text(&app, "#service-count", "1–1 of 1").await?;
    let listed = app.find_all(Locator::Css("tr.service-row")).await?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].attr("data-service-id").await?.as_deref(), Some("3"), "Customer 00001, suspended by hand");
    click(&app, "#nav-dashboard").await?;
    click(&app, "#health-routers").await?;
    wait_for_text(&app, "#page-title", "Routers").await?;
    // The tile server, as an operator sets it.
    click(&app, "#nav-settings").await?;
    find(&app, "#map-tiles").await?;
    app.execute("document.querySelector('#map-tiles').scrollIntoView()", vec![]).await?;
    fill(&app, "#tile-url", "ftp://tiles.example/{z}/{x}/{y}.png").await?;
    click(&app, "#tile-save").await?;
    wait_for_text(&app, "#error-tile_url", "http").await?;
    fill(&app, "#tile-url", &tiles.url_template()).await?;
    fill(&app, "#tile-attribution", "Test tiles").await?;
    click(&app, "#tile-save").await?;
    wait_for_text(&app, "#tile-saved", "Saved").await?;

    // Ana's secret reaches core-1; she dials in.
    eventually("core-1 holds Ana's secret", || sim.secrets().iter().any(|s| s.get_str("name") == Some("ana"))).await?;
    sim.connect_session("ana").context("Ana's session")?;

    click(&app, "#nav-map").await?;
    until(&app, "tiles drawn from the loopback tile server", TILES_LOADED).await?;
    assert!(tiles.requests() > 0, "the tiles came from the test's server");
    assert!(
        tiles.user_agent().is_some_and(|ua| ua.starts_with("Headend/")),
        "the app says who it is: {:?}",
        tiles.user_agent()
    );
    wait_for_text(&app, ".leaflet-control-attribution", "Test tiles").await?;
    // Routers in their states' colours: core-1 up, core-2 down.
    until(&app, "core-1 up", "return !!document.querySelector('#map-canvas path.marker.kind-router.state-up')").await?;
    until(&app, "core-2 down", "return !!document.querySelector('#map-canvas path.marker.kind-router.state-down')")
        .await?;
    // Every customer is on the map, most of them in clusters.
    let total = CUSTOMERS as u64 + 1;
    until(&app, "every customer shown", &format!("{CUSTOMERS_SHOWN} === {total}")).await?;
    let clusters = js(&app, "return document.querySelectorAll('#map-canvas .map-cluster').length").await?;
    assert!(clusters.as_u64().is_some_and(|n| (1..500).contains(&n)), "10,000 customers in clusters: {clusters}");
    // Clusters take their most common state's colour (a problem would
    // show first): here active, static-IP customers.
    until(&app, "active clusters", "return !!document.querySelector('#map-canvas .map-cluster.state-active')").await?;
    let problem = js(
        &app,
        "return !!document.querySelector('#map-canvas .map-cluster.state-down, #map-canvas .map-cluster.state-los')",
    )
    .await?;
    assert_eq!(problem, serde_json::json!(false), "no customer has a problem");
    wait_for_text(&app, "#map-counts", "10001 customer services").await?;
    screenshots(&app, "map").await?;
    // The state filter keeps the suspended tenth.
    find(&app, "#map-filter-state").await?.select_by_value("suspended").await?;
    until(&app, "only the suspended", &format!("{CUSTOMERS_SHOWN} === {}", CUSTOMERS / 10 + 1)).await?;
    find(&app, "#map-filter-state").await?.select_by_value("").await?;
    until(&app, "every customer again", &format!("{CUSTOMERS_SHOWN} === {total}")).await?;

    // Ana online, found by the search: her popup.
    fill(&app, "#map-search", "ana li").await?;
    click(&app, "#map-search-results .map-search-hit").await?;
    let popup = wait_for_text(&app, ".map-popup", "Ana Lima").await?;
    assert!(popup.contains("ana · Home 20"), "her login and plan: {popup}");
    until(&app, "Ana online", "return !!document.querySelector('.map-popup .state-online')").await?;
    screenshots(&app, "map-customer").await?;
    click(&app, ".map-popup-open").await?;
    wait_for_text(&app, "#page-title", "Ana Lima").await?;
    // Her ONU's serial for zero-touch, from the Fibre card.
    find(&app, "#service-fibre").await?;
    fill(&app, "#fibre-serial", "not-a-serial").await?;
    click(&app, "#fibre-save").await?;
    find(&app, "#error-serial").await?;
    fill(&app, "#fibre-serial", "HWTC0B086EA9").await?;
    fill(&app, "#fibre-vlan", "120").await?;
    click(&app, "#fibre-save").await?;
    wait_for_text(&app, "#fibre-saved", "Saved").await?;
    let store = Store::open(&data.join("headend.sqlite3")).await?;
    let onu = store.service_onu(headend_core::ServiceId(1)).await?.context("Ana's zero-touch ONU")?;
    store.close().await;
    assert_eq!((onu.serial.as_deref(), onu.vlan), (Some("HWTC0B086EA9"), Some(120)));

    // A new router placed by clicking its form's map.
    click(&app, "#nav-routers").await?;
    click(&app, "#add-router").await?;
    let edge_port = closed.to_string();
    for (css, text) in [("#router-name", "edge-1"), ("#router-host", "127.0.0.1"), ("#router-password", "secret")] {
        fill(&app, css, text).await?;
    }
    fill(&app, "#router-port", &edge_port).await?;
    fill(&app, "#router-pop", "Ngong Road POP").await?;
    click(&app, "#router-location-pick").await?;
    until(
        &app,
        "the picker's tiles",
        "return document.querySelectorAll('#router-location-map img.leaflet-tile-loaded').length > 0",
    )
    .await?;
    find(&app, "#router-location-map").await?.click().await?;
    until(&app, "a picked point", "return document.querySelector('#router-location').value.includes(',')").await?;
    let picked = find(&app, "#router-location").await?.prop("value").await?.unwrap_or_default();
    screenshots(&app, "map-picker").await?;
    click(&app, "#router-save").await?;
    wait_for_text(&app, "#router-notice", "edge-1 saved").await?;
    let store = Store::open(&data.join("headend.sqlite3")).await?;
    let edge = store.router_by_name("edge-1").await?.context("edge-1")?;
    let at = edge.location.context("edge-1 placed")?;
    let pops = store.pops().await?;
    assert_eq!(pops.iter().find(|p| Some(p.id) == edge.pop).map(|p| p.name.as_str()), Some("Ngong Road POP"));
    store.close().await;
    // Settings → POPs lists it with its router, and renames it.
    click(&app, "#nav-settings").await?;
    find(&app, "#pops-table").await?;
    let row = "#pops-table tr.pop-row";
    wait_for_text(&app, row, "1").await?;
    fill(&app, &format!("{row} .pop-name"), "Ngong POP").await?;
    click(&app, &format!("{row} .pop-rename")).await?;
    wait_for_text(&app, &format!("{row} .pop-saved"), "Saved").await?;
    let store = Store::open(&data.join("headend.sqlite3")).await?;
    assert!(store.pop_by_name("Ngong POP").await?.is_some(), "renamed");
    store.close().await;
    let (lat, lon) = picked.split_once(',').context("lat,lon")?;
    assert!(
        (at.lat() - lat.parse::<f64>()?).abs() < 1e-6 && (at.lon() - lon.parse::<f64>()?).abs() < 1e-6,
        "{at} vs {picked}"
    );
    // The picker opened on the network, so the click landed in it.
    assert!((-1.4..-1.2).contains(&at.lat()) && (36.7..36.9).contains(&at.lon()), "clicked inside the network: {at}");
    // The tile server goes away: the map (edge-1 is inside the network, so
    // the same view) is drawn from the disk cache.
    let before = tiles.requests();
    drop(tiles);
    click(&app, "#nav-dashboard").await?;
    click(&app, "#nav-map").await?;
    until(&app, "tiles drawn from the cache", TILES_LOADED).await?;
    assert!(before > 0);
    let missing = app.find_all(Locator::Css("#map-tiles-missing")).await?;
    assert!(missing.is_empty(), "no tile was missing: the view was cached");
    screenshots(&app, "map-offline").await?;

    // core-1's own users adopted from its page: the unknown profile is
    // mapped to a plan, previewed, then adopted.
    click(&app, "#nav-routers").await?;
    click(&app, "#routers-table tr[data-name='core-1'] .router-link").await?;
    click(&app, "#adopt-read").await?;
    wait_for_text(&app, "#adopt-errors", "has no plan").await?;
    find(&app, "#adopt-map-0").await?.select_by_value("Home 20").await?;
    click(&app, "#adopt-read").await?;
    wait_for_text(&app, "#adopt-preview", "user00003").await?;
    screenshots(&app, "router-adopt").await?;
    click(&app, "#adopt-confirm").await?;
    wait_for_text(&app, "#adopt-done", "Adopted 3 secrets").await?;
    let store = Store::open(&data.join("headend.sqlite3")).await?;
    let core1 = store.router_by_name("core-1").await?.context("core-1")?;
    for user in ["user00001", "user00002", "user00003"] {
        assert!(store.pppoe_user(core1.id, user).await?.is_some(), "{user} is a service now");
    }
    store.close().await;

    // Bulk: Customers 00010 to 00019 selected; activating them previews one
    // change (00010 is suspended) and nine with nothing to do, then applies.
    click(&app, "#nav-customers").await?;
    fill(&app, "#service-search", "Customer 0001").await?;
    wait_for_text(&app, "#service-count", "1–10 of 10").await?;
    click(&app, "#select-page").await?;
    wait_for_text(&app, "#bulk-count", "10 selected").await?;
    find(&app, "#bulk-action").await?.select_by_value("activate").await?;
    click(&app, "#bulk-preview").await?;
    wait_for_text(&app, "#bulk-lines", "status suspended -> active").await?;
    assert_eq!(app.find_all(Locator::Css("#bulk-lines tr.bulk-unchanged")).await?.len(), 9);
    screenshots(&app, "bulk-preview").await?;
    click(&app, "#bulk-apply").await?;
    wait_for_text(&app, "#bulk-done", "1 service changed").await?;
    let store = Store::open(&data.join("headend.sqlite3")).await?;
    let page = store
        .services_page(&headend_store::ServiceQuery { search: Some("Customer 00010".into()), ..Default::default() })
        .await?;
    assert!(
        !page.rows.is_empty() && page.rows.iter().all(|s| s.status == headend_core::service::ServiceStatus::Active),
        "Customer 00010 is active"
    );
    store.close().await;

    driver.quit(app).await?;
    Ok(())
}

//! The Routers page: a router whose TLS certificate changed is refused and
//! shown with both fingerprints until the operator trusts the new one; the
//! router form defaults to API-TLS, says how to give a router's api-ssl a
//! certificate, and what plain API costs.

use headend_core::router::Transport;
use headend_e2e::{Driver, Sandbox, click, fill, one_app_at_a_time, screenshots, wait_for_text, wait_gone};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{SimConfig, SimRouter};
use headend_store::{NewRouter, Store};

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn a_changed_certificate_waits_for_the_operator_to_trust_it() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let sim = SimRouter::start(SimConfig { identity: "core-tls".into(), tls: true, ..SimConfig::default() }).await?;
    // Pinned before the router was reinstalled with a new certificate.
    let old = sim.certificate_pin().map(|p| p.to_string()).unwrap_or_default();
    let new = sim.rotate_certificate()?.to_string();
    let store = Store::open(&sandbox.data_dir().join("headend.sqlite3")).await?;
    let router = store
        .add_router(&NewRouter {
            name: "core-tls".into(),
            host: "127.0.0.1".into(),
            port: sim.api_tls_port().unwrap_or_default(),
            transport: Transport::ApiTls,
            username: "admin".into(),
            pop: None,
            location: None,
        })
        .await?;
    store.set_router_tls_pin(router, Some(&old)).await?;
    SecretStore::open()?.scoped(&store.installation_id().await?).set(&SecretKey::router(router), "admin")?;
    store.close().await;

    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;
    wait_for_text(&app, "#stat-routers", "1").await?;
    click(&app, "#nav-routers").await?;
    wait_for_text(&app, "#routers-table", "Certificate changed").await?;
    assert_eq!(sim.stats().logins, 0, "no login over a certificate that is not trusted");
    click(&app, "#routers-table .trust-certificate").await?;
    wait_for_text(&app, "#pinned-certificate", &old).await?;
    wait_for_text(&app, "#presented-certificate", &new).await?;
    screenshots(&app, "router-certificate-changed").await?;
    click(&app, "#trust-certificate-confirm").await?;
    wait_gone(&app, "#trust-certificate").await?;
    wait_for_text(&app, "#router-notice", "the new certificate is trusted").await?;
    wait_for_text(&app, "#routers-table .status", "Up").await?;
    let store = Store::open(&sandbox.data_dir().join("headend.sqlite3")).await?;
    assert_eq!(store.router_certificate(router).await?.pinned.as_deref(), Some(new.as_str()));
    store.close().await;
    wait_for_text(&app, "#nav-activity", "Activity").await?;
    click(&app, "#nav-activity").await?;
    wait_for_text(&app, "#activity-table", "certificate pinned").await?;
    wait_for_text(&app, "#activity-table", "certificate refused").await?;

    // A new router: API-TLS unless the operator picks otherwise, with the
    // steps that give the router's api-ssl a certificate; plain API says
    // what it costs.
    click(&app, "#nav-routers").await?;
    click(&app, "#add-router").await?;
    fill(&app, "#router-name", "edge").await?;
    click(&app, "#api-ssl-help summary").await?;
    wait_for_text(&app, "#api-ssl-help", "/ip service set api-ssl certificate=headend-api").await?;
    screenshots(&app, "router-form-tls").await?;
    app.find(fantoccini::Locator::Css("#router-transport")).await?.select_by_value("api").await?;
    wait_for_text(&app, "#plain-api-warning", "unencrypted").await?;
    driver.quit(app).await?;
    Ok(())
}

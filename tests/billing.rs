//! Billing from the console, against a simulated router in this test
//! process: a customer whose paid-through date passed is cut off; "Run
//! invoices now" issues their invoice, shown as it prints and saved as a
//! PDF; a full payment recorded on their page (allocation previewed,
//! receipt and new paid-through date shown after) settles it, and the
//! router lets them back in. The dashboard's billing cards see it all.
//!
//! Dates come from the app's own rule for "today" (the ISP policy's time
//! zone over the system clock), so the test holds on any day.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use fantoccini::{Client, Locator};
use headend_core::billing::calendar::{BillingDay, Period};
use headend_core::plan::BillingCycle;
use headend_core::router::Transport;
use headend_e2e::{
    Driver, Sandbox, click, env_path, eventually, fill, invoke, one_app_at_a_time, screenshot, screenshots,
    wait_for_text,
};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{SimConfig, SimRouter, SimRouterHandle};
use headend_store::{NewRouter, Store};
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::json;

const ROUTER_USER: &str = "headend";
const ROUTER_PASSWORD: &str = "sim-router-pw";

/// Stores the simulated router (database and keyring scope) and answers
/// the app's today.
async fn seed(data_dir: &Path, sim: &SimRouterHandle) -> anyhow::Result<Date> {
    let store = Store::open(&data_dir.join("headend.sqlite3")).await?;
    let router = store
        .add_router(&NewRouter {
            name: "core-1".into(),
            host: "127.0.0.1".into(),
            port: sim.api_port(),
            transport: Transport::Api,
            username: ROUTER_USER.into(),
            pop: None,
            location: None,
        })
        .await?;
    let scope = store.installation_id().await?;
    SecretStore::open()?.scoped(&scope).set(&SecretKey::router(router), ROUTER_PASSWORD)?;
    let today = store.isp_policy().await?.today(jiff::Timestamp::now());
    store.close().await;
    std::fs::write(data_dir.join("settings.json"), r#"{"sweep_interval_secs": 5}"#)?;
    Ok(today)
}

/// Whether the PPP secret `user` is on the simulator, and disabled.
fn disabled(sim: &SimRouterHandle, user: &str) -> Option<bool> {
    sim.secrets().into_iter().find(|s| s.get_str("name") == Some(user)).map(|s| s.get_str("disabled") == Some("true"))
}

fn pdf_text(path: &Path) -> anyhow::Result<String> {
    let out = Command::new("pdftotext").arg(path).arg("-").output().context("running pdftotext")?;
    anyhow::ensure!(out.status.success(), "pdftotext failed on {}", path.display());
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn value(app: &Client, css: &str) -> anyhow::Result<String> {
    Ok(app.find(Locator::Css(css)).await?.prop("value").await?.unwrap_or_default())
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn an_overdue_customer_is_invoiced_pays_and_is_back_on_the_router() -> anyhow::Result<()> {
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
    let today = seed(&sandbox.data_dir(), &sim).await?;
    // Paid through ten days ago with no grace: cut off now. Its invoice is
    // for the period starting on that day.
    let paid_through = today.checked_sub(10.days())?;
    let period = Period::starting(paid_through, BillingCycle::Monthly, BillingDay::of(paid_through));
    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;

    click(&app, "#nav-billing").await?;
    wait_for_text(&app, ".empty-state h2", "No invoices yet").await?;
    click(&app, "#tab-plans").await?;
    click(&app, "#new-plan").await?;
    fill(&app, "#plan-name", "Home 20").await?;
    fill(&app, "#plan-download", "20M").await?;
    fill(&app, "#plan-upload", "5M").await?;
    fill(&app, "#plan-price", "25.00").await?;
    click(&app, "#plan-save").await?;
    wait_for_text(&app, "#plans-table", "Home 20").await?;

    click(&app, "#nav-customers").await?;
    click(&app, "#new-service").await?;
    fill(&app, "#svc-customer-name", "Carla Mendes").await?;
    fill(&app, "#svc-phone", "+254700000009").await?;
    app.find(Locator::Css("#svc-router")).await?.select_by_index(1).await?;
    app.find(Locator::Css("#svc-plan")).await?.select_by_index(1).await?;
    fill(&app, "#svc-username", "carla").await?;
    fill(&app, "#svc-password", "carla-pw-1").await?;
    fill(&app, "#svc-due", &paid_through.to_string()).await?;
    fill(&app, "#svc-grace", "0").await?;
    click(&app, "#svc-save").await?;
    wait_for_text(&app, "#page-title", "carla · Carla Mendes").await?;
    // Cut off: the router does not let Carla in (no secret, or a disabled one).
    wait_for_text(&app, "#service-due", "cut off").await?;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_ne!(disabled(&sim, "carla"), Some(false), "a cut-off customer is not enabled on the router");

    // Run invoices now: one invoice, for the unpaid month.
    click(&app, "#nav-billing").await?;
    click(&app, "#tab-invoices").await?;
    click(&app, "#run-invoices").await?;
    wait_for_text(&app, "#run-result", "1 issued").await?;
    let number = app.find(Locator::Css("#run-result .issued")).await?.text().await?;
    wait_for_text(&app, "#invoices-table", &number).await?;
    screenshots(&app, "billing-invoices").await?;
    click(&app, "#run-result .issued").await?;
    wait_for_text(&app, "#invoice-number", &number).await?;
    wait_for_text(&app, "#invoice-bill-to", "Carla Mendes").await?;
    let last_day = period.until.yesterday()?;
    wait_for_text(&app, "#invoice-lines", &format!("{} – {last_day}", period.from)).await?;
    wait_for_text(&app, "#invoice-amount-due", "25.00").await?;
    screenshot(&app, "billing-invoice").await?;

    // Save PDF, with the path the dialog would give: a real PDF.
    let pdf = sandbox.root.join(format!("{number}.pdf"));
    let saved = invoke(&app, "save_invoice_pdf", json!({ "number": number, "path": pdf })).await?;
    assert_eq!(saved["path"].as_str(), Some(pdf.to_str().context("a UTF-8 temp path")?), "{saved}");
    let text = pdf_text(&pdf)?;
    assert!(text.contains(&number) && text.contains("Carla Mendes"), "the PDF reads: {text}");
    let shots = env_path("HEADEND_E2E_SCREENSHOTS")?;
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(shots.join("billing-invoice-pdf"))
        .status()?;
    anyhow::ensure!(rendered.success(), "pdftoppm failed");

    // Record payment: the amount is what Carla owes; where it goes and the
    // new paid-through date are shown before saving.
    click(&app, "#invoice-pay").await?;
    wait_for_text(&app, "#page-title", "carla · Carla Mendes").await?;
    click(&app, "#service-pay").await?;
    eventually_value(&app, "#payment-amount", "25.00").await?;
    wait_for_text(&app, "#payment-preview", &format!("pays 25.00 on {number}")).await?;
    wait_for_text(&app, "#payment-preview", &format!("paid through {}", period.until)).await?;
    app.find(Locator::Css("#payment-method")).await?.select_by_value("mobile-money").await?;
    fill(&app, "#payment-reference", "QX7 31K").await?;
    screenshots(&app, "billing-payment-preview").await?;
    click(&app, "#payment-save").await?;
    let done = wait_for_text(&app, "#payment-done", &format!("Paid through {}.", period.until)).await?;
    let receipt = done
        .split_whitespace()
        .nth(1)
        .filter(|r| r.chars().any(|c| c.is_ascii_digit()))
        .with_context(|| format!("no receipt number in {done:?}"))?
        .to_owned();
    let took = eventually("the secret enabled again", || disabled(&sim, "carla") == Some(false)).await?;
    println!("a payment reconnected the customer in {took:?}");
    wait_for_text(&app, "#customer-statement", &receipt).await?;
    wait_for_text(&app, "#statement-balance", "balance 0.00").await?;
    wait_for_text(&app, "#service-payments", "QX7 31K").await?;
    screenshots(&app, "billing-service-paid").await?;
    let receipt_pdf = sandbox.root.join("receipt.pdf");
    invoke(&app, "save_receipt_pdf", json!({ "receipt": receipt, "path": receipt_pdf })).await?;
    let text = pdf_text(&receipt_pdf)?;
    assert!(text.contains(&receipt) && text.contains(&number), "the receipt reads: {text}");

    // The dashboard: collected this month, nobody overdue, the chart.
    click(&app, "#nav-dashboard").await?;
    wait_for_text(&app, "#stat-collected", "25.00").await?;
    wait_for_text(&app, "#stat-outstanding", "0.00").await?;
    click(&app, "#stat-overdue").await?;
    wait_for_text(&app, "#overdue-list", "Nobody is overdue").await?;
    app.find(Locator::Css("#revenue-chart .bar-chart")).await?;
    screenshots(&app, "billing-dashboard").await?;
    driver.quit(app).await
}

/// Waits until the input at `css` holds `expected`.
async fn eventually_value(app: &Client, css: &str, expected: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        if value(app, css).await.is_ok_and(|v| v == expected) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bail!("{css} never held {expected:?} (last: {:?})", value(app, css).await.ok())
}

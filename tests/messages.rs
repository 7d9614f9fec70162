//! Messages to customers from the console, against a simulated SMTP server
//! and a simulated Twilio in this test process (loopback only): e-mail and
//! SMS set up by typing into the Settings form (passwords included) and
//! tried with "Send a test"; a customer's address set on their page; a
//! payment's receipt e-mailed with its PDF; a template edited with its live
//! preview (an unknown placeholder refused at the editor); a blast counted
//! before it is sent and reaching the gateway; a number the gateway refuses
//! failing with the provider's reason, on the badge, and retried.
//!
//! The customers, plans and the router come from the `headend` CLI, as an
//! operator onboarding from a terminal would add them.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::{Client, Locator};
use headend_e2e::{
    Driver, Sandbox, cli, click, eventually, fill, find, one_app_at_a_time, screenshots, wait_for_text, wait_gone,
};
use headend_simlab::messaging::{SimGateway, SimGatewayConfig, SimSmtp, SimSmtpConfig};
use headend_simlab::{SimConfig, SimRouter};

const ROUTER_USER: &str = "headend";
const ROUTER_PASSWORD: &str = "sim-router-pw";
/// The numbers the customers' SMS go to; Dora's is refused by the gateway.
const BRUNO: &str = "+254712345672";
const DORA: &str = "+254712345673";

/// The router, two plans and four customers: Ana, Bruno and Dora on
/// Home 20, Carla on Business 50. Services are numbered 1 to 4 in that order.
fn seed(dir: &Path, router_port: u16) -> anyhow::Result<()> {
    let port = router_port.to_string();
    let add = ["router", "add", "core-1", "--host", "127.0.0.1", "--port", &port, "--transport", "api"];
    cli(dir, &[&add[..], &["--user", ROUTER_USER, "--password-stdin"]].concat(), Some(ROUTER_PASSWORD))?;
    cli(dir, &["plan", "add", "Home 20", "--rate", "5M/20M", "--price", "25.00"], None)?;
    cli(dir, &["plan", "add", "Business 50", "--rate", "10M/50M", "--price", "60.00"], None)?;
    cli(dir, &["billing", "settings", "--company", "Fibra Test"], None)?;
    // Paid up for a year from today, by the clock the app reads: no
    // invoice or reminder of the test's days is due.
    let due =
        jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().checked_add(jiff::ToSpan::years(1))?;
    let due = due.to_string();
    let service = |name: &str, phone: &str, plan: &str, access: &[&str], password: Option<&str>| {
        let base = ["service", "add", "--customer", name, "--phone", phone, "--router", "core-1", "--plan", plan];
        cli(dir, &[&base[..], access, &["--due", &due]].concat(), password)
    };
    service("Ana Lima", "+254712345671", "Home 20", &["--pppoe", "ana", "--password-stdin"], Some("ana-pw-1"))?;
    service("Bruno Costa", BRUNO, "Home 20", &["--ip", "100.64.0.2"], None)?;
    service("Dora Mwangi", DORA, "Home 20", &["--ip", "100.64.0.3"], None)?;
    service("Carla Dias", "+254712345674", "Business 50", &["--ip", "100.64.0.4"], None)?;
    Ok(())
}

async fn value(app: &Client, css: &str) -> anyhow::Result<String> {
    Ok(app.find(Locator::Css(css)).await?.prop("value").await?.unwrap_or_default())
}

async fn select(app: &Client, css: &str, value: &str) -> anyhow::Result<()> {
    find(app, css).await?.select_by_value(value).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn receipts_and_blasts_reach_customers_and_refusals_wait_for_a_retry() -> anyhow::Result<()> {
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
    let smtp = SimSmtp::start(SimSmtpConfig::default()).await?;
    let gateway = SimGateway::start(SimGatewayConfig::default()).await?;
    let dir = sandbox.data_dir();
    seed(&dir, sim.api_port())?;
    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;

    click(&app, "#nav-messages").await?;
    wait_for_text(&app, "#page-title", "Messages").await?;
    wait_for_text(&app, ".empty-state h2", "No messages yet").await?;

    // Settings: e-mail through the simulated SMTP server, SMS through the
    // simulated Twilio, typed as an operator would.
    click(&app, "#outbox-setup").await?;
    wait_for_text(&app, "#message-settings-form", "SMTP server").await?;
    let (user, password) = SimSmtpConfig::default().credentials.context("the simulated server logs in")?;
    fill(&app, "#ms-smtp-host", &smtp.addr().ip().to_string()).await?;
    fill(&app, "#ms-smtp-port", &smtp.addr().port().to_string()).await?;
    select(&app, "#ms-smtp-tls", "none").await?;
    fill(&app, "#ms-smtp-user", &user).await?;
    fill(&app, "#ms-smtp-password", &password).await?;
    fill(&app, "#ms-from", "Fibra Test <billing@isp.test>").await?;
    select(&app, "#ms-sms-provider", "twilio").await?;
    wait_for_text(&app, "#message-settings-form", "Account SID").await?;
    let twilio = gateway.config().clone();
    fill(&app, "#ms-sms-account", &twilio.twilio_account_sid).await?;
    fill(&app, "#ms-sms-token", &twilio.twilio_auth_token).await?;
    fill(&app, "#ms-sms-from", "+15005550006").await?;
    fill(&app, "#ms-sms-base-url", &gateway.base_url()).await?;
    fill(&app, "#ms-default-country", "KE").await?;
    fill(&app, "#ms-isp-phone", "+254700100200").await?;
    click(&app, "#ms-save").await?;
    wait_for_text(&app, "#ms-saved", "Saved").await?;
    assert_eq!(value(&app, "#ms-smtp-password").await?, "", "a saved password is never shown again");
    wait_for_text(&app, "#message-settings-form", "One is kept in the system keyring").await?;

    // "Send a test" on each channel: the provider's answer is shown.
    fill(&app, "#test-email-to", "noc@isp.test").await?;
    click(&app, "#test-email-send").await?;
    wait_for_text(&app, "#test-email-answer", "Sent").await?;
    let mails = smtp.wait_for(1, Duration::from_secs(10)).await;
    let test_mail = mails.first().context("the test e-mail arrived")?;
    assert_eq!(test_mail.to, vec!["noc@isp.test".to_owned()]);
    assert_eq!(test_mail.subject().as_deref(), Some("Test message from Fibra Test"));
    fill(&app, "#test-sms-to", "0712000009").await?;
    click(&app, "#test-sms-send").await?;
    wait_for_text(&app, "#test-sms-answer", "Sent: the provider took it as SM").await?;
    let test_sms = gateway.messages().into_iter().next().context("the test SMS arrived")?;
    assert_eq!(test_sms.to, "+254712000009", "the local number in the default country, in E.164");
    screenshots(&app, "messages-settings-tests").await?;
    app.execute("document.getElementById('content').scrollTop = 0", vec![]).await?;
    screenshots(&app, "messages-settings").await?;

    // Ana's address, on her page's Messages card.
    click(&app, "#nav-customers").await?;
    click(&app, "tr.service-row[data-login='ana'] td.customer-cell").await?;
    wait_for_text(&app, "#page-title", "ana · Ana Lima").await?;
    wait_for_text(&app, "#customer-message-history", "No message yet").await?;
    fill(&app, "#contact-email", "ana at example.test").await?;
    click(&app, "#contact-save").await?;
    wait_for_text(&app, "#error-email", "is not an e-mail address").await?;
    fill(&app, "#contact-email", "ana@example.test").await?;
    click(&app, "#contact-save").await?;
    wait_for_text(&app, "#contact-saved", "Saved").await?;
    wait_for_text(&app, "#customer-facts", "ana@example.test").await?;

    // A payment (from the terminal): its receipt goes to Ana with the PDF.
    let paid = cli(&dir, &["--json", "payment", "add", "1", "--amount", "25.00"], None)?;
    let paid: serde_json::Value = serde_json::from_str(paid.trim()).context("payment add --json")?;
    let receipt = paid["receipt"].as_str().context("a receipt number")?.to_owned();
    let mails = smtp.wait_for(2, Duration::from_secs(30)).await;
    let mail = mails.get(1).context("the receipt e-mail arrived")?;
    assert_eq!(mail.to, vec!["ana@example.test".to_owned()]);
    assert_eq!(mail.subject().as_deref(), Some("Payment received, thank you!"));
    let text = mail.text().unwrap_or_default();
    assert!(text.contains("Hello Ana Lima") && text.contains(&receipt), "the receipt e-mail reads: {text}");
    let attachments = mail.attachments();
    let [pdf] = attachments.as_slice() else { bail!("one attachment expected, got {}", attachments.len()) };
    assert_eq!(pdf.filename.as_deref(), Some(format!("{receipt}.pdf").as_str()));
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF"), "the attachment is a PDF");
    wait_for_text(&app, "#customer-message-history", "Payment received").await?;
    wait_for_text(&app, "#customer-messages-table", "sent").await?;
    app.execute("document.getElementById('customer-messages').scrollIntoView()", vec![]).await?;
    screenshots(&app, "messages-customer").await?;

    // Templates: the SMS of a payment, previewed on Ana as it is typed.
    click(&app, "#nav-messages").await?;
    click(&app, "#tab-templates").await?;
    select(&app, "#template-event", "payment-received").await?;
    select(&app, "#template-channel", "sms").await?;
    wait_for_text(&app, "#preview-body", "Ana Lima").await?;
    wait_for_text(&app, "#preview-sms", "GSM-7").await?;
    fill(&app, "#template-text", "Hi {customer_name}, {nope}").await?;
    click(&app, "#template-save").await?;
    wait_for_text(&app, "#error-template", "nknown placeholder {nope}").await?;
    fill(&app, "#template-text", "Asante {customer_name}! We got {amount_paid} (receipt {receipt_number}) — ").await?;
    click(&app, "#template-text-placeholders [data-placeholder='isp_name']").await?;
    wait_for_text(&app, "#preview-body", "Asante Ana Lima! We got").await?;
    wait_for_text(&app, "#preview-body", "— Fibra Test").await?;
    wait_for_text(&app, "#preview-sms", "UCS-2").await?;
    assert!(value(&app, "#template-text").await?.ends_with("— {isp_name}"), "the chip put its placeholder in");
    click(&app, "#template-save").await?;
    wait_for_text(&app, "#template-saved", "Saved").await?;
    wait_for_text(&app, "#template-origin", "Your own").await?;
    screenshots(&app, "messages-templates").await?;
    click(&app, "#template-reset").await?;
    wait_for_text(&app, "#template-origin", "Headend's default").await?;

    // A blast to Home 20: counted before it is sent. Dora's number is refused.
    gateway.reject_number(DORA);
    click(&app, "#tab-blast").await?;
    wait_for_text(&app, "#blast-count", "4 customers: 1 by e-mail, 3 by SMS").await?;
    let home = app.find(Locator::XPath("//select[@id='blast-plan']/option[text()='Home 20']")).await?;
    select(&app, "#blast-plan", &home.attr("value").await?.context("the plan's id")?).await?;
    wait_for_text(&app, "#blast-count", "3 customers: 1 by e-mail, 2 by SMS").await?;
    fill(&app, "#blast-subject", "Maintenance tonight").await?;
    fill(&app, "#blast-body", "Maintenance tonight 01:00-03:00, {customer_name}. Sorry! {isp_name}").await?;
    screenshots(&app, "messages-blast").await?;
    click(&app, "#blast-send").await?;
    wait_for_text(&app, "#confirm-blast", "3 customers").await?;
    click(&app, "#confirm-blast-yes").await?;
    wait_for_text(&app, "#blast-sent", "3 message(s) queued").await?;
    let bruno = |g: &SimGateway| g.messages().into_iter().find(|m| m.to == BRUNO);
    eventually("the blast's SMS reached the gateway", || bruno(&gateway).is_some()).await?;
    let sms = bruno(&gateway).context("Bruno's SMS")?;
    assert_eq!(sms.text.as_deref(), Some("Maintenance tonight 01:00-03:00, Bruno Costa. Sorry! Fibra Test"));
    assert_eq!(sms.from.as_deref(), Some("+15005550006"));
    let mails = smtp.wait_for(3, Duration::from_secs(30)).await;
    let blast_mail = mails.get(2).context("the blast's e-mail to Ana")?;
    assert_eq!(blast_mail.subject().as_deref(), Some("Maintenance tonight"));
    assert_eq!(blast_mail.to, vec!["ana@example.test".to_owned()]);
    assert!(!gateway.messages().iter().any(|m| m.to == DORA), "the gateway refused Dora's number");

    // The outbox: sent rows, and Dora's failed with Twilio's reason and Retry.
    click(&app, "#blast-outbox").await?;
    let failed = "#outbox-table tr.message-row[data-status='failed']";
    wait_for_text(&app, failed, "Dora Mwangi").await?;
    wait_for_text(&app, failed, "Twilio refused the number").await?;
    wait_for_text(&app, "#outbox-filter-sent", "3").await?;
    wait_for_text(&app, "#outbox-filter-failed", "1").await?;
    let sent = app.find_all(Locator::Css("#outbox-table tr.message-row[data-status='sent']")).await?;
    assert_eq!(sent.len(), 3, "the receipt, the blast's e-mail and Bruno's SMS");
    app.find(Locator::Css(&format!("{failed} .retry-message"))).await.context("Retry on the failed row")?;
    wait_for_text(&app, "#failures-badge", "1").await?;
    wait_for_text(&app, "#nav-failed-messages", "1").await?;
    screenshots(&app, "messages-outbox").await?;

    // The badge's list opens the failed messages; Retry tries again.
    click(&app, "#failures-button").await?;
    wait_for_text(&app, "#failures-messages", "1 message to a customer failed").await?;
    click(&app, "#failures-messages").await?;
    wait_gone(&app, "#failures-panel").await?;
    wait_for_text(&app, "#outbox-table", "Dora Mwangi").await?;
    assert!(
        app.find_all(Locator::Css("#outbox-table tr.message-row[data-status='sent']")).await?.is_empty(),
        "only the failed messages are listed"
    );
    let before = gateway.requests();
    click(&app, &format!("{failed} .retry-message")).await?;
    wait_for_text(&app, "#message-notice", "queued again to +254712345673").await?;
    eventually("the retried SMS reached the gateway", || gateway.requests() > before).await?;
    click(&app, &format!("{failed} td.message-outcome")).await?;
    wait_for_text(&app, ".message-text-row", "Maintenance tonight 01:00-03:00, Dora Mwangi.").await?;
    driver.quit(app).await
}

//! Messages from the terminal: the real `headend` binary sets up e-mail
//! and SMS against a simulated SMTP server and Twilio on loopback (the
//! credentials through standard input into the keyring), and invoices,
//! reminders, receipts and a blast reach them, each once, however often
//! `messages run --once` runs.
//!
//! The ISP's time zone is set to UTC and the due date is computed from the
//! same clock the binary reads, so the test holds on any day.

use std::time::Duration;

use anyhow::Context;
use headend_e2e::{Sandbox, cli};
use headend_simlab::{SimGateway, SimGatewayConfig, SimSmtp, SimSmtpConfig};
use jiff::{Timestamp, ToSpan};
use serde_json::Value;

fn json(text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text).with_context(|| format!("not JSON: {text}"))
}

// The CLI calls block their thread: the simulators serve from the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_receipts_and_a_blast_reach_the_loopback_providers_once() -> anyhow::Result<()> {
    let sandbox = Sandbox::new()?;
    let data = sandbox.data_dir();
    let run = |args: &[&str]| cli(&data, args, None);
    let smtp = SimSmtp::start(SimSmtpConfig::default()).await?;
    let gateway = SimGateway::start(SimGatewayConfig::default()).await?;
    let (smtp_user, smtp_password) = SimSmtpConfig::default().credentials.context("the simulator has a login")?;

    run(&["policy", "set", "--time-zone", "UTC"])?;
    run(&["billing", "settings", "--company", "Fibra Sul", "--payment-instructions", "M-Pesa till 123456"])?;
    cli(&data, &["router", "add", "core-1", "--host", "127.0.0.1", "--user", "admin", "--password-stdin"], Some("pw"))?;
    run(&["plan", "add", "Home 20", "--rate", "5M/20M", "--price", "25.00"])?;
    // Due in 3 days (UTC): within the invoice run's lead time, and the day of the first reminder.
    let today = Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let due = today.checked_add(3.days())?.to_string();
    let ana = json(&run(&[
        "--json",
        "service",
        "add",
        "--customer",
        "Ana Lima",
        "--router",
        "core-1",
        "--plan",
        "Home 20",
        "--ip",
        "10.0.0.2",
        "--due",
        &due,
    ])?)?;
    run(&[
        "service",
        "add",
        "--customer",
        "Baraka Otieno",
        "--phone",
        "0712 345 678",
        "--router",
        "core-1",
        "--plan",
        "Home 20",
        "--ip",
        "10.0.0.3",
        "--due",
        &due,
    ])?;
    run(&["customer", "set", "Ana Lima", "--email", "ana@example.net", "--language", "pt"])?;

    let port = smtp.addr().port().to_string();
    let settings = cli(
        &data,
        &[
            "--json",
            "messages",
            "settings",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-tls",
            "none",
            "--smtp-user",
            &smtp_user,
            "--from",
            "Fibra Sul <billing@isp.test>",
            "--smtp-password-stdin",
            "--default-country",
            "KE",
            "--email-rate",
            "60000",
            "--sms-rate",
            "60000",
        ],
        Some(&smtp_password),
    )?;
    assert_eq!(json(&settings)?["email"]["port"], smtp.addr().port());
    let base = gateway.base_url();
    let sid = gateway.config().twilio_account_sid.clone();
    let token = gateway.config().twilio_auth_token.clone();
    let settings = json(&cli(
        &data,
        &[
            "--json",
            "messages",
            "settings",
            "--sms-provider",
            "twilio",
            "--sms-url",
            &base,
            "--sms-account",
            &sid,
            "--sms-from",
            "+15005550006",
            "--sms-token-stdin",
        ],
        Some(&token),
    )?)?;
    assert_eq!(settings["credentials"], serde_json::json!(["email", "sms"]), "both kept in the keyring");
    let shown = run(&["messages", "settings"])?;
    assert!(!shown.contains(&smtp_password) && !shown.contains(&token), "no secret printed: {shown}");

    // A template with a placeholder the event cannot fill is refused.
    let bad = sandbox.root.join("bad.txt");
    std::fs::write(&bad, "Hi {customer_name}, receipt {receipt_number}")?;
    let err =
        cli(&data, &["messages", "template", "set", "due-soon", "sms", "en", "--file", &bad.to_string_lossy()], None)
            .expect_err("refused");
    assert!(err.to_string().contains("receipt_number"), "{err}");

    run(&["invoice", "run"])?;
    let first = json(&run(&["--json", "messages", "run", "--once"])?)?;
    assert_eq!((first["due_soon"].as_u64(), first["sent"].as_u64()), (Some(2), Some(4)), "{first}");
    let mails = smtp.wait_for(2, Duration::from_secs(10)).await;
    let invoice = mails.iter().find(|m| m.attachments().len() == 1).context("the invoice e-mail")?;
    assert_eq!(invoice.to, ["ana@example.net"]);
    let number = format!("INV-{}-000001.pdf", today.year());
    assert_eq!(invoice.attachments()[0].filename.as_deref(), Some(number.as_str()));
    assert!(invoice.attachments()[0].bytes.starts_with(b"%PDF"));
    assert!(invoice.text().context("a text body")?.contains("Ana Lima"));
    let sms = gateway.messages();
    assert_eq!(sms.len(), 2);
    assert!(sms.iter().all(|m| m.to == "+254712345678"));

    let again = json(&run(&["--json", "messages", "run", "--once"])?)?;
    assert_eq!((again["due_soon"].as_u64(), again["sent"].as_u64()), (Some(0), Some(0)), "nothing twice");

    let service = ana["id"].as_i64().context("the service's id")?.to_string();
    run(&["payment", "add", &service, "--amount", "25.00", "--method", "mobile-money", "--reference", "QX1"])?;
    run(&["messages", "run", "--once"])?;
    let receipt = smtp.wait_for(3, Duration::from_secs(10)).await.remove(2);
    let attached = receipt.attachments();
    assert!(attached[0].filename.as_deref().is_some_and(|f| f.starts_with("RCT-")), "{:?}", attached[0].filename);

    let notice = sandbox.root.join("notice.txt");
    std::fs::write(
        &notice,
        "Subject: Works tonight\n\nHello {customer_name}, {isp_name} upgrades the network tonight.",
    )?;
    let notice = notice.to_string_lossy().into_owned();
    let dry = json(&run(&["--json", "messages", "blast", "--status", "active", "--template", &notice, "--dry-run"])?)?;
    assert_eq!((dry["customers"].as_u64(), dry["queued"].as_u64()), (Some(2), None), "{dry}");
    let blast = json(&run(&["--json", "messages", "blast", "--status", "active", "--template", &notice])?)?;
    assert_eq!(blast["queued"].as_u64(), Some(2));
    run(&["messages", "run", "--once"])?;
    let upgrade = smtp.wait_for(4, Duration::from_secs(10)).await.remove(3);
    assert_eq!(upgrade.subject().as_deref(), Some("Works tonight"));
    let last = gateway.messages().pop().context("the blast's SMS")?;
    assert_eq!(last.text.as_deref(), Some("Hello Baraka Otieno, Fibra Sul upgrades the network tonight."));

    let sent = json(&run(&["--json", "messages", "list", "--status", "sent"])?)?;
    assert_eq!(sent.as_array().map(Vec::len), Some(7), "2 invoices, 2 reminders, a receipt, 2 blast messages");
    let tested = json(&run(&["--json", "messages", "test", "sms", "--to", "0712 000 999"])?)?;
    assert!(tested["provider_id"].is_string());
    assert_eq!(gateway.messages().pop().map(|m| m.to), Some("+254712000999".to_owned()));
    Ok(())
}

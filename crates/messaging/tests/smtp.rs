//! `Mailer` against the simulated SMTP server over TCP on loopback.

use std::time::Duration;

use headend_core::messages::settings::SmtpSecurity;
use headend_messaging::{Attachment, Email, Mailer, SendError};
use headend_secrets::Secret;
use headend_simlab::{SimSmtp, SimSmtpConfig, SmtpStage};

const TIMEOUT: Duration = Duration::from_secs(5);
const FROM: &str = "Fibra Sul <billing@isp.test>";

async fn server() -> SimSmtp {
    SimSmtp::start(SimSmtpConfig::default()).await.expect("simulated SMTP server")
}

fn password() -> Secret {
    let (_, password) = SimSmtpConfig::default().credentials.expect("credentials");
    Secret::from(password)
}

fn mailer(sim: &SimSmtp) -> Mailer {
    Mailer::new(&sim.settings(FROM), Some(password()), TIMEOUT).expect("valid settings")
}

fn email(to: &str) -> Email {
    Email {
        to: to.to_owned(),
        to_name: Some("Ana Souza".to_owned()),
        subject: "Invoice INV-2024-0042".to_owned(),
        body: "Dear Ana,\n.\nYour invoice is attached.\n".to_owned(),
        attachments: Vec::new(),
    }
}

#[tokio::test]
async fn an_invoice_with_its_pdf_arrives() {
    let sim = server().await;
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
    let mut invoice = email("ana@example.com");
    invoice.attachments.push(Attachment {
        filename: "INV-2024-0042.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        bytes: pdf.clone(),
    });

    let accepted = mailer(&sim).send(&invoice).await.expect("accepted");

    let received = sim.wait_for(1, TIMEOUT).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.from, "billing@isp.test");
    assert_eq!(mail.to, ["ana@example.com"]);
    assert_eq!(mail.subject().as_deref(), Some("Invoice INV-2024-0042"));
    let text = mail.text().expect("a text body").replace("\r\n", "\n");
    assert_eq!(text.trim_end(), "Dear Ana,\n.\nYour invoice is attached.");
    let attachments = mail.attachments();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].filename.as_deref(), Some("INV-2024-0042.pdf"));
    assert_eq!(attachments[0].content_type, "application/pdf");
    assert_eq!(attachments[0].bytes, pdf);
    let id = accepted.provider_id.expect("the Message-ID");
    let raw = String::from_utf8_lossy(&mail.data);
    assert!(raw.contains(&format!("Message-ID: {id}")), "{raw}");
}

#[tokio::test]
async fn connections_are_pooled() {
    let sim = server().await;
    let mailer = mailer(&sim);
    for n in 0..20 {
        mailer.send(&email(&format!("customer{n}@example.com"))).await.expect("accepted");
    }
    assert_eq!(sim.accepted(), 20);
    // lettre parks a connection back in the pool from a spawned task, so
    // the second message may open a second one; after that they alternate.
    assert!(sim.connections() <= 2, "{} connections for 20 messages", sim.connections());
}

#[tokio::test]
async fn a_refused_login_is_transient_and_hides_the_password() {
    let sim = server().await;
    let mailer = Mailer::new(&sim.settings(FROM), Some(Secret::from("wrong-password".to_owned())), TIMEOUT)
        .expect("valid settings");
    let err = mailer.send(&email("ana@example.com")).await.expect_err("refused");
    assert!(!err.is_permanent(), "{err}");
    assert!(err.to_string().contains("refused the login: 535"), "{err}");
    assert!(!err.to_string().contains("wrong-password"));
    assert_eq!(sim.accepted(), 0);
    assert!(sim.failed_logins() >= 1);
}

#[tokio::test]
async fn an_unknown_mailbox_is_permanent() {
    let sim = server().await;
    sim.fail_next(1, SmtpStage::Rcpt, 550, "5.1.1 <nobody@example.com>: Recipient address rejected");
    let err = mailer(&sim).send(&email("nobody@example.com")).await.expect_err("refused");
    assert!(err.is_permanent(), "{err}");
    assert!(err.to_string().contains("550 5.1.1 <nobody@example.com>: Recipient address rejected"), "{err}");
}

#[tokio::test]
async fn a_refused_message_is_permanent() {
    let sim = server().await;
    sim.fail_next(1, SmtpStage::Data, 554, "5.7.1 Message rejected as spam");
    let err = mailer(&sim).send(&email("ana@example.com")).await.expect_err("refused");
    assert!(err.is_permanent(), "{err}");
}

#[tokio::test]
async fn greylisting_then_success() {
    let sim = server().await;
    let mailer = mailer(&sim);
    sim.fail_next(1, SmtpStage::Rcpt, 451, "4.7.1 Greylisted, try again later");
    let err = mailer.send(&email("ana@example.com")).await.expect_err("deferred");
    assert!(!err.is_permanent(), "{err}");
    assert!(err.to_string().contains("451"), "{err}");
    mailer.send(&email("ana@example.com")).await.expect("accepted on retry");
    assert_eq!(sim.accepted(), 1);
}

#[tokio::test]
async fn starttls_required_but_not_offered_is_transient() {
    let sim = server().await;
    let mut settings = sim.settings(FROM);
    settings.security = SmtpSecurity::StartTls;
    let mailer = Mailer::new(&settings, Some(password()), TIMEOUT).expect("valid settings");
    let err = mailer.send(&email("ana@example.com")).await.expect_err("no STARTTLS");
    assert!(!err.is_permanent(), "{err}");
    assert!(err.to_string().contains("STARTTLS is not supported"), "{err}");
    assert_eq!(sim.accepted(), 0);
}

#[tokio::test]
async fn unreachable_servers_are_transient() {
    let sim = server().await;
    sim.refuse_connections(true);
    let err = mailer(&sim).send(&email("ana@example.com")).await.expect_err("refused");
    assert!(matches!(err, SendError::Transient(_)), "{err}");

    // Nothing listening at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let mut settings = sim.settings(FROM);
    settings.port = closed;
    let nowhere = Mailer::new(&settings, Some(password()), TIMEOUT).expect("valid settings");
    let err = nowhere.send(&email("ana@example.com")).await.expect_err("nothing listens");
    assert!(err.to_string().starts_with("could not reach the mail server 127.0.0.1:"), "{err}");
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn a_server_without_login() {
    let sim = SimSmtp::start(SimSmtpConfig { credentials: None, ..SimSmtpConfig::default() })
        .await
        .expect("simulated SMTP server");
    let mailer = Mailer::new(&sim.settings(FROM), None, TIMEOUT).expect("valid settings");
    mailer.send(&email("ana@example.com")).await.expect("accepted");
    assert_eq!(sim.wait_for(1, TIMEOUT).await.len(), 1);
}

#[tokio::test]
async fn an_invalid_address_is_permanent_and_sends_nothing() {
    let sim = server().await;
    let err = mailer(&sim).send(&email("ana at example.com")).await.expect_err("invalid");
    assert!(err.is_permanent(), "{err}");
    assert_eq!(sim.connections(), 0);
}

//! [`Mailer`]: e-mail through the ISP's SMTP server, with lettre.
//!
//! Connections are pooled (up to [`POOL_SIZE`], kept a minute idle): a
//! month's invoices go over a few connections rather than one each.
//! lettre's timeout applies to each step (connect, each command, the
//! message); the whole send is not cut from outside, since a pooled
//! connection dropped mid-command could be handed to the next message.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use headend_core::messages::settings::{SmtpSecurity, SmtpSettings};
use headend_secrets::Secret;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tracing::debug;

use crate::http::humanize;
use crate::{Accepted, Email, SendError};

/// Connections kept open to the server at most. Enough for the outbox's
/// rate; mail servers often refuse more than ten from one client.
const POOL_SIZE: u32 = 8;

/// Sends e-mail through one SMTP server, reusing its connections.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `host:port`, for messages.
    server: String,
    security: SmtpSecurity,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    /// Without the transport: it holds the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("security", &self.security)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for the server in `settings`, logging in with its username
    /// and `password` when the settings have a username, each step under
    /// `timeout`. Fails (transient: the operator can fix it) on a sender
    /// that is not an address or a username without a password. Call it
    /// inside a tokio runtime: the pool's idle-connection sweeper runs on
    /// it.
    pub fn new(settings: &SmtpSettings, password: Option<Secret>, timeout: Duration) -> Result<Mailer, SendError> {
        let host = settings.host.trim();
        if host.is_empty() {
            return Err(SendError::Transient("the mail server's host name is not set".to_owned()));
        }
        let from: Mailbox = settings.from.trim().parse().map_err(|err| {
            SendError::Transient(format!("the sender {:?} is not an e-mail address: {err}", settings.from))
        })?;
        let server = format!("{host}:{}", settings.port);
        let tls_parameters = || {
            TlsParameters::new(host.to_owned())
                .map_err(|err| SendError::Transient(format!("cannot set up TLS for the mail server {server}: {err}")))
        };
        let tls = match settings.security {
            SmtpSecurity::StartTls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
            // Plain only: never STARTTLS, not even when offered.
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(POOL_SIZE).idle_timeout(Duration::from_secs(60)));
        if let Some(username) = settings.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            let password = password.ok_or_else(|| {
                SendError::Transient(format!("no password in the keyring for the mail server login {username:?}"))
            })?;
            builder = builder.credentials(Credentials::new(username.to_owned(), password.expose().to_owned()));
        }
        Ok(Mailer { transport: builder.build(), from, server, security: settings.security, timeout })
    }

    /// Send `email` from the settings' sender. The accepted message's id is
    /// its `Message-ID` header.
    pub async fn send(&self, email: &Email) -> Result<Accepted, SendError> {
        let message = build_message(&self.from, email)?;
        let message_id = message.headers().get_raw("Message-ID").map(str::to_owned);
        match self.transport.send(message).await {
            Ok(response) => {
                debug!(server = %self.server, code = %response.code(), "e-mail accepted");
                Ok(Accepted { provider_id: message_id })
            }
            Err(err) => Err(self.failure(&err, &email.to)),
        }
    }

    fn failure(&self, err: &lettre::transport::smtp::Error, to: &str) -> SendError {
        let detail = root_cause(err);
        if let Some(code) = err.status() {
            return classify_reply(u16::from(code), &detail, &self.server, to);
        }
        let server = &self.server;
        if err.is_timeout() {
            SendError::Transient(format!("the mail server {server} did not answer within {}", humanize(self.timeout)))
        } else if err.is_tls() {
            SendError::Transient(format!("TLS with the mail server {server} failed: {detail}"))
        } else if err.is_client() {
            // No common login method, STARTTLS missing, and the like: the
            // settings, not the message.
            SendError::Transient(format!(
                "the mail server {server} and Headend do not agree: {detail} (check the security and login settings)"
            ))
        } else {
            SendError::Transient(format!("could not reach the mail server {server}: {detail}"))
        }
    }
}

/// The innermost error's text: the server's reply or the socket's error.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = err;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}

/// What an SMTP error reply means. 5xx is final except a refused login
/// (530, 534, 535, 538) and a command the server does not know (502,
/// 504: STARTTLS or AUTH on a server without them), which the operator
/// fixes in the settings.
fn classify_reply(code: u16, text: &str, server: &str, to: &str) -> SendError {
    let to = format!(" to {to}");
    match code {
        530 | 534 | 535 | 538 => {
            SendError::Transient(format!("the mail server {server} refused the login: {code} {text}"))
        }
        502 | 504 => SendError::Transient(format!(
            "the mail server {server} does not support a command Headend sent ({code} {text}): check the security setting"
        )),
        400..=499 => SendError::Transient(format!("the mail server {server} deferred the message{to}: {code} {text}")),
        _ => SendError::Permanent(format!("the mail server {server} refused the message{to}: {code} {text}")),
    }
}

/// A `Message-ID` unique to this process and moment, at the sender's
/// domain (an `@localhost` id looks like spam).
fn message_id(from: &Mailbox) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("<{nanos:x}.{:x}.{n:x}@{}>", std::process::id(), from.email.domain())
}

/// The MIME message: the text alone, or the text and the attachments.
fn build_message(from: &Mailbox, email: &Email) -> Result<Message, SendError> {
    let address: Address = email
        .to
        .trim()
        .parse()
        .map_err(|_| SendError::Permanent(format!("{:?} is not an e-mail address", email.to)))?;
    let name = email.to_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(name, address))
        .subject(email.subject.as_str())
        .message_id(Some(message_id(from)));
    let text = SinglePart::plain(email.body.clone());
    let built = if email.attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for attachment in &email.attachments {
            let content_type = ContentType::parse(&attachment.content_type).map_err(|_| {
                SendError::Permanent(format!(
                    "the attachment {} has an invalid type {:?}",
                    attachment.filename, attachment.content_type
                ))
            })?;
            parts = parts.singlepart(
                MimeAttachment::new(attachment.filename.clone()).body(attachment.bytes.clone(), content_type),
            );
        }
        builder.multipart(parts)
    };
    built.map_err(|err| SendError::Permanent(format!("cannot write the e-mail to {}: {err}", email.to)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attachment;

    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

    fn email(attachments: Vec<Attachment>) -> Email {
        Email {
            to: "ana@example.com".into(),
            to_name: Some("Ana Souza".into()),
            subject: "Fatura INV-7 — março".into(),
            body: "Olá Ana,\nsegue a fatura.\n".into(),
            attachments,
        }
    }

    fn sender() -> Mailbox {
        "Fibra Sul <billing@fibrasul.example>".parse().expect("mailbox")
    }

    #[test]
    fn a_text_only_message() {
        let message = build_message(&sender(), &email(vec![])).expect("message");
        let raw = String::from_utf8(message.formatted()).expect("ASCII");
        assert!(raw.contains("From: \"Fibra Sul\" <billing@fibrasul.example>"), "{raw}");
        assert!(raw.contains("To: \"Ana Souza\" <ana@example.com>"), "{raw}");
        assert!(raw.contains("Subject: Fatura INV-7 =?utf-8?b?"), "non-ASCII words are encoded: {raw}");
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
        let id = message.headers().get_raw("Message-ID").expect("Message-ID");
        assert!(id.starts_with('<') && id.ends_with("@fibrasul.example>"), "{id}");
        assert_eq!(message.envelope().to().len(), 1);
    }

    #[test]
    fn attachments_make_a_mixed_message() {
        let pdf = Attachment {
            filename: "INV-7.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7".to_vec(),
        };
        let message = build_message(&sender(), &email(vec![pdf])).expect("message");
        let raw = String::from_utf8(message.formatted()).expect("ASCII");
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("Content-Disposition: attachment; filename=\"INV-7.pdf\""), "{raw}");
        assert!(raw.contains("Content-Type: application/pdf"), "{raw}");
    }

    #[test]
    fn bad_addresses_and_types_are_permanent() {
        let mut bad = email(vec![]);
        bad.to = "not an address".into();
        assert!(build_message(&sender(), &bad).is_err_and(|e| e.is_permanent()));
        let odd = Attachment { filename: "x".into(), content_type: "no type".into(), bytes: vec![] };
        assert!(build_message(&sender(), &email(vec![odd])).is_err_and(|e| e.is_permanent()));
    }

    #[test]
    fn ids_are_unique() {
        assert_ne!(message_id(&sender()), message_id(&sender()));
    }

    #[test]
    fn classifies_replies() {
        let server = "mail.example:587";
        assert_eq!(
            classify_reply(550, "5.1.1 mailbox unavailable", server, "ana@example.com"),
            SendError::Permanent(
                "the mail server mail.example:587 refused the message to ana@example.com: 550 5.1.1 mailbox unavailable"
                    .into()
            )
        );
        assert!(!classify_reply(451, "4.7.1 greylisted", server, "a@b.c").is_permanent());
        assert!(!classify_reply(421, "closing", server, "a@b.c").is_permanent());
        for login in [530, 534, 535, 538] {
            assert!(!classify_reply(login, "5.7.8 bad credentials", server, "a@b.c").is_permanent(), "{login}");
        }
        assert!(!classify_reply(502, "5.5.1 command not implemented", server, "a@b.c").is_permanent());
        assert!(classify_reply(552, "5.3.4 message too big", server, "a@b.c").is_permanent());
        assert!(classify_reply(554, "5.7.1 rejected", server, "a@b.c").is_permanent());
    }

    #[tokio::test]
    async fn refuses_incomplete_settings_and_hides_the_password() {
        let mut settings = SmtpSettings {
            host: "mail.example".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: Some("billing".into()),
            from: "billing@fibrasul.example".into(),
        };
        assert!(Mailer::new(&settings, None, TIMEOUT).is_err_and(|e| !e.is_permanent()));
        let mailer = Mailer::new(&settings, Some(Secret::from("hunter2".to_owned())), TIMEOUT).expect("valid settings");
        assert!(!format!("{mailer:?}").contains("hunter2"));
        settings.from = "billing".into();
        assert!(Mailer::new(&settings, Some(Secret::from("x".to_owned())), TIMEOUT).is_err());
    }
}

//! Sends one message through one provider: e-mail over SMTP ([`Mailer`]),
//! text messages through an SMS gateway ([`SmsGateway`]: Twilio, Africa's
//! Talking or a generic HTTP one) and WhatsApp templates through the
//! WhatsApp Business Cloud API ([`WhatsappClient`]).
//!
//! Each failure says whether trying again later can help
//! ([`SendError::Transient`]) or not ([`SendError::Permanent`]), in words an
//! ISP operator understands; the outbox's retry rule is `headend-core`'s.
//!
//! Each provider is a module with two pure halves and no IO: building the
//! request from the settings and the message, and classifying the answer.
//! `http.rs` does the IO for the HTTP providers (one pooled keep-alive
//! client per provider); lettre does it for SMTP.
//!
//! # Architecture invariants
//!
//! - Passwords, tokens and API keys never appear in an error or a log line,
//!   and the `Debug` of every type holding one hides it.
//! - Every request has a timeout.
//! - TLS is rustls with ring and the operating system's CA roots: no
//!   aws-lc, no OpenSSL.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod africastalking;
mod generic;
mod http;
mod sms;
mod smtp;
mod twilio;
mod whatsapp;

use std::fmt;

pub use sms::SmsGateway;
pub use smtp::Mailer;
pub use whatsapp::WhatsappClient;

/// A file sent with an e-mail (an invoice or receipt PDF).
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the customer sees, `INV-2024-0042.pdf`.
    pub filename: String,
    /// Its MIME type, `application/pdf`.
    pub content_type: String,
    /// The file itself.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Attachment {
    /// The size instead of the bytes: a PDF would fill the log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// One e-mail to one customer, in plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The address, `ana@example.com`.
    pub to: String,
    /// The customer's name, shown beside the address.
    pub to_name: Option<String>,
    /// The subject line, any language (encoded as MIME wants it).
    pub subject: String,
    /// The text, plain.
    pub body: String,
    /// Files sent with it, in order.
    pub attachments: Vec<Attachment>,
}

/// The provider took the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id of the message when it gives one (Twilio's `SM…`
    /// sid, Africa's Talking's `ATXid_…`, WhatsApp's `wamid.…`; for e-mail
    /// the `Message-ID` header), to find it in the provider's logs.
    pub provider_id: Option<String>,
}

/// Why a message was not sent, for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Trying again later can help: the provider could not be reached or
    /// timed out, was overloaded or rate limiting (5xx, 429, SMTP 4xx), or
    /// refused the credentials or the settings (401, 403, SMTP 535), which
    /// the operator can fix.
    #[error("{0}")]
    Transient(String),
    /// Never try again: the provider refused this message for a reason of
    /// its own (an invalid number or address, a recipient refused).
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    /// Whether retrying the same message can never help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

/// At most `max` characters of a provider's answer, on one line: enough to
/// say why, not a whole HTML error page.
pub(crate) fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).take(max).collect();
    if one_line.is_empty() { "(no answer text)".to_owned() } else { one_line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_short_and_on_one_line() {
        assert_eq!(snippet(b"  bad\r\nnumber ", 200), "bad  number");
        assert_eq!(snippet(&[b'x'; 500], 200).len(), 200);
        assert_eq!(snippet(b"", 200), "(no answer text)");
    }

    #[test]
    fn attachments_print_their_size_not_their_bytes() {
        let a = Attachment { filename: "a.pdf".into(), content_type: "application/pdf".into(), bytes: vec![0; 4096] };
        assert_eq!(
            format!("{a:?}"),
            r#"Attachment { filename: "a.pdf", content_type: "application/pdf", bytes: 4096 }"#
        );
    }

    #[test]
    fn permanence() {
        assert!(SendError::Permanent("x".into()).is_permanent());
        assert!(!SendError::Transient("x".into()).is_permanent());
    }
}

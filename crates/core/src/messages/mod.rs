//! Messages to customers: the channels they go by, the events that cause
//! them, the templates they are rendered from, and the ISP's settings for
//! the providers that carry them. Delivery (SMTP, HTTP gateways) is
//! `headend-messaging`'s; the outbox's retry rule is [`crate::queue`]'s.

pub mod defaults;
pub mod outbox;
pub mod phone;
pub mod quiet;
pub mod settings;
pub mod sms;
pub mod template;

use std::fmt;
use std::str::FromStr;

/// How a message reaches a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Email,
    Sms,
    Whatsapp,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Whatsapp];

    /// The word the database, the CLI and the console use.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
        }
    }

    /// Whether quiet hours hold this channel back: a phone buzzes at 3 a.m.,
    /// an e-mail waits in its inbox.
    pub fn respects_quiet_hours(self) -> bool {
        !matches!(self, Channel::Email)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel {0:?}: use email, sms or whatsapp")]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownChannel(s.to_owned()))
    }
}

/// What causes a message. Each has its templates and the placeholders it
/// can fill ([`MessageEvent::placeholders`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageEvent {
    /// An invoice was issued (its PDF attached to the e-mail).
    InvoiceIssued,
    /// A payment was recorded (the receipt PDF attached to the e-mail).
    PaymentReceived,
    /// An open invoice falls due in one of the reminder days.
    DueSoon,
    /// An invoice is past its due date and still open.
    Overdue,
    /// A service was cut off for not paying.
    Suspended,
    /// A suspended service was put back on.
    Reconnected,
    /// A service moved to another plan.
    PlanChanged,
    /// The operator's message to the customers a filter picks.
    Blast,
}

impl MessageEvent {
    pub const ALL: [MessageEvent; 8] = [
        MessageEvent::InvoiceIssued,
        MessageEvent::PaymentReceived,
        MessageEvent::DueSoon,
        MessageEvent::Overdue,
        MessageEvent::Suspended,
        MessageEvent::Reconnected,
        MessageEvent::PlanChanged,
        MessageEvent::Blast,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageEvent::InvoiceIssued => "invoice-issued",
            MessageEvent::PaymentReceived => "payment-received",
            MessageEvent::DueSoon => "due-soon",
            MessageEvent::Overdue => "overdue",
            MessageEvent::Suspended => "suspended",
            MessageEvent::Reconnected => "reconnected",
            MessageEvent::PlanChanged => "plan-changed",
            MessageEvent::Blast => "blast",
        }
    }

    /// The placeholders a template of this event may use: the ones every
    /// message can fill, and the event's own.
    pub fn placeholders(self) -> &'static [template::Placeholder] {
        use template::Placeholder::*;
        match self {
            MessageEvent::InvoiceIssued | MessageEvent::DueSoon | MessageEvent::Overdue => &[
                CustomerName,
                IspName,
                IspPhone,
                PaymentInstructions,
                Plan,
                Balance,
                InvoiceNumber,
                AmountDue,
                DueDate,
            ],
            MessageEvent::PaymentReceived => {
                &[CustomerName, IspName, IspPhone, PaymentInstructions, Plan, Balance, AmountPaid, ReceiptNumber]
            }
            MessageEvent::Suspended | MessageEvent::Reconnected | MessageEvent::PlanChanged | MessageEvent::Blast => {
                &[CustomerName, IspName, IspPhone, PaymentInstructions, Plan, Balance]
            }
        }
    }
}

impl fmt::Display for MessageEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown event {0:?}: use invoice-issued, payment-received, due-soon, overdue, suspended, reconnected, plan-changed or blast"
)]
pub struct UnknownEvent(pub String);

impl FromStr for MessageEvent {
    type Err = UnknownEvent;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageEvent::ALL.into_iter().find(|e| e.as_str() == s).ok_or_else(|| UnknownEvent(s.to_owned()))
    }
}

/// A language a customer reads, as a lowercase ISO 639-1 code (`en`,
/// `sw`), optionally with a region (`pt-br`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(String);

impl Language {
    /// The languages Headend has default templates in.
    pub const BUILT_IN: [&'static str; 6] = ["en", "es", "pt", "fr", "id", "sw"];

    pub fn english() -> Self {
        Language("en".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The language without its region (`pt` of `pt-br`): the fallback
    /// when a region has no templates of its own.
    pub fn base(&self) -> Language {
        Language(self.0.split('-').next().unwrap_or(&self.0).to_owned())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid language {0:?}: use a two-letter code such as en, es, pt, fr, id or sw (a region may follow: pt-br)")]
pub struct InvalidLanguage(pub String);

impl FromStr for Language {
    type Err = InvalidLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = lower.split('-');
        let base_ok =
            parts.next().is_some_and(|b| (2..=3).contains(&b.len()) && b.bytes().all(|c| c.is_ascii_lowercase()));
        let region_ok = match parts.next() {
            None => true,
            Some(r) => (2..=3).contains(&r.len()) && r.bytes().all(|c| c.is_ascii_alphanumeric()),
        };
        if base_ok && region_ok && parts.next().is_none() {
            Ok(Language(lower))
        } else {
            Err(InvalidLanguage(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
        }
        for e in MessageEvent::ALL {
            assert_eq!(e.as_str().parse::<MessageEvent>(), Ok(e));
        }
        assert!("fax".parse::<Channel>().is_err());
    }

    #[test]
    fn languages_are_lowercase_codes() {
        assert_eq!("EN".parse::<Language>().map(|l| l.to_string()), Ok("en".to_owned()));
        assert_eq!("pt_BR".parse::<Language>().map(|l| l.base().to_string()), Ok("pt".to_owned()));
        for bad in ["", "e", "english", "en-", "1n", "en-br-x"] {
            assert!(bad.parse::<Language>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_phones_keep_quiet_hours() {
        assert!(!Channel::Email.respects_quiet_hours());
        assert!(Channel::Sms.respects_quiet_hours());
        assert!(Channel::Whatsapp.respects_quiet_hours());
    }
}

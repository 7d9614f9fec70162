//! The outbox's words: where a message stands, what it carries, the event
//! keys that keep one event from being queued twice for a customer and
//! channel, and which channel a customer is written on.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use super::Channel;
use crate::{InvoiceId, PaymentId, ServiceId};

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Waiting for its first attempt, or for the next one after a failure
    /// that may pass (its `attempts` tell which).
    Queued,
    /// A sender holds it (its lease) and is handing it to the provider.
    Sending,
    /// The provider accepted it.
    Sent,
    /// Refused for good, out of attempts, or never sendable (no address):
    /// waits for the operator's retry.
    Failed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 4] =
        [MessageStatus::Queued, MessageStatus::Sending, MessageStatus::Sent, MessageStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown message status {0:?}: use queued, sending, sent or failed")]
pub struct UnknownMessageStatus(pub String);

impl FromStr for MessageStatus {
    type Err = UnknownMessageStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageStatus::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| UnknownMessageStatus(s.to_owned()))
    }
}

/// The document an e-mail carries, by its number, made when it is sent
/// (so a queued message is a row, not a PDF).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attachment {
    Invoice(String),
    Receipt(String),
}

impl fmt::Display for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attachment::Invoice(number) => write!(f, "invoice:{number}"),
            Attachment::Receipt(number) => write!(f, "receipt:{number}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown attachment {0:?}")]
pub struct UnknownAttachment(pub String);

impl FromStr for Attachment {
    type Err = UnknownAttachment;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || UnknownAttachment(s.to_owned());
        match s.split_once(':') {
            Some(("invoice", number)) if !number.is_empty() => Ok(Attachment::Invoice(number.to_owned())),
            Some(("receipt", number)) if !number.is_empty() => Ok(Attachment::Receipt(number.to_owned())),
            _ => Err(err()),
        }
    }
}

/// What makes one event's message to one customer unique: a second run,
/// a second process or a retried workflow that queues the same key again
/// queues nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventKey(String);

impl EventKey {
    pub fn invoice_issued(invoice: InvoiceId) -> Self {
        EventKey(format!("invoice:{}", invoice.0))
    }

    pub fn payment_received(payment: PaymentId) -> Self {
        EventKey(format!("payment:{}", payment.0))
    }

    /// The reminder `days` before the invoice's due date.
    pub fn due_soon(invoice: InvoiceId, days: u16) -> Self {
        EventKey(format!("due:{}:{days}", invoice.0))
    }

    pub fn overdue(invoice: InvoiceId) -> Self {
        EventKey(format!("overdue:{}", invoice.0))
    }

    /// A service cut off when its grace ended after `paid_through`: once
    /// per cut-off.
    pub fn suspended(service: ServiceId, paid_through: Date) -> Self {
        EventKey(format!("suspended:{}:{paid_through}", service.0))
    }

    /// The reconnection of the cut-off that ended after `paid_through`.
    pub fn reconnected(service: ServiceId, paid_through: Date) -> Self {
        EventKey(format!("reconnected:{}:{paid_through}", service.0))
    }

    /// A plan change, told apart by when it was made (Unix milliseconds).
    pub fn plan_changed(service: ServiceId, change: i64) -> Self {
        EventKey(format!("plan:{}:{change}", service.0))
    }

    pub fn blast(blast: i64) -> Self {
        EventKey(format!("blast:{blast}"))
    }

    /// A key read back from the database.
    pub fn from_stored(text: String) -> Self {
        EventKey(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a customer can be written to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reach {
    pub has_email: bool,
    pub has_phone: bool,
    pub preferred: Option<Channel>,
    pub opted_out: Vec<Channel>,
}

/// Why no channel reaches a customer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreachable {
    #[error("the customer opted out of {0}")]
    OptedOut(Channel),
    #[error("the customer has no {}", if *.0 == Channel::Email { "e-mail address" } else { "phone number" })]
    NoAddress(Channel),
    #[error("{0} is not set up: add its provider in Messages → Settings")]
    NotConfigured(Channel),
    #[error("no channel: the customer has no e-mail address or phone number, or opted out of all")]
    Nothing,
}

/// The channel a message to a customer goes by. Their preferred channel
/// when they have one: a message that cannot go by it says why rather than
/// going another way the customer did not choose. Without one, the first
/// of e-mail, SMS and WhatsApp that is set up, has an address and is not
/// opted out of.
pub fn choose_channel(reach: &Reach, configured: impl Fn(Channel) -> bool) -> Result<Channel, Unreachable> {
    let address = |c: Channel| if c == Channel::Email { reach.has_email } else { reach.has_phone };
    if let Some(c) = reach.preferred {
        return if reach.opted_out.contains(&c) {
            Err(Unreachable::OptedOut(c))
        } else if !address(c) {
            Err(Unreachable::NoAddress(c))
        } else if !configured(c) {
            Err(Unreachable::NotConfigured(c))
        } else {
            Ok(c)
        };
    }
    Channel::ALL
        .into_iter()
        .find(|&c| !reach.opted_out.contains(&c) && address(c) && configured(c))
        .ok_or(Unreachable::Nothing)
}

/// Which reminder an invoice due in `days_until` days gets, of the
/// reminder days (largest first): the smallest day at or above it, so a
/// run that missed a day still reminds, and the 1-day reminder is not
/// sent 3 days early. `None` once it is past due or further off than the
/// first reminder.
pub fn reminder_day(days_until: i64, days: &[u16]) -> Option<u16> {
    if days_until < 0 {
        return None;
    }
    days.iter().copied().filter(|&d| i64::from(d) >= days_until).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for s in MessageStatus::ALL {
            assert_eq!(s.as_str().parse::<MessageStatus>(), Ok(s));
        }
        for a in [Attachment::Invoice("INV-2026-000012".into()), Attachment::Receipt("RCT-2026-000007".into())] {
            assert_eq!(a.to_string().parse::<Attachment>(), Ok(a));
        }
        for bad in ["invoice", "invoice:", "photo:1"] {
            assert!(bad.parse::<Attachment>().is_err(), "{bad}");
        }
    }

    #[test]
    fn preferred_channel_or_the_first_that_works() {
        let all = |_| true;
        let both = Reach { has_email: true, has_phone: true, ..Reach::default() };
        assert_eq!(choose_channel(&both, all), Ok(Channel::Email));
        let phone_only = Reach { has_phone: true, ..Reach::default() };
        assert_eq!(choose_channel(&phone_only, all), Ok(Channel::Sms));
        let no_email_out = Reach { opted_out: vec![Channel::Email], ..both.clone() };
        assert_eq!(choose_channel(&no_email_out, all), Ok(Channel::Sms));
        assert_eq!(choose_channel(&both, |c| c == Channel::Whatsapp), Ok(Channel::Whatsapp));
        assert_eq!(choose_channel(&Reach::default(), all), Err(Unreachable::Nothing));

        let wants_whatsapp = Reach { preferred: Some(Channel::Whatsapp), ..both.clone() };
        assert_eq!(choose_channel(&wants_whatsapp, all), Ok(Channel::Whatsapp));
        assert_eq!(
            choose_channel(&wants_whatsapp, |c| c != Channel::Whatsapp),
            Err(Unreachable::NotConfigured(Channel::Whatsapp))
        );
        let wants_email = Reach { preferred: Some(Channel::Email), ..phone_only.clone() };
        assert_eq!(choose_channel(&wants_email, all), Err(Unreachable::NoAddress(Channel::Email)));
        let opted = Reach { preferred: Some(Channel::Sms), opted_out: vec![Channel::Sms], ..both };
        assert_eq!(choose_channel(&opted, all), Err(Unreachable::OptedOut(Channel::Sms)));
    }

    #[test]
    fn reminders_catch_up_but_never_come_early() {
        let days = [3, 1];
        let cases = [(5, None), (4, None), (3, Some(3)), (2, Some(3)), (1, Some(1)), (0, Some(1)), (-1, None)];
        for (until, expected) in cases {
            assert_eq!(reminder_day(until, &days), expected, "{until}");
        }
        assert_eq!(reminder_day(0, &[]), None);
    }

    #[test]
    fn event_keys_tell_events_apart() {
        let day = jiff::civil::date(2026, 12, 5);
        let keys = [
            EventKey::invoice_issued(InvoiceId(1)),
            EventKey::payment_received(PaymentId(1)),
            EventKey::due_soon(InvoiceId(1), 3),
            EventKey::due_soon(InvoiceId(1), 1),
            EventKey::overdue(InvoiceId(1)),
            EventKey::suspended(ServiceId(1), day),
            EventKey::reconnected(ServiceId(1), day),
            EventKey::plan_changed(ServiceId(1), 9),
            EventKey::blast(1),
        ];
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        assert_eq!(keys[5].as_str(), "suspended:1:2026-12-05");
    }
}

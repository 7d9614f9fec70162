//! Messages to customers: e-mail, SMS and WhatsApp, from a durable outbox.
//!
//! Events queue their messages in their own transactions (an invoice run,
//! a payment, a plan change: `events`; the calendar's reminders:
//! `reminders`); the sender (`sender`) delivers them through
//! `headend-messaging`'s providers. The shells set the providers, the
//! templates and each customer's preferences here, list and retry the
//! outbox, and send blasts.

mod blast;
pub(crate) mod compose;
mod contacts;
mod events;
mod outbox;
mod reminders;
mod sender;
mod settings;
mod templates;

pub use blast::{BlastInput, BlastPreview, BlastSent};
pub use contacts::ContactInput;
pub use reminders::{CATCH_UP_DAYS, ReminderRun};
pub use sender::{FailedMessage, LEASE, MAX_ATTEMPTS, SendRun, Stop};
pub use settings::ProviderCredentials;
pub use templates::{TemplatePreview, TemplateView};

//! Messages to customers: the ISP's settings for them (`isp_settings`
//! under `messages.`), the templates, how each customer is written to, the
//! outbox (`outbox`, one row a message) and blasts.

mod contacts;
mod outbox;
mod reminders;
mod settings;
mod templates;

pub use contacts::{BlastFilter, Contact, ContactPrefs};
pub use outbox::{MessageQuery, NewMessage, OutboxMessage};
pub use reminders::{DueInvoice, LateService};

//! The Messages area: the outbox and its retries, the templates and their
//! preview, blasts, the providers' settings with a test message, and a
//! customer's contact preferences and history.

pub mod blast;
pub mod contacts;
pub mod outbox;
pub mod settings;
pub mod templates;

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::CustomerId;
use headend_core::messages::{Channel, Language, MessageEvent};
use headend_ipc::ErrorDto;
use headend_ipc::messages::MessageRow;
use headend_store::{OutboxMessage, Store};

use super::{Answer, db, instant};

pub fn channel(field: &str, text: &str) -> Answer<Channel> {
    Channel::from_str(text.trim()).map_err(|e| ErrorDto::field(field, super::sentence(&e.to_string())))
}

pub fn message_event(field: &str, text: &str) -> Answer<MessageEvent> {
    MessageEvent::from_str(text.trim()).map_err(|e| ErrorDto::field(field, super::sentence(&e.to_string())))
}

pub fn language(field: &str, text: &str) -> Answer<Language> {
    Language::from_str(text).map_err(|e| ErrorDto::field(field, super::sentence(&e.to_string())))
}

/// Each customer's first service, whose page shows the customer.
pub async fn customer_pages(store: &Store) -> Answer<HashMap<CustomerId, i64>> {
    let mut pages = HashMap::new();
    for service in store.all_services().await.map_err(db)? {
        pages.entry(service.customer).or_insert(service.id.0);
    }
    Ok(pages)
}

pub fn message_row(m: &OutboxMessage, pages: &HashMap<CustomerId, i64>) -> MessageRow {
    MessageRow {
        id: m.id.0,
        customer_id: m.customer.0,
        customer_name: m.customer_name.clone(),
        service_id: pages.get(&m.customer).copied(),
        event: m.event.as_str().to_owned(),
        channel: m.channel.as_str().to_owned(),
        recipient: m.recipient.clone().unwrap_or_default(),
        language: m.language.as_str().to_owned(),
        subject: m.subject.clone().unwrap_or_default(),
        body: m.body.clone(),
        whatsapp_name: m.whatsapp_name.clone().unwrap_or_default(),
        attachment: m.attachment.as_ref().map(ToString::to_string).unwrap_or_default(),
        status: m.status.as_str().to_owned(),
        attempts: m.attempts,
        last_error: m.last_error.clone().unwrap_or_default(),
        created_at: instant(m.created_at),
        sent_at: m.sent_at.map(instant).unwrap_or_default(),
        next_attempt_at: instant(m.next_attempt_at),
    }
}

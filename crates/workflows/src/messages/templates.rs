//! Templates: the text each event sends on each channel in each language,
//! the operator's or Headend's default, checked when saved and previewed
//! on a real customer.

use std::collections::HashMap;

use headend_core::CustomerId;
use headend_core::activity::{Actor, Subject};
use headend_core::billing::ledger::EntryKind;
use headend_core::messages::outbox::EventKey;
use headend_core::messages::sms::{self, SmsLength};
use headend_core::messages::template::{MessageTemplate, Placeholder};
use headend_core::messages::{Channel, Language, MessageEvent};
use rust_decimal::Decimal;

use super::compose::{Addressed, Composer};
use crate::{WorkflowError, Workflows};

/// A template as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateView {
    pub event: MessageEvent,
    pub channel: Channel,
    pub language: Language,
    /// In the editor's format (`Subject:` / `Template:` header for e-mail
    /// and WhatsApp).
    pub text: String,
    /// The operator's own, or Headend's default.
    pub custom: bool,
    /// The placeholders this event fills.
    pub placeholders: Vec<Placeholder>,
}

/// A template rendered for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePreview {
    pub customer_name: String,
    pub subject: Option<String>,
    pub body: String,
    pub whatsapp_name: Option<String>,
    pub parameters: Vec<String>,
    /// The SMS's encoding, length and segments (every channel's body is
    /// measured; it matters for SMS).
    pub length: SmsLength,
}

fn parse(channel: Channel, event: MessageEvent, text: &str) -> Result<MessageTemplate, WorkflowError> {
    MessageTemplate::parse(channel, event, text).map_err(|e| WorkflowError::invalid("template", e.to_string()))
}

impl Workflows {
    /// The template of `event` on `channel` in `language`: the operator's,
    /// else the text a customer reading `language` is sent now (see
    /// `Composer::template_text`: Headend's default in it, its base
    /// language, the ISP's, or English).
    pub async fn message_template(
        &self,
        event: MessageEvent,
        channel: Channel,
        language: &Language,
    ) -> Result<TemplateView, WorkflowError> {
        let composer = Composer::load(&self.store).await?;
        let own = composer.overrides.get(&(event, channel, language.clone()));
        let text =
            own.map(String::as_str).or_else(|| composer.template_text(event, channel, language)).unwrap_or_default();
        Ok(TemplateView {
            event,
            channel,
            language: language.clone(),
            text: text.to_owned(),
            custom: own.is_some(),
            placeholders: event.placeholders().to_vec(),
        })
    }

    /// Saves the operator's template, once it parses: an unknown
    /// placeholder or one the event cannot fill is an error, never a blank
    /// in a customer's message.
    pub async fn set_message_template(
        &self,
        actor: &Actor,
        event: MessageEvent,
        channel: Channel,
        language: &Language,
        text: &str,
    ) -> Result<TemplateView, WorkflowError> {
        if event == MessageEvent::Blast {
            return Err(WorkflowError::invalid("event", "a blast's text is written when it is sent"));
        }
        parse(channel, event, text)?;
        self.store.set_message_template(event, channel, language, Some(text)).await?;
        self.log(actor, Subject::Policy, "message template", format!("{event} {channel} {language} saved")).await;
        self.message_template(event, channel, language).await
    }

    /// Goes back to Headend's default text.
    pub async fn reset_message_template(
        &self,
        actor: &Actor,
        event: MessageEvent,
        channel: Channel,
        language: &Language,
    ) -> Result<TemplateView, WorkflowError> {
        self.store.set_message_template(event, channel, language, None).await?;
        self.log(actor, Subject::Policy, "message template", format!("{event} {channel} {language} reset")).await;
        self.message_template(event, channel, language).await
    }

    /// `text` rendered for `customer`, with their latest invoice and
    /// payment where the event speaks of one (examples where they have
    /// none): what the editor shows while typing.
    pub async fn preview_message_template(
        &self,
        event: MessageEvent,
        channel: Channel,
        text: &str,
        customer: CustomerId,
    ) -> Result<TemplatePreview, WorkflowError> {
        let template = parse(channel, event, text)?;
        let composer = Composer::load(&self.store).await?;
        let contact = self.store.contacts(&[customer]).await?.into_iter().next().ok_or_else(|| {
            WorkflowError::NotFound(format!("no customer with id {customer}; `headend customer list` shows them"))
        })?;
        let values = self.example_values(&composer, customer).await?;
        let to = Addressed { contact: &contact, recipient: Ok(String::new()), language: composer.language(&contact) };
        let message = composer.render(&template, event, EventKey::blast(0), to, values, None);
        Ok(TemplatePreview {
            customer_name: contact.name.clone(),
            length: sms::length(&message.body),
            subject: message.subject,
            body: message.body,
            whatsapp_name: message.whatsapp_name,
            parameters: message.parameters,
        })
    }

    /// The customer's latest invoice (its number and amount) and payment
    /// as placeholder values; examples where they have none, and today as
    /// the due date.
    async fn example_values(
        &self,
        composer: &Composer,
        customer: CustomerId,
    ) -> Result<HashMap<Placeholder, String>, WorkflowError> {
        let currency = &composer.billing().currency;
        let statement = self.store.statement(customer, currency).await?;
        let (_, today) = self.today().await?;
        let latest = |kind: EntryKind| statement.entries.iter().rev().find(|e| e.kind == kind);
        let example = composer.money(Decimal::new(2500, 2));
        let invoice = latest(EntryKind::Invoice);
        let payment = latest(EntryKind::Payment);
        Ok(HashMap::from([
            (Placeholder::InvoiceNumber, invoice.map_or_else(|| "INV-2026-000123".to_owned(), |e| e.number.clone())),
            (Placeholder::AmountDue, invoice.map_or_else(|| example.clone(), |e| composer.money(e.debit))),
            (Placeholder::DueDate, today.to_string()),
            (Placeholder::ReceiptNumber, payment.map_or_else(|| "RCT-2026-000045".to_owned(), |e| e.number.clone())),
            (Placeholder::AmountPaid, payment.map_or(example, |e| composer.money(e.credit))),
        ]))
    }
}

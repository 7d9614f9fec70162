//! Making a customer's message: the channel that reaches them, their
//! address on it, the template in their language, and its placeholders
//! filled. Every event's message is made here, inside the transaction of
//! the event (the caller's `Write`), so it is queued with it or not at all.

use std::collections::HashMap;

use headend_core::billing::settings::BillingSettings;
use headend_core::messages::outbox::{Attachment, EventKey, Reach, choose_channel};
use headend_core::messages::settings::MessageSettings;
use headend_core::messages::template::{MessageTemplate, Placeholder, Values};
use headend_core::messages::{Channel, Language, MessageEvent, defaults, phone};
use headend_store::{Contact, NewMessage, Store};
use rust_decimal::Decimal;

use crate::WorkflowError;

/// A customer with their address on the channel a message goes by.
pub(crate) struct Addressed<'a> {
    pub(crate) contact: &'a Contact,
    /// The address, or why theirs cannot be used.
    pub(crate) recipient: Result<String, String>,
    pub(crate) language: Language,
}

/// What making messages needs, read once for a whole run.
pub(crate) struct Composer {
    pub(crate) settings: MessageSettings,
    billing: BillingSettings,
    /// The operator's templates, by event, channel and language.
    pub(crate) overrides: HashMap<(MessageEvent, Channel, Language), String>,
}

impl Composer {
    pub(crate) async fn load(store: &Store) -> Result<Self, WorkflowError> {
        let overrides = store.message_templates().await?.into_iter().map(|(e, c, l, text)| ((e, c, l), text)).collect();
        Ok(Self { settings: store.message_settings().await?, billing: store.billing_settings().await?, overrides })
    }

    pub(crate) fn billing(&self) -> &BillingSettings {
        &self.billing
    }

    /// An amount as a message writes it: `KES 1500.00`.
    pub(crate) fn money(&self, amount: Decimal) -> String {
        format!("{} {}", self.billing.currency.code(), self.billing.currency.format(amount))
    }

    /// The text of `event`'s template on `channel` for a customer who reads
    /// `language`: the operator's, else Headend's; in the language, its
    /// base (`pt` for `pt-br`), the ISP's default language, then English.
    /// A stored text that no longer parses is passed over.
    pub(crate) fn template_text(&self, event: MessageEvent, channel: Channel, language: &Language) -> Option<&str> {
        let mut languages = vec![language.clone(), language.base(), self.settings.default_language.clone()];
        languages.push(Language::english());
        languages.dedup();
        languages.iter().find_map(|l| {
            let own = self.overrides.get(&(event, channel, l.clone())).map(String::as_str);
            own.into_iter()
                .chain(defaults::template(event, channel, l.as_str()))
                .find(|text| MessageTemplate::parse(channel, event, text).is_ok())
        })
    }

    /// The template [`Composer::template_text`] picks, parsed.
    pub(crate) fn template(
        &self,
        event: MessageEvent,
        channel: Channel,
        language: &Language,
    ) -> Option<MessageTemplate> {
        self.template_text(event, channel, language).and_then(|text| MessageTemplate::parse(channel, event, text).ok())
    }

    /// The values every message can fill.
    pub(crate) fn common_values(&self, contact: &Contact) -> Values {
        let balance = Decimal::new(contact.balance_minor, self.billing.currency.minor_digits());
        HashMap::from([
            (Placeholder::CustomerName, contact.name.clone()),
            (Placeholder::IspName, self.billing.company.clone()),
            (Placeholder::IspPhone, self.settings.isp_phone.clone()),
            (Placeholder::PaymentInstructions, self.billing.payment_instructions.clone()),
            (Placeholder::Plan, contact.plans.join(", ")),
            (Placeholder::Balance, self.money(balance)),
        ])
    }

    /// The channel that reaches `contact` and their address on it (or why
    /// that address cannot be used); `None` when no channel reaches them
    /// (no address, opted out, nothing set up), which is not an error: they
    /// are not written to.
    pub(crate) fn route(&self, contact: &Contact) -> Option<(Channel, Result<String, String>)> {
        let reach = Reach {
            has_email: contact.email.is_some(),
            has_phone: contact.phone.is_some(),
            preferred: contact.prefs.preferred,
            opted_out: contact.prefs.opted_out.clone(),
        };
        let channel = match choose_channel(&reach, |c| self.settings.configured(c)) {
            Ok(c) => c,
            Err(why) => {
                tracing::debug!(customer = %contact.customer, "not written to: {why}");
                return None;
            }
        };
        Some((channel, self.address(contact, channel)))
    }

    /// `contact`'s address on `channel`: their e-mail, or their phone in
    /// E.164 (a number that cannot be a phone says so).
    pub(crate) fn address(&self, contact: &Contact, channel: Channel) -> Result<String, String> {
        match channel {
            Channel::Email => contact.email.clone().ok_or_else(|| "the customer has no e-mail address".to_owned()),
            Channel::Sms | Channel::Whatsapp => {
                let raw = contact.phone.as_deref().ok_or_else(|| "the customer has no phone number".to_owned())?;
                phone::normalize(raw, self.settings.default_country)
                    .map(|n| n.to_string())
                    .map_err(|e| format!("{e}: correct it on the customer, then retry"))
            }
        }
    }

    /// The language `contact` is written in.
    pub(crate) fn language(&self, contact: &Contact) -> Language {
        contact.prefs.language.clone().unwrap_or_else(|| self.settings.default_language.clone())
    }

    /// `event`'s message to `contact`, with `values` besides the common
    /// ones; `None` when no channel reaches them or no template exists.
    pub(crate) fn compose(
        &self,
        event: MessageEvent,
        key: EventKey,
        contact: &Contact,
        values: Values,
        attachment: Option<Attachment>,
    ) -> Option<NewMessage> {
        let (channel, recipient) = self.route(contact)?;
        let language = self.language(contact);
        let Some(template) = self.template(event, channel, &language) else {
            tracing::warn!(%event, %channel, %language, "no template: the message is not queued");
            return None;
        };
        let to = Addressed { contact, recipient, language };
        Some(self.render(&template, event, key, to, values, attachment))
    }

    /// `template` made into the message to `to`.
    pub(crate) fn render(
        &self,
        template: &MessageTemplate,
        event: MessageEvent,
        key: EventKey,
        to: Addressed<'_>,
        values: Values,
        attachment: Option<Attachment>,
    ) -> NewMessage {
        let mut all = self.common_values(to.contact);
        all.extend(values);
        let rendered = template.render(&all);
        NewMessage {
            event,
            key,
            customer: to.contact.customer,
            channel: template.channel,
            recipient: to.recipient,
            language: to.language,
            subject: rendered.subject,
            body: rendered.body,
            whatsapp_name: rendered.whatsapp_name,
            parameters: rendered.parameters,
            attachment: attachment.filter(|_| template.channel == Channel::Email),
        }
    }
}

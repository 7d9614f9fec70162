//! The Messages area's shapes: the outbox, the templates and their
//! preview, blasts, the providers' settings with a test message, and a
//! customer's contact preferences and message history.
//!
//! Words are the ones the CLI and the database use: channels "email",
//! "sms", "whatsapp"; statuses "queued", "sending", "sent", "failed";
//! events "invoice-issued", "payment-received"…; languages `en`, `pt-br`.
//! Instants are RFC 3339 in UTC, empty when there is none. Passwords and
//! tokens only go from the UI to the app: a form's empty secret keeps the
//! stored one, and no answer carries one.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::redacted;

/// Command names of the Messages area.
pub mod command {
    /// Takes [`super::OutboxQueryDto`]; answers [`super::OutboxPage`].
    pub const LIST_MESSAGES: &str = "list_messages";
    /// Args `{ id }` (a message): queued again, due now; answers its
    /// [`super::MessageRow`].
    pub const RETRY_MESSAGE: &str = "retry_message";
    /// Answers [`super::MessageOptions`]: what the Messages pickers offer.
    pub const MESSAGE_OPTIONS: &str = "message_options";
    /// Answers [`super::MessageSettingsView`].
    pub const GET_MESSAGE_SETTINGS: &str = "get_message_settings";
    /// Takes [`super::MessageSettingsForm`]; answers [`super::MessageSettingsView`].
    pub const SAVE_MESSAGE_SETTINGS: &str = "save_message_settings";
    /// Takes [`super::TestMessageForm`]; answers [`super::TestMessageSent`].
    pub const SEND_TEST_MESSAGE: &str = "send_test_message";
    /// Takes [`super::TemplateKey`]; answers [`super::TemplateDto`].
    pub const GET_MESSAGE_TEMPLATE: &str = "get_message_template";
    /// Takes [`super::TemplateForm`]; answers [`super::TemplateDto`].
    pub const SAVE_MESSAGE_TEMPLATE: &str = "save_message_template";
    /// Takes [`super::TemplateKey`]; answers Headend's default [`super::TemplateDto`].
    pub const RESET_MESSAGE_TEMPLATE: &str = "reset_message_template";
    /// Takes [`super::TemplatePreviewForm`]; answers [`super::TemplatePreviewDto`].
    pub const PREVIEW_MESSAGE_TEMPLATE: &str = "preview_message_template";
    /// Takes [`super::BlastFilterDto`]; answers [`super::BlastPreviewDto`].
    pub const PREVIEW_BLAST: &str = "preview_blast";
    /// Takes [`super::BlastForm`]; answers [`super::BlastSentDto`].
    pub const SEND_BLAST: &str = "send_blast";
    /// Args `{ id }` (a customer); answers [`super::ContactDto`].
    pub const GET_CUSTOMER_CONTACT: &str = "get_customer_contact";
    /// Takes [`super::ContactForm`]; answers [`super::ContactDto`].
    pub const SAVE_CUSTOMER_CONTACT: &str = "save_customer_contact";
    /// Args `{ id }` (a customer); answers their [`super::MessageRow`]s, newest first.
    pub const CUSTOMER_MESSAGES: &str = "customer_messages";
}

/// Event names of the Messages area.
pub mod event {
    /// Payload: [`MessageCounts`](super::MessageCounts): a sending pass sent
    /// or failed messages; Messages pages reload.
    pub const MESSAGES_CHANGED: &str = "messages-changed";
}

/// Which messages the outbox shows, newest first; empty filters nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OutboxQueryDto {
    /// "queued", "sending", "sent" or "failed".
    pub status: String,
    pub customer_id: Option<i64>,
}

/// How many messages stand in each status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MessageCounts {
    pub queued: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
}

/// One message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    /// A service of the customer, whose page shows them.
    pub service_id: Option<i64>,
    pub event: String,
    pub channel: String,
    /// The address or number; empty when the customer had none.
    pub recipient: String,
    pub language: String,
    /// An e-mail's subject, or empty.
    pub subject: String,
    pub body: String,
    /// The WhatsApp template's name, or empty.
    pub whatsapp_name: String,
    /// The document an e-mail carries (`receipt:RCT-2026-000045`), or empty.
    pub attachment: String,
    pub status: String,
    pub attempts: u32,
    /// The provider's (or Headend's) reason of the last failure, or empty.
    pub last_error: String,
    pub created_at: String,
    pub sent_at: String,
    /// When the next attempt is due (queued messages).
    pub next_attempt_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub rows: Vec<MessageRow>,
    pub counts: MessageCounts,
    /// More rows match than the page shows.
    pub more: bool,
}

/// Something a picker offers: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// An OLT and its PON ports (`0/1/0`), for an outage blast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OltChoice {
    pub id: i64,
    pub name: String,
    pub ports: Vec<String>,
}

/// What the Messages pickers offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MessageOptions {
    /// The events that have templates (a blast's text is written when sent).
    pub events: Vec<String>,
    pub channels: Vec<String>,
    /// The languages Headend has default templates in.
    pub languages: Vec<String>,
    /// The placeholders a blast's text may use, without braces.
    pub blast_placeholders: Vec<String>,
    /// Customers to preview a template on, by name.
    pub customers: Vec<Choice>,
    pub routers: Vec<Choice>,
    pub pops: Vec<Choice>,
    pub plans: Vec<Choice>,
    pub olts: Vec<OltChoice>,
}

/// The message settings form. A channel is off while its key field is
/// empty (`smtp_host`, `sms_provider`, `whatsapp_phone_number_id`). An
/// empty password or token keeps the stored one; `Debug` hides them.
/// Error fields (`ErrorDto::field`) are the settings' names as the CLI's
/// flags spell them: "smtp-host", "smtp-port", "smtp-tls", "from",
/// "sms-provider", "sms-base-url", "sms-account", "sms-from", "sms-url",
/// "sms-method", "sms-headers", "sms-body", "sms-template",
/// "whatsapp-base-url", "whatsapp-api-version", "whatsapp-phone-number-id",
/// "quiet-hours", "reminder-days", "default-country", "default-language",
/// "email-rate", "sms-rate", "whatsapp-rate".
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MessageSettingsForm {
    pub smtp_host: String,
    /// Empty: the security's usual port.
    pub smtp_port: String,
    /// "starttls", "tls" or "none".
    pub smtp_tls: String,
    pub smtp_user: String,
    pub smtp_password: String,
    /// The sender: `billing@isp.example` or `Fibra Sul <billing@isp.example>`.
    pub from: String,
    /// "", "twilio", "africastalking" or "generic".
    pub sms_provider: String,
    /// Twilio's or Africa's Talking's API address; empty: theirs.
    pub sms_base_url: String,
    /// Twilio's account SID or the Africa's Talking username.
    pub sms_account: String,
    /// The number or sender id SMS come from.
    pub sms_from: String,
    /// A generic gateway's address, with `{to}`, `{text}`, `{secret}`.
    pub sms_url: String,
    /// "GET" or "POST".
    pub sms_method: String,
    /// `Name: value` lines.
    pub sms_headers: String,
    /// "form" or "json".
    pub sms_body: String,
    pub sms_template: String,
    /// Twilio's auth token, Africa's Talking's API key or a generic
    /// gateway's `{secret}`.
    pub sms_token: String,
    pub whatsapp_base_url: String,
    pub whatsapp_api_version: String,
    pub whatsapp_phone_number_id: String,
    pub whatsapp_token: String,
    /// `21:00-08:00`, or empty for none.
    pub quiet_hours: String,
    /// `3,1`.
    pub reminder_days: String,
    /// ISO 3166 code: `KE`.
    pub default_country: String,
    pub default_language: String,
    pub isp_phone: String,
    /// Messages a minute at most.
    pub email_rate: String,
    pub sms_rate: String,
    pub whatsapp_rate: String,
}

impl fmt::Debug for MessageSettingsForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageSettingsForm")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_user", &self.smtp_user)
            .field("smtp_password", &redacted(&self.smtp_password))
            .field("from", &self.from)
            .field("sms_provider", &self.sms_provider)
            .field("sms_base_url", &self.sms_base_url)
            .field("sms_account", &self.sms_account)
            .field("sms_from", &self.sms_from)
            .field("sms_url", &self.sms_url)
            .field("sms_method", &self.sms_method)
            .field("sms_headers", &self.sms_headers)
            .field("sms_body", &self.sms_body)
            .field("sms_template", &self.sms_template)
            .field("sms_token", &redacted(&self.sms_token))
            .field("whatsapp_base_url", &self.whatsapp_base_url)
            .field("whatsapp_api_version", &self.whatsapp_api_version)
            .field("whatsapp_phone_number_id", &self.whatsapp_phone_number_id)
            .field("whatsapp_token", &redacted(&self.whatsapp_token))
            .field("quiet_hours", &self.quiet_hours)
            .field("reminder_days", &self.reminder_days)
            .field("default_country", &self.default_country)
            .field("default_language", &self.default_language)
            .field("isp_phone", &self.isp_phone)
            .field("email_rate", &self.email_rate)
            .field("sms_rate", &self.sms_rate)
            .field("whatsapp_rate", &self.whatsapp_rate)
            .finish()
    }
}

/// The settings as stored: the form with its secrets empty, and which
/// channels have one in the keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSettingsView {
    pub form: MessageSettingsForm,
    /// Channels with a password or token kept.
    pub credentials: Vec<String>,
}

/// A test message on one channel, through the saved settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TestMessageForm {
    pub channel: String,
    /// An e-mail address or a phone number.
    pub to: String,
}

/// The provider took the test message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestMessageSent {
    /// The provider's id of it, or empty.
    pub provider_id: String,
}

/// One template: of an event, on a channel, in a language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TemplateKey {
    pub event: String,
    pub channel: String,
    pub language: String,
}

/// A template as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDto {
    pub key: TemplateKey,
    /// With its `Subject:` or `Template:` line for e-mail and WhatsApp.
    pub text: String,
    /// The operator's own; false: Headend's default.
    pub custom: bool,
    /// The placeholders the event fills, without braces: `customer_name`.
    pub placeholders: Vec<String>,
}

/// A template saved. Errors are about "template" (the text: an unknown
/// placeholder, a missing subject line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TemplateForm {
    pub key: TemplateKey,
    pub text: String,
}

/// A template's text rendered for a customer, as the editor types it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TemplatePreviewForm {
    pub event: String,
    pub channel: String,
    pub text: String,
    pub customer_id: i64,
}

/// What the customer would receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatePreviewDto {
    pub customer_name: String,
    /// Empty but for e-mail.
    pub subject: String,
    pub body: String,
    /// Empty but for WhatsApp.
    pub whatsapp_name: String,
    /// WhatsApp's `{{1}}`, `{{2}}`… in order.
    pub parameters: Vec<String>,
    /// "GSM-7" or "UCS-2".
    pub encoding: String,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub characters: u64,
    /// How many SMS it is sent (and billed) as.
    pub segments: u64,
}

/// Who a blast is for: customers with a service matching every criterion
/// given. `port` (`0/1/0`) needs `olt_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BlastFilterDto {
    pub router_id: Option<i64>,
    pub pop_id: Option<i64>,
    pub plan_id: Option<i64>,
    /// A service status, or empty for any.
    pub status: String,
    pub olt_id: Option<i64>,
    pub port: String,
}

/// How many customers of one channel a blast reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelCount {
    pub channel: String,
    pub count: u64,
}

/// Who a blast would reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BlastPreviewDto {
    pub customers: u64,
    pub by_channel: Vec<ChannelCount>,
    /// Picked but reached by no channel (no address, opted out).
    pub unreachable: u64,
}

/// A blast. Error fields: "body", "subject", "whatsapp_name", "channel"
/// (nothing set up), "port".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BlastForm {
    pub filter: BlastFilterDto,
    /// Empty: "A message from {isp_name}".
    pub subject: String,
    pub body: String,
    /// The approved WhatsApp template carrying it; empty: not sent on WhatsApp.
    pub whatsapp_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlastSentDto {
    pub id: i64,
    pub queued: u64,
}

/// How a customer is written to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContactDto {
    pub customer_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// A channel, or empty: the first that reaches them.
    pub preferred: String,
    /// A language, or empty: the ISP's.
    pub language: String,
    pub opted_out: Vec<String>,
}

/// The customer page's contact form. Error fields: "email", "phone",
/// "preferred", "language", "opted_out".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContactForm {
    pub customer_id: i64,
    pub email: String,
    pub phone: String,
    pub preferred: String,
    pub language: String,
    /// Channels the customer does not want messages on.
    pub opted_out: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_print_no_secret() {
        let form = MessageSettingsForm {
            smtp_host: "mail.isp.test".into(),
            smtp_password: "smtp-pw".into(),
            sms_token: "sms-tok".into(),
            whatsapp_token: "wa-tok".into(),
            ..MessageSettingsForm::default()
        };
        let printed = format!("{form:?}");
        for secret in ["smtp-pw", "sms-tok", "wa-tok"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("mail.isp.test") && printed.contains(r#"smtp_password: "***""#), "{printed}");
    }
}

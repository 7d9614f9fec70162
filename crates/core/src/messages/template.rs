//! Message templates: text with `{placeholder}`s, checked when saved.
//! CONTRACT (the helper fills the bodies; signatures are fixed).

use std::collections::HashMap;

use super::{Channel, MessageEvent};

/// A value a template can put in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placeholder {
    CustomerName,
    IspName,
    IspPhone,
    PaymentInstructions,
    /// The customer's plan (their plans, joined with ", ").
    Plan,
    /// What the customer owes in all, with the currency.
    Balance,
    InvoiceNumber,
    /// What is left to pay on the invoice, with the currency.
    AmountDue,
    DueDate,
    AmountPaid,
    ReceiptNumber,
}

impl Placeholder {
    pub const ALL: [Placeholder; 11] = [
        Placeholder::CustomerName,
        Placeholder::IspName,
        Placeholder::IspPhone,
        Placeholder::PaymentInstructions,
        Placeholder::Plan,
        Placeholder::Balance,
        Placeholder::InvoiceNumber,
        Placeholder::AmountDue,
        Placeholder::DueDate,
        Placeholder::AmountPaid,
        Placeholder::ReceiptNumber,
    ];

    /// The name written between braces: `customer_name`.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::CustomerName => "customer_name",
            Placeholder::IspName => "isp_name",
            Placeholder::IspPhone => "isp_phone",
            Placeholder::PaymentInstructions => "payment_instructions",
            Placeholder::Plan => "plan",
            Placeholder::Balance => "balance",
            Placeholder::InvoiceNumber => "invoice_number",
            Placeholder::AmountDue => "amount_due",
            Placeholder::DueDate => "due_date",
            Placeholder::AmountPaid => "amount_paid",
            Placeholder::ReceiptNumber => "receipt_number",
        }
    }
}

/// The values of one message's placeholders.
pub type Values = HashMap<Placeholder, String>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("todo")]
    Todo,
}

/// One piece of text with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
}

impl Template {
    pub fn parse(_text: &str, _event: MessageEvent) -> Result<Template, TemplateError> {
        todo!()
    }
    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn render(&self, _values: &Values) -> String {
        todo!()
    }
}

/// A template of one event, channel and language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTemplate {
    pub channel: Channel,
    /// E-mail only.
    pub subject: Option<Template>,
    pub body: Template,
    /// WhatsApp only: the approved template's name.
    pub whatsapp_name: Option<String>,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: Option<String>,
    pub body: String,
    pub whatsapp_name: Option<String>,
    pub parameters: Vec<String>,
}

impl MessageTemplate {
    pub fn parse(_channel: Channel, _event: MessageEvent, _text: &str) -> Result<MessageTemplate, TemplateError> {
        todo!()
    }
    pub fn to_text(&self) -> String {
        todo!()
    }
    pub fn render(&self, _values: &Values) -> Rendered {
        todo!()
    }
}

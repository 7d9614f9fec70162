//! Message templates: text with `{placeholder}`s, checked when saved so a
//! customer never gets a message with a hole or a stray brace in it.
//!
//! A template is literal text and `{name}`s from [`Placeholder::name`];
//! `{{` and `}}` write a brace itself. It is parsed for one event, which
//! decides the placeholders it may use ([`MessageEvent::placeholders`]).
//!
//! One event's template for one channel ([`MessageTemplate`]) is written
//! as a small text file, the same in the editor, on disk and in the
//! defaults:
//!
//! - e-mail: `Subject: …` on line 1, line 2 empty, the body from line 3;
//! - WhatsApp: `Template: name` on line 1 (the name of the template Meta
//!   approved), line 2 empty, the body from line 3. The body is the
//!   approved text with placeholders where it has `{{1}}`, `{{2}}`…: the
//!   n-th placeholder in the body, counting repeats, is the n-th parameter;
//! - SMS: the whole text is the body.

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

    /// The placeholder written `{name}`, exactly (lowercase, no spaces).
    pub fn from_name(name: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The values of one message's placeholders.
pub type Values = HashMap<Placeholder, String>;

/// The longest template, in characters: far past any message, short enough
/// that a pasted file by mistake is refused.
pub const MAX_CHARS: usize = 10_000;

/// The longest WhatsApp template name Meta accepts.
pub const MAX_WHATSAPP_NAME: usize = 512;

/// Why a template was refused, in words for the operator who wrote it.
/// Lines count from 1 in the whole text the operator edits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the message is empty: write the text to send")]
    Empty,
    #[error("the text is {chars} characters long: keep it to {MAX_CHARS}")]
    TooLong { chars: usize },
    #[error("unknown placeholder {{{}}} at line {line}: use one of {}", clip(.name), braced(.event.placeholders()))]
    UnknownPlaceholder { name: String, line: usize, event: MessageEvent },
    #[error(
        "{{{}}} at line {line} has no value in {event} messages: they can use {}",
        .placeholder.name(),
        braced(.event.placeholders())
    )]
    NotForEvent { placeholder: Placeholder, line: usize, event: MessageEvent },
    #[error(
        "{{{{{}}}}} at line {line} has double braces, which print the braces themselves: write one pair around a placeholder, such as {{customer_name}}",
        clip(.name)
    )]
    DoubleBraces { name: String, line: usize },
    #[error(
        "a {{ at line {line} is not closed: end the placeholder with }} on the same line, or write {{{{ to show a brace"
    )]
    Unclosed { line: usize },
    #[error("a }} at line {line} closes nothing: write }}}} to show a brace")]
    StrayClose { line: usize },
    #[error("an e-mail template starts with its subject: write \"Subject: …\" on the first line")]
    MissingSubject,
    #[error("the subject is empty: write it after \"Subject:\" on the first line")]
    EmptySubject,
    #[error(
        "a WhatsApp template starts with the name Meta approved it under: write \"Template: name\" on the first line"
    )]
    MissingWhatsappName,
    #[error(
        "{:?} is not a WhatsApp template name: use lowercase letters, digits and _ (at most {MAX_WHATSAPP_NAME}), as approved by Meta",
        clip(.name)
    )]
    InvalidWhatsappName { name: String },
    #[error("leave line 2 empty: line 1 is the \"{header}:\" line and the message starts on line 3")]
    MissingBlankLine { header: &'static str },
    #[error("an SMS has no \"{header}:\" line: the whole text is the message")]
    HeaderInSms { header: &'static str },
}

/// At most 40 characters of what the operator wrote, for a message that
/// stays readable when they pasted a page between braces.
fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// `{customer_name}, {isp_name}, …`
fn braced(placeholders: &[Placeholder]) -> String {
    placeholders.iter().map(|p| format!("{{{}}}", p.name())).collect::<Vec<_>>().join(", ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(Placeholder),
}

/// One piece of text with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl Template {
    /// `text` as a template of `event`: refused if it is empty, longer than
    /// [`MAX_CHARS`], has a brace out of place, or a placeholder that is
    /// unknown or that `event` cannot fill.
    pub fn parse(text: &str, event: MessageEvent) -> Result<Template, TemplateError> {
        Template::parse_from(text, event, 1)
    }

    /// As [`Template::parse`], with `text` starting on line `first_line` of
    /// the operator's text.
    fn parse_from(text: &str, event: MessageEvent, first_line: usize) -> Result<Template, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        let chars = text.chars().count();
        if chars > MAX_CHARS {
            return Err(TemplateError::TooLong { chars });
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut line = first_line;
        let mut rest = text;
        while let Some(at) = rest.find(['{', '}', '\n']) {
            let (before, from) = rest.split_at(at);
            literal.push_str(before);
            let mut chars = from.chars();
            let found = chars.next();
            let after = chars.as_str();
            rest = match (found, after.strip_prefix('{'), after.strip_prefix('}')) {
                (Some('\n'), _, _) => {
                    line += 1;
                    literal.push('\n');
                    after
                }
                (Some('{'), Some(after), _) => {
                    check_double_braces(after, line)?;
                    literal.push('{');
                    after
                }
                (Some('{'), None, _) => {
                    let (placeholder, after) = placeholder_at(after, event, line)?;
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Value(placeholder));
                    after
                }
                (Some('}'), _, Some(after)) => {
                    literal.push('}');
                    after
                }
                _ => return Err(TemplateError::StrayClose { line }),
            };
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { source: text.to_owned(), parts })
    }

    /// The text as the operator wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The text with each placeholder's value put in. A placeholder missing
    /// from `values` comes out empty: callers fill every placeholder of the
    /// event, so a missing one is a value the ISP has not set (no payment
    /// instructions), better left out than refused.
    pub fn render(&self, values: &Values) -> String {
        self.fill(|p| values.get(&p).map_or("", String::as_str))
    }

    /// Every placeholder in the text in order of appearance, repeats
    /// included (so, in a WhatsApp body, the n-th is parameter n).
    pub fn placeholders(&self) -> Vec<Placeholder> {
        self.parts
            .iter()
            .filter_map(|part| match part {
                Part::Value(p) => Some(*p),
                Part::Text(_) => None,
            })
            .collect()
    }

    /// The text with `{{1}}`, `{{2}}`… for its placeholders: a WhatsApp
    /// body as it is submitted to Meta for approval.
    pub fn numbered(&self) -> String {
        let numbers: Vec<String> = (1..=self.placeholders().len()).map(|n| format!("{{{{{n}}}}}")).collect();
        let mut next = numbers.iter();
        self.fill(|_| next.next().map_or("", String::as_str))
    }

    fn fill<'v>(&self, mut value: impl FnMut(Placeholder) -> &'v str) -> String {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value(p) => out.push_str(value(*p)),
            }
        }
        out
    }
}

/// The placeholder whose name starts `after` (the text after its `{`), and
/// the text after its `}`.
fn placeholder_at(after: &str, event: MessageEvent, line: usize) -> Result<(Placeholder, &str), TemplateError> {
    let (name, close) = after.split_at(after.find(['{', '}', '\n']).unwrap_or(after.len()));
    let rest = close.strip_prefix('}').ok_or(TemplateError::Unclosed { line })?;
    let placeholder = Placeholder::from_name(name).ok_or_else(|| TemplateError::UnknownPlaceholder {
        name: name.to_owned(),
        line,
        event,
    })?;
    if !event.placeholders().contains(&placeholder) {
        return Err(TemplateError::NotForEvent { placeholder, line, event });
    }
    Ok((placeholder, rest))
}

/// Refuses `{{name}}` and `{{1}}` (`after` follows the `{{`): a placeholder
/// written the way WhatsApp or other tools write them would go to the
/// customer as `{customer_name}`.
fn check_double_braces(after: &str, line: usize) -> Result<(), TemplateError> {
    let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
    let (inside, close) = after.split_at(end);
    let numbered = !inside.is_empty() && inside.bytes().all(|b| b.is_ascii_digit());
    if close.starts_with("}}") && (numbered || Placeholder::from_name(inside).is_some()) {
        return Err(TemplateError::DoubleBraces { name: inside.to_owned(), line });
    }
    Ok(())
}

/// What a WhatsApp parameter with no value (an ISP phone never set) says.
pub const EMPTY_PARAMETER: &str = "-";

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
    /// E-mail only, on one line (line breaks in values become spaces).
    pub subject: Option<String>,
    /// What the customer reads (for WhatsApp, with the parameters below).
    pub body: String,
    pub whatsapp_name: Option<String>,
    /// WhatsApp only: the body parameters `{{1}}`, `{{2}}`… of the Cloud
    /// API, each value on one line with single spaces (the API refuses line
    /// breaks, tabs and runs of spaces in a parameter). Empty otherwise.
    pub parameters: Vec<String>,
}

const SUBJECT: &str = "Subject";
const WHATSAPP_NAME: &str = "Template";

impl MessageTemplate {
    /// The template file of `channel` (see the module's docs). Windows and
    /// old Mac line ends are read as plain ones, and the body's trailing
    /// blank space is dropped (a file's last newline is not part of the
    /// message).
    pub fn parse(channel: Channel, event: MessageEvent, text: &str) -> Result<MessageTemplate, TemplateError> {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let (first, rest) = match text.split_once('\n') {
            Some((first, rest)) => (first, Some(rest)),
            None => (text.as_str(), None),
        };
        match channel {
            Channel::Sms => {
                if let Some(header) = [SUBJECT, WHATSAPP_NAME].into_iter().find(|h| header(first, h).is_some()) {
                    return Err(TemplateError::HeaderInSms { header });
                }
                let body = Template::parse_from(text.trim_end(), event, 1)?;
                Ok(MessageTemplate { channel, subject: None, body, whatsapp_name: None })
            }
            Channel::Email => {
                let subject = header(first, SUBJECT).ok_or(TemplateError::MissingSubject)?;
                if subject.is_empty() {
                    return Err(TemplateError::EmptySubject);
                }
                let subject = Template::parse_from(subject, event, 1)?;
                let body = Template::parse_from(body_after_header(rest, SUBJECT)?, event, 3)?;
                Ok(MessageTemplate { channel, subject: Some(subject), body, whatsapp_name: None })
            }
            Channel::Whatsapp => {
                let name = header(first, WHATSAPP_NAME).ok_or(TemplateError::MissingWhatsappName)?;
                if name.is_empty() {
                    return Err(TemplateError::MissingWhatsappName);
                }
                let valid = name.len() <= MAX_WHATSAPP_NAME
                    && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !valid {
                    return Err(TemplateError::InvalidWhatsappName { name: name.to_owned() });
                }
                let body = Template::parse_from(body_after_header(rest, WHATSAPP_NAME)?, event, 3)?;
                Ok(MessageTemplate { channel, subject: None, body, whatsapp_name: Some(name.to_owned()) })
            }
        }
    }

    /// The template file, as [`MessageTemplate::parse`] reads it.
    pub fn to_text(&self) -> String {
        let body = self.body.source();
        match self.channel {
            Channel::Email => format!("{SUBJECT}: {}\n\n{body}", self.subject.as_ref().map_or("", Template::source)),
            Channel::Whatsapp => format!("{WHATSAPP_NAME}: {}\n\n{body}", self.whatsapp_name.as_deref().unwrap_or("")),
            Channel::Sms => body.to_owned(),
        }
    }

    /// The message with `values` put in (a missing value comes out empty,
    /// as in [`Template::render`], except in a WhatsApp parameter: the
    /// Cloud API refuses an empty one, so it is [`EMPTY_PARAMETER`]).
    pub fn render(&self, values: &Values) -> Rendered {
        let subject = self.subject.as_ref().map(|s| s.render(values).replace(['\r', '\n'], " "));
        let (body, parameters) = if self.channel == Channel::Whatsapp {
            let parameters: Vec<String> = self
                .body
                .placeholders()
                .iter()
                .map(|p| {
                    let value =
                        values.get(p).map_or("", String::as_str).split_whitespace().collect::<Vec<_>>().join(" ");
                    if value.is_empty() { EMPTY_PARAMETER.to_owned() } else { value }
                })
                .collect();
            let mut next = parameters.iter();
            (self.body.fill(|_| next.next().map_or("", String::as_str)), parameters)
        } else {
            (self.body.render(values), Vec::new())
        };
        Rendered { subject, body, whatsapp_name: self.whatsapp_name.clone(), parameters }
    }
}

/// The value of `line`'s `name:` header (the name in any case), trimmed.
fn header<'t>(line: &'t str, name: &str) -> Option<&'t str> {
    let (key, value) = line.split_once(':')?;
    key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
}

/// The body after a header line: `rest` is the text after line 1, whose
/// line 2 must be empty.
fn body_after_header<'t>(rest: Option<&'t str>, header: &'static str) -> Result<&'t str, TemplateError> {
    let rest = rest.unwrap_or("");
    let (blank, body) = rest.split_once('\n').unwrap_or((rest, ""));
    if !blank.trim().is_empty() {
        return Err(TemplateError::MissingBlankLine { header });
    }
    Ok(body.trim_end())
}

#[cfg(test)]
mod tests {
    use super::MessageEvent::*;
    use super::Placeholder::*;
    use super::*;

    fn values() -> Values {
        [
            (CustomerName, "Jane Wanjiru"),
            (IspName, "Fibra Sul"),
            (InvoiceNumber, "INV-0042"),
            (AmountDue, "KES 2,500.00"),
            (DueDate, "2026-03-15"),
            (PaymentInstructions, "Paybill 123456,\n  account  4567"),
        ]
        .into_iter()
        .map(|(p, v)| (p, v.to_owned()))
        .collect()
    }

    #[test]
    fn names_round_trip() {
        for p in Placeholder::ALL {
            assert_eq!(Placeholder::from_name(p.name()), Some(p));
        }
        for bad in ["", "Customer_Name", " plan", "plan "] {
            assert_eq!(Placeholder::from_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn renders_values_and_braces() {
        let cases = [
            ("Hi {customer_name}", "Hi Jane Wanjiru"),
            ("{customer_name}{isp_name}", "Jane WanjiruFibra Sul"),
            ("{invoice_number}: {amount_due}, {invoice_number}", "INV-0042: KES 2,500.00, INV-0042"),
            ("{{literal}} and {{ }}", "{literal} and { }"),
            ("{{{customer_name}}}", "{Jane Wanjiru}"),
            ("Balance {balance}.", "Balance ."),
            ("line\n{due_date}\r\n", "line\n2026-03-15\r\n"),
            ("Olá, ¿qué tal? 😀", "Olá, ¿qué tal? 😀"),
        ];
        for (text, expected) in cases {
            let template = Template::parse(text, InvoiceIssued).expect(text);
            assert_eq!(template.source(), text);
            assert_eq!(template.render(&values()), expected, "{text:?}");
        }
    }

    #[test]
    fn placeholders_in_order_with_repeats() {
        let t = Template::parse("{due_date} {customer_name} {{x}} {due_date}", DueSoon).expect("valid");
        assert_eq!(t.placeholders(), vec![DueDate, CustomerName, DueDate]);
        assert_eq!(t.numbered(), "{{1}} {{2}} {x} {{3}}");
        assert!(Template::parse("no values", Blast).expect("valid").placeholders().is_empty());
    }

    #[test]
    fn refusals() {
        use TemplateError as E;
        let long = "a".repeat(MAX_CHARS + 1);
        let accented = "é".repeat(MAX_CHARS);
        let cases = [
            ("", Suspended, E::Empty),
            (" \n\t", Suspended, E::Empty),
            (long.as_str(), Suspended, E::TooLong { chars: MAX_CHARS + 1 }),
            (
                "Hi\n{custmer_name}",
                Suspended,
                E::UnknownPlaceholder { name: "custmer_name".into(), line: 2, event: Suspended },
            ),
            ("{}", Suspended, E::UnknownPlaceholder { name: String::new(), line: 1, event: Suspended }),
            ("{ plan }", Suspended, E::UnknownPlaceholder { name: " plan ".into(), line: 1, event: Suspended }),
            ("{invoice_number}", Suspended, E::NotForEvent { placeholder: InvoiceNumber, line: 1, event: Suspended }),
            ("\n\n{amount_paid}", Overdue, E::NotForEvent { placeholder: AmountPaid, line: 3, event: Overdue }),
            ("{{customer_name}}", Suspended, E::DoubleBraces { name: "customer_name".into(), line: 1 }),
            ("x\n{{1}}", Suspended, E::DoubleBraces { name: "1".into(), line: 2 }),
            ("Hi {customer_name", Suspended, E::Unclosed { line: 1 }),
            ("Hi {customer_name\n}", Suspended, E::Unclosed { line: 1 }),
            ("{plan {balance}", Suspended, E::Unclosed { line: 1 }),
            ("{", Suspended, E::Unclosed { line: 1 }),
            ("a\nb\nc }", Suspended, E::StrayClose { line: 3 }),
            ("}}}", Suspended, E::StrayClose { line: 1 }),
        ];
        for (text, event, error) in cases {
            assert_eq!(Template::parse(text, event), Err(error), "{text:?}");
        }
        assert!(Template::parse(&accented, Suspended).is_ok());
    }

    #[test]
    fn messages_name_the_placeholder_line_and_choices() {
        let cases = [
            (
                Template::parse("Hi\n{custmer_name}", Reconnected),
                "unknown placeholder {custmer_name} at line 2: use one of {customer_name}, {isp_name}, {isp_phone}, {payment_instructions}, {plan}, {balance}",
            ),
            (
                Template::parse("{invoice_number}", Suspended),
                "{invoice_number} at line 1 has no value in suspended messages: they can use {customer_name}, {isp_name}, {isp_phone}, {payment_instructions}, {plan}, {balance}",
            ),
            (
                Template::parse("{{customer_name}}", Suspended),
                "{{customer_name}} at line 1 has double braces, which print the braces themselves: write one pair around a placeholder, such as {customer_name}",
            ),
            (
                Template::parse("Hi {customer_name", Suspended),
                "a { at line 1 is not closed: end the placeholder with } on the same line, or write {{ to show a brace",
            ),
            (Template::parse("}", Suspended), "a } at line 1 closes nothing: write }} to show a brace"),
        ];
        for (result, message) in cases {
            assert_eq!(result.map_err(|e| e.to_string()), Err(message.to_owned()));
        }
        let long_name = format!("{{{}}}", "x".repeat(500));
        let err = Template::parse(&long_name, Blast).expect_err("unknown").to_string();
        assert!(err.starts_with(&format!("unknown placeholder {{{}…}} at line 1", "x".repeat(40))), "{err}");
    }

    #[test]
    fn files_of_each_channel() {
        use Channel::*;
        let cases = [
            (
                Email,
                "Subject: Invoice {invoice_number}\n\nHi {customer_name}\n",
                Some("Invoice INV-0042"),
                "Hi Jane Wanjiru",
                None,
            ),
            (Email, "subject:Due {due_date}\r\n\r\n\r\nPay\r\n", Some("Due 2026-03-15"), "\nPay", None),
            (Email, "SUBJECT :  {{x}}  \n \nBody", Some("{x}"), "Body", None),
            (
                Whatsapp,
                "Template: invoice_issued\n\nHi {customer_name}, pay {amount_due}.",
                None,
                "Hi Jane Wanjiru, pay KES 2,500.00.",
                Some("invoice_issued"),
            ),
            (
                Whatsapp,
                "template:  v2_due_3\n\n{payment_instructions}!",
                None,
                "Paybill 123456, account 4567!",
                Some("v2_due_3"),
            ),
            (Sms, "{isp_name}: pay {amount_due}\n\n", None, "Fibra Sul: pay KES 2,500.00", None),
            (Sms, "Ratio: 3:1", None, "Ratio: 3:1", None),
        ];
        for (channel, text, subject, body, name) in cases {
            let t = MessageTemplate::parse(channel, InvoiceIssued, text).expect(text);
            let r = t.render(&values());
            assert_eq!(r.subject.as_deref(), subject, "{text:?}");
            assert_eq!(r.body, body, "{text:?}");
            assert_eq!(r.whatsapp_name.as_deref(), name, "{text:?}");
            assert_eq!(MessageTemplate::parse(channel, InvoiceIssued, &t.to_text()), Ok(t), "{text:?}");
        }
    }

    #[test]
    fn file_refusals() {
        use Channel::*;
        use TemplateError as E;
        let long_name = format!("Template: {}\n\nHi", "a".repeat(MAX_WHATSAPP_NAME + 1));
        let cases = [
            (Email, "Hi {customer_name}", E::MissingSubject),
            (Email, "Template: x\n\nHi", E::MissingSubject),
            (Email, "Subject:\n\nHi", E::EmptySubject),
            (Email, "Subject: Hi\nBody", E::MissingBlankLine { header: "Subject" }),
            (Email, "Subject: Hi", E::Empty),
            (Email, "Subject: Hi\n\n \n", E::Empty),
            (Email, "Subject: {due}\n\nHi", E::UnknownPlaceholder { name: "due".into(), line: 1, event: Overdue }),
            (
                Email,
                "Subject: Hi\n\nA\n{receipt_number}",
                E::NotForEvent { placeholder: ReceiptNumber, line: 4, event: Overdue },
            ),
            (Whatsapp, "Hi", E::MissingWhatsappName),
            (Whatsapp, "Subject: x\n\nHi", E::MissingWhatsappName),
            (Whatsapp, "Template:\n\nHi", E::MissingWhatsappName),
            (Whatsapp, "Template: Invoice Issued\n\nHi", E::InvalidWhatsappName { name: "Invoice Issued".into() }),
            (Whatsapp, "Template: factura_é\n\nHi", E::InvalidWhatsappName { name: "factura_é".into() }),
            (Whatsapp, long_name.as_str(), E::InvalidWhatsappName { name: "a".repeat(MAX_WHATSAPP_NAME + 1) }),
            (Whatsapp, "Template: ok\nHi", E::MissingBlankLine { header: "Template" }),
            (Whatsapp, "Template: ok\n\nA {", E::Unclosed { line: 3 }),
            (Sms, "Subject: Hi\n\nPay", E::HeaderInSms { header: "Subject" }),
            (Sms, " template : x\n\nPay", E::HeaderInSms { header: "Template" }),
            (Sms, "\r\n", E::Empty),
        ];
        for (channel, text, error) in cases {
            assert_eq!(MessageTemplate::parse(channel, Overdue, text), Err(error), "{channel} {text:?}");
        }
    }

    #[test]
    fn whatsapp_parameters_follow_the_body() {
        let text = "Template: due\n\nHi {customer_name}, {amount_due} by {due_date}. {payment_instructions} Thanks, {customer_name}.";
        let r = MessageTemplate::parse(Channel::Whatsapp, DueSoon, text).expect("valid").render(&values());
        assert_eq!(
            r.parameters,
            ["Jane Wanjiru", "KES 2,500.00", "2026-03-15", "Paybill 123456, account 4567", "Jane Wanjiru"]
        );
        assert_eq!(
            r.body,
            "Hi Jane Wanjiru, KES 2,500.00 by 2026-03-15. Paybill 123456, account 4567 Thanks, Jane Wanjiru."
        );
        let sms = MessageTemplate::parse(Channel::Sms, DueSoon, "{payment_instructions}").expect("valid");
        let r = sms.render(&values());
        assert!(r.parameters.is_empty());
        assert_eq!(r.body, "Paybill 123456,\n  account  4567");
        // The Cloud API refuses an empty parameter: a value never set is "-".
        let call = MessageTemplate::parse(Channel::Whatsapp, DueSoon, "Template: due\n\nCall us on {isp_phone}.");
        let r = call.expect("valid").render(&values());
        assert_eq!((r.parameters, r.body.as_str()), (vec![EMPTY_PARAMETER.to_owned()], "Call us on -."));
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let t = MessageTemplate::parse(Channel::Email, DueSoon, "Subject: {payment_instructions}\n\nx").expect("valid");
        assert_eq!(t.render(&values()).subject.as_deref(), Some("Paybill 123456,   account  4567"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_is_refused_and_round_trips(
            text in "(Subject: |Template: [a-z_]{0,4}|)[a-z{}\\n\\r: é]{0,40}(\\{customer_name\\}|\\{due_date\\}|\\{\\{|\\}\\}|[a-z\\n ]){0,12}",
        ) {
            for channel in Channel::ALL {
                for event in MessageEvent::ALL {
                    if let Ok(t) = MessageTemplate::parse(channel, event, &text) {
                        let r = t.render(&values());
                        proptest::prop_assert_eq!(r.parameters.len(), if channel == Channel::Whatsapp { t.body.placeholders().len() } else { 0 });
                        proptest::prop_assert_eq!(MessageTemplate::parse(channel, event, &t.to_text()), Ok(t));
                    }
                }
            }
        }
    }
}

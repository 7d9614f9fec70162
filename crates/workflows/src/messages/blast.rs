//! A blast: the operator's message to every customer a filter picks (a
//! router, a POP, a plan, a status, an OLT or one PON port for an outage),
//! counted before it is sent and queued in one transaction.

use std::collections::HashMap;

use headend_core::activity::{Actor, Subject};
use headend_core::messages::outbox::EventKey;
use headend_core::messages::template::{MessageTemplate, Template};
use headend_core::messages::{Channel, MessageEvent};
use headend_store::{BlastFilter, Contact};

use super::compose::{Addressed, Composer};
use crate::{WorkflowError, Workflows};

/// A blast as the form or `messages blast` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlastInput {
    pub filter: BlastFilter,
    /// The e-mail's subject; "A message from {isp_name}" if none.
    pub subject: Option<String>,
    /// The text, with the placeholders every message can fill.
    pub body: String,
    /// The approved WhatsApp template that carries it, for customers
    /// written to on WhatsApp (business-initiated messages must be one).
    pub whatsapp_name: Option<String>,
}

/// Who a blast would reach.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlastPreview {
    /// Customers the filter picks.
    pub customers: u64,
    /// Of them, how many each channel reaches.
    pub by_channel: Vec<(Channel, u64)>,
    /// Picked but reached by no channel (no address, one that cannot be
    /// used, opted out): the blast leaves them out.
    pub unreachable: u64,
}

/// A blast queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlastSent {
    pub id: i64,
    pub queued: u64,
}

const DEFAULT_SUBJECT: &str = "A message from {isp_name}";

impl BlastInput {
    /// The blast's template on each channel, checked.
    fn templates(&self) -> Result<HashMap<Channel, MessageTemplate>, WorkflowError> {
        let bad =
            |field, e: headend_core::messages::template::TemplateError| WorkflowError::invalid(field, e.to_string());
        let body = Template::parse(&self.body, MessageEvent::Blast).map_err(|e| bad("body", e))?;
        let subject = self.subject.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or(DEFAULT_SUBJECT);
        let subject = Template::parse(subject, MessageEvent::Blast).map_err(|e| bad("subject", e))?;
        let whatsapp_name = self.whatsapp_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let mut templates = HashMap::from([
            (
                Channel::Email,
                MessageTemplate {
                    channel: Channel::Email,
                    subject: Some(subject),
                    body: body.clone(),
                    whatsapp_name: None,
                },
            ),
            (
                Channel::Sms,
                MessageTemplate { channel: Channel::Sms, subject: None, body: body.clone(), whatsapp_name: None },
            ),
        ]);
        if let Some(name) = whatsapp_name {
            // Parsed as the editor's format, so the name is checked the same way.
            let text = format!("Template: {name}\n\n{}", self.body);
            let whatsapp = MessageTemplate::parse(Channel::Whatsapp, MessageEvent::Blast, &text)
                .map_err(|e| bad("whatsapp_name", e))?;
            templates.insert(Channel::Whatsapp, whatsapp);
        }
        Ok(templates)
    }
}

impl Workflows {
    /// Who `filter` picks and how each would be reached.
    pub async fn preview_blast(&self, filter: &BlastFilter) -> Result<BlastPreview, WorkflowError> {
        let composer = Composer::load(&self.store).await?;
        let contacts = self.store.blast_recipients(filter).await?;
        Ok(preview(&composer, &contacts))
    }

    /// Queues the blast to every customer its filter picks and a channel
    /// reaches (those reached on WhatsApp only if it names an approved
    /// template).
    pub async fn send_blast(&self, actor: &Actor, input: &BlastInput) -> Result<BlastSent, WorkflowError> {
        let templates = input.templates()?;
        let composer = Composer::load(&self.store).await?;
        if !composer.sends_anything() {
            return Err(WorkflowError::invalid(
                "channel",
                "no channel is set up: add a provider in Messages → Settings",
            ));
        }
        let contacts = self.store.blast_recipients(&input.filter).await?;
        let filter = describe(&input.filter);
        let (id, queued) = self
            .store
            .record_blast(&filter, &input.body, actor.as_str(), |id| {
                contacts
                    .iter()
                    .filter_map(|contact| {
                        // As the preview counts them: a customer whose
                        // address cannot be used is not reached.
                        let (channel, recipient) = composer.route(contact).filter(|(_, to)| to.is_ok())?;
                        let template = templates.get(&channel)?;
                        let to = Addressed { contact, recipient, language: composer.language(contact) };
                        Some(composer.render(
                            template,
                            MessageEvent::Blast,
                            EventKey::blast(id),
                            to,
                            HashMap::new(),
                            None,
                        ))
                    })
                    .collect()
            })
            .await?;
        self.log(actor, Subject::Policy, "blast", format!("blast {id} to {filter}: {queued} message(s) queued")).await;
        Ok(BlastSent { id, queued })
    }
}

fn preview(composer: &Composer, contacts: &[Contact]) -> BlastPreview {
    let mut by_channel: HashMap<Channel, u64> = HashMap::new();
    let mut unreachable = 0;
    for contact in contacts {
        match composer.route(contact) {
            Some((channel, Ok(_))) => *by_channel.entry(channel).or_default() += 1,
            _ => unreachable += 1,
        }
    }
    let mut by_channel: Vec<(Channel, u64)> = by_channel.into_iter().collect();
    by_channel.sort_unstable();
    BlastPreview { customers: contacts.len() as u64, by_channel, unreachable }
}

/// The filter as the activity log and the blasts table write it.
fn describe(f: &BlastFilter) -> String {
    let mut parts = Vec::new();
    if let Some(r) = f.router {
        parts.push(format!("router {r}"));
    }
    if let Some(p) = f.pop {
        parts.push(format!("POP {p}"));
    }
    if let Some(p) = f.plan {
        parts.push(format!("plan {p}"));
    }
    if let Some(s) = f.status {
        parts.push(format!("status {s}"));
    }
    match &f.olt {
        Some((olt, Some(port))) => parts.push(format!("OLT {olt} port {port}")),
        Some((olt, None)) => parts.push(format!("OLT {olt}")),
        None => {}
    }
    if parts.is_empty() { "every customer".to_owned() } else { parts.join(", ") }
}

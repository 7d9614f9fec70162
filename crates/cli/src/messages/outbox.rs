//! `headend messages run | list | retry | test`: the outbox.

use std::str::FromStr;

use headend_core::MessageId;
use headend_core::activity::Actor;
use headend_core::messages::Channel;
use headend_core::messages::outbox::MessageStatus;
use headend_store::{MessageQuery, OutboxMessage};
use headend_workflows::messages::SendRun;
use headend_workflows::{WorkflowError, Workflows};
use serde::Serialize;

use crate::billing::find_customer;
use crate::{Globals, output};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// One pass (reminders, then everything due), then exit. Without it the
    /// command keeps sending until Ctrl-C, as the agent does.
    #[arg(long)]
    once: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// queued, sending, sent or failed.
    #[arg(long, value_parser = MessageStatus::from_str)]
    status: Option<MessageStatus>,
    /// A customer's id or exact name.
    #[arg(long)]
    customer: Option<String>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

#[derive(Debug, Serialize)]
struct MessageJson {
    id: i64,
    event: &'static str,
    event_key: String,
    customer_id: i64,
    customer: String,
    channel: &'static str,
    recipient: Option<String>,
    language: String,
    subject: Option<String>,
    body: String,
    attachment: Option<String>,
    status: &'static str,
    attempts: u32,
    last_error: Option<String>,
    next_attempt_at: String,
    provider_id: Option<String>,
    created_at: String,
    sent_at: Option<String>,
}

impl MessageJson {
    fn new(m: &OutboxMessage) -> Self {
        Self {
            id: m.id.0,
            event: m.event.as_str(),
            event_key: m.key.to_string(),
            customer_id: m.customer.0,
            customer: m.customer_name.clone(),
            channel: m.channel.as_str(),
            recipient: m.recipient.clone(),
            language: m.language.to_string(),
            subject: m.subject.clone(),
            body: m.body.clone(),
            attachment: m.attachment.as_ref().map(ToString::to_string),
            status: m.status.as_str(),
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            next_attempt_at: m.next_attempt_at.to_string(),
            provider_id: m.provider_id.clone(),
            created_at: m.created_at.to_string(),
            sent_at: m.sent_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Serialize)]
struct RunJson {
    due_soon: u64,
    overdue: u64,
    suspended: u64,
    sent: u64,
    retrying: u64,
    failed: Vec<FailedJson>,
    quiet_until: Option<String>,
    /// Channels whose provider cannot be used, and why.
    unusable: Vec<UnusableJson>,
}

#[derive(Debug, Serialize)]
struct UnusableJson {
    channel: &'static str,
    error: String,
}

#[derive(Debug, Serialize)]
struct FailedJson {
    customer: String,
    channel: &'static str,
    error: String,
}

/// Who takes rows in this process: one name per process, so its lease is
/// its own.
fn holder() -> String {
    format!("cli:{}", std::process::id())
}

pub async fn run(globals: &Globals, w: &Workflows, a: RunArgs) -> anyhow::Result<()> {
    if !a.once {
        eprintln!("headend messages: sending until Ctrl-C");
        let (stop_sending, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if crate::shutdown::requested().await.is_ok() {
                let _ = stop_sending.send(true);
            }
        });
        let mut told = None::<String>;
        w.run_messages_periodically(&holder(), stop, |outcome: Result<SendRun, WorkflowError>| match outcome {
            Ok(run) => {
                let problems: Vec<String> =
                    run.unusable.iter().map(|(channel, why)| format!("{channel} is not going out: {why}")).collect();
                let problem = (!problems.is_empty()).then(|| problems.join("; "));
                if problem != told {
                    if let Some(text) = &problem {
                        eprintln!("headend messages: {text}");
                    }
                    told = problem;
                }
                if run.sent + run.retrying > 0 || !run.failed.is_empty() {
                    eprintln!(
                        "headend messages: {} sent, {} to retry, {} failed",
                        run.sent,
                        run.retrying,
                        run.failed.len()
                    );
                }
            }
            Err(err) => eprintln!("headend messages: {err}"),
        })
        .await;
        return Ok(());
    }
    let reminders = w.queue_reminders().await?;
    let sent = w.send_due_messages(&holder()).await?;
    let zone = w.store().isp_policy().await?.time_zone;
    let json = RunJson {
        due_soon: reminders.due_soon,
        overdue: reminders.overdue,
        suspended: reminders.suspended,
        sent: sent.sent,
        retrying: sent.retrying,
        failed: sent
            .failed
            .iter()
            .map(|f| FailedJson {
                customer: f.customer_name.clone(),
                channel: f.channel.as_str(),
                error: f.error.clone(),
            })
            .collect(),
        // In the ISP's time zone, as the quiet hours are written.
        quiet_until: sent
            .quiet_until
            .map(|t| t.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string()),
        unusable: sent
            .unusable
            .iter()
            .map(|(channel, why)| UnusableJson { channel: channel.as_str(), error: why.clone() })
            .collect(),
    };
    if globals.json {
        return output::json(&json);
    }
    output::line(format!(
        "Queued {} due-soon, {} overdue and {} suspended reminder(s); sent {}, {} to retry, {} failed.",
        json.due_soon,
        json.overdue,
        json.suspended,
        json.sent,
        json.retrying,
        json.failed.len()
    ))?;
    for f in &json.failed {
        output::line(format!("  {} ({}): {}", output::safe(&f.customer), f.channel, output::safe(&f.error)))?;
    }
    for u in &json.unusable {
        output::line(format!("{} is not going out: {}", u.channel, output::safe(&u.error)))?;
    }
    if let Some(until) = &json.quiet_until {
        output::line(format!("Quiet hours: SMS and WhatsApp wait until {until}."))?;
    }
    Ok(())
}

pub async fn list(globals: &Globals, w: &Workflows, a: ListArgs) -> anyhow::Result<()> {
    let customer = match &a.customer {
        Some(c) => Some(find_customer(w, c).await?.0),
        None => None,
    };
    let messages = w.messages(&MessageQuery { status: a.status, customer, limit: a.limit }).await?;
    let json: Vec<MessageJson> = messages.iter().map(MessageJson::new).collect();
    if globals.json {
        return output::json(&json);
    }
    if json.is_empty() {
        output::line("No messages.")?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = json
        .iter()
        .map(|m| {
            let note = match (&m.last_error, &m.sent_at) {
                (Some(e), _) if m.status != "sent" => e.clone(),
                (_, Some(at)) => format!("sent {at}"),
                _ => format!("due {}", m.next_attempt_at),
            };
            vec![
                m.id.to_string(),
                output::safe(&m.customer),
                m.event.to_owned(),
                m.channel.to_owned(),
                output::or_dash(m.recipient.clone()),
                m.status.to_owned(),
                m.attempts.to_string(),
                output::safe(&note),
            ]
        })
        .collect();
    output::table(&["ID", "CUSTOMER", "EVENT", "CHANNEL", "TO", "STATUS", "TRIES", "NOTE"], &rows)?;
    Ok(())
}

pub async fn retry(globals: &Globals, w: &Workflows, id: i64) -> anyhow::Result<()> {
    let message = w.retry_message(&Actor::Cli, MessageId(id)).await?;
    if globals.json {
        return output::json(&MessageJson::new(&message));
    }
    match (&message.status, &message.last_error) {
        (MessageStatus::Failed, Some(why)) => {
            output::line(format!("Message {id} cannot go yet: {}", output::safe(why)))?
        }
        _ => output::line(format!(
            "Message {id} queued again to {}.",
            output::safe(message.recipient.as_deref().unwrap_or("-"))
        ))?,
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct TestJson {
    channel: &'static str,
    to: String,
    provider_id: Option<String>,
}

pub async fn test(globals: &Globals, w: &Workflows, channel: Channel, to: &str) -> anyhow::Result<()> {
    let provider_id = w.send_test_message(channel, to).await?;
    let json = TestJson { channel: channel.as_str(), to: to.to_owned(), provider_id };
    if globals.json {
        return output::json(&json);
    }
    let id = json.provider_id.as_deref().map(|id| format!(" (provider id {id})")).unwrap_or_default();
    output::line(format!("The {channel} provider accepted the test message to {}{id}.", output::safe(to)))?;
    Ok(())
}

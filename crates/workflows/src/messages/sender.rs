//! The sender: takes the outbox's due messages under a lease and hands
//! them to the providers, each channel at its rate, recording each one
//! the moment the provider answers.
//!
//! The app and `headend agent` both run it; a row is only ever taken by
//! one (the store's lease). A crash between the provider accepting a
//! message and [`headend_store::Store::message_sent`] committing leaves the
//! row `sending`; once its lease ends it is sent again: at most one
//! duplicate of that one message, and the window is one small write.

use std::sync::Arc;
use std::time::Duration;

use headend_core::messages::outbox::{Attachment, MessageStatus};
use headend_core::messages::settings::{MessageSettings, RateLimit};
use headend_core::messages::{Channel, Language};
use headend_core::queue::Backoff;
use headend_messaging::{Email, Mailer, SendError, SmsGateway, WhatsappClient};
use headend_secrets::SecretKey;
use headend_store::OutboxMessage;
use jiff::Timestamp;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::{WorkflowError, Workflows};

/// How long a sender holds the rows it took.
pub const LEASE: Duration = Duration::from_secs(120);
/// Failures (connection, 5xx, refused credentials) before a message waits
/// for the operator; with the queue's backoff that is about a day.
pub const MAX_ATTEMPTS: u32 = 10;
/// How long one provider call may take.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(30);
/// Messages of one channel in flight at once.
const IN_FLIGHT: usize = 8;
/// Most rows taken at once: a minute of the channel's rate, so the lease
/// outlives the batch.
const MAX_BATCH: u32 = 500;
/// How often the periodic sender looks for due messages.
pub const SEND_EVERY: Duration = Duration::from_secs(5);
/// How often it queues the calendar's reminders.
pub const REMINDERS_EVERY: Duration = Duration::from_secs(15 * 60);

/// A message the provider refused for good, or that ran out of attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMessage {
    pub customer_name: String,
    pub channel: Channel,
    pub error: String,
}

/// What one sending pass did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SendRun {
    pub sent: u64,
    /// Failed an attempt; tried again after the backoff.
    pub retrying: u64,
    pub failed: Vec<FailedMessage>,
    /// Quiet hours hold SMS and WhatsApp until then.
    pub quiet_until: Option<Timestamp>,
    /// Channels whose provider cannot be used, and why: their messages
    /// wait until the operator fixes it.
    pub unusable: Vec<(Channel, String)>,
}

/// One channel's provider, made once a pass from the settings and the
/// keyring.
enum Provider {
    Email(Mailer),
    Sms(SmsGateway),
    Whatsapp(WhatsappClient),
}

enum Outcome {
    Sent,
    Retrying,
    Failed(FailedMessage),
}

impl Workflows {
    /// `channel`'s provider, or why it cannot be used (no credential, a
    /// setting it refuses): the operator's to fix, so it is said, and the
    /// channel's messages wait.
    async fn provider(&self, channel: Channel, settings: &MessageSettings) -> Result<Provider, String> {
        let secrets = self.secrets().await.map_err(|e| e.to_string())?;
        let key = SecretKey::message_provider(channel);
        let secret = crate::keyring::blocking(move || secrets.get(&key))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot read its credential from the keyring: {e}"))?;
        let made = match channel {
            Channel::Email => {
                let smtp = settings.smtp.as_ref().ok_or("it is not set up")?;
                Mailer::new(smtp, secret, PROVIDER_TIMEOUT).map(Provider::Email)
            }
            Channel::Sms => {
                let sms = settings.sms.as_ref().ok_or("it is not set up")?;
                SmsGateway::new(sms, secret, PROVIDER_TIMEOUT).map(Provider::Sms)
            }
            Channel::Whatsapp => {
                let whatsapp = settings.whatsapp.as_ref().ok_or("it is not set up")?;
                let token = secret.ok_or("it has no access token: set it in Messages → Settings")?;
                WhatsappClient::new(whatsapp, token, PROVIDER_TIMEOUT).map(Provider::Whatsapp)
            }
        };
        made.map_err(|e| e.to_string())
    }

    /// Sends every message due now, as `holder` (`app:1234`), until none is
    /// left, each channel on its own: SMS and WhatsApp wait out quiet
    /// hours, and a channel whose provider cannot be used (said in
    /// [`SendRun::unusable`]) holds back only its own messages.
    pub async fn send_due_messages(&self, holder: &str) -> Result<SendRun, WorkflowError> {
        let settings = self.store.message_settings().await?;
        let policy = self.store.isp_policy().await?;
        let now = self.now();
        let quiet_until =
            settings.quiet_hours.map(|q| q.next_allowed(now, &policy.time_zone)).filter(|until| *until > now);
        let channels: Vec<Channel> = Channel::ALL
            .into_iter()
            .filter(|c| settings.configured(*c) && !(quiet_until.is_some() && c.respects_quiet_hours()))
            .collect();
        let mut run = SendRun { quiet_until, ..SendRun::default() };
        let mut passes = JoinSet::new();
        for channel in channels {
            let provider = match self.provider(channel, &settings).await {
                Ok(p) => Arc::new(p),
                Err(why) => {
                    run.unusable.push((channel, why));
                    continue;
                }
            };
            let (workflows, holder, rate) = (self.clone(), holder.to_owned(), settings.rate(channel));
            passes.spawn(async move { workflows.send_channel(&holder, channel, rate, provider).await });
        }
        while let Some(outcome) = passes.join_next().await {
            let outcome =
                outcome.map_err(|e| WorkflowError::Interrupted(format!("a channel's sending stopped: {e}")))??;
            run.sent += outcome.sent;
            run.retrying += outcome.retrying;
            run.failed.extend(outcome.failed);
        }
        Ok(run)
    }

    /// Sends `channel`'s due messages at its rate, [`IN_FLIGHT`] at once.
    async fn send_channel(
        &self,
        holder: &str,
        channel: Channel,
        rate: RateLimit,
        provider: Arc<Provider>,
    ) -> Result<SendRun, WorkflowError> {
        let batch = rate.per_minute().clamp(1, MAX_BATCH);
        let mut run = SendRun::default();
        let mut next_slot = Instant::now();
        let mut tasks = JoinSet::new();
        loop {
            let messages = self.store.claim_messages(holder, &[channel], batch, LEASE).await?;
            if messages.is_empty() {
                break;
            }
            for message in messages {
                tokio::time::sleep_until(next_slot).await;
                // Slots follow the schedule, not the wake-up (a timer wakes
                // late by up to a millisecond); after a stall (a claim, a
                // full pipeline) at most one slot is made up at once.
                let behind = Instant::now().checked_sub(rate.spacing()).unwrap_or(next_slot);
                next_slot = (next_slot + rate.spacing()).max(behind);
                while tasks.len() >= IN_FLIGHT {
                    if let Some(done) = tasks.join_next().await {
                        tally(&mut run, done)?;
                    }
                }
                let (workflows, provider) = (self.clone(), provider.clone());
                tasks.spawn(async move { workflows.send_one(&provider, message).await });
            }
        }
        while let Some(done) = tasks.join_next().await {
            tally(&mut run, done)?;
        }
        Ok(run)
    }

    /// Hands one message to its provider and records the answer.
    async fn send_one(&self, provider: &Provider, message: OutboxMessage) -> Result<Outcome, WorkflowError> {
        let answer = match message.recipient.as_deref() {
            None => Err(SendError::Permanent("the message has no recipient".into())),
            Some(to) => self.deliver(provider, &message, to).await,
        };
        match answer {
            Ok(accepted) => {
                self.store.message_sent(message.id, accepted.provider_id.as_deref()).await?;
                Ok(Outcome::Sent)
            }
            Err(err) => {
                let backoff = if err.is_permanent() {
                    Backoff::Never
                } else {
                    Backoff::Exponential { max_attempts: MAX_ATTEMPTS, jitter: rand::random::<f64>() }
                };
                let error = err.to_string();
                tracing::info!(message = %message.id, channel = %message.channel, "not sent: {error}");
                match self.store.message_failed(message.id, &error, backoff).await? {
                    MessageStatus::Failed => Ok(Outcome::Failed(FailedMessage {
                        customer_name: message.customer_name,
                        channel: message.channel,
                        error,
                    })),
                    _ => Ok(Outcome::Retrying),
                }
            }
        }
    }

    async fn deliver(
        &self,
        provider: &Provider,
        message: &OutboxMessage,
        to: &str,
    ) -> Result<headend_messaging::Accepted, SendError> {
        match provider {
            Provider::Email(mailer) => {
                let attachments = match &message.attachment {
                    None => Vec::new(),
                    Some(document) => vec![self.attachment(document).await?],
                };
                let email = Email {
                    to: to.to_owned(),
                    to_name: Some(message.customer_name.clone()),
                    subject: message.subject.clone().unwrap_or_default(),
                    body: message.body.clone(),
                    attachments,
                };
                mailer.send(&email).await
            }
            Provider::Sms(gateway) => gateway.send(to, &message.body).await,
            Provider::Whatsapp(client) => {
                let name = message.whatsapp_name.as_deref().ok_or_else(|| {
                    SendError::Permanent("a WhatsApp message needs an approved template's name".into())
                })?;
                client.send_template(to, name, &whatsapp_language(&message.language), &message.parameters).await
            }
        }
    }

    /// The PDF an e-mail carries, made now.
    async fn attachment(&self, document: &Attachment) -> Result<headend_messaging::Attachment, SendError> {
        let (number, bytes) = match document {
            Attachment::Invoice(number) => (number, self.invoice_pdf(number).await),
            Attachment::Receipt(number) => (number, self.receipt_pdf(number).await),
        };
        let bytes = bytes.map_err(|e| match e {
            WorkflowError::NotFound(why) => SendError::Permanent(why),
            other => SendError::Transient(format!("cannot make {number}'s PDF: {other}")),
        })?;
        Ok(headend_messaging::Attachment {
            filename: format!("{number}.pdf"),
            content_type: "application/pdf".into(),
            bytes,
        })
    }

    /// Queues the calendar's reminders now and every [`REMINDERS_EVERY`],
    /// and sends what is due every [`SEND_EVERY`], as `holder`; each pass's
    /// outcome goes to `report` (failures are the operator's to see).
    pub async fn run_messages_periodically(
        &self,
        holder: &str,
        mut report: impl FnMut(Result<SendRun, WorkflowError>),
    ) {
        let mut reminders_at = Instant::now();
        loop {
            if Instant::now() >= reminders_at {
                if let Err(err) = self.queue_reminders().await {
                    report(Err(err));
                }
                reminders_at = Instant::now() + REMINDERS_EVERY;
            }
            let due = self.store.next_message_due().await.map(|next| next.is_some_and(|at| at <= self.now()));
            match due {
                Ok(true) => report(self.send_due_messages(holder).await),
                Ok(false) => {}
                Err(err) => report(Err(err.into())),
            }
            tokio::time::sleep(SEND_EVERY).await;
        }
    }
}

fn tally(
    run: &mut SendRun,
    done: Result<Result<Outcome, WorkflowError>, tokio::task::JoinError>,
) -> Result<(), WorkflowError> {
    let outcome = done.map_err(|e| WorkflowError::Interrupted(format!("a message's sending stopped: {e}")))??;
    match outcome {
        Outcome::Sent => run.sent += 1,
        Outcome::Retrying => run.retrying += 1,
        Outcome::Failed(failed) => run.failed.push(failed),
    }
    Ok(())
}

/// The Cloud API's language code: `pt_BR` for `pt-br`.
fn whatsapp_language(language: &Language) -> String {
    match language.as_str().split_once('-') {
        Some((base, region)) => format!("{base}_{}", region.to_ascii_uppercase()),
        None => language.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_languages_are_underscored() {
        let code = |l: &str| whatsapp_language(&l.parse().unwrap());
        assert_eq!(code("en"), "en");
        assert_eq!(code("pt-br"), "pt_BR");
    }
}

//! The sender: takes the outbox's due messages under a lease and hands
//! them to the providers, each channel at its rate, recording each one
//! the moment the provider answers.
//!
//! The app and `headend agent` both run it; a row is only ever taken by
//! one (the store's lease, renewed just before each message is handed
//! over, so a slow batch does not lose it). A pass takes at most a minute
//! of each channel's rate, so quiet hours, new settings and a stop are
//! seen within a minute. A crash between the provider accepting a message
//! and [`headend_store::Store::message_sent`] committing leaves the row
//! `sending`; once its lease ends it is sent again: at most one duplicate
//! of that one message, and the window is one small write. A stop is not
//! a crash: the messages being handed over finish and are recorded, and
//! the rest of the batch is given back.

use std::sync::Arc;
use std::time::Duration;

use headend_core::MessageId;
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

/// How long a sender holds a row: from its claim, and again from the
/// moment it is handed to the provider (an SMTP exchange is several
/// steps of up to [`PROVIDER_TIMEOUT`] each).
pub const LEASE: Duration = Duration::from_secs(300);
/// Failures (connection, 5xx, refused credentials) before a message waits
/// for the operator: with the queue's backoff (15 s doubling to an hour,
/// jittered) that is half a day to a day of a provider being down.
pub const MAX_ATTEMPTS: u32 = 30;
/// How long one provider call may take.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(30);
/// Messages of one channel in flight at once.
const IN_FLIGHT: usize = 8;
/// Most rows a channel takes in one pass (else a minute of its rate).
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
    /// No longer this sender's (its lease went to another) or deleted with
    /// its customer: nothing to record.
    Gone,
}

/// Tells a sender to stop: `true` once the app or the agent is quitting.
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// A [`Stop`] that never comes, for a one-off run.
fn never_stop() -> Stop {
    tokio::sync::watch::channel(false).1
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

    /// Sends every message due now, as `holder` (`cli:1234`), pass after
    /// pass until none is left: `messages run --once`. SMS and WhatsApp
    /// wait out quiet hours, and a channel whose provider cannot be used
    /// (said in [`SendRun::unusable`]) holds back only its own messages.
    pub async fn send_due_messages(&self, holder: &str) -> Result<SendRun, WorkflowError> {
        let stop = never_stop();
        let mut run = SendRun::default();
        loop {
            let (pass, taken) = self.send_pass(holder, &stop).await?;
            run.sent += pass.sent;
            run.retrying += pass.retrying;
            run.failed.extend(pass.failed);
            run.quiet_until = pass.quiet_until;
            run.unusable = pass.unusable;
            if taken == 0 {
                return Ok(run);
            }
        }
    }

    /// The channels that may send now: set up, and not held by quiet hours
    /// (until when, if they are).
    async fn open_channels(
        &self,
        settings: &MessageSettings,
    ) -> Result<(Vec<Channel>, Option<Timestamp>), WorkflowError> {
        let policy = self.store.isp_policy().await?;
        let now = self.now();
        let quiet_until =
            settings.quiet_hours.map(|q| q.next_allowed(now, &policy.time_zone)).filter(|until| *until > now);
        let channels = Channel::ALL
            .into_iter()
            .filter(|c| settings.configured(*c) && !(quiet_until.is_some() && c.respects_quiet_hours()))
            .collect();
        Ok((channels, quiet_until))
    }

    /// One pass: each open channel takes one batch (a minute of its rate at
    /// most) and sends it, all channels at once. Returns what it did and
    /// how many rows it took.
    async fn send_pass(&self, holder: &str, stop: &Stop) -> Result<(SendRun, usize), WorkflowError> {
        let settings = self.store.message_settings().await?;
        let (channels, quiet_until) = self.open_channels(&settings).await?;
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
            let (workflows, holder, rate, stop) =
                (self.clone(), holder.to_owned(), settings.rate(channel), stop.clone());
            passes.spawn(async move { workflows.send_channel(&holder, channel, rate, provider, stop).await });
        }
        let mut taken = 0;
        let mut first_error = None;
        while let Some(outcome) = passes.join_next().await {
            match outcome {
                Ok(Ok((pass, n))) => {
                    taken += n;
                    run.sent += pass.sent;
                    run.retrying += pass.retrying;
                    run.failed.extend(pass.failed);
                }
                Ok(Err(err)) => {
                    first_error.get_or_insert(err);
                }
                Err(err) => {
                    first_error
                        .get_or_insert(WorkflowError::Interrupted(format!("a channel's sending stopped: {err}")));
                }
            }
        }
        match first_error {
            Some(err) => Err(err),
            None => Ok((run, taken)),
        }
    }

    /// Sends one batch of `channel`'s due messages at its rate,
    /// [`IN_FLIGHT`] at once. On `stop` it hands over no more, lets those
    /// in flight finish and gives the rest back. Every message started is
    /// waited for and recorded, even when another fails to record (an
    /// abandoned send could have reached the provider). Returns what it did
    /// and how many rows it took.
    async fn send_channel(
        &self,
        holder: &str,
        channel: Channel,
        rate: RateLimit,
        provider: Arc<Provider>,
        stop: Stop,
    ) -> Result<(SendRun, usize), WorkflowError> {
        let batch = rate.per_minute().clamp(1, MAX_BATCH);
        let messages = self.store.claim_messages(holder, &[channel], batch, LEASE).await?;
        let taken = messages.len();
        let mut run = SendRun::default();
        let mut first_error = None;
        let mut next_slot = Instant::now();
        let mut tasks = JoinSet::new();
        let mut pending = messages.into_iter();
        for message in pending.by_ref() {
            if *stop.borrow() {
                let rest: Vec<MessageId> = std::iter::once(message.id).chain(pending.by_ref().map(|m| m.id)).collect();
                if let Err(err) = self.store.release_messages(&rest, holder).await {
                    first_error.get_or_insert(err.into());
                }
                break;
            }
            tokio::time::sleep_until(next_slot).await;
            // Slots follow the schedule, not the wake-up (a timer wakes
            // late by up to a millisecond); after a stall (a full
            // pipeline) at most one slot is made up at once.
            let behind = Instant::now().checked_sub(rate.spacing()).unwrap_or(next_slot);
            next_slot = (next_slot + rate.spacing()).max(behind);
            while tasks.len() >= IN_FLIGHT {
                if let Some(done) = tasks.join_next().await {
                    tally(&mut run, done, &mut first_error);
                }
            }
            let (workflows, provider, holder) = (self.clone(), provider.clone(), holder.to_owned());
            tasks.spawn(async move { workflows.send_one(&provider, &holder, message).await });
        }
        while let Some(done) = tasks.join_next().await {
            tally(&mut run, done, &mut first_error);
        }
        match first_error {
            Some(err) => Err(err),
            None => Ok((run, taken)),
        }
    }

    /// Hands one message to its provider, under a renewed lease, and
    /// records the answer.
    async fn send_one(
        &self,
        provider: &Provider,
        holder: &str,
        message: OutboxMessage,
    ) -> Result<Outcome, WorkflowError> {
        if !self.store.renew_message_lease(message.id, holder, LEASE).await? {
            return Ok(Outcome::Gone);
        }
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
                Ok(match self.store.message_failed(message.id, holder, &error, backoff).await? {
                    Some(MessageStatus::Failed) => Outcome::Failed(FailedMessage {
                        customer_name: message.customer_name,
                        channel: message.channel,
                        error,
                    }),
                    Some(_) => Outcome::Retrying,
                    None => Outcome::Gone,
                })
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
    /// and sends what is due every [`SEND_EVERY`] (one pass at a time), as
    /// `holder`, until `stop`; each pass's outcome goes to `report`
    /// (failures are the operator's to see).
    pub async fn run_messages_periodically(
        &self,
        holder: &str,
        mut stop: Stop,
        mut report: impl FnMut(Result<SendRun, WorkflowError>),
    ) {
        let mut reminders_at = Instant::now();
        while !*stop.borrow() {
            if Instant::now() >= reminders_at {
                if let Err(err) = self.queue_reminders().await {
                    report(Err(err));
                }
                reminders_at = Instant::now() + REMINDERS_EVERY;
            }
            match self.due_now().await {
                Ok(true) => report(self.send_pass(holder, &stop).await.map(|(run, _)| run)),
                Ok(false) => {}
                Err(err) => report(Err(err)),
            }
            tokio::select! {
                _ = tokio::time::sleep(SEND_EVERY) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Whether a message on an open channel is due now (a pass would take
    /// it): during quiet hours waiting SMS do not wake the sender.
    async fn due_now(&self) -> Result<bool, WorkflowError> {
        let settings = self.store.message_settings().await?;
        let (channels, _) = self.open_channels(&settings).await?;
        if channels.is_empty() {
            return Ok(false);
        }
        Ok(self.store.next_message_due(&channels).await?.is_some_and(|at| at <= self.now()))
    }
}

/// Counts a finished send; the first error is kept for after the rest.
fn tally(
    run: &mut SendRun,
    done: Result<Result<Outcome, WorkflowError>, tokio::task::JoinError>,
    first_error: &mut Option<WorkflowError>,
) {
    match done {
        Ok(Ok(Outcome::Sent)) => run.sent += 1,
        Ok(Ok(Outcome::Retrying)) => run.retrying += 1,
        Ok(Ok(Outcome::Failed(failed))) => run.failed.push(failed),
        Ok(Ok(Outcome::Gone)) => {}
        Ok(Err(err)) => {
            first_error.get_or_insert(err);
        }
        Err(err) => {
            first_error.get_or_insert(WorkflowError::Interrupted(format!("a message's sending stopped: {err}")));
        }
    }
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

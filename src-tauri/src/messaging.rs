//! The outbox's sender inside the app: the workflows' periodic run (the
//! calendar's reminders, then every due message), as `app:<pid>`. The
//! store's lease keeps it and `headend agent`'s sender off each other's
//! rows. Messages that failed for good are a desktop notification, once a
//! burst, and count in the tray and the badge (`alerts`); a pass that sent
//! or failed anything tells open Messages pages to reload.

use std::sync::Mutex;
use std::time::Duration;

use headend_core::messages::outbox::MessageStatus;
use headend_ipc::messages::{MessageCounts, event};
use headend_workflows::WorkflowError;
use headend_workflows::messages::{FailedMessage, SendRun};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::alerts;
use crate::state::{AppState, lock};

/// How often the failed messages are counted again for the tray and the
/// badge: failures the sender never sees (a message queued without an
/// address, the agent's sender, a CLI retry) reach them this late at most.
const RECOUNT_EVERY: Duration = Duration::from_secs(10);

/// How long quitting waits for the messages being handed to a provider.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(40);

/// The sender's stop and its loop, until the app quits.
struct MessagesEngine {
    stop: tokio::sync::watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

pub fn start(app: &AppHandle) {
    let sender = app.clone();
    let (stop_sending, stop) = tokio::sync::watch::channel(false);
    let task = tauri::async_runtime::spawn(async move {
        let workflows = sender.state::<AppState>().workflows.clone();
        let holder = format!("app:{}", std::process::id());
        // The last problem told, so a provider that stays unusable is one
        // notification, not one every few seconds.
        let mut last_error = None::<String>;
        workflows.run_messages_periodically(&holder, stop, |outcome| report(&sender, outcome, &mut last_error)).await;
    });
    app.manage(MessagesEngine { stop: stop_sending, task: Mutex::new(Some(task)) });
    let counter = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            alerts::publish(&counter).await;
            tokio::time::sleep(RECOUNT_EVERY).await;
        }
    });
}

/// Stops the sender when the app quits: the messages being handed to a
/// provider finish and are recorded (up to a limit), the rest of their
/// batch is given back for `headend agent` or the next start.
pub fn shutdown<R: Runtime>(app: &AppHandle<R>) -> impl Future<Output = ()> + Send + 'static {
    let task = app.try_state::<MessagesEngine>().and_then(|engine| {
        let _ = engine.stop.send(true);
        lock(&engine.task).take()
    });
    async move {
        if let Some(task) = task
            && tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err()
        {
            tracing::warn!("messages still being sent after {SHUTDOWN_GRACE:?}; quitting anyway");
        }
    }
}

fn report(app: &AppHandle, outcome: Result<SendRun, WorkflowError>, last_error: &mut Option<String>) {
    let (run, problem) = match outcome {
        Ok(run) => {
            let unusable: Vec<String> =
                run.unusable.iter().map(|(channel, why)| format!("{channel} cannot be used: {why}")).collect();
            let problem = (!unusable.is_empty()).then(|| unusable.join("; "));
            (run, problem)
        }
        Err(err) => (SendRun::default(), Some(err.to_string())),
    };
    match problem {
        Some(text) if last_error.as_deref() != Some(text.as_str()) => {
            tracing::error!("sending messages failed: {text}");
            alerts::notify(app, "Messages are not going out", &format!("Headend cannot send messages: {text}"));
            *last_error = Some(text);
        }
        Some(_) => {}
        None => *last_error = None,
    }
    if run.sent > 0 || run.retrying > 0 || !run.failed.is_empty() {
        tracing::info!(sent = run.sent, retrying = run.retrying, failed = run.failed.len(), "messages sending pass");
    }
    if let Some((title, body)) = failed_notice(&run.failed) {
        alerts::notify(app, &title, &body);
    }
    if run.sent > 0 || !run.failed.is_empty() {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            alerts::publish(&app).await;
            changed(&app).await;
        });
    }
}

/// The notification of a burst of failed messages: the one, or how many.
fn failed_notice(failed: &[FailedMessage]) -> Option<(String, String)> {
    let first = failed.first()?;
    Some(match failed {
        [only] => (
            format!("A message to {} failed", only.customer_name),
            format!(
                "{}: {}. Retry it in Headend's Messages → Outbox.",
                channel_name(only),
                only.error.trim().trim_end_matches('.')
            ),
        ),
        _ => (
            format!("{} messages to customers failed", failed.len()),
            format!(
                "The first, to {}: {}. Retry them in Headend's Messages → Outbox.",
                first.customer_name,
                first.error.trim().trim_end_matches('.')
            ),
        ),
    })
}

fn channel_name(message: &FailedMessage) -> &'static str {
    match message.channel {
        headend_core::messages::Channel::Email => "E-mail",
        headend_core::messages::Channel::Sms => "SMS",
        headend_core::messages::Channel::Whatsapp => "WhatsApp",
    }
}

/// Tells open Messages pages to reload, with the outbox's counts.
pub async fn changed<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    match state.store.message_counts().await {
        Ok(rows) => {
            if let Err(err) = app.emit(event::MESSAGES_CHANGED, counts(&rows)) {
                tracing::warn!("cannot tell the UI about messages: {err}");
            }
        }
        Err(err) => tracing::warn!("cannot count the messages: {err}"),
    }
}

/// The outbox's counts as the UI reads them.
pub fn counts(rows: &[(MessageStatus, u64)]) -> MessageCounts {
    let mut counts = MessageCounts::default();
    for (status, n) in rows {
        match status {
            MessageStatus::Queued => counts.queued = *n,
            MessageStatus::Sending => counts.sending = *n,
            MessageStatus::Sent => counts.sent = *n,
            MessageStatus::Failed => counts.failed = *n,
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use headend_core::messages::Channel;

    use super::*;

    #[test]
    fn a_burst_is_one_notice() {
        let failed = |name: &str| FailedMessage {
            customer_name: name.into(),
            channel: Channel::Sms,
            error: "the number is not valid ".into(),
        };
        assert_eq!(failed_notice(&[]), None);
        let (title, body) = failed_notice(&[failed("Ana")]).unwrap();
        assert_eq!(title, "A message to Ana failed");
        assert_eq!(body, "SMS: the number is not valid. Retry it in Headend's Messages → Outbox.");
        let (title, body) = failed_notice(&[failed("Ana"), failed("Bo")]).unwrap();
        assert_eq!(title, "2 messages to customers failed");
        assert!(body.starts_with("The first, to Ana: the number is not valid."), "{body}");
    }

    #[test]
    fn counts_by_status() {
        let c = counts(&[(MessageStatus::Sent, 3), (MessageStatus::Failed, 1)]);
        assert_eq!(c, MessageCounts { queued: 0, sending: 0, sent: 3, failed: 1 });
    }
}

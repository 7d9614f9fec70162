//! The activity log entries the CLI writes (actor `cli`).

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_store::Store;

/// Logs what the operator did from the command line. A failure to log is
/// a warning: the change itself is done.
pub async fn log(store: &Store, subject: Subject, action: &str, detail: String) {
    let entry =
        ActivityEntry { at: jiff::Timestamp::now(), actor: Actor::Cli, subject, action: action.to_owned(), detail };
    if let Err(err) = store.log_activity(&entry).await {
        tracing::warn!("cannot write the activity log: {err}");
    }
}

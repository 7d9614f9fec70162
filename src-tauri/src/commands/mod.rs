//! The IPC commands: the only code that knows both the UI's shapes
//! (`headend-ipc`) and the library crates. Each converts, delegates and
//! maps errors to an [`ErrorDto`] with a stable code. One module per part
//! of the console.
//!
//! Every command that changes what a router should hold asks the engine to
//! sweep that router after the store write (`Provisioner::request`): the
//! store also leaves a sweep request for any engine (the agent), but this
//! makes the app's own engine act at once.

pub mod activity;
pub mod app;
pub mod import;
pub mod olts;
pub mod plans;
pub mod provisioning;
pub mod routers;
pub mod services;

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_ipc::{ErrorCode, ErrorDto};
use headend_store::StoreError;

use crate::state::AppState;

pub type Answer<T> = Result<T, ErrorDto>;

pub fn error(code: ErrorCode, message: impl ToString) -> ErrorDto {
    ErrorDto::new(code, message.to_string())
}

pub fn invalid(message: impl ToString) -> ErrorDto {
    error(ErrorCode::InvalidInput, message)
}

pub fn db(err: StoreError) -> ErrorDto {
    tracing::error!("database: {err}");
    error(ErrorCode::Database, err)
}

/// A store error the operator can act on keeps its own words.
pub fn store_error(err: StoreError) -> ErrorDto {
    match err {
        StoreError::Duplicate { .. }
        | StoreError::DuplicateUser { .. }
        | StoreError::InUse { .. }
        | StoreError::Invalid(_) => invalid(err),
        StoreError::NotFound(_) => error(ErrorCode::NotFound, err),
        other => db(other),
    }
}

/// Writes an operator's action to the activity log; a failure to log is
/// logged, not returned (the action itself succeeded).
pub async fn log(state: &AppState, subject: Subject, action: &str, detail: String) {
    let entry = ActivityEntry {
        at: jiff::Timestamp::now(),
        actor: Actor::Operator,
        subject,
        action: action.to_owned(),
        detail,
    };
    if let Err(err) = state.store.log_activity(&entry).await {
        tracing::error!("cannot write the activity log: {err}");
    }
}

/// An instant as the UI receives it: RFC 3339 in UTC.
pub fn instant(t: jiff::Timestamp) -> String {
    t.to_string()
}

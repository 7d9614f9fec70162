//! The IPC commands: the only code that knows both the UI's shapes
//! (`headend-ipc`) and the library crates. Each converts, delegates and
//! maps errors to an [`ErrorDto`] with a stable code. One module per part
//! of the console.
//!
//! A command that changes anything calls one workflow of
//! `headend-workflows` (`AppState::workflows`, acting as the operator),
//! which validates, writes, logs the activity and asks the app's engine to
//! sweep; the command only converts the UI's shapes and maps the errors.

pub mod activity;
pub mod app;
pub mod backups;
pub mod billing;
pub mod bulk;
pub mod demo_isp;
pub mod import;
pub mod map;
pub mod messages;
pub mod olts;
pub mod payments;
pub mod plans;
pub mod policy;
pub mod provisioning;
pub mod radius;
pub mod routers;
pub mod services;
pub mod sessions;

use headend_ipc::{ErrorCode, ErrorDto};
use headend_store::StoreError;
use headend_workflows::WorkflowError;

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

/// A workflow's refusal as the UI shows it: input errors next to their
/// field, as sentences; the rest with the code the UI branches on.
pub fn workflow_error(err: WorkflowError) -> ErrorDto {
    let field = err.field();
    match err {
        WorkflowError::Invalid { message, .. } => match field {
            Some(field) => ErrorDto::field(field, sentence(&message)),
            None => invalid(sentence(&message)),
        },
        WorkflowError::NotFound(message) => error(ErrorCode::NotFound, sentence(&message)),
        WorkflowError::Store(err) => db(err),
        WorkflowError::Olt(err) => olts::olt_error(err),
        WorkflowError::Router(message) => error(ErrorCode::Router, message),
        other @ (WorkflowError::Keyring { .. }
        | WorkflowError::Interrupted(_)
        | WorkflowError::NotAdded(_)
        | WorkflowError::File(_)
        | WorkflowError::RadiusDb(_)) => error(ErrorCode::Internal, sentence(&other.to_string())),
    }
}

/// `text` with a capital first letter and one final period.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}

/// An instant as the UI receives it: RFC 3339 in UTC.
pub fn instant(t: jiff::Timestamp) -> String {
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(sentence("the PPPoE password is missing"), "The PPPoE password is missing.");
        assert_eq!(sentence("done."), "Done.");
        let field = workflow_error(WorkflowError::invalid("username", "a PPPoE user named \"ana\" already exists"));
        assert_eq!(field.field.as_deref(), Some("username"));
        assert_eq!(field.message, "A PPPoE user named \"ana\" already exists.");
    }
}

//! What a workflow answers when it cannot do what was asked.

use headend_secrets::SecretError;
use headend_store::StoreError;

/// The input a message is about, named as the console's forms name their
/// fields (the CLI names the flag instead).
pub type Field = &'static str;

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// Input the operator can correct. Messages are lower-case clauses
    /// without a final period: the console makes sentences of them, the
    /// CLI prints them after `headend: `.
    #[error("{message}")]
    Invalid { field: Option<Field>, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("{what}: {source}")]
    Keyring {
        what: &'static str,
        #[source]
        source: SecretError,
    },
    /// The OLT or its engine refused or failed.
    #[error(transparent)]
    Olt(#[from] headend_pon::OltEngineError),
    /// FreeRADIUS's database could not be reached or refused.
    #[error(transparent)]
    RadiusDb(#[from] headend_radius_db::RadiusDbError),
    /// A router could not be reached or refused.
    #[error("{0}")]
    Router(String),
    /// A blocking call stopped before it answered.
    #[error("{0}")]
    Interrupted(String),
    /// A file could not be read or written; says which and why.
    #[error("{0}")]
    File(String),
    /// A router or an OLT was not added (or not wholly taken out again)
    /// because the keyring would not keep its password; says which.
    #[error("{0}")]
    NotAdded(String),
}

impl WorkflowError {
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        Self::Invalid { field: Some(field), message: message.into() }
    }

    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::Invalid { field, .. } => *field,
            _ => None,
        }
    }
}

/// Store errors the operator can act on are input errors; the rest stay
/// the store's.
impl From<StoreError> for WorkflowError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate { .. } | StoreError::InUse { .. } | StoreError::Invalid(_) => {
                Self::Invalid { field: None, message: err.to_string() }
            }
            StoreError::DuplicateUser { .. } => Self::Invalid { field: Some("username"), message: err.to_string() },
            StoreError::NotFound(_) => Self::NotFound(err.to_string()),
            other => Self::Store(other),
        }
    }
}

/// A name another row has is about the form's name field; any other store
/// error as `From` maps it.
pub(crate) fn name_taken(err: StoreError) -> WorkflowError {
    match err {
        StoreError::Duplicate { .. } => WorkflowError::invalid("name", err.to_string()),
        other => other.into(),
    }
}

//! Errors: what a parser could not read, and what went wrong talking to an
//! OLT. Every failure the OLT or the network can cause is one of these;
//! nothing from outside the process can make this crate panic.

use std::time::Duration;

use crate::types::{PonPort, SerialNumber};

/// A parser met text it does not understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {what}: {reason}{}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
pub struct ParseError {
    /// Which reply (`huawei autofind`, `zte onu state`, …).
    pub what: &'static str,
    /// 1-based line of the reply, when one line is to blame.
    pub line: Option<usize>,
    pub reason: String,
}

impl ParseError {
    pub fn new(what: &'static str, reason: impl Into<String>) -> Self {
        ParseError { what, line: None, reason: reason.into() }
    }

    pub fn at(what: &'static str, line: usize, reason: impl Into<String>) -> Self {
        ParseError { what, line: Some(line), reason: reason.into() }
    }
}

/// Why an operation on an OLT failed.
#[derive(Debug, thiserror::Error)]
pub enum OltError {
    /// TCP or SSH could not be set up (refused, unreachable, handshake).
    #[error("cannot connect to {host}:{port}: {reason}")]
    Connect { host: String, port: u16, reason: String },

    /// The OLT refused the user name and password or key.
    #[error("the OLT refused the login of {user:?}")]
    AuthFailed { user: String },

    /// The OLT's SSH host key is not the one pinned for it. Someone may be
    /// in the middle, or the OLT was replaced or re-keyed: an operator must
    /// look, and re-pin if it is expected.
    #[error(
        "the OLT's SSH host key changed: pinned {expected}, the OLT now presents {observed}; \
         refusing to connect (re-pin it only if the OLT was replaced or re-keyed)"
    )]
    HostKeyChanged { expected: String, observed: String },

    /// No prompt came back in time.
    #[error("no answer to {command:?} within {after:?}")]
    Timeout { command: String, after: Duration },

    /// The OLT answered the command with an error message.
    #[error("the OLT refused {command:?}: {message}")]
    Refused { command: String, message: String },

    /// The reply was not what the command prints.
    #[error("unexpected reply to {command:?}: {source}")]
    Parse {
        command: String,
        #[source]
        source: ParseError,
    },

    /// The request cannot be turned into commands (a missing profile, a
    /// description the CLI would misread, …). Nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The connection closed or the shell ended.
    #[error("the SSH session ended: {0}")]
    Closed(String),

    /// A reply grew past the limit (a runaway output or a wrong pager).
    #[error("the reply to {command:?} exceeded {limit} bytes")]
    ReplyTooLarge { command: String, limit: usize },

    /// A registration failed after the OLT may have applied its
    /// registering command, and removing the ONU again failed too (the
    /// OLT could not be reached): it may be registered, half-configured,
    /// and out of autofind.
    #[error("{cause}; ONU {serial} may be left half-registered on port {port} (removing it failed: {undo})")]
    HalfRegistered { port: PonPort, serial: SerialNumber, cause: Box<OltError>, undo: Box<OltError> },

    /// The SSH key given for the login could not be read.
    #[error("the SSH key cannot be used: {0}")]
    BadKey(String),
}

impl OltError {
    /// True when retrying later may help (network, timeouts, a
    /// half-registered ONU, which is removed before the retry); false when
    /// the OLT or the request said no.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            OltError::Connect { .. } | OltError::Timeout { .. } | OltError::Closed(_) | OltError::HalfRegistered { .. }
        )
    }
}

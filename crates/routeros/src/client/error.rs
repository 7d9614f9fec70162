//! The errors of the async client.

use std::io;
use std::time::Duration;

use thiserror::Error;

use super::tls::CertificatePin;
use crate::{ProtocolError, TrapCategory, Value};

/// Everything a call to a router can end with, other than success.
///
/// Messages never carry passwords: the only text quoted from the router is
/// a trap message, a fatal reason or a login refusal.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The TCP connection could not be made (refused, unreachable, name
    /// not resolved).
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// `host:port` as given.
        addr: String,
        /// The socket error.
        #[source]
        source: io::Error,
    },

    /// The TLS handshake failed for another reason than the pin.
    #[error("TLS handshake with {addr} failed: {message}")]
    Tls {
        /// `host:port` as given.
        addr: String,
        /// What rustls reported.
        message: String,
    },

    /// The router presented another certificate than the pinned one. Either
    /// the router's certificate was replaced (re-pin after checking) or
    /// someone is in the middle.
    #[error("the router's TLS certificate changed: pinned {expected}, presented {actual}")]
    CertificateChanged {
        /// The pin the caller stored.
        expected: CertificatePin,
        /// The fingerprint of the certificate the router presented.
        actual: CertificatePin,
    },

    /// The router refused the user name or password.
    #[error("login refused by the router: {message}")]
    LoginFailed {
        /// The router's own message, e.g. `invalid user name or password
        /// (6)`.
        message: String,
    },

    /// The router answered the command with `!trap`. The connection stays
    /// usable.
    #[error("the router refused the command: {message}")]
    Trap {
        /// `=category=`, when the router sent one.
        category: Option<TrapCategory>,
        /// `=message=`, e.g. `failure: secret with the same name already
        /// exists`.
        message: Value,
    },

    /// The connection is gone; every command in flight ends with this.
    #[error("connection lost: {0}")]
    Disconnected(#[from] Disconnect),

    /// No answer in time. For a command, the client sent `/cancel` for it
    /// and the connection stays usable.
    #[error("no answer from the router within {after:?} ({what})")]
    Timeout {
        /// What was being waited for: `connect`, `command`, `cancel`.
        what: &'static str,
        /// The limit in force.
        after: Duration,
    },

    /// A command returned more `!re` items than [`ConnectOptions::max_items`]
    /// (`super::ConnectOptions`), or a stream's reader fell that many items
    /// behind. The command was cancelled on the router; the connection
    /// stays usable.
    #[error(
        "the router sent more than {limit} items for one command (or a watcher fell that far behind); the command \
         was cancelled"
    )]
    TooManyItems {
        /// The limit in force.
        limit: usize,
    },

    /// A command that cannot be encoded (an empty or malformed name).
    #[error("cannot encode the command: {0}")]
    Encode(#[source] ProtocolError),

    /// An HTTP answer of the REST API that is neither a success nor one
    /// of the errors that map to the binary API's (a `400` with a detail is
    /// a [`ClientError::Trap`], a `401` a [`ClientError::LoginFailed`], a
    /// `404` from RouterOS a [`ClientError::Trap`] `no such item`): a `5xx`,
    /// a `404` from a web server without REST (RouterOS before 7.1), ...
    #[error("HTTP {status} from the router: {message}{}", detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Http {
        /// The HTTP status code.
        status: u16,
        /// RouterOS's `message` (`Bad Request`), or the status' reason.
        message: String,
        /// RouterOS's `detail`, when it sent one.
        detail: Option<String>,
    },

    /// The router answered, but not in the expected shape (an `add`
    /// without `=ret=`, a login challenge that is not hex, a missing
    /// `.id`).
    #[error("unexpected answer from the router: {0}")]
    UnexpectedReply(String),
}

impl ClientError {
    /// The trap message, when this is a [`ClientError::Trap`].
    #[must_use]
    pub fn trap_message(&self) -> Option<&Value> {
        match self {
            Self::Trap { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Whether trying again later (on a new connection) may succeed:
    /// network failures and timeouts, yes; a refused login, a changed
    /// certificate or a trap, no.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Tls { .. } | Self::Disconnected(_) | Self::Timeout { .. } => true,
            // Server errors and "too many requests" may pass.
            Self::Http { status, .. } => *status >= 500 || *status == 429,
            Self::CertificateChanged { .. }
            | Self::LoginFailed { .. }
            | Self::Trap { .. }
            | Self::Encode(_)
            | Self::TooManyItems { .. }
            | Self::UnexpectedReply(_) => false,
        }
    }
}

/// Why a connection ended. Cheap to clone: every command in flight gets a
/// copy.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Disconnect {
    /// The router closed the connection between two sentences.
    #[error("the router closed the connection")]
    Closed,
    /// The router closed the connection in the middle of a sentence.
    #[error("the router closed the connection in the middle of a reply")]
    ClosedMidReply,
    /// The router sent `!fatal` (e.g. `session terminated on request`).
    #[error("the router ended the session: {0}")]
    Fatal(Value),
    /// The router sent bytes that are not the API protocol.
    #[error("malformed data from the router: {0}")]
    Protocol(ProtocolError),
    /// A socket error.
    #[error("{kind:?}: {message}")]
    Io {
        /// The kind of the `io::Error`.
        kind: io::ErrorKind,
        /// Its text.
        message: String,
    },
    /// The router stopped answering keepalive probes.
    #[error("the router stopped answering keepalive probes")]
    KeepaliveTimeout,
    /// This side closed the connection ([`Client::close`](super::Client::close)
    /// or the last handle dropped).
    #[error("the connection was closed by this client")]
    ClientClosed,
}

impl Disconnect {
    pub(crate) fn io(err: &io::Error) -> Self {
        Self::Io { kind: err.kind(), message: err.to_string() }
    }
}

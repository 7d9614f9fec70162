//! The async API client (tokio): plain TCP (8728) and TLS (8729), both
//! logins, many tagged commands in flight on one connection, streaming
//! `listen`/`follow` with `/cancel`, timeouts, keepalive, and a
//! reconnecting [`Session`].
//!
//! # Architecture invariants
//!
//! - One connection is owned by two tasks: a writer that drains a queue of
//!   encoded commands (coalescing whatever is queued into one write and one
//!   flush) and a reader that feeds the sans-IO [`Decoder`](crate::Decoder)
//!   and routes each reply, by its `.tag`, to the command that asked for
//!   it. Callers never touch the socket.
//! - Every command gets a fresh tag; replies for tags nobody waits for any
//!   more (a cancelled stream, a timed-out call) are dropped.
//! - Per-command reply queues are unbounded: a slow reader of a big
//!   `listen` holds memory, but never stalls the other commands of the
//!   connection (the reader task never waits on a consumer).
//! - The client never resends a command by itself: a write may or may not
//!   have happened when its connection died. [`Session`] reconnects; the
//!   caller decides what to re-read or retry.
//! - Whatever the router does (garbage, `!fatal`, closing mid-reply,
//!   silence), every waiting command ends with a typed [`ClientError`]:
//!   the reader closes the connection on the first framing error and hands
//!   the reason to everyone; timeouts and keepalive cover silence.
//! - Passwords only leave this module on the wire: [`Password`] has a
//!   redacted `Debug`, and errors never quote attribute values.

mod connection;
mod error;
mod login;
mod session;
mod stream;
pub(crate) mod tls;

use std::fmt;
use std::time::Duration;

pub use connection::{Client, Response};
pub use error::{ClientError, Disconnect};
pub use login::{LoginMethod, challenge_response};
pub use session::{Backoff, Session};
pub use stream::ReplyStream;
pub use tls::{CertificatePin, InvalidPin, TlsTrust, crypto_provider};

use crate::{Limits, Value};

/// A password: bytes, shown as `<redacted>` by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Value);

impl Password {
    /// Wrap a password.
    pub fn new(password: impl Into<Value>) -> Self {
        Self(password.into())
    }

    /// The password itself, to put on the wire.
    #[must_use]
    pub fn expose(&self) -> &Value {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl<T: Into<Value>> From<T> for Password {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

/// Plain TCP or TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// The `api` service, TCP 8728 by default.
    Plain,
    /// The `api-ssl` service, TCP 8729 by default, trusted by pin.
    Tls(TlsTrust),
}

impl Transport {
    /// The router's default port for this transport.
    #[must_use]
    pub fn default_port(self) -> u16 {
        match self {
            Self::Plain => 8728,
            Self::Tls(_) => 8729,
        }
    }
}

/// Idle probing of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// After this long without a byte from the router, send a probe
    /// (`/system/identity/print`).
    pub idle: Duration,
    /// A probe not answered within this closes the connection with
    /// [`Disconnect::KeepaliveTimeout`].
    pub timeout: Duration,
}

impl Default for Keepalive {
    fn default() -> Self {
        Self { idle: Duration::from_secs(30), timeout: Duration::from_secs(10) }
    }
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Host name or IP address.
    pub host: String,
    /// Port; `None` for the transport's default.
    pub port: Option<u16>,
    /// Plain or TLS.
    pub transport: Transport,
    /// User name (bytes: RouterOS allows any).
    pub username: Value,
    /// Password.
    pub password: Password,
    /// Limit on TCP connect, TLS handshake and login together. Default
    /// 10 s.
    pub connect_timeout: Duration,
    /// Limit on each command, from sending to `!done`. Default 30 s.
    /// Streams have none (a `listen` may be silent for hours); keepalive
    /// watches them.
    pub command_timeout: Duration,
    /// Idle probing; `None` to turn it off. Default on (30 s / 10 s).
    pub keepalive: Option<Keepalive>,
    /// What the decoder accepts from the router.
    pub limits: Limits,
    /// The most `!re` items one command may return, and the most a
    /// stream's reader may leave unread. Past it the command is cancelled
    /// on the router and ends with [`ClientError::TooManyItems`]: memory
    /// stays bounded whatever a router (or a slow watcher) does. Default
    /// 1,000,000, far above any real table (50,000 secrets is a large
    /// router).
    pub max_items: usize,
}

impl ConnectOptions {
    /// Plain API to `host` with these credentials and the defaults.
    pub fn new(host: impl Into<String>, username: impl Into<Value>, password: impl Into<Password>) -> Self {
        Self {
            host: host.into(),
            port: None,
            transport: Transport::Plain,
            username: username.into(),
            password: password.into(),
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(30),
            keepalive: Some(Keepalive::default()),
            limits: Limits::default(),
            max_items: 1_000_000,
        }
    }

    /// Use this port.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Use TLS, trusting the certificate by `trust`.
    #[must_use]
    pub fn tls(mut self, trust: TlsTrust) -> Self {
        self.transport = Transport::Tls(trust);
        self
    }

    /// Set the per-command timeout.
    #[must_use]
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Set the connect (TCP + TLS + login) timeout.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Set the most items one command may return or leave unread
    /// ([`ConnectOptions::max_items`]).
    #[must_use]
    pub fn max_items(mut self, max: usize) -> Self {
        self.max_items = max;
        self
    }

    /// Set or turn off keepalive.
    #[must_use]
    pub fn keepalive(mut self, keepalive: Option<Keepalive>) -> Self {
        self.keepalive = keepalive;
        self
    }

    /// The port in force.
    #[must_use]
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(self.transport.default_port())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_never_shown() {
        let opts = ConnectOptions::new("127.0.0.1", "admin", "hunter2");
        let shown = format!("{opts:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(opts.effective_port(), 8728);
        let tls = opts.tls(TlsTrust::PinOnFirstUse);
        assert_eq!(tls.effective_port(), 8729);
    }
}

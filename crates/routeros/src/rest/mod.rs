//! The REST client (feature `rest`, on by default): the typed operations
//! of [`RouterApi`](crate::ops::RouterApi) over RouterOS 7's REST API, for
//! routers where only `www-ssl` is open.
//!
//! # The mapping
//!
//! | operation | request |
//! | --- | --- |
//! | list a menu | `GET /rest/<menu>` |
//! | one item | `GET /rest/<menu>/<id>` |
//! | add | `PUT /rest/<menu>` (answers the new item) |
//! | set, enable, disable | `PATCH /rest/<menu>/<id>` |
//! | remove | `DELETE /rest/<menu>/<id>` |
//! | kick a session | `POST /rest/ppp/active/remove` `{".id": ...}` |
//! | filtered print, count | `POST /rest/<menu>/print` `{".proplist", ".query", "count-only"}` |
//! | any command | `POST /rest/<path>` ([`RestClient::run`]) |
//!
//! Basic authentication on every request. Errors come as
//! `{"error": 400, "message": "Bad Request", "detail": "..."}` and map to
//! the binary API's shapes, so callers treat both transports alike: a
//! refused command (`400`) is [`ClientError::Trap`] with the detail as its
//! message, a missing item (`404`) is the trap `no such item`, `401` is
//! [`ClientError::LoginFailed`]; anything else is [`ClientError::Http`].
//!
//! # Differences from the binary API
//!
//! - **No streaming.** RouterOS REST has no `listen`:
//!   [`watch_ppp_active`](crate::ops::RouterApi::watch_ppp_active) polls
//!   `/ppp/active` every [`RestOptions::poll_interval`] (1 s by default)
//!   and reports what changed (a new session or one whose name, address,
//!   caller-id, service or session-id changed: `Up`; a vanished one:
//!   `Gone`). Counters and uptime do not make events, and a session that
//!   comes and goes between two polls is never seen.
//! - **No pipelining.** HTTP/1.1 answers one request at a time per
//!   connection, so [`apply`](crate::ops::RouterApi::apply) sends its
//!   writes as concurrent requests over a keep-alive pool of up to
//!   [`RestOptions::max_connections`] connections (16 by default), results
//!   in order. A thousand adds cost about a thousand / 16 round trips
//!   instead of a handful.
//! - **Text, not bytes.** JSON carries text: values that are not UTF-8
//!   (Windows-1252 names on old routers) are read and written as their
//!   Windows-1252 reading, not byte for byte.
//! - **HTTPS only,** with the binary client's pinning ([`TlsTrust`]): the
//!   first connection pins (or checks) the certificate and every later
//!   connection of the pool must present the same one.
//!
//! # Why hyper and not reqwest
//!
//! reqwest's rustls features bring either aws-lc (cmake, a slow cold
//! build) or the platform verifier, and we trust by pin, not by CA. hyper's
//! bare HTTP/1 client connection with tokio-rustls and ring is what is
//! left once those are dropped, plus a forty-line pool.

mod api;
mod json;
mod pool;
mod watch;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;

pub use json::basic_authorization;
pub use watch::RestActiveWatch;

use crate::client::{CertificatePin, ClientError, Password, Response, TlsTrust};
use crate::ops::ItemId;
use crate::{Attributes, Command, Value};
use pool::Pool;

/// Where and how to reach a router's REST API.
#[derive(Debug, Clone)]
pub struct RestOptions {
    /// Host name or IP address.
    pub host: String,
    /// Port; `None` for `www-ssl`'s 443.
    pub port: Option<u16>,
    /// User name.
    pub username: Value,
    /// Password.
    pub password: Password,
    /// How to trust the router's certificate.
    pub trust: TlsTrust,
    /// Limit on TCP connect plus TLS handshake of each connection.
    /// Default 10 s.
    pub connect_timeout: Duration,
    /// Limit on each request, from waiting for a free connection to the
    /// end of the answer. Default 30 s.
    pub request_timeout: Duration,
    /// Connections (and so requests in flight) at most. Default 16.
    pub max_connections: usize,
    /// How often the session watch polls `/ppp/active`. Default 1 s.
    pub poll_interval: Duration,
    /// Largest answer accepted, in bytes. Default 64 MiB.
    pub max_body: usize,
}

impl RestOptions {
    /// HTTPS to `host:443`, pinning on first use, with the defaults.
    pub fn new(host: impl Into<String>, username: impl Into<Value>, password: impl Into<Password>) -> Self {
        Self {
            host: host.into(),
            port: None,
            username: username.into(),
            password: password.into(),
            trust: TlsTrust::PinOnFirstUse,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 16,
            poll_interval: Duration::from_secs(1),
            max_body: 64 << 20,
        }
    }

    /// Use this port.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Trust the certificate by `trust`.
    #[must_use]
    pub fn trust(mut self, trust: TlsTrust) -> Self {
        self.trust = trust;
        self
    }

    /// Set the connect timeout.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Set the per-request timeout.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Set the number of connections (at least 1).
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Set the session watch's polling interval.
    #[must_use]
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every;
        self
    }

    /// The port in force.
    #[must_use]
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(443)
    }
}

struct Inner {
    pool: Pool,
    poll_interval: Duration,
    max_connections: usize,
}

/// A router's REST API. Cheap to clone; clones share the connections,
/// which close when the last clone is dropped.
#[derive(Clone)]
pub struct RestClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("peer", &self.inner.pool.addr)
            .field("pin", &self.inner.pool.pin())
            .finish_non_exhaustive()
    }
}

/// `/rest` followed by an API path (`/ppp/secret`).
fn rest_path(path: &str) -> String {
    format!("/rest{path}")
}

fn item_path(path: &str, id: &ItemId) -> String {
    format!("/rest{path}/{}", json::segment(id.as_value()))
}

impl RestClient {
    /// Open the first connection (checking or pinning the certificate)
    /// and check the credentials with a read of `/system/identity`, so a
    /// wrong password is [`ClientError::LoginFailed`] here, as with the
    /// binary API.
    pub async fn connect(options: RestOptions) -> Result<Self, ClientError> {
        let pool = Pool::new(&options)?;
        pool.warm_up().await?;
        let client = Self {
            inner: Arc::new(Inner {
                pool,
                poll_interval: options.poll_interval,
                max_connections: options.max_connections.max(1),
            }),
        };
        client.get("/system/identity").await?;
        tracing::debug!(peer = %client.peer(), "REST connected");
        Ok(client)
    }

    /// The fingerprint of the router's certificate: what to store after a
    /// [`TlsTrust::PinOnFirstUse`] connection.
    #[must_use]
    pub fn certificate_pin(&self) -> Option<CertificatePin> {
        self.inner.pool.pin()
    }

    /// `host:port` of the router.
    #[must_use]
    pub fn peer(&self) -> &str {
        &self.inner.pool.addr
    }

    /// The session watch's polling interval.
    #[must_use]
    pub fn poll_interval(&self) -> Duration {
        self.inner.poll_interval
    }

    /// Close the connections: later requests fail with
    /// [`Disconnect::ClientClosed`](crate::client::Disconnect::ClientClosed);
    /// requests in flight finish. (Dropping the last clone closes them
    /// too.)
    pub fn close(&self) {
        self.inner.pool.close();
    }

    /// Whether [`RestClient::close`] was called.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.inner.pool.is_closed()
    }

    /// Connections opened so far (for tests and benchmarks).
    #[must_use]
    pub fn connections_opened(&self) -> u64 {
        self.inner.pool.opened()
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Option<serde_json::Value>, ClientError> {
        let body = body.map(json::to_bytes).map(Bytes::from).unwrap_or_default();
        let answer = self.inner.pool.send(method, path, body).await?;
        if !answer.status.is_success() {
            return Err(json::error(
                answer.status.as_u16(),
                answer.status.canonical_reason().unwrap_or("error"),
                &answer.body,
            ));
        }
        json::parse(&answer.body)
    }

    /// `GET /rest<path>`: every item of a menu, or the one item of a
    /// single-item menu (`/system/resource`).
    pub async fn get(&self, path: &str) -> Result<Vec<Attributes>, ClientError> {
        let json = self.request(Method::GET, &rest_path(path), None).await?;
        json::items(json.as_ref())
    }

    /// `GET /rest<path>/<id>`: one item.
    pub async fn get_item(&self, path: &str, id: &ItemId) -> Result<Attributes, ClientError> {
        let json = self.request(Method::GET, &item_path(path, id), None).await?;
        first(json::items(json.as_ref())?)
    }

    /// `PUT /rest<path>`: add an item; the answer is the new item.
    pub async fn add(&self, path: &str, attrs: &Attributes) -> Result<Attributes, ClientError> {
        let body = json::object(attrs);
        let json = self.request(Method::PUT, &rest_path(path), Some(body)).await?;
        first(json::items(json.as_ref())?)
    }

    /// `PATCH /rest<path>/<id>`: change properties of an item; the answer
    /// is the item (when the router sends it).
    pub async fn set(&self, path: &str, id: &ItemId, attrs: &Attributes) -> Result<Option<Attributes>, ClientError> {
        let body = json::object(attrs);
        let json = self.request(Method::PATCH, &item_path(path, id), Some(body)).await?;
        Ok(json::items(json.as_ref())?.into_iter().next())
    }

    /// `DELETE /rest<path>/<id>`: remove an item.
    pub async fn remove(&self, path: &str, id: &ItemId) -> Result<(), ClientError> {
        self.request(Method::DELETE, &item_path(path, id), None).await?;
        Ok(())
    }

    /// `POST /rest<command path>` with the command's attributes,
    /// `.proplist` and `.query` as the body: any API command (`print` with
    /// queries, `/ppp/active/remove`, `/system/reboot`...). The answer's
    /// list is [`Response::items`], a `{"ret": ...}` is [`Response::ret`].
    /// The command's tag is ignored.
    pub async fn run(&self, command: &Command) -> Result<Response, ClientError> {
        let body = json::command_body(command)?;
        let path = command
            .path()
            .to_str()
            .ok_or_else(|| ClientError::UnexpectedReply("a command path that is not UTF-8".into()))?;
        let json = self.request(Method::POST, &rest_path(path), Some(body)).await?;
        let mut response = Response::default();
        match json::ret(json.as_ref()) {
            Some(ret) => response.ret = Some(ret),
            None => {
                response.items = json::items(json.as_ref())?;
                response.empty = response.items.is_empty();
            }
        }
        Ok(response)
    }

    /// [`RestClient::run`]'s items.
    pub async fn call(&self, command: &Command) -> Result<Vec<Attributes>, ClientError> {
        Ok(self.run(command).await?.items)
    }
}

fn first(items: Vec<Attributes>) -> Result<Attributes, ClientError> {
    items.into_iter().next().ok_or_else(|| ClientError::UnexpectedReply("an empty answer where an item was due".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        let options = RestOptions::new("192.0.2.1", "admin", "hunter2");
        let shown = format!("{options:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(options.effective_port(), 443);
        let pool = Pool::new(&options.port(8443)).unwrap();
        assert_eq!(pool.addr, "192.0.2.1:8443");
        let client =
            RestClient { inner: Arc::new(Inner { pool, poll_interval: Duration::from_secs(1), max_connections: 16 }) };
        let shown = format!("{client:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("aHVudGVyMg"), "{shown}");
    }

    #[test]
    fn ids_go_into_paths_escaped() {
        assert_eq!(item_path("/ppp/secret", &ItemId::new("*1A")), "/rest/ppp/secret/*1A");
        assert_eq!(rest_path("/system/resource"), "/rest/system/resource");
    }
}

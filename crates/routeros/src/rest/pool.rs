//! HTTPS connections to one router: a small keep-alive pool of HTTP/1.1
//! connections, each pinned like the binary API's TLS.
//!
//! At most `max_connections` requests are in flight, one per connection
//! (HTTP/1.1 without pipelining); a finished connection goes back to the
//! idle list for the next request. The first connection pins the
//! certificate (or checks the given pin); every later one must present the
//! same certificate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::timeout;
use tracing::{debug, trace};

use super::RestOptions;
use crate::client::tls::{self, CertificatePin, TlsTrust};
use crate::client::{ClientError, Disconnect};

type Sender = SendRequest<Full<Bytes>>;

/// A finished exchange.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
}

/// The pool of one [`RestClient`](super::RestClient).
pub(crate) struct Pool {
    host: String,
    port: u16,
    /// `host:port`, for errors and the `Host` header.
    pub(crate) addr: String,
    authority: HeaderValue,
    authorization: HeaderValue,
    /// `PinOnFirstUse` until the first connection, then `Pinned`.
    trust: Mutex<TlsTrust>,
    pin: Mutex<Option<CertificatePin>>,
    idle: Mutex<Vec<Sender>>,
    permits: Semaphore,
    connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    max_body: usize,
    opened: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn display_addr(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// A hyper error as the binary client would say it; `in_body`: while
/// reading the answer's body (an end of stream there is mid-reply).
fn lost(err: &hyper::Error, in_body: bool) -> ClientError {
    let reason = if err.is_incomplete_message() {
        Disconnect::ClosedMidReply
    } else if err.is_closed() || err.is_canceled() {
        Disconnect::Closed
    } else {
        let mut source = std::error::Error::source(err);
        loop {
            match source {
                Some(e) => match e.downcast_ref::<std::io::Error>() {
                    // TLS without close_notify: the router hung up.
                    Some(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                        break if in_body { Disconnect::ClosedMidReply } else { Disconnect::Closed };
                    }
                    Some(io) => break Disconnect::io(io),
                    None => source = e.source(),
                },
                None => {
                    break Disconnect::Io { kind: std::io::ErrorKind::Other, message: err.to_string() };
                }
            }
        }
    };
    ClientError::Disconnected(reason)
}

impl Pool {
    pub(crate) fn new(options: &RestOptions) -> Result<Self, ClientError> {
        let port = options.effective_port();
        let addr = display_addr(&options.host, port);
        let authority = HeaderValue::from_str(&addr)
            .map_err(|_| ClientError::UnexpectedReply(format!("unusable host name {addr:?}")))?;
        let mut authorization = HeaderValue::from_str(&super::json::basic_authorization(
            options.username.as_bytes(),
            options.password.expose().as_bytes(),
        ))
        .map_err(|_| ClientError::UnexpectedReply("unusable credentials".into()))?;
        authorization.set_sensitive(true);
        let max = options.max_connections.max(1);
        Ok(Self {
            host: options.host.clone(),
            port,
            addr,
            authority,
            authorization,
            trust: Mutex::new(options.trust),
            pin: Mutex::new(None),
            idle: Mutex::new(Vec::with_capacity(max)),
            permits: Semaphore::new(max),
            connect_timeout: options.connect_timeout,
            request_timeout: options.request_timeout,
            max_body: options.max_body,
            opened: AtomicU64::new(0),
        })
    }

    /// The fingerprint of the router's certificate, once a connection was
    /// made.
    pub(crate) fn pin(&self) -> Option<CertificatePin> {
        *lock(&self.pin)
    }

    /// Connections opened so far.
    pub(crate) fn opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    /// Refuse new requests and drop the idle connections; requests in
    /// flight finish.
    pub(crate) fn close(&self) {
        self.permits.close();
        lock(&self.idle).clear();
    }

    /// Whether [`Pool::close`] was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.permits.is_closed()
    }

    /// Open one connection now (and pin), and keep it for the next request.
    pub(crate) async fn warm_up(&self) -> Result<(), ClientError> {
        let sender = self.open().await?;
        lock(&self.idle).push(sender);
        Ok(())
    }

    async fn open(&self) -> Result<Sender, ClientError> {
        let trust = *lock(&self.trust);
        let limit = self.connect_timeout;
        let connect = async {
            let tcp = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|source| ClientError::Connect { addr: self.addr.clone(), source })?;
            let _ = tcp.set_nodelay(true);
            let (stream, pin) = tls::handshake(tcp, &self.host, &self.addr, trust, &[b"http/1.1"]).await?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(|e| lost(&e, false))?;
            let peer = self.addr.clone();
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    debug!(%peer, %err, "REST connection ended");
                }
            });
            Ok::<_, ClientError>((sender, pin))
        };
        let (sender, pin) = match timeout(limit, connect).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(ClientError::Timeout { what: "connect", after: limit });
            }
        };
        self.opened.fetch_add(1, Ordering::Relaxed);
        if let Some(pin) = pin {
            // Every later connection must present the same certificate.
            *lock(&self.trust) = TlsTrust::Pinned(pin);
            lock(&self.pin).get_or_insert(pin);
        }
        trace!(peer = %self.addr, "REST connection opened");
        Ok(sender)
    }

    fn request(&self, method: &Method, path: &str, body: &Bytes) -> Result<Request<Full<Bytes>>, ClientError> {
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(HOST, self.authority.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, "application/json");
        if !body.is_empty() {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        builder
            .body(Full::new(body.clone()))
            .map_err(|e| ClientError::UnexpectedReply(format!("cannot make the request: {e}")))
    }

    /// One request, within the request timeout (waiting for a free
    /// connection included).
    pub(crate) async fn send(&self, method: Method, path: &str, body: Bytes) -> Result<Answer, ClientError> {
        let limit = self.request_timeout;
        match timeout(limit, self.send_inner(&method, path, &body)).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout { what: "request", after: limit }),
        }
    }

    async fn send_inner(&self, method: &Method, path: &str, body: &Bytes) -> Result<Answer, ClientError> {
        let _permit = self.permits.acquire().await.map_err(|_| ClientError::Disconnected(Disconnect::ClientClosed))?;
        trace!(%method, path, "REST request");
        // A kept connection the router closed meanwhile is replaced; a
        // request is only sent again when it never left (or is a GET).
        let mut attempts = 0;
        loop {
            attempts += 1;
            let kept = lock(&self.idle).pop();
            let reused = kept.is_some();
            let mut sender = match kept {
                Some(sender) => sender,
                None => self.open().await?,
            };
            if sender.ready().await.is_err() {
                if reused && attempts < 3 {
                    continue;
                }
                return Err(ClientError::Disconnected(Disconnect::Closed));
            }
            let response = match sender.try_send_request(self.request(method, path, body)?).await {
                Ok(response) => response,
                Err(mut err) => {
                    let unsent = err.take_message().is_some();
                    let retry = reused && (unsent || *method == Method::GET) && attempts < 3;
                    if retry {
                        continue;
                    }
                    return Err(lost(err.error(), false));
                }
            };
            let status = response.status();
            let collected = Limited::new(response.into_body(), self.max_body).collect().await;
            let body = match collected {
                Ok(collected) => collected.to_bytes(),
                Err(err) => {
                    return Err(if err.downcast_ref::<LengthLimitError>().is_some() {
                        ClientError::UnexpectedReply(format!("an answer larger than {} bytes", self.max_body))
                    } else if let Some(err) = err.downcast_ref::<hyper::Error>() {
                        lost(err, true)
                    } else {
                        ClientError::Disconnected(Disconnect::Io {
                            kind: std::io::ErrorKind::Other,
                            message: err.to_string(),
                        })
                    });
                }
            };
            if !sender.is_closed() {
                lock(&self.idle).push(sender);
            }
            return Ok(Answer { status, body });
        }
    }
}

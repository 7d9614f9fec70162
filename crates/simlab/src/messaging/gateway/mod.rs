//! [`SimGateway`]: one HTTP/1.1 server on loopback (keep-alive, plain
//! HTTP) that plays the SMS and WhatsApp providers at their paths:
//!
//! | path | provider |
//! | --- | --- |
//! | `POST /2010-04-01/Accounts/{sid}/Messages.json` | Twilio (`twilio.rs`) |
//! | `POST /version1/messaging` | Africa's Talking (`africastalking.rs`) |
//! | `POST /{version}/{phone_number_id}/messages` | WhatsApp Cloud API (`whatsapp.rs`) |
//! | `GET` or `POST /generic/send` | a generic gateway (`generic.rs`) |
//!
//! Each checks the request's shape and credentials as the real one does
//! and answers with its status codes and error bodies; what it accepts is
//! recorded as a [`SimMessage`]. Faults: the next requests answered `503`
//! ([`SimGateway::fail_next`]), numbers refused with each provider's
//! invalid-number error ([`SimGateway::reject_number`]), and latency before
//! every answer ([`SimGateway::set_latency`]).

mod africastalking;
mod generic;
mod twilio;
mod whatsapp;

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use headend_core::messages::settings::{SmsProvider, WhatsappSettings};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::debug;

/// The largest request body read.
const MAX_BODY: usize = 1 << 20;

/// The credentials and ids the simulated providers accept.
#[derive(Debug, Clone)]
pub struct SimGatewayConfig {
    /// Twilio's account SID (in the path and the basic-auth user).
    pub twilio_account_sid: String,
    /// Twilio's auth token (the basic-auth password).
    pub twilio_auth_token: String,
    /// Africa's Talking's `username` form field.
    pub at_username: String,
    /// Africa's Talking's `apiKey` header.
    pub at_api_key: String,
    /// The WhatsApp business phone number's id (in the path).
    pub whatsapp_phone_number_id: String,
    /// The WhatsApp access token (`Authorization: Bearer`).
    pub whatsapp_token: String,
    /// The generic gateway's key: the `key` field (query, form or JSON),
    /// the `X-Api-Key` header or `Authorization: Bearer`.
    pub generic_secret: String,
}

impl Default for SimGatewayConfig {
    fn default() -> Self {
        Self {
            twilio_account_sid: "AC0000000000000000000000000000sim".to_owned(),
            twilio_auth_token: "twilio-auth-token".to_owned(),
            at_username: "sandbox".to_owned(),
            at_api_key: "at-api-key".to_owned(),
            whatsapp_phone_number_id: "106540352242922".to_owned(),
            whatsapp_token: "whatsapp-access-token".to_owned(),
            generic_secret: "generic-secret".to_owned(),
        }
    }
}

/// Which provider took a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimProvider {
    /// Twilio's Messages API.
    Twilio,
    /// Africa's Talking's SMS API.
    AfricasTalking,
    /// The WhatsApp Business Cloud API.
    Whatsapp,
    /// The generic gateway at `/generic/send`.
    Generic,
}

/// A request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRequest {
    /// `GET`, `POST`.
    pub method: String,
    /// The path and query, `/generic/send?to=…`.
    pub path_and_query: String,
    /// Every header, names lowercase, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl SimRequest {
    /// The first value of header `name` (any case).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One message a simulated provider accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimMessage {
    /// Which provider.
    pub provider: SimProvider,
    /// The id the provider answered with.
    pub id: String,
    /// The recipient as sent (`+2547…`; WhatsApp's digits without `+`).
    pub to: String,
    /// The sender (Twilio's `From`, Africa's Talking's `from`).
    pub from: Option<String>,
    /// The text of an SMS.
    pub text: Option<String>,
    /// The WhatsApp template's name.
    pub template: Option<String>,
    /// The WhatsApp template's language code.
    pub language: Option<String>,
    /// The WhatsApp template's body parameters, in order.
    pub parameters: Vec<String>,
    /// The request it came in.
    pub request: SimRequest,
}

#[derive(Debug, Default)]
struct State {
    messages: Vec<SimMessage>,
    requests: u64,
    connections: u64,
    fail_next: usize,
    rejected: BTreeSet<String>,
    latency: Duration,
    next_id: u64,
}

/// Shared by the server's connections.
#[derive(Debug)]
pub(crate) struct Core {
    config: SimGatewayConfig,
    state: Mutex<State>,
    shutdown: watch::Sender<bool>,
}

impl Core {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `number` is refused ([`SimGateway::reject_number`]); `+`
    /// ignored, as WhatsApp sends none.
    pub(crate) fn rejects(&self, number: &str) -> bool {
        self.lock().rejected.contains(number.trim_start_matches('+'))
    }

    /// Record an accepted message, its id made by `id` from the next
    /// sequence number; answer the id.
    pub(crate) fn accept(&self, mut message: SimMessage, id: impl Fn(u64) -> String) -> String {
        let mut state = self.lock();
        state.next_id += 1;
        message.id = id(state.next_id);
        let answer = message.id.clone();
        state.messages.push(message);
        answer
    }
}

/// A parsed request handed to a provider.
pub(crate) struct Parsed {
    pub(crate) request: SimRequest,
    /// The path, and the query without its `?`.
    pub(crate) path: String,
    pub(crate) query: Option<String>,
}

impl Parsed {
    /// `application/x-www-form-urlencoded` fields of the body.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.request.body).into_owned().collect()
    }

    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        self.query.as_deref().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
    }

    pub(crate) fn content_type_is(&self, mime: &str) -> bool {
        self.request
            .header("content-type")
            .is_some_and(|ct| ct.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case(mime)))
    }

    pub(crate) fn record(&self, provider: SimProvider, to: &str) -> SimMessage {
        SimMessage {
            provider,
            id: String::new(),
            to: to.to_owned(),
            from: None,
            text: None,
            template: None,
            language: None,
            parameters: Vec::new(),
            request: self.request.clone(),
        }
    }
}

/// The first value of `name` among form pairs.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `+` and 8 to 15 digits.
pub(crate) fn is_e164(number: &str) -> bool {
    number
        .strip_prefix('+')
        .is_some_and(|digits| (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// A provider's answer.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) content_type: &'static str,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(status: StatusCode, body: &Value) -> Self {
        Self { status, content_type: "application/json", body: body.to_string() }
    }

    pub(crate) fn text(status: StatusCode, body: &str) -> Self {
        Self { status, content_type: "text/plain; charset=utf-8", body: body.to_owned() }
    }
}

/// A running simulated gateway. Dropping it stops it and closes its
/// connections.
#[derive(Debug)]
pub struct SimGateway {
    core: Arc<Core>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl SimGateway {
    /// Listen on 127.0.0.1, on a port the system picks.
    pub async fn start(config: SimGatewayConfig) -> io::Result<SimGateway> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let core = Arc::new(Core { config, state: Mutex::new(State::default()), shutdown: watch::channel(false).0 });
        let task = tokio::spawn(accept_loop(listener, core.clone()));
        debug!(%addr, "simulated SMS and WhatsApp gateway started");
        Ok(SimGateway { core, addr, task })
    }

    /// `http://127.0.0.1:PORT`: every provider's base URL.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its address on loopback.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials it accepts.
    #[must_use]
    pub fn config(&self) -> &SimGatewayConfig {
        &self.core.config
    }

    /// Twilio settings that reach it, sending from `from`; the secret is
    /// [`SimGatewayConfig::twilio_auth_token`].
    #[must_use]
    pub fn twilio(&self, from: &str) -> SmsProvider {
        SmsProvider::Twilio {
            base_url: self.base_url(),
            account_sid: self.core.config.twilio_account_sid.clone(),
            from: from.to_owned(),
        }
    }

    /// Africa's Talking settings that reach it; the secret is
    /// [`SimGatewayConfig::at_api_key`].
    #[must_use]
    pub fn africastalking(&self, sender_id: Option<&str>) -> SmsProvider {
        SmsProvider::AfricasTalking {
            base_url: self.base_url(),
            username: self.core.config.at_username.clone(),
            sender_id: sender_id.map(str::to_owned),
        }
    }

    /// WhatsApp settings that reach it; the token is
    /// [`SimGatewayConfig::whatsapp_token`].
    #[must_use]
    pub fn whatsapp(&self) -> WhatsappSettings {
        WhatsappSettings {
            base_url: self.base_url(),
            api_version: WhatsappSettings::DEFAULT_API_VERSION.to_owned(),
            phone_number_id: self.core.config.whatsapp_phone_number_id.clone(),
        }
    }

    /// Every message accepted so far, in order.
    #[must_use]
    pub fn messages(&self) -> Vec<SimMessage> {
        self.core.lock().messages.clone()
    }

    /// How many messages were accepted.
    #[must_use]
    pub fn accepted(&self) -> usize {
        self.core.lock().messages.len()
    }

    /// Requests received, refused and failed ones included.
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.core.lock().requests
    }

    /// Connections accepted: few when clients keep them alive.
    #[must_use]
    pub fn connections(&self) -> u64 {
        self.core.lock().connections
    }

    /// Answer the next `n` requests `503 Service Unavailable`.
    pub fn fail_next(&self, n: usize) {
        self.core.lock().fail_next = n;
    }

    /// Refuse messages to `number` with each provider's invalid-number
    /// error (`+` optional).
    pub fn reject_number(&self, number: &str) {
        self.core.lock().rejected.insert(number.trim().trim_start_matches('+').to_owned());
    }

    /// Wait this long before every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.core.lock().latency = latency;
    }
}

impl Drop for SimGateway {
    fn drop(&mut self) {
        self.task.abort();
        self.core.shutdown.send_replace(true);
    }
}

async fn accept_loop(listener: TcpListener, core: Arc<Core>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        let _ = tcp.set_nodelay(true);
        core.lock().connections += 1;
        let core = core.clone();
        tokio::spawn(async move {
            let mut shutdown = core.shutdown.subscribe();
            let service_core = core.clone();
            let service = service_fn(move |request| {
                let core = service_core.clone();
                async move { Ok::<_, Infallible>(handle(request, &core).await) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .keep_alive(true)
                .serve_connection(TokioIo::new(tcp), service);
            tokio::select! {
                served = connection => {
                    if let Err(err) = served {
                        debug!(%err, "gateway connection ended");
                    }
                }
                _ = shutdown.wait_for(|s| *s) => {}
            }
        });
    }
}

async fn handle(request: Request<Incoming>, core: &Core) -> Response<Full<Bytes>> {
    let (fail, latency) = {
        let mut state = core.lock();
        state.requests += 1;
        let fail = state.fail_next > 0;
        if fail {
            state.fail_next -= 1;
        }
        (fail, state.latency)
    };
    let answer = if fail {
        Answer::text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
    } else {
        route(request, core).await
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = answer.status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(answer.content_type));
    response
}

async fn route(request: Request<Incoming>, core: &Core) -> Answer {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(body) => body.to_bytes().to_vec(),
        Err(_) => return Answer::text(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large"),
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let path_and_query = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let incoming = Parsed {
        request: SimRequest { method: parts.method.as_str().to_owned(), path_and_query, headers, body },
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
    };
    let segments: Vec<&str> = incoming.path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["2010-04-01", "Accounts", sid, "Messages.json"] => twilio::handle(&incoming, sid, core),
        ["version1", "messaging"] => africastalking::handle(&incoming, core),
        [version, phone, "messages"] if version.starts_with('v') => whatsapp::handle(&incoming, phone, core),
        ["generic", "send"] => generic::handle(&incoming, core),
        _ => Answer::text(StatusCode::NOT_FOUND, "Not Found"),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    /// One raw HTTP/1.1 request; the status line and the body.
    async fn send(sim: &SimGateway, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let mut tcp = TcpStream::connect(sim.addr()).await.expect("connect");
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        tcp.write_all(request.as_bytes()).await.expect("write");
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).await.expect("read");
        let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

    #[tokio::test]
    async fn twilio_checks_fields_after_credentials() {
        let sim = SimGateway::start(SimGatewayConfig::default()).await.expect("start");
        let config = sim.config().clone();
        let path = format!("/2010-04-01/Accounts/{}/Messages.json", config.twilio_account_sid);
        let (status, body) = send(&sim, "POST", &path, &[FORM], "To=%2B254711000000&From=%2B1").await;
        assert_eq!(status, 401);
        assert!(body.contains("20003"), "{body}");
        let auth =
            format!("Basic {}", STANDARD.encode(format!("{}:{}", config.twilio_account_sid, config.twilio_auth_token)));
        let (status, body) =
            send(&sim, "POST", &path, &[FORM, ("Authorization", &auth)], "To=%2B254711000000&From=%2B1").await;
        assert_eq!(status, 400);
        assert!(body.contains("21602"), "{body}");
        assert_eq!(sim.requests(), 2);
        assert_eq!(sim.accepted(), 0);
    }

    #[tokio::test]
    async fn malformed_requests_are_refused_as_the_providers_do() {
        let sim = SimGateway::start(SimGatewayConfig::default()).await.expect("start");
        let config = sim.config().clone();
        let bearer = format!("Bearer {}", config.whatsapp_token);
        let path = format!("/v21.0/{}/messages", config.whatsapp_phone_number_id);
        let json = ("Content-Type", "application/json");
        let (status, body) = send(&sim, "POST", &path, &[json, ("Authorization", &bearer)], "{not json").await;
        assert_eq!(status, 400);
        assert!(body.contains("\"code\":100"), "{body}");

        let no_accept = [FORM, ("apiKey", config.at_api_key.as_str())];
        let (status, _) =
            send(&sim, "POST", "/version1/messaging", &no_accept, "username=sandbox&to=%2B254711000000&message=x")
                .await;
        assert_eq!(status, 406);

        let key = [FORM, ("X-Api-Key", config.generic_secret.as_str())];
        let (status, body) = send(&sim, "POST", "/generic/send", &key, "to=%2B254711000000").await;
        assert_eq!((status, body.as_str()), (400, r#"{"error":"to and text are required"}"#));

        assert_eq!(send(&sim, "GET", "/nowhere", &[], "").await.0, 404);
        assert_eq!(sim.accepted(), 0);
    }
}

//! The simulated router's REST API (HTTPS, HTTP/1.1 keep-alive).
//!
//! Each request becomes the API command it stands for and runs through
//! `State::execute` on the same state as the binary API, so the two
//! always agree and refuse the same things with the same messages:
//!
//! | request | command |
//! | --- | --- |
//! | `GET /rest/<menu>[?name=value&.proplist=a,b]` | `<menu>/print` (with `?name=value`) |
//! | `GET /rest/<menu>/<id>` | the item by id (counted as a `print`); none: 404 |
//! | `GET /rest/system/identity`, `/rest/system/resource` | their print, as one object |
//! | `PUT /rest/<menu>` | `<menu>/add`; answers the new item (201) |
//! | `PATCH /rest/<menu>/<id>` | `<menu>/set`; answers the item |
//! | `DELETE /rest/<menu>/<id>` | `<menu>/remove`; 204 |
//! | `POST /rest/<path>` | `<path>` with the body's attributes, `.proplist`, `.query` |
//!
//! Basic authentication with the router's credentials on every request
//! (401 otherwise). A `!trap` answers 400 `{"error":400,"message":"Bad
//! Request","detail":<trap message>}`, except `no such item`: 404
//! `{"error":404,"message":"Not Found"}`. `listen` and `follow` are
//! refused (RouterOS REST has no streaming).
//!
//! The [`Persona::V6`] router has no REST (RouterOS 6 had none): its web
//! server answers every request with a plain `404 Not Found`.
//!
//! Faults: refused connections and latency as for the API; `stall`
//! answers nothing; `close_mid_reply` sends half of each answer's body
//! then closes the connection; the trap share applies to writes, which go
//! through the same counter as the API's. Every request counts in
//! [`SimStats::rest_requests`](super::SimStats::rest_requests) and as one
//! [`SimStats::batches`](super::SimStats::batches) (one round trip); the
//! commands they stand for count as the API's do.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use headend_routeros::rest::basic_authorization;
use headend_routeros::{Attributes, Command, Reply, Sentence, Value, Word};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Map, Value as Json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tracing::{debug, trace};

use super::schema::{Menu, Singleton};
use super::state::ConnId;
use super::{Core, Persona};

/// Largest request body accepted.
const MAX_BODY: usize = 16 << 20;

/// An answer body: all of it, or (the `close_mid_reply` fault) half of it
/// under a `Content-Length` of the whole, then an error that makes hyper
/// drop the connection.
#[derive(Debug)]
pub(crate) struct SimBody {
    data: Option<Bytes>,
    len: u64,
    fail: bool,
    /// A pause after the half, so hyper sends it before the failure.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl SimBody {
    fn full(data: Bytes) -> Self {
        Self { len: data.len() as u64, data: (!data.is_empty()).then_some(data), fail: false, pause: None }
    }

    fn broken(data: Bytes) -> Self {
        let len = data.len() as u64;
        let half = data.slice(..data.len() / 2);
        Self {
            data: (!half.is_empty()).then_some(half),
            len,
            fail: true,
            pause: Some(Box::pin(tokio::time::sleep(Duration::from_millis(20)))),
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(pause) = &mut this.pause {
            std::task::ready!(pause.as_mut().poll(cx));
            this.pause = None;
        }
        if this.fail {
            this.fail = false;
            return Poll::Ready(Some(Err(io::Error::other("simulated close mid-reply"))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.fail
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

/// Serve one HTTPS connection until either side closes it.
pub(crate) async fn serve<S>(io: S, core: Arc<Core>, conn: ConnId)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut shutdown = core.shutdown.subscribe();
    let mut reset = core.reset.subscribe();
    let service_core = core.clone();
    let service = service_fn(move |request| {
        let core = service_core.clone();
        async move { Ok::<_, Infallible>(handle(request, &core, conn).await) }
    });
    let connection =
        http1::Builder::new().timer(TokioTimer::new()).keep_alive(true).serve_connection(TokioIo::new(io), service);
    tokio::select! {
        served = connection => {
            if let Err(err) = served {
                debug!(%err, "REST connection ended");
            }
        }
        _ = shutdown.wait_for(|s| *s) => {}
        _ = reset.changed() => {}
    }
    core.lock().forget_connection(conn);
}

/// A RouterOS-shaped answer before faults.
struct Answer {
    status: StatusCode,
    json: Option<Json>,
}

impl Answer {
    fn ok(json: Json) -> Self {
        Self { status: StatusCode::OK, json: Some(json) }
    }

    fn error(status: StatusCode, detail: Option<String>) -> Self {
        let mut object = Map::new();
        object.insert("error".into(), Json::from(status.as_u16()));
        object.insert("message".into(), Json::from(status.canonical_reason().unwrap_or("Error")));
        if let Some(detail) = detail {
            object.insert("detail".into(), Json::from(detail));
        }
        Self { status, json: Some(Json::Object(object)) }
    }

    fn bad(detail: impl Into<String>) -> Self {
        Self::error(StatusCode::BAD_REQUEST, Some(detail.into()))
    }

    fn not_found() -> Self {
        Self::error(StatusCode::NOT_FOUND, None)
    }
}

async fn handle(request: Request<Incoming>, core: &Core, conn: ConnId) -> Response<SimBody> {
    let (faults, authorized, persona) = {
        let mut state = core.lock();
        state.stats.rest_requests += 1;
        state.stats.batches += 1;
        let expected = basic_authorization(state.username.as_bytes(), state.password.as_bytes());
        let authorized = request.headers().get(AUTHORIZATION).is_some_and(|v| v.as_bytes() == expected.as_bytes());
        if !authorized {
            state.stats.failed_logins += 1;
        }
        (state.faults.clone(), authorized, state.persona)
    };
    if persona == Persona::V6 {
        // RouterOS 6 has no REST: its web server knows no `/rest`.
        let mut response = Response::new(SimBody::full(Bytes::from_static(b"Not Found")));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    }
    let answer = if authorized {
        if faults.stall {
            core.lock().stats.commands += 1;
            std::future::pending::<()>().await;
        }
        route(request, core, conn).await
    } else {
        Answer::error(StatusCode::UNAUTHORIZED, None)
    };
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let bytes = answer.json.map(|json| Bytes::from(json.to_string())).unwrap_or_default();
    let body = if authorized && faults.close_mid_reply {
        SimBody::broken(bytes)
    } else {
        core.lock().stats.reply_batches += 1;
        SimBody::full(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    if answer.status != StatusCode::NO_CONTENT {
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if answer.status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"SimRouter\""));
    }
    response
}

/// `%XX` escapes decoded; anything malformed left as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// A JSON value as RouterOS text (it accepts numbers and booleans too).
fn text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    }
}

fn word(bytes: Vec<u8>) -> Result<Word, Answer> {
    Word::new(bytes).map_err(|e| Answer::bad(e.to_string()))
}

/// Builds an API command from REST pieces, through the codec's own
/// parser (so names are checked as for the binary API).
#[derive(Default)]
struct Builder {
    words: Vec<Word>,
}

impl Builder {
    fn new(path: &str) -> Result<Self, Answer> {
        Ok(Self { words: vec![word(path.as_bytes().to_vec())?] })
    }

    fn attr(&mut self, name: &[u8], value: &[u8]) -> Result<(), Answer> {
        if name.is_empty() || name.contains(&b'=') {
            return Err(Answer::bad(format!("unknown parameter {}", String::from_utf8_lossy(name))));
        }
        let mut w = Vec::with_capacity(name.len() + value.len() + 2);
        w.push(b'=');
        w.extend_from_slice(name);
        w.push(b'=');
        w.extend_from_slice(value);
        self.words.push(word(w)?);
        Ok(())
    }

    fn query(&mut self, query: &[u8]) -> Result<(), Answer> {
        let mut w = Vec::with_capacity(query.len() + 1);
        w.push(b'?');
        w.extend_from_slice(query);
        self.words.push(word(w)?);
        Ok(())
    }

    /// `.proplist`, `.query` and attributes from a JSON body.
    fn body(&mut self, body: &Map<String, Json>) -> Result<(), Answer> {
        for (name, value) in body {
            match (name.as_str(), value) {
                (".proplist", Json::Array(names)) => {
                    let names: Vec<String> = names.iter().filter_map(text).collect();
                    self.attr(b".proplist", names.join(",").as_bytes())?;
                }
                (".query", Json::Array(words)) => {
                    for query in words {
                        let query = text(query).ok_or_else(|| Answer::bad("invalid .query"))?;
                        self.query(query.as_bytes())?;
                    }
                }
                (_, Json::Null) => {}
                _ => {
                    let value = text(value)
                        .ok_or_else(|| Answer::bad(format!("invalid value of {name}: expected a string")))?;
                    self.attr(name.as_bytes(), value.as_bytes())?;
                }
            }
        }
        Ok(())
    }

    fn build(self) -> Result<Command, Answer> {
        let sentence = Sentence::new(self.words).map_err(|e| Answer::bad(e.to_string()))?;
        Command::parse(&sentence).map_err(|e| Answer::bad(e.to_string()))
    }
}

/// What a command gave back.
#[derive(Debug, Default)]
struct Outcome {
    items: Vec<Attributes>,
    ret: Option<Value>,
    trap: Option<Value>,
}

fn run(core: &Core, conn: ConnId, command: &Command) -> Outcome {
    // Streams have no place in REST; this receiver is never read.
    let (events, _) = mpsc::unbounded_channel();
    let replies = core.lock().execute(command, conn, &events);
    let mut outcome = Outcome::default();
    for reply in replies {
        match reply {
            Reply::Re { attrs, .. } => outcome.items.push(attrs),
            Reply::Done { ret, .. } => outcome.ret = ret,
            Reply::Trap { message, .. } => {
                outcome.trap.get_or_insert(message);
            }
            Reply::Empty { .. } | Reply::Fatal { .. } => {}
        }
    }
    outcome
}

fn object(attrs: &Attributes) -> Json {
    Json::Object(
        attrs
            .iter()
            .map(|(name, value)| {
                (name.to_string_lossy_cp1252().into_owned(), Json::from(value.to_string_lossy_cp1252().into_owned()))
            })
            .collect(),
    )
}

fn list(items: &[Attributes]) -> Json {
    Json::Array(items.iter().map(object).collect())
}

/// The answer for a trap: 404 for a missing item, else 400.
fn refused(message: &Value) -> Answer {
    if *message == "no such item" {
        Answer::not_found()
    } else {
        Answer::bad(message.to_string_lossy_cp1252().into_owned())
    }
}

/// Run `command`; a trap becomes the error answer.
fn execute(core: &Core, conn: ConnId, command: &Command) -> Result<Outcome, Answer> {
    let outcome = run(core, conn, command);
    match &outcome.trap {
        Some(message) => Err(refused(message)),
        None => Ok(outcome),
    }
}

/// The one item `id` of `menu`, rendered; `count`: as a request of its
/// own.
fn item(core: &Core, menu: &str, id: &[u8], count: bool) -> Result<Attributes, Answer> {
    core.lock().item(menu, id, count).ok_or_else(Answer::not_found)
}

async fn route(request: Request<Incoming>, core: &Core, conn: ConnId) -> Answer {
    match route_inner(request, core, conn).await {
        Ok(answer) | Err(answer) => answer,
    }
}

async fn body_of(request: Request<Incoming>) -> Result<Map<String, Json>, Answer> {
    let bytes = Limited::new(request.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| Answer::bad(format!("cannot read the request: {e}")))?
        .to_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(&bytes) {
        Ok(Json::Object(object)) => Ok(object),
        Ok(_) => Err(Answer::bad("the body must be a JSON object")),
        Err(e) => Err(Answer::bad(format!("JSON: {e}"))),
    }
}

async fn route_inner(request: Request<Incoming>, core: &Core, conn: ConnId) -> Result<Answer, Answer> {
    let method = request.method().clone();
    let path = percent_decode(request.uri().path());
    let query = request.uri().query().map(str::to_owned);
    let Some(api_path) = path.strip_prefix(b"/rest") else {
        return Err(Answer::not_found());
    };
    let api_path = String::from_utf8(api_path.to_vec()).map_err(|_| Answer::bad("path is not UTF-8"))?;
    let api_path = api_path.trim_end_matches('/').to_owned();
    trace!(%method, path = %api_path, "REST request");
    let (parent, last) = api_path.rsplit_once('/').unwrap_or(("", api_path.as_str()));
    let is_menu = Menu::from_path(api_path.as_bytes()).is_some();
    let is_single = matches!(api_path.as_str(), "/system/identity" | "/system/resource")
        || Singleton::from_path(api_path.as_bytes()).is_some();
    let item_of = Menu::from_path(parent.as_bytes()).is_some().then_some((parent, last));

    match method {
        Method::GET if is_single => {
            let outcome = execute(core, conn, &Builder::new(&format!("{api_path}/print"))?.build()?)?;
            let first = outcome.items.first().cloned().unwrap_or_default();
            Ok(Answer::ok(object(&first)))
        }
        Method::GET if !is_menu && item_of.is_some() => {
            let (menu, id) = item_of.unwrap_or_default();
            Ok(Answer::ok(object(&item(core, menu, id.as_bytes(), true)?)))
        }
        Method::GET => {
            let mut print = Builder::new(&format!("{api_path}/print"))?;
            for pair in query.as_deref().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let (name, value) = (percent_decode(name), percent_decode(value));
                if name == b".proplist" {
                    print.attr(b".proplist", &value)?;
                } else {
                    let mut q = name;
                    q.push(b'=');
                    q.extend_from_slice(&value);
                    print.query(&q)?;
                }
            }
            let outcome = execute(core, conn, &print.build()?)?;
            Ok(Answer::ok(list(&outcome.items)))
        }
        Method::PUT => {
            let body = body_of(request).await?;
            let mut add = Builder::new(&format!("{api_path}/add"))?;
            add.body(&body)?;
            let outcome = execute(core, conn, &add.build()?)?;
            let id = outcome.ret.ok_or_else(|| Answer::bad("no such command"))?;
            let created = item(core, &api_path, id.as_bytes(), false)?;
            Ok(Answer { status: StatusCode::CREATED, json: Some(object(&created)) })
        }
        Method::PATCH => {
            let Some((menu, id)) = item_of else {
                return Err(Answer::bad("no such command"));
            };
            let body = body_of(request).await?;
            let mut set = Builder::new(&format!("{menu}/set"))?;
            set.attr(b".id", id.as_bytes())?;
            set.body(&body)?;
            execute(core, conn, &set.build()?)?;
            Ok(Answer::ok(object(&item(core, menu, id.as_bytes(), false)?)))
        }
        Method::DELETE => {
            let Some((menu, id)) = item_of else {
                return Err(Answer::bad("no such command"));
            };
            let mut remove = Builder::new(&format!("{menu}/remove"))?;
            remove.attr(b".id", id.as_bytes())?;
            execute(core, conn, &remove.build()?)?;
            Ok(Answer { status: StatusCode::NO_CONTENT, json: None })
        }
        Method::POST => {
            let body = body_of(request).await?;
            let mut builder = Builder::new(&api_path)?;
            builder.body(&body)?;
            let command = builder.build()?;
            let args = command.attributes();
            if last == "listen" || args.contains("follow") || args.contains("follow-only") {
                return Err(Answer::bad("streaming commands are not available over REST"));
            }
            let outcome = execute(core, conn, &command)?;
            Ok(Answer::ok(match outcome.ret {
                Some(ret) => {
                    let mut object = Map::new();
                    object.insert("ret".into(), Json::from(ret.to_string_lossy_cp1252().into_owned()));
                    Json::Object(object)
                }
                None => list(&outcome.items),
            }))
        }
        _ => Err(Answer::bad(format!("unsupported method {method}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_routeros_shape() {
        let bad = Answer::bad("failure: secret with the same name already exists");
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            bad.json,
            Some(serde_json::json!({
                "error": 400,
                "message": "Bad Request",
                "detail": "failure: secret with the same name already exists",
            }))
        );
        let missing = Answer::not_found();
        assert_eq!(missing.json, Some(serde_json::json!({"error": 404, "message": "Not Found"})));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%2A1A"), b"*1A");
        assert_eq!(percent_decode("a%20b"), b"a b");
        assert_eq!(percent_decode("100%"), b"100%");
        assert_eq!(percent_decode("%zz"), b"%zz");
    }
}

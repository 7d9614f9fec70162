//! One connection: connect, log in, then a reader task and a writer task
//! shared by every command in flight.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, timeout, timeout_at};
use tracing::{debug, trace, warn};

use super::login::{self, LoginMethod};
use super::stream::ReplyStream;
use super::tls::{self, CertificatePin};
use super::{ClientError, ConnectOptions, Disconnect, Keepalive, Transport};
use crate::{Attributes, Command, Decoder, Reply, Tag, Value};

/// Read at least this much at a time.
const READ_CHUNK: usize = 16 * 1024;

/// A socket, plain or TLS.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}
type BoxIo = Box<dyn Io>;

/// What the reader hands to a waiting command.
#[derive(Debug)]
pub(crate) enum Event {
    Reply(Reply),
    Lost(Disconnect),
    /// More `!re` items arrived unread than the connection's `max_items`:
    /// the route is gone; the receiver cancels the command.
    Overflow(usize),
}

/// Where the reader delivers one command's replies, with a count of those
/// not read yet: a command whose reader falls `max_items` behind (a
/// router flooding a `listen`, a stuck consumer) is cut off instead of
/// growing without bound.
struct Route {
    tx: mpsc::UnboundedSender<Event>,
    unread: Arc<AtomicUsize>,
}

/// A command's end of its [`Route`].
#[derive(Debug)]
pub(crate) struct Inbox {
    rx: mpsc::UnboundedReceiver<Event>,
    unread: Arc<AtomicUsize>,
}

impl Inbox {
    /// An inbox that never receives (its route is elsewhere).
    fn detached() -> Self {
        Self { rx: mpsc::unbounded_channel().1, unread: Arc::default() }
    }

    pub(crate) async fn recv(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Event>> {
        let polled = self.rx.poll_recv(cx);
        if let std::task::Poll::Ready(Some(Event::Reply(_))) = &polled {
            self.unread.fetch_sub(1, Ordering::Relaxed);
        }
        polled
    }
}

/// The connection before the tasks start: login talks to it one sentence
/// at a time.
pub(crate) struct Handshake {
    io: BoxIo,
    decoder: Decoder,
}

/// The end of one untagged exchange during the handshake.
#[derive(Debug)]
pub(crate) struct HandshakeOutcome {
    /// `=ret=` of the `!done`.
    pub(crate) ret: Option<Value>,
    /// `=message=` of a `!trap`, if one came.
    pub(crate) trap: Option<Value>,
}

fn end_of_stream(decoder: &Decoder) -> Disconnect {
    if decoder.has_partial_sentence() { Disconnect::ClosedMidReply } else { Disconnect::Closed }
}

impl Handshake {
    /// Send `command`, read replies up to its `!done`.
    pub(crate) async fn exchange(&mut self, command: &Command) -> Result<HandshakeOutcome, ClientError> {
        let bytes = command.to_bytes().map_err(ClientError::Encode)?;
        let lost = |e: std::io::Error| ClientError::Disconnected(Disconnect::io(&e));
        self.io.write_all(&bytes).await.map_err(lost)?;
        self.io.flush().await.map_err(lost)?;
        let mut trap = None;
        loop {
            let reply = match self.read_reply().await {
                Ok(reply) => reply,
                // Some routers close right after refusing a login.
                Err(_) if trap.is_some() => return Ok(HandshakeOutcome { ret: None, trap }),
                Err(err) => return Err(err),
            };
            match reply {
                Reply::Done { ret, .. } => return Ok(HandshakeOutcome { ret, trap }),
                Reply::Trap { message, .. } => trap = Some(message),
                Reply::Fatal { reason } => {
                    return Err(ClientError::Disconnected(Disconnect::Fatal(reason)));
                }
                Reply::Re { .. } | Reply::Empty { .. } => {}
            }
        }
    }

    async fn read_reply(&mut self) -> Result<Reply, ClientError> {
        loop {
            if let Some(sentence) = self.decoder.next_sentence().map_err(Disconnect::Protocol)? {
                return Ok(Reply::parse(&sentence).map_err(Disconnect::Protocol)?);
            }
            self.decoder.buffer_mut().reserve(READ_CHUNK);
            let n = self.io.read_buf(self.decoder.buffer_mut()).await.map_err(|e| Disconnect::io(&e))?;
            if n == 0 {
                return Err(end_of_stream(&self.decoder).into());
            }
        }
    }
}

/// What a command got back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// The `!re` items, in order.
    pub items: Vec<Attributes>,
    /// `=ret=` of the `!done` (the `.id` of an added item).
    pub ret: Option<Value>,
    /// Whether the router said `!empty` (RouterOS 7.18+ on a print that
    /// matched nothing).
    pub empty: bool,
}

/// Routes of the commands in flight, and whether the connection is gone.
#[derive(Default)]
struct RouteTable {
    routes: HashMap<Tag, Route>,
    next_tag: u32,
    closed: Option<Disconnect>,
}

impl RouteTable {
    fn fresh_tag(&mut self) -> Tag {
        loop {
            let tag = Tag(self.next_tag);
            self.next_tag = self.next_tag.wrapping_add(1);
            if !self.routes.contains_key(&tag) {
                return tag;
            }
        }
    }
}

/// State shared by the handles and the tasks of one connection.
pub(crate) struct Shared {
    table: Mutex<RouteTable>,
    shutdown: watch::Sender<bool>,
    epoch: Instant,
    /// Milliseconds after `epoch` of the last byte read.
    last_read_ms: AtomicU64,
    /// `ConnectOptions::max_items`.
    max_items: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, RouteTable> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self) -> Result<(Tag, Inbox), Disconnect> {
        let mut table = self.lock();
        if let Some(reason) = &table.closed {
            return Err(reason.clone());
        }
        let tag = table.fresh_tag();
        let (tx, rx) = mpsc::unbounded_channel();
        let unread = Arc::new(AtomicUsize::new(0));
        table.routes.insert(tag, Route { tx, unread: unread.clone() });
        Ok((tag, Inbox { rx, unread }))
    }

    pub(crate) fn deregister(&self, tag: Tag) {
        self.lock().routes.remove(&tag);
    }

    /// Hand `reply` to its command. `Some` when the connection must end.
    fn dispatch(&self, reply: Reply) -> Option<Disconnect> {
        if let Reply::Fatal { reason } = reply {
            return Some(Disconnect::Fatal(reason));
        }
        let Some(tag) = reply.tag() else {
            warn!(reply = reply.word(), "untagged reply ignored");
            return None;
        };
        let last = reply.is_final();
        let mut table = self.lock();
        let Some(route) = table.routes.get(&tag) else {
            trace!(%tag, "reply for a command nobody waits for");
            return None;
        };
        let unread = route.unread.fetch_add(1, Ordering::Relaxed);
        let delivered = if unread >= self.max_items && matches!(reply, Reply::Re { .. }) {
            warn!(%tag, limit = self.max_items, "a command's unread items reached the bound; cutting it off");
            let _ = route.tx.send(Event::Overflow(self.max_items));
            false
        } else {
            route.tx.send(Event::Reply(reply)).is_ok()
        };
        if last || !delivered {
            table.routes.remove(&tag);
        }
        None
    }

    /// End the connection: every command in flight gets `reason`.
    pub(crate) fn close(&self, reason: Disconnect) {
        let routes = {
            let mut table = self.lock();
            if table.closed.is_some() {
                return;
            }
            table.closed = Some(reason.clone());
            std::mem::take(&mut table.routes)
        };
        debug!(%reason, in_flight = routes.len(), "connection closed");
        for route in routes.into_values() {
            let _ = route.tx.send(Event::Lost(reason.clone()));
        }
        self.shutdown.send_replace(true);
    }

    pub(crate) fn closed(&self) -> Option<Disconnect> {
        self.lock().closed.clone()
    }

    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_read_ms.store(ms, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_read_ms.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }
}

/// What the handles of one connection share.
pub(crate) struct Inner {
    pub(crate) shared: Arc<Shared>,
    writer: mpsc::UnboundedSender<Bytes>,
    pub(crate) command_timeout: Duration,
    pin: Option<CertificatePin>,
    method: LoginMethod,
    peer: String,
}

impl Inner {
    fn send(&self, bytes: Bytes) -> Result<(), Disconnect> {
        self.writer.send(bytes).map_err(|_| self.shared.closed().unwrap_or(Disconnect::ClientClosed))
    }

    /// Fire-and-forget `/cancel =tag=N`, under a tag nobody waits for.
    pub(crate) fn send_cancel(&self, tag: Tag) {
        if self.shared.closed().is_some() {
            return;
        }
        let own = self.shared.lock().fresh_tag();
        let cancel = Command::new("/cancel").attr("tag", tag.to_string()).with_tag(own);
        if let Ok(bytes) = cancel.to_bytes() {
            trace!(%tag, "cancel");
            let _ = self.writer.send(bytes.freeze());
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.close(Disconnect::ClientClosed);
    }
}

/// A command in flight: deregisters (and cancels) itself when dropped
/// before its `!done`.
struct Pending<'a> {
    inner: &'a Inner,
    tag: Tag,
    rx: Inbox,
    finished: bool,
}

impl Pending<'_> {
    async fn collect(&mut self) -> Result<Response, ClientError> {
        let mut response = Response::default();
        let mut trap = None;
        loop {
            let Some(event) = self.rx.recv().await else {
                self.finished = true;
                return Err(self.inner.shared.closed().unwrap_or(Disconnect::Closed).into());
            };
            match event {
                Event::Lost(reason) => {
                    self.finished = true;
                    return Err(reason.into());
                }
                Event::Overflow(limit) => return Err(ClientError::TooManyItems { limit }),
                Event::Reply(Reply::Re { attrs, .. }) => {
                    // Unfinished: dropping this cancels it on the router.
                    if response.items.len() >= self.inner.shared.max_items {
                        return Err(ClientError::TooManyItems { limit: self.inner.shared.max_items });
                    }
                    response.items.push(attrs);
                }
                Event::Reply(Reply::Empty { .. }) => response.empty = true,
                Event::Reply(Reply::Trap { category, message, .. }) => {
                    trap = Some(ClientError::Trap { category, message });
                }
                Event::Reply(Reply::Done { ret, .. }) => {
                    self.finished = true;
                    if let Some(err) = trap {
                        return Err(err);
                    }
                    response.ret = ret;
                    return Ok(response);
                }
                Event::Reply(Reply::Fatal { reason }) => {
                    self.finished = true;
                    return Err(Disconnect::Fatal(reason).into());
                }
            }
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.inner.shared.deregister(self.tag);
            self.inner.send_cancel(self.tag);
        }
    }
}

/// A logged-in connection to a router. Cheap to clone; every clone shares
/// the connection, which closes when the last clone (and the last
/// [`ReplyStream`]) is dropped, or on [`Client::close`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("peer", &self.inner.peer)
            .field("login", &self.inner.method)
            .field("closed", &self.inner.shared.closed())
            .finish_non_exhaustive()
    }
}

fn display_addr(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

impl Client {
    /// Connect, (for TLS) check the certificate, and log in, all within
    /// [`ConnectOptions::connect_timeout`].
    pub async fn connect(options: ConnectOptions) -> Result<Self, ClientError> {
        let limit = options.connect_timeout;
        match timeout(limit, Self::connect_inner(options)).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout { what: "connect", after: limit }),
        }
    }

    async fn connect_inner(options: ConnectOptions) -> Result<Self, ClientError> {
        let port = options.effective_port();
        let addr = display_addr(&options.host, port);
        let tcp = TcpStream::connect((options.host.as_str(), port))
            .await
            .map_err(|source| ClientError::Connect { addr: addr.clone(), source })?;
        let _ = tcp.set_nodelay(true);
        let (io, pin): (BoxIo, _) = match options.transport {
            Transport::Plain => (Box::new(tcp), None),
            Transport::Tls(trust) => {
                let (stream, pin) = tls::handshake(tcp, &options.host, &addr, trust, &[]).await?;
                (Box::new(stream), pin)
            }
        };
        let mut handshake = Handshake { io, decoder: Decoder::with_limits(options.limits) };
        let method = login::login(&mut handshake, &options.username, &options.password).await?;
        debug!(peer = %addr, ?method, "connected");
        Ok(Self::start(handshake, &options, addr, pin, method))
    }

    fn start(
        handshake: Handshake,
        options: &ConnectOptions,
        peer: String,
        pin: Option<CertificatePin>,
        method: LoginMethod,
    ) -> Self {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            table: Mutex::new(RouteTable::default()),
            shutdown,
            epoch: Instant::now(),
            last_read_ms: AtomicU64::new(0),
            max_items: options.max_items.max(1),
        });
        let (read, write) = tokio::io::split(handshake.io);
        let (writer, queue) = mpsc::unbounded_channel();
        tokio::spawn(read_loop(read, handshake.decoder, shared.clone(), shutdown_rx.clone()));
        tokio::spawn(write_loop(write, queue, shared.clone(), shutdown_rx.clone()));
        let inner = Arc::new(Inner {
            shared: shared.clone(),
            writer,
            command_timeout: options.command_timeout,
            pin,
            method,
            peer,
        });
        if let Some(keepalive) = options.keepalive {
            tokio::spawn(keepalive_loop(Arc::downgrade(&inner), shared, keepalive, shutdown_rx));
        }
        Self { inner }
    }

    /// The fingerprint of the certificate the router presented (TLS only):
    /// what to store after a
    /// [`TlsTrust::PinOnFirstUse`](super::TlsTrust::PinOnFirstUse) connection.
    #[must_use]
    pub fn certificate_pin(&self) -> Option<CertificatePin> {
        self.inner.pin
    }

    /// Which login the router accepted.
    #[must_use]
    pub fn login_method(&self) -> LoginMethod {
        self.inner.method
    }

    /// `host:port` of the router.
    #[must_use]
    pub fn peer(&self) -> &str {
        &self.inner.peer
    }

    /// Why the connection ended, if it did.
    #[must_use]
    pub fn closed_reason(&self) -> Option<Disconnect> {
        self.inner.shared.closed()
    }

    /// Whether the connection has ended.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed_reason().is_some()
    }

    /// Wait until the connection ends; returns why.
    pub async fn closed(&self) -> Disconnect {
        let mut rx = self.inner.shared.shutdown.subscribe();
        let _ = rx.wait_for(|closed| *closed).await;
        self.closed_reason().unwrap_or(Disconnect::ClientClosed)
    }

    /// Close the connection now; commands in flight end with
    /// [`Disconnect::ClientClosed`].
    pub fn close(&self) {
        self.inner.shared.close(Disconnect::ClientClosed);
    }

    /// Register a tagged command and append its encoding to `buf`.
    fn prepare(&self, mut command: Command, buf: &mut BytesMut) -> Result<Pending<'_>, ClientError> {
        let (tag, rx) = self.inner.shared.register()?;
        command.set_tag(Some(tag));
        if let Err(err) = command.encode(buf) {
            self.inner.shared.deregister(tag);
            return Err(ClientError::Encode(err));
        }
        trace!(%tag, path = %command.path(), "send");
        Ok(Pending { inner: &self.inner, tag, rx, finished: false })
    }

    /// Run a command to its `!done`, within the connection's command
    /// timeout.
    pub async fn run(&self, command: Command) -> Result<Response, ClientError> {
        self.run_with_timeout(command, self.inner.command_timeout).await
    }

    /// Run a command to its `!done` within `limit`. On timeout the command
    /// is cancelled on the router and the connection stays usable.
    pub async fn run_with_timeout(&self, command: Command, limit: Duration) -> Result<Response, ClientError> {
        let mut buf = BytesMut::new();
        let mut pending = self.prepare(command, &mut buf)?;
        self.inner.send(buf.freeze())?;
        match timeout(limit, pending.collect()).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout { what: "command", after: limit }),
        }
    }

    /// Run a command and return its `!re` items (none for `!empty`).
    pub async fn call(&self, command: Command) -> Result<Vec<Attributes>, ClientError> {
        Ok(self.run(command).await?.items)
    }

    /// Send every command in one write, then collect the results in order.
    ///
    /// The commands are independent: one failing (a `!trap`) does not stop
    /// the others. All share one deadline of the command timeout from the
    /// moment they are sent.
    pub async fn call_many(&self, commands: Vec<Command>) -> Vec<Result<Response, ClientError>> {
        let mut buf = BytesMut::new();
        let prepared: Vec<Result<Pending<'_>, ClientError>> =
            commands.into_iter().map(|command| self.prepare(command, &mut buf)).collect();
        if !buf.is_empty()
            && let Err(reason) = self.inner.send(buf.freeze())
        {
            return prepared.into_iter().map(|p| p.and_then(|_| Err(reason.clone().into()))).collect();
        }
        let limit = self.inner.command_timeout;
        let deadline = Instant::now() + limit;
        let mut results = Vec::with_capacity(prepared.len());
        for pending in prepared {
            results.push(match pending {
                Err(err) => Err(err),
                Ok(mut pending) => match timeout_at(deadline, pending.collect()).await {
                    Ok(result) => result,
                    Err(_) => Err(ClientError::Timeout { what: "command", after: limit }),
                },
            });
        }
        results
    }

    /// Start a streaming command (`listen`, `print =follow=`,
    /// `print =follow-only=`): its `!re` items until `!done`. Dropping the
    /// stream or calling [`ReplyStream::cancel`] cancels it on the router.
    pub fn stream(&self, command: Command) -> Result<ReplyStream, ClientError> {
        let mut buf = BytesMut::new();
        let mut pending = self.prepare(command, &mut buf)?;
        let tag = pending.tag;
        let rx = std::mem::replace(&mut pending.rx, Inbox::detached());
        pending.finished = true; // the stream owns the route from here
        drop(pending);
        let stream = ReplyStream::new(self.clone(), tag, rx);
        self.inner.send(buf.freeze())?;
        Ok(stream)
    }
}

async fn read_loop(
    mut read: ReadHalf<BoxIo>,
    mut decoder: Decoder,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let reason = 'outer: loop {
        loop {
            match decoder.next_sentence() {
                Ok(None) => break,
                Err(err) => break 'outer Disconnect::Protocol(err),
                Ok(Some(sentence)) => match Reply::parse(&sentence) {
                    Ok(reply) => {
                        if let Some(reason) = shared.dispatch(reply) {
                            break 'outer reason;
                        }
                    }
                    Err(err) => break 'outer Disconnect::Protocol(err),
                },
            }
        }
        decoder.buffer_mut().reserve(READ_CHUNK);
        let read = tokio::select! {
            read = read.read_buf(decoder.buffer_mut()) => read,
            _ = shutdown.wait_for(|closed| *closed) => return,
        };
        match read {
            Ok(0) => break end_of_stream(&decoder),
            Ok(_) => shared.touch(),
            Err(err) => break Disconnect::io(&err),
        }
    };
    shared.close(reason);
}

async fn write_loop(
    mut write: WriteHalf<BoxIo>,
    mut queue: mpsc::UnboundedReceiver<Bytes>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut buf = BytesMut::new();
    loop {
        let first = tokio::select! {
            first = queue.recv() => first,
            _ = shutdown.wait_for(|closed| *closed) => break,
        };
        let Some(first) = first else { break };
        buf.extend_from_slice(&first);
        // Coalesce whatever else is queued: one write, one flush.
        while let Ok(more) = queue.try_recv() {
            buf.extend_from_slice(&more);
        }
        let written = tokio::select! {
            written = async {
                write.write_all(&buf).await?;
                write.flush().await
            } => written,
            _ = shutdown.wait_for(|closed| *closed) => break,
        };
        buf.clear();
        if let Err(err) = written {
            shared.close(Disconnect::io(&err));
            break;
        }
    }
    let _ = timeout(Duration::from_secs(1), write.shutdown()).await;
}

async fn keepalive_loop(
    inner: Weak<Inner>,
    shared: Arc<Shared>,
    keepalive: Keepalive,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let idle = shared.idle();
        if idle < keepalive.idle {
            tokio::select! {
                () = tokio::time::sleep(keepalive.idle.saturating_sub(idle)) => {}
                _ = shutdown.wait_for(|closed| *closed) => return,
            }
            continue;
        }
        let Some(inner) = inner.upgrade() else { return };
        let client = Client { inner };
        trace!("keepalive probe");
        let probe = Command::new("/system/identity/print");
        match client.run_with_timeout(probe, keepalive.timeout).await {
            // A trap is an answer too: the router is alive.
            Ok(_) | Err(ClientError::Trap { .. }) => {}
            Err(ClientError::Timeout { .. }) => {
                warn!(peer = %client.peer(), "keepalive probe unanswered");
                shared.close(Disconnect::KeepaliveTimeout);
                return;
            }
            Err(_) => return,
        }
    }
}

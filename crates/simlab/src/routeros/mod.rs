//! A simulated MikroTik router speaking the binary API and REST on
//! loopback.
//!
//! [`SimRouter::start`] listens on 127.0.0.1 (port 0: the system picks)
//! for the plain API and, with a fresh self-signed certificate, for
//! API-SSL and for the REST API over HTTPS (see `rest.rs` for its
//! mapping onto API commands: both run on the same state). State lives
//! behind one mutex: identity, resource, interfaces, PPP secrets,
//! profiles, active sessions, firewall address-lists and simple queues.
//!
//! What it implements, like RouterOS does:
//!
//! - login: the plain login ([`Persona::V7`]) or the MD5 challenge only
//!   ([`Persona::V6`]);
//! - `print` (and `getall`) with `.proplist`, queries (`?name=x`,
//!   `?-name`, `?<`, `?>`, `?#|&!.`), `=count-only=`, `=follow=`,
//!   `=follow-only=`; `!empty` before `!done` on an empty print for V7;
//! - `add` (`!done =ret=*HEX`), `set`, `remove`, `enable`, `disable`, with
//!   `.id` as `*HEX`, a name, or a comma-separated list; unknown
//!   parameters, missing required ones, duplicates (`failure: secret with
//!   the same name already exists`) and unknown ids (`no such item`) are
//!   refused with `!trap`;
//! - `listen` on every menu (`!re` on each change, `=.dead=yes` on
//!   removal) and `/cancel` (`!trap =category=2 =message=interrupted`);
//! - unknown paths: `!trap =category=0 =message=no such command prefix`;
//! - `disable` of a secret does not end its session; removing an active
//!   session is a kick;
//! - `/radius` (a table), `/ppp/aaa` and `/radius/incoming` (one set of
//!   properties each, like `/system/identity`) for the RADIUS set-up;
//!   RADIUS mode itself ([`SimConfig::radius`], `radius.rs`) is the
//!   simulator's configuration, not driven by those menus.
//!
//! # Round trips
//!
//! [`SimStats::batches`] counts the reads that brought at least one
//! sentence: commands a client pipelines arrive in few reads, and each
//! read is answered by one write (one round trip, one
//! [`Faults::latency`]).

mod config;
mod conn;
mod query;
mod radius;
mod rest;
mod schema;
mod state;
mod tls;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use headend_routeros::Attributes;
use headend_routeros::Value;
use headend_routeros::client::CertificatePin;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tracing::debug;

pub use config::{Faults, Persona, SimConfig};
use radius::Nas;
pub use radius::{CoaFault, DialOutcome, RadiusSession, SimRadius};
use schema::Menu;
use state::State;
use tls::TlsIdentity;

/// What the simulator counted since start (or the last
/// [`SimRouterHandle::reset_stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Connections accepted (refused ones included).
    pub connections: u64,
    /// Connections closed at once by [`Faults::refuse_connections`].
    pub refused: u64,
    /// Successful logins.
    pub logins: u64,
    /// Refused logins.
    pub failed_logins: u64,
    /// Sentences received, logins included.
    pub sentences: u64,
    /// Commands received after login (`/cancel` included).
    pub commands: u64,
    /// Commands by path.
    pub commands_by_path: BTreeMap<String, u64>,
    /// Writes received (`add`, `set`, `remove`, `enable`, `disable`).
    pub writes: u64,
    /// Reads that brought at least one sentence, and REST requests: the
    /// client's round trips.
    pub batches: u64,
    /// Writes of replies (REST: answers sent whole).
    pub reply_batches: u64,
    /// REST requests (unauthorized ones included; those also count in
    /// `failed_logins`).
    pub rest_requests: u64,
    /// Verified Disconnect-Requests on the CoA port (RADIUS mode).
    pub disconnects_received: u64,
    /// Verified CoA-Requests on the CoA port (RADIUS mode).
    pub coa_received: u64,
}

/// Failure to start a simulated router, or of a RADIUS login.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A socket could not be bound.
    #[error("cannot listen on loopback: {0}")]
    Io(#[from] std::io::Error),
    /// The self-signed certificate could not be made.
    #[error("cannot make the TLS certificate: {0}")]
    Certificate(String),
    /// [`SimRouterHandle::dial`] on a router without [`SimConfig::radius`].
    #[error("the router is not in RADIUS mode")]
    NotRadius,
    /// The RADIUS server gave no valid answer after three tries.
    #[error("no answer from the RADIUS server at {0}")]
    RadiusTimeout(SocketAddr),
    /// A RADIUS packet could not be made.
    #[error("RADIUS: {0}")]
    Radius(String),
}

/// Shared by the accept loops and the connections.
#[derive(Debug)]
pub(crate) struct Core {
    state: Mutex<State>,
    tls: Mutex<Option<TlsIdentity>>,
    next_conn: AtomicU64,
    shutdown: watch::Sender<bool>,
    /// Bumped to close every open connection (the listeners stay up).
    reset: watch::Sender<u64>,
}

impl Core {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn tls(&self) -> Option<TlsIdentity> {
        self.tls.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Starts simulated routers.
#[derive(Debug)]
pub struct SimRouter;

impl SimRouter {
    /// Start a router on loopback. It runs until the handle is dropped.
    pub async fn start(config: SimConfig) -> Result<SimRouterHandle, SimError> {
        let identity = if config.tls || config.rest { Some(TlsIdentity::generate()?) } else { None };
        let (shutdown, _) = watch::channel(false);
        let (reset, _) = watch::channel(0);
        let core = Arc::new(Core {
            state: Mutex::new(State::new(&config)),
            tls: Mutex::new(identity),
            next_conn: AtomicU64::new(1),
            shutdown,
            reset,
        });
        let plain = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let api_port = plain.local_addr()?.port();
        let mut tasks = vec![tokio::spawn(accept_loop(plain, core.clone(), Service::Api))];
        let mut api_tls_port = None;
        if config.tls {
            let secure = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
            api_tls_port = Some(secure.local_addr()?.port());
            tasks.push(tokio::spawn(accept_loop(secure, core.clone(), Service::ApiTls)));
        }
        let mut rest_port = None;
        if config.rest {
            let https = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
            rest_port = Some(https.local_addr()?.port());
            tasks.push(tokio::spawn(accept_loop(https, core.clone(), Service::Rest)));
        }
        if let Some(period) = config.churn {
            let core = core.clone();
            tasks.push(tokio::spawn(async move {
                let mut ticks = tokio::time::interval(period);
                ticks.tick().await;
                loop {
                    ticks.tick().await;
                    core.lock().churn();
                }
            }));
        }
        let mut nas = None;
        if let Some(radius) = config.radius {
            let (running, radius_tasks) = radius::start(radius, &core).await?;
            nas = Some(running);
            tasks.extend(radius_tasks);
        }
        debug!(api_port, ?api_tls_port, ?rest_port, "simulated router started");
        Ok(SimRouterHandle { core, api_port, api_tls_port, rest_port, nas, tasks })
    }
}

/// What a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Api,
    ApiTls,
    Rest,
}

async fn accept_loop(listener: TcpListener, core: Arc<Core>, service: Service) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let refuse = {
            let mut state = core.lock();
            state.stats.connections += 1;
            let refuse = state.faults.refuse_connections;
            if refuse {
                state.stats.refused += 1;
            }
            refuse
        };
        if refuse {
            drop(tcp);
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let conn = core.next_conn.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(handle(tcp, core.clone(), conn, service));
    }
}

async fn handle(tcp: TcpStream, core: Arc<Core>, conn: u64, service: Service) {
    if service == Service::Api {
        conn::serve(tcp, core, conn).await;
        return;
    }
    let Some(identity) = core.tls() else { return };
    let acceptor = TlsAcceptor::from(identity.config);
    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
        Ok(Ok(stream)) if service == Service::Rest => rest::serve(stream, core, conn).await,
        Ok(Ok(stream)) => conn::serve(stream, core, conn).await,
        Ok(Err(err)) => debug!(%err, "TLS handshake failed"),
        Err(_) => debug!("TLS handshake timed out"),
    }
}

/// A running simulated router. Dropping it stops the router and closes
/// its connections.
#[derive(Debug)]
pub struct SimRouterHandle {
    core: Arc<Core>,
    api_port: u16,
    api_tls_port: Option<u16>,
    rest_port: Option<u16>,
    nas: Option<Arc<Nas>>,
    tasks: Vec<JoinHandle<()>>,
}

impl SimRouterHandle {
    /// The plain API port on 127.0.0.1.
    #[must_use]
    pub fn api_port(&self) -> u16 {
        self.api_port
    }

    /// The API-SSL port on 127.0.0.1 (when TLS is on).
    #[must_use]
    pub fn api_tls_port(&self) -> Option<u16> {
        self.api_tls_port
    }

    /// The REST (HTTPS) port on 127.0.0.1 (when REST is on). It presents
    /// the same certificate as API-SSL ([`SimRouterHandle::certificate_pin`]).
    #[must_use]
    pub fn rest_port(&self) -> Option<u16> {
        self.rest_port
    }

    /// The plain API address.
    #[must_use]
    pub fn api_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.api_port))
    }

    /// The pin of the certificate API-SSL and REST present now.
    #[must_use]
    pub fn certificate_pin(&self) -> Option<CertificatePin> {
        self.core.tls().map(|t| t.pin)
    }

    /// Replace the certificate (new connections get the new one), as when
    /// a router is reinstalled. Returns the new pin.
    pub fn rotate_certificate(&self) -> Result<CertificatePin, SimError> {
        let identity = TlsIdentity::generate()?;
        let pin = identity.pin;
        *self.core.tls.lock().unwrap_or_else(PoisonError::into_inner) = Some(identity);
        Ok(pin)
    }

    /// Close every open connection (API, API-SSL, REST) at once, as a
    /// reboot does; clients must connect again, and so meet a certificate
    /// swapped by [`SimRouterHandle::rotate_certificate`].
    pub fn drop_connections(&self) {
        self.core.reset.send_modify(|generation| *generation += 1);
    }

    /// The faults in force.
    #[must_use]
    pub fn faults(&self) -> Faults {
        self.core.lock().faults.clone()
    }

    /// Replace the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        self.core.lock().faults = faults;
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> SimStats {
        self.core.lock().stats.clone()
    }

    /// Zero the counters.
    pub fn reset_stats(&self) {
        self.core.lock().stats = SimStats::default();
    }

    /// Number of PPP secrets.
    #[must_use]
    pub fn secret_count(&self) -> usize {
        self.core.lock().count(Menu::PppSecret)
    }

    /// Number of active PPP sessions.
    #[must_use]
    pub fn active_count(&self) -> usize {
        self.core.lock().count(Menu::PppActive)
    }

    /// Every PPP secret, as `print` shows it.
    #[must_use]
    pub fn secrets(&self) -> Vec<Attributes> {
        self.core.lock().items(Menu::PppSecret)
    }

    /// Every active PPP session, as `print` shows it.
    #[must_use]
    pub fn active_sessions(&self) -> Vec<Attributes> {
        self.core.lock().items(Menu::PppActive)
    }

    /// Every item of a menu by its API path (`/queue/simple`), as `print`
    /// shows it; `None` for a path the simulator does not know.
    #[must_use]
    pub fn items(&self, path: &str) -> Option<Vec<Attributes>> {
        let menu = Menu::from_path(path.as_bytes())?;
        Some(self.core.lock().items(menu))
    }

    /// A subscriber of `name` dials in: a session starts if the secret
    /// exists, is enabled and has none. Returns the session's `.id`.
    pub fn connect_session(&self, name: impl Into<Value>) -> Option<String> {
        self.core.lock().connect_session(&name.into()).map(state::id_text)
    }

    /// The session of `name` ends (the subscriber hangs up). For a
    /// RADIUS session an Accounting Stop (User-Request) follows; see
    /// [`SimRouterHandle::hang_up`] to wait for it.
    pub fn disconnect_session(&self, name: impl Into<Value>) -> bool {
        self.core.lock().disconnect_session(&name.into(), None)
    }

    /// The CoA port on 127.0.0.1 (RADIUS mode).
    #[must_use]
    pub fn coa_addr(&self) -> Option<SocketAddr> {
        self.nas.as_ref().map(|n| n.coa_addr)
    }

    /// A PPPoE client logs in as `user` (RADIUS mode): an Access-Request
    /// with PAP; on Access-Accept a session starts in `/ppp/active` with
    /// what was granted, and this returns once its Accounting Start was
    /// answered (or given up on).
    pub async fn dial(&self, user: &str, password: &str) -> Result<DialOutcome, SimError> {
        let nas = self.nas.as_ref().ok_or(SimError::NotRadius)?;
        nas.dial(&self.core, user, password).await
    }

    /// The session of `user` ends as [`SimRouterHandle::disconnect_session`]
    /// does; returns once its Accounting Stop (User-Request) was answered
    /// or given up on. `false` when `user` had no session.
    pub async fn hang_up(&self, user: &str) -> bool {
        let (done, sent) = tokio::sync::oneshot::channel();
        if !self.core.lock().disconnect_session(&Value::from(user), Some(done)) {
            return false;
        }
        // A session without RADIUS drops `done` at once.
        let _ = sent.await;
        true
    }

    /// Make the CoA port misbehave (RADIUS mode; otherwise no effect).
    pub fn set_coa_fault(&self, fault: CoaFault) {
        self.core.lock().set_coa_fault(fault);
    }

    /// What RADIUS granted the session of `name` (rate limit and address
    /// list, changed by CoA), if it is a RADIUS session.
    #[must_use]
    pub fn radius_session(&self, name: impl Into<Value>) -> Option<RadiusSession> {
        self.core.lock().radius_session(&name.into())
    }
}

impl Drop for SimRouterHandle {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        self.core.shutdown.send_replace(true);
    }
}

//! The router's RADIUS mode: PPPoE logins checked by a RADIUS server,
//! accounting sent to it, and the CoA port (RFC 5176) Headend kicks
//! sessions through.
//!
//! [`SimRouterHandle::dial`](super::SimRouterHandle::dial) plays a PPPoE
//! client: an Access-Request (PAP) goes to the configured server and an
//! Access-Accept starts a session in `/ppp/active` carrying what was
//! granted. Accounting (Start, Interim-Update, Stop) goes out in order from
//! one task, fed by a channel the state writes to whenever a RADIUS
//! session starts, ticks or ends (also when `/ppp/active/remove` kicks
//! one). The CoA port answers Disconnect- and CoA-Requests, with faults.
//!
//! Each exchange uses a fresh UDP socket on 127.0.0.1 and tries three
//! times, one second apart, like a NAS's retransmissions.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use headend_radius::attribute::typ;
use headend_radius::{
    AccountingRequest, AcctStatusType, Attribute, Authorization, Built, Code, ErrorCause, MAX_PACKET_LEN, Packet,
    PapRequest, TerminateCause, access_request_pap, accounting_request, auth, reply, verify_reply, verify_request,
};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, warn};

use super::{Core, SimError};

/// How long to wait for each answer, and how often to ask.
const TIMEOUT: Duration = Duration::from_secs(1);
const TRIES: usize = 3;

/// A router in RADIUS mode: where it sends logins and accounting, and
/// how. `Debug` hides the secret.
#[derive(Clone)]
pub struct SimRadius {
    /// The authentication server (Access-Request).
    pub auth: SocketAddr,
    /// The accounting server (Accounting-Request).
    pub accounting: SocketAddr,
    /// The shared secret, also for the CoA port.
    pub secret: String,
    /// The NAS-Identifier the router sends.
    pub nas_identifier: String,
    /// Send an Interim-Update for every RADIUS session this often.
    pub interim: Option<Duration>,
}

impl fmt::Debug for SimRadius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimRadius")
            .field("auth", &self.auth)
            .field("accounting", &self.accounting)
            .field("secret", &"..")
            .field("nas_identifier", &self.nas_identifier)
            .field("interim", &self.interim)
            .finish()
    }
}

/// Misbehaviour of the CoA port
/// ([`SimRouterHandle::set_coa_fault`](super::SimRouterHandle::set_coa_fault)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CoaFault {
    /// Answer as RouterOS does.
    #[default]
    None,
    /// Refuse every Disconnect and CoA (NAK, Error-Cause 504
    /// Session-Context-Not-Removable), changing nothing.
    Nak,
    /// Answer nothing (the requests are still counted).
    Silence,
    /// ACK every Disconnect and CoA but change nothing: the lie Headend
    /// must catch by looking at `/ppp/active`.
    AckWithoutDrop,
}

/// How a [`SimRouterHandle::dial`](super::SimRouterHandle::dial) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialOutcome {
    /// Access-Accept: the session is up.
    Accepted {
        /// Its `.id` in `/ppp/active`.
        id: String,
        /// The Acct-Session-Id its accounting carries.
        acct_session_id: String,
        /// Its address (Framed-IP-Address, or the router's pool).
        address: Ipv4Addr,
    },
    /// Access-Reject.
    Rejected {
        /// The server's Reply-Message, if any.
        reply_message: Option<String>,
    },
}

/// What a RADIUS session was granted, as the router keeps it
/// ([`SimRouterHandle::radius_session`](super::SimRouterHandle::radius_session)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusSession {
    /// The Acct-Session-Id (the session-id without `0x`).
    pub acct_session_id: String,
    /// Mikrotik-Rate-Limit, from the Accept or a later CoA.
    pub rate_limit: Option<String>,
    /// Mikrotik-Address-List, from the Accept or a later CoA.
    pub address_list: Option<String>,
}

/// One Accounting-Request to send, with what it reports taken when it was
/// queued. `done` hears when it was answered or given up on.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) status: AcctStatusType,
    pub(crate) user_name: String,
    pub(crate) acct_session_id: String,
    pub(crate) framed_ip: Option<Ipv4Addr>,
    pub(crate) caller_id: String,
    pub(crate) input_octets: u64,
    pub(crate) output_octets: u64,
    pub(crate) session_time: u32,
    pub(crate) cause: Option<TerminateCause>,
    pub(crate) done: Option<oneshot::Sender<()>>,
}

/// What the state holds of RADIUS mode.
#[derive(Debug)]
pub(crate) struct NasLink {
    pub(crate) reports: mpsc::UnboundedSender<Report>,
    pub(crate) coa_fault: CoaFault,
}

/// RADIUS mode running: its set-up, the CoA port and the tasks.
#[derive(Debug)]
pub(crate) struct Nas {
    config: SimRadius,
    identifiers: AtomicU8,
    pub(crate) coa_addr: SocketAddr,
}

/// Binds the CoA port and starts the accounting, interim and CoA tasks.
pub(crate) async fn start(config: SimRadius, core: &Arc<Core>) -> Result<(Arc<Nas>, Vec<JoinHandle<()>>), SimError> {
    let coa = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let nas = Arc::new(Nas { config, identifiers: AtomicU8::new(0), coa_addr: coa.local_addr()? });
    let (reports, queue) = mpsc::unbounded_channel();
    core.lock().nas = Some(NasLink { reports, coa_fault: CoaFault::None });
    let mut tasks =
        vec![tokio::spawn(accounting(nas.clone(), queue)), tokio::spawn(serve_coa(coa, nas.clone(), core.clone()))];
    if let Some(period) = nas.config.interim {
        let core = core.clone();
        tasks.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                core.lock().interim();
            }
        }));
    }
    debug!(coa = %nas.coa_addr, "RADIUS mode on");
    Ok((nas, tasks))
}

impl Nas {
    fn secret(&self) -> &[u8] {
        self.config.secret.as_bytes()
    }

    fn identifier(&self) -> u8 {
        self.identifiers.fetch_add(1, Ordering::Relaxed)
    }

    /// A PPPoE client logs in as `user` with `password`.
    pub(crate) async fn dial(&self, core: &Core, user: &str, password: &str) -> Result<DialOutcome, SimError> {
        let (random, caller_id) = {
            let mut state = core.lock();
            let mut random = [0u8; 16];
            for chunk in random.chunks_mut(8) {
                chunk.copy_from_slice(&state.rng.next_u64().to_be_bytes());
            }
            (random, state.random_mac())
        };
        let pap = PapRequest {
            identifier: self.identifier(),
            user_name: user,
            password: password.as_bytes(),
            nas_identifier: &self.config.nas_identifier,
        };
        let mut built = access_request_pap(&pap, self.secret(), random).map_err(radius_error)?;
        // What RouterOS adds for PPPoE: its address, Framed-User, PPP, the
        // client's MAC.
        built.packet.attributes.extend([
            Attribute::ipv4(typ::NAS_IP_ADDRESS, Ipv4Addr::LOCALHOST),
            Attribute::integer(typ::SERVICE_TYPE, 2),
            Attribute::integer(typ::FRAMED_PROTOCOL, 1),
            Attribute::calling_station_id(&caller_id),
        ]);
        built.bytes = auth::sign_request(&mut built.packet, self.secret()).map_err(radius_error)?;
        let answer = exchange(self.config.auth, &built, self.secret()).await?;
        let granted = Authorization::read(&answer);
        if answer.code != Code::AccessAccept {
            return Ok(DialOutcome::Rejected { reply_message: granted.reply_message });
        }
        let (done, started) = oneshot::channel();
        let (id, acct_session_id, address) = core.lock().start_radius_session(user, caller_id, &granted, done);
        // Wait for the Start to be answered (or given up on), as RouterOS
        // reports the session up before traffic flows.
        let _ = started.await;
        Ok(DialOutcome::Accepted { id, acct_session_id, address })
    }
}

fn radius_error(err: impl fmt::Display) -> SimError {
    SimError::Radius(err.to_string())
}

/// Sends `request` to `server` and waits for a verified answer.
async fn exchange(server: SocketAddr, request: &Built, secret: &[u8]) -> Result<Packet, SimError> {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    socket.connect(server).await?;
    let mut buf = vec![0u8; MAX_PACKET_LEN];
    for _ in 0..TRIES {
        socket.send(&request.bytes).await?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await {
                Err(_) => break,
                // Nobody listening (ICMP port unreachable): wait out the try.
                Ok(Err(_)) => {
                    tokio::time::sleep_until(deadline).await;
                    break;
                }
                Ok(Ok(n)) => match verify_reply(&request.packet, buf.get(..n).unwrap_or_default(), secret) {
                    Ok(answer) => return Ok(answer),
                    Err(err) => debug!(%err, %server, "dropped a bad RADIUS answer"),
                },
            }
        }
    }
    Err(SimError::RadiusTimeout(server))
}

/// Sends the queued Accounting-Requests one after the other.
async fn accounting(nas: Arc<Nas>, mut queue: mpsc::UnboundedReceiver<Report>) {
    while let Some(mut report) = queue.recv().await {
        let request = AccountingRequest {
            nas_identifier: Some(&nas.config.nas_identifier),
            // RouterOS sends its address; FreeRADIUS's `radacct` requires it.
            nas_ip_address: Some(Ipv4Addr::LOCALHOST),
            framed_ip_address: report.framed_ip,
            calling_station_id: Some(&report.caller_id),
            input_octets: Some(report.input_octets),
            output_octets: Some(report.output_octets),
            session_time: Some(report.session_time),
            terminate_cause: report.cause,
            ..AccountingRequest::new(nas.identifier(), report.status, &report.user_name, &report.acct_session_id)
        };
        match accounting_request(&request, nas.secret()) {
            Ok(built) => {
                if let Err(err) = exchange(nas.config.accounting, &built, nas.secret()).await {
                    warn!(%err, status = report.status.name(), "accounting not answered");
                }
            }
            Err(err) => warn!(%err, "accounting request not built"),
        }
        if let Some(done) = report.done.take() {
            let _ = done.send(());
        }
    }
}

/// Answers Disconnect- and CoA-Requests on the CoA port.
async fn serve_coa(socket: UdpSocket, nas: Arc<Nas>, core: Arc<Core>) {
    let mut buf = vec![0u8; MAX_PACKET_LEN];
    loop {
        let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let request = match verify_request(buf.get(..n).unwrap_or_default(), nas.secret()) {
            Ok(request) => request,
            Err(err) => {
                debug!(%err, %peer, "dropped a CoA-port request");
                continue;
            }
        };
        let Some((code, attributes)) = core.lock().coa(&request) else {
            continue;
        };
        match reply(&request, code, attributes, nas.secret()) {
            Ok(bytes) => {
                if let Err(err) = socket.send_to(&bytes, peer).await {
                    debug!(%err, %peer, "CoA answer not sent");
                }
            }
            Err(err) => warn!(%err, "CoA answer not built"),
        }
    }
}

/// Which session a Disconnect or CoA names (RFC 5176 §3): every
/// identification attribute present must match.
#[derive(Debug, Default)]
pub(crate) struct Selector {
    pub(crate) user_name: Option<String>,
    pub(crate) acct_session_id: Option<String>,
    pub(crate) framed_ip: Option<Ipv4Addr>,
}

impl Selector {
    pub(crate) fn of(request: &Packet) -> Selector {
        let text = |t| request.find(t).and_then(|a| a.as_text().ok()).map(str::to_owned);
        Selector {
            user_name: text(typ::USER_NAME),
            acct_session_id: text(typ::ACCT_SESSION_ID),
            framed_ip: request.find(typ::FRAMED_IP_ADDRESS).and_then(|a| a.as_ipv4().ok()),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.user_name.is_none() && self.acct_session_id.is_none() && self.framed_ip.is_none()
    }
}

/// The NAK to a request naming no session or one the router lacks.
pub(crate) fn nak(request: &Packet, cause: ErrorCause) -> (Code, Vec<Attribute>) {
    let code = if request.code == Code::DisconnectRequest { Code::DisconnectNak } else { Code::CoaNak };
    (code, vec![Attribute::error_cause(cause)])
}

/// The ACK to a request.
pub(crate) fn ack(request: &Packet) -> (Code, Vec<Attribute>) {
    let code = if request.code == Code::DisconnectRequest { Code::DisconnectAck } else { Code::CoaAck };
    (code, Vec::new())
}

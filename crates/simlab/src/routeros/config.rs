//! How a simulated router behaves: persona, credentials, contents, faults.

use std::time::Duration;

use super::radius::SimRadius;

/// Which RouterOS the simulator imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    /// RouterOS 6 before 6.43: the MD5 challenge login only, and no
    /// `!empty` on a print that matches nothing.
    V6,
    /// RouterOS 7.18+: the plain login, and `!empty` before `!done` on an
    /// empty print.
    V7,
}

impl Persona {
    /// The `version` the router reports.
    #[must_use]
    pub fn version(self) -> &'static str {
        match self {
            Self::V6 => "6.42.12 (long-term)",
            Self::V7 => "7.18.2 (stable)",
        }
    }
}

/// Misbehaviour to inject. Changeable while the router runs
/// ([`SimRouterHandle::set_faults`](super::SimRouterHandle::set_faults)).
///
/// Everything except `refuse_connections` and `latency` applies after
/// login, so tests can connect first and then break things. The REST API
/// (see its module) applies them per request, after authentication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Accept each connection and close it at once, before any byte.
    pub refuse_connections: bool,
    /// Wait this long before sending each batch of replies: a round trip
    /// time. Replies to commands read together go out together, so
    /// pipelined commands pay it once.
    pub latency: Duration,
    /// Read and count commands, but answer nothing (they are not run).
    pub stall: bool,
    /// Send half of the next batch of replies, then close the connection.
    pub close_mid_reply: bool,
    /// Refuse every Nth write (`add`, `set`, `remove`, `enable`,
    /// `disable`; counted across the router) with `!trap =message=failure:
    /// simulated fault`, without applying it. `None` or `Some(0)`: never.
    pub trap_every_nth_write: Option<u32>,
}

/// A simulated router's set-up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The RouterOS it imitates. Default [`Persona::V7`].
    pub persona: Persona,
    /// Login user. Default `admin`.
    pub username: String,
    /// Login password. Default `admin`.
    pub password: String,
    /// `/system/identity` name. Default `SimRouter`.
    pub identity: String,
    /// PPP secrets made at start: `user00001`, `user00002`, ... with
    /// password `pass<N>` and profile `default`. Default 0.
    pub secrets: usize,
    /// Of those, how many have an active session at start. Default 0.
    pub active_sessions: usize,
    /// Ethernet interfaces `ether1`... Default 4.
    pub interfaces: usize,
    /// Every period, one session connects (an enabled secret without one)
    /// or disconnects. `None`: sessions only change on request.
    pub churn: Option<Duration>,
    /// Seed of the simulator's random choices (challenges, churn).
    pub seed: u64,
    /// Faults in force at start.
    pub faults: Faults,
    /// Also listen for API-SSL with a fresh self-signed certificate.
    /// Default true.
    pub tls: bool,
    /// Also serve the REST API over HTTPS (with the same certificate as
    /// API-SSL, made even when `tls` is off). Default true.
    pub rest: bool,
    /// RADIUS mode: PPPoE logins through a RADIUS server, accounting, and
    /// a CoA port. Default `None`.
    pub radius: Option<SimRadius>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            persona: Persona::V7,
            username: "admin".into(),
            password: "admin".into(),
            identity: "SimRouter".into(),
            secrets: 0,
            active_sessions: 0,
            interfaces: 4,
            churn: None,
            seed: 1,
            faults: Faults::default(),
            tls: true,
            rest: true,
            radius: None,
        }
    }
}

impl SimConfig {
    /// The defaults with this persona.
    #[must_use]
    pub fn persona(persona: Persona) -> Self {
        Self { persona, ..Self::default() }
    }
}

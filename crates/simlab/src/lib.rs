//! Simulated network equipment on loopback, for tests, benchmarks and the
//! demo network.
//!
//! - [`routeros`]: a MikroTik router speaking the binary API (plain and
//!   TLS) and REST (HTTPS) on one shared state, with personas and fault
//!   injection; in RADIUS mode ([`SimRadius`]) its PPPoE clients log in
//!   with Access-Request and send accounting, and it answers RFC 5176
//!   Disconnect and CoA requests, with faults ([`CoaFault`]).
//! - [`olt`]: a GPON OLT (Huawei or ZTE C300/C320, by
//!   `headend_core::olt::OltVendor`) whose CLI is reached over SSH, with
//!   ONUs, autofind, drifting optical levels, a pager and vty limits.
//! - [`messaging`]: an SMTP server and an HTTP server playing Twilio,
//!   Africa's Talking, the WhatsApp Cloud API and a generic SMS gateway,
//!   keeping what they accept, with fault injection.
//! - [`tiles`]: a map tile server drawing a PNG for every tile asked.
//! - [`servers`]: real PostgreSQL, MariaDB and FreeRADIUS 3 servers, each
//!   started from the installed binaries in a temporary directory with its
//!   own configuration, for the RADIUS-mode tests.
//!
//! # Architecture invariants
//!
//! - Listens on loopback only, on ports the system picks; [`servers`]
//!   never touches the system's own database or RADIUS services.
//! - Never linked into the shipped app except for demo mode.
//! - Deterministic where it matters to tests: ids, challenges and churn
//!   come from a seeded generator; time is tokio's (so paused in tests
//!   that pause it).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "audit")]
pub mod audit;
pub mod messaging;
pub mod olt;
pub mod routeros;
pub mod servers;
pub mod tiles;

pub use messaging::{
    ReceivedAttachment, ReceivedMail, SimGateway, SimGatewayConfig, SimMessage, SimProvider, SimRequest, SimSmtp,
    SimSmtpConfig, SmtpStage,
};
pub use olt::{OltFaults, OnuState, PonPort, SimOlt, SimOltConfig, SimOltError, SimOltHandle, SimOltStats};
pub use routeros::{
    CoaFault, DialOutcome, Faults, Persona, RadiusSession, SimConfig, SimError, SimRadius, SimRouter, SimRouterHandle,
    SimStats,
};
pub use servers::{
    FileUser, FreeRadiusConfig, FreeRadiusServer, MariaDbServer, PostgresServer, ServerError, SqlBackend, UserStore,
};

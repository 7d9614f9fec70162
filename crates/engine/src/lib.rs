//! The engine: how Headend reaches its routers ([`connect`]: the binary
//! API or REST behind one [`RouterLink`]), reads their
//! health ([`health`]) and watches them and their live sessions ([`fleet`],
//! [`live`]), and reconciles them with the database ([`provision`]: the
//! sweeps, the durable queue, the midnight cutoffs); and the GPON OLTs
//! ([`olt`]: ONU signal sweeps, alerts, zero-touch provisioning).
//!
//! Architecture invariant: the desktop app and the CLI reach routers only
//! through this crate, so credentials, certificate pinning and timeouts are
//! handled the same way everywhere.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod connect;
pub mod fleet;
pub mod health;
pub mod live;
pub mod olt;
pub mod provision;

pub use connect::{ConnectError, Connector, LinkWatch, RouterLink};
pub use fleet::{Fleet, FleetError, RouterState, RouterStatus};
pub use health::{RouterHealth, probe};
pub use live::{LiveSession, LiveSessions, SessionChanges};
pub use olt::{OltEngineError, OltEvent, OltFleet, OltFleetConfig, OltSweepReport, ZtpReport};
pub use provision::runner::{EngineConfig, EngineEvent, Provisioner};
pub use provision::sweep::{RouterSweep, StepReport, StepStatus, SweepMode};

//! Reaching and watching routers: [`connect`] turns a router of the
//! inventory into a logged-in [`RouterLink`] (the binary API or REST behind
//! one `RouterApi`), [`health`] reads its health, and [`fleet`] watches
//! every router and its live PPP sessions ([`live`]).
//!
//! Architecture invariants: the desktop app, the CLI and the provisioning
//! engine reach routers only through [`Connector`], so credentials,
//! certificate pinning and timeouts are handled the same way everywhere. A
//! router that is down or slow only affects its own task.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod connect;
pub mod fleet;
pub mod health;
pub mod live;

pub use connect::{ConnectError, Connector, LinkWatch, RouterLink};
pub use fleet::{Fleet, FleetError, RouterState, RouterStatus};
pub use health::{RouterHealth, probe};
pub use live::{LiveSession, LiveSessions, SessionFilter, SessionWindow};

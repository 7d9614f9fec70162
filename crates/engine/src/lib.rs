//! The engine: how Headend reaches its routers ([`connect`]: the binary
//! API or REST behind one [`RouterLink`]), reads their
//! health ([`health`]) and watches them and their live sessions ([`fleet`],
//! [`live`]). The sweeps, the reconciler and the durable
//! queue of the provisioning issue land here too.
//!
//! Architecture invariant: the desktop app and the CLI reach routers only
//! through this crate, so credentials, certificate pinning and timeouts are
//! handled the same way everywhere.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod connect;
pub mod fleet;
pub mod health;
pub mod live;

pub use connect::{ConnectError, Connector, LinkWatch, RouterLink};
pub use fleet::{Fleet, FleetError, RouterState, RouterStatus};
pub use health::{RouterHealth, probe};
pub use live::{LiveSession, LiveSessions, SessionChanges};

//! The engine: how Headend reaches its routers ([`connect`]) and reads
//! their health ([`health`]). The sweeps, the reconciler and the durable
//! queue of the provisioning issue land here too.
//!
//! Architecture invariant: the desktop app and the CLI reach routers only
//! through this crate, so credentials, certificate pinning and timeouts are
//! handled the same way everywhere.

pub mod connect;
pub mod health;

pub use connect::{ConnectError, Connector};
pub use health::{RouterHealth, probe};

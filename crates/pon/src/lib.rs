//! The OLT engine: [`OltFleet`] reaches every GPON OLT of the inventory
//! over SSH (`headend_olt`, one pooled handle per OLT, the host key pinned
//! on first use, every command in the OLT command log) and runs the signal
//! sweep ([`sweep`]: optical levels, history, alerts) and zero-touch
//! provisioning ([`ztp`]) on its own ([`OltFleet::run`]). The rules
//! (thresholds, alert transitions, ONU descriptions) are plain functions in
//! `headend_core::optical` and `headend_core::olt`.
//!
//! Architecture invariants: the app and the CLI reach OLTs only through
//! this crate, so the keyring, pinning, the two-session limit and the
//! command log are the same everywhere. A changed host key is refused and
//! the OLT is not contacted again until the operator pins the new one. One
//! process works on an OLT at a time (a lease row).

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod convert;
mod fleet;
mod runner;
pub mod sweep;
pub mod ztp;

pub use convert::onu_profile;
pub use fleet::{LOGIN_RETRY, OltEngineError, OltEvent, OltFleet, OltFleetConfig};
pub use sweep::OltSweepReport;
pub use ztp::ZtpReport;

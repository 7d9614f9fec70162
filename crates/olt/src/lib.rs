//! GPON OLTs over SSH: Huawei MA5600T/MA5800, ZTE C300/C320 and C600,
//! VSOL V1600G, behind one trait. An OLT's vendor is
//! `headend_core::olt::OltVendor`.
//!
//! Layers, each usable alone:
//! - [`terminal`]: a sans-IO VT100 line reader. Bytes in; reply text out,
//!   and events for what the OLT waits for (a pager key, a yes/no, a
//!   password) or that the prompt is back.
//! - the **parsers** ([`huawei::parse`], [`zte::parse`], [`vsol::parse`]):
//!   pure `fn(&str) -> Result<T, ParseError>` over what the OLT printed,
//!   tested on captured output (`tests/fixtures/`).
//! - the **operations** ([`Operations`] over any [`Cli`]): which commands,
//!   in which mode, each vendor needs for each thing [`OltDriver`] does.
//! - the **SSH layer** (feature `ssh`): [`ssh::SshSession`] (russh feeding
//!   the terminal), a pool of at most two sessions per OLT, and
//!   [`OltHandle`], the [`OltDriver`] the rest of the app uses.
//!
//! Every command sent and its reply go to a [`CommandLog`] sink.

pub mod cli;
pub mod driver;
pub mod error;
pub mod huawei;
pub mod log;
pub mod terminal;
pub(crate) mod text;
pub mod types;
pub mod vsol;
pub mod zte;

#[cfg(feature = "ssh")]
mod handle;
#[cfg(feature = "ssh")]
mod pool;
#[cfg(feature = "ssh")]
pub mod ssh;

pub use cli::{Cli, Reply};
pub use driver::{AuthorizeFailure, Leftover, OltAuth, OltConfig, OltDriver, OltSecret, Operations};
pub use error::{OltError, ParseError};
#[cfg(feature = "ssh")]
pub use handle::{Olt, OltHandle};
pub use log::{CommandLog, CommandLogEntry, CommandOutcome, NoLog};
pub use text::refusal;
pub use types::*;

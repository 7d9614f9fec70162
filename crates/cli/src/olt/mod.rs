//! `headend olt …`: GPON OLTs. The inventory and what services and plans
//! tell an OLT (`add`, `list`, `remove`, `pin`, `plan-profile`,
//! `zero-touch`, `settings`, in [`inventory`]) and what an OLT holds right now
//! (`autofind`, `onus`, `optical`, `authorize`, `deregister`, `sweep`,
//! `log`, in [`live`]), through the engine's `OltFleet`, so the password
//! comes from the keyring, the host key is pinned and every command lands
//! in the OLT command log the same way as in the app.

mod inventory;
mod live;

use anyhow::Context;
use headend_core::olt::Olt;
use headend_olt::{PonPort, SerialNumber};
use headend_pon::{OltFleet, OltFleetConfig};
use headend_store::Store;

use crate::Globals;
use crate::open::{open_secrets, open_workflows};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add an OLT; its password is read from standard input and kept in the OS keyring.
    Add(inventory::AddArgs),
    /// The OLTs with their health and ONU counts.
    List,
    /// Remove an OLT (its ONUs, their history and its command log) and its password.
    Remove {
        /// The OLT's name.
        name: String,
    },
    /// Trust the SSH host key the OLT presents now, after its key changed (a replaced control board).
    Pin {
        /// The OLT's name.
        name: String,
    },
    /// ONUs the OLT sees but that are not registered, read now.
    Autofind {
        /// The OLT's name.
        name: String,
    },
    /// The registered ONUs (of one port, or all), read now.
    Onus {
        /// The OLT's name.
        name: String,
        /// Only this PON port (frame/slot/port, e.g. 0/1/0).
        #[arg(long, value_name = "P", value_parser = parse_port)]
        port: Option<PonPort>,
    },
    /// ONU optical levels, read now: every port, one port, or one ONU.
    Optical {
        /// The OLT's name.
        name: String,
        /// Only this PON port (frame/slot/port).
        #[arg(long, value_name = "P", value_parser = parse_port)]
        port: Option<PonPort>,
        /// Only this ONU of the port (its id on the port).
        #[arg(long, value_name = "ID", requires = "port")]
        onu: Option<u32>,
    },
    /// Register an ONU found in autofind.
    Authorize(live::AuthorizeArgs),
    /// Remove an ONU's registration.
    Deregister {
        /// The OLT's name.
        name: String,
        /// Its PON port (frame/slot/port).
        #[arg(long, value_name = "P", value_parser = parse_port)]
        port: PonPort,
        /// Its id on the port.
        #[arg(long, value_name = "ID")]
        onu: u32,
    },
    /// One signal sweep (of one OLT, or all) and one round of zero-touch provisioning, now.
    Sweep {
        /// Only this OLT.
        name: Option<String>,
    },
    /// The commands sent to an OLT and its replies, newest first.
    Log {
        /// The OLT's name.
        name: String,
        /// How many entries.
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: u32,
    },
    /// What a plan tells the OLT: line and service profiles (ZTE: T-CONT profile and ONU type) and VLAN.
    PlanProfile(inventory::PlanProfileArgs),
    /// Register this ONU serial for a service as soon as it shows up in an OLT's autofind.
    ZeroTouch(inventory::ZeroTouchArgs),
    /// The signal sweep's settings: interval, ONU Rx thresholds, retention. Without options, show them.
    Settings(inventory::SettingsArgs),
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let store = w.store();
    let result = match command {
        Command::Add(args) => inventory::add(globals, &w, args).await,
        Command::List => inventory::list(globals, store).await,
        Command::Remove { name } => inventory::remove(globals, &w, &name).await,
        Command::Pin { name } => inventory::pin(globals, &w, &name).await,
        Command::PlanProfile(args) => inventory::plan_profile(globals, &w, args).await,
        Command::ZeroTouch(args) => inventory::zero_touch(globals, &w, args).await,
        Command::Settings(args) => inventory::settings(globals, &w, args).await,
        Command::Autofind { name } => live::autofind(globals, store, &name).await,
        Command::Onus { name, port } => live::onus(globals, store, &name, port).await,
        Command::Optical { name, port, onu } => live::optical(globals, store, &name, port, onu).await,
        Command::Authorize(args) => live::authorize(globals, &w, args).await,
        Command::Deregister { name, port, onu } => live::deregister(globals, &w, &name, port, onu).await,
        Command::Sweep { name } => live::sweep(globals, store, name.as_deref()).await,
        Command::Log { name, limit } => live::log(globals, store, &name, limit).await,
    };
    store.close().await;
    result
}

fn parse_port(text: &str) -> Result<PonPort, String> {
    text.parse::<PonPort>().map_err(|e| e.to_string())
}

fn parse_serial(text: &str) -> Result<SerialNumber, String> {
    SerialNumber::parse(text).map_err(|e| e.to_string())
}

async fn find(store: &Store, name: &str) -> anyhow::Result<Olt> {
    store.olt_by_name(name).await?.with_context(|| format!("no OLT named {name:?}; `headend olt list` shows them"))
}

/// The engine's OLT fleet for one command: one SSH session per OLT (the
/// app and the agent may hold others), the command log written before the
/// command ends ([`OltFleet::close`]).
async fn fleet(store: &Store) -> anyhow::Result<OltFleet> {
    let secrets = open_secrets(store).await?;
    let config = OltFleetConfig { max_sessions: 1, ..OltFleetConfig::new(store.engine_holder("cli").await?) };
    Ok(OltFleet::new(store.clone(), secrets, config))
}

//! `headend router …`: the inventory (`add`, `list`, `remove`, `pin`, in
//! [`inventory`]) and what a router holds right now (`probe`, `secrets`,
//! `sessions`, in [`live`]), through the engine's [`Connector`] so the
//! password comes from the keyring and TLS certificates are pinned the
//! same way as in the app.

mod inventory;
mod live;

use anyhow::Context;
use headend_core::router::Router;
use headend_fleet::{Connector, RouterLink};
use headend_store::Store;

use crate::Globals;
use crate::open::{open_secrets, open_workflows};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a router; its password is read from standard input and kept in the OS keyring.
    Add(inventory::AddArgs),
    /// The routers of the inventory.
    List,
    /// Remove a router and its password.
    Remove {
        /// The router's name.
        name: String,
    },
    /// Trust the TLS certificate the router presents now, after its certificate changed (it was replaced).
    Pin {
        /// The router's name.
        name: String,
        /// Trust it only if it is this one (SHA-256 fingerprint, hex), the one you checked on the router.
        #[arg(long, value_name = "FINGERPRINT")]
        expect: Option<String>,
    },
    /// Identity, version, board, uptime, CPU, memory and PPP counts, read now.
    Probe {
        /// The router's name.
        name: String,
    },
    /// The router's PPP secrets (never their passwords).
    Secrets {
        /// The router's name.
        name: String,
    },
    /// The router's active PPP sessions.
    Sessions {
        /// The router's name.
        name: String,
        /// Then print every change as it happens, until Ctrl-C.
        #[arg(long)]
        watch: bool,
    },
    /// Keep the router's PPPoE users on it (api) or in FreeRADIUS (radius); the next sweep moves them.
    SetBackend(crate::radius::SetBackendArgs),
    /// What a RADIUS-mode router needs (RADIUS server, AAA, incoming CoA), in RouterOS commands, and what
    /// it lacks, read from the router.
    RadiusSetup {
        /// The router's name.
        name: String,
        /// Write what is missing over the router's API (with its shared secret from the keyring), then read it back.
        #[arg(long)]
        apply: bool,
    },
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let store = w.store();
    let result = match command {
        Command::Add(args) => inventory::add(globals, &w, args).await,
        Command::List => inventory::list(globals, store).await,
        Command::Remove { name } => inventory::remove(globals, &w, &name).await,
        Command::Pin { name, expect } => inventory::pin(globals, &w, &name, expect.as_deref()).await,
        Command::Probe { name } => live::probe(globals, store, &name).await,
        Command::Secrets { name } => live::secrets(globals, store, &name).await,
        Command::Sessions { name, watch } => live::sessions(globals, store, &name, watch).await,
        Command::SetBackend(args) => crate::radius::set_backend(globals, &w, args).await,
        Command::RadiusSetup { name, apply } => crate::radius::setup(globals, &w, &name, apply).await,
    };
    store.close().await;
    result
}

pub(crate) async fn find(store: &Store, name: &str) -> anyhow::Result<Router> {
    store
        .router_by_name(name)
        .await?
        .with_context(|| format!("no router named {name:?}; `headend router list` shows them"))
}

/// The router named `name`, logged in over its transport (binary API,
/// API-TLS or REST).
async fn connect(store: &Store, name: &str) -> anyhow::Result<(Router, RouterLink)> {
    let router = find(store, name).await?;
    let secrets = open_secrets(store).await?;
    let client = Connector::new(store.clone(), secrets).connect(&router).await?;
    Ok((router, client))
}

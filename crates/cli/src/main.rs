//! `headend`: Headend from a terminal. It shares the data directory and the
//! database with the desktop app, so what one does the other sees.
//!
//! One module per group of subcommands, each a thin layer that parses its
//! arguments, calls one workflow of `headend-workflows` (acting as `cli`,
//! which writes the activity log) or one read of the store or the engine,
//! and prints: [`status`], [`simulate`], [`router`], [`olt`], [`plan`],
//! [`service`], [`payment`], [`import`], [`policy`], [`key`], [`backup`]. [`output`] holds what
//! they share for printing (text for people, `--json` for scripts: one
//! object, an array for a listing, one object per line for a stream);
//! [`open`] opens the database, the keyring and the workflows, and
//! [`input`] reads what the operator pipes in.

mod backup;
mod billing;
mod engine;
mod import;
mod input;
mod key;
mod messages;
mod olt;
mod open;
mod output;
mod plan;
mod policy;
mod pop;
mod radius;
mod router;
mod service;
mod shutdown;
mod simulate;
mod status;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use headend_store::DataDir;

#[derive(Debug, Parser)]
#[command(name = "headend", version, about = "Network operations for small ISPs, from the command line")]
struct Cli {
    /// The data directory (default: HEADEND_DATA_DIR, then the platform's application-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of text (one object per line for streams).
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Where the data lives, the schema version and what the database holds.
    Status,
    /// Run simulated MikroTik routers on loopback until Ctrl-C.
    Simulate(simulate::Args),
    /// The routers of the inventory, and what they hold right now.
    #[command(subcommand)]
    Router(router::Command),
    /// GPON OLTs: inventory, autofind, ONUs, optical levels, authorize, zero-touch.
    #[command(subcommand)]
    Olt(olt::Command),
    /// Plans (packages): rates in RouterOS order (upload/download), price, billing cycle.
    #[command(subcommand)]
    Plan(plan::Command),
    /// Customers' services: add, list, show, change status or due date, retry provisioning.
    #[command(subcommand)]
    Service(service::Command),
    /// Payments: they pay the customer's invoices oldest first (or prepay months) and reconnect what they pay for.
    #[command(subcommand)]
    Payment(billing::payment::Command),
    /// Receipts of payments, as PDF.
    #[command(subcommand)]
    Receipt(billing::payment::ReceiptCommand),
    /// Invoices: the invoice run, lists, PDFs, one-off charges, coupons, void and credit notes.
    #[command(subcommand)]
    Invoice(billing::invoice::Command),
    /// Customers: their ledger, and how they are written to (e-mail, phone, channel, language, opt-outs).
    #[command(subcommand)]
    Customer(billing::customer::Command),
    /// Messages to customers: e-mail, SMS and WhatsApp providers, templates, the outbox, blasts.
    #[command(subcommand)]
    Messages(messages::Command),
    /// Billing settings: currency, tax, numbering, lead time, company details for documents.
    #[command(subcommand)]
    Billing(billing::settings::Command),
    /// Invoices, payments or customers as XLSX or CSV.
    Export(billing::export::Args),
    /// Revenue at a glance.
    #[command(subcommand)]
    Report(billing::report::Command),
    /// Onboard an existing network from a file.
    #[command(subcommand)]
    Import(import::Command),
    /// The ISP's provisioning rules: time zone, grace, suspension mode, retries.
    #[command(subcommand)]
    Policy(policy::Command),
    /// Points of presence: the sites routers and OLTs stand in.
    #[command(subcommand)]
    Pop(pop::Command),
    /// RADIUS mode: FreeRADIUS's database, a service's test login, a server's status.
    #[command(subcommand)]
    Radius(radius::Command),
    /// Reconcile every router with the database once (or show what would change).
    Sweep(engine::SweepArgs),
    /// Run the provisioning engine without a window until stopped; `agent install` makes it a service.
    Agent(engine::AgentArgs),
    /// The key of subscriber passwords: export it to a file sealed with a passphrase, import it on another machine.
    #[command(subcommand)]
    Key(key::Command),
    /// Write a consistent copy of the database (safe while the app and the agent run).
    Backup(backup::BackupArgs),
    /// Replace the database with a backup (the app and the agent must be stopped).
    Restore(backup::RestoreArgs),
}

/// What every subcommand may need from the global options.
#[derive(Debug, Clone)]
pub struct Globals {
    data_dir: Option<PathBuf>,
    pub json: bool,
}

impl Globals {
    /// The data directory, created if missing.
    pub fn data_dir(&self) -> anyhow::Result<DataDir> {
        Ok(DataDir::resolve(self.data_dir.as_deref().map(Path::new))?)
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let globals = Globals { data_dir: cli.data_dir, json: cli.json };
    match cli.command {
        Command::Status => status::run(&globals).await,
        Command::Simulate(args) => simulate::run(&globals, args).await,
        Command::Router(command) => router::run(&globals, command).await,
        Command::Olt(command) => olt::run(&globals, command).await,
        Command::Plan(command) => plan::run(&globals, command).await,
        Command::Service(command) => service::run(&globals, command).await,
        Command::Payment(command) => billing::payment::run(&globals, command).await,
        Command::Receipt(command) => billing::payment::receipt(&globals, command).await,
        Command::Invoice(command) => billing::invoice::run(&globals, command).await,
        Command::Customer(command) => billing::customer::run(&globals, command).await,
        Command::Messages(command) => messages::run(&globals, command).await,
        Command::Billing(command) => billing::settings::run(&globals, command).await,
        Command::Export(args) => billing::export::run(&globals, args).await,
        Command::Report(command) => billing::report::run(&globals, command).await,
        Command::Import(command) => import::run(&globals, command).await,
        Command::Policy(command) => policy::run(&globals, command).await,
        Command::Pop(command) => pop::run(&globals, command).await,
        Command::Radius(command) => radius::run(&globals, command).await,
        Command::Sweep(args) => engine::sweep(&globals, args).await,
        Command::Agent(args) => engine::agent(&globals, args).await,
        Command::Key(command) => key::run(&globals, command).await,
        Command::Backup(args) => backup::backup(&globals, args).await,
        Command::Restore(args) => backup::restore_from(&globals, args).await,
    }
}

/// The error and its causes on one line, each cause once: library errors
/// often quote their source in their own message already.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace(['\r', '\n'], " ")
}

/// Whether the error is only that whoever read our output went away
/// (`headend router secrets r1 | head`).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEADEND_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("headend: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("headend: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("r1: cannot connect to 127.0.0.1:1: {source}")]
    struct Outer {
        source: std::io::Error,
    }

    #[test]
    fn causes_already_quoted_are_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let err = anyhow::Error::new(Outer { source: io }).context("probing r1");
        assert_eq!(one_line(&err), "probing r1: r1: cannot connect to 127.0.0.1:1: connection refused");
        let plain = anyhow::anyhow!("two\nlines");
        assert_eq!(one_line(&plain), "two lines");
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "gone");
        assert!(is_broken_pipe(&anyhow::Error::new(io).context("printing")));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

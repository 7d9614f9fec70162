//! `headend`: Headend from a terminal. It shares the data directory and the
//! database with the desktop app, so what one does the other sees.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use headend_store::{DataDir, Store, StoreStatus};
use serde::Serialize;

#[derive(Debug, Parser)]
#[command(name = "headend", version, about = "Network operations for small ISPs, from the command line")]
struct Cli {
    /// The data directory (default: HEADEND_DATA_DIR, then the platform's application-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Where the data lives, the schema version and what the database holds.
    Status,
}

#[derive(Serialize)]
struct StatusReport {
    version: &'static str,
    data_dir: String,
    database: String,
    schema_version: i64,
    pops: i64,
    routers: i64,
    plans: i64,
    customers: i64,
    services: i64,
    active_services: i64,
    suspended_services: i64,
}

impl StatusReport {
    fn new(dir: &DataDir, status: StoreStatus) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION"),
            data_dir: dir.root().display().to_string(),
            database: dir.database_path().display().to_string(),
            schema_version: status.schema_version,
            pops: status.pops,
            routers: status.routers,
            plans: status.plans,
            customers: status.customers,
            services: status.services,
            active_services: status.active_services,
            suspended_services: status.suspended_services,
        }
    }

    fn print_text(&self) {
        println!("Headend {}", self.version);
        println!("Data directory:  {}", self.data_dir);
        println!("Database:        {}", self.database);
        println!("Schema version:  {}", self.schema_version);
        println!("POPs:            {}", self.pops);
        println!("Routers:         {}", self.routers);
        println!("Plans:           {}", self.plans);
        println!("Customers:       {}", self.customers);
        println!(
            "Services:        {} ({} active, {} suspended)",
            self.services, self.active_services, self.suspended_services
        );
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = DataDir::resolve(cli.data_dir.as_deref())?;
    match cli.command {
        Command::Status => {
            let store = Store::open(&dir.database_path())
                .await
                .context("opening the database")?;
            let report = StatusReport::new(&dir, store.status().await?);
            store.close().await;
            if cli.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                report.print_text();
            }
        }
    }
    Ok(())
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
        Err(err) => {
            eprintln!("headend: {err:#}");
            ExitCode::FAILURE
        }
    }
}

//! `headend import`: onboarding an existing network, from a spreadsheet
//! ([`services`]), from the secrets already on a router
//! ([`router_secrets`]) or from the users already in FreeRADIUS
//! ([`radius_users`]).

mod radius_users;
mod report;
mod router_secrets;
mod services;

use std::path::PathBuf;

use crate::Globals;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Services (and their customers) from a CSV file with the columns
    /// customer,phone,router,plan,type,username,password,ip,status,next_billing_date,address,latitude,longitude
    /// (any order; `,` or `;`; type pppoe or static; status empty = active;
    /// dates YYYY-MM-DD).
    Services {
        /// The CSV file (UTF-8).
        #[arg(long, value_name = "F.csv")]
        file: PathBuf,
        /// Check the file and print what would be created; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The PPP secrets already on ROUTER, as customers and services that
    /// Headend adopts (marks and manages from then on).
    RouterSecrets {
        /// The router's name in the inventory.
        router: String,
        /// Which plan each router profile becomes: lines `PROFILE,PLAN`
        /// (`#` starts a comment). Profiles not listed must be a plan's
        /// own profile name.
        #[arg(long, value_name = "FILE")]
        plan_map: Option<PathBuf>,
        /// Print what would be imported; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The users already in FreeRADIUS's database (`radius set`), as customers and services of a
    /// router in RADIUS mode that Headend adopts.
    RadiusUsers {
        /// The RADIUS router the services go on (needed when several are in RADIUS mode).
        #[arg(long)]
        router: Option<String>,
        /// Which plan each RADIUS group becomes: lines `GROUP,PLAN` (`#` starts a comment).
        #[arg(long, value_name = "FILE")]
        plan_map: Option<PathBuf>,
        /// Print what would be imported; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Services { file, dry_run } => services::run(globals, file, dry_run).await,
        Command::RouterSecrets { router, plan_map, dry_run } => {
            router_secrets::run(globals, &router, plan_map.as_deref(), dry_run).await
        }
        Command::RadiusUsers { router, plan_map, dry_run } => {
            radius_users::run(globals, router.as_deref(), plan_map.as_deref(), dry_run).await
        }
    }
}

//! `headend status`: where the data lives and what the database holds.

use anyhow::Context;
use headend_store::{DataDir, Store, StoreStatus};
use serde::Serialize;

use crate::Globals;
use crate::output;

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

    fn print_text(&self) -> std::io::Result<()> {
        output::line(format!("Headend {}", self.version))?;
        output::line(format!("Data directory:  {}", self.data_dir))?;
        output::line(format!("Database:        {}", self.database))?;
        output::line(format!("Schema version:  {}", self.schema_version))?;
        output::line(format!("POPs:            {}", self.pops))?;
        output::line(format!("Routers:         {}", self.routers))?;
        output::line(format!("Plans:           {}", self.plans))?;
        output::line(format!("Customers:       {}", self.customers))?;
        output::line(format!(
            "Services:        {} ({} active, {} suspended)",
            self.services, self.active_services, self.suspended_services
        ))
    }
}

pub async fn run(globals: &Globals) -> anyhow::Result<()> {
    let dir = globals.data_dir()?;
    let store = Store::open(&dir.database_path()).await.context("opening the database")?;
    let status = store.status().await;
    store.close().await;
    let report = StatusReport::new(&dir, status?);
    if globals.json {
        output::json(&report)?;
    } else {
        report.print_text()?;
    }
    Ok(())
}

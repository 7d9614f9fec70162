//! `headend import services --file F.csv [--dry-run]`: onboards an
//! existing network from a spreadsheet. The file is read by
//! `headend_core::import` and checked against the database by
//! `Store::check_import` (the console's import uses the same). Every problem is
//! reported with its line; if there is any, nothing is imported. Otherwise
//! every row is imported in one transaction.

use std::path::PathBuf;

use anyhow::{Context, bail};
use headend_core::activity::Actor;
use headend_core::service::Access;
use headend_workflows::Workflows;
use serde::Serialize;

use crate::open::open_workflows;
use crate::{Globals, output};

/// Files larger than this are refused (about a million rows).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Serialize)]
struct RowJson {
    line: u64,
    /// Set once imported.
    id: Option<i64>,
    customer: String,
    /// Whether the customer is created (not found by name and phone).
    new_customer: bool,
    router: String,
    plan: String,
    r#type: &'static str,
    login: String,
    status: &'static str,
    next_billing_date: Option<String>,
}

#[derive(Debug, Serialize)]
struct ErrorJson {
    line: u64,
    reason: String,
}

#[derive(Debug, Serialize)]
struct ReportJson {
    file: String,
    dry_run: bool,
    imported: bool,
    services: Vec<RowJson>,
    errors: Vec<ErrorJson>,
}

pub async fn run(globals: &Globals, file: PathBuf, dry_run: bool) -> anyhow::Result<()> {
    let size = std::fs::metadata(&file).with_context(|| format!("cannot read {}", file.display()))?.len();
    if size > MAX_FILE_BYTES {
        bail!("{} is larger than {} MiB; split it", file.display(), MAX_FILE_BYTES / 1024 / 1024);
    }
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let w = open_workflows(globals).await?;
    let result = services(globals, &w, &file, &bytes, dry_run).await;
    w.store().close().await;
    result
}

async fn services(
    globals: &Globals,
    w: &Workflows,
    file: &std::path::Path,
    bytes: &[u8],
    dry_run: bool,
) -> anyhow::Result<()> {
    let done = w.import_services(&Actor::Cli, bytes, dry_run).await?;
    let mut ids = done.ids.iter().map(|id| Some(id.0)).chain(std::iter::repeat(None));
    let errors = &done.checked.errors;
    let name = file.display().to_string();
    let report = ReportJson {
        file: name.clone(),
        dry_run,
        imported: !done.ids.is_empty(),
        services: done
            .checked
            .rows
            .iter()
            .map(|c| RowJson {
                line: c.row.line,
                id: ids.next().flatten(),
                customer: c.row.customer.clone(),
                new_customer: c.new_customer,
                router: c.row.router.clone(),
                plan: c.row.plan.clone(),
                r#type: c.row.access.kind(),
                login: match &c.row.access {
                    Access::Pppoe { username, .. } => username.clone(),
                    Access::StaticIp { address } => address.to_string(),
                },
                status: c.row.status.as_str(),
                next_billing_date: c.row.next_billing_date.map(|d| d.to_string()),
            })
            .collect(),
        errors: errors.iter().map(|e| ErrorJson { line: e.line, reason: e.reason.clone() }).collect(),
    };
    print(globals, &report)?;
    if !errors.is_empty() {
        bail!(
            "{} problem(s) in {name}; nothing was imported{}",
            errors.len(),
            if dry_run { "" } else { " (fix them and run the import again)" }
        );
    }
    Ok(())
}
fn print(globals: &Globals, report: &ReportJson) -> anyhow::Result<()> {
    if globals.json {
        return output::json(report);
    }
    let verb = if report.imported { "Imported" } else { "Would import" };
    for row in &report.services {
        output::line(format!(
            "line {}: {} {} {} for {}{} on {}, plan {}, {}{}",
            row.line,
            if report.imported {
                row.id.map_or_else(String::new, |id| format!("service {id}:"))
            } else {
                "would add".to_owned()
            },
            row.r#type,
            output::safe(&row.login),
            output::safe(&row.customer),
            if row.new_customer { " (new customer)" } else { "" },
            output::safe(&row.router),
            output::safe(&row.plan),
            row.status,
            row.next_billing_date.as_ref().map(|d| format!(", due {d}")).unwrap_or_default(),
        ))?;
    }
    for error in &report.errors {
        eprintln!("{}: line {}: {}", output::safe(&report.file), error.line, output::safe(&error.reason));
    }
    if report.errors.is_empty() {
        let customers = report.services.iter().filter(|r| r.new_customer).count();
        output::line(format!(
            "{verb} {} service(s) and {customers} new customer(s) from {}{}.",
            report.services.len(),
            output::safe(&report.file),
            if report.imported { "; their routers will be swept" } else { " (dry run: nothing written)" },
        ))?;
    }
    Ok(())
}

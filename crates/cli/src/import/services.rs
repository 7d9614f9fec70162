//! `headend import services --file F.csv [--dry-run]`: onboards an
//! existing network from a spreadsheet. The file is read and checked by
//! `headend_core::import` against the routers and plans of the database;
//! user names already on a router are checked here. Every problem is
//! reported with its line; if there is any, nothing is imported. Otherwise
//! every row is imported in one transaction.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use anyhow::{Context, bail};
use headend_core::activity::Actor;
use headend_core::import::{ImportRow, RowError, parse_services_with};
use headend_core::service::Access;
use headend_core::{PlanId, RouterId};
use headend_store::{ImportService, Store};
use serde::Serialize;

use crate::open::{open_cipher, open_store};
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
    let store = open_store(globals).await?;
    let result = services(globals, &store, &file, &bytes, dry_run).await;
    store.close().await;
    result
}

/// A good row, resolved against the database.
struct Resolved<'a> {
    row: &'a ImportRow,
    router: RouterId,
    plan: PlanId,
}

async fn services(globals: &Globals, store: &Store, file: &std::path::Path, bytes: &[u8], dry_run: bool) -> anyhow::Result<()> {
    let routers: HashMap<String, RouterId> = store.routers().await?.into_iter().map(|r| (r.name, r.id)).collect();
    let plans: HashMap<String, PlanId> = store.plans().await?.into_iter().map(|p| (p.name, p.id)).collect();
    let parsed = parse_services_with(bytes, &|name| routers.contains_key(name), &|name| plans.contains_key(name));
    let mut errors = parsed.errors;
    let mut resolved = Vec::new();
    for row in &parsed.rows {
        let (Some(&router), Some(&plan)) = (routers.get(&row.router), plans.get(&row.plan)) else { continue };
        if let Access::Pppoe { username } = &row.access
            && store.pppoe_user(router, username).await?.is_some()
        {
            errors.push(RowError::new(
                row.line,
                format!("a PPPoE user named {username:?} already exists on router {:?}", row.router),
            ));
            continue;
        }
        resolved.push(Resolved { row, router, plan });
    }
    errors.sort_by_key(|e| e.line);

    // Which customers exist already (by exact name and phone).
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(resolved.len());
    for r in &resolved {
        let key = (r.row.customer.clone(), r.row.phone.clone());
        let new_customer = if seen.insert(key.clone()) {
            store.customer_by_name_and_phone(&key.0, key.1.as_deref()).await?.is_none()
        } else {
            false
        };
        let login = match &r.row.access {
            Access::Pppoe { username } => username.clone(),
            Access::StaticIp { address } => address.to_string(),
        };
        rows.push(RowJson {
            line: r.row.line,
            id: None,
            customer: r.row.customer.clone(),
            new_customer,
            router: r.row.router.clone(),
            plan: r.row.plan.clone(),
            r#type: r.row.access.kind(),
            login,
            status: r.row.status.as_str(),
            next_billing_date: r.row.next_billing_date.map(|d| d.to_string()),
        });
    }

    let name = file.display().to_string();
    let mut report = ReportJson {
        file: name.clone(),
        dry_run,
        imported: false,
        services: rows,
        errors: errors.iter().map(|e| ErrorJson { line: e.line, reason: e.reason.clone() }).collect(),
    };
    if !errors.is_empty() || dry_run {
        print(globals, &report)?;
        if !errors.is_empty() {
            bail!(
                "{} problem(s) in {name}; nothing was imported{}",
                errors.len(),
                if dry_run { "" } else { " (fix them and run the import again)" }
            );
        }
        return Ok(());
    }

    let cipher = if resolved.iter().any(|r| r.row.password.is_some()) { Some(open_cipher(store).await?) } else { None };
    let imports: Vec<ImportService> = resolved
        .iter()
        .map(|r| ImportService {
            customer_name: r.row.customer.clone(),
            customer_phone: r.row.phone.clone(),
            router: r.router,
            plan: r.plan,
            access: r.row.access.clone(),
            password: match (&cipher, &r.row.password) {
                (Some(cipher), Some(password)) => Some(cipher.encrypt(password)),
                _ => None,
            },
            status: r.row.status,
            next_billing_date: r.row.next_billing_date,
            adopt: false,
        })
        .collect();
    let ids = store.import_services(&imports, jiff::Timestamp::now(), &Actor::Cli).await?;
    for (row, id) in report.services.iter_mut().zip(&ids) {
        row.id = Some(id.0);
    }
    report.imported = true;
    print(globals, &report)
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
            if report.imported { row.id.map_or_else(String::new, |id| format!("service {id}:")) } else { "would add".to_owned() },
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

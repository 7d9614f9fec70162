//! Importing services from a CSV file: checked with the same rules as
//! `headend import services` (`Store::check_import`), all rows or none, then
//! the routers of the new services are swept with the usual progress bar.

use std::collections::BTreeSet;

use headend_core::activity::Actor;
use headend_core::service::Access;
use headend_ipc::import::{ImportErrorDto, ImportReport, ImportRequest, ImportRowDto};
use headend_store::ImportService;
use tauri::{AppHandle, Manager};

use super::{Answer, db, invalid, store_error};
use crate::provisioning;
use crate::state::AppState;

/// Larger files are refused: the CLI takes those.
const MAX_CSV_BYTES: usize = 16 * 1024 * 1024;

#[tauri::command]
pub async fn import_services(app: AppHandle, request: ImportRequest) -> Answer<ImportReport> {
    if request.csv.len() > MAX_CSV_BYTES {
        return Err(invalid("The file is larger than 16 MiB: import it with `headend import services --file`."));
    }
    let state = app.state::<AppState>();
    let checked = state.store.check_import(request.csv.as_bytes()).await.map_err(db)?;
    let mut report = ImportReport {
        rows: checked
            .rows
            .iter()
            .map(|c| ImportRowDto {
                line: c.row.line,
                service_id: None,
                customer: c.row.customer.clone(),
                new_customer: c.new_customer,
                kind: c.row.access.kind().to_owned(),
                login: match &c.row.access {
                    Access::Pppoe { username } => username.clone(),
                    Access::StaticIp { address } => address.to_string(),
                },
                router: c.row.router.clone(),
                plan: c.row.plan.clone(),
                status: c.row.status.to_string(),
            })
            .collect(),
        errors: checked.errors.iter().map(|e| ImportErrorDto { line: e.line, reason: e.reason.clone() }).collect(),
        imported: false,
        routers: 0,
    };
    if request.dry_run || !report.errors.is_empty() || report.rows.is_empty() {
        return Ok(report);
    }
    let needs_key = checked.rows.iter().any(|r| r.row.password.is_some());
    let cipher = match (&state.cipher, needs_key) {
        (Some(cipher), _) => Some(cipher),
        (None, false) => None,
        (None, true) => {
            return Err(invalid("The key that encrypts PPPoE passwords is not available (see Settings: keyring)."));
        }
    };
    let services: Vec<ImportService> = checked
        .rows
        .iter()
        .map(|r| {
            let password = cipher.zip(r.row.password.as_ref()).map(|(c, p)| c.encrypt(p));
            ImportService::from_checked(r, password)
        })
        .collect();
    let ids =
        state.store.import_services(&services, jiff::Timestamp::now(), &Actor::Operator).await.map_err(store_error)?;
    for (row, id) in report.rows.iter_mut().zip(&ids) {
        row.service_id = Some(id.0);
    }
    let routers: BTreeSet<_> = checked.rows.iter().map(|r| r.router).collect();
    report.imported = true;
    report.routers = u32::try_from(routers.len()).unwrap_or(u32::MAX);
    if !state.sweeps_paused() {
        provisioning::sweep_now(&app, routers.into_iter().collect());
    }
    Ok(report)
}

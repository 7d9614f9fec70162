//! Importing services from a CSV file: checked with the same rules as
//! `headend import services` (`Store::check_import`), all rows or none, then
//! the routers of the new services are swept with the usual progress bar.

use headend_core::RouterId;
use headend_core::activity::Actor;
use headend_core::service::Access;
use headend_ipc::import::{
    AdoptPreview, AdoptRequest, AdoptedDto, ImportErrorDto, ImportReport, ImportRequest, ImportRowDto,
};
use tauri::{AppHandle, Manager};

use super::{Answer, invalid, workflow_error};
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
    let done = state
        .workflows
        .import_services(&Actor::Operator, request.csv.as_bytes(), request.dry_run)
        .await
        .map_err(workflow_error)?;
    let mut report = ImportReport {
        rows: done
            .checked
            .rows
            .iter()
            .map(|c| ImportRowDto {
                line: c.row.line,
                service_id: None,
                customer: c.row.customer.clone(),
                new_customer: c.new_customer,
                kind: c.row.access.kind().to_owned(),
                login: match &c.row.access {
                    Access::Pppoe { username, .. } => username.clone(),
                    Access::StaticIp { address } => address.to_string(),
                },
                router: c.row.router.clone(),
                plan: c.row.plan.clone(),
                status: c.row.status.to_string(),
            })
            .collect(),
        errors: done.checked.errors.iter().map(|e| ImportErrorDto { line: e.line, reason: e.reason.clone() }).collect(),
        imported: !done.ids.is_empty(),
        routers: 0,
    };
    if !report.imported {
        return Ok(report);
    }
    for (row, id) in report.rows.iter_mut().zip(&done.ids) {
        row.service_id = Some(id.0);
    }
    report.routers = u32::try_from(done.routers.len()).unwrap_or(u32::MAX);
    if !state.sweeps_paused() {
        provisioning::sweep_now(&app, done.routers.into_iter().collect());
    }
    Ok(report)
}

/// The router's own PPP secrets as services Headend adopts (its page's
/// "Adopt its secrets"): a preview first, then the same workflow as
/// `headend import router-secrets`; the router is swept after.
#[tauri::command]
pub async fn adopt_router_secrets(app: AppHandle, request: AdoptRequest) -> Answer<AdoptPreview> {
    let state = app.state::<AppState>();
    let done = state
        .workflows
        .adopt_router_secrets(&Actor::Operator, RouterId(request.router_id), &request.plan_map, request.dry_run)
        .await
        .map_err(workflow_error)?;
    Ok(AdoptPreview {
        services: done
            .adoption
            .services
            .iter()
            .map(|(a, _)| AdoptedDto {
                username: a.username.clone(),
                customer: a.customer.clone(),
                plan: done.plan_name(a.plan).to_owned(),
                status: a.status.to_string(),
                address: a.address.map(|ip| ip.to_string()).unwrap_or_default(),
            })
            .collect(),
        skipped: done.adoption.skipped.clone(),
        errors: done.adoption.errors.clone(),
        unmapped_profiles: done.unmapped_profiles.clone(),
        plans: done.plans.iter().map(|p| p.name.clone()).collect(),
        adopted: u32::try_from(done.ids.len()).unwrap_or(u32::MAX),
    })
}

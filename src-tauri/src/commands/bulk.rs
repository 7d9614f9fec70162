//! Bulk actions on the Customers list's selection: parse, call the
//! `bulk_change` workflow, render each service's line.

use headend_core::activity::Actor;
use headend_core::service::ServiceStatus;
use headend_core::{PlanId, RouterId, ServiceId};
use headend_ipc::ErrorDto;
use headend_ipc::bulk::{BulkLineDto, BulkReport, BulkRequest};
use headend_workflows::bulk::{BulkChange, BulkOutcome};
use tauri::State;

use super::{Answer, workflow_error};
use crate::state::AppState;

fn change(request: &BulkRequest) -> Result<BulkChange, ErrorDto> {
    let target = || request.target_id.ok_or_else(|| ErrorDto::field("target", "Choose where the services go."));
    Ok(match request.action.as_str() {
        "suspend" => BulkChange::Status(ServiceStatus::Suspended),
        "activate" => BulkChange::Status(ServiceStatus::Active),
        "plan" => BulkChange::Plan(PlanId(target()?)),
        "router" => BulkChange::Router(RouterId(target()?)),
        other => return Err(ErrorDto::field("action", format!("Unknown action {other:?}."))),
    })
}

#[tauri::command]
pub async fn bulk_change(state: State<'_, AppState>, request: BulkRequest) -> Answer<BulkReport> {
    let change = change(&request)?;
    let ids: Vec<ServiceId> = request.service_ids.iter().copied().map(ServiceId).collect();
    let result =
        state.workflows.bulk_change(&Actor::Operator, &ids, change, request.dry_run).await.map_err(workflow_error)?;
    Ok(BulkReport {
        lines: result
            .lines
            .iter()
            .map(|l| {
                let (outcome, detail) = match &l.outcome {
                    BulkOutcome::Changes(what) => ("changes", what.clone()),
                    BulkOutcome::Unchanged => ("unchanged", String::new()),
                    BulkOutcome::Refused(why) => ("refused", why.clone()),
                };
                BulkLineDto {
                    service_id: l.service.id.0,
                    label: l.service.label(),
                    outcome: outcome.to_owned(),
                    detail,
                }
            })
            .collect(),
        applied: u32::try_from(result.applied).unwrap_or(u32::MAX),
    })
}

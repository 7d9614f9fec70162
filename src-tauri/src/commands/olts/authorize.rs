//! The unconfigured ONUs (each OLT's autofind, with the service waiting
//! for each serial and its zero-touch state) and the Authorize dialog: its
//! draft from the service's defaults, and the registration.

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::olt::OltVendor;
use headend_core::queue::{OltAction, QueueStatus};
use headend_core::{OltId, ServiceId};
use headend_ipc::ErrorDto;
use headend_ipc::olt::{
    AuthorizeDraft, AuthorizeForm, AuthorizeTarget, AuthorizedOnu, AutofindDto, OltScope, PlanProfileDto,
    ServiceChoice, UnconfiguredView,
};
use headend_olt::{PonPort, SerialNumber};
use headend_workflows::olts::AuthorizeOnu;
use tauri::{AppHandle, State};

use super::{find_olt, opt_instant};
use crate::commands::{Answer, db, instant, workflow_error};
use crate::olts;
use crate::state::AppState;

/// What the two profile fields of a plan mean on a vendor.
fn profile_labels(v: OltVendor) -> (&'static str, &'static str) {
    match v {
        OltVendor::Zte | OltVendor::ZteTitan => ("T-CONT profile", "ONU type"),
        OltVendor::Huawei | OltVendor::Vsol => ("Line profile", "Service profile"),
    }
}

async fn unconfigured(state: &AppState, olt: Option<OltId>, errors: Vec<String>) -> Answer<UnconfiguredView> {
    let found = state.store.autofind_onus(olt).await.map_err(db)?;
    let queue: HashMap<ServiceId, _> = state
        .store
        .olt_queue(None)
        .await
        .map_err(db)?
        .into_iter()
        .filter(|r| r.entry.action == OltAction::Authorize)
        .map(|r| (r.entry.service, r.entry))
        .collect();
    let rows = found
        .into_iter()
        .map(|f| {
            let ztp = f.service.and_then(|s| queue.get(&s));
            AutofindDto {
                olt_id: f.olt.0,
                olt_name: f.olt_name,
                port: f.port,
                serial: f.serial,
                equipment: f.equipment.unwrap_or_default(),
                found_at: opt_instant(f.found_at),
                seen_at: instant(f.seen_at),
                service_id: f.service.map(|s| s.0),
                service_label: f.service_label.unwrap_or_default(),
                ztp_status: ztp
                    .filter(|e| matches!(e.status, QueueStatus::Retrying | QueueStatus::Failed))
                    .map(|e| e.status.as_str().to_owned())
                    .unwrap_or_default(),
                ztp_error: ztp.and_then(|e| e.last_error.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(UnconfiguredView { rows, errors })
}

/// The ONUs the last autofind of each OLT (or one) showed.
#[tauri::command]
pub async fn list_unconfigured(state: State<'_, AppState>, scope: OltScope) -> Answer<UnconfiguredView> {
    unconfigured(&state, scope.olt_id.map(OltId), Vec::new()).await
}

/// Reads the autofind of each OLT (or one) now, all in parallel.
#[tauri::command]
pub async fn refresh_autofind(app: AppHandle, state: State<'_, AppState>, scope: OltScope) -> Answer<UnconfiguredView> {
    let olts = match scope.olt_id {
        Some(id) => vec![find_olt(&state, id).await?],
        None => state.store.olts().await.map_err(db)?,
    };
    let mut reads = tokio::task::JoinSet::new();
    for olt in olts {
        let fleet = state.olts.clone();
        reads.spawn(async move { fleet.autofind(&olt).await.map(drop).map_err(|e| e.to_string()) });
    }
    let mut errors = Vec::new();
    while let Some(done) = reads.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(format!("an autofind read stopped: {e}")),
        }
    }
    olts::changed(&app, scope.olt_id.map(OltId));
    unconfigured(&state, scope.olt_id.map(OltId), errors).await
}

/// What the Authorize dialog starts from: the service waiting for this
/// serial (its plan's profile, its VLAN, its description), else the first
/// plan with an OLT profile.
#[tauri::command]
pub async fn authorize_draft(state: State<'_, AppState>, target: AuthorizeTarget) -> Answer<AuthorizeDraft> {
    let olt = find_olt(&state, target.olt_id).await?;
    let store = &state.store;
    let found = store.autofind_onus(Some(olt.id)).await.map_err(db)?.into_iter().find(|f| f.serial == target.serial);
    let mut plans = Vec::new();
    for plan in store.plans().await.map_err(db)? {
        if let Some(p) = store.plan_olt_profile(plan.id).await.map_err(db)?.filter(|p| !p.is_empty()) {
            plans.push(PlanProfileDto {
                plan_id: plan.id.0,
                plan_name: plan.name.clone(),
                line: p.line.unwrap_or_default(),
                service: p.service.unwrap_or_default(),
                vlan: p.vlan,
            });
        }
    }
    let waiting = found.as_ref().and_then(|f| f.service);
    let mut services = Vec::new();
    for c in store.ztp_candidates().await.map_err(db)? {
        services.push(ServiceChoice {
            id: c.service.0,
            label: c.service_label.clone(),
            plan_id: c.plan.0,
            vlan: c.defaults.profile.vlan,
            description: c.defaults.description.clone(),
        });
    }
    if let Some(id) = waiting
        && !services.iter().any(|s| s.id == id.0)
    {
        let s = state.workflows.service(id).await.map_err(workflow_error)?;
        let defaults = state.workflows.authorize_defaults(id).await.map_err(workflow_error)?;
        services.push(ServiceChoice {
            id: id.0,
            label: s.label(),
            plan_id: s.plan.0,
            vlan: defaults.profile.vlan,
            description: defaults.description,
        });
    }
    // The waiting service first.
    services.sort_by_key(|s| (Some(ServiceId(s.id)) != waiting, s.id));

    let (line_label, service_profile_label) = profile_labels(olt.vendor);
    let mut draft = AuthorizeDraft {
        olt_id: olt.id.0,
        olt_name: olt.name.clone(),
        vendor: olt.vendor.as_str().to_owned(),
        port: target.port.clone(),
        serial: target.serial.clone(),
        equipment: found.as_ref().and_then(|f| f.equipment.clone()).unwrap_or_default(),
        service_id: None,
        line: String::new(),
        service_profile: String::new(),
        vlan: String::new(),
        description: String::new(),
        source: String::new(),
        plan_id: None,
        line_label: line_label.to_owned(),
        service_profile_label: service_profile_label.to_owned(),
        plans,
        services,
    };
    let from_plan = |draft: &mut AuthorizeDraft, plan_id: i64| {
        if let Some(p) = draft.plans.iter().find(|p| p.plan_id == plan_id).cloned() {
            draft.line = p.line;
            draft.service_profile = p.service;
            draft.vlan = p.vlan.map(|v| v.to_string()).unwrap_or_default();
            draft.plan_id = Some(plan_id);
            true
        } else {
            false
        }
    };
    if let Some(service) = waiting.and_then(|id| draft.services.iter().find(|s| s.id == id.0)).cloned() {
        let has_plan = from_plan(&mut draft, service.plan_id);
        draft.service_id = Some(service.id);
        if let Some(vlan) = service.vlan {
            draft.vlan = vlan.to_string();
        }
        draft.description = service.description;
        draft.source = if has_plan {
            format!("the service waiting for this serial, {}, and its plan's OLT profile", service.label)
        } else {
            format!(
                "the service waiting for this serial, {}; its plan has no OLT profile: fill the profiles in",
                service.label
            )
        };
    } else if let Some(first) = draft.plans.first().cloned() {
        from_plan(&mut draft, first.plan_id);
        draft.source = format!("plan {}'s OLT profile", first.plan_name);
    } else {
        draft.source = "no plan has an OLT profile yet: fill the profiles in".to_owned();
    }
    Ok(draft)
}

/// Registers an ONU from the Authorize dialog, linked to a service if one
/// is chosen; then follows it until it is online.
#[tauri::command]
pub async fn authorize_onu(app: AppHandle, state: State<'_, AppState>, form: AuthorizeForm) -> Answer<AuthorizedOnu> {
    let port = PonPort::from_str(form.port.trim()).map_err(|e| ErrorDto::field("port", e.to_string()))?;
    let serial = SerialNumber::parse(&form.serial).map_err(|e| ErrorDto::field("serial", e.to_string()))?;
    let vlan = match form.vlan.trim() {
        "" => None,
        text => Some(
            text.parse::<u16>().map_err(|_| ErrorDto::field("vlan", format!("{text:?} is not a VLAN (1-4094).")))?,
        ),
    };
    let input = AuthorizeOnu {
        olt: OltId(form.olt_id),
        port,
        serial: serial.clone(),
        service: form.service_id.map(ServiceId),
        line: Some(form.line),
        service_profile: Some(form.service_profile),
        vlan,
        description: Some(form.description),
    };
    let done = state.workflows.authorize_onu(&Actor::Operator, &state.olts, input).await.map_err(workflow_error)?;
    olts::changed(&app, Some(done.olt.id));
    olts::follow_onu(&app, done.olt.clone(), done.at);
    Ok(AuthorizedOnu {
        onu_id: done.onu.map(|o| o.0),
        port: done.at.port.to_string(),
        index: done.at.id,
        text: format!("{serial} registered on {} port {} as ONU {}.", done.olt.name, done.at.port, done.at.id),
    })
}

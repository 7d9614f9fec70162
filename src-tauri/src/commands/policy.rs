//! The ISP's provisioning rules (Settings → Payments and cut-off). The
//! CLI's `policy show | set`.

use std::str::FromStr;

use headend_core::RouterId;
use headend_core::activity::Actor;
use headend_core::provision::policy::{IspPolicy, MAX_ATTEMPTS, MAX_GRACE_DAYS, SuspensionMode};
use headend_ipc::ErrorDto;
use headend_ipc::policy::{PolicyDto, PolicyForm, RouterSuspensionDto, RouterSuspensionForm};
use headend_workflows::policy::PolicyChange;
use tauri::State;

use super::{Answer, db, workflow_error};
use crate::state::AppState;

fn policy_dto(policy: &IspPolicy) -> PolicyDto {
    let mut time_zones: Vec<String> = jiff::tz::db().available().map(|name| name.as_str().to_owned()).collect();
    time_zones.sort();
    PolicyDto {
        time_zone: policy.time_zone.iana_name().unwrap_or("UTC").to_owned(),
        grace_days: policy.grace_days,
        suspension: policy.suspension.as_str().to_owned(),
        static_queues: policy.static_queues,
        max_attempts: policy.max_attempts,
        time_zones,
        max_grace_days: MAX_GRACE_DAYS,
        min_attempts: *MAX_ATTEMPTS.start(),
        max_attempts_allowed: *MAX_ATTEMPTS.end(),
    }
}

#[tauri::command]
pub async fn get_policy(state: State<'_, AppState>) -> Answer<PolicyDto> {
    Ok(policy_dto(&state.store.isp_policy().await.map_err(db)?))
}

fn whole(field: &str, text: &str, what: &str) -> Result<u32, ErrorDto> {
    text.trim().parse().map_err(|_| ErrorDto::field(field, format!("Enter {what} as a whole number, such as 3.")))
}

/// Reads the form; the workflow checks the bounds and the time zone.
fn parse_form(form: &PolicyForm) -> Result<PolicyChange, ErrorDto> {
    Ok(PolicyChange {
        time_zone: Some(form.time_zone.trim().to_owned()),
        grace_days: Some(whole("grace_days", &form.grace_days, "the grace days")?),
        suspension: Some(
            SuspensionMode::from_str(&form.suspension).map_err(|e| ErrorDto::field("suspension", e.to_string()))?,
        ),
        static_queues: Some(form.static_queues),
        max_attempts: Some(whole("max_attempts", &form.max_attempts, "the attempts")?),
    })
}

/// Changes the rules; every router is swept with them.
#[tauri::command]
pub async fn save_policy(state: State<'_, AppState>, form: PolicyForm) -> Answer<PolicyDto> {
    let change = parse_form(&form)?;
    let policy = state.workflows.change_policy(&Actor::Operator, change).await.map_err(workflow_error)?;
    Ok(policy_dto(&policy))
}

async fn router_suspension_dto(state: &AppState, id: RouterId) -> Answer<RouterSuspensionDto> {
    let mode = state.store.router_suspension(id).await.map_err(db)?;
    let isp = state.store.isp_policy().await.map_err(db)?;
    Ok(RouterSuspensionDto {
        id: id.0,
        mode: mode.map(|m| m.as_str().to_owned()).unwrap_or_default(),
        isp_mode: isp.suspension.as_str().to_owned(),
    })
}

#[tauri::command]
pub async fn get_router_suspension(state: State<'_, AppState>, id: i64) -> Answer<RouterSuspensionDto> {
    router_suspension_dto(&state, RouterId(id)).await
}

/// Gives the router its own suspension mode, or the ISP's again; the
/// router is swept with it.
#[tauri::command]
pub async fn set_router_suspension(
    state: State<'_, AppState>,
    form: RouterSuspensionForm,
) -> Answer<RouterSuspensionDto> {
    let mode = match form.mode.as_str() {
        "" => None,
        mode => Some(SuspensionMode::from_str(mode).map_err(|e| ErrorDto::field("suspension", e.to_string()))?),
    };
    let id = RouterId(form.id);
    state.workflows.set_router_suspension(&Actor::Operator, id, mode).await.map_err(workflow_error)?;
    router_suspension_dto(&state, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_its_bad_fields() {
        let form = PolicyForm {
            time_zone: "Africa/Nairobi".into(),
            grace_days: "3".into(),
            suspension: "address-list".into(),
            static_queues: true,
            max_attempts: "8".into(),
        };
        let change = parse_form(&form).unwrap();
        assert_eq!(change.suspension, Some(SuspensionMode::AddressList));
        let field = |f: PolicyForm| parse_form(&f).err().and_then(|e| e.field);
        assert_eq!(field(PolicyForm { grace_days: "three".into(), ..form.clone() }).as_deref(), Some("grace_days"));
        assert_eq!(field(PolicyForm { suspension: "kick".into(), ..form.clone() }).as_deref(), Some("suspension"));
        assert_eq!(field(PolicyForm { max_attempts: "-1".into(), ..form }).as_deref(), Some("max_attempts"));
    }

    #[test]
    fn the_picker_offers_every_known_zone() {
        let dto = policy_dto(&IspPolicy::default());
        assert_eq!(dto.time_zone, "UTC");
        assert!(dto.time_zones.iter().any(|z| z == "Africa/Nairobi"), "{} zones", dto.time_zones.len());
    }
}

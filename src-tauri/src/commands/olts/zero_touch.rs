//! Zero-touch in the console: a service's ONU serial and VLAN (its page's
//! Fibre card) and a plan's OLT profile (the plan form), through the
//! workflows behind `headend olt zero-touch` and `headend olt plan-profile`.

use headend_core::activity::Actor;
use headend_core::olt::OltProfile;
use headend_core::{PlanId, ServiceId};
use headend_ipc::ErrorDto;
use headend_ipc::olt::{PlanOltProfileDto, ServiceOnuDto, ZeroTouchDto, ZeroTouchForm};
use headend_olt::SerialNumber;
use headend_workflows::olts::ZeroTouch;
use tauri::State;

use super::super::{Answer, db, workflow_error};
use super::opt_instant;
use crate::state::AppState;

/// A VLAN as typed: empty for none.
fn vlan(text: &str) -> Result<Option<u16>, ErrorDto> {
    match text.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| ErrorDto::field("vlan", format!("A VLAN is a number from 1 to 4094, not {v:?}."))),
    }
}

async fn zero_touch_dto(state: &AppState, id: ServiceId) -> Answer<ZeroTouchDto> {
    let set = state.store.service_onu(id).await.map_err(db)?.unwrap_or_default();
    let linked = state.store.onu_of_service(id).await.map_err(db)?;
    let history = state.workflows.service_onus(id).await.map_err(workflow_error)?;
    Ok(ZeroTouchDto {
        service_id: id.0,
        serial: set.serial.unwrap_or_default(),
        vlan: set.vlan,
        onu: linked.map(|o| format!("{} {}:{} ({})", o.olt_name, o.port, o.index, o.serial)).unwrap_or_default(),
        history: history
            .into_iter()
            .map(|h| ServiceOnuDto {
                serial: h.serial,
                current: h.current,
                first: opt_instant(h.first),
                last: opt_instant(h.last),
                rx_low: h.rx_low,
                rx_mean: h.rx_mean,
                rx_high: h.rx_high,
                readings: h.readings,
            })
            .collect(),
    })
}

#[tauri::command]
pub async fn get_zero_touch(state: State<'_, AppState>, id: i64) -> Answer<ZeroTouchDto> {
    zero_touch_dto(&state, ServiceId(id)).await
}

#[tauri::command]
pub async fn set_zero_touch(state: State<'_, AppState>, form: ZeroTouchForm) -> Answer<ZeroTouchDto> {
    let id = ServiceId(form.service_id);
    let zero_touch = match form.serial.trim() {
        "" if !form.vlan.trim().is_empty() => {
            return Err(ErrorDto::field("vlan", "A VLAN goes with an ONU serial: enter the serial too."));
        }
        "" => ZeroTouch::default(),
        serial => ZeroTouch {
            serial: Some(SerialNumber::parse(serial).map_err(|e| ErrorDto::field("serial", e.to_string()))?),
            vlan: vlan(&form.vlan)?,
        },
    };
    state.workflows.set_zero_touch(&Actor::Operator, id, zero_touch).await.map_err(workflow_error)?;
    zero_touch_dto(&state, id).await
}

fn profile_dto(plan: PlanId, p: OltProfile) -> PlanOltProfileDto {
    PlanOltProfileDto {
        plan_id: plan.0,
        line: p.line.unwrap_or_default(),
        service: p.service.unwrap_or_default(),
        vlan: p.vlan.map(|v| v.to_string()).unwrap_or_default(),
    }
}

#[tauri::command]
pub async fn get_plan_olt_profile(state: State<'_, AppState>, id: i64) -> Answer<PlanOltProfileDto> {
    let plan = PlanId(id);
    Ok(profile_dto(plan, state.store.plan_olt_profile(plan).await.map_err(db)?.unwrap_or_default()))
}

#[tauri::command]
pub async fn set_plan_olt_profile(state: State<'_, AppState>, profile: PlanOltProfileDto) -> Answer<PlanOltProfileDto> {
    let plan = PlanId(profile.plan_id);
    let given = OltProfile { line: Some(profile.line), service: Some(profile.service), vlan: vlan(&profile.vlan)? };
    let saved = state.workflows.set_plan_olt_profile(&Actor::Operator, plan, given).await.map_err(workflow_error)?;
    Ok(profile_dto(plan, saved))
}

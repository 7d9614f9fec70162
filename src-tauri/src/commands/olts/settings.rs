//! The OLT signal sweep's settings (Settings → ONU signal): interval, Rx
//! thresholds and retention, through `change_signal_settings`, the
//! workflow behind `headend olt settings`.

use headend_core::activity::Actor;
use headend_core::optical::{SignalPolicy, SignalRetention};
use headend_ipc::ErrorDto;
use headend_ipc::olt::{SignalSettingsDto, SignalSettingsForm};
use headend_workflows::olts::SignalChange;
use tauri::State;

use super::super::{Answer, db, workflow_error};
use crate::state::AppState;

fn dto(policy: &SignalPolicy) -> SignalSettingsDto {
    let t = policy.thresholds;
    SignalSettingsDto {
        sweep_minutes: policy.interval_minutes(),
        warning_dbm: t.warning_below(),
        critical_dbm: t.critical_below(),
        overload_dbm: t.critical_above(),
        raw_days: policy.retention.raw_days(),
        history_days: policy.retention.history_days(),
        log_days: policy.command_log_days(),
        min_minutes: SignalPolicy::INTERVAL_MIN,
        max_minutes: SignalPolicy::INTERVAL_MAX,
        min_days: SignalPolicy::RETENTION_MIN,
        max_days: SignalPolicy::RETENTION_MAX,
        max_raw_days: SignalRetention::RAW_MAX,
    }
}

/// A whole number the form spells, or the field's error.
fn whole(field: &str, text: &str, what: &str) -> Result<u16, ErrorDto> {
    text.trim().parse().map_err(|_| ErrorDto::field(field, format!("{what} is a whole number, not {:?}.", text.trim())))
}

/// A level in dBm, such as -27 or -27.5.
fn dbm(text: &str) -> Result<f64, ErrorDto> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
        ErrorDto::field("thresholds", format!("A level is a number of dBm such as -27, not {:?}.", text.trim()))
    })
}

#[tauri::command]
pub async fn get_signal_settings(state: State<'_, AppState>) -> Answer<SignalSettingsDto> {
    Ok(dto(&state.store.signal_policy().await.map_err(db)?))
}

#[tauri::command]
pub async fn save_signal_settings(state: State<'_, AppState>, form: SignalSettingsForm) -> Answer<SignalSettingsDto> {
    let change = SignalChange {
        sweep_minutes: Some(whole("sweep_minutes", &form.sweep_minutes, "The sweep interval")?),
        warning: Some(dbm(&form.warning_dbm)?),
        critical: Some(dbm(&form.critical_dbm)?),
        overload: Some(dbm(&form.overload_dbm)?),
        raw_days: Some(whole("raw_days", &form.raw_days, "Days of every reading")?),
        history_days: Some(whole("history_days", &form.history_days, "Days of signal history")?),
        log_days: Some(whole("log_days", &form.log_days, "Days of command log")?),
    };
    let policy = state.workflows.change_signal_settings(&Actor::Operator, change).await.map_err(workflow_error)?;
    Ok(dto(&policy))
}

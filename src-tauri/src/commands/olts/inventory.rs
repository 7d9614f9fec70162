//! The OLT inventory: the list with each OLT's health, the form, removal,
//! a changed host key pinned, a sweep now, and the command log.

use std::str::FromStr;

use headend_core::OltId;
use headend_core::activity::Actor;
use headend_core::geo::GeoPoint;
use headend_core::olt::OltVendor;
use headend_ipc::ErrorDto;
use headend_ipc::olt::{OltForm, OltLogPage, OltLogQuery, OltLogRow, OltRow, OltsView, PinKey, SweepSummary};
use headend_store::OltOverview;
use headend_workflows::olts::OltInput;
use tauri::{AppHandle, State};

use super::{find_olt, olt_error, opt_instant, thresholds_dto, vendor_label};
use crate::commands::{Answer, db, instant, invalid, workflow_error};
use crate::olts;
use crate::state::AppState;

/// Command log entries a page holds.
const LOG_PAGE: u32 = 50;

fn olt_row(o: &OltOverview, refused: Option<String>) -> OltRow {
    let h = &o.health;
    let (health, error) = match (&h.presented_key, refused, &h.error, h.reached_at) {
        (Some(_), _, e, _) => ("key_changed", e.clone().unwrap_or_else(|| "its SSH host key changed".into())),
        (None, Some(reason), _, _) => ("login_refused", reason),
        (None, None, Some(e), _) => ("unreachable", e.clone()),
        (None, None, None, Some(_)) => ("ok", String::new()),
        (None, None, None, None) => ("never", String::new()),
    };
    OltRow {
        id: o.olt.id.0,
        name: o.olt.name.clone(),
        vendor: o.olt.vendor.as_str().to_owned(),
        vendor_label: vendor_label(o.olt.vendor).to_owned(),
        host: o.olt.host.clone(),
        port: o.olt.port,
        username: o.olt.username.clone(),
        pop: o.pop_name.clone().unwrap_or_default(),
        location: o.olt.location.map(|l| l.to_string()).unwrap_or_default(),
        health: health.to_owned(),
        error,
        error_at: opt_instant(h.error_at),
        reached_at: opt_instant(h.reached_at),
        swept_at: opt_instant(h.swept_at),
        pinned_key: o.olt.host_key.clone().unwrap_or_default(),
        presented_key: h.presented_key.clone().unwrap_or_default(),
        onus: o.onus,
        online: o.online,
        los: o.los,
        dying_gasp: o.dying_gasp,
        offline: o.offline,
        warnings: o.warnings,
        criticals: o.criticals,
        los_alerts: o.los_alerts,
        unconfigured: o.unconfigured,
    }
}

#[tauri::command]
pub async fn list_olts(state: State<'_, AppState>) -> Answer<OltsView> {
    let overviews = state.store.olt_overviews().await.map_err(db)?;
    let policy = state.store.signal_policy().await.map_err(db)?;
    Ok(OltsView {
        olts: overviews.iter().map(|o| olt_row(o, state.olts.refused(o.olt.id))).collect(),
        thresholds: thresholds_dto(&policy.thresholds),
        sweep_minutes: policy.interval_minutes(),
    })
}

/// Reads the OLT form's vendor and port; the workflow checks the rest.
fn parse_olt_form(form: &OltForm) -> Answer<OltInput> {
    let vendor = OltVendor::from_str(&form.vendor).map_err(|e| ErrorDto::field("vendor", e.to_string()))?;
    let port = match form.port.trim() {
        "" => None,
        port => Some(
            port.parse::<u16>()
                .map_err(|_| ErrorDto::field("port", format!("{port:?} is not a port number (1-65535).")))?,
        ),
    };
    let location = match form.location.trim() {
        "" => None,
        text => Some(GeoPoint::from_str(text).map_err(|e| ErrorDto::field("location", e.to_string()))?),
    };
    Ok(OltInput {
        name: form.name.clone(),
        vendor,
        host: form.host.clone(),
        port,
        username: form.username.clone(),
        pop: Some(form.pop.trim()).filter(|p| !p.is_empty()).map(str::to_owned),
        location,
    })
}

/// Adds or edits an OLT: the password goes to the keyring, never the
/// database, and nothing is half-added if the keyring refuses it. The
/// OLT is swept at once, so its health and ONUs show up.
#[tauri::command]
pub async fn save_olt(app: AppHandle, state: State<'_, AppState>, form: OltForm) -> Answer<i64> {
    let input = parse_olt_form(&form)?;
    let saved = match form.id {
        None => state.workflows.add_olt(&Actor::Operator, input, form.password).await,
        Some(id) => {
            let password = (!form.password.is_empty()).then_some(form.password);
            state.workflows.edit_olt(&Actor::Operator, OltId(id), input, password).await
        }
    };
    let id = saved.map_err(workflow_error)?.id;
    // New credentials or a new address: a new login, tried at once.
    state.olts.resume(id);
    olts::sweep_soon(&app, id);
    Ok(id.0)
}

#[tauri::command]
pub async fn remove_olt(app: AppHandle, state: State<'_, AppState>, id: i64) -> Answer<()> {
    let id = OltId(id);
    state.workflows.remove_olt(&Actor::Operator, id).await.map_err(workflow_error)?;
    state.olts.resume(id);
    olts::changed(&app, Some(id));
    Ok(())
}

/// Trusts the host key the OLT presents now (its control board was
/// replaced), if it is still the one the operator was shown.
#[tauri::command]
pub async fn pin_olt_key(app: AppHandle, state: State<'_, AppState>, pin: PinKey) -> Answer<()> {
    let pinned = state
        .workflows
        .pin_olt_key(&Actor::Operator, OltId(pin.id), Some(&pin.presented))
        .await
        .map_err(|e| invalid(super::super::sentence(&e.to_string())))?;
    let id = pinned.olt.id;
    state.olts.resume(id);
    olts::sweep_soon(&app, id);
    olts::changed(&app, Some(id));
    Ok(())
}

/// One OLT's signal sweep, now: ONU states, autofind, optical levels.
#[tauri::command]
pub async fn sweep_olt(app: AppHandle, state: State<'_, AppState>, id: i64) -> Answer<SweepSummary> {
    let olt = find_olt(&state, id).await?;
    let result = state.olts.sweep_signals(&olt).await;
    olts::changed(&app, Some(olt.id));
    let r = result.map_err(olt_error)?;
    let unconfigured = match r.unconfigured {
        0 => String::new(),
        1 => ", 1 unconfigured".to_owned(),
        n => format!(", {n} unconfigured"),
    };
    Ok(SweepSummary {
        text: format!(
            "{}: {} ONUs, {} online, {} with a reading{unconfigured}, in {:.1} s.",
            olt.name,
            r.onus,
            r.online,
            r.readings,
            r.took.as_secs_f64()
        ),
        errors: r.errors.clone(),
    })
}

#[tauri::command]
pub async fn olt_log(state: State<'_, AppState>, query: OltLogQuery) -> Answer<OltLogPage> {
    let mut rows = state.store.olt_log(OltId(query.olt_id), query.before_id, LOG_PAGE + 1).await.map_err(db)?;
    let more = rows.len() > LOG_PAGE as usize;
    rows.truncate(LOG_PAGE as usize);
    Ok(OltLogPage {
        rows: rows
            .into_iter()
            .map(|e| OltLogRow {
                id: e.id,
                at: instant(e.at),
                command: e.command,
                reply: e.reply,
                reply_bytes: e.reply_bytes,
                outcome: e.outcome.as_str().to_owned(),
                error: e.error.unwrap_or_default(),
                duration_ms: e.duration_ms,
            })
            .collect(),
        more,
    })
}

//! OLTs and ONUs: the inventory (add, edit, remove, pin a changed host
//! key), each OLT's ports and ONUs with their optical levels, an ONU's
//! history, alerts and actions (read now, reboot, deregister), the
//! unconfigured ONUs and their authorization, and the OLT command log.
//! Everything that reaches an OLT goes through the engine's `OltFleet`
//! (keyring, pinned host key, two sessions at most, the command log).

use std::collections::HashMap;
use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::olt::{Olt, OltProfile, OltVendor, onu_description};
use headend_core::optical::Thresholds;
use headend_core::{OltId, OnuId, ServiceId};
use headend_ipc::olt::{
    AuthorizeDraft, AuthorizeForm, AuthorizeTarget, AuthorizedOnu, AutofindDto, OltForm, OltLogPage, OltLogQuery,
    OltLogRow, OltPortArgs, OltRow, OltScope, OltsView, OnuAlertDto, OnuDetail, OnuQuery, OnuRowDto, OpticalDto,
    PinKey, PlanProfileDto, PonPortDto, ServiceChoice, SignalPointDto, SweepSummary, ThresholdsDto, UnconfiguredView,
};
use headend_ipc::{ErrorCode, ErrorDto};
use headend_olt::{AuthorizeRequest, OnuRef, OpticalReading, PonPort, SerialNumber, Vlan};
use headend_pon::{AUTHORIZE, OltEngineError, onu_profile};
use headend_secrets::SecretKey;
use headend_store::{AlertQuery, NewOlt, OltOverview, OnuRow, QueueStatus, SignalPoint};
use jiff::{SignedDuration, Timestamp};
use tauri::{AppHandle, State};

use super::{Answer, db, error, instant, invalid, log, store_error};
use crate::olts;
use crate::state::AppState;

/// Points the signal chart gets at most; longer ranges are bucketed.
const CHART_POINTS: i64 = 400;
/// Command log entries a page holds.
const LOG_PAGE: u32 = 50;

fn opt_instant(t: Option<Timestamp>) -> String {
    t.map(instant).unwrap_or_default()
}

/// An OLT failure the operator reads: the engine's words.
fn olt_error(err: OltEngineError) -> ErrorDto {
    match err {
        OltEngineError::Store(e) => store_error(e),
        OltEngineError::Olt { source: headend_olt::OltError::InvalidRequest(why), .. } => invalid(why),
        other => error(ErrorCode::Olt, other),
    }
}

fn vendor_label(v: OltVendor) -> &'static str {
    match v {
        OltVendor::Huawei => "Huawei MA5600T / MA5800",
        OltVendor::Zte => "ZTE C300 / C320",
        OltVendor::ZteTitan => "ZTE C600 / C620 / C650",
        OltVendor::Vsol => "VSOL V1600G",
    }
}

/// What the two profile fields of a plan mean on a vendor.
fn profile_labels(v: OltVendor) -> (&'static str, &'static str) {
    match v {
        OltVendor::Zte | OltVendor::ZteTitan => ("T-CONT profile", "ONU type"),
        OltVendor::Huawei | OltVendor::Vsol => ("Line profile", "Service profile"),
    }
}

fn thresholds_dto(t: &Thresholds) -> ThresholdsDto {
    ThresholdsDto {
        warning_below: t.warning_below(),
        critical_below: t.critical_below(),
        critical_above: t.critical_above(),
    }
}

fn band(t: &Thresholds, rx: Option<f64>) -> String {
    rx.map(|rx| t.band(rx).as_str().to_owned()).unwrap_or_default()
}

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

fn onu_dto(o: &OnuRow, t: &Thresholds) -> OnuRowDto {
    OnuRowDto {
        id: o.id.0,
        olt_id: o.olt.0,
        olt_name: o.olt_name.clone(),
        port: o.port.clone(),
        index: o.index,
        serial: o.serial.clone(),
        equipment: o.equipment.clone().unwrap_or_default(),
        description: o.description.clone().unwrap_or_default(),
        state: o.state.as_str().to_owned(),
        last_up: opt_instant(o.last_up),
        last_down: opt_instant(o.last_down),
        last_down_cause: o.last_down_cause.clone().unwrap_or_default(),
        service_id: o.service.map(|s| s.0),
        service_label: o.service_label.clone().unwrap_or_default(),
        onu_rx: o.onu_rx,
        onu_tx: o.onu_tx,
        olt_rx: o.olt_rx,
        signal_at: opt_instant(o.signal_at),
        rx_band: band(t, o.onu_rx),
        alert: o.alert.map(|a| a.as_str().to_owned()).unwrap_or_default(),
        seen_at: instant(o.seen_at),
    }
}

async fn find_olt(state: &AppState, id: i64) -> Answer<Olt> {
    state.store.olt(OltId(id)).await.map_err(db)?.ok_or_else(|| error(ErrorCode::NotFound, format!("no OLT {id}")))
}

async fn find_onu(state: &AppState, id: i64) -> Answer<(OnuRow, Olt, OnuRef)> {
    let onu = state
        .store
        .onu(OnuId(id))
        .await
        .map_err(db)?
        .ok_or_else(|| error(ErrorCode::NotFound, format!("no ONU {id}")))?;
    let olt = find_olt(state, onu.olt.0).await?;
    let port = PonPort::from_str(&onu.port).map_err(|e| error(ErrorCode::Internal, e))?;
    let at = OnuRef::new(port, onu.index);
    Ok((onu, olt, at))
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

/// Checks the OLT form; errors name their field.
fn parse_olt_form(form: &OltForm) -> Answer<NewOlt> {
    let name = form.name.trim();
    let host = form.host.trim();
    let username = form.username.trim();
    if name.is_empty() {
        return Err(ErrorDto::field("name", "Give the OLT a name."));
    }
    let vendor = OltVendor::from_str(&form.vendor).map_err(|e| ErrorDto::field("vendor", e.to_string()))?;
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(ErrorDto::field("host", "The address is a host name or an IP address, without spaces."));
    }
    let port = match form.port.trim() {
        "" => 22,
        port => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| ErrorDto::field("port", format!("{port:?} is not a port number (1-65535).")))?,
    };
    if username.is_empty() {
        return Err(ErrorDto::field("username", "Enter the CLI user Headend logs in as."));
    }
    Ok(NewOlt {
        name: name.to_owned(),
        vendor,
        host: host.to_owned(),
        port,
        username: username.to_owned(),
        pop: None,
        location: None,
    })
}

async fn set_password(state: &AppState, id: OltId, password: String) -> Answer<()> {
    let secrets = state.secrets.clone();
    tokio::task::spawn_blocking(move || secrets.set(&SecretKey::olt(id), &password))
        .await
        .map_err(|e| error(ErrorCode::Internal, e))?
        .map_err(|e| error(ErrorCode::Internal, format!("cannot keep the password in the keyring: {e}")))
}

/// Adds or edits an OLT: the password goes to the keyring, never the
/// database, and nothing is half-added if the keyring refuses it. The
/// OLT is swept at once, so its health and ONUs show up.
#[tauri::command]
pub async fn save_olt(app: AppHandle, state: State<'_, AppState>, form: OltForm) -> Answer<i64> {
    let new = parse_olt_form(&form)?;
    let named = |e: headend_store::StoreError| match e {
        e @ headend_store::StoreError::Duplicate { .. } => ErrorDto::field("name", e.to_string()),
        e => store_error(e),
    };
    let what = format!("{} ({}) at {}:{}", new.name, new.vendor, new.host, new.port);
    let id = match form.id {
        None => {
            if form.password.is_empty() {
                return Err(ErrorDto::field("password", "Enter the OLT's password."));
            }
            let id = state.store.add_olt(&new).await.map_err(named)?;
            if let Err(err) = set_password(&state, id, form.password).await {
                let _ = state.store.remove_olt(id).await;
                return Err(err);
            }
            log(&state, format!("olt:{id}"), "olt added", what).await;
            id
        }
        Some(id) => {
            let id = OltId(id);
            state.store.update_olt(id, &new).await.map_err(named)?;
            if !form.password.is_empty() {
                set_password(&state, id, form.password).await?;
            }
            log(&state, format!("olt:{id}"), "olt edited", what).await;
            id
        }
    };
    // New credentials or a new address: a new login, tried at once.
    state.olts.resume(id);
    olts::sweep_soon(&app, id);
    Ok(id.0)
}

#[tauri::command]
pub async fn remove_olt(app: AppHandle, state: State<'_, AppState>, id: i64) -> Answer<()> {
    let id = OltId(id);
    let name = state.store.olt(id).await.map_err(db)?.map(|o| o.name).unwrap_or_default();
    state.store.remove_olt(id).await.map_err(store_error)?;
    state.olts.resume(id);
    let secrets = state.secrets.clone();
    let forgotten = tokio::task::spawn_blocking(move || secrets.delete(&SecretKey::olt(id)))
        .await
        .map_err(|e| e.to_string())
        .and_then(|deleted| deleted.map_err(|e| e.to_string()));
    if let Err(err) = forgotten {
        tracing::warn!("OLT {id} removed, but its password is still in the keyring: {err}");
    }
    log(&state, format!("olt:{id}"), "olt removed", name).await;
    olts::changed(&app, Some(id));
    Ok(())
}

/// Trusts the host key the OLT presents now (its control board was
/// replaced), if it is still the one the operator was shown.
#[tauri::command]
pub async fn pin_olt_key(app: AppHandle, state: State<'_, AppState>, pin: PinKey) -> Answer<()> {
    let olt = find_olt(&state, pin.id).await?;
    let health = state.store.olt_health(olt.id).await.map_err(db)?.unwrap_or_default();
    if health.presented_key.as_deref() != Some(pin.presented.as_str()) {
        return Err(invalid(match health.presented_key {
            Some(now) => format!("{} now presents another key ({now}); look at it again before pinning.", olt.name),
            None => format!("{} presents no other key now: nothing to pin.", olt.name),
        }));
    }
    state.store.set_olt_host_key(olt.id, Some(&pin.presented)).await.map_err(store_error)?;
    let previous = olt.host_key.as_deref().unwrap_or("none");
    log(
        &state,
        format!("olt:{}", olt.id),
        "host key pinned",
        format!("{} now trusted instead of {previous}", pin.presented),
    )
    .await;
    state.olts.resume(olt.id);
    olts::sweep_soon(&app, olt.id);
    olts::changed(&app, Some(olt.id));
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
pub async fn olt_ports(state: State<'_, AppState>, id: i64) -> Answer<Vec<PonPortDto>> {
    let olt = OltId(id);
    let ports = state.store.pon_ports(olt).await.map_err(db)?;
    let mut alerts: HashMap<String, u32> = HashMap::new();
    for onu in state.store.onus(olt, None).await.map_err(db)? {
        if onu.alert.is_some() {
            *alerts.entry(onu.port).or_default() += 1;
        }
    }
    Ok(ports
        .into_iter()
        .map(|p| PonPortDto {
            alerts: alerts.get(&p.name).copied().unwrap_or_default(),
            name: p.name,
            description: p.description.unwrap_or_default(),
            onus: p.onus,
            online: p.online,
        })
        .collect())
}

#[tauri::command]
pub async fn list_onus(state: State<'_, AppState>, at: OltPortArgs) -> Answer<Vec<OnuRowDto>> {
    let policy = state.store.signal_policy().await.map_err(db)?;
    let onus = state.store.onus(OltId(at.olt_id), Some(&at.port)).await.map_err(db)?;
    Ok(onus.iter().map(|o| onu_dto(o, &policy.thresholds)).collect())
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0_u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// The history as chart points: each reading when they are few, else
/// buckets of `step` seconds (averages, and the lowest and highest Rx).
fn chart_points(history: &[SignalPoint], step: i64) -> Vec<SignalPointDto> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < history.len() {
        let start = history[i].at.as_second();
        let bucket = start.div_euclid(step.max(1));
        let mut j = i;
        while j < history.len() && history[j].at.as_second().div_euclid(step.max(1)) == bucket {
            j += 1;
        }
        let part = &history[i..j];
        let rx = || part.iter().filter_map(|p| p.sample.onu_rx);
        out.push(SignalPointDto {
            at: part[part.len() / 2].at.as_second(),
            onu_rx: mean(rx()),
            rx_min: rx().reduce(f64::min),
            rx_max: rx().reduce(f64::max),
            onu_tx: mean(part.iter().filter_map(|p| p.sample.onu_tx)),
            olt_rx: mean(part.iter().filter_map(|p| p.sample.olt_rx)),
            temperature: mean(part.iter().filter_map(|p| p.sample.temperature)),
            samples: u32::try_from(part.len()).unwrap_or(u32::MAX),
        });
        i = j;
    }
    out
}

/// An ONU, its signal history over `days` and its alerts.
#[tauri::command]
pub async fn get_onu(state: State<'_, AppState>, query: OnuQuery) -> Answer<OnuDetail> {
    let (onu, olt, _) = find_onu(&state, query.id).await?;
    let policy = state.store.signal_policy().await.map_err(db)?;
    let t = policy.thresholds;
    let days = query.days.clamp(1, policy.history_days().max(1));
    let to = Timestamp::now();
    let from = to.checked_sub(SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(to);
    let history = state.store.signal_history(onu.id, from, to).await.map_err(db)?;
    let interval = i64::try_from(policy.interval().as_secs()).unwrap_or(300);
    let range = to.as_second() - from.as_second();
    let step = if i64::try_from(history.len()).unwrap_or(i64::MAX) <= CHART_POINTS {
        1
    } else {
        (range / CHART_POINTS).max(1)
    };
    // The full latest reading is the last history point taken at the
    // sweep that gave the ONU's row its levels.
    let last = history.last().filter(|p| onu.signal_at.is_some_and(|at| at.as_second() == p.at.as_second()));
    let latest = OpticalDto {
        onu_rx: onu.onu_rx,
        onu_tx: onu.onu_tx,
        olt_rx: onu.olt_rx,
        temperature: last.and_then(|p| p.sample.temperature),
        voltage: last.and_then(|p| p.sample.voltage),
        bias: last.and_then(|p| p.sample.bias),
        distance: last.and_then(|p| p.sample.distance),
        at: opt_instant(onu.signal_at),
        rx_band: band(&t, onu.onu_rx),
    };
    let alerts = state
        .store
        .onu_alerts(&AlertQuery { olt: None, onu: Some(onu.id), open: false, limit: 100 })
        .await
        .map_err(db)?
        .into_iter()
        .map(|a| OnuAlertDto {
            id: a.id,
            level: a.level.as_str().to_owned(),
            rx: a.rx,
            raised_at: instant(a.raised_at),
            cleared_at: opt_instant(a.cleared_at),
        })
        .collect();
    Ok(OnuDetail {
        onu: onu_dto(&onu, &t),
        olt_vendor_label: vendor_label(olt.vendor).to_owned(),
        thresholds: thresholds_dto(&t),
        latest,
        history: chart_points(&history, step),
        from: from.as_second(),
        to: to.as_second(),
        max_gap_secs: (3 * interval).max(step * 5 / 2),
        history_days: policy.history_days(),
        alerts,
    })
}

fn optical_dto(r: &OpticalReading, t: &Thresholds) -> OpticalDto {
    let rx = r.onu_rx.map(|v| v.0);
    OpticalDto {
        onu_rx: rx,
        onu_tx: r.onu_tx.map(|v| v.0),
        olt_rx: r.olt_rx.map(|v| v.0),
        temperature: r.temperature.map(|v| v.0),
        voltage: r.voltage.map(|v| v.0),
        bias: r.bias_current.map(|v| v.0),
        distance: r.distance.map(|v| v.0),
        at: instant(Timestamp::now()),
        rx_band: band(t, rx),
    }
}

/// An ONU's optical levels read now (and kept in its history).
#[tauri::command]
pub async fn read_onu_optical(state: State<'_, AppState>, id: i64) -> Answer<OpticalDto> {
    let (_, olt, at) = find_onu(&state, id).await?;
    let reading = state.olts.optical(&olt, at).await.map_err(olt_error)?;
    let policy = state.store.signal_policy().await.map_err(db)?;
    Ok(optical_dto(&reading, &policy.thresholds))
}

#[tauri::command]
pub async fn reboot_onu(app: AppHandle, state: State<'_, AppState>, id: i64) -> Answer<()> {
    let (_, olt, at) = find_onu(&state, id).await?;
    state.olts.reboot(&olt, at, Actor::Operator).await.map_err(olt_error)?;
    // Back online in a minute or two: its state then shows it.
    olts::follow_onu(&app, olt, at);
    Ok(())
}

/// Removes the ONU's registration (it shows up in autofind again).
#[tauri::command]
pub async fn deregister_onu(app: AppHandle, state: State<'_, AppState>, id: i64) -> Answer<()> {
    let (_, olt, at) = find_onu(&state, id).await?;
    state.olts.deregister(&olt, at, Actor::Operator).await.map_err(olt_error)?;
    olts::changed(&app, Some(olt.id));
    olts::autofind_soon(&app, olt);
    Ok(())
}

async fn unconfigured(state: &AppState, olt: Option<OltId>, errors: Vec<String>) -> Answer<UnconfiguredView> {
    let found = state.store.autofind_onus(olt).await.map_err(db)?;
    let queue: HashMap<ServiceId, _> = state
        .store
        .olt_queue(None)
        .await
        .map_err(db)?
        .into_iter()
        .filter(|r| r.entry.action == AUTHORIZE)
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
            vlan: c.profile.vlan,
            description: onu_description(c.service, &c.customer_name),
        });
    }
    if let Some(id) = waiting
        && !services.iter().any(|s| s.id == id.0)
        && let Some(s) = store.service(id).await.map_err(db)?
    {
        let own = store.service_onu(id).await.map_err(db)?.and_then(|o| o.vlan);
        let plan_vlan = store.plan_olt_profile(s.plan).await.map_err(db)?.and_then(|p| p.vlan);
        services.push(ServiceChoice {
            id: id.0,
            label: s.label(),
            plan_id: s.plan.0,
            vlan: own.or(plan_vlan),
            description: onu_description(id, &s.customer_name),
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
    let olt = find_olt(&state, form.olt_id).await?;
    let port = PonPort::from_str(form.port.trim()).map_err(|e| ErrorDto::field("port", e.to_string()))?;
    let serial = SerialNumber::parse(&form.serial).map_err(|e| ErrorDto::field("serial", e.to_string()))?;
    let vlan = match form.vlan.trim() {
        "" => None,
        text => Some(
            text.parse::<u16>()
                .ok()
                .and_then(Vlan::new)
                .ok_or_else(|| ErrorDto::field("vlan", format!("{text:?} is not a VLAN (1-4094).")))?,
        ),
    };
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let profile = OltProfile { line: text(&form.line), service: text(&form.service_profile), vlan: None };
    let service = form.service_id.map(ServiceId);
    let equipment = state
        .store
        .autofind_onus(Some(olt.id))
        .await
        .map_err(db)?
        .into_iter()
        .find(|f| f.serial == serial.as_str())
        .and_then(|f| f.equipment);
    let request = AuthorizeRequest {
        port,
        serial: serial.clone(),
        onu_id: None,
        profile: onu_profile(olt.vendor, &profile, equipment.as_deref()),
        vlan,
        description: text(&form.description),
    };
    let at = state.olts.authorize(&olt, request, service, Actor::Operator).await.map_err(olt_error)?;
    if let Some(service) = service
        && let Err(e) = state.store.olt_queue_clear(service, AUTHORIZE).await
    {
        tracing::warn!(%service, error = %e, "cannot clear the zero-touch queue");
    }
    let onu_id = state.store.onu_by_serial(serial.as_str()).await.map_err(db)?.map(|o| o.id.0);
    olts::changed(&app, Some(olt.id));
    olts::follow_onu(&app, olt.clone(), at);
    Ok(AuthorizedOnu {
        onu_id,
        port: at.port.to_string(),
        index: at.id,
        text: format!("{serial} registered on {} port {} as ONU {}.", olt.name, at.port, at.id),
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

#[cfg(test)]
mod tests {
    use super::*;
    use headend_store::SignalSample;

    fn point(at: i64, rx: Option<f64>) -> SignalPoint {
        SignalPoint {
            at: Timestamp::from_second(at).unwrap_or(Timestamp::UNIX_EPOCH),
            sample: SignalSample { onu_rx: rx, ..SignalSample::default() },
        }
    }

    #[test]
    fn long_histories_are_bucketed_with_their_extremes() {
        let history: Vec<_> = (0..10).map(|i| point(i * 60, Some(-20.0 - i as f64))).collect();
        let raw = chart_points(&history, 1);
        assert_eq!(raw.len(), 10);
        let buckets = chart_points(&history, 300);
        assert_eq!(buckets.len(), 2);
        assert_eq!(buckets[0].samples, 5);
        assert_eq!((buckets[0].rx_min, buckets[0].rx_max), (Some(-24.0), Some(-20.0)));
        assert_eq!(buckets[0].onu_rx, Some(-22.0));
    }

    #[test]
    fn a_bucket_without_readings_stays_empty_not_zero() {
        let buckets = chart_points(&[point(0, None), point(30, None)], 300);
        assert_eq!(buckets.len(), 1);
        assert_eq!((buckets[0].onu_rx, buckets[0].rx_min), (None, None));
    }
}

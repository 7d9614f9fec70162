//! Ports and ONUs: each port's counts, an OLT's ONUs with their optical
//! levels, one ONU's history and alerts, and its actions (read now,
//! reboot, deregister).

use std::collections::HashMap;

use headend_core::OltId;
use headend_core::activity::Actor;
use headend_core::optical::{HOUR_SECONDS, Thresholds};
use headend_ipc::olt::{
    OltPortArgs, OnuAlertDto, OnuDetail, OnuQuery, OnuRowDto, OpticalDto, PonPortDto, SignalPointDto,
};
use headend_olt::OpticalReading;
use headend_store::{AlertQuery, OnuRow, SignalPoint, SignalSample};
use jiff::{SignedDuration, Timestamp};
use tauri::{AppHandle, State};

use super::{band, find_onu, olt_error, opt_instant, thresholds_dto, vendor_label};
use crate::commands::{Answer, db, instant, workflow_error};
use crate::olts;
use crate::state::AppState;

/// Points the signal chart gets at most; longer ranges are bucketed.
const CHART_POINTS: i64 = 400;

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

/// The mean of values each standing for a number of readings (an hourly
/// point's mean stands for the hour's).
fn mean(values: impl Iterator<Item = (f64, u32)>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0_u32), |(s, n), (v, w)| (s + v * f64::from(w), n + w));
    (n > 0).then(|| sum / f64::from(n))
}

/// The history as chart points: each point when they are few, else
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
        let weighted = |value: fn(&SignalSample) -> Option<f64>| {
            mean(part.iter().filter_map(|p| value(&p.sample).map(|v| (v, p.samples))))
        };
        out.push(SignalPointDto {
            at: part[part.len() / 2].at.as_second(),
            onu_rx: weighted(|s| s.onu_rx),
            rx_min: part.iter().filter_map(|p| p.low.onu_rx).reduce(f64::min),
            rx_max: part.iter().filter_map(|p| p.high.onu_rx).reduce(f64::max),
            onu_tx: weighted(|s| s.onu_tx),
            olt_rx: weighted(|s| s.olt_rx),
            temperature: weighted(|s| s.temperature),
            samples: part.iter().map(|p| p.samples).sum(),
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
    let days = query.days.clamp(1, policy.retention.history_days().max(1));
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
    // Past the raw window the history is hours: the chart is drawn hour
    // by hour (or coarser) throughout, and its gaps judged by hours.
    let step = if history.iter().any(|p| p.hourly) { step.max(HOUR_SECONDS) } else { step };
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
        raw_days: policy.retention.raw_days(),
        history_days: policy.retention.history_days(),
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
    state.workflows.deregister_onu(&Actor::Operator, &state.olts, olt.id, at).await.map_err(workflow_error)?;
    olts::changed(&app, Some(olt.id));
    olts::autofind_soon(&app, olt);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(at: i64, rx: Option<f64>) -> SignalPoint {
        let sample = SignalSample { onu_rx: rx, ..SignalSample::default() };
        SignalPoint {
            at: Timestamp::from_second(at).unwrap_or(Timestamp::UNIX_EPOCH),
            sample,
            low: sample,
            high: sample,
            samples: 1,
            hourly: false,
        }
    }

    fn hour(at: i64, samples: u32, low: f64, mean: f64, high: f64) -> SignalPoint {
        let rx = |v| SignalSample { onu_rx: Some(v), ..SignalSample::default() };
        SignalPoint {
            at: Timestamp::from_second(at).unwrap_or(Timestamp::UNIX_EPOCH),
            sample: rx(mean),
            low: rx(low),
            high: rx(high),
            samples,
            hourly: true,
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
    fn hours_weigh_by_their_readings_and_keep_their_extremes() {
        let history = [hour(0, 12, -22.0, -21.0, -20.0), hour(3600, 4, -30.0, -25.0, -23.0), point(7200, Some(-19.0))];
        let buckets = chart_points(&history, 3 * 3600);
        assert_eq!(buckets.len(), 1);
        assert_eq!(buckets[0].samples, 17);
        assert_eq!((buckets[0].rx_min, buckets[0].rx_max), (Some(-30.0), Some(-19.0)));
        assert_eq!(buckets[0].onu_rx, Some((-21.0 * 12.0 - 25.0 * 4.0 - 19.0) / 17.0));
    }

    #[test]
    fn a_bucket_without_readings_stays_empty_not_zero() {
        let buckets = chart_points(&[point(0, None), point(30, None)], 300);
        assert_eq!(buckets.len(), 1);
        assert_eq!((buckets[0].onu_rx, buckets[0].rx_min), (None, None));
    }
}

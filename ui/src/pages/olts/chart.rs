//! An ONU's signal history as an inline SVG: the ONU Rx over the chosen
//! days (the average line, and the lowest-to-highest band when several
//! readings share a point), the warning and critical thresholds drawn with
//! their zones shaded, gaps where there were no readings, and a readout of
//! the point under the pointer.

use headend_ipc::olt::{OnuDetail, SignalPointDto};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::{dbm, reading, threshold};

/// The drawing's own units; the SVG scales to the card's width.
const W: f64 = 800.0;
const H: f64 = 270.0;
const LEFT: f64 = 48.0;
/// Room for the thresholds' labels.
const RIGHT: f64 = 96.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn date(secs: i64) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0))
}

/// `2026-05-12 14:05` in local time.
fn local_minute(secs: i64) -> String {
    let d = date(secs);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The instants of the time axis's ticks (local hours or midnights) and
/// their labels.
fn time_ticks(from: i64, to: i64) -> Vec<(i64, String)> {
    let span = to - from;
    let hour_step = match span {
        s if s <= 2 * 86_400 => Some(if s <= 12 * 3600 { 1 } else { 3 }),
        _ => None,
    };
    let mut out = Vec::new();
    let d = date(from);
    d.set_minutes(0);
    d.set_seconds(0);
    d.set_milliseconds(0);
    match hour_step {
        Some(step) => {
            let h = d.get_hours();
            d.set_hours(h - h % step + step);
            while (d.get_time() / 1000.0) as i64 <= to {
                out.push(((d.get_time() / 1000.0) as i64, format!("{:02}:00", d.get_hours())));
                d.set_hours(d.get_hours() + step);
            }
        }
        None => {
            let day_step = if span <= 10 * 86_400 {
                1
            } else if span <= 40 * 86_400 {
                5
            } else {
                15
            };
            d.set_hours(0);
            d.set_date(d.get_date() + 1);
            while (d.get_time() / 1000.0) as i64 <= to {
                let label = format!("{} {}", d.get_date(), MONTHS[d.get_month() as usize % 12]);
                out.push(((d.get_time() / 1000.0) as i64, label));
                d.set_date(d.get_date() + day_step);
            }
        }
    }
    out
}

/// Runs of consecutive readings, broken where readings are missing.
fn segments(points: &[SignalPointDto], max_gap: i64) -> Vec<Vec<&SignalPointDto>> {
    let mut out: Vec<Vec<&SignalPointDto>> = Vec::new();
    let mut last_at = None;
    for p in points {
        if p.onu_rx.is_none() {
            last_at = None;
            continue;
        }
        match (out.last_mut(), last_at) {
            (Some(run), Some(at)) if p.at - at <= max_gap => run.push(p),
            _ => out.push(vec![p]),
        }
        last_at = Some(p.at);
    }
    out
}

#[component]
pub fn SignalChart(
    detail: OnuDetail,
    /// The instant under the pointer, kept by the page so a reload of the
    /// data does not drop the readout.
    hover: RwSignal<Option<i64>>,
) -> impl IntoView {
    let t = detail.thresholds;
    let points = detail.history.clone();
    let (from, to) = (detail.from, detail.to.max(detail.from + 1));
    let (data_lo, data_hi) = points
        .iter()
        .flat_map(|p| [p.rx_min, p.rx_max, p.onu_rx])
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y_lo = (data_lo.min(t.critical_below) - 2.0).floor();
    let y_hi = (data_hi.max(t.critical_above) + 1.0).ceil();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = move |v: f64| TOP + (y_hi - v) / (y_hi - y_lo) * plot_h;
    let x = move |at: i64| LEFT + (at - from) as f64 / (to - from) as f64 * plot_w;
    let bottom = TOP + plot_h;

    let grid_step = if y_hi - y_lo > 16.0 { 5.0 } else { 2.0 };
    let mut grid = Vec::new();
    let mut v = (y_lo / grid_step).ceil() * grid_step;
    while v <= y_hi {
        grid.push(v);
        v += grid_step;
    }
    let ticks = time_ticks(from, to);
    let runs = segments(&points, detail.max_gap_secs);

    let xs: Vec<f64> = points.iter().map(|p| x(p.at)).collect();
    let ats: Vec<i64> = points.iter().map(|p| p.at).collect();
    let pick = {
        let xs = xs.clone();
        move |ev: leptos::ev::MouseEvent| {
            let el = event_target::<web_sys::HtmlElement>(&ev);
            let width = f64::from(el.offset_width());
            if width <= 0.0 || xs.is_empty() {
                return;
            }
            let vx = f64::from(ev.offset_x()) / width * W;
            let nearest =
                xs.iter().enumerate().min_by(|a, b| (a.1 - vx).abs().total_cmp(&(b.1 - vx).abs())).map(|(i, _)| i);
            hover.set(nearest.filter(|i| (xs[*i] - vx).abs() < 40.0).map(|i| ats[i]));
        }
    };
    let hovered = {
        let points = points.clone();
        move || {
            let at = hover.get()?;
            points
                .iter()
                .min_by_key(|p| (p.at - at).abs())
                .filter(|p| (p.at - at).abs() <= detail.max_gap_secs)
                .cloned()
        }
    };
    let marker = {
        let hovered = hovered.clone();
        move || {
            hovered().map(|p| {
                let px = x(p.at);
                view! {
                    <g class="chart-hover">
                        <line x1=px x2=px y1=TOP y2=bottom />
                        {p.onu_rx.map(|rx| view! { <circle cx=px cy=y(rx) r="4.5" /> })}
                    </g>
                }
            })
        }
    };
    let readout = move || {
        hovered().map(|p| {
            let fraction = (x(p.at) / W * 100.0).clamp(0.0, 100.0);
            // Beside the line, on the side with room.
            let right = fraction > 60.0;
            let (left_at, right_at) =
                if right { ("auto".to_owned(), format!("{:.1}%", 100.0 - fraction)) } else { (format!("{fraction:.1}%"), "auto".to_owned()) };
            let spread = (p.samples > 1 && p.rx_min.is_some()).then(|| {
                view! { <div class="muted small">{format!("lowest {} · highest {} · {} readings", dbm(p.rx_min), dbm(p.rx_max), p.samples)}</div> }
            });
            view! {
                <div class="chart-readout" class:readout-right=right id="chart-readout" style:left=left_at style:right=right_at>
                    <div class="small muted">{local_minute(p.at)}</div>
                    <div class="strong">{format!("Rx {} dBm", dbm(p.onu_rx))}</div>
                    {spread}
                    <div class="small">{format!("Tx {} · OLT Rx {} · {}", reading(p.onu_tx, 2, "dBm"), reading(p.olt_rx, 2, "dBm"), reading(p.temperature, 0, "°C"))}</div>
                </div>
            }
        })
    };

    let zones = [
        ("zone-critical", TOP, y(t.critical_above)),
        ("zone-warning", y(t.warning_below), y(t.critical_below)),
        ("zone-critical", y(t.critical_below), bottom),
    ];
    let lines = [
        ("threshold-critical", t.critical_above, format!("{} overload", threshold(t.critical_above))),
        ("threshold-warning", t.warning_below, format!("{} weak", threshold(t.warning_below))),
        ("threshold-critical", t.critical_below, format!("{} critical", threshold(t.critical_below))),
    ];

    view! {
        <div class="chart" id="signal-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label="ONU received power over time, with the alert thresholds">
                {zones
                    .into_iter()
                    .filter(|(_, a, b)| b > a)
                    .map(|(class, a, b)| view! { <rect class=class x=LEFT y=a width=plot_w height=b - a /> })
                    .collect_view()}
                <g class="chart-grid">
                    {grid
                        .into_iter()
                        .map(|v| view! {
                            <line x1=LEFT x2=W - RIGHT y1=y(v) y2=y(v) />
                            <text x=LEFT - 8.0 y=y(v) + 4.0 text-anchor="end">{threshold(v)}</text>
                        })
                        .collect_view()}
                    {ticks
                        .into_iter()
                        .map(|(at, label)| view! {
                            <line class="tick" x1=x(at) x2=x(at) y1=TOP y2=bottom />
                            <text x=x(at) y=H - 8.0 text-anchor="middle">{label}</text>
                        })
                        .collect_view()}
                </g>
                <text class="axis-unit" x="6" y=TOP + 4.0>"dBm"</text>
                {lines
                    .into_iter()
                    .map(|(class, v, label)| view! {
                        <g class=class>
                            <line x1=LEFT x2=W - RIGHT y1=y(v) y2=y(v) />
                            <text x=W - RIGHT + 6.0 y=y(v) + 4.0>{label}</text>
                        </g>
                    })
                    .collect_view()}
                {runs
                    .iter()
                    .map(|run| {
                        let band = run.iter().any(|p| p.samples > 1).then(|| {
                            let upper = run.iter().filter_map(|p| p.rx_max.map(|v| format!("{:.1},{:.1}", x(p.at), y(v))));
                            let lower = run.iter().rev().filter_map(|p| p.rx_min.map(|v| format!("{:.1},{:.1}", x(p.at), y(v))));
                            let all: Vec<String> = upper.chain(lower).collect();
                            view! { <polygon class="rx-band" points=all.join(" ") /> }
                        });
                        let line: Vec<String> =
                            run.iter().filter_map(|p| p.onu_rx.map(|v| format!("{:.1},{:.1}", x(p.at), y(v)))).collect();
                        let dot = (run.len() == 1).then(|| {
                            run[0].onu_rx.map(|v| view! { <circle class="rx-dot" cx=x(run[0].at) cy=y(v) r="3" /> })
                        });
                        view! {
                            {band}
                            <polyline class="rx-line" points=line.join(" ") />
                            {dot}
                        }
                    })
                    .collect_view()}
                {marker}
            </svg>
            <div class="chart-overlay" on:mousemove=pick on:mouseleave=move |_| hover.set(None)></div>
            {readout}
        </div>
        <div class="chart-legend muted small">
            <span class="legend-line"></span>"ONU Rx"
            <span class="legend-band"></span>"lowest to highest"
            <span class="legend-warning"></span>"weak"
            <span class="legend-critical"></span>"critical"
            <span class="legend-gap">"Gaps: no reading (offline, or not swept)"</span>
        </div>
    }
}

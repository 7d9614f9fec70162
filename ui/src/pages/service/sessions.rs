//! The service page's Sessions card (PPPoE services): the last 30 days'
//! usage as an inline SVG bar chart (download and upload per local day,
//! days without use left as gaps on the axis) and the latest sessions,
//! from FreeRADIUS's accounting (RADIUS mode) or the router's
//! `/ppp/active` as the console watched it (API mode).

use headend_ipc::sessions::{DailyUsageDto, SessionDto, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{ErrorBox, Loading};
use crate::{format, ipc};

/// Days the chart covers, today included.
const CHART_DAYS: u16 = 30;
/// Sessions the table lists (the CLI's `--limit` lists more).
const TABLE_ROWS: u32 = 50;

/// The drawing's own units; the SVG scales to the card's width.
const W: f64 = 800.0;
const H: f64 = 220.0;
/// Room for the byte labels.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;
/// Horizontal gridlines, roughly.
const GRID_LINES: f64 = 4.0;

/// What the card says of a service without history, and where it would
/// come from.
const NO_SESSIONS: &str = "No sessions recorded for this service yet. They appear here once the customer logs in: \
    from the router's active sessions as Headend watches them, or from FreeRADIUS's accounting (read every minute) \
    when the router is in RADIUS mode.";

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

#[derive(Serialize)]
struct SessionsArgs {
    id: i64,
    limit: u32,
}

#[derive(Serialize)]
struct UsageArgs {
    id: i64,
    days: u16,
}

#[component]
pub fn SessionsCard(id: i64) -> impl IntoView {
    let sessions = LocalResource::new(move || {
        ipc::invoke::<_, Vec<SessionDto>>(command::SERVICE_SESSIONS, SessionsArgs { id, limit: TABLE_ROWS })
    });
    let usage = LocalResource::new(move || {
        ipc::invoke::<_, Vec<DailyUsageDto>>(command::SERVICE_USAGE, UsageArgs { id, days: CHART_DAYS })
    });
    let body = move || match (sessions.get(), usage.get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <div class="pad"><ErrorBox error=e /></div> }.into_any(),
        (Some(Ok(sessions)), Some(Ok(days))) if sessions.is_empty() && days.iter().all(unused) => {
            view! { <p class="muted pad" id="sessions-empty">{NO_SESSIONS}</p> }.into_any()
        }
        (Some(Ok(sessions)), Some(Ok(days))) => view! {
            <div class="pad">
                <UsageChart days=days />
            </div>
            <SessionsTable sessions=sessions />
        }
        .into_any(),
        _ => Loading().into_any(),
    };
    view! {
        <section class="card table-card" id="service-sessions">
            <div class="card-head">
                <h2>"Sessions"</h2>
                <span class="muted small">{format!("Usage per day over the last {CHART_DAYS} days, and the latest sessions")}</span>
            </div>
            {body}
        </section>
    }
}

fn unused(day: &DailyUsageDto) -> bool {
    day.download_bytes == 0 && day.upload_bytes == 0
}

/// `6 Dec` of a `YYYY-MM-DD` day.
fn day_label(day: &str) -> String {
    let month = day.get(5..7).and_then(|m| m.parse::<usize>().ok()).and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    let date = day.get(8..10).and_then(|d| d.parse::<u8>().ok());
    match (date, month) {
        (Some(date), Some(month)) => format!("{date} {month}"),
        _ => day.to_owned(),
    }
}

/// A round step for `GRID_LINES` gridlines up to `max` bytes: 1, 2 or 5
/// times a power of ten of the binary unit `max` reads in (so the labels
/// read `512 MiB`, `1 GiB`, `1.5 GiB`).
fn grid_step(max: u64) -> u64 {
    let mut unit = 1_u64;
    while max / unit >= 1024 && unit < 1 << 40 {
        unit <<= 10;
    }
    let raw = max as f64 / unit as f64 / GRID_LINES;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude);
    ((nice * unit as f64).round() as u64).max(1)
}

/// Download and upload side by side for each day, scaled to the busiest
/// bar; every day has its place on the axis, so a day without use is a
/// gap. Each day's figures are in its tooltip.
#[component]
fn UsageChart(days: Vec<DailyUsageDto>) -> impl IntoView {
    let busiest = days.iter().flat_map(|d| [d.download_bytes, d.upload_bytes]).max().unwrap_or(0);
    let step = grid_step(busiest);
    let top = busiest.div_ceil(step).max(1) * step;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let baseline = TOP + plot_h;
    let y = move |bytes: u64| baseline - bytes as f64 / top as f64 * plot_h;
    let count = days.len();
    let slot = plot_w / count.max(1) as f64;
    let bar = (slot * 0.36).min(14.0);
    let quiet = busiest == 0;
    // Nothing to scale to: the baseline alone.
    let grid: Vec<u64> = if quiet { vec![0] } else { (0..=top / step).map(|i| i * step).collect() };
    let last = count.saturating_sub(1);
    let total_down: u64 = days.iter().map(|d| d.download_bytes).sum();
    let total_up: u64 = days.iter().map(|d| d.upload_bytes).sum();

    view! {
        <div class="chart usage-chart" id="usage-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img"
                aria-label=format!("Download and upload per day over the last {count} days")>
                <g class="chart-grid">
                    {grid.into_iter().map(|bytes| view! {
                        <line x1=LEFT x2=W - RIGHT y1=y(bytes) y2=y(bytes) />
                        <text x=LEFT - 8.0 y=y(bytes) + 4.0 text-anchor="end">
                            {if bytes == 0 { "0".to_owned() } else { format::bytes(bytes) }}
                        </text>
                    }).collect_view()}
                </g>
                {days.into_iter().enumerate().map(|(i, d)| {
                    let x = LEFT + i as f64 * slot;
                    let middle = x + slot / 2.0;
                    let tooltip = if unused(&d) {
                        format!("{}: no use", d.day)
                    } else {
                        format!("{}: {} down, {} up", d.day, format::bytes(d.download_bytes), format::bytes(d.upload_bytes))
                    };
                    // Every fifth day counted back from today, so today has its label.
                    let label = (last - i).is_multiple_of(5).then(|| view! {
                        <text class="day-label" x=middle y=H - 8.0 text-anchor="middle">{day_label(&d.day)}</text>
                    });
                    let bars = (!unused(&d)).then(|| view! {
                        <rect class="bar-down" x=middle - bar y=y(d.download_bytes) width=bar height=baseline - y(d.download_bytes) rx="1.5" />
                        <rect class="bar-up" x=middle y=y(d.upload_bytes) width=bar height=baseline - y(d.upload_bytes) rx="1.5" />
                    });
                    view! {
                        <g class="usage-day" data-day=d.day.clone()>
                            <title>{tooltip}</title>
                            // The whole column answers the pointer, gap or not.
                            <rect class="day-hit" x=x y=TOP width=slot height=plot_h />
                            {bars}
                            <line class="day-tick" x1=middle x2=middle y1=baseline y2=baseline + 4.0 />
                            {label}
                        </g>
                    }
                }).collect_view()}
                <line class="chart-axis" x1=LEFT x2=W - RIGHT y1=baseline y2=baseline />
            </svg>
        </div>
        <div class="chart-legend muted small" id="usage-legend">
            <span class="legend-down"></span>{format!("Download ({})", format::bytes(total_down))}
            <span class="legend-up"></span>{format!("Upload ({})", format::bytes(total_up))}
            <span class="legend-gap">
                {if quiet { "No use in these days." } else { "Days without a bar: no use. Hover a day for its figures." }}
            </span>
        </div>
    }
}

/// Where a row came from, as the operator reads it: a short label and its
/// explanation.
fn source_label(source: &str) -> (&'static str, &'static str) {
    match source {
        "radius" => ("RADIUS", "FreeRADIUS's accounting, as the router reported the session"),
        "api" => ("Router", "The router's active sessions, as Headend watched them"),
        "daily" => ("Daily total", "One day's sessions summed, past the days kept in detail"),
        _ => ("Unknown", ""),
    }
}

/// The time of day alone when `ended` is on the day `started` is (both
/// `YYYY-MM-DD HH:MM:SS`).
fn end_time(started: &str, ended: String) -> String {
    match (started.get(..11), ended.get(..11), ended.get(11..)) {
        (Some(day), Some(end_day), Some(time)) if day == end_day => time.to_owned(),
        _ => ended,
    }
}

fn or_dash(text: String) -> String {
    if text.is_empty() { "—".to_owned() } else { text }
}

/// A byte count in human units, the exact count in its tooltip.
fn byte_cell(bytes: u64) -> impl IntoView {
    view! { <td class="mono num nowrap" title=format!("{bytes} bytes")>{format::bytes(bytes)}</td> }
}

#[component]
fn SessionsTable(sessions: Vec<SessionDto>) -> impl IntoView {
    if sessions.is_empty() {
        return view! {
            <p class="muted pad" id="sessions-table">"No session in the detail kept: older days are only in the chart's totals."</p>
        }
        .into_any();
    }
    let more = (sessions.len() >= TABLE_ROWS as usize).then(|| {
        view! {
            <p class="muted small pad">
                {format!("The latest {TABLE_ROWS} rows. ")}<code>"headend service sessions ID --limit N"</code>" lists more."
            </p>
        }
    });
    view! {
        // Scrolls sideways in a narrow window rather than hiding columns.
        <div class="table-scroll">
            <table class="table sessions-table" id="sessions-table">
                <thead>
                    <tr>
                        <th>"Started"</th><th>"Ended"</th><th class="num">"Duration"</th><th>"Cause"</th>
                        <th>"Address"</th><th>"Caller MAC"</th><th class="num">"Down"</th><th class="num">"Up"</th><th>"Source"</th>
                    </tr>
                </thead>
                <tbody>
                    {sessions.into_iter().map(|s| {
                        let daily = s.source == "daily";
                        let started = format::local_time(&s.started_at);
                        let (started, ended, cause) = if daily {
                            // A day's sessions summed: the day, and how many.
                            let day = started.get(..10).unwrap_or(&started).to_owned();
                            (day, view! { <span class="muted">"—"</span> }.into_any(), format!("{} sessions summed", s.sessions))
                        } else if s.stopped_at.is_empty() {
                            (started, view! { <span class="pill pill-ok">"online"</span> }.into_any(), or_dash(s.cause))
                        } else {
                            let ended = end_time(&started, format::local_time(&s.stopped_at));
                            (started, ended.into_any(), or_dash(s.cause))
                        };
                        let (source, source_help) = source_label(&s.source);
                        view! {
                            <tr class="session-row" data-source=s.source.clone() class:session-online=!daily && s.stopped_at.is_empty()>
                                <td class="mono nowrap">{started}</td>
                                <td class="mono nowrap">{ended}</td>
                                <td class="mono num nowrap">{s.duration_secs.map_or_else(|| "—".to_owned(), format::duration)}</td>
                                <td class="nowrap">{cause}</td>
                                <td class="mono">{or_dash(s.address)}</td>
                                <td class="mono">{or_dash(s.caller)}</td>
                                {byte_cell(s.download_bytes)}
                                {byte_cell(s.upload_bytes)}
                                <td class="nowrap" title=source_help>{source}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {more}
    }
    .into_any()
}

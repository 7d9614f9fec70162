//! One router: its health and its interfaces with live traffic, from
//! counters read every two seconds while the page is open.

use std::collections::HashMap;

use headend_ipc::{InterfaceRow, RouterRow, RouterStatusDto, command};
use leptos::prelude::*;
use serde::Serialize;

use super::loaded;
use crate::app::{Console, Page};
use crate::components::ErrorBox;
use crate::format;
use crate::ipc;

const TRAFFIC_EVERY_MS: u64 = 2_000;

#[derive(Serialize)]
struct IdArgs {
    id: i64,
}

/// An interface with the rates since the previous reading.
#[derive(Clone)]
struct Traffic {
    row: InterfaceRow,
    rx_rate: u64,
    tx_rate: u64,
}

fn rate(before: u64, after: u64, ms: f64) -> u64 {
    if ms <= 0.0 { 0 } else { (after.saturating_sub(before) as f64 * 8.0 * 1000.0 / ms) as u64 }
}

#[component]
pub fn Router(id: i64) -> impl IntoView {
    let console = Console::get();
    let routers = LocalResource::new(move || {
        console.routers_changed.track();
        ipc::call::<Vec<RouterRow>>(command::LIST_ROUTERS)
    });
    let traffic = RwSignal::new(Vec::<Traffic>::new());
    let traffic_error = RwSignal::new(None::<headend_ipc::ErrorDto>);
    let previous = StoredValue::new(HashMap::<String, (u64, u64, f64)>::new());

    let read = move || {
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, Vec<InterfaceRow>>(command::ROUTER_INTERFACES, IdArgs { id }).await {
                Ok(rows) => {
                    let now = js_sys::Date::now();
                    let measured = previous.with_value(|prev| {
                        rows.iter()
                            .map(|row| {
                                let (rx_rate, tx_rate) = match prev.get(&row.name) {
                                    Some((rx, tx, at)) => {
                                        (rate(*rx, row.rx_bytes, now - at), rate(*tx, row.tx_bytes, now - at))
                                    }
                                    None => (0, 0),
                                };
                                Traffic { row: row.clone(), rx_rate, tx_rate }
                            })
                            .collect()
                    });
                    previous.set_value(rows.iter().map(|r| (r.name.clone(), (r.rx_bytes, r.tx_bytes, now))).collect());
                    traffic.set(measured);
                    traffic_error.set(None);
                }
                Err(e) => traffic_error.set(Some(e)),
            }
        })
    };
    read();
    let poll = set_interval_with_handle(read, std::time::Duration::from_millis(TRAFFIC_EVERY_MS));
    on_cleanup(move || {
        if let Ok(handle) = poll {
            handle.clear();
        }
    });

    view! {
        <button class="link back" on:click=move |_| console.open(Page::Routers)>"← Routers"</button>
        {loaded(routers, move |rows: Vec<RouterRow>| match rows.into_iter().find(|r| r.id == id) {
            None => view! { <p class="muted">"This router is no longer in the inventory."</p> }.into_any(),
            Some(r) => view! { <RouterFacts router=r /> }.into_any(),
        })}
        <section class="card table-card">
            <div class="card-head"><h2>"Interfaces"</h2><span class="muted small">"Live traffic, refreshed every 2 s"</span></div>
            {move || traffic_error.get().map(|e| view! { <div class="pad"><ErrorBox error=e /></div> })}
            <table class="table" id="interfaces-table">
                <thead><tr><th>"Interface"</th><th>"Type"</th><th>"State"</th><th class="num">"Receive"</th><th class="num">"Transmit"</th><th class="num">"Received"</th><th class="num">"Sent"</th></tr></thead>
                <tbody>
                    {move || traffic.get().into_iter().map(|t| view! {
                        <tr>
                            <td class="strong mono">{t.row.name.clone()}<div class="muted small">{t.row.comment.clone()}</div></td>
                            <td>{t.row.kind.clone()}</td>
                            <td>{if t.row.disabled {
                                view! { <span class="status pending">"Disabled"</span> }.into_any()
                            } else if t.row.running {
                                view! { <span class="status up">"Running"</span> }.into_any()
                            } else {
                                view! { <span class="status down">"No link"</span> }.into_any()
                            }}</td>
                            <td class="mono num">{format::rate(t.rx_rate)}</td>
                            <td class="mono num">{format::rate(t.tx_rate)}</td>
                            <td class="mono num">{format::bytes(t.row.rx_bytes)}</td>
                            <td class="mono num">{format::bytes(t.row.tx_bytes)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn RouterFacts(router: RouterRow) -> impl IntoView {
    let (state, health, error) = match &router.status {
        RouterStatusDto::Up(h) => ("Up", Some(h.clone()), None),
        RouterStatusDto::Down { error } => ("Down", None, Some(error.clone())),
        RouterStatusDto::Connecting | RouterStatusDto::Unknown => ("Connecting", None, None),
    };
    let memory = health
        .as_ref()
        .and_then(|h| Some(format!("{} free of {}", format::bytes(h.free_memory?), format::bytes(h.total_memory?))));
    view! {
        <div class="page-header">
            <h1 id="page-title">{router.name.clone()}</h1>
            <p class="muted">{format!("{}:{} over {} as {} · {state}", router.host, router.port, router.transport, router.username)}</p>
        </div>
        {error.map(|e| view! { <div class="error-box" role="alert">{e}</div> })}
        {health.map(|h| view! {
            <div class="cards">
                <div class="card stat"><span class="stat-value small-value">{h.version.clone()}</span><span class="stat-label">{format!("RouterOS on {}", h.board)}</span></div>
                <div class="card stat"><span class="stat-value">{h.uptime_secs.map(format::duration).unwrap_or_default()}</span><span class="stat-label">"Uptime"</span></div>
                <div class="card stat"><span class="stat-value">{h.cpu_load.map(|c| format!("{c}%")).unwrap_or_default()}</span><span class="stat-label">"CPU"</span></div>
                <div class="card stat"><span class="stat-value small-value">{memory.clone().unwrap_or_default()}</span><span class="stat-label">"Memory"</span></div>
                <div class="card stat" id="router-online"><span class="stat-value">{h.active_sessions}</span><span class="stat-label">{format!("online of {} PPP secrets", h.ppp_secrets)}</span></div>
            </div>
        })}
    }
}

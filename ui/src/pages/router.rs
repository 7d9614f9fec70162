//! One router: its health, its provisioning backend (API or RADIUS, with
//! the RouterOS commands RADIUS mode needs), its own suspension mode, its
//! interfaces with live traffic (counters read every two seconds while the
//! page is open) and the commands last sent to it.

use std::collections::HashMap;

use headend_ipc::radius::command::{GET_ROUTER_BACKEND, SET_ROUTER_BACKEND};
use headend_ipc::radius::{RouterBackendForm, RouterBackendView};
use headend_ipc::{InterfaceRow, RouterRow, RouterStatusDto, command};
use leptos::prelude::*;
use serde::Serialize;

use super::loaded;
use crate::app::{Console, Page};
use crate::components::{ErrorBox, Errors, FieldError, FormError, clear_error, has_error};
use crate::format;
use crate::ipc;
use log::RouterLogCard;
use radius_setup::RadiusSetup;
use suspension::SuspensionCard;

mod adopt;
mod log;
mod radius_setup;
mod suspension;

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
    let stored = Memo::new(move |_| {
        routers.get().and_then(Result::ok).and_then(|rows| rows.iter().find(|r| r.id == id).map(|r| !r.demo))
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
        // Outside the reloads, so a backend being typed survives them; a
        // demo router is not in the database and has none.
        {move || (stored.get() == Some(true)).then(|| view! { <BackendCard id=id /> <SuspensionCard id=id /> })}
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
        {move || (stored.get() == Some(true)).then(|| view! { <RouterLogCard id=id /> <adopt::AdoptCard id=id /> })}
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

/// Where the router's PPPoE users live: its own PPP secrets (API) or
/// FreeRADIUS; in RADIUS mode, the RouterOS commands the router needs.
#[component]
fn BackendCard(id: i64) -> impl IntoView {
    let loaded_view =
        LocalResource::new(move || ipc::invoke::<_, RouterBackendView>(GET_ROUTER_BACKEND, IdArgs { id }));
    move || match loaded_view.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(v)) => view! { <BackendForm initial=v /> }.into_any(),
    }
}

#[derive(Serialize)]
struct BackendArgs {
    form: RouterBackendForm,
}

fn backend_form(v: &RouterBackendView) -> RouterBackendForm {
    RouterBackendForm {
        id: v.id,
        backend: v.backend.clone(),
        nas_address: v.nas_address.clone(),
        coa_port: v.coa_port.to_string(),
        secret: String::new(),
    }
}

#[component]
fn BackendForm(initial: RouterBackendView) -> impl IntoView {
    let draft = RwSignal::new(backend_form(&initial));
    let current = RwSignal::new(initial);
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let field =
        move |name: &'static str, get: fn(&RouterBackendForm) -> &String, set: fn(&mut RouterBackendForm, String)| {
            (
                move || draft.with(|d| get(d).clone()),
                move |ev: leptos::ev::Event| {
                    draft.update(|d| set(d, event_target_value(&ev)));
                    clear_error(errors, name);
                    saved.set(false);
                },
            )
        };
    let (backend, set_backend) = field("backend", |d| &d.backend, |d, v| d.backend = v);
    let (nas, set_nas) = field("nas_address", |d| &d.nas_address, |d, v| d.nas_address = v);
    let (port, set_port) = field("coa_port", |d| &d.coa_port, |d, v| d.coa_port = v);
    let (secret, set_secret) = field("secret", |d| &d.secret, |d, v| d.secret = v);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        saving.set(true);
        let form = draft.get_untracked();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, RouterBackendView>(SET_ROUTER_BACKEND, BackendArgs { form }).await {
                Ok(v) => {
                    draft.set(backend_form(&v));
                    current.set(v);
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    let radius_chosen = move || draft.with(|d| d.backend == "radius");
    view! {
        <form class="card form wide-form" id="router-backend" novalidate=true on:submit=save>
            <h2>"Provisioning backend"</h2>
            <div class="grid-2">
                <label class="field"><span class="field-label">"PPPoE users live in"</span>
                    <select id="backend-choice" prop:value=backend on:change=set_backend>
                        <option value="api">"The router's own PPP secrets (API)"</option>
                        <option value="radius">"FreeRADIUS's database (RADIUS)"</option>
                    </select>
                    {move || (radius_chosen() && !current.with(|c| c.radius_ready)).then(|| view! {
                        <span class="field-help warn-text">"Set up RADIUS first: Settings → RADIUS."</span>
                    })}
                    <FieldError errors=errors field="backend" /></label>
            </div>
            <Show when=radius_chosen>
                <div class="grid-3">
                    <label class="field"><span class="field-label">"NAS address"</span>
                        <input id="backend-nas-address" type="text" class:invalid=has_error(errors, "nas_address")
                            prop:value=nas on:input=set_nas />
                        <span class="field-help">"The address the router's RADIUS requests come from; its own address by default."</span>
                        <FieldError errors=errors field="nas_address" /></label>
                    <label class="field"><span class="field-label">"CoA port"</span>
                        <input id="backend-coa-port" type="text" inputmode="numeric" class:invalid=has_error(errors, "coa_port")
                            prop:value=port on:input=set_port />
                        <span class="field-help">"Where the router takes disconnect and rate-change requests (/radius incoming), 3799 by default."</span>
                        <FieldError errors=errors field="coa_port" /></label>
                    <label class="field"><span class="field-label">"Shared secret"</span>
                        <input id="backend-secret" type="password" autocomplete="new-password" class:invalid=has_error(errors, "secret")
                            placeholder=move || if current.with(|c| c.backend == "radius") { "unchanged" } else { "" }
                            prop:value=secret on:input=set_secret />
                        <span class="field-help">{move || if current.with(|c| c.backend == "radius") {
                            "Kept in this computer's keyring: leave it empty to keep it."
                        } else {
                            "The secret the router and FreeRADIUS share; needed the first time, then kept in the keyring."
                        }}</span>
                        <FieldError errors=errors field="secret" /></label>
                </div>
            </Show>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="backend-save" prop:disabled=move || saving.get()>"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="backend-saved">"Saved: the router is swept now."</span></Show>
            </div>
            {move || {
                let v = current.get();
                (v.backend == "radius").then(|| view! { <RadiusSetup view=v /> })
            }}
        </form>
    }
}

//! The router inventory with each router's live health, the add/edit
//! form, and the demo network for a console with no routers yet.

use headend_ipc::olt::PinKey;
use headend_ipc::{ErrorDto, RouterForm, RouterHealthDto, RouterRow, RouterStatusDto, command};
use leptos::prelude::*;
use serde::Serialize;

use super::loaded;
use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Icon, PopField};
use crate::format;
use crate::ipc;
use crate::location::LocationPicker;

#[derive(Serialize)]
struct IdArgs {
    id: i64,
}

#[derive(Serialize)]
struct FormArgs {
    form: RouterForm,
}

#[derive(Serialize)]
struct PinArgs {
    pin: PinKey,
}

/// What a router's api-ssl service needs, in RouterOS commands (the same
/// steps `headend router add --help` and the engine's error give).
const API_SSL_SETUP: &str = "/certificate add name=headend-api common-name=headend-api days-valid=3650 key-usage=digital-signature,key-encipherment,tls-server
/certificate sign headend-api
/ip service set api-ssl certificate=headend-api disabled=no";

fn blank_form() -> RouterForm {
    RouterForm {
        id: None,
        name: String::new(),
        host: String::new(),
        port: String::new(),
        // Encrypted, with the certificate pinned on the first connection.
        transport: "api-tls".into(),
        username: "admin".into(),
        password: String::new(),
        location: String::new(),
        pop: String::new(),
    }
}

fn edit_form(r: &RouterRow) -> RouterForm {
    RouterForm {
        id: Some(r.id),
        name: r.name.clone(),
        host: r.host.clone(),
        port: r.port.to_string(),
        transport: r.transport.clone(),
        username: r.username.clone(),
        password: String::new(),
        location: r.location.map(|(lat, lon)| format!("{lat},{lon}")).unwrap_or_default(),
        pop: r.pop.clone(),
    }
}

/// A short message above the table: the outcome of the last action.
#[derive(Clone)]
enum Notice {
    Ok(String),
    Failed(ErrorDto),
}

#[component]
pub fn Routers() -> impl IntoView {
    let console = Console::get();
    let routers = LocalResource::new(move || {
        console.routers_changed.track();
        ipc::call::<Vec<RouterRow>>(command::LIST_ROUTERS)
    });
    let form = RwSignal::new(None::<RouterForm>);
    let notice = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    // Kept here, not in the table, so the dialog survives the table's
    // reloads while routers come and go.
    let confirm_remove = RwSignal::new(None::<(i64, String)>);
    let trust = RwSignal::new(None::<RouterRow>);
    let refresh = move || console.routers_changed.update(|n| *n += 1);

    let demo = move |start: bool| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let cmd = if start { command::START_DEMO } else { command::STOP_DEMO };
            if let Err(e) = ipc::call::<()>(cmd).await {
                notice.set(Some(Notice::Failed(e)));
            }
            busy.set(false);
            refresh();
        });
    };

    view! {
        <div class="page-header with-actions">
            <div>
                <h1 id="page-title">"Routers"</h1>
                <p class="muted">"MikroTik routers Headend provisions and watches, live."</p>
            </div>
            <div class="actions">
                {move || {
                    let running = routers.get().and_then(Result::ok).is_some_and(|rs| rs.iter().any(|r| r.demo));
                    running.then(|| view! {
                        <button class="secondary" id="stop-demo" disabled=move || busy.get() on:click=move |_| demo(false)>"Stop the demo"</button>
                    })
                }}
                <button class="primary" id="add-router" on:click=move |_| form.set(Some(blank_form()))>"Add router"</button>
            </div>
        </div>
        {move || notice.get().map(|n| match n {
            Notice::Ok(text) => view! { <div class="ok-box" id="router-notice">{text}</div> }.into_any(),
            Notice::Failed(e) => view! { <ErrorBox error=e /> }.into_any(),
        })}
        {move || form.get().map(|f| view! { <RouterEditor initial=f form=form notice=notice /> })}
        {loaded(routers, move |rows: Vec<RouterRow>| {
            if rows.is_empty() {
                view! {
                    <EmptyState
                        icon=Icon::Router
                        title="No routers yet"
                        text="Add your first MikroTik router (RouterOS 6.43 or later): enable its api or api-ssl service (or www-ssl for REST) and create a user for Headend with the read, write, api and policy rights. Or look around first with a simulated network."
                    >
                        <div class="empty-actions">
                            <button class="primary" on:click=move |_| form.set(Some(blank_form()))>"Add router"</button>
                            <button class="secondary" id="start-demo" disabled=move || busy.get() on:click=move |_| demo(true)>"Start the demo network"</button>
                        </div>
                    </EmptyState>
                }
                .into_any()
            } else {
                view! { <RouterTable rows=rows form=form notice=notice confirm_remove=confirm_remove trust=trust /> }.into_any()
            }
        })}
        {move || confirm_remove.get().map(|(id, name)| view! { <ConfirmRemove id=id name=name confirm_remove=confirm_remove notice=notice /> })}
        {move || trust.get().map(|row| view! { <TrustCertificate row=row trust=trust notice=notice /> })}
    }
}

/// Shows the pinned and the presented certificate; trusting pins the new
/// one, if the router still presents it.
#[component]
fn TrustCertificate(
    row: RouterRow,
    trust: RwSignal<Option<RouterRow>>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let console = Console::get();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<ErrorDto>);
    let (id, name, presented) = (row.id, row.name.clone(), row.presented_certificate.clone());
    let confirm = move |_| {
        busy.set(true);
        let (name, presented) = (name.clone(), presented.clone());
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(command::PIN_ROUTER_CERTIFICATE, PinArgs { pin: PinKey { id, presented } }).await
            {
                Ok(()) => {
                    trust.set(None);
                    notice.set(Some(Notice::Ok(format!("{name}: the new certificate is trusted; connecting again."))));
                    console.routers_changed.update(|n| *n += 1);
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let pinned = if row.pinned_certificate.is_empty() { "none".to_owned() } else { row.pinned_certificate.clone() };
    view! {
        <div class="modal-backdrop">
            <div class="modal wide-modal" role="dialog" id="trust-certificate">
                <h2>{format!("{}: TLS certificate changed", row.name)}</h2>
                <p class="muted">"Headend stopped connecting to this router because it presents a certificate other than the one pinned. Trust the new one only if you know why it changed (the router was reinstalled, or its certificate was renewed); otherwise someone may be intercepting the connection. On the router, /certificate print detail shows its fingerprint."</p>
                <dl class="facts key-facts">
                    <dt>"Pinned"</dt><dd class="mono selectable" id="pinned-certificate">{pinned}</dd>
                    <dt>"Presented now"</dt><dd class="mono selectable" id="presented-certificate">{row.presented_certificate.clone()}</dd>
                </dl>
                {move || failed.get().map(|e| view! { <ErrorBox error=e /> })}
                <div class="form-actions">
                    <button class="danger-button" id="trust-certificate-confirm" disabled=move || busy.get() on:click=confirm>"Trust the new certificate"</button>
                    <button class="secondary" on:click=move |_| trust.set(None)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}

#[component]
fn ConfirmRemove(
    id: i64,
    name: String,
    confirm_remove: RwSignal<Option<(i64, String)>>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let console = Console::get();
    let remove = move |_| {
        confirm_remove.set(None);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(command::REMOVE_ROUTER, IdArgs { id }).await {
                Ok(()) => console.routers_changed.update(|n| *n += 1),
                Err(e) => notice.set(Some(Notice::Failed(e))),
            }
        });
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" id="confirm-remove">
                <h2>{format!("Remove {name}?")}</h2>
                <p class="muted">"Headend stops watching it and forgets its password. Nothing on the router changes. A router that services still use cannot be removed."</p>
                <div class="form-actions">
                    <button class="danger-button" on:click=remove>"Remove"</button>
                    <button class="secondary" on:click=move |_| confirm_remove.set(None)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}

fn status_cell(status: &RouterStatusDto) -> AnyView {
    match status {
        RouterStatusDto::Up(_) => view! { <span class="status up">"Up"</span> }.into_any(),
        RouterStatusDto::Connecting | RouterStatusDto::Unknown => {
            view! { <span class="status pending">"Connecting"</span> }.into_any()
        }
        RouterStatusDto::Down { error } => {
            view! { <span class="status down" title=error.clone()>"Down"</span> }.into_any()
        }
    }
}

/// A router's error: its first line, and what follows (how to fix it)
/// folded away.
fn error_cell(error: String) -> AnyView {
    match error.split_once('\n') {
        None => view! { <div class="cell-error">{error}</div> }.into_any(),
        Some((first, rest)) => view! {
            <div class="cell-error">{first.to_owned()}</div>
            <details class="cell-help"><summary>"How to fix"</summary><pre class="selectable">{rest.to_owned()}</pre></details>
        }
        .into_any(),
    }
}

fn health_summary(h: &RouterHealthDto) -> String {
    format!(
        "{} answered: RouterOS {} on {}, {} PPP secrets, {} online.",
        h.identity, h.version, h.board, h.ppp_secrets, h.active_sessions
    )
}

#[component]
fn RouterTable(
    rows: Vec<RouterRow>,
    form: RwSignal<Option<RouterForm>>,
    notice: RwSignal<Option<Notice>>,
    confirm_remove: RwSignal<Option<(i64, String)>>,
    trust: RwSignal<Option<RouterRow>>,
) -> impl IntoView {
    let console = Console::get();
    let test = move |id: i64| {
        notice.set(None);
        leptos::task::spawn_local(async move {
            let outcome = ipc::invoke::<_, RouterHealthDto>(command::TEST_ROUTER, IdArgs { id }).await;
            notice.set(Some(match outcome {
                Ok(h) => Notice::Ok(health_summary(&h)),
                Err(e) => Notice::Failed(e),
            }));
        });
    };
    view! {
        <div class="card table-card">
            <table class="table" id="routers-table">
                <thead>
                    <tr>
                        <th>"Status"</th><th>"Name"</th><th>"Address"</th><th>"RouterOS"</th><th>"Uptime"</th>
                        <th class="num">"CPU"</th><th class="num">"Memory free"</th><th class="num">"Online"</th><th></th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let health = match &r.status { RouterStatusDto::Up(h) => Some(h.clone()), _ => None };
                            let error = match &r.status { RouterStatusDto::Down { error } => Some(error.clone()), _ => None };
                            let (id, name, demo) = (r.id, r.name.clone(), r.demo);
                            let editable = r.clone();
                            let changed = (!r.presented_certificate.is_empty()).then(|| r.clone());
                            view! {
                                <tr class="router-row" data-router-id=id data-name=r.name.clone()>
                                    <td>{if changed.is_some() {
                                        view! { <span class="status down">"Certificate changed"</span> }.into_any()
                                    } else {
                                        status_cell(&r.status)
                                    }}</td>
                                    <td class="strong">
                                        <button class="link strong router-link" on:click=move |_| console.open(Page::Router(id))>{r.name.clone()}</button>
                                        {demo.then(|| view! { <span class="pill tag">"demo"</span> })}
                                        {(!r.pop.is_empty()).then(|| view! { <div class="muted small router-pop">{r.pop.clone()}</div> })}
                                        {(r.backend == "radius").then(|| view! {
                                            <span class="pill pill-accent tag backend-radius" title="Its PPPoE users are in FreeRADIUS">"RADIUS"</span>
                                        })}
                                        {error.filter(|_| changed.is_none()).map(error_cell)}
                                    </td>
                                    <td class="mono">{format!("{}:{}", r.host, r.port)}<span class="muted small">{format!(" {}", r.transport)}</span></td>
                                    <td>{health.as_ref().map(|h| h.version.clone()).unwrap_or_default()}<div class="muted small">{health.as_ref().map(|h| h.board.clone()).unwrap_or_default()}</div></td>
                                    <td class="mono">{health.as_ref().and_then(|h| h.uptime_secs).map(format::duration).unwrap_or_default()}</td>
                                    <td class="mono num">{health.as_ref().and_then(|h| h.cpu_load).map(|c| format!("{c}%")).unwrap_or_default()}</td>
                                    <td class="mono num">{health.as_ref().and_then(|h| h.free_memory).map(format::bytes).unwrap_or_default()}</td>
                                    <td class="mono num router-online">{health.as_ref().map(|h| h.active_sessions.to_string()).unwrap_or_default()}</td>
                                    <td class="row-actions">
                                        {changed.map(|row| view! {
                                            <button class="link danger trust-certificate" on:click=move |_| trust.set(Some(row.clone()))>"Trust new certificate…"</button>
                                        })}
                                        <button class="link" on:click=move |_| test(id)>"Test"</button>
                                        {(!demo).then(|| view! {
                                            <button class="link edit-router" on:click=move |_| form.set(Some(edit_form(&editable)))>"Edit"</button>
                                            <button class="link danger" on:click=move |_| confirm_remove.set(Some((id, name.clone())))>"Remove"</button>
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What the chosen transport asks of the router, or costs.
fn transport_help(transport: &str) -> AnyView {
    match transport {
        "api" => view! {
            <span class="field-help warn-text" id="plain-api-warning">"Plain API sends this router's password, and every subscriber's PPPoE password Headend sets, across the network unencrypted. Use it only on a link you trust."</span>
        }
        .into_any(),
        "api-tls" => view! {
            <details class="field-help" id="api-ssl-help">
                <summary>"The router's api-ssl service needs a certificate. Making one…"</summary>
                <p>"RouterOS has none out of the box. In the router's terminal:"</p>
                <pre class="preview selectable">{API_SSL_SETUP}</pre>
                <p>"Headend pins the certificate on its first connection and refuses any other after."</p>
            </details>
        }
        .into_any(),
        _ => view! { <span class="field-help">"The router's www-ssl service, with a certificate; pinned on the first connection."</span> }.into_any(),
    }
}

#[component]
fn RouterEditor(
    initial: RouterForm,
    form: RwSignal<Option<RouterForm>>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let console = Console::get();
    let editing = initial.id.is_some();
    let draft = RwSignal::new(initial);
    let error = RwSignal::new(None::<ErrorDto>);
    let saving = RwSignal::new(false);
    let field = move |get: fn(&RouterForm) -> &String, set: fn(&mut RouterForm, String)| {
        (
            move || draft.with(|d| get(d).clone()),
            move |ev: leptos::ev::Event| draft.update(|d| set(d, event_target_value(&ev))),
        )
    };
    let (name, set_name) = field(|d| &d.name, |d, v| d.name = v);
    let (host, set_host) = field(|d| &d.host, |d, v| d.host = v);
    let (port, set_port) = field(|d| &d.port, |d, v| d.port = v);
    let (transport, set_transport) = field(|d| &d.transport, |d, v| d.transport = v);
    let (user, set_user) = field(|d| &d.username, |d, v| d.username = v);
    let (password, set_password) = field(|d| &d.password, |d, v| d.password = v);
    let (location, set_location) = field(|d| &d.location, |d, v| d.location = v);
    let pop = move || draft.with(|d| d.pop.clone());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        let form_value = draft.get();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, i64>(command::SAVE_ROUTER, FormArgs { form: form_value.clone() }).await {
                Ok(_) => {
                    form.set(None);
                    notice.set(Some(Notice::Ok(format!("{} saved; connecting…", form_value.name.trim()))));
                    console.routers_changed.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    view! {
        <form class="card form router-form" id="router-form" novalidate=true on:submit=save>
            <h2>{if editing { "Edit router" } else { "Add a router" }}</h2>
            <div class="grid-2">
                <label class="field"><span class="field-label">"Name"</span>
                    <input id="router-name" type="text" placeholder="core-1" prop:value=name on:input=set_name /></label>
                <label class="field"><span class="field-label">"Address"</span>
                    <input id="router-host" type="text" placeholder="192.0.2.1 or core-1.example.net" prop:value=host on:input=set_host /></label>
                <label class="field"><span class="field-label">"Connect over"</span>
                    <select id="router-transport" prop:value=transport on:change=set_transport>
                        <option value="api-tls">"API over TLS (8729), recommended"</option>
                        <option value="rest">"REST over HTTPS (443)"</option>
                        <option value="api">"Plain API (8728), unencrypted"</option>
                    </select>
                    {move || transport_help(&transport())}</label>
                <label class="field"><span class="field-label">"Port"</span>
                    <input id="router-port" type="text" inputmode="numeric" placeholder="default" prop:value=port on:input=set_port /></label>
                <label class="field"><span class="field-label">"User"</span>
                    <input id="router-user" type="text" prop:value=user on:input=set_user /></label>
                <label class="field"><span class="field-label">"Password"</span>
                    <input id="router-password" type="password" autocomplete="off"
                        placeholder=if editing { "unchanged" } else { "" } prop:value=password on:input=set_password />
                    <span class="field-help">"Kept in this computer's keyring, never in Headend's database."</span></label>
                <div class="field"><label class="field-label" for="router-location">"Location"</label>
                    <input id="router-location" type="text" placeholder="-1.2921,36.8219" prop:value=location on:input=set_location />
                    <span class="field-help">"Latitude,longitude, or a pasted Google Maps or OpenStreetMap link: puts the router on the map."</span>
                    <LocationPicker field="router-location" value=Signal::derive(location)
                        set=move |v: String| draft.update(|d| d.location = v) /></div>
                <PopField id="router-pop" value=Signal::derive(pop) set=move |v: String| draft.update(|d| d.pop = v) />
            </div>
            {move || error.get().map(|e| view! { <ErrorBox error=e /> })}
            <div class="form-actions">
                <button type="submit" class="primary" id="router-save" disabled=move || saving.get()>{if editing { "Save" } else { "Add and connect" }}</button>
                <button type="button" class="secondary" on:click=move |_| form.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

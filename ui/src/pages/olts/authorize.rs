//! The unconfigured ONUs (plugged in, found by the OLT's autofind, not
//! registered) and their Authorize dialog: one click on the row opens it
//! filled from the service waiting for that serial (or the first plan
//! with an OLT profile), one click on Confirm registers the ONU; the
//! dialog then follows it until it is online and shows its level.

use headend_ipc::ErrorDto;
use headend_ipc::olt::{
    AuthorizeDraft, AuthorizeForm, AuthorizeTarget, AuthorizedOnu, AutofindDto, OltScope, OnuDetail, OnuQuery,
    UnconfiguredView, command,
};
use leptos::prelude::*;
use serde::Serialize;

use super::{OnuStatePill, Rx, when};
use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Errors, FieldError, FormError, Icon, Loading, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct ScopeArgs {
    scope: OltScope,
}

#[derive(Serialize)]
struct TargetArgs {
    target: AuthorizeTarget,
}

#[derive(Serialize)]
struct FormArgs {
    form: AuthorizeForm,
}

#[derive(Serialize)]
struct QueryArgs {
    query: OnuQuery,
}

/// The unconfigured ONUs of one OLT (or all), with Authorize on each.
#[component]
pub fn Unconfigured(olt: Option<i64>) -> impl IntoView {
    let console = Console::get();
    let refreshed = RwSignal::new(None::<UnconfiguredView>);
    let list = LocalResource::new(move || {
        console.olts_changed.track();
        ipc::invoke::<_, UnconfiguredView>(command::LIST_UNCONFIGURED, ScopeArgs { scope: OltScope { olt_id: olt } })
    });
    let reading = RwSignal::new(false);
    let failed = RwSignal::new(None::<ErrorDto>);
    let authorizing = RwSignal::new(None::<AuthorizeTarget>);
    let read_now = move |_| {
        reading.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, UnconfiguredView>(
                command::REFRESH_AUTOFIND,
                ScopeArgs { scope: OltScope { olt_id: olt } },
            )
            .await
            {
                Ok(view) => refreshed.set(Some(view)),
                Err(e) => failed.set(Some(e)),
            }
            reading.set(false);
        });
    };
    // The errors of the last "read now"; the rows are the stored list.
    let errors = move || refreshed.get().map(|v| v.errors).unwrap_or_default();
    view! {
        <div class="toolbar unconfigured-toolbar">
            <p class="muted small grow">
                "ONUs plugged into a port but not registered. The OLT's autofind is read at every sweep; a service waiting with the ONU's serial is registered on its own (zero-touch)."
            </p>
            <button class="secondary with-icon" id="autofind-refresh" disabled=move || reading.get() on:click=read_now>
                {Icon::Sync.view()}
                {move || if reading.get() { "Reading…" } else { "Read autofind now" }}
            </button>
        </div>
        {move || failed.get().map(|e| view! { <ErrorBox error=e /> })}
        {move || {
            let errors = errors();
            (!errors.is_empty()).then(|| view! { <div class="warn-box">{format!("Not read: {}", errors.join("; "))}</div> })
        }}
        {move || match list.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(v)) if v.rows.is_empty() => view! {
                <EmptyState
                    icon=Icon::Fiber
                    title="No unconfigured ONUs"
                    text="When a new ONU is plugged into the fibre, the OLT lists it in its autofind and it shows up here within a sweep (or at once with Read autofind now), ready to authorize by serial number. ONUs whose serial a service waits for are registered by zero-touch."
                />
            }
            .into_any(),
            Some(Ok(v)) => view! {
                <div class="card table-card">
                    <table class="table" id="unconfigured-table">
                        <thead>
                            <tr>
                                <th>"Serial"</th>{olt.is_none().then(|| view! { <th>"OLT"</th> })}<th>"Port"</th><th>"Equipment"</th>
                                <th>"Found"</th><th>"Waiting service"</th><th></th>
                            </tr>
                        </thead>
                        <tbody>
                            {v.rows.into_iter().map(|r| view! { <UnconfiguredRow row=r all=olt.is_none() authorizing=authorizing /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any(),
        }}
        {move || authorizing.get().map(|target| view! { <AuthorizeDialog target=target authorizing=authorizing /> })}
    }
}

#[component]
fn UnconfiguredRow(row: AutofindDto, all: bool, authorizing: RwSignal<Option<AuthorizeTarget>>) -> impl IntoView {
    let console = Console::get();
    let target = AuthorizeTarget { olt_id: row.olt_id, port: row.port.clone(), serial: row.serial.clone() };
    let found = if row.found_at.is_empty() { row.seen_at.clone() } else { row.found_at.clone() };
    let service = row.service_id.map(|sid| {
        let label = row.service_label.clone();
        view! { <button class="link" on:click=move |_| console.open(Page::Service(sid))>{label}</button> }
    });
    let ztp = match row.ztp_status.as_str() {
        "failed" => Some(view! { <div class="cell-error" title=row.ztp_error.clone()>{format!("Zero-touch gave up: {}", row.ztp_error)}</div> }.into_any()),
        "retrying" => Some(view! { <div class="muted small" title=row.ztp_error.clone()>"Zero-touch retrying"</div> }.into_any()),
        _ => None,
    };
    let olt_id = row.olt_id;
    view! {
        <tr class="unconfigured-row" data-serial=row.serial.clone()>
            <td class="mono strong">{row.serial.clone()}</td>
            {all.then(|| view! { <td><button class="link router-link" on:click=move |_| console.open(Page::Olt(olt_id))>{row.olt_name.clone()}</button></td> })}
            <td class="mono">{row.port.clone()}</td>
            <td>{if row.equipment.is_empty() { "—".to_owned() } else { row.equipment.clone() }}</td>
            <td class="small">{when(&found)}</td>
            <td>{service.map(IntoAny::into_any).unwrap_or_else(|| view! { <span class="muted">"None"</span> }.into_any())}{ztp}</td>
            <td class="row-actions">
                <button class="primary small-button authorize-button" id=format!("authorize-{}", row.serial)
                    on:click=move |_| authorizing.set(Some(target.clone()))>"Authorize"</button>
            </td>
        </tr>
    }
}

/// Where the dialog is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Editing,
    Registering,
    Done(AuthorizedOnu),
}

#[component]
fn AuthorizeDialog(target: AuthorizeTarget, authorizing: RwSignal<Option<AuthorizeTarget>>) -> impl IntoView {
    let draft = LocalResource::new({
        let target = target.clone();
        move || ipc::invoke::<_, AuthorizeDraft>(command::AUTHORIZE_DRAFT, TargetArgs { target: target.clone() })
    });
    let close = move || authorizing.set(None);
    view! {
        <div class="modal-backdrop">
            <div class="modal wide-modal" role="dialog" id="authorize-dialog" aria-labelledby="authorize-title">
                <h2 id="authorize-title">{format!("Authorize {}", target.serial)}</h2>
                {move || match draft.get() {
                    None => Loading().into_any(),
                    Some(Err(e)) => view! {
                        <ErrorBox error=e />
                        <div class="form-actions"><button class="secondary" on:click=move |_| close()>"Close"</button></div>
                    }
                    .into_any(),
                    Some(Ok(d)) => view! { <AuthorizeFields draft=d authorizing=authorizing /> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn AuthorizeFields(draft: AuthorizeDraft, authorizing: RwSignal<Option<AuthorizeTarget>>) -> impl IntoView {
    let console = Console::get();
    let form = RwSignal::new(AuthorizeForm {
        olt_id: draft.olt_id,
        port: draft.port.clone(),
        serial: draft.serial.clone(),
        service_id: draft.service_id,
        line: draft.line.clone(),
        service_profile: draft.service_profile.clone(),
        vlan: draft.vlan.clone(),
        description: draft.description.clone(),
    });
    let errors: Errors = RwSignal::new(Vec::new());
    let step = RwSignal::new(Step::Editing);
    let field = move |name: &'static str, get: fn(&AuthorizeForm) -> &String, set: fn(&mut AuthorizeForm, String)| {
        (
            move || form.with(|f| get(f).clone()),
            move |ev: leptos::ev::Event| {
                clear_error(errors, name);
                form.update(|f| set(f, event_target_value(&ev)));
            },
        )
    };
    let (line, set_line) = field("line", |f| &f.line, |f, v| f.line = v);
    let (service_profile, set_service_profile) =
        field("service_profile", |f| &f.service_profile, |f, v| f.service_profile = v);
    let (vlan, set_vlan) = field("vlan", |f| &f.vlan, |f, v| f.vlan = v);
    let (description, set_description) = field("description", |f| &f.description, |f, v| f.description = v);

    // Choosing a service takes its plan's profile, its VLAN and its description.
    let plans = draft.plans.clone();
    let services = draft.services.clone();
    let choose_service = {
        let (plans, services) = (plans.clone(), services.clone());
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            let chosen = value.parse::<i64>().ok().and_then(|id| services.iter().find(|s| s.id == id)).cloned();
            form.update(|f| {
                f.service_id = chosen.as_ref().map(|s| s.id);
                if let Some(s) = &chosen {
                    if let Some(p) = plans.iter().find(|p| p.plan_id == s.plan_id) {
                        f.line = p.line.clone();
                        f.service_profile = p.service.clone();
                        f.vlan = p.vlan.map(|v| v.to_string()).unwrap_or_default();
                    }
                    if let Some(v) = s.vlan {
                        f.vlan = v.to_string();
                    }
                    f.description = s.description.clone();
                }
            });
        }
    };
    let choose_plan = {
        let plans = plans.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            if let Some(p) = value.parse::<i64>().ok().and_then(|id| plans.iter().find(|p| p.plan_id == id)) {
                form.update(|f| {
                    f.line = p.line.clone();
                    f.service_profile = p.service.clone();
                    f.vlan = p.vlan.map(|v| v.to_string()).unwrap_or_default();
                });
            }
        }
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        step.set(Step::Registering);
        let value = form.get();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, AuthorizedOnu>(command::AUTHORIZE_ONU, FormArgs { form: value }).await {
                Ok(done) => {
                    step.set(Step::Done(done));
                    console.olts_changed.update(|n| *n += 1);
                }
                Err(e) => {
                    errors.set(vec![e]);
                    step.set(Step::Editing);
                }
            }
        });
    };
    let close = move || authorizing.set(None);
    let editing = move || step.get() == Step::Editing;
    let vendor_hint = match draft.vendor.as_str() {
        "huawei" => {
            "Huawei: the ONT line and service profiles (a number is a profile id); with a VLAN a service port is made on GEM port 1."
        }
        "vsol" => "VSOL: the line and service profiles; the ONU profile is the equipment autofind reported.",
        _ => "ZTE: the T-CONT profile, and the ONU type (empty: what autofind reported).",
    };
    view! {
        <dl class="facts compact authorize-facts">
            <dt>"OLT"</dt><dd>{draft.olt_name.clone()}</dd>
            <dt>"Port"</dt><dd class="mono">{draft.port.clone()}</dd>
            <dt>"Equipment"</dt><dd>{if draft.equipment.is_empty() { "—".to_owned() } else { draft.equipment.clone() }}</dd>
        </dl>
        <p class="muted small" id="authorize-source">{format!("Filled from {}.", draft.source)}</p>
        <form class="authorize-form" id="authorize-form" novalidate=true on:submit=confirm>
            <fieldset disabled=move || !editing()>
                <div class="grid-2">
                    <label class="field"><span class="field-label">"Service"</span>
                        <select id="authorize-service" on:change=choose_service
                            prop:value=move || form.with(|f| f.service_id.map(|s| s.to_string()).unwrap_or_default())>
                            <option value="">"No service"</option>
                            {services.iter().map(|s| view! { <option value=s.id.to_string()>{s.label.clone()}</option> }).collect_view()}
                        </select></label>
                    <label class="field"><span class="field-label">"Fill the profiles from a plan"</span>
                        <select id="authorize-plan" on:change=choose_plan prop:value=draft.plan_id.map(|p| p.to_string()).unwrap_or_default()>
                            <option value="">{if plans.is_empty() { "No plan has an OLT profile" } else { "Choose a plan…" }}</option>
                            {plans.iter().map(|p| view! { <option value=p.plan_id.to_string()>{p.plan_name.clone()}</option> }).collect_view()}
                        </select></label>
                    <label class="field"><span class="field-label">{draft.line_label.clone()}</span>
                        <input id="authorize-line" type="text" class:invalid=has_error(errors, "line") prop:value=line on:input=set_line />
                        <FieldError errors=errors field="line" /></label>
                    <label class="field"><span class="field-label">{draft.service_profile_label.clone()}</span>
                        <input id="authorize-service-profile" type="text" class:invalid=has_error(errors, "service_profile") prop:value=service_profile on:input=set_service_profile />
                        <FieldError errors=errors field="service_profile" /></label>
                    <label class="field"><span class="field-label">"VLAN"</span>
                        <input id="authorize-vlan" type="text" inputmode="numeric" placeholder="none" class:invalid=has_error(errors, "vlan") prop:value=vlan on:input=set_vlan />
                        <FieldError errors=errors field="vlan" /></label>
                    <label class="field"><span class="field-label">"Description"</span>
                        <input id="authorize-description" type="text" placeholder="optional" class:invalid=has_error(errors, "description") prop:value=description on:input=set_description />
                        <FieldError errors=errors field="description" /></label>
                </div>
                <p class="muted small">{vendor_hint}</p>
            </fieldset>
            <FormError errors=errors />
            {move || match step.get() {
                Step::Editing => view! {
                    <div class="form-actions">
                        <button type="submit" class="primary" id="authorize-confirm">"Confirm"</button>
                        <button type="button" class="secondary" on:click=move |_| close()>"Cancel"</button>
                    </div>
                }
                .into_any(),
                Step::Registering => view! {
                    <div class="progress-line" id="authorize-progress" aria-busy="true">
                        <span class="spinner"></span>
                        <span>"Registering on the OLT…"</span>
                    </div>
                }
                .into_any(),
                Step::Done(done) => view! { <Registered done=done authorizing=authorizing /> }.into_any(),
            }}
        </form>
    }
}

/// After the registration: the ONU's state as it comes online.
#[component]
fn Registered(done: AuthorizedOnu, authorizing: RwSignal<Option<AuthorizeTarget>>) -> impl IntoView {
    let console = Console::get();
    let onu_id = done.onu_id;
    let detail = LocalResource::new(move || {
        console.olts_changed.track();
        async move {
            match onu_id {
                Some(id) => {
                    ipc::invoke::<_, OnuDetail>(command::GET_ONU, QueryArgs { query: OnuQuery { id, days: 1 } })
                        .await
                        .ok()
                }
                None => None,
            }
        }
    });
    view! {
        <div class="ok-box" id="authorize-result">{done.text.clone()}</div>
        {move || detail.get().flatten().map(|d| {
            let online = d.onu.state == "online";
            view! {
                <div class="progress-line" id="authorize-state" data-state=d.onu.state.clone()>
                    {(!online).then(|| view! { <span class="spinner"></span> })}
                    <OnuStatePill state=d.onu.state.clone() />
                    {if online {
                        view! { <span>"Rx "<Rx value=d.onu.onu_rx band=d.onu.rx_band.clone() />" dBm"</span> }.into_any()
                    } else {
                        view! { <span class="muted">"Waiting for it to come online…"</span> }.into_any()
                    }}
                </div>
            }
        })}
        <div class="form-actions">
            {onu_id.map(|id| view! {
                <button type="button" class="primary" id="authorize-open" on:click=move |_| {
                    authorizing.set(None);
                    console.open(Page::Onu(id));
                }>"Open the ONU"</button>
            })}
            <button type="button" class="secondary" id="authorize-close" on:click=move |_| authorizing.set(None)>"Close"</button>
        </div>
    }
}

//! The OLT form (add and edit; the password goes to the keyring and is
//! never shown again) and the dialog that pins an OLT's new host key.

use headend_ipc::olt::{OltForm, OltRow, PinKey, command};
use leptos::prelude::*;
use serde::Serialize;

use super::Notice;
use crate::app::Console;
use crate::components::{Errors, FieldError, FormError, PopField, clear_error, has_error};
use crate::ipc;
use crate::location::LocationPicker;

#[derive(Serialize)]
struct FormArgs {
    form: OltForm,
}

#[derive(Serialize)]
struct PinArgs {
    pin: PinKey,
}

pub fn blank() -> OltForm {
    OltForm { vendor: "huawei".into(), ..OltForm::default() }
}

pub fn edit(o: &OltRow) -> OltForm {
    OltForm {
        id: Some(o.id),
        name: o.name.clone(),
        vendor: o.vendor.clone(),
        host: o.host.clone(),
        port: o.port.to_string(),
        username: o.username.clone(),
        password: String::new(),
        location: o.location.clone(),
        pop: o.pop.clone(),
    }
}

#[component]
pub fn OltEditor(initial: OltForm, form: RwSignal<Option<OltForm>>, notice: Notice) -> impl IntoView {
    let console = Console::get();
    let editing = initial.id.is_some();
    let draft = RwSignal::new(initial);
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let field = move |name: &'static str, get: fn(&OltForm) -> &String, set: fn(&mut OltForm, String)| {
        (
            move || draft.with(|d| get(d).clone()),
            move |ev: leptos::ev::Event| {
                clear_error(errors, name);
                draft.update(|d| set(d, event_target_value(&ev)));
            },
        )
    };
    let (name, set_name) = field("name", |d| &d.name, |d, v| d.name = v);
    let (vendor, set_vendor) = field("vendor", |d| &d.vendor, |d, v| d.vendor = v);
    let (host, set_host) = field("host", |d| &d.host, |d, v| d.host = v);
    let (port, set_port) = field("port", |d| &d.port, |d, v| d.port = v);
    let (user, set_user) = field("username", |d| &d.username, |d, v| d.username = v);
    let (password, set_password) = field("password", |d| &d.password, |d, v| d.password = v);
    let (location, set_location) = field("location", |d| &d.location, |d, v| d.location = v);
    let pop = move || draft.with(|d| d.pop.clone());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        errors.set(Vec::new());
        let value = draft.get();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, i64>(command::SAVE_OLT, FormArgs { form: value.clone() }).await {
                Ok(_) => {
                    form.set(None);
                    notice.set(Some(Ok(format!(
                        "{} saved: connecting and reading its ONUs. The SSH host key is pinned on the first connection.",
                        value.name.trim()
                    ))));
                    console.olts_changed.update(|n| *n += 1);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    view! {
        <form class="card form router-form" id="olt-form" novalidate=true on:submit=save>
            <h2>{if editing { "Edit OLT" } else { "Add an OLT" }}</h2>
            <div class="grid-2">
                <label class="field"><span class="field-label">"Name"</span>
                    <input id="olt-name" type="text" placeholder="olt-north" class:invalid=has_error(errors, "name") prop:value=name on:input=set_name />
                    <FieldError errors=errors field="name" /></label>
                <label class="field"><span class="field-label">"Vendor"</span>
                    <select id="olt-vendor" prop:value=vendor on:change=set_vendor>
                        <option value="huawei">"Huawei MA5600T / MA5800"</option>
                        <option value="zte">"ZTE C300 / C320"</option>
                        <option value="zte-c600">"ZTE C600 / C620 / C650"</option>
                        <option value="vsol">"VSOL V1600G"</option>
                    </select>
                    <FieldError errors=errors field="vendor" /></label>
                <label class="field"><span class="field-label">"Address"</span>
                    <input id="olt-host" type="text" placeholder="10.0.0.2 or olt-north.example.net" class:invalid=has_error(errors, "host") prop:value=host on:input=set_host />
                    <FieldError errors=errors field="host" /></label>
                <label class="field"><span class="field-label">"SSH port"</span>
                    <input id="olt-port" type="text" inputmode="numeric" placeholder="22" class:invalid=has_error(errors, "port") prop:value=port on:input=set_port />
                    <FieldError errors=errors field="port" /></label>
                <label class="field"><span class="field-label">"User"</span>
                    <input id="olt-user" type="text" placeholder="headend" class:invalid=has_error(errors, "username") prop:value=user on:input=set_user />
                    <FieldError errors=errors field="username" /></label>
                <label class="field"><span class="field-label">"Password"</span>
                    <input id="olt-password" type="password" autocomplete="off" class:invalid=has_error(errors, "password")
                        placeholder=if editing { "unchanged" } else { "" } prop:value=password on:input=set_password />
                    <FieldError errors=errors field="password" />
                    <span class="field-help">"Kept in this computer's keyring, never in Headend's database, and never shown again."</span></label>
                <div class="field"><label class="field-label" for="olt-location">"Location"</label>
                    <input id="olt-location" type="text" placeholder="-1.2921,36.8219" class:invalid=has_error(errors, "location")
                        prop:value=location on:input=set_location />
                    <span class="field-help">"Latitude,longitude, or a pasted Google Maps or OpenStreetMap link: puts the OLT on the map."</span>
                    <LocationPicker field="olt-location" value=Signal::derive(location)
                        set=move |v: String| { draft.update(|d| d.location = v); clear_error(errors, "location"); } />
                    <FieldError errors=errors field="location" /></div>
                <PopField id="olt-pop" value=Signal::derive(pop) set=move |v: String| draft.update(|d| d.pop = v) />
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="olt-save" disabled=move || saving.get()>{if editing { "Save" } else { "Add and connect" }}</button>
                <button type="button" class="secondary" id="olt-cancel" on:click=move |_| form.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

/// Shows the pinned and the presented host key; pinning trusts the new one.
#[component]
pub fn PinKeyDialog(row: OltRow, pin: RwSignal<Option<OltRow>>, notice: Notice) -> impl IntoView {
    let console = Console::get();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let (id, name, presented) = (row.id, row.name.clone(), row.presented_key.clone());
    let confirm = move |_| {
        busy.set(true);
        let (name, presented) = (name.clone(), presented.clone());
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(command::PIN_OLT_KEY, PinArgs { pin: PinKey { id, presented } }).await {
                Ok(()) => {
                    pin.set(None);
                    notice.set(Some(Ok(format!("{name}: the new host key is pinned; connecting again."))));
                    console.olts_changed.update(|n| *n += 1);
                }
                Err(e) => failed.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal wide-modal" role="dialog" id="pin-key">
                <h2>{format!("{}: SSH host key changed", row.name)}</h2>
                <p class="muted">"Headend stopped connecting to this OLT because it presents a host key other than the one pinned. Pin the new key only if you know why it changed (its control board was replaced or re-keyed); otherwise someone may be intercepting the connection."</p>
                <dl class="facts key-facts">
                    <dt>"Pinned"</dt><dd class="mono selectable" id="pinned-key">{if row.pinned_key.is_empty() { "none".to_owned() } else { row.pinned_key.clone() }}</dd>
                    <dt>"Presented now"</dt><dd class="mono selectable" id="presented-key">{row.presented_key.clone()}</dd>
                </dl>
                {move || failed.get().map(|m| view! { <div class="error-box">{m}</div> })}
                <div class="form-actions">
                    <button class="danger-button" id="pin-key-confirm" disabled=move || busy.get() on:click=confirm>"Pin the new key"</button>
                    <button class="secondary" on:click=move |_| pin.set(None)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}

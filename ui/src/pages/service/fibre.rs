//! A service's Fibre card: the serial of the ONU a technician will
//! install, so the app (or `headend agent`) registers it the moment it
//! shows up in an OLT's autofind, and a VLAN instead of the plan's; with
//! the ONU linked to the service now and the ones it had before, with
//! their signal. Errors at "serial" and "vlan".

use headend_ipc::olt::{ServiceOnuDto, ZeroTouchDto, ZeroTouchForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, clear_error, has_error};
use crate::{format, ipc};

#[derive(Serialize)]
struct IdArgs {
    id: i64,
}

#[derive(Serialize)]
struct FormArgs {
    form: ZeroTouchForm,
}

#[component]
pub fn FibreCard(id: i64) -> impl IntoView {
    let current = LocalResource::new(move || ipc::invoke::<_, ZeroTouchDto>(command::GET_ZERO_TOUCH, IdArgs { id }));
    move || match current.get() {
        Some(Ok(dto)) => view! { <FibreForm initial=dto /> }.into_any(),
        _ => ().into_any(),
    }
}

#[component]
fn FibreForm(initial: ZeroTouchDto) -> impl IntoView {
    let id = initial.service_id;
    let serial = RwSignal::new(initial.serial.clone());
    let vlan = RwSignal::new(initial.vlan.map(|v| v.to_string()).unwrap_or_default());
    let onu = RwSignal::new(initial.onu);
    let errors: Errors = RwSignal::new(Vec::new());
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        let form = ZeroTouchForm { service_id: id, serial: serial.get_untracked(), vlan: vlan.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ZeroTouchDto>(command::SET_ZERO_TOUCH, FormArgs { form }).await {
                Ok(d) => {
                    serial.set(d.serial);
                    vlan.set(d.vlan.map(|v| v.to_string()).unwrap_or_default());
                    onu.set(d.onu);
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    view! {
        <form class="card form" id="service-fibre" novalidate=true on:submit=save>
            <div class="panel-head"><h2>"Fibre"</h2>
                <span class="muted small">{move || if onu.with(String::is_empty) { "No ONU linked yet".to_owned() } else { format!("ONU {}", onu.get()) }}</span></div>
            <div class="grid-2">
                <label class="field"><span class="field-label">"ONU serial (zero-touch)"</span>
                    <input id="fibre-serial" type="text" placeholder="HWTC0B086EA9" class:invalid=has_error(errors, "serial")
                        prop:value=move || serial.get() on:input=move |ev| { serial.set(event_target_value(&ev)); saved.set(false); clear_error(errors, "serial"); } />
                    <span class="field-help">"The serial on the ONU the technician installs: it is registered with the plan's OLT profile as soon as an OLT sees it. Empty: none."</span>
                    <FieldError errors=errors field="serial" /></label>
                <label class="field"><span class="field-label">"VLAN"</span>
                    <input id="fibre-vlan" type="text" inputmode="numeric" placeholder="the plan's" class:invalid=has_error(errors, "vlan")
                        prop:value=move || vlan.get() on:input=move |ev| { vlan.set(event_target_value(&ev)); saved.set(false); clear_error(errors, "vlan"); } />
                    <span class="field-help">"Only to override the plan's VLAN for this customer."</span>
                    <FieldError errors=errors field="vlan" /></label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="fibre-save">"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="fibre-saved">"Saved."</span></Show>
            </div>
            <OnuHistory history=initial.history />
        </form>
    }
}

/// The ONUs the service had, the current one last: a replaced ONU's
/// signal stays with the customer.
#[component]
fn OnuHistory(history: Vec<ServiceOnuDto>) -> impl IntoView {
    if history.is_empty() {
        return ().into_any();
    }
    let dbm = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".to_owned());
    let day = |at: &str| if at.is_empty() { "—".to_owned() } else { format::local_time(at) };
    view! {
        <table class="table fibre-history" id="fibre-history">
            <thead><tr>
                <th>"ONU"</th><th>"Served"</th><th class="num">"Lowest dBm"</th><th class="num">"Mean"</th><th class="num">"Highest"</th>
            </tr></thead>
            <tbody>
                {history.into_iter().map(|h| view! {
                    <tr class="fibre-onu" data-serial=h.serial.clone()>
                        <td class="mono">{h.serial.clone()}" "{if h.current { "(now)" } else { "(before)" }}</td>
                        <td class="muted">{format!("{} – {}", day(&h.first), day(&h.last))}</td>
                        <td class="mono num">{dbm(h.rx_low)}</td>
                        <td class="mono num">{dbm(h.rx_mean)}</td>
                        <td class="mono num">{dbm(h.rx_high)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

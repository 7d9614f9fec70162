//! A router's own suspension mode on its page: what suspending a service
//! does on this router, or the ISP's rule (Settings → Payments and
//! cut-off). The CLI's `policy router NAME MODE`.

use headend_ipc::ErrorDto;
use headend_ipc::policy::{RouterSuspensionDto, RouterSuspensionForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{ErrorBox, FormError, SUSPENSION_MODES, suspension_label};
use crate::ipc;

#[derive(Serialize)]
struct IdArgs {
    id: i64,
}

#[derive(Serialize)]
struct FormArgs {
    form: RouterSuspensionForm,
}

#[component]
pub fn SuspensionCard(id: i64) -> impl IntoView {
    let loaded = LocalResource::new(move || {
        ipc::invoke::<_, RouterSuspensionDto>(command::GET_ROUTER_SUSPENSION, IdArgs { id })
    });
    move || match loaded.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(v)) => view! { <SuspensionForm initial=v /> }.into_any(),
    }
}

#[component]
fn SuspensionForm(initial: RouterSuspensionDto) -> impl IntoView {
    let current = RwSignal::new(initial);
    let mode = RwSignal::new(current.with_untracked(|c| c.mode.clone()));
    let errors = RwSignal::new(Vec::<ErrorDto>::new());
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        let form = RouterSuspensionForm { id: current.with_untracked(|c| c.id), mode: mode.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, RouterSuspensionDto>(command::SET_ROUTER_SUSPENSION, FormArgs { form }).await {
                Ok(v) => {
                    mode.set(v.mode.clone());
                    current.set(v);
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    view! {
        <form class="card form wide-form" id="router-suspension" novalidate=true on:submit=save>
            <h2>"When a service is suspended"</h2>
            <div class="grid-2">
            <label class="field"><span class="field-label">"On this router"</span>
                <select id="router-suspension-mode" prop:value=move || mode.get()
                    on:change=move |ev| { mode.set(event_target_value(&ev)); saved.set(false); }>
                    <option value="">{move || format!("The ISP's rule: {}", suspension_label(&current.with(|c| c.isp_mode.clone())))}</option>
                    {SUSPENSION_MODES.into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
                </select>
                <span class="field-help">"A redirect keeps the session, in the headend-suspended address-list the router's firewall sends to a payment page."</span>
            </label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="router-suspension-save">"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="router-suspension-saved">"Saved: the router is swept now."</span></Show>
            </div>
        </form>
    }
}

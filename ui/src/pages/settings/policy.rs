//! Settings → Payments and cut-off: the ISP's provisioning rules. When a
//! day ends (the time zone), how many days past due a service stays on,
//! what a suspension does on the routers, queues for static-IP services,
//! and how often a failing router write is tried. Errors sit next to their
//! field ("time_zone", "grace_days", "suspension", "max_attempts").

use headend_ipc::policy::{PolicyDto, PolicyForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, SUSPENSION_MODES, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct FormArgs {
    form: PolicyForm,
}

fn form_of(p: &PolicyDto) -> PolicyForm {
    PolicyForm {
        time_zone: p.time_zone.clone(),
        grace_days: p.grace_days.to_string(),
        suspension: p.suspension.clone(),
        static_queues: p.static_queues,
        max_attempts: p.max_attempts.to_string(),
    }
}

#[component]
pub fn Policy(initial: PolicyDto) -> impl IntoView {
    let draft = RwSignal::new(form_of(&initial));
    let zones = initial.time_zones.clone();
    let (max_grace, min_attempts, max_attempts) =
        (initial.max_grace_days, initial.min_attempts, initial.max_attempts_allowed);
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        saving.set(true);
        let form = draft.get_untracked();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, PolicyDto>(command::SAVE_POLICY, FormArgs { form }).await {
                Ok(p) => {
                    draft.set(form_of(&p));
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    let text = move |field: &'static str, get: fn(&PolicyForm) -> &String, set: fn(&mut PolicyForm, String)| {
        (
            move || draft.with(|d| get(d).clone()),
            move |ev: leptos::ev::Event| {
                draft.update(|d| set(d, event_target_value(&ev)));
                saved.set(false);
                clear_error(errors, field);
            },
        )
    };
    let (zone, set_zone) = text("time_zone", |d| &d.time_zone, |d, v| d.time_zone = v);
    let (grace, set_grace) = text("grace_days", |d| &d.grace_days, |d, v| d.grace_days = v);
    let (suspension, set_suspension) = text("suspension", |d| &d.suspension, |d, v| d.suspension = v);
    let (attempts, set_attempts) = text("max_attempts", |d| &d.max_attempts, |d, v| d.max_attempts = v);

    view! {
        <form class="card form" id="policy" novalidate=true on:submit=save>
            <h2>"Payments and cut-off"</h2>
            <p class="muted small">
                "The rules every router follows. A change is swept to every router at once."
            </p>
            <div class="grid-2">
                <label class="field">
                    <span class="field-label">"Time zone"</span>
                    <input id="policy-time-zone" type="text" list="policy-time-zones" autocomplete="off"
                        class:invalid=has_error(errors, "time_zone") prop:value=zone on:input=set_zone />
                    <datalist id="policy-time-zones">
                        {zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
                    </datalist>
                    <span class="field-help">"Where a day ends: a service due on the 5th is cut at midnight after its grace, here."</span>
                    <FieldError errors=errors field="time_zone" />
                </label>
                <label class="field">
                    <span class="field-label">"Grace"</span>
                    <span class="field-input">
                        <input id="policy-grace-days" type="number" min="0" max=max_grace
                            class:invalid=has_error(errors, "grace_days") prop:value=grace on:input=set_grace />
                        <span class="unit">"days"</span>
                    </span>
                    <span class="field-help">"Days past the due date before a service is cut off; a service may have its own."</span>
                    <FieldError errors=errors field="grace_days" />
                </label>
                <label class="field">
                    <span class="field-label">"A suspension"</span>
                    <select id="policy-suspension" prop:value=suspension on:change=set_suspension
                        class:invalid=has_error(errors, "suspension")>
                        {SUSPENSION_MODES.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                    </select>
                    <span class="field-help">"A redirect keeps the session, in the headend-suspended address-list your firewall sends to a payment page. Every router's, unless a router has its own."</span>
                    <FieldError errors=errors field="suspension" />
                </label>
                <label class="field">
                    <span class="field-label">"Attempts"</span>
                    <span class="field-input">
                        <input id="policy-max-attempts" type="number" min=min_attempts max=max_attempts
                            class:invalid=has_error(errors, "max_attempts") prop:value=attempts on:input=set_attempts />
                        <span class="unit">"tries"</span>
                    </span>
                    <span class="field-help">"A router write that keeps failing then waits in Provisioning for a retry."</span>
                    <FieldError errors=errors field="max_attempts" />
                </label>
            </div>
            <label class="field field-inline">
                <input id="policy-static-queues" type="checkbox" prop:checked=move || draft.with(|d| d.static_queues)
                    on:change=move |ev| { draft.update(|d| d.static_queues = event_target_checked(&ev)); saved.set(false); } />
                <span>
                    <span class="field-label">"Queues for static-IP services"</span>
                    <span class="field-help">"A simple queue at the plan's rate for each static-IP customer."</span>
                </span>
            </label>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="policy-save" prop:disabled=move || saving.get()>"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="policy-saved">"Saved: every router is swept now."</span></Show>
            </div>
        </form>
    }
}

//! A plan's OLT profile, on its form: what the OLTs register its
//! subscribers' ONUs with (line and service profiles, or ZTE's T-CONT
//! profile and ONU type, and the subscriber VLAN). Saved on its own, for a
//! plan that exists. Errors at "vlan".

use headend_ipc::olt::{PlanOltProfileDto, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct IdArgs {
    id: i64,
}

#[derive(Serialize)]
struct ProfileArgs {
    profile: PlanOltProfileDto,
}

#[component]
pub fn PlanOltProfile(plan: i64) -> impl IntoView {
    let current = LocalResource::new(move || {
        ipc::invoke::<_, PlanOltProfileDto>(command::GET_PLAN_OLT_PROFILE, IdArgs { id: plan })
    });
    move || match current.get() {
        Some(Ok(p)) => view! { <ProfileFields initial=p /> }.into_any(),
        _ => ().into_any(),
    }
}

#[component]
fn ProfileFields(initial: PlanOltProfileDto) -> impl IntoView {
    let draft = RwSignal::new(initial);
    let errors: Errors = RwSignal::new(Vec::new());
    let saved = RwSignal::new(false);
    let save = move |_| {
        errors.set(Vec::new());
        saved.set(false);
        let profile = draft.get_untracked();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, PlanOltProfileDto>(command::SET_PLAN_OLT_PROFILE, ProfileArgs { profile }).await {
                Ok(p) => {
                    draft.set(p);
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let input = move |id: &'static str,
                      get: fn(&PlanOltProfileDto) -> &String,
                      set: fn(&mut PlanOltProfileDto, String)| {
        view! {
            <input id=id type="text" class:invalid=move || id == "plan-olt-vlan" && has_error(errors, "vlan")()
                prop:value=move || draft.with(|d| get(d).clone())
                on:input=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); saved.set(false); clear_error(errors, "vlan"); } />
        }
    };
    view! {
        <section class="sub-form" id="plan-olt-profile">
            <h3>"On the OLTs"</h3>
            <div class="grid-3">
                <label class="field"><span class="field-label">"Line profile"</span>
                    {input("plan-olt-line", |d| &d.line, |d, v| d.line = v)}
                    <span class="field-help">"Huawei, VSOL: its id or name. ZTE: the T-CONT profile."</span></label>
                <label class="field"><span class="field-label">"Service profile"</span>
                    {input("plan-olt-service", |d| &d.service, |d, v| d.service = v)}
                    <span class="field-help">"Huawei, VSOL: its id or name. ZTE: the ONU type."</span></label>
                <label class="field"><span class="field-label">"VLAN"</span>
                    {input("plan-olt-vlan", |d| &d.vlan, |d, v| d.vlan = v)}
                    <FieldError errors=errors field="vlan" /></label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="button" class="secondary" id="plan-olt-save" on:click=save>"Save OLT profile"</button>
                <Show when=move || saved.get()><span class="saved" id="plan-olt-saved">"Saved."</span></Show>
            </div>
        </section>
    }
}

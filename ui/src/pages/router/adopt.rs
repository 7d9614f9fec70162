//! "Adopt its secrets" on a router's page: the PPP secrets a router
//! already holds become customers and services Headend manages, as
//! `headend import router-secrets` does. The wizard reads them, asks which
//! plan each unknown profile means, previews what will be adopted and
//! skipped, and adopts only when nothing stands in the way.

use headend_ipc::command;
use headend_ipc::import::{AdoptPreview, AdoptRequest};
use leptos::prelude::*;
use serde::Serialize;

use crate::app::Console;
use crate::components::ErrorBox;
use crate::ipc;

#[derive(Serialize)]
struct RequestArgs {
    request: AdoptRequest,
}

#[component]
pub fn AdoptCard(id: i64) -> impl IntoView {
    let console = Console::get();
    let preview = RwSignal::new(None::<AdoptPreview>);
    // The plan chosen for each unmapped profile, by profile.
    let choices = RwSignal::new(Vec::<(String, String)>::new());
    let error = RwSignal::new(None::<headend_ipc::ErrorDto>);
    let busy = RwSignal::new(false);
    let run = move |dry_run: bool| {
        busy.set(true);
        error.set(None);
        let plan_map: Vec<(String, String)> =
            choices.get_untracked().into_iter().filter(|(_, plan)| !plan.is_empty()).collect();
        leptos::task::spawn_local(async move {
            let request = AdoptRequest { router_id: id, plan_map, dry_run };
            match ipc::invoke::<_, AdoptPreview>(command::ADOPT_ROUTER_SECRETS, RequestArgs { request }).await {
                Ok(p) => {
                    if !dry_run {
                        console.changed();
                    }
                    let _ = preview.try_set(Some(p));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let choose = move |profile: String, plan: String| {
        choices.update(|all| {
            all.retain(|(p, _)| *p != profile);
            all.push((profile, plan));
        });
    };
    view! {
        <section class="card" id="router-adopt">
            <div class="panel-head"><h2>"Adopt its secrets"</h2>
                <span class="muted small">"Bring the PPPoE users this router already holds into Headend, as customers and services"</span></div>
            <div class="form-actions">
                <button type="button" class="secondary" id="adopt-read" disabled=move || busy.get() on:click=move |_| run(true)>
                    {move || if preview.with(Option::is_some) { "Preview again" } else { "Read its secrets" }}
                </button>
            </div>
            {move || error.get().map(|e| view! { <ErrorBox error=e /> })}
            {move || preview.get().map(|p| {
                let plans = p.plans.clone();
                let ready = p.errors.is_empty() && !p.services.is_empty() && p.adopted == 0;
                let count = p.services.len();
                view! {
                    {(!p.unmapped_profiles.is_empty()).then(|| view! {
                        <div class="adopt-map" id="adopt-map">
                            <p class="muted small">"Which plan does each of the router's profiles mean?"</p>
                            {p.unmapped_profiles.iter().enumerate().map(|(i, profile)| {
                                let profile = profile.clone();
                                let chosen = profile.clone();
                                view! {
                                    <label class="field inline"><span class="field-label mono">{profile.clone()}</span>
                                        <select id=format!("adopt-map-{i}") data-profile=profile.clone()
                                            on:change=move |ev| choose(chosen.clone(), event_target_value(&ev))>
                                            <option value="">"Choose a plan"</option>
                                            {plans.iter().map(|plan| view! { <option value=plan.clone()>{plan.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    })}
                    {(p.adopted > 0).then(|| view! {
                        <p class="saved" id="adopt-done">{format!("Adopted {} secrets: they are services now, and the router is being swept.", p.adopted)}</p>
                    })}
                    {(!p.errors.is_empty()).then(|| view! {
                        <ul class="adopt-errors error-list" id="adopt-errors">
                            {p.errors.iter().map(|(name, why)| view! { <li><span class="mono">{name.clone()}</span>": "{why.clone()}</li> }).collect_view()}
                        </ul>
                    })}
                    <table class="table" id="adopt-preview">
                        <thead><tr><th>"User"</th><th>"Customer"</th><th>"Plan"</th><th>"Status"</th><th>"Fixed address"</th></tr></thead>
                        <tbody>
                            {p.services.iter().map(|s| view! {
                                <tr><td class="mono">{s.username.clone()}</td><td>{s.customer.clone()}</td><td>{s.plan.clone()}</td>
                                    <td>{s.status.clone()}</td><td class="mono">{s.address.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(!p.skipped.is_empty()).then(|| view! {
                        <p class="muted small" id="adopt-skipped">{format!("Left alone: {}", p.skipped.iter().map(|(n, why)| format!("{n} ({why})")).collect::<Vec<_>>().join(", "))}</p>
                    })}
                    {(p.adopted == 0).then(|| view! {
                        <div class="form-actions">
                            <button type="button" class="primary" id="adopt-confirm" disabled=move || busy.get() || !ready
                                on:click=move |_| run(false)>{format!("Adopt {count} secret{}", crate::format::plural(count as u64))}</button>
                        </div>
                    })}
                }
            })}
        </section>
    }
}

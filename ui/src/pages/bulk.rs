//! The Customers list's bulk bar: what to do to the selected services
//! (suspend, activate, another plan, another router), a preview of every
//! service's line, then Apply. The CLI's `headend service bulk`.

use std::collections::BTreeSet;

use headend_ipc::bulk::{BulkReport, BulkRequest, command};
use headend_ipc::{PlanRow, RouterRow};
use leptos::prelude::*;
use serde::Serialize;

use crate::app::Console;
use crate::components::ErrorBox;
use crate::{format, ipc};

#[derive(Serialize)]
struct RequestArgs {
    request: BulkRequest,
}

#[component]
pub fn BulkBar(selected: RwSignal<BTreeSet<i64>>) -> impl IntoView {
    let console = Console::get();
    let action = RwSignal::new(String::from("suspend"));
    let target = RwSignal::new(None::<i64>);
    let report = RwSignal::new(None::<(BulkReport, bool)>);
    let error = RwSignal::new(None::<headend_ipc::ErrorDto>);
    let busy = RwSignal::new(false);
    let plans = LocalResource::new(|| ipc::call::<Vec<PlanRow>>(headend_ipc::command::LIST_PLANS));
    let routers = LocalResource::new(|| ipc::call::<Vec<RouterRow>>(headend_ipc::command::LIST_ROUTERS));
    let run = move |dry_run: bool| {
        busy.set(true);
        error.set(None);
        let request = BulkRequest {
            service_ids: selected.get_untracked().into_iter().collect(),
            action: action.get_untracked(),
            target_id: target.get_untracked(),
            dry_run,
        };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, BulkReport>(command::BULK_CHANGE, RequestArgs { request }).await {
                Ok(r) => {
                    if !dry_run {
                        console.changed();
                    }
                    let _ = report.try_set(Some((r, dry_run)));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    // A new choice needs a new preview.
    Effect::new(move |_| {
        action.track();
        target.track();
        selected.track();
        report.set(None);
    });
    let choices = move || match action.get().as_str() {
        "plan" => {
            plans.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| (p.id, p.name)).collect::<Vec<_>>()
        }
        "router" => routers
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| !r.demo)
            .map(|r| (r.id, r.name))
            .collect(),
        _ => Vec::new(),
    };
    view! {
        <Show when=move || selected.with(|s| !s.is_empty())>
            <div class="card bulk-bar" id="bulk-bar">
                <div class="row">
                    <strong id="bulk-count">{move || format!("{} selected", selected.with(BTreeSet::len))}</strong>
                    <select id="bulk-action" on:change=move |ev| { action.set(event_target_value(&ev)); target.set(None); }>
                        <option value="suspend">"Suspend"</option>
                        <option value="activate">"Activate"</option>
                        <option value="plan">"Change plan to…"</option>
                        <option value="router">"Move to router…"</option>
                    </select>
                    <Show when=move || matches!(action.get().as_str(), "plan" | "router")>
                        <select id="bulk-target" on:change=move |ev| target.set(event_target_value(&ev).parse().ok())>
                            <option value="">"Choose…"</option>
                            {move || choices().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </Show>
                    <button type="button" class="secondary" id="bulk-preview" disabled=move || busy.get() on:click=move |_| run(true)>"Preview"</button>
                    <button type="button" class="link" id="bulk-clear" on:click=move |_| selected.set(BTreeSet::new())>"Clear selection"</button>
                </div>
                {move || error.get().map(|e| view! { <ErrorBox error=e /> })}
                {move || report.get().map(|(r, dry_run)| {
                    let changes = r.lines.iter().filter(|l| l.outcome == "changes").count();
                    view! {
                        <table class="table" id="bulk-lines">
                            <thead><tr><th>"Service"</th><th>"What happens"</th></tr></thead>
                            <tbody>
                                {r.lines.iter().map(|l| view! {
                                    <tr class=format!("bulk-{}", l.outcome) data-service-id=l.service_id>
                                        <td>{l.label.clone()}</td>
                                        <td>{match l.outcome.as_str() {
                                            "changes" => l.detail.clone(),
                                            "unchanged" => "Nothing to change".to_owned(),
                                            _ => format!("Cannot: {}", l.detail),
                                        }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {if dry_run {
                            view! {
                                <div class="form-actions">
                                    <button type="button" class="primary" id="bulk-apply" disabled=move || busy.get() || changes == 0
                                        on:click=move |_| run(false)>{format!("Apply to {changes} service{}", format::plural(changes as u64))}</button>
                                </div>
                            }.into_any()
                        } else {
                            view! { <p class="saved" id="bulk-done">{format!("{} service{} changed; their routers are being swept.", r.applied, format::plural(u64::from(r.applied)))}</p> }.into_any()
                        }}
                    }
                })}
            </div>
        </Show>
    }
}

use headend_ipc::{ActivityRow, command};
use leptos::prelude::*;

use super::loaded;
use crate::app::{Console, Page};
use crate::components::{EmptyState, Icon, PageHeader};

#[component]
pub fn Activity() -> impl IntoView {
    let console = Console::get();
    // Reload when a failure is raised or dismissed: it is logged too.
    let log = LocalResource::new(move || {
        console.failures.track();
        crate::ipc::call::<Vec<ActivityRow>>(command::LIST_ACTIVITY)
    });
    view! {
        <PageHeader title="Activity" subtitle="Everything Headend and its operators did, newest first." />
        <FailedActions />
        {loaded(log, |log: Vec<ActivityRow>| {
            if log.is_empty() {
                view! {
                    <EmptyState
                        icon=Icon::List
                        title="Nothing has happened yet"
                        text="Every change Headend makes, to a router, a customer or a service, is recorded here with who made it and why."
                    />
                }
                .into_any()
            } else {
                view! {
                    <div class="card table-card">
                        <table class="table" id="activity-table">
                            <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Action"</th><th>"Detail"</th></tr></thead>
                            <tbody>
                                {log
                                    .into_iter()
                                    .map(|e| view! {
                                        <tr>
                                            <td class="mono nowrap">{local_time(&e.at)}</td>
                                            <td>{e.actor}</td>
                                            <td class="mono">{e.subject}</td>
                                            <td class="strong">{e.action}</td>
                                            <td>{e.detail}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })}
    }
}

/// An RFC 3339 instant in the operator's local time, `YYYY-MM-DD HH:MM:SS`.
fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&rfc3339.into());
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// The provisioning failures waiting for the operator, each opening its service.
#[component]
fn FailedActions() -> impl IntoView {
    let console = Console::get();
    view! {
        <Show when=move || console.failures.with(|f| !f.is_empty())>
            <section class="card failures-card" id="failures-card">
                <h2>"Failed provisioning actions"</h2>
                <ul class="failure-list">
                    {move || console
                        .failures
                        .get()
                        .into_iter()
                        .map(|f| {
                            let id = f.service_id;
                            view! {
                                <li>
                                    <button class="failure-item" data-service-id=id on:click=move |_| console.open(Page::Service(id))>
                                        <span class="failure-title">{f.service_label}</span>
                                        <span class="failure-meta">{format!("on {}", f.router_name)}</span>
                                        <span class="failure-error">{f.error}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        </Show>
    }
}

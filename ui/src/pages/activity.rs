//! The activity log: everything Headend and its operators did, newest
//! first, filtered by what it was about, who did it and its words, a page
//! at a time.

use headend_ipc::{ActivityPage, ActivityQueryDto, ActivityRow, ErrorDto, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Icon, Loading, PageHeader};
use crate::format;
use crate::ipc;

const SEARCH_DELAY_MS: u64 = 250;

#[derive(Serialize)]
struct QueryArgs {
    query: ActivityQueryDto,
}

#[component]
pub fn Activity() -> impl IntoView {
    let console = Console::get();
    let subject_typed = RwSignal::new(String::new());
    let search_typed = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let rows = RwSignal::new(None::<Vec<ActivityRow>>);
    let more = RwSignal::new(false);
    let error = RwSignal::new(None::<ErrorDto>);
    let loading_more = RwSignal::new(false);
    // Answers to an older query are dropped.
    let generation = StoredValue::new(0_u64);
    let pending = StoredValue::new(None::<TimeoutHandle>);

    let query = move |before_id: Option<i64>| ActivityQueryDto {
        subject: subject.get_untracked(),
        actor: actor.get_untracked(),
        search: search.get_untracked(),
        before_id,
    };
    Effect::new(move |_| {
        subject.track();
        search.track();
        actor.track();
        console.provisioning_changed.track();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let q = query(None);
        leptos::task::spawn_local(async move {
            let page = ipc::invoke::<_, ActivityPage>(command::LIST_ACTIVITY, QueryArgs { query: q }).await;
            if generation.get_value() != mine {
                return;
            }
            match page {
                Ok(p) => {
                    more.set(p.more);
                    rows.set(Some(p.rows));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let load_more = move |_| {
        let Some(last) = rows.with_untracked(|r| r.as_ref().and_then(|r| r.last().map(|e| e.id))) else { return };
        loading_more.set(true);
        let mine = generation.get_value();
        let q = query(Some(last));
        leptos::task::spawn_local(async move {
            let page = ipc::invoke::<_, ActivityPage>(command::LIST_ACTIVITY, QueryArgs { query: q }).await;
            loading_more.set(false);
            if generation.get_value() != mine {
                return;
            }
            match page {
                Ok(p) => {
                    more.set(p.more);
                    rows.update(|r| r.get_or_insert_with(Vec::new).extend(p.rows));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let debounced = move |typed: RwSignal<String>, applied: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            typed.set(event_target_value(&ev));
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let h = set_timeout_with_handle(
                move || applied.set(typed.get_untracked().trim().to_owned()),
                std::time::Duration::from_millis(SEARCH_DELAY_MS),
            );
            pending.set_value(h.ok());
        }
    };
    let filtered =
        move || !subject.with(String::is_empty) || !search.with(String::is_empty) || !actor.with(String::is_empty);

    view! {
        <PageHeader title="Activity" subtitle="Everything Headend and its operators did, newest first, with who did it and why." />
        <div class="toolbar">
            <input id="activity-search" class="search" type="search" placeholder="Search actions and details"
                prop:value=move || search_typed.get() on:input=debounced(search_typed, search) />
            <input id="activity-subject" class="subject" type="search" placeholder="Subject, e.g. service:42"
                prop:value=move || subject_typed.get() on:input=debounced(subject_typed, subject) />
            <select id="activity-actor" prop:value=move || actor.get() on:change=move |ev| actor.set(event_target_value(&ev))>
                <option value="">"Anyone"</option>
                <option value="operator">"Operator (this app)"</option>
                <option value="cli">"Command line"</option>
                <option value="engine">"Engine"</option>
            </select>
        </div>
        {move || error.get().map(|e| view! { <ErrorBox error=e /> })}
        {move || match rows.get() {
            None => Loading().into_any(),
            Some(list) if list.is_empty() && !filtered() => view! {
                <EmptyState
                    icon=Icon::List
                    title="Nothing has happened yet"
                    text="Every change Headend makes, to a router, a customer or a service, is recorded here with who made it and why."
                />
            }
            .into_any(),
            Some(list) if list.is_empty() => view! {
                <div class="card empty-inline" id="activity-none"><p class="muted">"Nothing matches these filters."</p></div>
            }
            .into_any(),
            Some(list) => view! {
                <div class="card table-card">
                    <table class="table" id="activity-table">
                        <thead><tr><th>"When"</th><th>"Who"</th><th>"About"</th><th>"Action"</th><th>"Detail"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|e| view! {
                                <tr>
                                    <td class="mono nowrap">{format::local_time(&e.at)}</td>
                                    <td>{e.actor}</td>
                                    <td class="mono nowrap"><Subject subject=e.subject filter=subject_typed applied=subject /></td>
                                    <td class="strong nowrap">{e.action}</td>
                                    <td>{e.detail}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Show when=move || more.get()>
                    <div class="pager">
                        <button class="secondary" id="activity-more" disabled=move || loading_more.get() on:click=load_more>"Load older entries"</button>
                    </div>
                </Show>
            }
            .into_any(),
        }}
    }
}

/// A subject that opens its service, or filters the log to it.
#[component]
fn Subject(subject: String, filter: RwSignal<String>, applied: RwSignal<String>) -> impl IntoView {
    let console = Console::get();
    let service = subject.strip_prefix("service:").and_then(|id| id.parse::<i64>().ok());
    let text = subject.clone();
    view! {
        <button class="link subject-link" title="Show only this"
            on:click=move |_| { filter.set(subject.clone()); applied.set(subject.clone()); }>{text}</button>
        {service.map(|id| view! {
            <button class="link small open-link" title="Open the service" on:click=move |_| console.open(Page::Service(id))>"open"</button>
        })}
    }
}

//! Customers and their services: searched, filtered and paged by the app
//! (a page is all the UI ever holds, so 100,000 services list as fast as
//! ten).

use std::collections::BTreeSet;

use headend_ipc::{RouterRow, ServiceQueryDto, ServiceRow, ServicesPageDto, command};
use leptos::prelude::*;
use serde::Serialize;

use super::fetch;
use super::import::ImportPanel;
use crate::app::{Console, Page};
use crate::components::{DueDate, EmptyState, ErrorBox, Icon, Loading, OnRouter, StatusPill};
use crate::format;
use crate::ipc;

const PAGE_SIZE: u32 = 50;
/// How long typing must pause before the search runs.
const SEARCH_DELAY_MS: u64 = 250;

pub const STATUSES: [&str; 5] = ["active", "pending", "suspended", "inactive", "terminated"];

#[derive(Serialize)]
struct QueryArgs {
    query: ServiceQueryDto,
}

#[component]
pub fn Customers() -> impl IntoView {
    let console = Console::get();
    let typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let went_off_today = RwSignal::new(console.customers_went_off_today.try_update(std::mem::take).unwrap_or(false));
    let router = RwSignal::new(None::<i64>);
    let offset = RwSignal::new(0_u32);
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let importing = RwSignal::new(false);

    let routers = fetch::<Vec<RouterRow>>(command::LIST_ROUTERS);
    let page = LocalResource::new(move || {
        console.provisioning_changed.track();
        let query = ServiceQueryDto {
            status: status.get(),
            router_id: router.get(),
            search: search.get(),
            went_off_today: went_off_today.get(),
            offset: offset.get(),
            limit: PAGE_SIZE,
        };
        ipc::invoke::<_, ServicesPageDto>(command::LIST_SERVICES, QueryArgs { query })
    });
    let filtered = move || {
        !search.with(String::is_empty)
            || !status.with(String::is_empty)
            || router.with(Option::is_some)
            || went_off_today.get()
    };

    let on_search = move |ev: leptos::ev::Event| {
        typed.set(event_target_value(&ev));
        if let Some(handle) = pending_search.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                search.set(typed.get_untracked().trim().to_owned());
                offset.set(0);
            },
            std::time::Duration::from_millis(SEARCH_DELAY_MS),
        );
        pending_search.set_value(handle.ok());
    };

    view! {
        <div class="page-header with-actions">
            <div>
                <h1 id="page-title">"Customers"</h1>
                <p class="muted">"Customers and their services: PPPoE accounts and static IPs, and whether each is on its router."</p>
            </div>
            <div class="actions">
                <button class="secondary" id="import-open" on:click=move |_| importing.set(true)>"Import CSV"</button>
                <button class="primary with-icon" id="new-service" on:click=move |_| console.open(Page::ServiceForm(None))>
                    {Icon::Plus.view()}"New customer"
                </button>
            </div>
        </div>
        <Show when=move || importing.get()>
            <ImportPanel on_close=move |()| importing.set(false) />
        </Show>
        {move || match page.get() {
            None => Some(Loading().into_any()),
            Some(Err(e)) => Some(view! { <ErrorBox error=e /> }.into_any()),
            Some(Ok(p)) if p.total == 0 && !filtered() => Some(view! {
                <EmptyState
                    icon=Icon::Users
                    title="No customers yet"
                    text="Add your customers one by one, or bring in the network you already run from a CSV file (here, or with headend import services). Create your plans first, so each service gets one."
                >
                    <div class="empty-actions">
                        <button class="primary" on:click=move |_| console.open(Page::ServiceForm(None))>"New customer"</button>
                        <button class="secondary" on:click=move |_| importing.set(true)>"Import CSV"</button>
                        <button class="secondary" on:click=move |_| console.open(Page::Billing)>"Plans"</button>
                    </div>
                </EmptyState>
            }
            .into_any()),
            Some(Ok(_)) => None,
        }}
        // Outside the page's reloads, so typing keeps the focus.
        <Show when=move || page.get().is_some_and(|p| p.is_ok_and(|p| p.total > 0 || filtered()))>
            <div class="toolbar">
                <input id="service-search" class="search" type="search" placeholder="Search name, phone, user name or IP"
                    prop:value=move || typed.get() on:input=on_search />
                <select id="service-status" on:change=move |ev| { status.set(event_target_value(&ev)); offset.set(0); }
                    prop:value=move || status.get()>
                    <option value="">"All statuses"</option>
                    {STATUSES.into_iter().map(|s| view! { <option value=s>{s}</option> }).collect_view()}
                </select>
                <select id="service-router" on:change=move |ev| { router.set(event_target_value(&ev).parse().ok()); offset.set(0); }
                    prop:value=move || router.get().map(|r| r.to_string()).unwrap_or_default()>
                    <option value="">"All routers"</option>
                    {move || routers.get().and_then(Result::ok).unwrap_or_default().into_iter().filter(|r| !r.demo)
                        .map(|r| view! { <option value=r.id.to_string()>{r.name}</option> }).collect_view()}
                </select>
                <Show when=move || went_off_today.get()>
                    <button class="chip active" id="went-off-filter" title="Show every service"
                        on:click=move |_| { went_off_today.set(false); offset.set(0); }>
                        "Went off today ×"
                    </button>
                </Show>
                <span class="muted" id="service-count">
                    {move || page.get().and_then(Result::ok).map(|p| range_text(offset.get_untracked(), p.rows.len(), p.total))}
                </span>
            </div>
            <super::bulk::BulkBar selected=selected />
            {move || page.get().and_then(Result::ok).map(|p| view! { <ServiceTable page=p offset=offset selected=selected /> })}
        </Show>
    }
}

fn range_text(offset: u32, shown: usize, total: u64) -> String {
    if shown == 0 {
        return format!("0 of {}", format::count(total));
    }
    let first = u64::from(offset) + 1;
    format!("{}–{} of {}", format::count(first), format::count(first + shown as u64 - 1), format::count(total))
}

#[component]
fn ServiceTable(page: ServicesPageDto, offset: RwSignal<u32>, selected: RwSignal<BTreeSet<i64>>) -> impl IntoView {
    let console = Console::get();
    let at = offset.get_untracked();
    let has_next = u64::from(at) + (page.rows.len() as u64) < page.total;
    if page.rows.is_empty() {
        return view! {
            <div class="card empty-inline" id="services-none">
                <p class="muted">"No service matches. Try another search or filter."</p>
            </div>
        }
        .into_any();
    }
    let on_page: Vec<i64> = page.rows.iter().map(|s| s.id).collect();
    let all_on_page = {
        let ids = on_page.clone();
        move || selected.with(|s| ids.iter().all(|id| s.contains(id)))
    };
    let toggle_page = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selected.update(|s| {
            for id in &on_page {
                if on {
                    s.insert(*id);
                } else {
                    s.remove(id);
                }
            }
        });
    };
    view! {
        <div class="card table-card">
            <table class="table clickable" id="services-table">
                <thead>
                    <tr>
                        <th class="select"><input type="checkbox" id="select-page" aria-label="Select every service on this page"
                            prop:checked=all_on_page on:change=toggle_page /></th>
                        <th>"Customer"</th><th>"Access"</th><th>"Router"</th><th>"Plan"</th>
                        <th>"Status"</th><th>"Due"</th><th>"On router"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows
                        .into_iter()
                        .map(|s: ServiceRow| {
                            let id = s.id;
                            view! {
                                <tr class="service-row" data-service-id=id data-login=s.login.clone() on:click=move |_| console.open(Page::Service(id))>
                                    <td class="select" on:click=|ev| ev.stop_propagation()>
                                        <input type="checkbox" class="select-service" aria-label="Select"
                                            prop:checked=move || selected.with(|s| s.contains(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                            } />
                                    </td>
                                    <td class="customer-cell">
                                        <div class="strong">{s.customer_name.clone()}</div>
                                        <div class="muted small">{s.customer_phone.clone()}</div>
                                    </td>
                                    <td>
                                        <div class="mono">{s.login.clone()}</div>
                                        <div class="muted small">{if s.kind == "pppoe" { "PPPoE" } else { "Static IP" }}</div>
                                    </td>
                                    <td>{s.router_name.clone()}</td>
                                    <td>{s.plan_name.clone()}</td>
                                    <td><StatusPill status=s.status.clone() /></td>
                                    <td><DueDate service=s.clone() /></td>
                                    <td class="on-router"><OnRouter service=s.clone() /></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {(at > 0 || has_next).then(|| view! {
            <div class="pager">
                <button class="secondary" id="page-prev" disabled=at == 0
                    on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE_SIZE))>"← Previous"</button>
                <button class="secondary" id="page-next" disabled=!has_next
                    on:click=move |_| offset.update(|o| *o += PAGE_SIZE)>"Next →"</button>
            </div>
        })}
    }
    .into_any()
}

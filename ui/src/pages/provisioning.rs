//! Provisioning: the durable queue (what failed, what retries, what
//! waits for the operator) and "what will change" (a dry run of every
//! router, and "Sweep now" with its progress).

use headend_ipc::{ErrorDto, QueuePage, QueueQueryDto, QueueRowDto, RouterPlanDto, SweepProgress, command};
use leptos::prelude::*;
use serde::Serialize;

use super::IdArgs;
use crate::app::{Console, Page, ProvisioningTab};
use crate::components::{EmptyState, ErrorBox, Icon, Loading, ProgressBar};
use crate::format;
use crate::ipc;

#[derive(Serialize)]
struct QueryArgs {
    query: QueueQueryDto,
}

#[component]
pub fn Provisioning(tab: ProvisioningTab) -> impl IntoView {
    let console = Console::get();
    let is_queue = matches!(tab, ProvisioningTab::Queue { .. });
    view! {
        <div class="page-header">
            <h1 id="page-title">"Provisioning"</h1>
            <p class="muted">"What the routers are sent: actions that failed and wait, and what the next sweep would change."</p>
        </div>
        <div class="tabs" role="tablist">
            <button role="tab" id="tab-queue" class="tab" class:active=is_queue
                on:click=move |_| console.open(Page::Provisioning(ProvisioningTab::Queue { failed_only: false }))>
                "Queue"
                <Show when=move || { console.failures.with(|f| f.count > 0) }>
                    <span class="tab-count bad">{move || console.failures.with(|f| f.count)}</span>
                </Show>
            </button>
            <button role="tab" id="tab-plan" class="tab" class:active=!is_queue
                on:click=move |_| console.open(Page::Provisioning(ProvisioningTab::Plan))>"What will change"</button>
        </div>
        {match tab {
            ProvisioningTab::Queue { failed_only } => view! { <QueueView failed_only=failed_only /> }.into_any(),
            ProvisioningTab::Plan => view! { <PlanView /> }.into_any(),
        }}
    }
}

#[component]
fn QueueView(failed_only: bool) -> impl IntoView {
    let console = Console::get();
    let status = RwSignal::new(if failed_only { "failed".to_owned() } else { String::new() });
    let pages = RwSignal::new(1_u32);
    let page = LocalResource::new(move || {
        console.provisioning_changed.track();
        let query = QueueQueryDto { status: status.get(), offset: 0 };
        // All loaded pages at once, so a reload keeps the operator's place.
        let limit_pages = pages.get();
        async move {
            let mut all: Option<QueuePage> = None;
            for n in 0..limit_pages {
                let q = QueueQueryDto { offset: n * 100, ..query.clone() };
                let page = ipc::invoke::<_, QueuePage>(command::LIST_QUEUE, QueryArgs { query: q }).await?;
                let more = page.more;
                match all.as_mut() {
                    None => all = Some(page),
                    Some(a) => {
                        a.rows.extend(page.rows);
                        a.more = more;
                    }
                }
                if !more {
                    break;
                }
            }
            all.ok_or_else(|| ErrorDto::new(headend_ipc::ErrorCode::Internal, "no page"))
        }
    });
    let filter = move |value: &'static str, label: &'static str, count: fn(&QueuePage) -> Option<u64>| {
        view! {
            <button class="chip" id=format!("queue-filter-{}", if value.is_empty() { "all" } else { value })
                class:active=move || status.with(|s| s == value)
                on:click=move |_| { pages.set(1); status.set(value.to_owned()) }>
                {label}
                {move || page.get().and_then(Result::ok).as_ref().and_then(count).map(|n| view! { <span class="chip-count">{n}</span> })}
            </button>
        }
    };
    let anything = move || {
        page.get().and_then(Result::ok).is_some_and(|p| p.counts.pending + p.counts.retrying + p.counts.failed > 0)
            || status.with(|s| !s.is_empty())
    };
    view! {
        <Show when=anything>
            <div class="toolbar chips">
                {filter("", "All", |p| Some(p.counts.pending + p.counts.retrying + p.counts.failed))}
                {filter("failed", "Failed", |p| Some(p.counts.failed))}
                {filter("retrying", "Retrying", |p| Some(p.counts.retrying))}
                {filter("pending", "Pending", |p| Some(p.counts.pending))}
            </div>
        </Show>
        {move || match page.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(p)) if p.rows.is_empty() => {
                let all_empty = p.counts.pending + p.counts.retrying + p.counts.failed == 0;
                if all_empty {
                    view! {
                        <EmptyState
                            icon=Icon::Sync
                            title="The queue is empty"
                            text="Every router action went through. When one fails, it waits here with its error and is tried again with a growing delay; after the last attempt it stops, raises a notification and waits for you to retry it."
                        >
                            <div class="empty-actions">
                                <button class="secondary" on:click=move |_| console.open(Page::Provisioning(ProvisioningTab::Plan))>"See what will change"</button>
                            </div>
                        </EmptyState>
                    }
                    .into_any()
                } else {
                    view! { <div class="card empty-inline" id="queue-none"><p class="muted">"Nothing with this status."</p></div> }.into_any()
                }
            }
            Some(Ok(p)) => view! {
                <div class="card table-card">
                    <QueueTable rows=p.rows show_service=true />
                </div>
                {p.more.then(|| view! {
                    <div class="pager">
                        <button class="secondary" id="queue-more" on:click=move |_| pages.update(|n| *n += 1)>"Show more"</button>
                    </div>
                })}
            }
            .into_any(),
        }}
    }
}

/// Queue rows with their Retry buttons.
#[component]
pub fn QueueTable(rows: Vec<QueueRowDto>, show_service: bool) -> impl IntoView {
    let console = Console::get();
    let errors = RwSignal::new(None::<ErrorDto>);
    let retry = move |id: i64| {
        errors.set(None);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(command::RETRY_QUEUE_ENTRY, IdArgs { id }).await {
                Ok(()) => console.changed(),
                Err(e) => errors.set(Some(e)),
            }
        });
    };
    view! {
        {move || errors.get().map(|e| view! { <div class="pad"><ErrorBox error=e /></div> })}
        <table class="table" id=if show_service { "queue-table" } else { "service-queue-table" }>
            <thead>
                <tr>
                    {show_service.then(|| view! { <th>"Service"</th> })}
                    <th>"Router"</th><th>"Action"</th><th>"Status"</th><th class="num">"Attempts"</th>
                    <th>"Last error"</th><th>"Next attempt"</th><th></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|q| {
                    let id = q.id;
                    let service = q.service_id;
                    let class = match q.status.as_str() {
                        "failed" => "pill pill-bad",
                        "retrying" => "pill pill-warn",
                        _ => "pill",
                    };
                    let next = match q.status.as_str() {
                        "failed" => "waits for you".to_owned(),
                        _ => format::relative(&q.next_attempt_at),
                    };
                    view! {
                        <tr class="queue-row" data-queue-id=id data-status=q.status.clone()>
                            {show_service.then(|| view! {
                                <td>{match service {
                                    Some(sid) => view! { <button class="link strong" on:click=move |_| console.open(Page::Service(sid))>{q.label.clone()}</button> }.into_any(),
                                    None => view! { <span class="muted">{q.label.clone()}</span> }.into_any(),
                                }}</td>
                            })}
                            <td>{q.router_name.clone()}</td>
                            <td><div class="mono small-mono">{q.detail.clone()}</div><div class="muted small">{q.action.clone()}</div></td>
                            <td><span class=class>{q.status.clone()}</span></td>
                            <td class="mono num">{q.attempts}</td>
                            <td class="cell-error wide">{q.last_error.clone()}</td>
                            <td class="nowrap" title=format::local_time(&q.next_attempt_at)>{next}</td>
                            <td class="row-actions"><button class="link queue-retry" on:click=move |_| retry(id)>"Retry"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn PlanView() -> impl IntoView {
    let console = Console::get();
    let reload = RwSignal::new(0_u32);
    let plans = LocalResource::new(move || {
        reload.track();
        ipc::call::<Vec<RouterPlanDto>>(command::DRY_RUN)
    });
    let error = RwSignal::new(None::<ErrorDto>);
    // A finished sweep changed the routers: read them again.
    let was_running = StoredValue::new(false);
    Effect::new(move |_| {
        let running = console.sweep.with(|s| s.is_some_and(|p| p.running));
        if was_running.get_value() && !running {
            reload.update(|n| *n += 1);
        }
        was_running.set_value(running);
    });
    let sweep_now = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            // The progress itself comes as events, in order.
            if let Err(e) = ipc::call::<SweepProgress>(command::SWEEP_NOW).await {
                error.set(Some(e));
            }
        });
    };
    let running = move || console.sweep.with(|s| s.is_some_and(|p| p.running));
    // The last sweep's result is shown until the operator leaves.
    on_cleanup(move || {
        if !console.sweep.with_untracked(|s| s.is_some_and(|p| p.running)) {
            console.sweep.set(None);
        }
    });
    view! {
        <div class="plan-head">
            <p class="muted">"Each router is read and compared with what it should hold. Nothing is sent until you sweep."</p>
            <div class="actions">
                <button class="secondary" id="plan-refresh" disabled=running on:click=move |_| reload.update(|n| *n += 1)>"Compare again"</button>
                <button class="primary with-icon" id="sweep-now" disabled=move || running() || console.sweeps_paused.get() on:click=sweep_now>
                    {Icon::Sync.view()}"Sweep now"
                </button>
            </div>
        </div>
        <Show when=move || console.sweeps_paused.get()>
            <div class="warn-box">"Sweeps are paused from the tray: routers are not provisioned until you resume them."</div>
        </Show>
        {move || error.get().map(|e| view! { <ErrorBox error=e /> })}
        {move || console.sweep.get().map(|p| view! {
            <div class="card sweep-card" id="sweep-progress">
                <div class="sweep-text">
                    <strong>{if p.running { format!("Sweeping: {} of {} routers", p.done, p.total) } else { format!("Swept {} of {} routers", p.done - p.failed, p.total) }}</strong>
                    {(p.failed > 0).then(|| view! { <span class="failure-error">{format!(" · {} could not be swept", p.failed)}</span> })}
                </div>
                <ProgressBar done=p.done total=p.total />
            </div>
        })}
        {move || match plans.get() {
            None => view! { <div class="loading">"Reading every router…"</div> }.into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <EmptyState
                    icon=Icon::Router
                    title="No routers to compare"
                    text="Add a router first. Headend then compares it with your plans and services and shows here every change a sweep would make, before it makes it."
                >
                    <div class="empty-actions">
                        <button class="primary" on:click=move |_| console.open(Page::Routers)>"Go to routers"</button>
                    </div>
                </EmptyState>
            }
            .into_any(),
            Some(Ok(list)) => {
                let in_sync = list.iter().all(|r| r.error.is_empty() && r.conflicts.is_empty() && r.steps.is_empty());
                view! {
                    {in_sync.then(|| view! { <div class="ok-box" id="plan-in-sync">"Every router holds exactly what it should."</div> })}
                    <div id="plans-list">
                        {list.into_iter().map(|r| view! { <RouterPlan plan=r /> }).collect_view()}
                    </div>
                }
                .into_any()
            }
        }}
    }
}

#[component]
fn RouterPlan(plan: RouterPlanDto) -> impl IntoView {
    let console = Console::get();
    let summary = if !plan.error.is_empty() {
        "could not be read".to_owned()
    } else {
        match plan.steps.len() {
            0 => "in sync".to_owned(),
            1 => "1 change".to_owned(),
            n => format!("{n} changes"),
        }
    };
    let state_class = if !plan.error.is_empty() {
        "status down"
    } else if plan.steps.is_empty() && plan.conflicts.is_empty() {
        "status up"
    } else {
        "status pending"
    };
    view! {
        <section class="card table-card router-plan" data-router=plan.router_name.clone()>
            <div class="card-head">
                <h2>{plan.router_name.clone()}</h2>
                <span class=state_class>{summary}</span>
            </div>
            {(!plan.error.is_empty()).then(|| view! { <div class="pad"><div class="error-box">{plan.error.clone()}</div></div> })}
            {(!plan.conflicts.is_empty()).then(|| view! {
                <ul class="conflicts">
                    {plan.conflicts.iter().map(|c| {
                        let service = c.service_id;
                        view! {
                            <li class="conflict">
                                <span class="pill pill-warn">"needs you"</span>
                                <span>{c.message.clone()}</span>
                                {service.map(|id| view! { <button class="link small" on:click=move |_| console.open(Page::Service(id))>"open the service"</button> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!plan.steps.is_empty()).then(|| view! {
                <table class="table plan-steps">
                    <tbody>
                        {plan.steps.into_iter().map(|s| {
                            let (class, label) = match s.outcome.as_str() {
                                "held" => ("pill pill-warn", "held"),
                                "failed" => ("pill pill-bad", "failed"),
                                "applied" => ("pill pill-ok", "applied"),
                                _ => ("pill", "will send"),
                            };
                            let service = s.service_id;
                            view! {
                                <tr class="plan-step">
                                    <td class="mono">{s.text.clone()}{(!s.reason.is_empty()).then(|| view! { <div class="muted small">{s.reason.clone()}</div> })}</td>
                                    <td class="nowrap"><span class=class>{label}</span></td>
                                    <td class="row-actions">{service.map(|id| view! { <button class="link" on:click=move |_| console.open(Page::Service(id))>"service"</button> })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

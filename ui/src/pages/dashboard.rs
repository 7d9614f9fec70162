//! The dashboard: the network and the money at a glance.

use headend_ipc::billing::{MonthDto, OverdueCustomerDto, RevenueDto, command as billing};
use headend_ipc::{Dashboard as Counts, ErrorDto, Health, command};
use leptos::prelude::*;

use super::loaded;
use crate::app::{BillingTab, Console, MessagesTab, Page, ProvisioningTab};
use crate::components::{ErrorBox, PageHeader};
use crate::ipc;

/// How often the figures are read again while nothing else told the page.
const REFRESH_MS: u64 = 30_000;

#[component]
pub fn Dashboard() -> impl IntoView {
    let console = Console::get();
    let tick = RwSignal::new(0u32);
    let poll = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(REFRESH_MS));
    on_cleanup(move || {
        if let Ok(handle) = poll {
            handle.clear();
        }
    });
    // Again whenever a router went up or down (not on every health probe),
    // or the queue, an OLT or the outbox changed.
    let counts = LocalResource::new(move || {
        tick.track();
        console.router_states_changed.track();
        console.provisioning_changed.track();
        console.olts_changed.track();
        console.messages_changed.track();
        ipc::call::<Counts>(command::DASHBOARD)
    });
    view! {
        <PageHeader title="Dashboard" subtitle="Is everything OK, and what needs you now." />
        {loaded(counts, move |c: Counts| view! {
            {(c.routers > 0).then(|| view! { <NeedsYou health=c.health.clone() /> })}
            <div class="cards">
                <Stat id="stat-routers" label="Routers" value=c.routers />
                <Stat id="stat-customers" label="Customers" value=c.customers />
                <Stat id="stat-active" label="Active services" value=c.active_services />
                <Stat id="stat-suspended" label="Suspended" value=c.suspended_services />
                <Stat id="stat-plans" label="Plans" value=c.plans />
            </div>
            {(c.routers == 0 || c.plans == 0 || c.customers == 0).then(|| view! { <GettingStarted counts=c /> })}
        })}
        <Revenue />
    }
}

/// This month's money, what is owed, who is overdue, and twelve months of
/// invoiced against collected.
#[component]
fn Revenue() -> impl IntoView {
    let console = Console::get();
    let report = LocalResource::new(move || {
        console.provisioning_changed.track();
        ipc::call::<RevenueDto>(billing::REVENUE)
    });
    let listing = RwSignal::new(false);
    move || match report.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(r)) => {
            let cur = r.currency.clone();
            view! {
                <h2 class="section-title">"Billing this month"</h2>
                <div class="cards">
                    <div class="card stat" id="stat-invoiced">
                        <span class="stat-value">{r.month.invoiced.clone()}</span>
                        <span class="stat-label">{format!("Invoiced ({cur})")}</span>
                    </div>
                    <div class="card stat" id="stat-collected">
                        <span class="stat-value">{r.month.collected.clone()}</span>
                        <span class="stat-label">{format!("Collected ({cur})")}</span>
                    </div>
                    <button class="card stat stat-button" id="stat-outstanding" on:click=move |_| { console.billing_tab.set(BillingTab::Invoices); console.open(Page::Billing) }>
                        <span class="stat-value">{r.outstanding.clone()}</span>
                        <span class="stat-label">{format!("Outstanding ({cur})")}</span>
                    </button>
                    <button class="card stat stat-button" id="stat-overdue" class:alerting={r.overdue_customers > 0}
                        title="List them" on:click=move |_| listing.update(|l| *l = !*l)>
                        <span class="stat-value">{r.overdue_customers}</span>
                        <span class="stat-label">{format!("Overdue customers · {} {cur}", r.overdue_amount)}</span>
                    </button>
                </div>
                <Show when=move || listing.get()>
                    <OverdueList />
                </Show>
                <section class="card chart-card" id="revenue-chart">
                    <div class="chart-head">
                        <h2>"Invoiced and collected, last 12 months"</h2>
                        <span class="chart-legend">
                            <span class="legend-swatch bar-invoiced"></span>"Invoiced"
                            <span class="legend-swatch bar-collected"></span>"Collected"
                        </span>
                    </div>
                    <BarChart months=r.history.clone() />
                </section>
            }
            .into_any()
        }
    }
}

/// The overdue customers, most owed first; a click opens the customer.
#[component]
fn OverdueList() -> impl IntoView {
    let console = Console::get();
    let list = LocalResource::new(|| ipc::call::<Vec<OverdueCustomerDto>>(billing::OVERDUE_CUSTOMERS));
    move || {
        match list.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(rows)) if rows.is_empty() => view! { <p class="muted pad" id="overdue-list">"Nobody is overdue."</p> }.into_any(),
        Some(Ok(rows)) => view! {
            <div class="card table-card">
                <table class="table clickable" id="overdue-list">
                    <thead><tr><th>"Customer"</th><th class="num">"Invoices"</th><th class="num">"Overdue"</th><th>"Oldest due"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|o| view! {
                            <tr on:click=move |_| if let Some(id) = o.service_id { console.open(Page::Service(id)) }>
                                <td class="strong">{o.name.clone()}</td>
                                <td class="mono num">{o.invoices}</td>
                                <td class="mono num">{o.amount.clone()}</td>
                                <td class="mono">{o.oldest_due.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any(),
    }
    }
}

/// Two bars a month (invoiced, collected) in plain SVG, scaled to the
/// largest month; each month's figures in its tooltip.
#[component]
fn BarChart(months: Vec<MonthDto>) -> impl IntoView {
    const W: f64 = 720.0;
    const H: f64 = 180.0;
    const BOTTOM: f64 = 20.0;
    let max = months.iter().flat_map(|m| [m.invoiced_value, m.collected_value]).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { (H - BOTTOM - 8.0) / max } else { 0.0 };
    let slot = W / months.len().max(1) as f64;
    let bar = (slot - 10.0) / 2.0;
    view! {
        <svg class="bar-chart" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img"
            aria-label="Invoiced and collected per month">
            <line class="axis" x1="0" x2=W y1=H - BOTTOM y2=H - BOTTOM />
            {months.into_iter().enumerate().map(|(i, m)| {
                let x = i as f64 * slot + 5.0;
                let hi = m.invoiced_value * scale;
                let hc = m.collected_value * scale;
                let label = m.month.get(5..).unwrap_or(&m.month).to_owned();
                view! {
                    <g class="bar-month">
                        <title>{format!("{}: invoiced {}, collected {}", m.month, m.invoiced, m.collected)}</title>
                        <rect class="bar-invoiced" x=x y=H - BOTTOM - hi width=bar height=hi rx="2" />
                        <rect class="bar-collected" x=x + bar y=H - BOTTOM - hc width=bar height=hc rx="2" />
                        <text class="bar-label" x=x + bar y=H - 5.0 text-anchor="middle">{label}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// What needs the operator, each figure a door to its list, and who was
/// online over the last day.
#[component]
fn NeedsYou(health: Health) -> impl IntoView {
    let console = Console::get();
    let h = health;
    let all_clear = h.routers_down == 0
        && h.routers_degraded == 0
        && h.olts_down == 0
        && h.olt_alerts == 0
        && h.onus_los == 0
        && h.failed_actions == 0
        && h.failed_messages == 0;
    let online = h.online_by_hour.clone();
    view! {
        {if all_clear {
            view! { <div class="all-clear" id="health-ok">"Everything is OK: every router is up, no OLT alert, nothing failed."</div> }.into_any()
        } else {
            view! { <h2 class="section-title">"Needs you now"</h2> }.into_any()
        }}
        <div class="cards">
            <button class="card stat stat-button" id="health-routers" class:alerting={h.routers_down > 0}
                on:click=move |_| console.open(Page::Routers)>
                <span class="stat-value">{h.routers_down}</span>
                <span class="stat-label">{format!("Routers down · {} need a look · {} up", h.routers_degraded, h.routers_up)}</span>
            </button>
            <button class="card stat stat-button" id="health-olts" class:alerting={h.onus_los > 0 || h.olts_down > 0}
                on:click=move |_| console.open(Page::Olts)>
                <span class="stat-value">{h.onus_los}</span>
                <span class="stat-label">{format!("ONUs in LOS · {} signal alerts · {} OLTs down", h.olt_alerts, h.olts_down)}</span>
            </button>
            <button class="card stat stat-button" id="health-failed-actions" class:alerting={h.failed_actions > 0}
                on:click=move |_| console.open(Page::Provisioning(ProvisioningTab::Queue { failed_only: true }))>
                <span class="stat-value">{h.failed_actions}</span>
                <span class="stat-label">"Failed provisioning actions"</span>
            </button>
            <button class="card stat stat-button" id="health-failed-messages" class:alerting={h.failed_messages > 0}
                on:click=move |_| console.open(Page::Messages(MessagesTab::Outbox { failed_only: true }))>
                <span class="stat-value">{h.failed_messages}</span>
                <span class="stat-label">"Failed messages"</span>
            </button>
            <button class="card stat stat-button" id="health-went-off"
                on:click=move |_| { console.customers_went_off_today.set(true); console.open(Page::Customers) }>
                <span class="stat-value">{h.went_off_today}</span>
                <span class="stat-label">{format!("Went off today · {} for not paying · {} by hand", h.cut_off_today, h.suspended_today)}</span>
            </button>
            <button class="card stat stat-button" id="health-payments"
                on:click=move |_| { console.billing_tab.set(BillingTab::Invoices); console.open(Page::Billing) }>
                <span class="stat-value">{h.payments_today}</span>
                <span class="stat-label">{format!("Payments today · {} {}", h.collected_today, h.currency)}</span>
            </button>
        </div>
        <button class="card chart-card stat-button online-card" id="online-chart" on:click=move |_| console.open(Page::Sessions)>
            <div class="chart-head">
                <h2 id="online-now">{move || format!("Online now: {}", crate::format::count(console.sessions.with(|s| s.total)))}</h2>
                <span class="muted small">"Services online each hour, last 24 hours"</span>
            </div>
            <OnlineChart hours=online />
        </button>
    }
}

/// One bar an hour, scaled to the busiest; each hour's count in its tooltip.
#[component]
fn OnlineChart(hours: Vec<u32>) -> impl IntoView {
    const W: f64 = 720.0;
    const H: f64 = 90.0;
    let max = hours.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return view! { <p class="muted small" id="online-empty">"No session in the last 24 hours yet: the chart fills in as the routers report."</p> }.into_any();
    }
    let scale = if max > 0 { (H - 6.0) / f64::from(max) } else { 0.0 };
    let slot = W / hours.len().max(1) as f64;
    let count = hours.len();
    view! {
        <svg class="online-chart" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img"
            aria-label="Services online each hour">
            <line class="axis" x1="0" x2=W y1=H y2=H />
            {hours.into_iter().enumerate().map(|(i, n)| {
                let height = f64::from(n) * scale;
                let ago = count - i;
                view! {
                    <rect class="bar-online" data-count=n x=i as f64 * slot + 2.0 y=H - height width=slot - 4.0 height=height rx="2">
                        <title>{format!("{n} online, {ago} h ago")}</title>
                    </rect>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

#[component]
fn Stat(id: &'static str, label: &'static str, value: i64) -> impl IntoView {
    view! {
        <div class="card stat" id=id>
            <span class="stat-value">{value}</span>
            <span class="stat-label">{label}</span>
        </div>
    }
}

#[component]
fn GettingStarted(counts: Counts) -> impl IntoView {
    let console = Console::get();
    let steps = [
        (
            counts.routers > 0,
            "Connect your first MikroTik router",
            "Headend provisions PPPoE secrets, profiles and address-lists on it.",
            Page::Routers,
        ),
        (
            counts.plans > 0,
            "Create your plans",
            "Each plan's rate becomes a PPP profile on every router.",
            Page::Billing,
        ),
        (
            counts.customers > 0,
            "Bring in your customers",
            "Import your existing PPPoE secrets, or add customers one by one.",
            Page::Customers,
        ),
    ];
    let demo_error = RwSignal::new(None::<ErrorDto>);
    let opening = RwSignal::new(false);
    // The answer comes once the demo's window is on screen, or says why
    // the demo did not start.
    let explore = move |_| {
        opening.set(true);
        demo_error.set(None);
        leptos::task::spawn_local(async move {
            let answer = ipc::call::<()>(command::EXPLORE_DEMO_ISP).await;
            opening.set(answer.is_ok());
            demo_error.set(answer.err());
        })
    };
    view! {
        <section class="card getting-started" id="getting-started">
            <h2>"Get started"</h2>
            <Show when=move || !console.demo_isp.get()>
                <div class="demo-offer">
                    <p class="muted">"Not ready to connect your network? Look around a whole small ISP first: three routers and an OLT, simulated on this computer, with a town of customers, live sessions, bills and payments. It opens in a window of its own, on data of its own: yours is not touched."</p>
                    <button class="secondary" id="explore-demo-isp" on:click=explore>"Explore a demo ISP"</button>
                    <Show when=move || opening.get()>
                        <span class="muted small" id="demo-opening">"The demo opens in its own window in a few seconds; this one comes back when you leave it."</span>
                    </Show>
                    {move || demo_error.get().map(|e| view! { <ErrorBox error=e /> })}
                </div>
            </Show>
            <ol>
                {steps
                    .into_iter()
                    .map(|(done, title, text, page)| view! {
                        <li class:done=done>
                            <button class="step" on:click=move |_| {
                                if page == Page::Billing {
                                    console.billing_tab.set(BillingTab::Plans);
                                }
                                console.open(page)
                            }>
                                <span class="step-check">{if done { "✓" } else { "" }}</span>
                                <span class="step-text">
                                    <strong>{title}</strong>
                                    <span class="muted">{text}</span>
                                </span>
                            </button>
                        </li>
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

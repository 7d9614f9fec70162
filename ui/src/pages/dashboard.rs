//! The dashboard: the network and the money at a glance.

use headend_ipc::billing::{MonthDto, OverdueCustomerDto, RevenueDto, command as billing};
use headend_ipc::{Dashboard as Counts, command};
use leptos::prelude::*;

use super::{fetch, loaded};
use crate::app::{BillingTab, Console, Page};
use crate::components::{ErrorBox, PageHeader};
use crate::ipc;

#[component]
pub fn Dashboard() -> impl IntoView {
    let console = Console::get();
    let counts = fetch::<Counts>(command::DASHBOARD);
    view! {
        <PageHeader title="Dashboard" subtitle="Your network at a glance." />
        {loaded(counts, move |c: Counts| view! {
            <div class="cards">
                <div class="card stat" id="stat-online">
                    <span class="stat-value">{move || crate::format::count(console.sessions.with(|s| s.len()))}</span>
                    <span class="stat-label">"Online now"</span>
                </div>
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
    view! {
        <section class="card getting-started" id="getting-started">
            <h2>"Get started"</h2>
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

use headend_ipc::{Dashboard as Counts, command};
use leptos::prelude::*;

use super::{fetch, loaded};
use crate::app::{Console, Page};
use crate::components::PageHeader;

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
                            <button class="step" on:click=move |_| console.open(page)>
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

use headend_ipc::{ServiceRow, command};
use leptos::prelude::*;

use super::{fetch, loaded};
use crate::app::{Console, Page};
use crate::components::{EmptyState, Icon, PageHeader, StatusPill};

#[component]
pub fn Customers() -> impl IntoView {
    let services = fetch::<Vec<ServiceRow>>(command::LIST_SERVICES);
    view! {
        <PageHeader title="Customers" subtitle="Customers and their services: PPPoE accounts and static IPs." />
        {loaded(services, |services: Vec<ServiceRow>| {
            if services.is_empty() {
                view! {
                    <EmptyState
                        icon=Icon::Users
                        title="No customers yet"
                        text="Bring in the network you already run: the PPPoE secrets on your routers become customers and services. Create your plans first, so each service gets one."
                    />
                }
                .into_any()
            } else {
                view! { <ServiceTable services=services /> }.into_any()
            }
        })}
    }
}

#[component]
fn ServiceTable(services: Vec<ServiceRow>) -> impl IntoView {
    let console = Console::get();
    view! {
        <div class="card table-card">
            <table class="table clickable" id="services-table">
                <thead>
                    <tr>
                        <th>"Customer"</th><th>"Login"</th><th>"Type"</th><th>"Router"</th>
                        <th>"Plan"</th><th>"Status"</th><th>"Next bill"</th>
                    </tr>
                </thead>
                <tbody>
                    {services
                        .into_iter()
                        .map(|s| {
                            let id = s.id;
                            view! {
                                <tr class="service-row" data-service-id=id on:click=move |_| console.open(Page::Service(id))>
                                    <td class="strong">{s.customer_name}</td>
                                    <td class="mono">{s.login}</td>
                                    <td>{if s.kind == "pppoe" { "PPPoE" } else { "Static IP" }}</td>
                                    <td>{s.router_name}</td>
                                    <td>{s.plan_name}</td>
                                    <td><StatusPill status=s.status /></td>
                                    <td class="mono">{s.next_billing_date}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

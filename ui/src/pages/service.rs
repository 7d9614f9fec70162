use headend_ipc::{ServiceRow, command};
use leptos::prelude::*;
use serde::Serialize;

use super::loaded;
use crate::app::{Console, Page};
use crate::components::StatusPill;
use crate::ipc;

#[derive(Serialize)]
struct ServiceArgs {
    id: i64,
}

#[component]
pub fn Service(id: i64) -> impl IntoView {
    let console = Console::get();
    let service = LocalResource::new(move || ipc::invoke::<_, ServiceRow>(command::GET_SERVICE, ServiceArgs { id }));
    let failures = move || {
        console
            .failures
            .get()
            .into_iter()
            .filter(|f| f.service_id == id)
            .collect::<Vec<_>>()
    };
    view! {
        <button class="link back" on:click=move |_| console.open(Page::Customers)>"← Customers"</button>
        {loaded(service, move |s: ServiceRow| view! {
            <div class="page-header">
                <h1 id="page-title">{format!("{} · {}", s.login, s.customer_name)}</h1>
                <p class="muted">{if s.kind == "pppoe" { "PPPoE service" } else { "Static IP service" }}</p>
            </div>
            {move || {
                let failures = failures();
                (!failures.is_empty()).then(|| view! {
                    <div class="error-box" id="service-failure" role="alert">
                        <strong>"Provisioning failed. "</strong>
                        {failures.into_iter().map(|f| format!("On {}: {}", f.router_name, f.error)).collect::<Vec<_>>().join(" · ")}
                    </div>
                })
            }}
            <div class="card">
                <dl class="facts" id="service-facts">
                    <dt>"Customer"</dt><dd>{s.customer_name.clone()}</dd>
                    <dt>{if s.kind == "pppoe" { "PPPoE user" } else { "Address" }}</dt><dd class="mono">{s.login.clone()}</dd>
                    <dt>"Router"</dt><dd>{s.router_name.clone()}</dd>
                    <dt>"Plan"</dt><dd>{s.plan_name.clone()}</dd>
                    <dt>"Status"</dt><dd><StatusPill status=s.status.clone() /></dd>
                    <dt>"Next billing date"</dt><dd class="mono">{if s.next_billing_date.is_empty() { "—".to_owned() } else { s.next_billing_date.clone() }}</dd>
                </dl>
            </div>
        })}
    }
}

use headend_ipc::{PlanRow, command};
use leptos::prelude::*;

use super::{fetch, loaded};
use crate::components::{EmptyState, Icon, PageHeader};

#[component]
pub fn Billing() -> impl IntoView {
    let plans = fetch::<Vec<PlanRow>>(command::LIST_PLANS);
    view! {
        <PageHeader title="Billing" subtitle="Plans, invoices and payments." />
        {loaded(plans, |plans: Vec<PlanRow>| {
            if plans.is_empty() {
                view! {
                    <EmptyState
                        icon=Icon::Receipt
                        title="No plans yet"
                        text="Create your plans first: each has a download and upload rate, a price and a billing cycle. A plan's rate becomes a PPP profile on every router, and its price drives invoices, due dates and automatic suspension."
                    />
                }
                .into_any()
            } else {
                view! {
                    <div class="card table-card">
                        <table class="table" id="plans-table">
                            <thead><tr><th>"Plan"</th><th>"Rate (down/up)"</th><th>"Price"</th><th>"Cycle"</th></tr></thead>
                            <tbody>
                                {plans
                                    .into_iter()
                                    .map(|p| view! {
                                        <tr>
                                            <td class="strong">{p.name}</td>
                                            <td class="mono">{p.rate}</td>
                                            <td class="mono num">{p.price}</td>
                                            <td>{p.cycle}</td>
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

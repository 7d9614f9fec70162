//! The invoice list: filtered by status, month and customer, searched by
//! number; "Run invoices now" and what it issued.

use headend_ipc::ErrorDto;
use headend_ipc::billing::{InvoiceQueryDto, InvoiceRow, InvoiceRunDto, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::app::Console;
use crate::components::{EmptyState, ErrorBox, Icon, InvoiceStatusPill, Loading};
use crate::ipc;

#[derive(Serialize)]
struct QueryArgs {
    query: InvoiceQueryDto,
}

#[component]
pub fn Invoices() -> impl IntoView {
    let console = Console::get();
    let query = RwSignal::new(InvoiceQueryDto::default());
    let list = LocalResource::new(move || {
        console.provisioning_changed.track();
        let query = query.get();
        ipc::invoke::<_, Vec<InvoiceRow>>(command::LIST_INVOICES, QueryArgs { query })
    });
    let run = RwSignal::new(None::<Result<InvoiceRunDto, ErrorDto>>);
    let running = RwSignal::new(false);
    let run_now = move |_| {
        running.set(true);
        run.set(None);
        leptos::task::spawn_local(async move {
            let outcome = ipc::call::<InvoiceRunDto>(command::RUN_INVOICES).await;
            if outcome.is_ok() {
                console.changed();
            }
            run.set(Some(outcome));
            running.set(false);
        });
    };
    let set = move |f: fn(&mut InvoiceQueryDto, String)| {
        move |ev: leptos::ev::Event| query.update(|q| f(q, event_target_value(&ev)))
    };
    view! {
        <div class="toolbar filters">
            <select id="invoice-status" aria-label="Status" on:change=set(|q, v| q.status = v)>
                <option value="">"Any status"</option>
                <option value="open">"Open"</option>
                <option value="overdue">"Overdue"</option>
                <option value="paid">"Paid"</option>
                <option value="void">"Void"</option>
            </select>
            <input id="invoice-month" type="month" aria-label="Issued in" on:change=set(|q, v| q.month = v) />
            <input id="invoice-customer" type="search" placeholder="Customer" on:input=set(|q, v| q.customer = v) />
            <input id="invoice-number" type="search" placeholder="Number" class="short-search" on:input=set(|q, v| q.number = v) />
            <label class="field-inline check">
                <input id="invoice-credit-notes" type="checkbox" on:change=move |ev| query.update(|q| q.credit_notes = event_target_checked(&ev)) />
                <span>"Credit notes"</span>
            </label>
            <div class="spacer"></div>
            <button class="primary with-icon" id="run-invoices" disabled=move || running.get() on:click=run_now
                title="Issue every invoice that is due and not yet issued (the app also does this every hour)">
                {Icon::Receipt.view()}{move || if running.get() { "Running…" } else { "Run invoices now" }}
            </button>
        </div>
        {move || run.get().map(|r| match r {
            Err(e) => view! { <ErrorBox error=e /> }.into_any(),
            Ok(r) if r.issued.is_empty() => view! {
                <div class="ok-box" id="run-result">{format!("Invoice run for {}: nothing was due.", r.date)}</div>
            }.into_any(),
            Ok(r) => view! {
                <div class="ok-box" id="run-result">
                    <strong>{format!("Invoice run for {}: {} issued. ", r.date, r.issued.len())}</strong>
                    {r.issued.into_iter().map(|i| {
                        let number = i.number.clone();
                        view! {
                            <button class="link mono issued" on:click=move |_| console.open_invoice(number.clone())>{i.number.clone()}</button>
                            <span>{format!(" {} {}", i.customer_name, i.gross)}</span>
                            {(!i.settled.is_empty()).then(|| view! {
                                <span class="muted">{format!(" ({} from credit)", i.settled)}</span>
                            })}
                            " · "
                        }
                    }).collect_view()}
                </div>
            }.into_any(),
        })}
        {move || match list.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(rows)) if rows.is_empty() && query.with(|q| *q == InvoiceQueryDto::default()) => view! {
                <EmptyState icon=Icon::Receipt title="No invoices yet"
                    text="Invoices are issued on their own for every active service as its period comes (Billing settings say how far ahead), or now with Run invoices now. Payments recorded on a customer's page settle them." />
            }.into_any(),
            Some(Ok(rows)) if rows.is_empty() => view! { <p class="muted pad empty-inline">"No invoice matches these filters."</p> }.into_any(),
            Some(Ok(rows)) => view! { <InvoiceTable rows=rows /> }.into_any(),
        }}
    }
}

/// Invoices as rows; a click opens one.
#[component]
pub fn InvoiceTable(rows: Vec<InvoiceRow>) -> impl IntoView {
    let console = Console::get();
    view! {
        <div class="card table-card">
            <table class="table clickable" id="invoices-table">
                <thead><tr>
                    <th>"Number"</th><th>"Customer"</th><th>"Issued"</th><th>"Due"</th>
                    <th class="num">"Total"</th><th class="num">"Still due"</th><th>"Status"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let number = r.number.clone();
                        view! {
                            <tr class="invoice-row" on:click=move |_| console.open_invoice(number.clone())>
                                <td class="mono strong">{r.number.clone()}{(r.kind == "credit-note").then(|| view! { <span class="pill tag">"credit note"</span> })}</td>
                                <td>{r.customer_name.clone()}</td>
                                <td class="mono">{r.issue_date.clone()}</td>
                                <td class="mono">{r.due_date.clone()}</td>
                                <td class="mono num">{format!("{} {}", r.gross, r.currency)}</td>
                                <td class="mono num">{r.amount_due.clone()}</td>
                                <td><InvoiceStatusPill status=r.status.clone() /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

//! One invoice or credit note, laid out as it prints (issuer, bill-to,
//! lines, totals, VOID when void), with Save PDF, Print, Record payment,
//! Void and Credit.

use headend_ipc::ErrorDto;
use headend_ipc::billing::{CreditForm, InvoiceRow, InvoiceView, SavedFile, VoidForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::app::{Console, Page};
use crate::components::{ErrorBox, Errors, FieldError, FormError, InvoiceStatusPill, Loading};
use crate::ipc;

#[derive(Serialize)]
struct NumberArgs {
    number: String,
}

#[derive(Serialize)]
struct SaveArgs {
    number: String,
    /// None: the app asks with the save dialog.
    path: Option<String>,
}

#[derive(Serialize)]
struct VoidArgs {
    form: VoidForm,
}

#[derive(Serialize)]
struct CreditArgs {
    form: CreditForm,
}

/// Which dialog is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Void,
    Credit,
}

#[component]
pub fn InvoicePage(number: String) -> impl IntoView {
    let console = Console::get();
    let num = StoredValue::new(number);
    let view_ = LocalResource::new(move || {
        console.provisioning_changed.track();
        ipc::invoke::<_, InvoiceView>(command::GET_INVOICE, NumberArgs { number: num.get_value() })
    });
    let notice = RwSignal::new(None::<Result<String, ErrorDto>>);
    let dialog = RwSignal::new(None::<Dialog>);
    let save_pdf = move |_| {
        notice.set(None);
        leptos::task::spawn_local(async move {
            let args = SaveArgs { number: num.get_value(), path: None };
            notice.set(match ipc::invoke::<_, Option<SavedFile>>(command::SAVE_INVOICE_PDF, args).await {
                Ok(Some(saved)) => Some(Ok(format!("Saved {}.", saved.path))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            });
        });
    };
    let print = move |_| {
        notice.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = ipc::invoke::<_, ()>(command::PRINT_INVOICE, NumberArgs { number: num.get_value() }).await {
                notice.set(Some(Err(e)));
            } else {
                notice.set(Some(Ok("Opened in the PDF viewer: print from there.".to_owned())));
            }
        });
    };
    view! {
        <button class="link back" id="invoice-back" on:click=move |_| console.invoice.set(None)>"← Invoices"</button>
        {move || match view_.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(v)) => {
                let inv = v.invoice.clone();
                let void = inv.status == "void";
                let payable = !void && inv.kind == "invoice" && inv.status != "paid";
                let service = v.service_id;
                view! {
                    <div class="page-header with-actions">
                        <div>
                            <h1 id="page-title">{format!("{} {}", if inv.kind == "invoice" { "Invoice" } else { "Credit note" }, inv.number)}</h1>
                            <p class="muted">{inv.customer_name.clone()}" · "<InvoiceStatusPill status=inv.status.clone() /></p>
                        </div>
                        <div class="actions">
                            <button class="secondary" id="invoice-save-pdf" on:click=save_pdf>"Save PDF"</button>
                            <button class="secondary" id="invoice-print" on:click=print>"Print"</button>
                            {(!void).then(|| view! {
                                <button class="secondary danger-text" id="invoice-void" on:click=move |_| dialog.set(Some(Dialog::Void))>"Void…"</button>
                            })}
                            {(!void && inv.kind == "invoice").then(|| view! {
                                <button class="secondary" id="invoice-credit" on:click=move |_| dialog.set(Some(Dialog::Credit))>"Credit…"</button>
                            })}
                            {(payable && service.is_some()).then(|| view! {
                                <button class="primary" id="invoice-pay" on:click=move |_| {
                                    if let Some(id) = service { console.open(Page::Service(id)) }
                                }>"Record payment"</button>
                            })}
                        </div>
                    </div>
                    {move || notice.get().map(|n| match n {
                        Ok(text) => view! { <div class="ok-box" id="invoice-notice">{text}</div> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    })}
                    <Document v=v.clone() />
                    {move || dialog.get().map(|d| view! { <InvoiceDialog kind=d row=inv.clone() dialog=dialog /> })}
                }.into_any()
            }
        }}
    }
}

/// The invoice as its PDF lays it out.
#[component]
fn Document(v: InvoiceView) -> impl IntoView {
    let console = Console::get();
    let inv = v.invoice;
    let is_credit = inv.kind == "credit-note";
    let inclusive = v.tax_mode == "inclusive";
    let paid = !v.allocations.is_empty();
    view! {
        <article class="card document" id="invoice-document" class:voided=!v.void_reason.is_empty()>
            {(!v.void_reason.is_empty()).then(|| view! {
                <div class="void-banner" id="invoice-void-banner">"VOID"<span>{v.void_reason.clone()}</span></div>
            })}
            <header class="doc-head">
                <div class="doc-issuer">
                    <div class="doc-company">{if v.issuer.company.is_empty() { "Your company (Billing → Settings)".to_owned() } else { v.issuer.company.clone() }}</div>
                    <div class="doc-lines">{v.issuer.address.clone()}</div>
                    {(!v.issuer.tax_id.is_empty()).then(|| view! { <div class="muted">{format!("Tax ID {}", v.issuer.tax_id)}</div> })}
                </div>
                <div class="doc-title">
                    <div class="doc-kind">{if is_credit { "CREDIT NOTE" } else { "INVOICE" }}</div>
                    <dl class="doc-meta">
                        <dt>"Number"</dt><dd class="mono" id="invoice-number">{inv.number.clone()}</dd>
                        <dt>"Issued"</dt><dd class="mono">{inv.issue_date.clone()}</dd>
                        {(!is_credit).then(|| view! { <dt>"Due"</dt><dd class="mono">{inv.due_date.clone()}</dd> })}
                        {(!v.credits.is_empty()).then(|| {
                            let credited = v.credits.clone();
                            view! { <dt>"Credits"</dt><dd><button class="link mono" on:click=move |_| console.open_invoice(credited.clone())>{v.credits.clone()}</button></dd> }
                        })}
                    </dl>
                </div>
            </header>
            <section class="doc-bill-to" id="invoice-bill-to">
                <div class="doc-label">"Bill to"</div>
                <div class="strong">{v.bill_to.name.clone()}</div>
                <div class="doc-lines">{v.bill_to.address.clone()}</div>
                <div class="muted">{[v.bill_to.phone.clone(), v.bill_to.email.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</div>
            </section>
            {(!v.reason.is_empty()).then(|| view! { <p><span class="doc-label">"Reason "</span>{v.reason.clone()}</p> })}
            <table class="table doc-lines-table" id="invoice-lines">
                <thead><tr>
                    <th>"Description"</th><th>"Period"</th><th class="num">{format!("{} %", v.tax_name)}</th>
                    <th class="num">"Net"</th><th class="num">{v.tax_name.clone()}</th><th class="num">"Amount"</th>
                </tr></thead>
                <tbody>
                    {v.lines.into_iter().map(|l| view! {
                        <tr>
                            <td>{l.description}</td>
                            <td class="mono nowrap">{l.period}</td>
                            <td class="mono num">{l.tax_rate}</td>
                            <td class="mono num">{l.net}</td>
                            <td class="mono num">{l.tax}</td>
                            <td class="mono num">{l.gross}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="doc-foot">
                <div class="doc-instructions">
                    {(!v.issuer.payment_instructions.is_empty() && !is_credit).then(|| view! {
                        <div class="doc-label">"How to pay"</div>
                        <div class="doc-lines">{v.issuer.payment_instructions.clone()}</div>
                    })}
                    {inclusive.then(|| view! { <p class="muted small">{format!("Prices include {}.", v.tax_name)}</p> })}
                </div>
                <dl class="doc-totals" id="invoice-totals">
                    <dt>"Net"</dt><dd class="mono">{inv.net.clone()}</dd>
                    <dt>{v.tax_name.clone()}</dt><dd class="mono">{inv.tax.clone()}</dd>
                    <dt class="total">"Total"</dt><dd class="mono total">{format!("{} {}", inv.gross, inv.currency)}</dd>
                    {(!is_credit).then(|| view! {
                        <dt>"Paid and credited"</dt><dd class="mono">{inv.settled.clone()}</dd>
                        <dt class="strong">"Amount due"</dt><dd class="mono strong" id="invoice-amount-due">{format!("{} {}", inv.amount_due, inv.currency)}</dd>
                    })}
                </dl>
            </div>
            {paid.then(|| view! {
                <section class="doc-allocations" id="invoice-allocations">
                    <div class="doc-label">{if is_credit { "Applied to" } else { "Payments and credits" }}</div>
                    <table class="table">
                        <tbody>
                            {v.allocations.into_iter().map(|a| view! {
                                <tr><td class="mono">{a.date}</td><td class="mono">{if is_credit { a.invoice } else { a.source }}</td><td class="mono num">{a.amount}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            })}
        </article>
    }
}

/// Void… or Credit…: a reason (and an amount), then the document changes.
#[component]
fn InvoiceDialog(kind: Dialog, row: InvoiceRow, dialog: RwSignal<Option<Dialog>>) -> impl IntoView {
    let console = Console::get();
    let reason = RwSignal::new(String::new());
    let amount = RwSignal::new(row.amount_due.clone());
    let errors: Errors = RwSignal::new(Vec::new());
    let number = row.number.clone();
    let confirm = move |_| {
        errors.set(Vec::new());
        let number = number.clone();
        leptos::task::spawn_local(async move {
            let done = match kind {
                Dialog::Void => {
                    let form = VoidForm { number, reason: reason.get_untracked() };
                    ipc::invoke::<_, InvoiceRow>(command::VOID_INVOICE, VoidArgs { form }).await
                }
                Dialog::Credit => {
                    let form = CreditForm { number, amount: amount.get_untracked(), reason: reason.get_untracked() };
                    ipc::invoke::<_, InvoiceRow>(command::CREDIT_INVOICE, CreditArgs { form }).await
                }
            };
            match done {
                Ok(_) => {
                    dialog.set(None);
                    console.changed();
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let (title, text, button) = match kind {
        Dialog::Void => (
            format!("Void {}?", row.number),
            "It keeps its number and prints VOID; money already on it goes to the customer's other invoices, or stays as their credit.",
            "Void",
        ),
        Dialog::Credit => (
            format!("Credit note against {}", row.number),
            "A credit note of this amount is issued and settles what is still due on the invoice; the rest is the customer's credit.",
            "Issue credit note",
        ),
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" id="invoice-dialog">
                <h2>{title}</h2>
                <p class="muted">{text}</p>
                {(kind == Dialog::Credit).then(|| view! {
                    <label class="field"><span class="field-label">{format!("Amount ({})", row.currency)}</span>
                        <input id="credit-amount" type="text" inputmode="decimal" prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev)) />
                        <FieldError errors=errors field="amount" /></label>
                })}
                <label class="field"><span class="field-label">"Reason"</span>
                    <input id="dialog-reason" type="text" placeholder=if kind == Dialog::Void { "Issued in error" } else { "Outage 3–5 May" }
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                    <FieldError errors=errors field="reason" /></label>
                <FormError errors=errors />
                <div class="form-actions">
                    <button class=if kind == Dialog::Void { "danger-button" } else { "primary" } id="dialog-confirm" on:click=confirm>{button}</button>
                    <button class="secondary" on:click=move |_| dialog.set(None)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}

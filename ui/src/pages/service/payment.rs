//! Money on the service page: recording a payment (the amount prefilled
//! with what the customer owes, where it goes shown before saving, the
//! receipt and the new paid-through date after), the customer's statement
//! with its running balance, and one-off charges.

use headend_ipc::ErrorDto;
use headend_ipc::billing::{ChargeForm, PaymentForm, PaymentOutcome, SavedFile, StatementDto, command as billing};
use headend_ipc::command;
use leptos::prelude::*;
use serde::Serialize;

use crate::app::Console;
use crate::components::{ErrorBox, Errors, FieldError, FormError, InvoiceStatusPill, Loading, clear_error};
use crate::ipc;
use crate::pages::IdArgs;

#[derive(Serialize)]
struct PaymentArgs {
    payment: PaymentForm,
}

#[derive(Serialize)]
struct ChargeArgs {
    form: ChargeForm,
}

#[derive(Serialize)]
struct ReceiptArgs {
    receipt: String,
    /// None: the app asks with the save dialog.
    path: Option<String>,
}

const METHODS: [(&str, &str); 5] = [
    ("cash", "Cash"),
    ("bank-transfer", "Bank transfer"),
    ("mobile-money", "Mobile money"),
    ("card", "Card"),
    ("other", "Other"),
];

fn statement(customer: i64) -> LocalResource<Result<StatementDto, ErrorDto>> {
    let console = Console::get();
    LocalResource::new(move || {
        console.provisioning_changed.track();
        ipc::invoke::<_, StatementDto>(billing::CUSTOMER_STATEMENT, IdArgs { id: customer })
    })
}

#[component]
pub fn PaymentEditor(id: i64, customer: i64, paying: RwSignal<bool>) -> impl IntoView {
    let console = Console::get();
    let account = statement(customer);
    let draft = RwSignal::new(PaymentForm { service_id: id, method: "cash".into(), ..PaymentForm::default() });
    let errors: Errors = RwSignal::new(Vec::new());
    let done = RwSignal::new(None::<PaymentOutcome>);
    // The amount starts as what the customer owes, once it is known.
    Effect::new(move |filled: Option<bool>| {
        if filled == Some(true) {
            return true;
        }
        match account.get() {
            Some(Ok(s)) => {
                if s.owes && draft.with_untracked(|d| d.amount.is_empty()) {
                    draft.update(|d| d.amount = s.balance.clone());
                }
                true
            }
            _ => false,
        }
    });
    let open_invoices = move || account.get().and_then(Result::ok).map(|s| s.open_invoices.len()).unwrap_or(0);
    let preview = LocalResource::new(move || {
        let payment = draft.get();
        async move {
            if payment.amount.trim().is_empty() {
                return None;
            }
            Some(ipc::invoke::<_, PaymentOutcome>(command::PREVIEW_PAYMENT, PaymentArgs { payment }).await)
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        done.set(None);
        let payment = draft.get();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, PaymentOutcome>(command::RECORD_PAYMENT, PaymentArgs { payment }).await {
                Ok(outcome) => {
                    done.set(Some(outcome));
                    draft.update(|d| {
                        d.amount.clear();
                        d.reference.clear();
                        d.months.clear();
                    });
                    console.changed();
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let set = move |field: &'static str, f: fn(&mut PaymentForm, String)| {
        move |ev: leptos::ev::Event| {
            draft.update(|d| f(d, event_target_value(&ev)));
            clear_error(errors, field);
        }
    };
    view! {
        <form class="card form wide-form payment-form" id="payment-form" novalidate=true on:submit=save>
            <h2>"Record a payment"</h2>
            {move || done.get().map(|d| view! {
                <div class="ok-box payment-done" id="payment-done">
                    <span>
                        <strong>{format!("Receipt {} ", d.receipt)}</strong>
                        {format!("for {} {} recorded. ", d.amount, d.currency)}
                        {if d.paid_through.is_empty() { String::new() } else { format!("Paid through {}.", d.paid_through) }}
                    </span>
                    <ReceiptPdf receipt=d.receipt.clone() />
                </div>
            })}
            {move || account.get().and_then(Result::ok).map(|s| view! {
                <p class="muted" id="payment-balance">{if s.owes {
                    format!("{} owes {} {} on {} open invoice(s).", s.customer_name, s.balance, s.currency, s.open_invoices.len())
                } else {
                    format!("{} owes nothing now (balance {} {}).", s.customer_name, s.balance, s.currency)
                }}</p>
            })}
            <div class="grid-4">
                <label class="field"><span class="field-label">"Amount"</span>
                    <input id="payment-amount" type="text" inputmode="decimal" placeholder="25.00"
                        prop:value=move || draft.with(|d| d.amount.clone()) on:input=set("amount", |d, v| d.amount = v) />
                    <FieldError errors=errors field="amount" /></label>
                <label class="field"><span class="field-label">"Method"</span>
                    <select id="payment-method" prop:value=move || draft.with(|d| d.method.clone()) on:change=set("method", |d, v| d.method = v)>
                        {METHODS.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                    </select>
                    <FieldError errors=errors field="method" /></label>
                <label class="field"><span class="field-label">"Reference"</span>
                    <input id="payment-reference" type="text" placeholder="Transaction ID"
                        prop:value=move || draft.with(|d| d.reference.clone()) on:input=set("reference", |d, v| d.reference = v) />
                    <FieldError errors=errors field="reference" /></label>
                <Show when=move || open_invoices() == 0>
                    <label class="field"><span class="field-label">"Prepaid months"</span>
                        <select id="payment-months" prop:value=move || draft.with(|d| d.months.clone()) on:change=set("months", |d, v| d.months = v)>
                            <option value="">"— (credit)"</option>
                            {[1_u8, 2, 3, 6, 12].into_iter().map(|m| view! { <option value=m.to_string()>{m}</option> }).collect_view()}
                        </select>
                        <span class="field-help">"No open invoice: pay months ahead instead."</span>
                        <FieldError errors=errors field="months" /></label>
                </Show>
            </div>
            <div class="payment-preview" id="payment-preview">
                {move || match preview.get().flatten() {
                    None => view! { <span class="muted">"Enter an amount to see where it goes."</span> }.into_any(),
                    Some(Err(e)) => view! { <span class="field-error">{e.message}</span> }.into_any(),
                    Some(Ok(p)) => view! {
                        <span class="muted">"This payment: "</span>
                        {if p.allocations.is_empty() { view! { <span>"pays no invoice"</span> }.into_any() } else {
                            view! { <span>{p.allocations.iter().map(|a| format!("pays {} on {}", a.amount, a.invoice)).collect::<Vec<_>>().join(", ")}</span> }.into_any()
                        }}
                        {(!p.credit_left.is_empty()).then(|| view! { <span>{format!(" · {} left as credit", p.credit_left)}</span> })}
                        <span>{format!(" · balance after {}", p.balance)}</span>
                        {(!p.paid_through.is_empty()).then(|| view! {
                            <span class="strong" id="payment-paid-through">{format!(" · paid through {}", p.paid_through)}</span>
                        })}
                    }.into_any(),
                }}
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="payment-save">"Record payment"</button>
                <button type="button" class="secondary" on:click=move |_| paying.set(false)>"Close"</button>
            </div>
        </form>
    }
}

/// "Save receipt PDF": the app asks where.
#[component]
pub fn ReceiptPdf(receipt: String) -> impl IntoView {
    let note = RwSignal::new(None::<String>);
    let receipt = StoredValue::new(receipt);
    let save = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let args = ReceiptArgs { receipt: receipt.get_value(), path: None };
            note.set(match ipc::invoke::<_, Option<SavedFile>>(billing::SAVE_RECEIPT_PDF, args).await {
                Ok(Some(saved)) => Some(format!("Saved {}", saved.path)),
                Ok(None) => None,
                Err(e) => Some(e.message),
            });
        });
    };
    view! {
        <button type="button" class="link receipt-pdf" on:click=save>"Save receipt PDF"</button>
        {move || note.get().map(|n| view! { <span class="muted small">{format!(" {n}")}</span> })}
    }
}

/// The customer's account: balance, every document and payment with the
/// running balance, and one-off charges for the next invoice.
#[component]
pub fn StatementCard(customer: i64) -> impl IntoView {
    let console = Console::get();
    let account = statement(customer);
    let charging = RwSignal::new(false);
    view! {
        <section class="card table-card" id="customer-statement">
            <div class="card-head">
                <h2>"Statement"</h2>
                <span class="statement-balance">
                    {move || account.get().and_then(Result::ok).map(|s| {
                        let (class, text) = if s.owes {
                            ("pill pill-bad", format!("owes {} {}", s.balance, s.currency))
                        } else {
                            ("pill pill-ok", format!("balance {} {}", s.balance, s.currency))
                        };
                        view! { <span class=class id="statement-balance">{text}</span> }
                    })}
                    <button class="link" id="add-charge" on:click=move |_| charging.update(|c| *c = !*c)>"Add charge"</button>
                </span>
            </div>
            <Show when=move || charging.get()>
                <ChargeEditor customer=customer charging=charging />
            </Show>
            {move || match account.get() {
                None => Loading().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
                Some(Ok(s)) if s.entries.is_empty() => view! { <p class="muted pad">"No invoice or payment yet."</p> }.into_any(),
                Some(Ok(s)) => view! {
                    <table class="table">
                        <thead><tr><th>"Date"</th><th>"Document"</th><th>"Description"</th><th class="num">"Charged"</th><th class="num">"Paid"</th><th class="num">"Balance"</th><th></th></tr></thead>
                        <tbody>
                            {s.entries.into_iter().map(|e| {
                                let open = s.open_invoices.iter().find(|i| i.number == e.number).map(|i| i.status.clone());
                                let number = e.number.clone();
                                let link = e.kind != "payment";
                                view! {
                                    <tr>
                                        <td class="mono nowrap">{e.date}</td>
                                        <td class="mono">{if link {
                                            view! { <button class="link mono" on:click=move |_| console.open_invoice(number.clone())>{e.number.clone()}</button> }.into_any()
                                        } else { view! { <span>{e.number.clone()}</span> }.into_any() }}</td>
                                        <td>{e.description}</td>
                                        <td class="mono num">{e.debit}</td>
                                        <td class="mono num">{e.credit}</td>
                                        <td class="mono num strong">{e.balance}</td>
                                        <td>{open.map(|st| view! { <InvoiceStatusPill status=st /> })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ChargeEditor(customer: i64, charging: RwSignal<bool>) -> impl IntoView {
    let console = Console::get();
    let description = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        let form = ChargeForm { customer_id: customer, description: description.get(), amount: amount.get() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(billing::ADD_CHARGE, ChargeArgs { form }).await {
                Ok(()) => {
                    charging.set(false);
                    console.changed();
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    view! {
        <form class="inline-form" id="charge-form" novalidate=true on:submit=save>
            <label class="field"><span class="field-label">"Charge"</span>
                <input id="charge-description" type="text" placeholder="Installation" prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev)) />
                <FieldError errors=errors field="description" /></label>
            <label class="field"><span class="field-label">"Amount"</span>
                <input id="charge-amount" type="text" inputmode="decimal" placeholder="50.00" prop:value=move || amount.get()
                    on:input=move |ev| amount.set(event_target_value(&ev)) />
                <FieldError errors=errors field="amount" /></label>
            <div class="field"><span class="field-label">" "</span>
                <button type="submit" class="primary" id="charge-save">"Add to the next invoice"</button></div>
            <FormError errors=errors />
        </form>
    }
}

//! One service: everything about it, what can be done to it (edit,
//! suspend/activate, record a payment, retry) and what was done to it (its
//! queue rows, activity, router log lines and payments), with its
//! customer's statement (`payment.rs`), a PPPoE service's sessions and
//! usage (`sessions.rs`) and RADIUS test login (`radius.rs`), and the
//! customer's Messages card (`messages/customer.rs`).

mod fibre;
mod payment;
mod radius;
mod sessions;

use headend_ipc::{ErrorDto, QueueRowDto, ServiceDetail, SetServiceStatus, command};
use leptos::prelude::*;
use serde::Serialize;

use super::IdArgs;
use crate::app::{Console, Page};
use crate::components::{DueDate, ErrorBox, Loading, OnRouter, RouterLogTable, StatusPill};
use crate::format;
use crate::ipc;

#[derive(Serialize)]
struct StatusArgs {
    change: SetServiceStatus,
}

#[component]
pub fn Service(id: i64) -> impl IntoView {
    let console = Console::get();
    let detail = LocalResource::new(move || {
        console.provisioning_changed.track();
        ipc::invoke::<_, ServiceDetail>(command::GET_SERVICE, IdArgs { id })
    });
    let notice = RwSignal::new(None::<Result<String, ErrorDto>>);
    let paying = RwSignal::new(false);
    let confirm_suspend = RwSignal::new(false);
    // The customer, kept through reloads so the payment form survives them.
    let customer = Memo::new(move |prev: Option<&Option<i64>>| {
        detail.get().and_then(Result::ok).map(|d| d.customer.id).or(prev.copied().flatten())
    });

    let pppoe = Memo::new(move |_| detail.get().and_then(Result::ok).map(|d| d.service.kind == "pppoe"));

    let set_status = move |status: &'static str| {
        confirm_suspend.set(false);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let change = SetServiceStatus { id, status: status.to_owned() };
            match ipc::invoke::<_, ()>(command::SET_SERVICE_STATUS, StatusArgs { change }).await {
                Ok(()) => {
                    notice.set(Some(Ok(match status {
                        "suspended" => "Suspended: the router cuts the customer off now.".to_owned(),
                        _ => "Activated: the router lets the customer in now.".to_owned(),
                    })));
                    console.changed();
                }
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    };
    let retry = move || {
        notice.set(None);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(command::RETRY_SERVICE, IdArgs { id }).await {
                Ok(()) => {
                    notice.set(Some(Ok("Trying again now.".to_owned())));
                    console.changed();
                }
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    };

    view! {
        <button class="link back" on:click=move |_| console.open(Page::Customers)>"← Customers"</button>
        {move || match detail.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(d)) => {
                let s = d.service;
                let suspended = s.status == "suspended";
                let failed: Vec<QueueRowDto> = d.queue.into_iter().filter(|q| q.status == "failed").collect();
                view! {
                    <div class="page-header with-actions">
                        <div>
                            <h1 id="page-title">{format!("{} · {}", s.login, s.customer_name)}</h1>
                            <p class="muted">{format!("{} service on {}", if s.kind == "pppoe" { "PPPoE" } else { "Static IP" }, s.router_name)}</p>
                        </div>
                        <div class="actions">
                            <button class="secondary" id="service-edit" on:click=move |_| console.open(Page::ServiceForm(Some(id)))>"Edit"</button>
                            {if suspended {
                                view! { <button class="secondary" id="service-activate" on:click=move |_| set_status("active")>"Activate"</button> }.into_any()
                            } else {
                                view! { <button class="secondary danger-text" id="service-suspend" on:click=move |_| confirm_suspend.set(true)>"Suspend"</button> }.into_any()
                            }}
                            <button class="secondary" id="service-retry" title="Try everything this service needs on its router again, now" on:click=move |_| retry()>"Retry"</button>
                            <button class="primary" id="service-pay" on:click=move |_| paying.update(|p| *p = !*p)>"Record payment"</button>
                        </div>
                    </div>
                    {(!failed.is_empty()).then(|| view! {
                        <div class="error-box" id="service-failure" role="alert">
                            <strong>"Provisioning failed. "</strong>
                            {failed.iter().map(|f| format!("On {}: {}", f.router_name, f.last_error)).collect::<Vec<_>>().join(" · ")}
                            <div class="small">"Headend stopped trying. Fix the cause on the router, then Retry."</div>
                        </div>
                    })}
                }
                .into_any()
            }
        }}
        {move || notice.get().map(|n| match n {
            Ok(text) => view! { <div class="ok-box" id="service-notice">{text}</div> }.into_any(),
            Err(e) => view! { <ErrorBox error=e /> }.into_any(),
        })}
        // Outside the reloads, so a payment being typed survives them.
        {move || customer.get().filter(|_| paying.get()).map(|c| view! { <payment::PaymentEditor id=id customer=c paying=paying /> })}
        {move || detail.get().and_then(Result::ok).map(|d| {
            let s = d.service.clone();
            let pppoe = s.kind == "pppoe";
            let grace = match s.grace_days {
                Some(g) => format!("{g} days"),
                None => format!("{} days (the ISP's)", d.isp_grace_days),
            };
            view! {
                <div class="detail-grid">
                    <section class="card">
                        <h2>"Service"</h2>
                        <dl class="facts" id="service-facts">
                            <dt>{if pppoe { "PPPoE user" } else { "Address" }}</dt><dd class="mono">{s.login.clone()}</dd>
                            <dt>"Router"</dt><dd>{s.router_name.clone()}</dd>
                            <dt>"Plan"</dt><dd>{s.plan_name.clone()}</dd>
                            <dt>"Status"</dt><dd id="service-status"><StatusPill status=s.status.clone() /></dd>
                            <dt>"Next billing date"</dt><dd id="service-due"><DueDate service=s.clone() /></dd>
                            <dt>"Grace"</dt><dd>{grace}</dd>
                            <dt>"On the router"</dt>
                            <dd id="service-on-router">
                                <OnRouter service=s.clone() />
                                {(!s.provisioned_at.is_empty()).then(|| view! {
                                    <span class="muted small">{format!(" last confirmed {}", format::relative(&s.provisioned_at))}</span>
                                })}
                            </dd>
                        </dl>
                    </section>
                    <section class="card">
                        <h2>"Customer"</h2>
                        <dl class="facts" id="customer-facts">
                            <dt>"Name"</dt><dd>{d.customer.name.clone()}</dd>
                            <dt>"Phone"</dt><dd>{or_dash(&d.customer.phone)}</dd>
                            <dt>"Email"</dt><dd>{or_dash(&d.customer.email)}</dd>
                            <dt>"Address"</dt><dd>{or_dash(&d.customer.address)}</dd>
                        </dl>
                    </section>
                </div>
            }
        })}
        // Outside the reloads: the history is read once per visit.
        {move || (pppoe.get() == Some(true)).then(|| view! { <sessions::SessionsCard id=id /> })}
        // Outside the reloads, so a serial being typed survives them.
        <fibre::FibreCard id=id />
        // Outside the reloads, so a secret being typed survives them.
        {move || (pppoe.get() == Some(true)).then(|| view! { <radius::TestLogin id=id /> })}
        // Outside the reloads too, so contact preferences being typed survive them.
        {move || customer.get().map(|c| view! { <super::messages::CustomerMessages customer=c /> })}
        {move || detail.get().and_then(Result::ok).map(|d| view! {
            <payment::StatementCard customer=d.customer.id />
            <QueueCard rows=d.queue.clone() />
            <HistoryCard detail=d />
        })}
        <Show when=move || confirm_suspend.get()>
            <div class="modal-backdrop">
                <div class="modal" role="dialog" id="confirm-suspend">
                    <h2>"Suspend this service?"</h2>
                    <p class="muted">"The router disables the customer's access and ends their live session now. Activate it again, or record a payment, to bring them back."</p>
                    <div class="form-actions">
                        <button class="danger-button" id="confirm-suspend-yes" on:click=move |_| set_status("suspended")>"Suspend"</button>
                        <button class="secondary" on:click=move |_| confirm_suspend.set(false)>"Cancel"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

fn or_dash(text: &str) -> String {
    if text.is_empty() { "—".to_owned() } else { text.to_owned() }
}

/// The service's rows in the durable queue, each with its own Retry.
#[component]
pub fn QueueCard(rows: Vec<QueueRowDto>) -> impl IntoView {
    view! {
        <section class="card table-card" id="service-queue">
            <div class="card-head"><h2>"Provisioning queue"</h2>
                <span class="muted small">"Router actions that failed and wait for a retry"</span></div>
            {if rows.is_empty() {
                view! { <p class="muted pad">"Nothing queued: every action for this service went through."</p> }.into_any()
            } else {
                view! { <super::provisioning::QueueTable rows=rows show_service=false /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn HistoryCard(detail: ServiceDetail) -> impl IntoView {
    let activity = detail.activity;
    let log = detail.router_log;
    let payments = detail.payments;
    view! {
        <section class="card table-card" id="service-history">
            <div class="card-head"><h2>"What was done"</h2><span class="muted small">"Newest first"</span></div>
            {if activity.is_empty() {
                view! { <p class="muted pad">"Nothing yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="service-activity">
                        <thead><tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"Detail"</th></tr></thead>
                        <tbody>
                            {activity.into_iter().map(|e| view! {
                                <tr>
                                    <td class="mono nowrap">{format::local_time(&e.at)}</td>
                                    <td>{e.actor}</td>
                                    <td class="strong">{e.action}</td>
                                    <td>{e.detail}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card table-card" id="service-router-log">
            <div class="card-head"><h2>"Sent to the router"</h2><span class="muted small">"Each command, its outcome and how long it took"</span></div>
            <RouterLogTable log=log empty="No command sent for this service yet." />
        </section>
        <section class="card table-card" id="service-payments">
            <div class="card-head"><h2>"Payments"</h2></div>
            {if payments.is_empty() {
                view! { <p class="muted pad">"No payment recorded yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th>"Date"</th><th>"Receipt"</th><th class="num">"Amount"</th><th>"Method"</th><th>"Reference"</th><th>"Paid through"</th><th>"By"</th><th></th></tr></thead>
                        <tbody>
                            {payments.into_iter().map(|p| {
                                let due = match (p.previous_due.is_empty(), p.new_due.is_empty()) {
                                    (_, true) => "—".to_owned(),
                                    (true, false) => p.new_due.clone(),
                                    (false, false) => format!("{} → {}", p.previous_due, p.new_due),
                                };
                                let months = p.months.map(|m| format!(" ({m} months prepaid)")).unwrap_or_default();
                                view! {
                                    <tr>
                                        <td class="mono nowrap">{p.paid_on.clone()}</td>
                                        <td class="mono">{p.receipt.clone()}</td>
                                        <td class="mono num">{p.amount.clone()}</td>
                                        <td>{p.method.clone()}{months}</td>
                                        <td class="mono">{p.reference.clone()}</td>
                                        <td class="mono">{due}</td>
                                        <td>{p.actor.clone()}</td>
                                        <td class="row-actions"><payment::ReceiptPdf receipt=p.receipt.clone() /></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

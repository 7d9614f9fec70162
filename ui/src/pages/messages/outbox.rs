//! The outbox: every message with where it stands, filtered by status with
//! the counts on the chips, and Retry on the failed and waiting ones. A
//! row opens to its text.

use headend_ipc::ErrorDto;
use headend_ipc::messages::{MessageRow, OutboxPage, OutboxQueryDto, command};
use leptos::prelude::*;
use serde::Serialize;

use super::{channel_label, event_label};
use crate::app::{Console, MessagesTab, Page};
use crate::components::{EmptyState, ErrorBox, Icon, Loading, MessageStatusPill};
use crate::format;
use crate::ipc;
use crate::pages::IdArgs;

#[derive(Serialize)]
struct QueryArgs {
    query: OutboxQueryDto,
}

#[component]
pub fn Outbox(failed_only: bool) -> impl IntoView {
    let console = Console::get();
    let status = RwSignal::new(if failed_only { "failed".to_owned() } else { String::new() });
    let reload = RwSignal::new(0_u32);
    let notice: RetryNotice = RwSignal::new(None);
    let page = LocalResource::new(move || {
        reload.track();
        console.messages_changed.track();
        console.failures.track();
        let query = OutboxQueryDto { status: status.get(), customer_id: None };
        ipc::invoke::<_, OutboxPage>(command::LIST_MESSAGES, QueryArgs { query })
    });
    let filter = move |value: &'static str, label: &'static str| {
        let count = move || {
            page.get().and_then(Result::ok).map(|p| {
                let c = p.counts;
                match value {
                    "queued" => c.queued,
                    "sending" => c.sending,
                    "sent" => c.sent,
                    "failed" => c.failed,
                    _ => c.queued + c.sending + c.sent + c.failed,
                }
            })
        };
        view! {
            <button class="chip" id=format!("outbox-filter-{}", if value.is_empty() { "all" } else { value })
                class:active=move || status.with(|s| s == value)
                on:click=move |_| status.set(value.to_owned())>
                {label}
                {move || count().map(|n| view! { <span class="chip-count">{n}</span> })}
            </button>
        }
    };
    let total = move || {
        page.get().and_then(Result::ok).map(|p| p.counts.queued + p.counts.sending + p.counts.sent + p.counts.failed)
    };
    view! {
        <Show when=move || { total().is_some_and(|n| n > 0) || status.with(|s| !s.is_empty()) }>
            <div class="toolbar chips" id="outbox-counts">
                {filter("", "All")}
                {filter("failed", "Failed")}
                {filter("queued", "Queued")}
                {filter("sending", "Sending")}
                {filter("sent", "Sent")}
            </div>
        </Show>
        <RetryAnswer notice=notice />
        {move || match page.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(p)) if p.rows.is_empty() && total() == Some(0) => view! {
                <EmptyState
                    icon=Icon::Mail
                    title="No messages yet"
                    text="Invoices, receipts, reminders and blasts go to customers by e-mail, SMS or WhatsApp from here. Set up a provider first; each message then waits here until it is sent, and one a provider refuses stays with its reason for you to retry."
                >
                    <div class="empty-actions">
                        <button class="primary" id="outbox-setup" on:click=move |_| console.open(Page::Messages(MessagesTab::Settings))>"Set up a channel"</button>
                    </div>
                </EmptyState>
            }
            .into_any(),
            Some(Ok(p)) if p.rows.is_empty() => {
                view! { <div class="card empty-inline" id="outbox-none"><p class="muted">"No message with this status."</p></div> }.into_any()
            }
            Some(Ok(p)) => view! {
                <div class="card table-card">
                    <MessageTable rows=p.rows show_customer=true reload=reload notice=notice />
                </div>
                {p.more.then(|| view! { <p class="muted small pad">"The newest 500 are shown: pick a status to see others."</p> })}
            }
            .into_any(),
        }}
    }
}

/// What a Retry answered, kept by the table's page so it outlives the
/// reload the retry causes.
pub type RetryNotice = RwSignal<Option<Result<String, ErrorDto>>>;

/// A retry's answer, above the table.
#[component]
pub fn RetryAnswer(notice: RetryNotice) -> impl IntoView {
    move || {
        notice.get().map(|n| match n {
            Ok(text) => view! { <div class="ok-box" id="message-notice">{text}</div> }.into_any(),
            Err(e) => view! { <ErrorBox error=e /> }.into_any(),
        })
    }
}

/// Messages with their Retry buttons; a click on a row shows its text.
#[component]
pub fn MessageTable(
    rows: Vec<MessageRow>,
    show_customer: bool,
    reload: RwSignal<u32>,
    notice: RetryNotice,
) -> impl IntoView {
    let console = Console::get();
    let open = RwSignal::new(None::<i64>);
    let retry = move |id: i64| {
        notice.set(None);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, MessageRow>(command::RETRY_MESSAGE, IdArgs { id }).await {
                Ok(m) => {
                    let to = if m.recipient.is_empty() { String::new() } else { format!(" to {}", m.recipient) };
                    notice.set(Some(Ok(format!("Message {id} queued again{to}: it goes out within seconds."))));
                    reload.update(|n| *n += 1);
                }
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    };
    let columns = if show_customer { 6 } else { 5 };
    view! {
        <table class="table message-table" id=if show_customer { "outbox-table" } else { "customer-messages-table" }>
            <thead>
                <tr>
                    <th>"Created"</th>
                    {show_customer.then(|| view! { <th>"Customer"</th> })}
                    <th>"Message"</th><th>"Status"</th><th>"Sent / last error"</th><th></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|m| {
                    let id = m.id;
                    let can_retry = m.status == "failed" || m.status == "queued";
                    let outcome = if m.status == "sent" {
                        view! { <span class="mono small">{format::local_time(&m.sent_at)}</span> }.into_any()
                    } else if !m.last_error.is_empty() {
                        view! { <span class="cell-error">{m.last_error.clone()}</span> }.into_any()
                    } else if m.status == "queued" {
                        view! { <span class="muted small">"waiting to go out"</span> }.into_any()
                    } else if m.status == "sending" {
                        view! { <span class="muted small">"with the provider"</span> }.into_any()
                    } else {
                        view! { <span class="muted">"—"</span> }.into_any()
                    };
                    let customer = show_customer.then(|| {
                        let name = m.customer_name.clone();
                        match m.service_id {
                            Some(service) => view! {
                                <td class="customer"><button class="link" on:click=move |ev| { ev.stop_propagation(); console.open(Page::Service(service)) }>{name}</button></td>
                            }.into_any(),
                            None => view! { <td class="customer">{name}</td> }.into_any(),
                        }
                    });
                    let to = if m.recipient.is_empty() { "no address".to_owned() } else { m.recipient.clone() };
                    let attempts = match m.attempts {
                        0 => String::new(),
                        1 => "1 attempt".to_owned(),
                        n => format!("{n} attempts"),
                    };
                    let text = m.clone();
                    view! {
                        <tr class="message-row" data-message-id=id data-status=m.status.clone()
                            title="Show the message"
                            on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                            <td class="mono small nowrap">{format::local_time(&m.created_at)}</td>
                            {customer}
                            <td>
                                <div class="strong">{event_label(&m.event)}</div>
                                <div class="muted small recipient">{channel_label(&m.channel)}" to "<span class="mono">{to}</span></div>
                            </td>
                            <td class="nowrap">
                                <MessageStatusPill status=m.status.clone() />
                                <div class="muted small attempts">{attempts}</div>
                            </td>
                            <td class="message-outcome">{outcome}</td>
                            <td class="row-actions">
                                {can_retry.then(|| view! {
                                    <button class="secondary small-button retry-message" data-message-id=id
                                        on:click=move |ev| { ev.stop_propagation(); retry(id) }>"Retry"</button>
                                })}
                            </td>
                        </tr>
                        <Show when=move || open.get() == Some(id)>
                            <tr class="message-text-row">
                                <td colspan=columns><MessageText message=text.clone() /></td>
                            </tr>
                        </Show>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A message as it went (or goes) out.
#[component]
fn MessageText(message: MessageRow) -> impl IntoView {
    view! {
        <div class="message-text">
            {(!message.subject.is_empty()).then(|| view! { <div class="strong">{message.subject.clone()}</div> })}
            {(!message.whatsapp_name.is_empty()).then(|| view! {
                <div class="muted small">{format!("WhatsApp template {}", message.whatsapp_name)}</div>
            })}
            <pre class="message-body">{message.body.clone()}</pre>
            {(!message.attachment.is_empty()).then(|| view! {
                <div class="muted small">{format!("Attached: {}", message.attachment.split_once(':').map_or(message.attachment.as_str(), |(_, n)| n))}".pdf"</div>
            })}
        </div>
    }
}

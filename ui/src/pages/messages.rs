//! The Messages area: the outbox with its retries, the templates with a
//! live preview on a real customer, blasts with their recipient count, and
//! the providers' settings with a test message (in `messages/`); and the
//! customer page's Messages card (`customer.rs`).

mod blast;
mod customer;
mod outbox;
mod settings;
mod templates;

pub use customer::CustomerMessages;
use headend_ipc::messages::MessageOptions;
use leptos::prelude::*;

use crate::app::{Console, MessagesTab, Page};

/// A channel as the operator reads it.
pub fn channel_label(channel: &str) -> &'static str {
    match channel {
        "email" => "E-mail",
        "sms" => "SMS",
        "whatsapp" => "WhatsApp",
        _ => "Other",
    }
}

/// An event as the operator reads it.
pub fn event_label(event: &str) -> &'static str {
    match event {
        "invoice-issued" => "Invoice issued",
        "payment-received" => "Payment received",
        "due-soon" => "Due soon",
        "overdue" => "Overdue",
        "suspended" => "Suspended",
        "reconnected" => "Reconnected",
        "plan-changed" => "Plan changed",
        "blast" => "Blast",
        _ => "Other",
    }
}

/// What the area's pickers offer, loaded once per visit.
pub type Options = LocalResource<Result<MessageOptions, headend_ipc::ErrorDto>>;

#[component]
pub fn Messages(tab: MessagesTab) -> impl IntoView {
    let console = Console::get();
    let options: Options =
        LocalResource::new(|| crate::ipc::call::<MessageOptions>(headend_ipc::messages::command::MESSAGE_OPTIONS));
    let tabs = [
        (MessagesTab::Outbox { failed_only: false }, "tab-outbox", "Outbox"),
        (MessagesTab::Templates, "tab-templates", "Templates"),
        (MessagesTab::Blast, "tab-blast", "Blast"),
        (MessagesTab::Settings, "tab-message-settings", "Settings"),
    ];
    let same = move |t: MessagesTab| match (t, tab) {
        (MessagesTab::Outbox { .. }, MessagesTab::Outbox { .. }) => true,
        (a, b) => a == b,
    };
    view! {
        <div class="page-header">
            <h1 id="page-title">"Messages"</h1>
            <p class="muted">"E-mail, SMS and WhatsApp to customers: what went out and what failed, the texts each event sends, blasts, and the providers."</p>
        </div>
        <div class="tabs" role="tablist">
            {tabs.into_iter().map(|(t, id, label)| view! {
                <button class="tab" id=id role="tab" class:active=same(t) on:click=move |_| console.open(Page::Messages(t))>
                    {label}
                    {matches!(t, MessagesTab::Outbox { .. }).then(|| view! {
                        <Show when=move || { console.failures.with(|f| f.failed_messages > 0) }>
                            <span class="tab-count bad">{move || console.failures.with(|f| f.failed_messages)}</span>
                        </Show>
                    })}
                </button>
            }).collect_view()}
        </div>
        {match tab {
            MessagesTab::Outbox { failed_only } => view! { <outbox::Outbox failed_only=failed_only /> }.into_any(),
            MessagesTab::Templates => view! { <templates::Templates options=options /> }.into_any(),
            MessagesTab::Blast => view! { <blast::Blast options=options /> }.into_any(),
            MessagesTab::Settings => view! { <settings::MessageSettings /> }.into_any(),
        }}
    }
}

/// Placeholders as chips: a click puts `{name}` into the text at `target`
/// (a textarea's id), where its cursor is.
#[component]
pub fn PlaceholderChips(
    placeholders: Vec<String>,
    target: &'static str,
    #[prop(into)] on_insert: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="placeholder-chips" id=format!("{target}-placeholders")>
            <span class="muted small">"Insert:"</span>
            {placeholders.into_iter().map(|name| {
                let text = format!("{{{name}}}");
                let label = text.clone();
                view! {
                    <button type="button" class="chip placeholder" data-placeholder=name.clone()
                        title="Put it where the cursor is"
                        on:click=move |_| on_insert.run(insert_at_cursor(target, &text))>{label}</button>
                }
            }).collect_view()}
        </div>
    }
}

/// The textarea `id`'s text with `text` put where its cursor is (at the
/// end when it has none), the cursor moved after it.
fn insert_at_cursor(id: &str, text: &str) -> String {
    use wasm_bindgen::JsCast;
    let Some(area) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    else {
        return text.to_owned();
    };
    let value = area.value();
    let chars: Vec<char> = value.chars().collect();
    // The selection is in UTF-16 units; count them off in chars.
    let to_char = |units: u32| {
        let mut seen = 0_u32;
        chars
            .iter()
            .position(|c| {
                let here = seen >= units;
                seen += c.len_utf16() as u32;
                here
            })
            .unwrap_or(chars.len())
    };
    let (start, end) = match (area.selection_start(), area.selection_end()) {
        (Ok(Some(s)), Ok(Some(e))) => (to_char(s), to_char(e)),
        _ => (chars.len(), chars.len()),
    };
    let before: String = chars[..start].iter().collect();
    let after: String = chars[end.max(start)..].iter().collect();
    let cursor = (before.encode_utf16().count() + text.encode_utf16().count()) as u32;
    let joined = format!("{before}{text}{after}");
    area.set_value(&joined);
    let _ = area.focus();
    let _ = area.set_selection_range(cursor, cursor);
    joined
}

//! Small building blocks shared by the pages.

use headend_ipc::{ErrorDto, ServiceRow};
use leptos::prelude::*;

use crate::format;

/// Line icons drawn on a 24-unit grid, stroked with the current colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Dashboard,
    Map,
    Router,
    Pulse,
    Users,
    Fiber,
    Receipt,
    Mail,
    List,
    Gear,
    Bell,
    Sync,
    Plus,
}

impl Icon {
    fn paths(self) -> &'static [&'static str] {
        match self {
            Icon::Dashboard => &["M3 3h8v8H3z", "M13 3h8v5h-8z", "M13 10h8v11h-8z", "M3 13h8v8H3z"],
            Icon::Map => &["M9 4 3 6v14l6-2 6 2 6-2V4l-6 2-6-2z", "M9 4v14", "M15 6v14"],
            Icon::Router => &[
                "M3 13h18v6H3z",
                "M7 16h.01",
                "M11 16h.01",
                "M12 13V9",
                "M8.5 7.5a5 5 0 0 1 7 0",
                "M6 5a8.5 8.5 0 0 1 12 0",
            ],
            Icon::Pulse => &["M3 12h4l3-8 4 16 3-8h4"],
            Icon::Users => &[
                "M16 20v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2",
                "M9 10a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
                "M22 20v-2a4 4 0 0 0-3-3.9",
                "M16 2.1a4 4 0 0 1 0 7.8",
            ],
            Icon::Fiber => {
                &["M12 3v6", "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z", "M9.5 13.5 4 20", "M14.5 13.5 20 20", "M12 15v6"]
            }
            Icon::Receipt => &["M5 2h14v20l-3-2-2 2-2-2-2 2-2-2-3 2z", "M9 7h6", "M9 11h6", "M9 15h4"],
            Icon::Mail => &["M3 5h18v14H3z", "M3 6l9 7 9-7"],
            Icon::List => &["M8 6h13", "M8 12h13", "M8 18h13", "M3 6h.01", "M3 12h.01", "M3 18h.01"],
            Icon::Gear => &[
                "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
                "M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z",
            ],
            Icon::Bell => &["M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9", "M13.7 21a2 2 0 0 1-3.4 0"],
            Icon::Sync => &["M21 12a9 9 0 0 1-15.5 6.2", "M3 12a9 9 0 0 1 15.5-6.2", "M18.5 2v4h-4", "M5.5 22v-4h4"],
            Icon::Plus => &["M12 5v14", "M5 12h14"],
        }
    }

    pub fn view(self) -> impl IntoView {
        view! {
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                {self.paths().iter().map(|d| view! { <path d=*d /> }).collect_view()}
            </svg>
        }
    }
}

#[component]
pub fn PageHeader(#[prop(into)] title: String, #[prop(into)] subtitle: String) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1 id="page-title">{title}</h1>
            <p class="muted">{subtitle}</p>
        </div>
    }
}

/// What a page shows when it has nothing yet: what it is for and what to
/// do first.
#[component]
pub fn EmptyState(
    icon: Icon,
    #[prop(into)] title: String,
    #[prop(into)] text: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <div class="empty-icon">{icon.view()}</div>
            <h2>{title}</h2>
            <p>{text}</p>
            {children.map(|c| c())}
        </div>
    }
}

#[component]
pub fn ErrorBox(error: ErrorDto) -> impl IntoView {
    view! { <div class="error-box" role="alert">{error.message}</div> }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true">"Loading…"</div> }
}

/// A service status as a coloured pill.
#[component]
pub fn StatusPill(#[prop(into)] status: String) -> impl IntoView {
    let class = match status.as_str() {
        "active" => "pill pill-ok",
        "suspended" => "pill pill-bad",
        "pending" => "pill pill-warn",
        _ => "pill",
    };
    view! { <span class=class>{status}</span> }
}

/// An invoice's status as a coloured pill.
#[component]
pub fn InvoiceStatusPill(#[prop(into)] status: String) -> impl IntoView {
    let class = match status.as_str() {
        "paid" => "pill pill-ok",
        "overdue" => "pill pill-bad",
        "open" => "pill pill-warn",
        _ => "pill",
    };
    view! { <span class=class>{status}</span> }
}

/// A message's status in the outbox as a coloured pill.
#[component]
pub fn MessageStatusPill(#[prop(into)] status: String) -> impl IntoView {
    let class = match status.as_str() {
        "sent" => "pill pill-ok",
        "failed" => "pill pill-bad",
        "queued" | "sending" => "pill pill-warn",
        _ => "pill",
    };
    view! { <span class=class>{status}</span> }
}

/// A bar that fills as `done` approaches `total`.
#[component]
pub fn ProgressBar(done: u32, total: u32) -> impl IntoView {
    let percent = if total == 0 { 100.0 } else { f64::from(done) * 100.0 / f64::from(total) };
    view! {
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total aria-valuenow=done>
            <div class="progress-fill" style:width=format!("{percent:.0}%")></div>
        </div>
    }
}

/// Text to paste elsewhere (commands for a router's terminal): a
/// monospace block and a Copy button that selects it and copies it.
#[component]
pub fn CopyBlock(#[prop(into)] id: String, text: String) -> impl IntoView {
    let block = NodeRef::<leptos::html::Pre>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |_| {
        let Some(pre) = block.get() else { return };
        let document = document();
        let selected = document
            .get_selection()
            .ok()
            .flatten()
            .is_some_and(|selection| selection.select_all_children(&pre).is_ok());
        let html: &web_sys::HtmlDocument = wasm_bindgen::JsCast::unchecked_ref(&document);
        copied.set(Some(match (selected, html.exec_command("copy")) {
            (true, Ok(true)) => "Copied.",
            (true, _) => "Selected: press Ctrl+C to copy.",
            (false, _) => "Select the text and copy it.",
        }));
    };
    view! {
        <div class="copy-block">
            <pre class="mono selectable" id=id node_ref=block>{text}</pre>
            <div class="form-actions">
                <button type="button" class="secondary small-button copy-button" on:click=copy>"Copy"</button>
                {move || copied.get().map(|c| view! { <span class="muted small copied">{c}</span> })}
            </div>
        </div>
    }
}

/// A form's errors: one per field at most, and at most one about the
/// whole form (no `field`).
pub type Errors = RwSignal<Vec<ErrorDto>>;

/// The message of the error about `field`, under that field.
#[component]
pub fn FieldError(errors: Errors, field: &'static str) -> impl IntoView {
    move || {
        errors.with(|all| {
            all.iter()
                .find(|e| e.field.as_deref() == Some(field))
                .map(|e| view! { <span class="field-error" role="alert" id=format!("error-{field}")>{e.message.clone()}</span> })
        })
    }
}

/// Forgets the error about `field` (the operator is fixing it).
pub fn clear_error(errors: Errors, field: &str) {
    if errors.with_untracked(|all| all.iter().any(|e| e.field.as_deref() == Some(field))) {
        errors.update(|all| all.retain(|e| e.field.as_deref() != Some(field)));
    }
}

/// Whether `field` has an error (to outline its input).
pub fn has_error(errors: Errors, field: &'static str) -> impl Fn() -> bool + Copy {
    move || errors.with(|all| all.iter().any(|e| e.field.as_deref() == Some(field)))
}

/// An error not about one field, above the form's buttons.
#[component]
pub fn FormError(errors: Errors) -> impl IntoView {
    move || errors.with(|all| all.iter().find(|e| e.field.is_none()).cloned()).map(|e| view! { <ErrorBox error=e /> })
}

/// Whether the service is on its router as it should be, as the last
/// sweep confirmed.
#[component]
pub fn OnRouter(service: ServiceRow) -> impl IntoView {
    let since =
        if service.provisioned_at.is_empty() { String::new() } else { format::local_time(&service.provisioned_at) };
    let (class, text, title) = match (service.should_be_on, service.on_router, service.provisioned_at.is_empty()) {
        (true, true, _) => ("pill pill-ok", "On router", format!("Confirmed on the router {since}")),
        (true, false, _) => ("pill pill-warn", "Waiting", "Not on the router yet: the next sweep adds it".to_owned()),
        (false, true, _) => {
            ("pill pill-warn", "Still on", "Still on the router: the next sweep takes it off".to_owned())
        }
        (false, false, false) => ("pill", "Off router", format!("Confirmed off the router {since}")),
        (false, false, true) => ("pill", "Not on router", "Never provisioned".to_owned()),
    };
    view! { <span class=class title=title>{text}</span> }
}

/// A due date, with how overdue it is.
#[component]
pub fn DueDate(service: ServiceRow) -> impl IntoView {
    if service.next_billing_date.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    let overdue = service.days_overdue.map(|days| {
        let (class, text) = match (service.grace_ended, days) {
            (true, _) => ("overdue cut", format!("cut off, {days} d overdue")),
            (false, 1) => ("overdue", "1 day overdue".to_owned()),
            (false, d) => ("overdue", format!("{d} days overdue")),
        };
        view! { <span class=class>{text}</span> }
    });
    view! {
        <span class="due">
            <span class="mono">{service.next_billing_date.clone()}</span>
            {overdue}
        </span>
    }
    .into_any()
}

/// Commands sent to a router, newest first: each with its outcome (and
/// the router's error) and how long it took. `empty` says why there are none.
#[component]
pub fn RouterLogTable(log: Vec<headend_ipc::RouterLogRow>, empty: &'static str) -> impl IntoView {
    if log.is_empty() {
        return view! { <p class="muted pad">{empty}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th>"When"</th><th>"Command"</th><th>"Outcome"</th><th class="num">"Took"</th></tr></thead>
            <tbody>
                {log.into_iter().map(|l| {
                    let class = match l.outcome.as_str() {
                        "ok" => "pill pill-ok",
                        "error" => "pill pill-bad",
                        _ => "pill pill-warn",
                    };
                    view! {
                        <tr>
                            <td class="mono nowrap">{crate::format::local_time(&l.at)}</td>
                            <td class="mono command">{l.command}{(!l.error.is_empty()).then(|| view! { <div class="cell-error">{l.error.clone()}</div> })}</td>
                            <td><span class=class>{l.outcome}</span></td>
                            <td class="mono num">{l.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// What each suspension mode does, as the ISP's rule (Settings) and a
/// router's own (its page) offer it.
pub const SUSPENSION_MODES: [(&str, &str); 3] = [
    ("disable", "Disables the user, ends the session"),
    ("remove", "Removes the user, ends the session"),
    ("address-list", "Redirects to a payment page"),
];

/// The words of [`SUSPENSION_MODES`] for `mode`; empty for an unknown one.
pub fn suspension_label(mode: &str) -> &'static str {
    SUSPENSION_MODES.iter().find(|(value, _)| *value == mode).map_or("", |(_, label)| label)
}

/// The POP field of the router and OLT forms: a name typed or picked from
/// the existing POPs; a new name adds the POP when the form is saved.
#[component]
pub fn PopField<S>(id: &'static str, value: Signal<String>, set: S) -> impl IntoView
where
    S: Fn(String) + Copy + Send + Sync + 'static,
{
    let names = LocalResource::new(|| crate::ipc::call::<Vec<String>>(headend_ipc::command::LIST_POPS));
    let list = format!("{id}-names");
    view! {
        <label class="field"><span class="field-label">"POP"</span>
            <input id=id type="text" list=list.clone() placeholder="e.g. Westlands tower" prop:value=move || value.get()
                on:input=move |ev| set(event_target_value(&ev)) />
            <datalist id=list>
                {move || names.get().and_then(Result::ok).unwrap_or_default().into_iter()
                    .map(|n| view! { <option value=n.clone()></option> }).collect_view()}
            </datalist>
            <span class="field-help">"The site it stands in: pick one or type a new name. The map filters by POP."</span>
        </label>
    }
}

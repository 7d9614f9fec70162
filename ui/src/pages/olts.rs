//! OLTs & ONUs: the OLTs with their health and the unconfigured ONUs of
//! all of them (this page); one OLT's ports, ONUs and command log
//! (`olt.rs`); one ONU's signal history, alerts and actions (`onu.rs`,
//! the chart in `chart.rs`); the Authorize dialog (`authorize.rs`); the
//! OLT form and the host-key dialog (`form.rs`).

mod authorize;
mod chart;
mod form;
mod log;
mod olt;
mod onu;

use headend_ipc::ErrorDto;
use headend_ipc::olt::{OltForm, OltRow, OltsView, command};
use leptos::prelude::*;

pub use olt::{OltPage, OltPageProps};
pub use onu::{OnuPage, OnuPageProps};

use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Icon, Loading};
use crate::format;
use crate::ipc;

/// dBm as an operator reads it, with a real minus sign; "—" without a
/// reading (never 0).
pub fn dbm(value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{v:.2}").replace('-', "\u{2212}"),
        None => "—".to_owned(),
    }
}

/// A threshold as set: `−27`, `−27.5`.
pub fn threshold(v: f64) -> String {
    format!("{v}").replace('-', "\u{2212}")
}

/// A plain number with its unit, or "—".
pub fn reading(value: Option<f64>, decimals: usize, unit: &str) -> String {
    match value {
        Some(v) => format!("{v:.decimals$} {unit}").replace('-', "\u{2212}"),
        None => "—".to_owned(),
    }
}

/// ONU Rx in its band's colour (good, warning, critical), "—" without one.
#[component]
pub fn Rx(value: Option<f64>, #[prop(into)] band: String) -> impl IntoView {
    let title = match band.as_str() {
        "good" => "Within the thresholds",
        "warning" => "Weak: below the warning threshold",
        "critical" => "Critical: the link is about to fail (or the receiver is overloaded)",
        _ => "No reading: the ONU is not online, or the OLT gave none",
    };
    let class = if value.is_some() { format!("rx rx-{band}") } else { "rx rx-none".to_owned() };
    view! { <span class=class title=title>{dbm(value)}</span> }
}

/// An ONU's link state as a pill.
#[component]
pub fn OnuStatePill(#[prop(into)] state: String) -> impl IntoView {
    let (class, text) = match state.as_str() {
        "online" => ("pill pill-ok", "Online"),
        "los" => ("pill pill-bad", "LOS"),
        "dying-gasp" => ("pill pill-warn", "Dying gasp"),
        "offline" => ("pill", "Offline"),
        _ => ("pill", "Not ready"),
    };
    let title = match state.as_str() {
        "los" => "Loss of signal: a fibre or connector problem, or the ONU is unplugged from the fibre",
        "dying-gasp" => "The ONU reported losing power (a power cut at the customer's)",
        "other" => "Registered but not working yet (ranging, or syncing its configuration)",
        _ => "",
    };
    view! { <span class=class title=title>{text}</span> }
}

/// An open alert level as a pill.
pub fn alert_pill(level: &str) -> AnyView {
    let (class, text) = match level {
        "critical" => ("pill pill-bad", "Critical"),
        "los" => ("pill pill-bad", "LOS"),
        "warning" => ("pill pill-warn", "Weak signal"),
        _ => return ().into_any(),
    };
    view! { <span class=class>{text}</span> }.into_any()
}

/// An OLT's health as a status dot and word, with the error as its title.
pub fn health_cell(row: &OltRow) -> AnyView {
    let (class, text) = match row.health.as_str() {
        "ok" => ("status up", "Reachable"),
        "unreachable" => ("status down", "Unreachable"),
        "key_changed" => ("status down", "Host key changed"),
        "login_refused" => ("status down", "Login refused"),
        _ => ("status pending", "Not yet reached"),
    };
    view! { <span class=class title=row.error.clone()>{text}</span> }.into_any()
}

/// When something happened: relative within two days, else its local
/// date; the exact time as its title; "—" for never.
pub fn when(rfc3339: &str) -> AnyView {
    if rfc3339.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    let exact = format::local_time(rfc3339);
    let then = js_sys::Date::new(&rfc3339.into()).get_time();
    let recent = (js_sys::Date::now() - then).abs() < 2.0 * 86_400_000.0;
    let text = if recent { format::relative(rfc3339) } else { exact.chars().take(10).collect() };
    view! { <span title=exact>{text}</span> }.into_any()
}

/// The outcome of the last action, above the content.
pub type Notice = RwSignal<Option<Result<String, ErrorDto>>>;

pub fn notice_view(notice: Notice, id: &'static str) -> impl IntoView {
    move || {
        notice.get().map(|n| match n {
            Ok(text) => view! { <div class="ok-box" id=id>{text}</div> }.into_any(),
            Err(e) => view! { <ErrorBox error=e /> }.into_any(),
        })
    }
}

pub fn load_olts() -> LocalResource<Result<OltsView, ErrorDto>> {
    let console = Console::get();
    LocalResource::new(move || {
        console.olts_changed.track();
        ipc::call::<OltsView>(command::LIST_OLTS)
    })
}

/// Which part of the OLTs page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Olts,
    Unconfigured,
}

/// What the OLTs page lays out.
#[derive(Debug, Clone, PartialEq)]
enum Loaded {
    Loading,
    Failed(ErrorDto),
    Empty,
    Some,
}

#[component]
pub fn Olts() -> impl IntoView {
    let view_res = load_olts();
    let tab = RwSignal::new(Tab::Olts);
    let form = RwSignal::new(None::<OltForm>);
    let pin = RwSignal::new(None::<OltRow>);
    let notice: Notice = RwSignal::new(None);
    let unconfigured = move || {
        view_res.get().and_then(Result::ok).map(|v| v.olts.iter().map(|o| o.unconfigured).sum::<u32>()).unwrap_or(0)
    };
    let loaded = Memo::new(move |_| match view_res.get() {
        None => Loaded::Loading,
        Some(Err(e)) => Loaded::Failed(e),
        Some(Ok(v)) if v.olts.is_empty() => Loaded::Empty,
        Some(Ok(_)) => Loaded::Some,
    });
    let has_olts = move || loaded.get() == Loaded::Some;
    view! {
        <div class="page-header with-actions">
            <div>
                <h1 id="page-title">"OLTs & ONUs"</h1>
                <p class="muted">"GPON OLTs, their ONUs and optical signal."</p>
            </div>
            <div class="actions">
                <button class="primary" id="add-olt" on:click=move |_| form.set(Some(form::blank()))>"Add OLT"</button>
            </div>
        </div>
        {notice_view(notice, "olt-notice")}
        {move || form.get().map(|f| view! { <form::OltEditor initial=f form=form notice=notice /> })}
        <Show when=has_olts>
            <div class="tabs" role="tablist">
                <button role="tab" id="tab-olts" class="tab" class:active=move || tab.get() == Tab::Olts
                    on:click=move |_| tab.set(Tab::Olts)>"OLTs"</button>
                <button role="tab" id="tab-unconfigured" class="tab" class:active=move || tab.get() == Tab::Unconfigured
                    on:click=move |_| tab.set(Tab::Unconfigured)>
                    "Unconfigured ONUs"
                    <Show when=move || { unconfigured() > 0 }>
                        <span class="tab-count attention" id="unconfigured-count">{unconfigured}</span>
                    </Show>
                </button>
            </div>
        </Show>
        // Only what changes the layout re-renders it: a reload keeps an open
        // Authorize dialog open.
        {move || match (loaded.get(), tab.get()) {
            (Loaded::Loading, _) => Loading().into_any(),
            (Loaded::Failed(e), _) => view! { <ErrorBox error=e /> }.into_any(),
            (Loaded::Empty, _) => view! {
                <EmptyState
                    icon=Icon::Fiber
                    title="No OLTs yet"
                    text="Add a Huawei, ZTE or VSOL OLT that Headend can reach over SSH. Headend pins its host key on the first connection, sweeps its ONUs' optical levels every few minutes, and lists the new ONUs it discovers, ready to authorize by serial number."
                >
                    <div class="empty-actions">
                        <button class="primary" on:click=move |_| form.set(Some(form::blank()))>"Add OLT"</button>
                    </div>
                </EmptyState>
            }
            .into_any(),
            (Loaded::Some, Tab::Olts) => {
                (move || view_res.get().and_then(Result::ok).map(|v| view! { <OltList view=v form=form pin=pin notice=notice /> })).into_any()
            }
            (Loaded::Some, Tab::Unconfigured) => view! { <authorize::Unconfigured olt=None /> }.into_any(),
        }}
        {move || pin.get().map(|row| view! { <form::PinKeyDialog row=row pin=pin notice=notice /> })}
    }
}

/// The OLTs with their health, as a table.
#[component]
fn OltList(
    view: OltsView,
    form: RwSignal<Option<OltForm>>,
    pin: RwSignal<Option<OltRow>>,
    notice: Notice,
) -> impl IntoView {
    let console = Console::get();
    let t = view.thresholds;
    let changed_keys: Vec<OltRow> = view.olts.iter().filter(|o| !o.presented_key.is_empty()).cloned().collect();
    view! {
        {changed_keys
            .into_iter()
            .map(|row| {
                let name = row.name.clone();
                view! {
                    <div class="error-box key-changed" role="alert">
                        <strong>{format!("{name}: its SSH host key changed. ")}</strong>
                        "Headend stopped connecting to it. If its control board was replaced, pin the new key; otherwise someone may be intercepting the connection. "
                        <button class="link" on:click=move |_| pin.set(Some(row.clone()))>"Review the new key"</button>
                    </div>
                }
            })
            .collect_view()}
        <Show when=move || console.sweeps_paused.get()>
            <div class="warn-box" id="olts-paused">"Sweeps are paused from the tray: OLTs are not swept and zero-touch waits. Authorize and the other actions still work."</div>
        </Show>
        <div class="card table-card">
            <table class="table clickable" id="olts-table">
                <thead>
                    <tr>
                        <th>"Status"</th><th>"OLT"</th><th class="num">"Online"</th><th>"Down"</th>
                        <th>"Open alerts"</th><th class="num">"Unconfigured"</th><th>"Last sweep"</th><th></th>
                    </tr>
                </thead>
                <tbody>
                    {view
                        .olts
                        .into_iter()
                        .map(|o| {
                            let id = o.id;
                            let edit = o.clone();
                            let alerts = (o.warnings + o.criticals + o.los_alerts > 0).then(|| view! {
                                <span class="alert-counts">
                                    {(o.criticals > 0).then(|| view! { <span class="pill pill-bad">{format!("{} critical", o.criticals)}</span> })}
                                    {(o.los_alerts > 0).then(|| view! { <span class="pill pill-bad">{format!("{} LOS", o.los_alerts)}</span> })}
                                    {(o.warnings > 0).then(|| view! { <span class="pill pill-warn">{format!("{} weak", o.warnings)}</span> })}
                                </span>
                            });
                            let down = [(o.los, "LOS"), (o.dying_gasp, "power"), (o.offline, "offline")]
                                .into_iter()
                                .filter(|(n, _)| *n > 0)
                                .map(|(n, what)| format!("{n} {what}"))
                                .collect::<Vec<_>>()
                                .join(" · ");
                            view! {
                                <tr class="olt-row" data-olt-id=id on:click=move |_| console.open(Page::Olt(id))>
                                    <td>{health_cell(&o)}</td>
                                    <td class="olt-cell">
                                        <button class="link strong router-link olt-link">{o.name.clone()}</button>
                                        <div class="muted small">{format!("{} · {}:{}", o.vendor_label, o.host, o.port)}</div>
                                        {(!o.error.is_empty()).then(|| view! { <div class="cell-error">{o.error.clone()}</div> })}
                                    </td>
                                    <td class="num mono olt-online">{format!("{} / {}", o.online, o.onus)}</td>
                                    <td class="small">{if down.is_empty() { view! { <span class="muted">"—"</span> }.into_any() } else { view! { <span>{down}</span> }.into_any() }}</td>
                                    <td>{alerts.map(IntoAny::into_any).unwrap_or_else(|| view! { <span class="muted">"None"</span> }.into_any())}</td>
                                    <td class="num mono">{if o.unconfigured > 0 { view! { <span class="pill pill-accent">{o.unconfigured}</span> }.into_any() } else { view! { <span class="muted">"0"</span> }.into_any() }}</td>
                                    <td class="small">{when(&o.swept_at)}</td>
                                    <td class="row-actions">
                                        <button class="link" on:click=move |ev| {
                                            ev.stop_propagation();
                                            notice.set(None);
                                            form.set(Some(form::edit(&edit)));
                                        }>"Edit"</button>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted small thresholds-note">
            {format!(
                "ONU Rx: weak below {} dBm, critical below {} or above {} dBm. Every OLT is swept every {} min. ",
                threshold(t.warning_below), threshold(t.critical_below), threshold(t.critical_above), view.sweep_minutes
            )}
            <button class="link" id="olt-settings-link" on:click=move |_| console.open(Page::Settings)>"Change these in Settings"</button>"."
        </p>
    }
}

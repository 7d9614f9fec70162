//! One OLT: its health, its PON ports with their ONUs (state and
//! colour-coded Rx), its unconfigured ONUs and its command log.

use std::cell::RefCell;
use std::collections::HashMap;

use headend_ipc::olt::{OltForm, OltPortArgs, OltRow, OnuRowDto, PonPortDto, SweepSummary, command};
use leptos::prelude::*;
use serde::Serialize;

use super::{Notice, OnuStatePill, Rx, alert_pill, authorize, form, health_cell, load_olts, log, notice_view, when};
use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Icon, Loading};
use crate::ipc;
use crate::pages::IdArgs;

#[derive(Serialize)]
struct PortArgs {
    at: OltPortArgs,
}

thread_local! {
    /// The port last looked at on each OLT, so coming back from an ONU
    /// shows the same port.
    static LAST_PORT: RefCell<HashMap<i64, String>> = RefCell::new(HashMap::new());
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Onus,
    Unconfigured,
    Log,
}

#[component]
pub fn OltPage(id: i64) -> impl IntoView {
    let console = Console::get();
    let olts = load_olts();
    let tab = RwSignal::new(Tab::Onus);
    let form = RwSignal::new(None::<OltForm>);
    let pin = RwSignal::new(None::<OltRow>);
    let notice: Notice = RwSignal::new(None);
    let sweeping = RwSignal::new(false);
    let confirm_remove = RwSignal::new(false);
    let row = move || olts.get().and_then(Result::ok).and_then(|v| v.olts.into_iter().find(|o| o.id == id));

    let sweep = move |_| {
        sweeping.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let done = ipc::invoke::<_, SweepSummary>(command::SWEEP_OLT, IdArgs { id }).await;
            notice.set(Some(done.map(|s| {
                if s.errors.is_empty() { s.text } else { format!("{} Not read: {}", s.text, s.errors.join("; ")) }
            })));
            sweeping.set(false);
        });
    };
    let remove = move |_| {
        confirm_remove.set(false);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(command::REMOVE_OLT, IdArgs { id }).await {
                Ok(()) => console.open(Page::Olts),
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    };

    view! {
        <button class="link back" on:click=move |_| console.open(Page::Olts)>"← OLTs & ONUs"</button>
        {move || match olts.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(_)) => match row() {
                None => view! { <EmptyState icon=Icon::Fiber title="This OLT is gone" text="It was removed, from this console or the command line." /> }.into_any(),
                Some(o) => {
                    let edit = o.clone();
                    let review = o.clone();
                    view! {
                        <div class="page-header with-actions">
                            <div>
                                <h1 id="page-title">{o.name.clone()}</h1>
                                <p class="muted">{format!("{} at {}:{}, user {}", o.vendor_label, o.host, o.port, o.username)}</p>
                            </div>
                            <div class="actions">
                                <button class="secondary" id="olt-edit" on:click=move |_| form.set(Some(form::edit(&edit)))>"Edit"</button>
                                <button class="secondary danger-text" id="olt-remove" on:click=move |_| confirm_remove.set(true)>"Remove"</button>
                                <button class="primary" id="olt-sweep" disabled=move || sweeping.get() on:click=sweep
                                    title="List its ONUs, read the autofind and every ONU's optical levels now">
                                    {move || if sweeping.get() { "Sweeping…" } else { "Sweep now" }}
                                </button>
                            </div>
                        </div>
                        {(!o.presented_key.is_empty()).then(|| view! {
                            <div class="error-box key-changed" role="alert">
                                <strong>"Its SSH host key changed. "</strong>
                                "Headend stopped connecting to it until you look. "
                                <button class="link" id="review-key" on:click=move |_| pin.set(Some(review.clone()))>"Review the new key"</button>
                            </div>
                        })}
                        <HealthCards row=o tab=tab />
                    }
                    .into_any()
                }
            },
        }}
        {notice_view(notice, "olt-notice")}
        {move || form.get().map(|f| view! { <form::OltEditor initial=f form=form notice=notice /> })}
        <div class="tabs" role="tablist">
            <button role="tab" id="tab-onus" class="tab" class:active=move || tab.get() == Tab::Onus on:click=move |_| tab.set(Tab::Onus)>"ONUs"</button>
            <button role="tab" id="tab-unconfigured" class="tab" class:active=move || tab.get() == Tab::Unconfigured
                on:click=move |_| tab.set(Tab::Unconfigured)>
                "Unconfigured"
                {move || row().filter(|o| o.unconfigured > 0).map(|o| view! { <span class="tab-count attention" id="unconfigured-count">{o.unconfigured}</span> })}
            </button>
            <button role="tab" id="tab-log" class="tab" class:active=move || tab.get() == Tab::Log on:click=move |_| tab.set(Tab::Log)>"Command log"</button>
        </div>
        {move || match tab.get() {
            Tab::Onus => view! { <Ports olt=id /> }.into_any(),
            Tab::Unconfigured => view! { <authorize::Unconfigured olt=Some(id) /> }.into_any(),
            Tab::Log => view! { <log::CommandLog olt=id /> }.into_any(),
        }}
        {move || pin.get().map(|row| view! { <form::PinKeyDialog row=row pin=pin notice=notice /> })}
        <Show when=move || confirm_remove.get()>
            <div class="modal-backdrop">
                <div class="modal" role="dialog" id="confirm-remove-olt">
                    <h2>"Remove this OLT?"</h2>
                    <p class="muted">"Headend forgets it, its ONUs with their signal history and alerts, its command log and its password. Nothing on the OLT changes; services keep existing without their ONU link."</p>
                    <div class="form-actions">
                        <button class="danger-button" on:click=remove>"Remove"</button>
                        <button class="secondary" on:click=move |_| confirm_remove.set(false)>"Cancel"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

#[component]
fn HealthCards(row: OltRow, tab: RwSignal<Tab>) -> impl IntoView {
    let alerts = row.warnings + row.criticals + row.los_alerts;
    let some = |parts: &[(u32, &str)], none: &str| {
        let text: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
        if text.is_empty() { none.to_owned() } else { text.join(" · ") }
    };
    let down = some(&[(row.los, "LOS"), (row.dying_gasp, "power cut"), (row.offline, "offline")], "none down");
    let open = some(
        &[(row.criticals, "critical"), (row.los_alerts, "LOS"), (row.warnings, "weak")],
        "all within the thresholds",
    );
    view! {
        <div class="cards olt-health" id="olt-health">
            <div class="card stat">
                <span class="stat-label">"Status"</span>
                <span class="stat-value small-value">{health_cell(&row)}</span>
                <span class="muted small">{if row.error.is_empty() { view! { <span>"Last answer "{when(&row.reached_at)}</span> }.into_any() } else { view! { <span class="cell-error clamp" title=row.error.clone()>{row.error.clone()}</span> }.into_any() }}</span>
            </div>
            <div class="card stat">
                <span class="stat-label">"ONUs online"</span>
                <span class="stat-value" id="olt-online">{format!("{} / {}", row.online, row.onus)}</span>
                <span class="muted small">{down}</span>
            </div>
            <div class="card stat">
                <span class="stat-label">"Open alerts"</span>
                <span class="stat-value" class:danger={alerts > 0}>{alerts}</span>
                <span class="muted small">{open}</span>
            </div>
            <button class="card stat stat-button" on:click=move |_| tab.set(Tab::Unconfigured)>
                <span class="stat-label">"Unconfigured"</span>
                <span class="stat-value" class:accent={row.unconfigured > 0}>{row.unconfigured}</span>
                <span class="muted small">"waiting to be authorized"</span>
            </button>
            <div class="card stat">
                <span class="stat-label">"Last sweep"</span>
                <span class="stat-value small-value">{when(&row.swept_at)}</span>
                <span class="muted small mono ellipsis" title=format!("The SSH host key Headend trusts: {}", row.pinned_key)>{if row.pinned_key.is_empty() { "host key not pinned yet".to_owned() } else { short_key(&row.pinned_key) }}</span>
            </div>
        </div>
    }
}

/// `SHA256:abcd…wxyz`: enough to recognise a fingerprint.
fn short_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 24 {
        return key.to_owned();
    }
    let head: String = chars[..14].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{head}…{tail}")
}

/// The PON ports as chips, and the chosen port's ONUs.
#[component]
fn Ports(olt: i64) -> impl IntoView {
    let console = Console::get();
    let ports = LocalResource::new(move || {
        console.olts_changed.track();
        ipc::invoke::<_, Vec<PonPortDto>>(command::OLT_PORTS, IdArgs { id: olt })
    });
    let chosen = RwSignal::new(LAST_PORT.with(|l| l.borrow().get(&olt).cloned()));
    // The first port until one is chosen (or when the chosen one is gone).
    let port = Memo::new(move |_| {
        let list = ports.get().and_then(Result::ok).unwrap_or_default();
        chosen.get().filter(|c| list.iter().any(|p| &p.name == c)).or_else(|| list.first().map(|p| p.name.clone()))
    });
    let choose = move |name: String| {
        LAST_PORT.with(|l| l.borrow_mut().insert(olt, name.clone()));
        chosen.set(Some(name));
    };
    view! {
        {move || match ports.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <EmptyState
                    icon=Icon::Fiber
                    title="No ONUs listed yet"
                    text="Headend lists this OLT's ONUs at its first sweep, a few seconds after it connects, and every few minutes after that. New ONUs plugged into a port show up under Unconfigured, ready to authorize."
                />
            }
            .into_any(),
            Some(Ok(list)) => view! {
                <div class="toolbar chips port-chips" id="ports">
                    <span class="muted small">"PON port"</span>
                    {list
                        .into_iter()
                        .map(|p| {
                            let name = p.name.clone();
                            let active = p.name.clone();
                            view! {
                                <button class="chip port-chip" data-port=p.name.clone()
                                    class:active=move || port.with(|p| p.as_deref() == Some(active.as_str()))
                                    title=if p.description.is_empty() { String::new() } else { p.description.clone() }
                                    on:click=move |_| choose(name.clone())>
                                    <span class="mono">{p.name.clone()}</span>
                                    <span class="chip-count">{format!("{}/{}", p.online, p.onus)}</span>
                                    {(p.alerts > 0).then(|| view! { <span class="chip-alert" title="ONUs with an open alert">{p.alerts}</span> })}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any(),
        }}
        {move || port.get().map(|p| view! { <OnuTable olt=olt port=p /> })}
    }
}

#[component]
fn OnuTable(olt: i64, port: String) -> impl IntoView {
    let console = Console::get();
    let at = OltPortArgs { olt_id: olt, port: port.clone() };
    let onus = LocalResource::new(move || {
        console.olts_changed.track();
        ipc::invoke::<_, Vec<OnuRowDto>>(command::LIST_ONUS, PortArgs { at: at.clone() })
    });
    view! {
        {move || match onus.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(rows)) if rows.is_empty() => view! {
                <div class="card empty-inline"><p class="muted">{format!("No ONUs registered on port {port}. Authorize one from Unconfigured.")}</p></div>
            }
            .into_any(),
            Some(Ok(rows)) => view! {
                <div class="card table-card">
                    <table class="table clickable onu-table" id="onus-table">
                        <thead>
                            <tr>
                                <th class="num">"ONU"</th><th>"Serial"</th><th>"Customer / description"</th><th>"State"</th>
                                <th class="num">"Rx (dBm)"</th><th class="num">"Tx"</th><th class="num">"OLT Rx"</th><th>"Since"</th><th>"Alert"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|o| view! { <OnuRow onu=o /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any(),
        }}
    }
}

#[component]
fn OnuRow(onu: OnuRowDto) -> impl IntoView {
    let console = Console::get();
    let id = onu.id;
    let since = if onu.state == "online" { onu.last_up.clone() } else { onu.last_down.clone() };
    let who = if onu.service_label.is_empty() { onu.description.clone() } else { onu.service_label.clone() };
    view! {
        <tr class="onu-row" data-onu-id=id data-serial=onu.serial.clone() data-state=onu.state.clone() on:click=move |_| console.open(Page::Onu(id))>
            <td class="num mono">{onu.index}</td>
            <td><button class="link router-link mono onu-link">{onu.serial.clone()}</button><div class="muted small">{onu.equipment.clone()}</div></td>
            <td>{if who.is_empty() { view! { <span class="muted">"—"</span> }.into_any() } else { view! { <span>{who}</span> }.into_any() }}
                {(!onu.service_label.is_empty() && !onu.description.is_empty()).then(|| view! { <div class="muted small mono">{onu.description.clone()}</div> })}</td>
            <td><OnuStatePill state=onu.state.clone() />
                {(!onu.last_down_cause.is_empty() && onu.state != "online").then(|| view! { <div class="muted small">{onu.last_down_cause.clone()}</div> })}</td>
            <td class="num mono onu-rx"><Rx value=onu.onu_rx band=onu.rx_band.clone() /></td>
            <td class="num mono">{super::dbm(onu.onu_tx)}</td>
            <td class="num mono">{super::dbm(onu.olt_rx)}</td>
            <td class="small">{when(&since)}</td>
            <td>{alert_pill(&onu.alert)}</td>
        </tr>
    }
}

//! One ONU: where it is and whom it serves, its levels now (and read
//! again on demand), its signal history with the thresholds, its alerts,
//! and Reboot and Deregister behind a confirmation.

use headend_ipc::olt::{OnuDetail, OnuQuery, OpticalDto, command};
use leptos::prelude::*;
use serde::Serialize;

use super::chart::SignalChart;
use super::{Notice, OnuStatePill, Rx, alert_pill, dbm, notice_view, reading, when};
use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Icon, Loading};
use crate::format;
use crate::ipc;
use crate::pages::IdArgs;

#[derive(Serialize)]
struct QueryArgs {
    query: OnuQuery,
}

/// Which confirmation is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    Reboot,
    Deregister,
}

#[component]
pub fn OnuPage(id: i64) -> impl IntoView {
    let console = Console::get();
    let days = RwSignal::new(7_u16);
    let hover = RwSignal::new(None::<i64>);
    let reload = RwSignal::new(0_u32);
    let detail = LocalResource::new(move || {
        console.olts_changed.track();
        reload.track();
        ipc::invoke::<_, OnuDetail>(command::GET_ONU, QueryArgs { query: OnuQuery { id, days: days.get() } })
    });
    let notice: Notice = RwSignal::new(None);
    let confirm = RwSignal::new(None::<Confirm>);
    let busy = RwSignal::new(false);
    // The OLT it was on, to go back to after it is deregistered.
    let olt = move || detail.get().and_then(Result::ok).map(|d| d.onu.olt_id);

    let read_now = move |_| {
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, OpticalDto>(command::READ_ONU_OPTICAL, IdArgs { id }).await {
                Ok(r) => {
                    let text = if r.onu_rx.is_none() {
                        "Read now: the OLT gave no levels (the ONU is not online).".to_owned()
                    } else {
                        format!(
                            "Read now: Rx {} dBm, Tx {} dBm, OLT Rx {} dBm.",
                            dbm(r.onu_rx),
                            dbm(r.onu_tx),
                            dbm(r.olt_rx)
                        )
                    };
                    notice.set(Some(Ok(text)));
                    reload.update(|n| *n += 1);
                }
                Err(e) => notice.set(Some(Err(e))),
            }
            busy.set(false);
        });
    };
    let act = move |what: Confirm| {
        confirm.set(None);
        busy.set(true);
        notice.set(None);
        let back = olt();
        leptos::task::spawn_local(async move {
            let cmd = match what {
                Confirm::Reboot => command::REBOOT_ONU,
                Confirm::Deregister => command::DEREGISTER_ONU,
            };
            match (ipc::invoke::<_, ()>(cmd, IdArgs { id }).await, what) {
                (Ok(()), Confirm::Reboot) => notice
                    .set(Some(Ok("Rebooting: it is offline for a minute or two; its state here follows.".to_owned()))),
                (Ok(()), Confirm::Deregister) => match back {
                    Some(olt) => console.open(Page::Olt(olt)),
                    None => console.open(Page::Olts),
                },
                (Err(e), _) => notice.set(Some(Err(e))),
            }
            busy.set(false);
        });
    };

    view! {
        {move || {
            let back = olt();
            view! {
                <button class="link back" on:click=move |_| match back {
                    Some(olt) => console.open(Page::Olt(olt)),
                    None => console.open(Page::Olts),
                }>"← OLT"</button>
            }
        }}
        {move || match detail.get() {
            None => Loading().into_any(),
            Some(Err(e)) if e.code == headend_ipc::ErrorCode::NotFound => view! {
                <EmptyState icon=Icon::Fiber title="This ONU is gone" text="It was deregistered, or its OLT no longer lists it." />
            }
            .into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(d)) => {
                let o = d.onu.clone();
                let title = format!("ONU {}:{}", o.port, o.index);
                view! {
                    <div class="page-header with-actions">
                        <div>
                            <h1 id="page-title">{title}<span class="title-serial mono">{o.serial.clone()}</span></h1>
                            <p class="muted">{format!("on {} ({}), port {}", o.olt_name, d.olt_vendor_label, o.port)}</p>
                        </div>
                        <div class="actions">
                            <button class="secondary" id="onu-read" disabled=move || busy.get() on:click=read_now
                                title="Read its optical levels from the OLT now">"Read levels now"</button>
                            <button class="secondary" id="onu-reboot" disabled=move || busy.get() on:click=move |_| confirm.set(Some(Confirm::Reboot))>"Reboot"</button>
                            <button class="secondary danger-text" id="onu-deregister" disabled=move || busy.get()
                                on:click=move |_| confirm.set(Some(Confirm::Deregister))>"Deregister"</button>
                        </div>
                    </div>
                }
                .into_any()
            }
        }}
        {notice_view(notice, "onu-notice")}
        {move || detail.get().and_then(Result::ok).map(|d| view! { <OnuBody detail=d days=days hover=hover /> })}
        {move || confirm.get().map(|what| {
            let (title, text, button) = match what {
                Confirm::Reboot => (
                    "Reboot this ONU?",
                    "The customer loses the connection for a minute or two while it restarts. Its registration stays as it is.",
                    "Reboot",
                ),
                Confirm::Deregister => (
                    "Deregister this ONU?",
                    "The OLT forgets it (and its service port): the customer is cut off until it is authorized again. Its alerts go; its signal history stays with its service, hour by hour. It shows up under Unconfigured again while it stays plugged in.",
                    "Deregister",
                ),
            };
            view! {
                <div class="modal-backdrop">
                    <div class="modal" role="dialog" id="confirm-onu">
                        <h2>{title}</h2>
                        <p class="muted">{text}</p>
                        <div class="form-actions">
                            <button class="danger-button" id="confirm-onu-yes" on:click=move |_| act(what)>{button}</button>
                            <button class="secondary" on:click=move |_| confirm.set(None)>"Cancel"</button>
                        </div>
                    </div>
                </div>
            }
        })}
    }
}

#[component]
fn OnuBody(detail: OnuDetail, days: RwSignal<u16>, hover: RwSignal<Option<i64>>) -> impl IntoView {
    let console = Console::get();
    let o = detail.onu.clone();
    let l = detail.latest.clone();
    let service = o.service_id.map(|sid| {
        let label = o.service_label.clone();
        view! { <button class="link" id="onu-service" on:click=move |_| console.open(Page::Service(sid))>{label}" →"</button> }
    });
    let since = |label: &'static str, at: &str| {
        (!at.is_empty()).then(|| {
            let ago = format::relative(at);
            view! { <dt>{label}</dt><dd>{format::local_time(at)}<span class="muted small">{format!(" · {ago}")}</span></dd> }
        })
    };
    let ranges: Vec<u16> = [1_u16, 7, 30, 90].into_iter().filter(|d| *d <= detail.history_days.max(1)).collect();
    let t = detail.thresholds;
    view! {
        <div class="detail-grid">
            <section class="card">
                <h2>"ONU"</h2>
                <dl class="facts" id="onu-facts">
                    <dt>"State"</dt>
                    <dd id="onu-state"><OnuStatePill state=o.state.clone() />
                        {(!o.last_down_cause.is_empty() && o.state != "online").then(|| view! { <span class="muted small">{format!(" last down: {}", o.last_down_cause)}</span> })}</dd>
                    <dt>"Service"</dt>
                    <dd>{service.map(IntoAny::into_any).unwrap_or_else(|| view! { <span class="muted">"Not linked to a service"</span> }.into_any())}</dd>
                    <dt>"Serial"</dt><dd class="mono selectable">{o.serial.clone()}</dd>
                    <dt>"Equipment"</dt><dd>{if o.equipment.is_empty() { "—".to_owned() } else { o.equipment.clone() }}</dd>
                    <dt>"Description"</dt><dd class="mono">{if o.description.is_empty() { "—".to_owned() } else { o.description.clone() }}</dd>
                    {since("Last up", &o.last_up)}
                    {since("Last down", &o.last_down)}
                    <dt>"Open alert"</dt><dd>{if o.alert.is_empty() { view! { <span class="muted">"None"</span> }.into_any() } else { alert_pill(&o.alert) }}</dd>
                </dl>
            </section>
            <section class="card">
                <h2>"Signal now"</h2>
                <div class="signal-now" id="onu-signal">
                    <span class="signal-big mono"><Rx value=l.onu_rx band=l.rx_band.clone() /></span>
                    <span class="muted">"dBm received by the ONU"</span>
                </div>
                <p class="muted small">{match l.rx_band.as_str() {
                    "good" => format!("Good: between {} and {} dBm.", super::threshold(t.warning_below), super::threshold(t.critical_above)),
                    "warning" => format!("Weak: below {} dBm. Clean or check the connectors and splices.", super::threshold(t.warning_below)),
                    "critical" => "Critical: the link is about to fail, or the receiver is overloaded.".to_owned(),
                    _ => "No reading: the ONU is not online, or the OLT gave none.".to_owned(),
                }}</p>
                <dl class="facts compact">
                    <dt>"ONU Tx"</dt><dd class="mono">{reading(l.onu_tx, 2, "dBm")}</dd>
                    <dt>"OLT Rx"</dt><dd class="mono">{reading(l.olt_rx, 2, "dBm")}</dd>
                    <dt>"Temperature"</dt><dd class="mono">{reading(l.temperature, 0, "°C")}</dd>
                    <dt>"Voltage"</dt><dd class="mono">{reading(l.voltage, 2, "V")}</dd>
                    <dt>"Laser bias"</dt><dd class="mono">{reading(l.bias, 1, "mA")}</dd>
                    <dt>"Distance"</dt><dd class="mono">{reading(l.distance, 0, "m")}</dd>
                    <dt>"Read"</dt><dd>{when(&l.at)}</dd>
                </dl>
            </section>
        </div>
        <section class="card chart-card">
            <div class="chart-head">
                <h2>"Signal history"</h2>
                <div class="chips" id="chart-range">
                    {ranges
                        .into_iter()
                        .map(|d| view! {
                            <button class="chip" data-days=d class:active=move || days.get() == d on:click=move |_| days.set(d)>
                                {if d == 1 { "24 hours".to_owned() } else { format!("{d} days") }}
                            </button>
                        })
                        .collect_view()}
                </div>
            </div>
            {if detail.history.iter().all(|p| p.onu_rx.is_none()) {
                view! {
                    <div class="empty-inline chart-empty">
                        <p class="muted">{match days.get_untracked() {
                            1 => "No readings in the last 24 hours.".to_owned(),
                            d => format!("No readings in the last {d} days."),
                        }}</p>
                        <p class="muted small">"The signal sweep keeps a reading every few minutes while the ONU is online, for "{detail.raw_days}" days; then each hour's lowest, mean and highest, for "{detail.history_days}" days in all."</p>
                    </div>
                }
                .into_any()
            } else {
                view! { <SignalChart detail=detail.clone() hover=hover /> }.into_any()
            }}
        </section>
        <section class="card table-card">
            <div class="card-head"><h2>"Alerts"</h2></div>
            {if detail.alerts.is_empty() {
                view! { <p class="muted pad" id="onu-alerts-none">"No alerts: its signal has stayed within the thresholds and it never went into LOS since Headend watches it."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="onu-alerts">
                        <thead><tr><th>"Alert"</th><th class="num">"Rx when raised"</th><th>"Raised"</th><th>"Cleared"</th></tr></thead>
                        <tbody>
                            {detail.alerts.iter().map(|a| view! {
                                <tr>
                                    <td>{alert_pill(&a.level)}</td>
                                    <td class="num mono">{dbm(a.rx)}</td>
                                    <td>{format::local_time(&a.raised_at)}</td>
                                    <td>{if a.cleared_at.is_empty() { view! { <span class="pill pill-warn">"Open"</span> }.into_any() } else { view! { <span>{format::local_time(&a.cleared_at)}</span> }.into_any() }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}

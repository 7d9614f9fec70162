//! Every live PPPoE session of every router, streamed in by the app, in a
//! virtualized table: only the rows on screen exist in the page, so 20,000
//! sessions scroll as smoothly as 20.

use std::collections::BTreeMap;
use std::sync::Arc;

use headend_ipc::{ErrorDto, KickSession, SessionRow, SessionUser, command};
use leptos::html::Div;
use leptos::prelude::*;
use serde::Serialize;

use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Icon, PageHeader};
use crate::format;
use crate::ipc;

/// Must match `.vrow` in app.css.
const ROW_HEIGHT: f64 = 40.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 8;

#[derive(Serialize)]
struct KickArgs {
    kick: KickSession,
}

#[derive(Serialize)]
struct SessionArgs {
    session: SessionUser,
}

fn matches(row: &SessionRow, needle: &str) -> bool {
    needle.is_empty()
        || [&row.user, &row.address, &row.caller_id, &row.router_name]
            .iter()
            .any(|field| field.to_lowercase().contains(needle))
}

#[component]
pub fn Sessions() -> impl IntoView {
    let console = Console::get();
    let search = RwSignal::new(String::new());
    let router_filter = RwSignal::new(None::<i64>);
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(600.0_f64);
    let confirm = RwSignal::new(None::<Arc<SessionRow>>);
    let kick_error = RwSignal::new(None::<ErrorDto>);
    // A session whose user is no service of Headend's (an operator's own
    // secret, a demo router): said above the list.
    let not_ours = RwSignal::new(None::<String>);
    let list_ref = NodeRef::<Div>::new();

    Effect::new(move |_| {
        if let Some(el) = list_ref.get() {
            viewport.set(f64::from(el.client_height()).max(ROW_HEIGHT));
        }
    });

    let routers = Memo::new(move |_| {
        console.sessions.with(|s| {
            let names: BTreeMap<i64, String> = s.rows().map(|r| (r.router_id, r.router_name.clone())).collect();
            names.into_iter().collect::<Vec<_>>()
        })
    });
    // Already in order: filtering shares the rows, it copies none.
    let rows = Memo::new(move |_| {
        let needle = search.get().trim().to_lowercase();
        let only = router_filter.get();
        console.sessions.with(|s| {
            s.rows()
                .filter(|r| only.is_none_or(|id| r.router_id == id) && matches(r, &needle))
                .cloned()
                .collect::<Vec<Arc<SessionRow>>>()
        })
    });
    let window = move || {
        let total = rows.with(Vec::len);
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN).min(total);
        let visible = (viewport.get() / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        (first, (first + visible).min(total))
    };

    let kick = move |row: Arc<SessionRow>| {
        confirm.set(None);
        leptos::task::spawn_local(async move {
            let args = KickArgs { kick: KickSession { router_id: row.router_id, session_id: row.id.clone() } };
            match ipc::invoke::<_, ()>(command::KICK_SESSION, args).await {
                Ok(()) => {
                    kick_error.set(None);
                    console.sessions.update(|s| s.remove(row.router_id, &row.id));
                    // The activity log has a new line: open views reload.
                    console.changed();
                }
                Err(e) => kick_error.set(Some(e)),
            }
        });
    };

    let open_service = move |session: SessionUser| {
        leptos::task::spawn_local(async move {
            let user = session.user.clone();
            match ipc::invoke::<_, Option<i64>>(command::SESSION_SERVICE, SessionArgs { session }).await {
                Ok(Some(id)) => console.open(Page::Service(id)),
                Ok(None) => not_ours.set(Some(format!(
                    "{user} is not a Headend service on that router: its router holds it on its own (adopt its secrets to manage it)."
                ))),
                Err(e) => kick_error.set(Some(e)),
            }
        });
    };

    view! {
        <PageHeader title="Live sessions" subtitle="Who is online right now, on every router, as it happens." />
        <Show
            when=move || console.sessions.with(|s| !s.is_empty()) || !search.get().is_empty()
            fallback=move || view! {
                <EmptyState
                    icon=Icon::Pulse
                    title="No live sessions"
                    text="Sessions stream in here as they come up and go down, with address, caller id, uptime and rate, once a router is connected."
                >
                    <div class="empty-actions">
                        <button class="primary" on:click=move |_| console.open(Page::Routers)>"Go to routers"</button>
                    </div>
                </EmptyState>
            }
        >
            <div class="toolbar">
                <input id="session-search" class="search" type="search" placeholder="Search user, address, MAC or router"
                    prop:value=move || search.get()
                    on:input=move |ev| { search.set(event_target_value(&ev)); scroll_top.set(0.0); } />
                <select id="session-router" on:change=move |ev| router_filter.set(event_target_value(&ev).parse().ok())>
                    <option value="">"All routers"</option>
                    {move || routers.get().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
                <span class="muted" id="session-count">
                    {move || format!("{} of {} sessions", format::count(rows.with(Vec::len)), format::count(console.sessions.with(|s| s.len())))}
                </span>
            </div>
            {move || kick_error.get().map(|e| view! { <ErrorBox error=e /> })}
            {move || not_ours.get().map(|text| view! { <p class="muted" id="session-not-ours">{text}</p> })}
            <div class="card table-card sessions">
                <div class="vrow vhead">
                    <span>"User"</span><span>"Router"</span><span>"Address"</span><span>"Caller ID"</span>
                    <span class="num">"Uptime"</span><span class="num">"Down"</span><span class="num">"Up"</span><span></span>
                </div>
                <div class="vlist" id="sessions-list" node_ref=list_ref
                    on:scroll=move |_| if let Some(el) = list_ref.get() { scroll_top.set(f64::from(el.scroll_top())) }>
                    <div class="vspace" style:height=move || format!("{}px", rows.with(Vec::len) as f64 * ROW_HEIGHT)>
                        <div class="vwindow" style:transform=move || format!("translateY({}px)", window().0 as f64 * ROW_HEIGHT)>
                            {move || {
                                let (first, last) = window();
                                rows.with(|rows| rows[first..last].to_vec())
                                    .into_iter()
                                    .map(|row| {
                                        // Only this text changes every second, not the row.
                                        let since = row.since;
                                        let uptime = move || format::duration(u64::try_from(console.clock.get() - since).unwrap_or(0));
                                        let target = row.clone();
                                        let session = SessionUser { router_id: row.router_id, user: row.user.clone() };
                                        view! {
                                            <div class="vrow session-row" data-user=row.user.clone()>
                                                <span><button class="link strong mono session-user" title="Open the service"
                                                    on:click=move |_| open_service(session.clone())>{row.user.clone()}</button></span>
                                                <span>{row.router_name.clone()}</span>
                                                <span class="mono">{row.address.clone()}</span>
                                                <span class="mono muted">{row.caller_id.clone()}</span>
                                                <span class="mono num">{uptime}</span>
                                                <span class="mono num">{format::rate(row.rate_down)}</span>
                                                <span class="mono num">{format::rate(row.rate_up)}</span>
                                                <span class="num"><button class="link danger kick" on:click=move |_| confirm.set(Some(target.clone()))>"Kick"</button></span>
                                            </div>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </div>
                    </div>
                </div>
            </div>
        </Show>
        {move || confirm.get().map(|row| {
            let target = row.clone();
            view! {
                <div class="modal-backdrop">
                    <div class="modal" role="dialog" id="confirm-kick">
                        <h2>{format!("Disconnect {}?", row.user)}</h2>
                        <p class="muted">{format!("The PPPoE session on {} ends now. The customer's router will usually dial again at once; to keep them offline, suspend the service instead.", row.router_name)}</p>
                        <div class="form-actions">
                            <button class="danger-button" id="confirm-kick-yes" on:click=move |_| kick(target.clone())>"Disconnect"</button>
                            <button class="secondary" on:click=move |_| confirm.set(None)>"Cancel"</button>
                        </div>
                    </div>
                </div>
            }
        })}
    }
}

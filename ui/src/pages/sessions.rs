//! Every live PPPoE session of every router, in a virtualized list: the page
//! tells the app which rows are on screen (and a few either side) when the
//! operator scrolls past a row or filters, and the app sends them again
//! with the once-a-second sessions tick only when they changed; the page
//! paints what they brought every five seconds (the routers' counters, and
//! so the rates, move every five seconds anyway). A row keeps its DOM nodes
//! while its session lives; only cells whose text changed are written. So
//! 20,000 sessions churning cost the web view about what 40 do.

use std::sync::Arc;

use headend_ipc::{ErrorDto, KickSession, SessionQuery, SessionRow, SessionUser, SessionWindow, command};
use leptos::html::Div;
use leptos::prelude::*;
use serde::Serialize;

use crate::app::{Console, Page};
use crate::components::{EmptyState, ErrorBox, Icon, PageHeader};
use crate::format;
use crate::ipc;

/// Must match `.vrow` in app.css.
const ROW_HEIGHT: f64 = 40.0;
/// Rows asked for above and below the visible ones.
const OVERSCAN: u32 = 8;
/// Seconds between repaints of what the ticks change (rates, uptimes,
/// sessions coming and going); scrolling and filtering show at once.
const REPAINT_EVERY_SECS: i64 = 5;

/// A session on screen: its router and the router's id of it.
type RowKey = (i64, String);

fn row_key(row: &SessionRow) -> RowKey {
    (row.router_id, row.id.clone())
}

#[derive(Serialize)]
struct KickArgs {
    kick: KickSession,
}

#[derive(Serialize)]
struct SessionArgs {
    session: SessionUser,
}

#[derive(Serialize)]
struct WatchArgs {
    query: Option<SessionQuery>,
}

#[component]
pub fn Sessions() -> impl IntoView {
    let console = Console::get();
    let search = RwSignal::new(String::new());
    let router_filter = RwSignal::new(None::<i64>);
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(600.0_f64);
    let shown = RwSignal::new(SessionWindow::default());
    // Bumped to ask again at once (after a kick) rather than at the next tick.
    let refresh = RwSignal::new(0_u32);
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

    // Changes only when the operator scrolls past a row, not on every pixel.
    let wanted = Memo::new(move |_| SessionQuery {
        search: search.get(),
        router_id: router_filter.get(),
        first: ((scroll_top.get() / ROW_HEIGHT) as u32).saturating_sub(OVERSCAN),
        count: (viewport.get() / ROW_HEIGHT).ceil() as u32 + 2 * OVERSCAN,
    });
    // The rows come back at once, then with the ticks that change them; an
    // answer for a query the page no longer shows is dropped.
    let show = move |query: &SessionQuery, window: SessionWindow| {
        if wanted.with_untracked(|w| w == query) && shown.with_untracked(|s| *s != window) {
            shown.set(window);
        }
    };
    Effect::new(move |_| {
        let query = wanted.get();
        refresh.track();
        leptos::task::spawn_local(async move {
            let args = WatchArgs { query: Some(query.clone()) };
            if let Ok(Some(window)) = ipc::invoke::<_, Option<SessionWindow>>(command::WATCH_SESSIONS, args).await {
                show(&query, window);
            }
        });
    });
    // What the ticks bring is painted every few seconds, all at once: WebKit
    // unites the scattered cells that change into one region and repaints
    // it whole, so one repaint in five seconds costs a fifth of one a second.
    let now = RwSignal::new(console.clock.get_untracked());
    let painted_at = StoredValue::new(i64::MIN);
    Effect::new(move |_| {
        let clock = console.clock.get();
        if clock.saturating_sub(painted_at.get_value()) < REPAINT_EVERY_SECS {
            return;
        }
        painted_at.set_value(clock);
        now.set(clock);
        console.watched_sessions.with_untracked(|w| {
            if let Some(w) = w {
                show(&w.query, w.window.clone());
            }
        });
    });
    on_cleanup(|| {
        leptos::task::spawn_local(async {
            let _ = ipc::invoke::<_, Option<SessionWindow>>(command::WATCH_SESSIONS, WatchArgs { query: None }).await;
        })
    });
    // Styles and texts that change only when these do.
    let first = Memo::new(move |_| shown.with(|s| s.first));
    let counts = Memo::new(move |_| shown.with(|s| (s.matched, s.total)));
    // Options change only when a router gains its first session or loses its last.
    let routers =
        Memo::new(move |_| shown.with(|s| s.routers.iter().map(|r| (r.id, r.name.clone())).collect::<Vec<_>>()));

    let kick = move |row: Arc<SessionRow>| {
        confirm.set(None);
        leptos::task::spawn_local(async move {
            let args = KickArgs { kick: KickSession { router_id: row.router_id, session_id: row.id.clone() } };
            match ipc::invoke::<_, ()>(command::KICK_SESSION, args).await {
                Ok(()) => {
                    kick_error.set(None);
                    refresh.update(|n| *n += 1);
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
            when=move || counts.with(|(_, total)| *total > 0) || !search.get().is_empty()
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
                    on:input=move |ev| {
                        search.set(event_target_value(&ev));
                        scroll_top.set(0.0);
                        if let Some(el) = list_ref.get_untracked() { el.set_scroll_top(0) }
                    } />
                <select id="session-router" on:change=move |ev| router_filter.set(event_target_value(&ev).parse().ok())>
                    <option value="">"All routers"</option>
                    {move || routers.get().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
                <span class="muted" id="session-count">
                    {move || counts.with(|(matched, total)| format!("{} of {} sessions", format::count(*matched), format::count(*total)))}
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
                    <div class="vspace" style:height=move || format!("{}px", counts.with(|(matched, _)| *matched) as f64 * ROW_HEIGHT)>
                        <div class="vwindow" style:transform=move || format!("translateY({}px)", f64::from(first.get()) * ROW_HEIGHT)>
                            // Keyed by the session: a row keeps its nodes while its session
                            // lives, and only the cells whose text changed are written.
                            <For each=move || shown.with(|s| s.rows.iter().map(row_key).collect::<Vec<_>>()) key=|k| k.clone()
                                children=move |k: RowKey| {
                                    let Some(first) = shown.with_untracked(|s| s.rows.iter().find(|r| row_key(r) == k).cloned()) else {
                                        return ().into_any();
                                    };
                                    // This row's current value: it notifies only when the row changed.
                                    let current = Memo::new(move |_| {
                                        shown.with(|s| s.rows.iter().find(|r| r.router_id == k.0 && r.id == k.1).cloned())
                                    });
                                    let cell = move |text: fn(&SessionRow) -> String| move || current.with(|r| r.as_ref().map(text).unwrap_or_default());
                                    let uptime = move || {
                                        let since = current.with(|r| r.as_ref().map_or(first.since, |r| r.since));
                                        format::duration(u64::try_from(now.get() - since).unwrap_or(0))
                                    };
                                    let session = SessionUser { router_id: first.router_id, user: first.user.clone() };
                                    let target = Arc::new(first.clone());
                                    view! {
                                        <div class="vrow session-row" data-user=first.user.clone()>
                                            <span><button class="link strong mono session-user" title="Open the service"
                                                on:click=move |_| open_service(session.clone())>{first.user.clone()}</button></span>
                                            <span>{first.router_name.clone()}</span>
                                            <span class="mono">{cell(|r| r.address.clone())}</span>
                                            <span class="mono muted">{cell(|r| r.caller_id.clone())}</span>
                                            <span class="mono num uptime">{uptime}</span>
                                            <span class="mono num">{cell(|r| format::rate(r.rate_down))}</span>
                                            <span class="mono num">{cell(|r| format::rate(r.rate_up))}</span>
                                            <span class="num"><button class="link danger kick" on:click=move |_| confirm.set(Some(target.clone()))>"Kick"</button></span>
                                        </div>
                                    }
                                    .into_any()
                                }
                            />
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

//! The shell: sidebar, top bar with the failures badge, and the page area.

use headend_ipc::{
    FailuresChanged, Navigate, ProvisionFailure, SessionRow, SessionsChanged, SettingsView, SweepState, ThemeChoice,
    command, event,
};
use leptos::prelude::*;

use crate::components::Icon;
use crate::live::SessionTable;
use crate::ipc;
use crate::pages;

/// Where the operator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Dashboard,
    Map,
    Routers,
    Sessions,
    Customers,
    Olts,
    Billing,
    Activity,
    Settings,
    Service(i64),
    Router(i64),
}

impl Page {
    /// The pages of the sidebar, in order, with their ids and labels.
    const NAV: [(Page, &'static str, &'static str, Icon); 9] = [
        (Page::Dashboard, "dashboard", "Dashboard", Icon::Dashboard),
        (Page::Map, "map", "Map", Icon::Map),
        (Page::Routers, "routers", "Routers", Icon::Router),
        (Page::Sessions, "sessions", "Live sessions", Icon::Pulse),
        (Page::Customers, "customers", "Customers", Icon::Users),
        (Page::Olts, "olts", "OLTs & ONUs", Icon::Fiber),
        (Page::Billing, "billing", "Billing", Icon::Receipt),
        (Page::Activity, "activity", "Activity", Icon::List),
        (Page::Settings, "settings", "Settings", Icon::Gear),
    ];

    /// The sidebar entry a page belongs to.
    fn section(self) -> Page {
        match self {
            Page::Service(_) => Page::Customers,
            Page::Router(_) => Page::Routers,
            page => page,
        }
    }
}

/// State shared by every page.
#[derive(Clone, Copy)]
pub struct Console {
    pub page: RwSignal<Page>,
    pub failures: RwSignal<Vec<ProvisionFailure>>,
    pub sweeps_paused: RwSignal<bool>,
    pub theme: RwSignal<ThemeChoice>,
    /// Every live PPP session of every router.
    pub sessions: RwSignal<SessionTable>,
    /// Unix seconds of the last sessions push: uptimes count from it, so
    /// they tick in the same repaint as the sessions change.
    pub clock: RwSignal<i64>,
    /// Bumped whenever a router's state changes: pages showing routers reload.
    pub routers_changed: RwSignal<u64>,
}

impl Console {
    pub fn get() -> Self {
        expect_context::<Console>()
    }

    pub fn open(self, page: Page) {
        self.page.set(page);
    }
}

pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn apply_theme(theme: ThemeChoice) {
    let name = match theme {
        ThemeChoice::System => "system",
        ThemeChoice::Light => "light",
        ThemeChoice::Dark => "dark",
    };
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", name);
    }
}

#[component]
pub fn App() -> impl IntoView {
    let console = Console {
        page: RwSignal::new(Page::Dashboard),
        failures: RwSignal::new(Vec::new()),
        sweeps_paused: RwSignal::new(false),
        theme: RwSignal::new(ThemeChoice::System),
        sessions: RwSignal::new(SessionTable::default()),
        clock: RwSignal::new(now_secs()),
        routers_changed: RwSignal::new(0),
    };
    provide_context(console);
    Effect::new(move |_| apply_theme(console.theme.get()));

    leptos::task::spawn_local(async move {
        if let Ok(view) = ipc::call::<SettingsView>(command::GET_SETTINGS).await {
            console.theme.set(view.settings.theme);
        }
        if let Ok(failures) = ipc::call::<Vec<ProvisionFailure>>(command::LIST_FAILURES).await {
            console.failures.set(failures);
        }
    });
    // Listen before the first read so no change is missed; a change that
    // arrives before the read is overwritten by the fuller read.
    ipc::listen_json(event::SESSIONS_CHANGED, move |changed: SessionsChanged| {
        if !(changed.upserted.is_empty() && changed.removed.is_empty()) {
            console.sessions.update(|sessions| sessions.apply(changed));
        }
        console.clock.set(now_secs());
    });
    ipc::listen(event::ROUTERS_CHANGED, move |()| console.routers_changed.update(|n| *n += 1));
    leptos::task::spawn_local(async move {
        if let Ok(rows) = ipc::call::<Vec<SessionRow>>(command::LIST_SESSIONS).await {
            console.sessions.set(SessionTable::from_rows(rows));
        }
    });
    // The second frame callback runs once the first frame is on screen.
    request_animation_frame(|| {
        request_animation_frame(|| {
            leptos::task::spawn_local(async {
                let _ = ipc::call::<()>(command::UI_READY).await;
            })
        })
    });
    ipc::listen(event::FAILURES_CHANGED, move |changed: FailuresChanged| console.failures.set(changed.failures));
    ipc::listen(event::SWEEP_STATE, move |state: SweepState| console.sweeps_paused.set(state.paused));
    ipc::listen(event::NAVIGATE, move |nav: Navigate| {
        console.open(match nav {
            Navigate::Activity => Page::Activity,
            Navigate::Service { id } => Page::Service(id),
        })
    });

    view! {
        <div class="shell">
            <Sidebar />
            <div class="main">
                <TopBar />
                <main class="content" id="content">
                    {move || pages::render(console.page.get())}
                </main>
            </div>
        </div>
    }
}

#[component]
fn Sidebar() -> impl IntoView {
    let console = Console::get();
    view! {
        <nav class="sidebar" aria-label="Sections">
            <div class="brand">
                <img src="icon.svg" alt="" width="28" height="28" />
                <span>"Headend"</span>
            </div>
            <ul>
                {Page::NAV
                    .into_iter()
                    .map(|(page, id, label, icon)| {
                        view! {
                            <li>
                                <button
                                    id=format!("nav-{id}")
                                    class="nav-item"
                                    class:active=move || console.page.get().section() == page
                                    on:click=move |_| console.open(page)
                                >
                                    {icon.view()}
                                    <span>{label}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="sidebar-foot">
                <Show when=move || console.sweeps_paused.get()>
                    <span class="pill pill-warn" id="sweeps-paused">"Sweeps paused"</span>
                </Show>
                <span class="version">{concat!("v", env!("CARGO_PKG_VERSION"))}</span>
            </div>
        </nav>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let console = Console::get();
    let open = RwSignal::new(false);
    let count = move || console.failures.with(Vec::len);
    let dismiss = move |_| {
        open.set(false);
        leptos::task::spawn_local(async move {
            let _ = ipc::call::<()>(command::DISMISS_FAILURES).await;
        });
    };
    view! {
        <header class="topbar">
            <div class="spacer"></div>
            <div class="alerts">
                <button
                    id="failures-button"
                    class="icon-button"
                    class:alerting=move || console.failures.with(|f| !f.is_empty())
                    title="Failed provisioning actions"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {Icon::Bell.view()}
                    <Show when=move || { count() > 0 }>
                        <span class="badge" id="failures-badge">{count}</span>
                    </Show>
                </button>
                <Show when=move || open.get()>
                    <div class="popover" id="failures-panel">
                        <div class="popover-head">
                            <strong>"Failed provisioning"</strong>
                            <Show when=move || { count() > 0 }>
                                <button class="link" id="failures-dismiss" on:click=dismiss>"Dismiss all"</button>
                            </Show>
                        </div>
                        <Show
                            when=move || { count() > 0 }
                            fallback=|| view! { <p class="muted pad">"Nothing failed. Failed actions on routers show up here."</p> }
                        >
                            <ul class="failure-list">
                                <For
                                    each=move || console.failures.get()
                                    key=|f| (f.service_id, f.at.clone())
                                    let:failure
                                >
                                    <li>
                                        <button
                                            class="failure-item"
                                            data-service-id=failure.service_id
                                            on:click=move |_| {
                                                open.set(false);
                                                console.open(Page::Service(failure.service_id));
                                            }
                                        >
                                            <span class="failure-title">{failure.service_label.clone()}</span>
                                            <span class="failure-meta">{format!("on {}", failure.router_name)}</span>
                                            <span class="failure-error">{failure.error.clone()}</span>
                                        </button>
                                    </li>
                                </For>
                            </ul>
                        </Show>
                    </div>
                </Show>
            </div>
        </header>
    }
}

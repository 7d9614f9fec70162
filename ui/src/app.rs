//! The shell: sidebar, top bar with the sweep progress and the failures
//! badge, and the page area.

use headend_ipc::map::AreaProgress;
use headend_ipc::{
    Failures, Navigate, ProvisioningChanged, RoutersChanged, SessionsTick, SettingsView, SweepProgress, SweepState,
    ThemeChoice, WatchedSessions, command, event, messages,
};
use leptos::prelude::*;

use crate::components::{Icon, ProgressBar};
use crate::ipc;
use crate::pages;

/// The two views of the Provisioning page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisioningTab {
    /// The durable queue; `failed_only` when opened from a failure.
    Queue { failed_only: bool },
    /// The dry run: what the next sweep would change.
    Plan,
}

/// The views of the Messages area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagesTab {
    /// The outbox; `failed_only` when opened from a failure.
    Outbox {
        failed_only: bool,
    },
    Templates,
    Blast,
    Settings,
}

/// The views of the Billing area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingTab {
    Invoices,
    Plans,
    Settings,
    Exports,
}

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
    Messages(MessagesTab),
    Provisioning(ProvisioningTab),
    Activity,
    Settings,
    Service(i64),
    /// The customer and service form: new, or editing a service.
    ServiceForm(Option<i64>),
    Router(i64),
    /// One OLT: its ports and ONUs, unconfigured ONUs, command log.
    Olt(i64),
    /// One ONU: its signal history, alerts and actions.
    Onu(i64),
}

impl Page {
    /// The pages of the sidebar, in order, with their ids and labels.
    const NAV: [(Page, &'static str, &'static str, Icon); 11] = [
        (Page::Dashboard, "dashboard", "Dashboard", Icon::Dashboard),
        (Page::Map, "map", "Map", Icon::Map),
        (Page::Routers, "routers", "Routers", Icon::Router),
        (Page::Sessions, "sessions", "Live sessions", Icon::Pulse),
        (Page::Customers, "customers", "Customers", Icon::Users),
        (Page::Olts, "olts", "OLTs & ONUs", Icon::Fiber),
        (Page::Billing, "billing", "Billing", Icon::Receipt),
        (Page::Messages(MessagesTab::Outbox { failed_only: false }), "messages", "Messages", Icon::Mail),
        (Page::Provisioning(ProvisioningTab::Queue { failed_only: false }), "provisioning", "Provisioning", Icon::Sync),
        (Page::Activity, "activity", "Activity", Icon::List),
        (Page::Settings, "settings", "Settings", Icon::Gear),
    ];

    /// The sidebar entry a page belongs to.
    fn section(self) -> Page {
        match self {
            Page::Service(_) | Page::ServiceForm(_) => Page::Customers,
            Page::Router(_) => Page::Routers,
            Page::Olt(_) | Page::Onu(_) => Page::Olts,
            Page::Provisioning(_) => Page::Provisioning(ProvisioningTab::Queue { failed_only: false }),
            Page::Messages(_) => Page::Messages(MessagesTab::Outbox { failed_only: false }),
            page => page,
        }
    }
}

/// State shared by every page.
#[derive(Clone, Copy)]
pub struct Console {
    pub page: RwSignal<Page>,
    /// The durable queue's failed actions and the outbox's failed
    /// messages: the badge.
    pub failures: RwSignal<Failures>,
    pub sweeps_paused: RwSignal<bool>,
    pub theme: RwSignal<ThemeChoice>,
    /// How many live PPP sessions there are (the last tick, without its rows).
    pub sessions: RwSignal<SessionsTick>,
    /// The rows the Live sessions page watches, as the last tick that
    /// changed them brought them.
    pub watched_sessions: RwSignal<Option<WatchedSessions>>,
    /// Unix seconds of the last sessions tick: uptimes count from it. It
    /// moves every second while the window has focus and every ten
    /// seconds while it has not: an uptime on a window in the background
    /// need not repaint every second.
    pub clock: RwSignal<i64>,
    /// Bumped whenever a router's state or health changes: pages showing
    /// routers reload.
    pub routers_changed: RwSignal<u64>,
    /// Bumped only when a router went up or down (or is connecting): pages
    /// showing states but not health figures reload on this.
    pub router_states_changed: RwSignal<u64>,
    /// Bumped when a sweep wrote to a router or the queue changed: pages
    /// showing services, the queue or logs reload.
    pub provisioning_changed: RwSignal<u64>,
    /// The operator's "Sweep now", while it runs and just after.
    pub sweep: RwSignal<Option<SweepProgress>>,
    /// Bumped when the OLT engine swept, alerted or registered: OLT pages reload.
    pub olts_changed: RwSignal<u64>,
    /// Bumped when the sender sent or failed messages: Messages pages reload.
    pub messages_changed: RwSignal<u64>,
    /// The Billing area's tab, kept while the operator is elsewhere.
    pub billing_tab: RwSignal<BillingTab>,
    /// The invoice (its number) the Billing area shows, if one is open.
    pub invoice: RwSignal<Option<String>>,
    /// The Customers page opens showing only the services that went off
    /// today (the dashboard's figure sets it); taken when the page opens.
    pub customers_went_off_today: RwSignal<bool>,
    /// How far "Save this area for offline use" has come, while it runs.
    pub map_area: RwSignal<Option<AreaProgress>>,
    /// This window is the demo ISP.
    pub demo_isp: RwSignal<bool>,
}

impl Console {
    pub fn get() -> Self {
        expect_context::<Console>()
    }

    pub fn open(self, page: Page) {
        self.page.set(page);
    }

    /// Shows one invoice (or credit note) as it prints.
    pub fn open_invoice(self, number: String) {
        self.billing_tab.set(BillingTab::Invoices);
        self.invoice.set(Some(number));
        self.page.set(Page::Billing);
    }

    /// Something the operator did changed services or the queue.
    pub fn changed(self) {
        self.provisioning_changed.update(|n| *n += 1);
    }
}

/// How often uptimes move while the window is in the background.
const BACKGROUND_TICK_SECS: i64 = 10;

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
        failures: RwSignal::new(Failures::default()),
        sweeps_paused: RwSignal::new(false),
        theme: RwSignal::new(ThemeChoice::System),
        sessions: RwSignal::new(SessionsTick::default()),
        watched_sessions: RwSignal::new(None),
        clock: RwSignal::new(now_secs()),
        routers_changed: RwSignal::new(0),
        router_states_changed: RwSignal::new(0),
        provisioning_changed: RwSignal::new(0),
        sweep: RwSignal::new(None),
        olts_changed: RwSignal::new(0),
        messages_changed: RwSignal::new(0),
        billing_tab: RwSignal::new(BillingTab::Invoices),
        invoice: RwSignal::new(None),
        map_area: RwSignal::new(None),
        customers_went_off_today: RwSignal::new(false),
        demo_isp: RwSignal::new(false),
    };
    provide_context(console);
    Effect::new(move |_| apply_theme(console.theme.get()));
    // A new page starts at its top, not where the last one was scrolled to.
    Effect::new(move |_| {
        console.page.track();
        if let Some(content) = document().get_element_by_id("content") {
            content.set_scroll_top(0);
        }
    });

    // Listen before the first reads so no change is missed; a change that
    // arrives before a read is overwritten by the fuller read.
    // Everything a tick changes is set in this one callback: one frame.
    ipc::listen(event::SESSIONS_TICK, move |mut tick: SessionsTick| {
        if let Some(watched) = tick.watched.take() {
            console.watched_sessions.set(Some(watched));
        }
        if console.sessions.get_untracked() != tick {
            console.sessions.set(tick);
        }
        let now = now_secs();
        if document().has_focus().unwrap_or(true) || now - console.clock.get_untracked() >= BACKGROUND_TICK_SECS {
            console.clock.set(now);
        }
    });
    ipc::listen(event::ROUTERS_CHANGED, move |changed: RoutersChanged| {
        console.routers_changed.update(|n| *n += 1);
        if changed.states {
            console.router_states_changed.update(|n| *n += 1);
        }
    });
    ipc::listen(event::FAILURES_CHANGED, move |failures: Failures| {
        console.failures.set(failures);
        console.changed();
    });
    ipc::listen(event::PROVISIONING_CHANGED, move |_: ProvisioningChanged| console.changed());
    ipc::listen(event::BILLING_CHANGED, move |()| console.changed());
    ipc::listen(messages::event::MESSAGES_CHANGED, move |_: messages::MessageCounts| {
        console.messages_changed.update(|n| *n += 1)
    });
    ipc::listen(event::SWEEP_PROGRESS, move |progress: SweepProgress| {
        console.sweep.set(Some(progress));
        if !progress.running {
            console.changed();
        }
    });
    ipc::listen(event::SWEEP_STATE, move |state: SweepState| console.sweeps_paused.set(state.paused));
    ipc::listen(headend_ipc::olt::event::OLTS_CHANGED, move |_: headend_ipc::olt::OltsChanged| {
        console.olts_changed.update(|n| *n += 1)
    });
    ipc::listen(headend_ipc::map::event::AREA_PROGRESS, move |progress: AreaProgress| {
        console.map_area.set(Some(progress))
    });
    ipc::listen(event::NAVIGATE, move |nav: Navigate| {
        console.open(match nav {
            Navigate::Activity => Page::Activity,
            Navigate::Queue => Page::Provisioning(ProvisioningTab::Queue { failed_only: true }),
            Navigate::Service { id } => Page::Service(id),
            Navigate::Olts => Page::Olts,
            Navigate::Messages => Page::Messages(MessagesTab::Outbox { failed_only: true }),
        })
    });
    leptos::task::spawn_local(async move {
        if let Ok(view) = ipc::call::<SettingsView>(command::GET_SETTINGS).await {
            console.theme.set(view.settings.theme);
            console.demo_isp.set(view.demo_isp);
        }
        if let Ok(failures) = ipc::call::<Failures>(command::LIST_FAILURES).await {
            console.failures.set(failures);
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
                                    {(id == "provisioning").then(|| view! {
                                        <Show when=move || { console.failures.with(|f| f.count > 0) }>
                                            <span class="nav-count" id="nav-failed-count">{move || console.failures.with(|f| f.count)}</span>
                                        </Show>
                                    })}
                                    {(id == "messages").then(|| view! {
                                        <Show when=move || { console.failures.with(|f| f.failed_messages > 0) }>
                                            <span class="nav-count" id="nav-failed-messages">{move || console.failures.with(|f| f.failed_messages)}</span>
                                        </Show>
                                    })}
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
    let actions = move || console.failures.with(|f| f.count);
    let messages = move || console.failures.with(|f| f.failed_messages);
    let count = move || actions() + messages();
    let show_queue = move || {
        open.set(false);
        console.open(Page::Provisioning(ProvisioningTab::Queue { failed_only: true }));
    };
    let show_outbox = move || {
        open.set(false);
        console.open(Page::Messages(MessagesTab::Outbox { failed_only: true }));
    };
    view! {
        <header class="topbar">
            <Show when=move || console.demo_isp.get()>
                <div class="demo-banner" id="demo-banner">
                    <strong>"Demo ISP"</strong>
                    <span>"Simulated routers and OLT, made-up customers: nothing here is real, and it all goes when you leave."</span>
                    <button class="secondary small" id="leave-demo" on:click=move |_| leptos::task::spawn_local(async {
                        let _ = ipc::call::<()>(command::LEAVE_DEMO_ISP).await;
                    })>"Leave the demo"</button>
                </div>
            </Show>
            {move || console.sweep.get().filter(|p| p.running).map(|p| view! {
                <div class="topbar-progress" id="topbar-sweep">
                    <span class="muted small">{format!("Sweeping routers: {} of {}", p.done, p.total)}</span>
                    <ProgressBar done=p.done total=p.total />
                </div>
            })}
            <div class="spacer"></div>
            <div class="alerts">
                <button
                    id="failures-button"
                    class="icon-button"
                    class:alerting=move || { count() > 0 }
                    title="Failed provisioning actions and messages"
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
                            <strong>"Needs attention"</strong>
                            <span class="muted small">{move || match actions() {
                                0 => String::new(),
                                1 => "1 action waits for a retry".to_owned(),
                                n => format!("{n} actions wait for a retry"),
                            }}</span>
                        </div>
                        <Show when=move || { messages() > 0 }>
                            <button class="failure-item" id="failures-messages" on:click=move |_| show_outbox()>
                                <span class="failure-title">{move || match messages() {
                                    1 => "1 message to a customer failed".to_owned(),
                                    n => format!("{n} messages to customers failed"),
                                }}</span>
                                <span class="failure-meta">"Open the outbox to see why and retry →"</span>
                            </button>
                        </Show>
                        <Show
                            when=move || { count() > 0 }
                            fallback=|| view! { <p class="muted pad">"Nothing failed. A router action that fails after its retries, or a message a provider refuses, shows up here with a desktop notification."</p> }
                        >
                            <ul class="failure-list">
                                <For
                                    each=move || console.failures.get().recent
                                    key=|f| (f.queue_id, f.at.clone())
                                    let:failure
                                >
                                    <li>
                                        <button
                                            class="failure-item"
                                            data-queue-id=failure.queue_id
                                            on:click=move |_| {
                                                open.set(false);
                                                match failure.service_id {
                                                    Some(id) => console.open(Page::Service(id)),
                                                    None => show_queue(),
                                                }
                                            }
                                        >
                                            <span class="failure-title">{failure.label.clone()}</span>
                                            <span class="failure-meta">{format!("on {}", failure.router_name)}</span>
                                            <span class="failure-error">{failure.error.clone()}</span>
                                        </button>
                                    </li>
                                </For>
                            </ul>
                        </Show>
                        <div class="popover-foot">
                            <button class="link" id="failures-queue" on:click=move |_| show_queue()>"Open the provisioning queue →"</button>
                        </div>
                    </div>
                </Show>
            </div>
        </header>
    }
}

//! The network map: street tiles (through the app, cached on disk),
//! routers and OLTs by state, ODPs, customers by service state in
//! clusters, drop lines; filters, search, and saving an area for offline
//! use. It refreshes itself as the engines report.

use headend_ipc::ErrorDto;
use headend_ipc::map::{AreaCount, AreaSaved, MapArea, MapFeature, MapView, command};
use leptos::html::Div;
use leptos::prelude::*;
use serde::Serialize;

use crate::app::{Console, Page};
use crate::components::{ErrorBox, PageHeader, ProgressBar};
use crate::ipc;
use crate::leaflet::{self, Handlers};

/// How often the map asks again while nothing else told it to (sessions
/// come and go without an event the map listens to).
const REFRESH_MS: u64 = 10_000;

/// The kinds of marker, bottom layer first.
const KINDS: [&str; 4] = ["customer", "odp", "olt", "router"];

/// The states a filter offers, with their words.
const STATES: [(&str, &str); 10] = [
    ("down", "Down"),
    ("alert", "Signal alerts"),
    ("degraded", "Needs a look"),
    ("up", "Up"),
    ("online", "Online now"),
    ("offline", "Offline"),
    ("suspended", "Suspended"),
    ("los", "ONU in LOS"),
    ("weak", "Weak ONU signal"),
    ("active", "Active (static IP)"),
];

#[derive(Serialize)]
struct AreaArgs {
    area: MapArea,
}

/// What the filters keep.
#[derive(Clone, Copy)]
struct Filters {
    pop: RwSignal<Option<i64>>,
    router: RwSignal<Option<i64>>,
    plan: RwSignal<Option<i64>>,
    state: RwSignal<String>,
}

impl Filters {
    fn keeps(&self, f: &MapFeature) -> bool {
        let (pop, router, plan) = (self.pop.get(), self.router.get(), self.plan.get());
        let state = self.state.get();
        pop.is_none_or(|p| f.pop_id == Some(p))
            && router
                .is_none_or(|r| f.router_id.is_none_or(|id| id == r) || f.kind == "customer" && f.router_id == Some(r))
            && plan.is_none_or(|p| f.kind != "customer" || f.plan_id == Some(p))
            && (state.is_empty() || f.state == state)
    }
}

fn parse_id(text: &str) -> Option<i64> {
    text.parse().ok()
}

#[component]
pub fn Map() -> impl IntoView {
    let console = Console::get();
    let data = RwSignal::new(None::<MapView>);
    let error = RwSignal::new(None::<ErrorDto>);
    let widget = StoredValue::new_local(None::<leaflet::Map>);
    let ready = RwSignal::new(false);
    let fitted = StoredValue::new(false);
    let tile_failures = RwSignal::new(0u32);
    let canvas = NodeRef::<Div>::new();
    let filters = Filters {
        pop: RwSignal::new(None),
        router: RwSignal::new(None),
        plan: RwSignal::new(None),
        state: RwSignal::new(String::new()),
    };
    let layers = [
        ("router", "Routers", RwSignal::new(true)),
        ("olt", "OLTs", RwSignal::new(true)),
        ("odp", "ODPs", RwSignal::new(true)),
        ("customer", "Customers", RwSignal::new(true)),
        ("lines", "Drop lines", RwSignal::new(false)),
    ];

    let refresh = move || {
        leptos::task::spawn_local(async move {
            match ipc::call::<MapView>(command::MAP_VIEW).await {
                Ok(view) => {
                    let _ = data.try_set(Some(view));
                    let _ = error.try_set(None);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        })
    };
    // Again whenever a router went up or down, the queue or an OLT changed,
    // and now and then.
    Effect::new(move |_| {
        console.router_states_changed.track();
        console.provisioning_changed.track();
        console.olts_changed.track();
        refresh();
    });
    let poll = set_interval_with_handle(refresh, std::time::Duration::from_millis(REFRESH_MS));
    on_cleanup(move || {
        if let Ok(handle) = poll {
            handle.clear();
        }
        widget.set_value(None);
    });

    // The widget, once its element is on the page, the first data (with
    // the attribution) is in and Leaflet is loaded.
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        let Some(attribution) = data.with(|d| d.as_ref().map(|d| d.attribution.clone())) else { return };
        if started.get_value() {
            return;
        }
        started.set_value(true);
        leptos::task::spawn_local(async move {
            if let Err(e) = leaflet::ensure_loaded().await {
                let _ = error.try_set(Some(ErrorDto::new(headend_ipc::ErrorCode::Internal, e)));
                return;
            }
            let handlers = Handlers {
                open: Box::new(move |kind, id| match kind.as_str() {
                    "router" => console.open(Page::Router(id)),
                    "olt" => console.open(Page::Olt(id)),
                    "customer" => console.open(Page::Service(id)),
                    _ => {}
                }),
                picked: Box::new(|_, _| {}),
                moved: Box::new(|| {}),
                tile_failed: Box::new(move || tile_failures.update(|n| *n += 1)),
            };
            match leaflet::Map::new(&el, &attribution, (0.0, 0.0), 2, handlers) {
                Ok(map) => {
                    widget.set_value(Some(map));
                    let _ = ready.try_set(true);
                }
                Err(e) => {
                    let _ = error.try_set(Some(ErrorDto::new(headend_ipc::ErrorCode::Internal, e)));
                }
            }
        });
    });

    // Markers follow the data and the filters; the first time, the view
    // fits them.
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        data.with(|view| {
            let Some(view) = view else { return };
            widget.with_value(|map| {
                let Some(map) = map else { return };
                for kind in KINDS {
                    let shown: Vec<&MapFeature> =
                        view.features.iter().filter(|f| f.kind == kind && filters.keeps(f)).collect();
                    map.set_features(kind, &shown);
                }
                map.set_lines(&view.lines);
                if !fitted.get_value() && !view.features.is_empty() {
                    map.fit_all();
                    fitted.set_value(true);
                }
            });
        });
    });
    for (name, _, on) in layers {
        Effect::new(move |_| {
            let on = on.get();
            if ready.get() {
                widget.with_value(|map| {
                    if let Some(map) = map {
                        map.show_layer(name, on);
                    }
                });
            }
        });
    }
    let focus = move |kind: String, id: i64| {
        widget.with_value(|map| {
            if let Some(map) = map {
                map.focus(&kind, id);
            }
        });
    };

    view! {
        <PageHeader title="Map" subtitle="Your network on the street map: what is up, who is online, where the trouble is." />
        {move || error.get().map(|e| view! { <ErrorBox error=e /> })}
        <Show when=move || data.with(|d| d.as_ref().is_some_and(|d| d.features.is_empty()))>
            <div class="empty-state map-empty" id="map-empty">
                <h2>"Nothing on the map yet"</h2>
                <p class="muted">"Give routers, OLTs and customers a location: their forms have a map to click, or take typed coordinates and pasted Google Maps or OpenStreetMap links; the import takes latitude and longitude columns."</p>
            </div>
        </Show>
        <div class="map-toolbar card" id="map-toolbar">
            <div class="map-layers" role="group" aria-label="Layers">
                {layers
                    .into_iter()
                    .map(|(name, label, on)| view! {
                        <label class="check">
                            <input type="checkbox" id=format!("layer-{name}") prop:checked=move || on.get()
                                on:change=move |ev| on.set(event_target_checked(&ev)) />
                            {label}
                        </label>
                    })
                    .collect_view()}
            </div>
            <MapFilters data=data filters=filters />
            <MapSearch data=data focus=focus />
        </div>
        <div class="map-frame">
            <div class="map-canvas" id="map-canvas" node_ref=canvas></div>
            <MapLegend />
        </div>
        <div class="map-footer">
            <span class="muted small" id="map-counts">
                {move || data.with(|d| d.as_ref().map(|d| {
                    let count = |kind: &str| d.features.iter().filter(|f| f.kind == kind).count();
                    let mut text = format!("{} routers, {} OLTs, {} ODPs, {} customer services on the map.",
                        count("router"), count("olt"), count("odp"), count("customer"));
                    if d.unplaced_customers > 0 {
                        text.push_str(&format!(" {} customers have no location yet: give them one on their service's form, or import it.", d.unplaced_customers));
                    }
                    text
                }))}
            </span>
            <Show when=move || { tile_failures.get() > 0 }>
                <span class="warning-text small" id="map-tiles-missing">
                    {move || format!("{} map tiles could not be loaded: this computer is offline or the tile server refused, and they were not saved for offline use.", tile_failures.get())}
                </span>
            </Show>
        </div>
        <SaveArea widget=widget ready=ready />
    }
}

#[component]
fn MapFilters(data: RwSignal<Option<MapView>>, filters: Filters) -> impl IntoView {
    let choices = move |pick: fn(&MapView) -> &Vec<headend_ipc::map::MapChoice>| {
        move || {
            data.with(|d| {
                d.as_ref().map(|d| {
                    pick(d)
                        .iter()
                        .map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> })
                        .collect_view()
                })
            })
        }
    };
    view! {
        <div class="map-filters">
            <select id="map-filter-pop" aria-label="POP" on:change=move |ev| filters.pop.set(parse_id(&event_target_value(&ev)))>
                <option value="">"Every POP"</option>
                {choices(|d| &d.pops)}
            </select>
            <select id="map-filter-router" aria-label="Router" on:change=move |ev| filters.router.set(parse_id(&event_target_value(&ev)))>
                <option value="">"Every router"</option>
                {choices(|d| &d.routers)}
            </select>
            <select id="map-filter-plan" aria-label="Plan" on:change=move |ev| filters.plan.set(parse_id(&event_target_value(&ev)))>
                <option value="">"Every plan"</option>
                {choices(|d| &d.plans)}
            </select>
            <select id="map-filter-state" aria-label="State" on:change=move |ev| filters.state.set(event_target_value(&ev))>
                <option value="">"Any state"</option>
                {STATES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// Finds a customer or a device by name, login or address and flies to it.
#[component]
fn MapSearch<F: Fn(String, i64) + Copy + Send + Sync + 'static>(
    data: RwSignal<Option<MapView>>,
    focus: F,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let matches = move || {
        let q = query.get().trim().to_lowercase();
        if q.len() < 2 {
            return Vec::new();
        }
        data.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.features
                        .iter()
                        .filter(|f| f.search.contains(&q))
                        .take(8)
                        .map(|f| (f.kind.clone(), f.id, f.name.clone(), f.lines.first().cloned().unwrap_or_default()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <div class="map-search">
            <input id="map-search" type="search" placeholder="Find a customer, login or device"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            <Show when=move || { query.with(|q| q.trim().len() >= 2) }>
                <ul class="map-search-results" id="map-search-results">
                    {move || {
                        let found = matches();
                        if found.is_empty() {
                            return view! { <li class="muted small">"Nothing on the map matches."</li> }.into_any();
                        }
                        found
                            .into_iter()
                            .map(|(kind, id, name, line)| {
                                let go = kind.clone();
                                view! {
                                    <li>
                                        <button type="button" class="link map-search-hit" data-kind=kind.clone() data-id=id.to_string()
                                            on:click=move |_| { focus(go.clone(), id); query.set(String::new()); }>
                                            <strong>{name}</strong>" "<span class="muted small">{line}</span>
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </ul>
            </Show>
        </div>
    }
}

#[component]
fn MapLegend() -> impl IntoView {
    const ITEMS: [(&str, &str); 9] = [
        ("up", "Up"),
        ("degraded", "Needs a look"),
        ("down", "Down"),
        ("online", "Online"),
        ("offline", "Offline"),
        ("active", "Active (static IP)"),
        ("suspended", "Suspended"),
        ("weak", "Weak signal"),
        ("los", "LOS"),
    ];
    view! {
        <div class="map-legend" aria-label="Legend">
            {ITEMS
                .iter()
                .map(|(state, label)| view! { <span class="legend-item"><span class=format!("legend-dot state-{state}")></span>{*label}</span> })
                .collect_view()}
        </div>
    }
}

/// "Save this area for offline use": the visible area's tiles from its
/// zoom down to street level, counted first, fetched with a progress bar.
#[component]
fn SaveArea(widget: StoredValue<Option<leaflet::Map>, LocalStorage>, ready: RwSignal<bool>) -> impl IntoView {
    let console = Console::get();
    let open = RwSignal::new(false);
    let deepest = RwSignal::new(17u8);
    let count = RwSignal::new(None::<AreaCount>);
    let error = RwSignal::new(None::<ErrorDto>);
    let saved = RwSignal::new(None::<AreaSaved>);
    let saving = RwSignal::new(false);
    let area = move || {
        widget.with_value(|map| {
            map.as_ref().and_then(|m| m.view()).map(|v| {
                let zoom = v.zoom.clamp(0.0, 19.0) as u8;
                MapArea {
                    south: v.south,
                    west: v.west,
                    north: v.north,
                    east: v.east,
                    min_zoom: zoom,
                    max_zoom: deepest.get().max(zoom),
                }
            })
        })
    };
    let recount = move || {
        let Some(area) = area() else { return };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, AreaCount>(command::COUNT_MAP_AREA, AreaArgs { area }).await {
                Ok(c) => {
                    let _ = count.try_set(Some(c));
                    let _ = error.try_set(None);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    let save = move |_| {
        let Some(area) = area() else { return };
        saving.set(true);
        saved.set(None);
        error.set(None);
        console.map_area.set(None);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, AreaSaved>(command::SAVE_MAP_AREA, AreaArgs { area }).await {
                Ok(s) => {
                    let _ = saved.try_set(Some(s));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
            let _ = saving.try_set(false);
        });
    };
    let too_many = move || count.get().is_some_and(|c| c.tiles > c.cap);
    view! {
        <div class="card map-offline" id="map-offline">
            <div class="row">
                <button type="button" class="secondary" id="map-save-area" disabled=move || !ready.get()
                    on:click=move |_| { open.update(|o| *o = !*o); recount(); }>
                    "Save this area for offline use"
                </button>
                <span class="muted small">"Tiles you have seen are kept on this computer; save an area ahead to have it on site with no network."</span>
            </div>
            <Show when=move || open.get()>
                <div class="row">
                    <label class="field inline"><span class="field-label">"Down to zoom"</span>
                        <select id="map-save-zoom" on:change=move |ev| { deepest.set(event_target_value(&ev).parse().unwrap_or(17)); recount(); }>
                            {(12u8..=19).map(|z| view! { <option value=z.to_string() selected=z == 17>{format!("{z}{}", match z { 15 => " (streets)", 17 => " (buildings)", 19 => " (closest)", _ => "" })}</option> }).collect_view()}
                        </select>
                    </label>
                    <span id="map-save-count">{move || count.get().map(|c| if c.tiles > c.cap {
                        format!("{} tiles: more than the {} one save may fetch. Zoom in on a smaller area, or stop at a farther zoom.", c.tiles, c.cap)
                    } else {
                        format!("{} tiles", c.tiles)
                    })}</span>
                    <button type="button" class="primary" id="map-save-start" disabled=move || saving.get() || too_many() || count.get().is_none()
                        on:click=save>"Save"</button>
                </div>
                <Show when=move || saving.get()>
                    {move || console.map_area.get().map(|p| view! {
                        <ProgressBar done=p.done as u32 total=p.total as u32 />
                        <span class="muted small" id="map-save-progress">{format!("{} of {} tiles", p.done, p.total)}</span>
                    })}
                </Show>
                {move || saved.get().map(|s| view! {
                    <p class="saved" id="map-save-result">{format!(
                        "Saved for offline use: {} new tiles, {} already on this computer{}.",
                        s.fetched, s.already_cached,
                        if s.failed > 0 { format!(", {} could not be fetched", s.failed) } else { String::new() }
                    )}</p>
                })}
                {move || error.get().map(|e| view! { <ErrorBox error=e /> })}
            </Show>
        </div>
    }
}

//! The location picker of the router, OLT and service forms: a map that
//! opens under the location field; a click there writes the point into the
//! field (which also takes typed coordinates or a pasted map link). The
//! network's markers are shown for context.

use headend_ipc::map::{MapFeature, MapView, command};
use leptos::html::Div;
use leptos::prelude::*;

use crate::ipc;
use crate::leaflet::{self, Handlers};

/// `LAT,LON` typed plainly, for centring the picker (links are the app's
/// to read when the form is saved).
fn typed_point(text: &str) -> Option<(f64, f64)> {
    let (lat, lon) = text.split_once(',')?;
    let (lat, lon) = (lat.trim().parse::<f64>().ok()?, lon.trim().parse::<f64>().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// The "Pick on the map" button and, when open, the map. `field` is the
/// location input's id; the button is `{field}-pick`, the map
/// `{field}-map`.
#[component]
pub fn LocationPicker<S>(field: &'static str, value: Signal<String>, set: S) -> impl IntoView
where
    S: Fn(String) + Copy + Send + Sync + 'static,
{
    let open = RwSignal::new(false);
    view! {
        <button type="button" class="link location-pick" id=format!("{field}-pick")
            on:click=move |_| open.update(|o| *o = !*o)>
            {move || if open.get() { "Close the map" } else { "Pick on the map" }}
        </button>
        <Show when=move || open.get()>
            <PickerMap field=field value=value set=set />
        </Show>
    }
}

#[component]
fn PickerMap<S>(field: &'static str, value: Signal<String>, set: S) -> impl IntoView
where
    S: Fn(String) + Copy + Send + Sync + 'static,
{
    let canvas = NodeRef::<Div>::new();
    let widget = StoredValue::new_local(None::<leaflet::Map>);
    let problem = RwSignal::new(None::<String>);
    on_cleanup(move || widget.set_value(None));
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        leptos::task::spawn_local(async move {
            if let Err(e) = leaflet::ensure_loaded().await {
                let _ = problem.try_set(Some(e));
                return;
            }
            let network = ipc::call::<MapView>(command::MAP_VIEW).await.ok();
            let attribution = network.as_ref().map(|n| n.attribution.clone()).unwrap_or_default();
            let start = value.with_untracked(|v| typed_point(v));
            let handlers = Handlers {
                open: Box::new(|_, _| {}),
                picked: Box::new(move |lat, lon| set(format!("{lat:.6},{lon:.6}"))),
                moved: Box::new(|| {}),
                tile_failed: Box::new(|| {}),
            };
            let map = match leaflet::Map::new(&el, &attribution, start.unwrap_or((0.0, 0.0)), 2, handlers) {
                Ok(map) => map,
                Err(e) => {
                    let _ = problem.try_set(Some(e));
                    return;
                }
            };
            if let Some(network) = &network {
                for kind in ["router", "olt", "odp", "customer"] {
                    let shown: Vec<&MapFeature> = network.features.iter().filter(|f| f.kind == kind).collect();
                    map.set_features(kind, &shown);
                }
            }
            match start {
                Some((lat, lon)) => {
                    map.set_view(lat, lon, 16);
                    map.show_pick(lat, lon);
                }
                None => map.fit_all(),
            }
            map.set_picking(true);
            widget.set_value(Some(map));
        });
    });
    view! {
        <div class="location-picker" id=format!("{field}-map") node_ref=canvas></div>
        <span class="field-help">"Click where it is; zoom in for a precise spot."</span>
        {move || problem.get().map(|p| view! { <span class="field-error">{p}</span> })}
    }
}

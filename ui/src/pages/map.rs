use headend_ipc::{RouterRow, command};
use leptos::prelude::*;

use super::{fetch, loaded};
use crate::components::{EmptyState, Icon, PageHeader};

/// The plot's size in SVG units; the view box scales it to the page.
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 560.0;
const MARGIN: f64 = 60.0;

#[component]
pub fn Map() -> impl IntoView {
    let routers = fetch::<Vec<RouterRow>>(command::LIST_ROUTERS);
    view! {
        <PageHeader title="Map" subtitle="Where your routers are." />
        {loaded(routers, |routers: Vec<RouterRow>| {
            let sites: Vec<(String, f64, f64)> = routers
                .into_iter()
                .filter_map(|r| r.location.map(|(lat, lon)| (r.name, lat, lon)))
                .collect();
            if sites.is_empty() {
                view! {
                    <EmptyState
                        icon=Icon::Map
                        title="No routers on the map yet"
                        text="Give each router its site coordinates (latitude, longitude) when you add it, and it appears here. The map works offline: no tiles are fetched from the internet."
                    />
                }
                .into_any()
            } else {
                view! { <SitePlot sites=sites /> }.into_any()
            }
        })}
    }
}

/// Sites on an equirectangular plot fitted to their bounding box: enough
/// to see a network's shape without map tiles.
#[component]
fn SitePlot(sites: Vec<(String, f64, f64)>) -> impl IntoView {
    let (mut lat_min, mut lat_max, mut lon_min, mut lon_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (_, lat, lon) in &sites {
        lat_min = lat_min.min(*lat);
        lat_max = lat_max.max(*lat);
        lon_min = lon_min.min(*lon);
        lon_max = lon_max.max(*lon);
    }
    // One scale for both axes, centred, so the shape is not distorted and a
    // single site sits in the middle.
    let span = (lat_max - lat_min).max(lon_max - lon_min).max(0.01);
    let scale = ((WIDTH - 2.0 * MARGIN) / span).min((HEIGHT - 2.0 * MARGIN) / span);
    let (lat_mid, lon_mid) = ((lat_min + lat_max) / 2.0, (lon_min + lon_max) / 2.0);
    let x = move |lon: f64| WIDTH / 2.0 + (lon - lon_mid) * scale;
    let y = move |lat: f64| HEIGHT / 2.0 - (lat - lat_mid) * scale;
    view! {
        <div class="card map">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label="Router sites">
                {sites
                    .into_iter()
                    .map(|(name, lat, lon)| view! {
                        <g class="site">
                            <circle cx=x(lon) cy=y(lat) r="9" />
                            <text x=x(lon) y=y(lat) dy="-16" text-anchor="middle">{name}</text>
                        </g>
                    })
                    .collect_view()}
            </svg>
        </div>
    }
}

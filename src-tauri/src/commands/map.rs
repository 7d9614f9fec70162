//! The network map: its markers (colours by core's `map_layers` rules),
//! the tile server, and saving an area's tiles for offline use.

use std::collections::HashSet;

use headend_core::geo::GeoPoint;
use headend_core::map::{Bounds, TileUrl, area_tile_count};
use headend_core::map_layers::{MarkerState, OltSeen, OnuSeen, RouterSeen, customer_state, olt_state, router_state};
use headend_fleet::RouterState;
use headend_ipc::map::{
    AreaCount, AreaProgress, AreaSaved, MapArea, MapChoice, MapFeature, MapView, TileSettings, TileSettingsForm, event,
};
use headend_ipc::{ErrorCode, ErrorDto};
use headend_store::{MapService, OltOverview};
use tauri::{AppHandle, Emitter, State};

use super::{Answer, db, error, invalid};
use crate::map_tiles::{MapTiles, TileSource};
use crate::state::AppState;

/// The most tiles one "Save this area" fetches: a town at street level
/// (zoom 12 to 17 over 10 × 10 km is about 2,500), not a country, as the
/// tile servers' policies ask.
const AREA_CAP: usize = 5_000;

struct Marker<'a> {
    kind: &'static str,
    id: i64,
    name: &'a str,
    at: GeoPoint,
    state: MarkerState,
    lines: Vec<String>,
    page: Option<&'static str>,
}

impl Marker<'_> {
    fn feature(self, router: Option<i64>, plan: Option<i64>, pop: Option<i64>, search: String) -> MapFeature {
        MapFeature {
            kind: self.kind.to_owned(),
            id: self.id,
            name: self.name.to_owned(),
            lat: self.at.lat(),
            lon: self.at.lon(),
            state: self.state.as_str().to_owned(),
            state_label: self.state.label().to_owned(),
            lines: self.lines,
            page: self.page.map(str::to_owned),
            router_id: router,
            plan_id: plan,
            pop_id: pop,
            search,
        }
    }
}

/// What the fleet last saw of a router, as core's marker rules take it.
pub(crate) fn router_seen(state: Option<&RouterState>) -> RouterSeen {
    match state {
        Some(RouterState::Up(_)) => RouterSeen::Up,
        Some(RouterState::Down { .. }) => RouterSeen::Down,
        Some(RouterState::Connecting) | None => RouterSeen::Connecting,
    }
}

/// What the OLT engine last saw of an OLT: failing while its commands
/// fail or its login is refused.
pub(crate) fn olt_seen(o: &OltOverview, state: &AppState) -> OltSeen {
    OltSeen {
        reached: o.health.reached_at.is_some(),
        failing: o.health.error.is_some() || state.olts.refused(o.olt.id).is_some(),
        critical_alerts: o.criticals,
        los_alerts: o.los_alerts,
        warnings: o.warnings,
    }
}

fn customer_feature(
    s: &MapService,
    online: &HashSet<(i64, &str)>,
    thresholds: &headend_core::optical::Thresholds,
) -> MapFeature {
    let session = s.username.as_deref().map(|user| online.contains(&(s.router.0, user)));
    let onu = s.onu_state.map(|state| OnuSeen { state, rx: s.onu_rx });
    let state = customer_state(s.status, session, onu, thresholds);
    let login = s.username.clone().or_else(|| s.ip_address.clone()).unwrap_or_default();
    let mut lines = vec![format!("{login} · {}", s.plan_name)];
    if let Some(address) = &s.address {
        lines.push(address.clone());
    }
    if let Some(rx) = s.onu_rx {
        lines.push(format!("ONU signal {rx:.1} dBm"));
    }
    let search = format!("{} {login} {}", s.customer_name, s.address.as_deref().unwrap_or("")).to_lowercase();
    Marker {
        kind: "customer",
        id: s.service.0,
        name: &s.customer_name,
        at: s.location,
        state,
        lines,
        page: Some("Open service"),
    }
    .feature(Some(s.router.0), Some(s.plan.0), s.pop.map(|p| p.0), search)
}

/// Every located router, OLT, ODP and customer service, coloured by what
/// the engines last saw, with the drop lines and the filters' choices.
#[tauri::command]
pub async fn map_view(state: State<'_, AppState>, tiles: State<'_, MapTiles>) -> Answer<MapView> {
    let store = &state.store;
    let routers = store.routers().await.map_err(db)?;
    let failed = store.failed_actions_by_router().await.map_err(db)?;
    let statuses = state.fleet.statuses();
    let sessions = state.fleet.sessions();
    let online: HashSet<(i64, &str)> = sessions.iter().map(|s| (s.router.0, s.user.as_str())).collect();
    let thresholds = store.signal_policy().await.map_err(db)?.thresholds;
    let services = store.map_services().await.map_err(db)?;
    let mut features = Vec::with_capacity(services.len() + routers.len());

    for r in &routers {
        let Some(at) = r.location else { continue };
        let status = statuses.iter().find(|s| s.router == r.id).map(|s| &s.state);
        let failures = failed.get(&r.id).copied().unwrap_or(0);
        let mut lines = vec![format!("{}:{}", r.host, r.port)];
        if let Some(RouterState::Down { error }) = status {
            lines.push(error.clone());
        }
        if failures > 0 {
            lines.push(format!("{failures} failed provisioning action(s)"));
        }
        let marker = Marker {
            kind: "router",
            id: r.id.0,
            name: &r.name,
            at,
            state: router_state(router_seen(status), failures),
            lines,
            page: Some("Open router"),
        };
        features.push(marker.feature(Some(r.id.0), None, r.pop.map(|p| p.0), r.name.to_lowercase()));
    }
    let olts = store.olt_overviews().await.map_err(db)?;
    for o in &olts {
        let Some(at) = o.olt.location else { continue };
        let seen = olt_seen(o, &state);
        let mut lines = vec![format!("{} ONUs, {} online, {} in LOS", o.onus, o.online, o.los)];
        if let Some(error) = &o.health.error {
            lines.push(error.clone());
        }
        let marker = Marker {
            kind: "olt",
            id: o.olt.id.0,
            name: &o.olt.name,
            at,
            state: olt_state(seen),
            lines,
            page: Some("Open OLT"),
        };
        features.push(marker.feature(None, None, o.olt.pop.map(|p| p.0), o.olt.name.to_lowercase()));
    }
    for d in store.odps().await.map_err(db)? {
        let Some(at) = d.odp.location else { continue };
        let full = d.odp.capacity.is_some_and(|c| d.onus >= u32::from(c));
        let used = match d.odp.capacity {
            Some(c) => format!("{} of {c} outputs used", d.onus),
            None => format!("{} ONUs", d.onus),
        };
        let state = if full { MarkerState::Degraded } else { MarkerState::Up };
        let marker =
            Marker { kind: "odp", id: d.odp.id.0, name: &d.odp.name, at, state, lines: vec![used], page: None };
        features.push(marker.feature(None, None, d.odp.pop.map(|p| p.0), d.odp.name.to_lowercase()));
    }
    let mut lines = Vec::new();
    for s in &services {
        features.push(customer_feature(s, &online, &thresholds));
        if let Some(from) = s.drop_from {
            lines.push([from.lat(), from.lon(), s.location.lat(), s.location.lon()]);
        }
    }
    let choice = |id: i64, name: &str| MapChoice { id, name: name.to_owned() };
    Ok(MapView {
        features,
        lines,
        pops: store.pops().await.map_err(db)?.iter().map(|p| choice(p.id.0, &p.name)).collect(),
        routers: routers.iter().map(|r| choice(r.id.0, &r.name)).collect(),
        plans: store.plans().await.map_err(db)?.iter().map(|p| choice(p.id.0, &p.name)).collect(),
        attribution: tiles.source().attribution,
        unplaced_customers: store.unplaced_customers().await.map_err(db)?,
    })
}

fn area(a: &MapArea) -> Result<(Bounds, std::ops::RangeInclusive<u8>), ErrorDto> {
    // A zoomed-out view reaches past the antimeridian: keep the world's part.
    let bounds = Bounds::new(a.south, a.west.max(-180.0), a.north, a.east.min(180.0)).map_err(invalid)?;
    if a.min_zoom > a.max_zoom {
        return Err(ErrorDto::field("max_zoom", "The closest zoom must be at least the farthest."));
    }
    Ok((bounds, a.min_zoom..=a.max_zoom))
}

/// How many tiles saving `area` fetches at most.
#[tauri::command]
pub fn count_map_area(area: MapArea) -> Answer<AreaCount> {
    let (bounds, zooms) = self::area(&area)?;
    let tiles = area_tile_count(&bounds, zooms).map_err(|e| ErrorDto::field("max_zoom", e.to_string()))?;
    Ok(AreaCount { tiles, cap: AREA_CAP as u64 })
}

/// Fetches every tile of `area` not on disk yet, two at a time, telling
/// the page how far it got.
#[tauri::command]
pub async fn save_map_area(app: AppHandle, tiles: State<'_, MapTiles>, area: MapArea) -> Answer<AreaSaved> {
    let (bounds, zooms) = self::area(&area)?;
    let _saving =
        tiles.begin_save().ok_or_else(|| invalid("An area is being saved already: wait for it to finish."))?;
    let source = tiles.source();
    let saved = tiles
        .tiles
        .save_area(&source.url, &bounds, zooms, AREA_CAP, |p| {
            let progress = AreaProgress { done: p.done as u64, total: p.total as u64 };
            if let Err(err) = app.emit(event::AREA_PROGRESS, progress) {
                tracing::warn!("cannot tell the map page the progress: {err}");
            }
        })
        .await
        .map_err(|e| ErrorDto::field("max_zoom", e.to_string()))?;
    if let Some(err) = &saved.first_error {
        tracing::warn!(failed = saved.failed, "saving a map area: {err}");
        if saved.fetched == 0 && saved.already_cached == 0 {
            return Err(error(ErrorCode::TileServer, format!("No tile could be saved: {err}")));
        }
    }
    Ok(AreaSaved {
        total: saved.total as u64,
        fetched: saved.fetched as u64,
        already_cached: saved.already_cached as u64,
        failed: saved.failed as u64,
    })
}

async fn tile_settings(tiles: &MapTiles) -> TileSettings {
    let source = tiles.source();
    let dir = tiles.tiles.cache().dir().to_owned();
    let cached_bytes = tauri::async_runtime::spawn_blocking(move || dir_size(&dir)).await.unwrap_or(0);
    TileSettings {
        tile_url: source.url.as_str().to_owned(),
        default_url: TileUrl::default().as_str().to_owned(),
        attribution: source.attribution,
        cached_bytes,
    }
}

fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

#[tauri::command]
pub async fn get_tile_settings(tiles: State<'_, MapTiles>) -> Answer<TileSettings> {
    Ok(tile_settings(&tiles).await)
}

/// Sets the tile server; tiles already on disk stay, kept apart per server.
#[tauri::command]
pub async fn save_tile_settings(
    app: AppHandle,
    tiles: State<'_, MapTiles>,
    form: TileSettingsForm,
) -> Answer<TileSettings> {
    let url: TileUrl = form.tile_url.trim().parse().map_err(|e| ErrorDto::field("tile_url", format!("{e}")))?;
    let attribution = match form.attribution.trim() {
        "" if url.is_openstreetmap() => headend_core::map::OSM_ATTRIBUTION.to_owned(),
        "" => return Err(ErrorDto::field("attribution", "Say whose map this is, as the tile server's terms ask.")),
        text => text.to_owned(),
    };
    // The host only: an address may carry a key or a password.
    let host = url.host().to_owned();
    crate::map_tiles::save(&app, TileSource { url, attribution })
        .map_err(|e| error(ErrorCode::Settings, format!("cannot save the settings: {e:#}")))?;
    tracing::info!(%host, "map tile server set");
    Ok(tile_settings(&tiles).await)
}

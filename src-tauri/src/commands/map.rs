//! The network map: its markers (colours by core's `map_layers` rules),
//! the tile server, and saving an area's tiles for offline use.

use headend_core::map::{Bounds, TileUrl, area_tile_count};
use headend_ipc::map::{
    AreaCount, AreaProgress, AreaSaved, MapArea, MapChoice, MapFeature, MapView, TileSettings, TileSettingsForm, event,
};
use headend_ipc::{ErrorCode, ErrorDto};
use headend_workflows::network::{Choice, EnginesSeen, MapMarker, MarkerKind};
use tauri::{AppHandle, Emitter, State};

use super::{Answer, error, invalid, workflow_error};
use crate::map_tiles::{MapTiles, TileSource};
use crate::state::AppState;

/// The most tiles one "Save this area" fetches: a town at street level
/// (zoom 12 to 17 over 10 × 10 km is about 2,500), not a country, as the
/// tile servers' policies ask.
const AREA_CAP: usize = 5_000;

/// What the engines last saw, for the map and the dashboard.
pub(crate) fn engines_seen(state: &AppState) -> EnginesSeen {
    EnginesSeen::new(state.fleet.statuses(), &state.fleet.sessions(), state.olts.refused_olts())
}

fn feature(m: MapMarker) -> MapFeature {
    MapFeature {
        kind: m.kind.as_str().to_owned(),
        id: m.id,
        name: m.name,
        lat: m.at.lat(),
        lon: m.at.lon(),
        state: m.state.as_str().to_owned(),
        state_label: m.state.label().to_owned(),
        lines: m.lines,
        page: match m.kind {
            MarkerKind::Router => Some("Open router".to_owned()),
            MarkerKind::Olt => Some("Open OLT".to_owned()),
            MarkerKind::Customer => Some("Open service".to_owned()),
            MarkerKind::Odp => None,
        },
        router_id: m.router.map(|r| r.0),
        plan_id: m.plan.map(|p| p.0),
        pop_id: m.pop.map(|p| p.0),
        search: m.search,
    }
}

/// Every located router, OLT, ODP and customer service, coloured by what
/// the engines last saw, with the drop lines and the filters' choices.
#[tauri::command]
pub async fn map_view(state: State<'_, AppState>, tiles: State<'_, MapTiles>) -> Answer<MapView> {
    let map = state.workflows.network_map(&engines_seen(&state)).await.map_err(workflow_error)?;
    let choices = |choices: Vec<Choice>| choices.into_iter().map(|c| MapChoice { id: c.id, name: c.name }).collect();
    Ok(MapView {
        features: map.markers.into_iter().map(feature).collect(),
        lines: map.drop_lines.iter().map(|(from, to)| [from.lat(), from.lon(), to.lat(), to.lon()]).collect(),
        pops: choices(map.pops),
        routers: choices(map.routers),
        plans: choices(map.plans),
        attribution: tiles.source().attribution,
        unplaced_customers: map.unplaced_customers,
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

//! The network map: its markers, drop lines and filters, the tile server,
//! and saving an area's tiles for offline use.
//!
//! Tiles are not data here: the web view loads them from the app's `tile:`
//! protocol (`tile://localhost/{z}/{x}/{y}.png` on Linux and macOS,
//! `http://tile.localhost/…` on Windows), whose Rust side fetches them from
//! the configured tile server and keeps them on disk.

use serde::{Deserialize, Serialize};

/// Command names of the map.
pub mod command {
    /// Answers [`super::MapView`].
    pub const MAP_VIEW: &str = "map_view";
    /// Takes [`super::MapArea`]; answers [`super::AreaCount`].
    pub const COUNT_MAP_AREA: &str = "count_map_area";
    /// Takes [`super::MapArea`]; answers [`super::AreaSaved`] when done,
    /// with [`super::event::AREA_PROGRESS`] events meanwhile.
    pub const SAVE_MAP_AREA: &str = "save_map_area";
    /// Answers [`super::TileSettings`].
    pub const GET_TILE_SETTINGS: &str = "get_tile_settings";
    /// Takes [`super::TileSettingsForm`]; answers [`super::TileSettings`].
    /// Error field: "tile_url".
    pub const SAVE_TILE_SETTINGS: &str = "save_tile_settings";
}

/// Events of the map.
pub mod event {
    /// [`super::AreaProgress`], while an area is saved.
    pub const AREA_PROGRESS: &str = "map-area-progress";
}

/// One marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapFeature {
    /// "router", "olt", "odp" or "customer".
    pub kind: String,
    /// The router's, OLT's or ODP's id; a customer's service id.
    pub id: i64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// headend_core's `MarkerState` word ("up", "down", "online", "los"…):
    /// the marker's colour.
    pub state: String,
    pub state_label: String,
    /// The popup's lines (plan, login, address, signal…).
    pub lines: Vec<String>,
    /// The button opening its page ("Open service"), if it has one.
    pub page: Option<String>,
    /// For the filters (a router's own id for a router).
    pub router_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub pop_id: Option<i64>,
    /// Lower-case text the search matches (name, login, address).
    pub search: String,
}

/// A choice in a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapChoice {
    pub id: i64,
    pub name: String,
}

/// Everything the map shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    pub features: Vec<MapFeature>,
    /// Drop lines, `[from_lat, from_lon, to_lat, to_lon]`: ODP (or OLT) to
    /// customer.
    pub lines: Vec<[f64; 4]>,
    pub pops: Vec<MapChoice>,
    pub routers: Vec<MapChoice>,
    pub plans: Vec<MapChoice>,
    /// Shown in the map's corner, as the tile server's policy asks.
    pub attribution: String,
    /// Located items that exist but are not placed: "3 customers have no
    /// location" hints.
    pub unplaced_customers: u32,
}

/// The visible area and the zoom levels to keep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapArea {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
    pub min_zoom: u8,
    pub max_zoom: u8,
}

/// How many tiles an area is, and the most one save may fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaCount {
    pub tiles: u64,
    pub cap: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaProgress {
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSaved {
    pub total: u64,
    pub fetched: u64,
    pub already_cached: u64,
    pub failed: u64,
}

/// Where tiles come from, and what the disk cache holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileSettings {
    /// A template with `{z}`, `{x}` and `{y}`.
    pub tile_url: String,
    pub default_url: String,
    pub attribution: String,
    /// Bytes of tiles on disk.
    pub cached_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileSettingsForm {
    pub tile_url: String,
    pub attribution: String,
}

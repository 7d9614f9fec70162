//! The map's tiles: the `tile:` URI scheme the web view loads them from
//! (so its CSP stays `'self'`), served from the disk cache in the data
//! directory or fetched from the configured tile server and kept there. A
//! technician who opened the map at the office sees it on site offline.
//!
//! The tile server (a `{z}/{x}/{y}` template) and its attribution are
//! preferences in `settings.json`, beside the others; the default is
//! OpenStreetMap's standard tiles, credited as their policy asks.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use headend_core::map::{DEFAULT_TILE_URL, OSM_ATTRIBUTION, TileId, TileUrl};
use headend_tiles::Tiles;
use serde_json::json;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{AppHandle, Manager, Runtime, UriSchemeContext, UriSchemeResponder};
use tauri_plugin_store::StoreExt;

use crate::state::lock;

const TILE_URL: &str = "map_tile_url";
const ATTRIBUTION: &str = "map_attribution";

/// Where tiles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileSource {
    pub url: TileUrl,
    pub attribution: String,
}

impl Default for TileSource {
    fn default() -> Self {
        Self { url: TileUrl::default(), attribution: OSM_ATTRIBUTION.to_owned() }
    }
}

/// The cache and fetcher, and the source in force.
pub struct MapTiles {
    pub tiles: Tiles,
    source: std::sync::Mutex<TileSource>,
    /// An area is being saved: one at a time keeps the tile server's two
    /// requests in flight.
    saving: AtomicBool,
}

/// While it lives, an area save runs; dropped, the next may start.
pub struct SaveGuard<'a>(&'a AtomicBool);

impl Drop for SaveGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl MapTiles {
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            tiles: Tiles::open(data_dir.join("tiles"))?,
            source: std::sync::Mutex::new(TileSource::default()),
            saving: AtomicBool::new(false),
        })
    }

    /// Starts an area save, unless one runs.
    pub fn begin_save(&self) -> Option<SaveGuard<'_>> {
        (!self.saving.swap(true, Ordering::SeqCst)).then_some(SaveGuard(&self.saving))
    }

    pub fn source(&self) -> TileSource {
        lock(&self.source).clone()
    }
}

/// Reads the tile source from the settings file; a value that does not
/// parse falls back to the default with a warning, like every setting.
pub fn load<R: Runtime>(app: &AppHandle<R>, settings_path: &Path) -> anyhow::Result<()> {
    let store = app.store(settings_path)?;
    let mut source = TileSource::default();
    if let Some(value) = store.get(TILE_URL) {
        match value.as_str().map(str::parse::<TileUrl>) {
            Some(Ok(url)) => source.url = url,
            Some(Err(err)) => tracing::warn!("settings: {TILE_URL}: {err}; using {DEFAULT_TILE_URL}"),
            None => tracing::warn!("settings: {TILE_URL} is {value}, not text; using {DEFAULT_TILE_URL}"),
        }
    }
    if let Some(text) = store.get(ATTRIBUTION).as_ref().and_then(|v| v.as_str()) {
        source.attribution = text.to_owned();
    }
    *lock(&app.state::<MapTiles>().source) = source;
    Ok(())
}

pub fn save<R: Runtime>(app: &AppHandle<R>, source: TileSource) -> anyhow::Result<()> {
    let path = app.state::<crate::state::AppState>().data_dir.settings_path();
    let store = app.store(path)?;
    store.set(TILE_URL, json!(source.url.as_str()));
    store.set(ATTRIBUTION, json!(source.attribution));
    store.save()?;
    *lock(&app.state::<MapTiles>().source) = source;
    Ok(())
}

/// Answers `tile://localhost/{z}/{x}/{y}.png`: the cached tile, else the
/// server's, else a 502 saying why (the map shows a blank square).
pub fn serve<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn(async move {
        let response = match TileId::from_path(&path) {
            Err(err) => text(StatusCode::NOT_FOUND, format!("{path}: {err}")),
            Ok(id) => {
                let map = app.state::<MapTiles>();
                let source = map.source();
                match map.tiles.tile(&source.url, id).await {
                    Ok(tile) => Response::builder()
                        .status(StatusCode::OK)
                        .header(header::CONTENT_TYPE, tile.content_type)
                        .body(tile.bytes)
                        .unwrap_or_else(|e| text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
                    Err(err) => {
                        tracing::debug!(tile = %id, "map tile unavailable: {err}");
                        text(StatusCode::BAD_GATEWAY, err.to_string())
                    }
                }
            }
        };
        responder.respond(response);
    });
}

fn text(status: StatusCode, body: String) -> Response<Vec<u8>> {
    let mut response = Response::new(body.into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

//! Map tiles from the configured tile server, cached on disk: a technician
//! who opened the map at the office sees it on site with no network.
//!
//! [`Tiles::tile`] serves a tile from the cache, or fetches it and keeps
//! it; [`Tiles::save_area`] fetches an area ahead of a trip. Which tiles an
//! area needs, and the tile server's address, are `headend-core`'s
//! ([`headend_core::map`]).
//!
//! # Architecture invariants
//!
//! - A cached tile is served as it is: no refresh, no expiry. The map works
//!   offline for as long as the files stay.
//! - Every request has a timeout, names Headend in its `User-Agent` (as
//!   OpenStreetMap's tile usage policy asks), and a bulk save never has
//!   more than [`SAVE_CONCURRENCY`] requests in flight.
//! - TLS is rustls with ring and the operating system's CA roots: no
//!   aws-lc, no OpenSSL (the same stack as `headend-messaging`).
//! - Errors and logs name the tile server's host, never its whole address
//!   (a template may carry an API key).

#![forbid(unsafe_code)]

mod cache;
mod fetch;

use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use headend_core::map::{AreaError, Bounds, TileId, TileUrl, area_tiles};
use tracing::{debug, info, warn};

pub use cache::{TileCache, template_key};
pub use fetch::{MAX_TILE_BYTES, TIMEOUT, TileFetcher, USER_AGENT_VALUE};

/// Requests in flight while saving an area: tile servers' policies forbid
/// heavy bulk downloads, and two keep a save going at a usable pace.
pub const SAVE_CONCURRENCY: usize = 2;

/// What went wrong getting a tile, in words for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TilesError {
    #[error("could not connect to the tile server {host}: {cause}")]
    Unreachable { host: String, cause: String },
    #[error("the connection to the tile server {host} failed: {cause}")]
    Connection { host: String, cause: String },
    #[error("the tile server {host} did not answer within {}", humanize(*after))]
    TimedOut { host: String, after: Duration },
    #[error("the tile server {host} answered {status}{}", reason(*status))]
    Status { host: String, status: u16 },
    #[error("the tile server {host} sent a tile bigger than {} MiB", MAX_TILE_BYTES >> 20)]
    TooBig { host: String },
    #[error("the tile server {host} answered with {content_type}, not an image")]
    NotAnImage { host: String, content_type: String },
    #[error("the address of tile {tile} on {host} is not a valid URL")]
    BadUrl { host: String, tile: TileId },
    #[error("cannot set up TLS for the tile server: {0}")]
    Tls(String),
    #[error("cannot save the tile on this computer: {0}")]
    Cache(String),
    #[error(transparent)]
    Area(#[from] AreaError),
}

/// ` (Not Found)` after a status code, when it has a name.
fn reason(status: u16) -> String {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .map_or_else(String::new, |reason| format!(" ({reason})"))
}

/// `10 s`, `250 ms`.
fn humanize(duration: Duration) -> String {
    if duration.subsec_millis() == 0 && duration.as_secs() > 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// One tile, as the map's webview receives it.
#[derive(Clone, PartialEq, Eq)]
pub struct Tile {
    pub bytes: Vec<u8>,
    /// Its MIME type, `image/png`.
    pub content_type: String,
    /// Whether it came from the disk rather than the server.
    pub from_cache: bool,
}

impl fmt::Debug for Tile {
    /// The size instead of the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tile")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .field("from_cache", &self.from_cache)
            .finish()
    }
}

/// How far a [`Tiles::save_area`] has got, after each tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SaveProgress {
    /// The tiles the area needs.
    pub total: usize,
    /// `fetched + already_cached + failed`.
    pub done: usize,
    pub fetched: usize,
    pub already_cached: usize,
    pub failed: usize,
}

/// What a [`Tiles::save_area`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaSaved {
    pub total: usize,
    pub fetched: usize,
    pub already_cached: usize,
    pub failed: usize,
    /// Why the first failed tile failed, for the operator ("could not
    /// connect to the tile server …").
    pub first_error: Option<TilesError>,
}

/// Tiles from the cache, or from the server and then kept in the cache.
#[derive(Debug, Clone)]
pub struct Tiles {
    cache: TileCache,
    fetcher: TileFetcher,
}

impl Tiles {
    pub fn new(cache: TileCache, fetcher: TileFetcher) -> Self {
        Self { cache, fetcher }
    }

    /// A cache in `dir` and a fetcher with the usual timeout.
    pub fn open(dir: PathBuf) -> Result<Self, TilesError> {
        Ok(Self::new(TileCache::new(dir), TileFetcher::new()?))
    }

    pub fn cache(&self) -> &TileCache {
        &self.cache
    }

    /// Tile `id` of the map at `url`: the saved one if there is one, else
    /// fetched and saved. A tile that cannot be saved is still served (the
    /// map shows it now; it is fetched again next time).
    pub async fn tile(&self, url: &TileUrl, id: TileId) -> Result<Tile, TilesError> {
        if let Some(bytes) = self.cache.get(url, id).await {
            let content_type = fetch::sniff(&bytes).unwrap_or("image/png").to_owned();
            return Ok(Tile { bytes, content_type, from_cache: true });
        }
        let tile = self.fetcher.fetch(url, id).await?;
        if let Err(err) = self.cache.put(url, id, &tile.bytes).await {
            warn!(dir = %self.cache.dir().display(), %id, %err, "cannot save a map tile in the cache");
        }
        Ok(tile)
    }

    /// Save every tile of `bounds` at `zooms` for use without network:
    /// refused above `cap` tiles (before any request), tiles already saved
    /// are skipped, the rest fetched [`SAVE_CONCURRENCY`] at a time.
    /// `progress` hears after each tile. A tile that fails is counted, not
    /// fatal: the rest of the area is still worth having. Dropping the
    /// future stops the save; the tiles saved so far stay.
    pub async fn save_area(
        &self,
        url: &TileUrl,
        bounds: &Bounds,
        zooms: RangeInclusive<u8>,
        cap: usize,
        progress: impl Fn(SaveProgress),
    ) -> Result<AreaSaved, TilesError> {
        let zoom_text = format!("{zooms:?}");
        let tiles = area_tiles(bounds, zooms, cap)?;
        let total = tiles.len();
        info!(host = url.host(), total, zooms = %zoom_text, "saving a map area");

        // The workers share one list and one tally; neither lock is held
        // across an await, so the whole save stays one `Send` future.
        let next = Mutex::new(tiles.into_iter());
        let tally = Mutex::new((SaveProgress { total, ..SaveProgress::default() }, None::<TilesError>));
        let worker = || async {
            // The lock is taken and released inside `take`, never across the loop's body.
            let take = || next.lock().ok().and_then(|mut next| next.next());
            while let Some(id) = take() {
                let outcome = if self.cache.contains(url, id).await {
                    Outcome::Cached
                } else {
                    match self.fetcher.fetch(url, id).await {
                        Ok(tile) => match self.cache.put(url, id, &tile.bytes).await {
                            Ok(()) => Outcome::Fetched,
                            Err(err) => {
                                warn!(dir = %self.cache.dir().display(), %id, %err, "cannot save a map tile");
                                Outcome::Failed(TilesError::Cache(err.to_string()))
                            }
                        },
                        Err(err) => Outcome::Failed(err),
                    }
                };
                let Ok(mut tally) = tally.lock() else { break };
                let (counts, first_error) = &mut *tally;
                match outcome {
                    Outcome::Cached => counts.already_cached += 1,
                    Outcome::Fetched => counts.fetched += 1,
                    Outcome::Failed(err) => {
                        debug!(%id, %err, "tile not saved");
                        counts.failed += 1;
                        first_error.get_or_insert(err);
                    }
                }
                counts.done += 1;
                let snapshot = *counts;
                drop(tally);
                progress(snapshot);
            }
        };
        const _: () = assert!(SAVE_CONCURRENCY == 2, "one worker per request in flight");
        tokio::join!(worker(), worker());

        let (counts, first_error) = tally.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        let saved = AreaSaved {
            total,
            fetched: counts.fetched,
            already_cached: counts.already_cached,
            failed: counts.failed,
            first_error,
        };
        if saved.failed > 0 {
            warn!(
                host = url.host(),
                total,
                fetched = saved.fetched,
                failed = saved.failed,
                first_error = saved.first_error.as_ref().map(tracing::field::display),
                "map area saved in part"
            );
        } else {
            info!(
                host = url.host(),
                total,
                fetched = saved.fetched,
                already_cached = saved.already_cached,
                "map area saved"
            );
        }
        Ok(saved)
    }
}

enum Outcome {
    Cached,
    Fetched,
    Failed(TilesError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_well() {
        let host = "tile.openstreetmap.org".to_owned();
        let cases = [
            (
                TilesError::Status { host: host.clone(), status: 404 },
                "the tile server tile.openstreetmap.org answered 404 (Not Found)",
            ),
            (
                TilesError::Status { host: host.clone(), status: 599 },
                "the tile server tile.openstreetmap.org answered 599",
            ),
            (
                TilesError::TimedOut { host: host.clone(), after: TIMEOUT },
                "the tile server tile.openstreetmap.org did not answer within 10 s",
            ),
            (
                TilesError::TooBig { host: host.clone() },
                "the tile server tile.openstreetmap.org sent a tile bigger than 1 MiB",
            ),
            (
                TilesError::Area(AreaError::TooMany { count: 5, cap: 4 }),
                "the area needs 5 tiles, more than the 4 allowed at once: choose a smaller area or fewer zoom levels",
            ),
        ];
        for (err, want) in cases {
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn tiles_and_saves_cross_tasks() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>(_: &T) {}
        send_sync::<Tiles>();
        let tiles = Tiles::open(std::env::temp_dir()).unwrap();
        let bounds = Bounds::new(0.0, 0.0, 0.0, 0.0).unwrap();
        send(&tiles.save_area(&TileUrl::default(), &bounds, 0..=0, 1, |_| {}));
        send(&tiles.tile(&TileUrl::default(), TileId::new(0, 0, 0).unwrap()));
    }
}

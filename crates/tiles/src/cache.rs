//! Tiles on disk, one file each, so the map works where there is no
//! network: `<dir>/<template key>/<z>/<x>/<y>.png`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use headend_core::map::{TileId, TileUrl};
use sha2::{Digest, Sha256};
use tracing::{debug, warn};

/// The tiles of every tile server the console used, each server's under a
/// directory of its own: switching servers never mixes two maps' tiles.
#[derive(Debug, Clone)]
pub struct TileCache {
    dir: PathBuf,
}

impl TileCache {
    /// A cache in `dir`, created on the first [`put`](Self::put).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where tile `id` of `url` is kept.
    pub fn path(&self, url: &TileUrl, id: TileId) -> PathBuf {
        self.dir
            .join(template_key(url))
            .join(id.z().to_string())
            .join(id.x().to_string())
            .join(format!("{}.png", id.y()))
    }

    /// The tile, if it was saved. A file that cannot be read is a miss
    /// (logged): the tile is fetched again.
    pub async fn get(&self, url: &TileUrl, id: TileId) -> Option<Vec<u8>> {
        let path = self.path(url, id);
        match tokio::fs::read(&path).await {
            Ok(bytes) if bytes.is_empty() => None,
            Ok(bytes) => Some(bytes),
            Err(err) if err.kind() == io::ErrorKind::NotFound => None,
            Err(err) => {
                warn!(path = %path.display(), %err, "cannot read a cached tile");
                None
            }
        }
    }

    /// Whether the tile was saved, without reading it.
    pub async fn contains(&self, url: &TileUrl, id: TileId) -> bool {
        tokio::fs::metadata(self.path(url, id)).await.is_ok_and(|meta| meta.is_file() && meta.len() > 0)
    }

    /// Save a tile: written to a temporary file beside it, then renamed, so
    /// a reader (or a crash) never sees half a tile.
    pub async fn put(&self, url: &TileUrl, id: TileId, bytes: &[u8]) -> io::Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = self.path(url, id);
        let dir = path.parent().unwrap_or(&self.dir);
        tokio::fs::create_dir_all(dir).await?;
        let temp =
            dir.join(format!(".{}.png.{}-{}.tmp", id.y(), std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        let written = async {
            tokio::fs::write(&temp, bytes).await?;
            tokio::fs::rename(&temp, &path).await
        }
        .await;
        if let Err(err) = &written {
            debug!(path = %path.display(), %err, "cannot save a tile");
            let _ = tokio::fs::remove_file(&temp).await;
        }
        written
    }
}

/// The directory name of a tile server's address: its host, readable, and
/// a hash of the whole template (SHA-256, stable across Rust versions and
/// platforms, unlike std's hasher) so two templates on one host differ.
pub fn template_key(url: &TileUrl) -> String {
    let host: String = url
        .host()
        .chars()
        .take(64)
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c.to_ascii_lowercase() } else { '_' })
        .collect();
    let digest = Sha256::digest(url.as_str().as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{host}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_readable_and_stable() {
        // Fixed forever: a new key would orphan every saved map.
        assert_eq!(template_key(&TileUrl::default()), "tile.openstreetmap.org-f65928ca3a8e2a2e");
        let local: TileUrl = "http://u:p@127.0.0.1:8080/a/{z}/{x}/{y}.png".parse().unwrap();
        let other: TileUrl = "http://u:p@127.0.0.1:8080/b/{z}/{x}/{y}.png".parse().unwrap();
        assert!(template_key(&local).starts_with("127.0.0.1_8080-"));
        assert_ne!(template_key(&local), template_key(&other));
    }

    #[test]
    fn paths_follow_the_tile() {
        let cache = TileCache::new(PathBuf::from("/cache"));
        let id = TileId::new(12, 2466, 2062).unwrap();
        let want = Path::new("/cache").join(template_key(&TileUrl::default())).join("12").join("2466").join("2062.png");
        assert_eq!(cache.path(&TileUrl::default(), id), want);
    }
}

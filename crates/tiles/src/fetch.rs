//! One tile from the tile server over HTTP(S): hyper's pooled keep-alive
//! client (HTTP/1.1, rustls with ring and the operating system's CA roots),
//! each request under one timeout.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::Bytes;
use headend_core::map::{TileId, TileUrl};
use http_body_util::{BodyExt, Empty, LengthLimitError, Limited};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper::{Request, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tracing::debug;

use crate::{Tile, TilesError};

/// How long one tile may take, connecting included: a map waits for it.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest tile accepted: a 256-pixel tile is 5 to 50 KiB; anything
/// this big is not one (a proxy's page, a misconfigured server).
pub const MAX_TILE_BYTES: usize = 1 << 20;

/// Who asks: OpenStreetMap's tile usage policy asks every application to
/// name itself.
pub const USER_AGENT_VALUE: &str =
    concat!("Headend/", env!("CARGO_PKG_VERSION"), " (desktop network operations console)");

/// How long an idle connection is kept for the next tile.
const IDLE: Duration = Duration::from_secs(60);

/// Fetches tiles; cheap to clone (the clones share one connection pool).
#[derive(Clone)]
pub struct TileFetcher {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for TileFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileFetcher").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl TileFetcher {
    /// A fetcher with the usual [`TIMEOUT`].
    pub fn new() -> Result<Self, TilesError> {
        Self::with_timeout(TIMEOUT)
    }

    pub fn with_timeout(timeout: Duration) -> Result<Self, TilesError> {
        let mut http = HttpConnector::new();
        // hyper-rustls takes `https` URLs itself.
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(headend_web_tls::client_config().map_err(TilesError::Tls)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client =
            Client::builder(TokioExecutor::new()).pool_timer(TokioTimer::new()).pool_idle_timeout(IDLE).build(https);
        Ok(Self { client, timeout })
    }

    /// Tile `id` from the server: only a `200` answer with an image in it
    /// is a tile.
    pub async fn fetch(&self, url: &TileUrl, id: TileId) -> Result<Tile, TilesError> {
        let host = url.host();
        let uri: Uri = url.url_for(id).parse().map_err(|_| TilesError::BadUrl { host: host.to_owned(), tile: id })?;
        let request = Request::get(uri)
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE))
            .body(Empty::new())
            .map_err(|_| TilesError::BadUrl { host: host.to_owned(), tile: id })?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|err| {
                let cause = root_cause(&err);
                if err.is_connect() {
                    TilesError::Unreachable { host: host.to_owned(), cause }
                } else {
                    TilesError::Connection { host: host.to_owned(), cause }
                }
            })?;
            let status = response.status();
            if status != StatusCode::OK {
                return Err(TilesError::Status { host: host.to_owned(), status: status.as_u16() });
            }
            let declared = response.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|len| len > MAX_TILE_BYTES as u64) {
                return Err(TilesError::TooBig { host: host.to_owned() });
            }
            let content_type = match response.headers().get(CONTENT_TYPE) {
                Some(value) => {
                    let text = value.to_str().unwrap_or("?");
                    let mime = text.split(';').next().unwrap_or(text).trim().to_ascii_lowercase();
                    if !mime.starts_with("image/") {
                        return Err(TilesError::NotAnImage { host: host.to_owned(), content_type: text.to_owned() });
                    }
                    Some(mime)
                }
                None => None,
            };
            let body = Limited::new(response.into_body(), MAX_TILE_BYTES).collect().await.map_err(|err| {
                if err.is::<LengthLimitError>() {
                    TilesError::TooBig { host: host.to_owned() }
                } else {
                    TilesError::Connection { host: host.to_owned(), cause: root_cause(&*err) }
                }
            })?;
            let bytes = body.to_bytes().to_vec();
            // Only a raster image the bytes themselves show (never SVG,
            // which could carry script into the app's window), and the
            // type the cache will read back.
            let Some(shown) = sniff(&bytes) else {
                let said = content_type.unwrap_or_else(|| "no type".to_owned());
                return Err(TilesError::NotAnImage { host: host.to_owned(), content_type: said });
            };
            Ok(Tile { bytes, content_type: shown.to_owned(), from_cache: false })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(tile)) => {
                debug!(host, %id, bytes = tile.bytes.len(), "tile fetched");
                Ok(tile)
            }
            Ok(Err(err)) => {
                debug!(host, %id, %err, "tile not fetched");
                Err(err)
            }
            Err(_) => Err(TilesError::TimedOut { host: host.to_owned(), after: self.timeout }),
        }
    }
}

/// The image type the bytes start with, for a tile whose server did not
/// say (or one read back from the cache).
pub(crate) fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        _ => None,
    }
}

/// The innermost error's text: "Connection refused (os error 111)" rather
/// than hyper's "client error (Connect)".
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut innermost = err;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"GIF89a"), Some("image/gif"));
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn the_user_agent_names_headend() {
        assert!(USER_AGENT_VALUE.starts_with("Headend/0."));
        assert!(USER_AGENT_VALUE.ends_with(" (desktop network operations console)"));
        assert!(HeaderValue::from_str(USER_AGENT_VALUE).is_ok());
    }
}

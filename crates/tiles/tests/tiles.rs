//! `Tiles` against a tiny tile server on 127.0.0.1, over real TCP.

#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use headend_core::map::{AreaError, Bounds, TileId, TileUrl, area_tile_count};
use headend_tiles::{
    MAX_TILE_BYTES, SaveProgress, TileCache, TileFetcher, Tiles, TilesError, USER_AGENT_VALUE, template_key,
};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// A 1x1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// What the server saw.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    user_agents: Mutex<Vec<String>>,
}

/// The tile server. Routes (the first path segment):
/// `tiles` a PNG; `missing` 404; `big` a body over the limit with its
/// length; `stream` one over the limit without; `html` a web page;
/// `untyped` a PNG without a content type; `slow` a PNG after 5 s; `odd`
/// 404 for odd columns, a PNG for even ones.
struct TileServer {
    addr: SocketAddr,
    seen: Arc<Seen>,
    task: JoinHandle<()>,
}

impl TileServer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Seen::default());
        let state = seen.clone();
        let task = tokio::spawn(async move {
            // Dropped with the task: shutting down closes every connection,
            // the client's pooled ones too.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| answer(state.clone(), request));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Self { addr, seen, task }
    }

    fn url(&self, route: &str) -> TileUrl {
        format!("http://{}/{route}/{{z}}/{{x}}/{{y}}.png", self.addr).parse().unwrap()
    }

    fn requests(&self) -> usize {
        self.seen.requests.load(Ordering::SeqCst)
    }

    async fn shut_down(self) {
        self.task.abort();
        let _ = self.task.await;
        // Let the client's pool see its connections closed.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn answer(
    seen: Arc<Seen>,
    request: Request<Incoming>,
) -> Result<Response<BoxBody<Bytes, Infallible>>, Infallible> {
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let agent = request.headers().get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    seen.user_agents.lock().unwrap().push(agent);
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
    // Long enough for concurrent requests to overlap.
    tokio::time::sleep(Duration::from_millis(5)).await;

    let path = request.uri().path().to_owned();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let x: u32 = parts.get(2).and_then(|x| x.parse().ok()).unwrap_or(0);
    let png = || Response::builder().header("content-type", "image/png").body(Full::from(PNG).boxed()).unwrap();
    let response = match parts.first().copied().unwrap_or("") {
        "tiles" => png(),
        "odd" if x.is_multiple_of(2) => png(),
        "big" => Response::builder()
            .header("content-type", "image/png")
            .body(Full::from(vec![0u8; MAX_TILE_BYTES + 1]).boxed())
            .unwrap(),
        "stream" => Response::builder().header("content-type", "image/png").body(Chunks(20).boxed()).unwrap(),
        "html" => Response::builder()
            .header("content-type", "text/html; charset=utf-8")
            .body(Full::from("<html>blocked</html>").boxed())
            .unwrap(),
        "untyped" => Response::new(Full::from(PNG).boxed()),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            png()
        }
        _ => Response::builder().status(StatusCode::NOT_FOUND).body(Full::from("no such tile").boxed()).unwrap(),
    };
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    Ok(response)
}

/// A body of 64 KiB chunks that does not say its length.
struct Chunks(usize);

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.0 == 0 {
            return Poll::Ready(None);
        }
        self.0 -= 1;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![0u8; 64 << 10])))))
    }
}

fn tiles(dir: &tempfile::TempDir) -> Tiles {
    Tiles::new(TileCache::new(dir.path().to_owned()), TileFetcher::new().unwrap())
}

fn tile(z: u8, x: u32, y: u32) -> TileId {
    TileId::new(z, x, y).unwrap()
}

/// A small area around Nairobi: 2 tiles at zooms 8 and 9, 4 at 10, 12 at 11.
fn nairobi() -> Bounds {
    Bounds::new(-1.45, 36.65, -1.15, 37.1).unwrap()
}

#[tokio::test]
async fn a_tile_is_fetched_once_then_served_from_disk_even_offline() {
    let server = TileServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let tiles = tiles(&dir);
    let url = server.url("tiles");
    let id = tile(12, 2466, 2062);

    let first = tiles.tile(&url, id).await.unwrap();
    assert_eq!((first.bytes.as_slice(), first.content_type.as_str(), first.from_cache), (PNG, "image/png", false));
    assert_eq!(server.requests(), 1);
    let file = dir.path().join(template_key(&url)).join("12/2466/2062.png");
    assert_eq!(tiles.cache().path(&url, id), file);
    assert_eq!(std::fs::read(&file).unwrap(), PNG);
    // Nothing left of the temporary file.
    assert_eq!(std::fs::read_dir(file.parent().unwrap()).unwrap().count(), 1);

    let second = tiles.tile(&url, id).await.unwrap();
    assert_eq!((second.bytes.as_slice(), second.content_type.as_str(), second.from_cache), (PNG, "image/png", true));
    assert_eq!(server.requests(), 1, "served from the cache");

    let agents = server.seen.user_agents.lock().unwrap().clone();
    assert_eq!(agents, [USER_AGENT_VALUE]);
    assert!(USER_AGENT_VALUE.starts_with(&format!("Headend/{} (", env!("CARGO_PKG_VERSION"))));

    let host = url.host().to_owned();
    server.shut_down().await;
    let offline = tiles.tile(&url, id).await.unwrap();
    assert!(offline.from_cache);
    assert_eq!(offline.bytes, PNG);

    let err = tiles.tile(&url, tile(12, 2466, 2063)).await.unwrap_err();
    let TilesError::Unreachable { host: named, .. } = &err else { panic!("{err:?}") };
    assert_eq!(named, &host);
    assert!(err.to_string().starts_with(&format!("could not connect to the tile server {host}: ")), "{err}");
}

#[tokio::test]
async fn only_a_200_with_an_image_of_a_sensible_size_is_a_tile() {
    let server = TileServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let tiles = tiles(&dir);
    let host = format!("{}", server.addr);
    let id = tile(3, 4, 5);

    let err = tiles.tile(&server.url("missing"), id).await.unwrap_err();
    assert_eq!(err, TilesError::Status { host: host.clone(), status: 404 });
    assert_eq!(err.to_string(), format!("the tile server {host} answered 404 (Not Found)"));

    for route in ["big", "stream"] {
        let err = tiles.tile(&server.url(route), id).await.unwrap_err();
        assert_eq!(err, TilesError::TooBig { host: host.clone() }, "{route}");
    }
    let err = tiles.tile(&server.url("html"), id).await.unwrap_err();
    assert_eq!(err, TilesError::NotAnImage { host: host.clone(), content_type: "text/html; charset=utf-8".into() });

    let untyped = tiles.tile(&server.url("untyped"), id).await.unwrap();
    assert_eq!((untyped.content_type.as_str(), untyped.from_cache), ("image/png", false));

    // Nothing that failed was kept.
    for route in ["missing", "big", "stream", "html"] {
        assert!(!tiles.cache().contains(&server.url(route), id).await, "{route}");
    }
    assert!(tiles.cache().contains(&server.url("untyped"), id).await);
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let server = TileServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let fetcher = TileFetcher::with_timeout(Duration::from_millis(200)).unwrap();
    let tiles = Tiles::new(TileCache::new(dir.path().to_owned()), fetcher);
    let err = tiles.tile(&server.url("slow"), tile(0, 0, 0)).await.unwrap_err();
    assert_eq!(err, TilesError::TimedOut { host: server.addr.to_string(), after: Duration::from_millis(200) });
    assert_eq!(err.to_string(), format!("the tile server {} did not answer within 200 ms", server.addr));
}

#[tokio::test]
async fn an_area_is_saved_two_requests_at_a_time_skipping_saved_tiles() {
    let server = TileServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let tiles = tiles(&dir);
    let url = server.url("tiles");
    let zooms = 8..=11;
    let total = usize::try_from(area_tile_count(&nairobi(), zooms.clone()).unwrap()).unwrap();
    assert_eq!(total, 2 + 2 + 4 + 12);

    // One tile of the area already seen on the map.
    tiles.tile(&url, tile(11, 1232, 1030)).await.unwrap();
    assert_eq!(server.requests(), 1);

    let reports = Mutex::new(Vec::<SaveProgress>::new());
    let saved =
        tiles.save_area(&url, &nairobi(), zooms.clone(), 100, |p| reports.lock().unwrap().push(p)).await.unwrap();
    assert_eq!((saved.total, saved.fetched, saved.already_cached, saved.failed), (total, total - 1, 1, 0));
    assert_eq!(saved.first_error, None);
    assert_eq!(server.requests(), total, "exactly the area's tiles, none twice");
    assert_eq!(server.seen.max_in_flight.load(Ordering::SeqCst), 2, "two in flight, never more");

    let reports = reports.into_inner().unwrap();
    assert_eq!(reports.len(), total, "one report per tile");
    assert!(reports.windows(2).all(|w| w[1].done == w[0].done + 1));
    assert_eq!(
        reports.last().map(|p| (p.total, p.done, p.fetched, p.already_cached)),
        Some((total, total, total - 1, 1))
    );

    // All on disk now: a second save fetches nothing.
    let again = tiles.save_area(&url, &nairobi(), zooms, 100, |_| {}).await.unwrap();
    assert_eq!((again.fetched, again.already_cached, again.failed), (0, total, 0));
    assert_eq!(server.requests(), total);
    assert!(server.seen.user_agents.lock().unwrap().iter().all(|agent| agent == USER_AGENT_VALUE));
}

#[tokio::test]
async fn a_failed_tile_does_not_stop_the_save() {
    let server = TileServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let tiles = tiles(&dir);
    // Zoom 11 around Nairobi: columns 1232..=1235, three rows each.
    let saved = tiles.save_area(&server.url("odd"), &nairobi(), 11..=11, 100, |_| {}).await.unwrap();
    assert_eq!((saved.total, saved.fetched, saved.already_cached, saved.failed), (12, 6, 0, 6));
    assert_eq!(saved.first_error, Some(TilesError::Status { host: server.addr.to_string(), status: 404 }));
    assert_eq!(server.requests(), 12);
}

#[tokio::test]
async fn an_area_over_the_cap_is_refused_before_any_request() {
    let server = TileServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let tiles = tiles(&dir);
    let err =
        tiles.save_area(&server.url("tiles"), &nairobi(), 8..=11, 19, |_| panic!("no progress")).await.unwrap_err();
    assert_eq!(err, TilesError::Area(AreaError::TooMany { count: 20, cap: 19 }));
    let err = tiles.save_area(&server.url("tiles"), &nairobi(), 18..=20, 1_000_000, |_| {}).await.unwrap_err();
    assert_eq!(err, TilesError::Area(AreaError::Zoom(20)));
    assert_eq!(server.requests(), 0);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

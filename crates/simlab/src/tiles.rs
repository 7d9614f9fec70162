//! [`SimTileServer`]: a map tile server on loopback (`GET
//! /{z}/{x}/{y}.png`), so the map's tests load real PNG tiles over real
//! HTTP without the internet. Each tile is drawn for its address: a pale
//! land colour, a checkerboard shade, its borders and a "road" across, so a
//! screenshot shows the grid the map asked for. It counts requests and the
//! User-Agent it was sent.

use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

const SIZE: u32 = 256;

#[derive(Default)]
struct Seen {
    requests: AtomicU64,
    user_agent: Mutex<Option<String>>,
}

/// The server; dropping it closes the port and every connection.
pub struct SimTileServer {
    addr: SocketAddr,
    seen: Arc<Seen>,
    task: JoinHandle<()>,
}

impl SimTileServer {
    /// Listen on 127.0.0.1, on a port the system picks.
    pub async fn start() -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Seen::default());
        let state = seen.clone();
        let task = tokio::spawn(async move {
            // Dropped with the task: aborting it closes every connection.
            let mut connections = JoinSet::new();
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(&request, &state)) }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(tcp), service).await;
                });
            }
        });
        Ok(Self { addr, seen, task })
    }

    /// The tile address template to give the app.
    #[must_use]
    pub fn url_template(&self) -> String {
        format!("http://{}/{{z}}/{{x}}/{{y}}.png", self.addr)
    }

    /// Tile requests answered so far.
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.seen.requests.load(Ordering::SeqCst)
    }

    /// The User-Agent of the last request.
    #[must_use]
    pub fn user_agent(&self) -> Option<String> {
        self.seen.user_agent.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for SimTileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(request: &Request<Incoming>, seen: &Seen) -> Response<Full<Bytes>> {
    seen.requests.fetch_add(1, Ordering::SeqCst);
    if let Some(agent) = request.headers().get(USER_AGENT).and_then(|v| v.to_str().ok()) {
        *seen.user_agent.lock().unwrap_or_else(PoisonError::into_inner) = Some(agent.to_owned());
    }
    let path = request.uri().path().trim_start_matches('/');
    let parts: Vec<u32> = path.trim_end_matches(".png").split('/').filter_map(|p| p.parse().ok()).collect();
    let (status, body, kind) = match parts.as_slice() {
        [z, x, y] if *z <= 19 => match tile(*z, *x, *y) {
            Ok(png) => (StatusCode::OK, png, "image/png"),
            Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string().into_bytes(), "text/plain"),
        },
        _ => (StatusCode::NOT_FOUND, b"no such tile".to_vec(), "text/plain"),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}

/// A 256 × 256 RGB PNG drawn for tile `z/x/y`.
fn tile(z: u32, x: u32, y: u32) -> Result<Vec<u8>, png::EncodingError> {
    let shade: u8 = if (x + y).is_multiple_of(2) { 0 } else { 10 };
    let land = [242 - shade, 239 - shade, 233 - shade];
    let road = [255, 255, 255];
    let edge = [210, 205, 196];
    // A road across each tile, its slope and place from the address.
    let offset = (x.wrapping_mul(37) ^ y.wrapping_mul(91) ^ z) % SIZE;
    let mut pixels = Vec::with_capacity((SIZE * SIZE * 3) as usize);
    for row in 0..SIZE {
        for col in 0..SIZE {
            let on_road = (col + row / 2 + offset) % SIZE < 6 || (row + offset / 3) % SIZE < 4;
            let colour = if row == 0 || col == 0 {
                edge
            } else if on_road {
                road
            } else {
                land
            };
            pixels.extend_from_slice(&colour);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIZE, SIZE);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_pngs() {
        let png = tile(3, 2, 5).expect("encodes");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}

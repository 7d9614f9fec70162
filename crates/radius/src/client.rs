//! One RADIUS request over UDP and its verified reply: the thin IO layer
//! over the codec, for the test login, Status-Server and the kicks.
//!
//! The same bytes are sent again after each timeout (RFC 5080 §2.2.1: a
//! retransmission keeps its identifier and authenticator, so the server's
//! duplicate detection answers it once). A datagram from another address,
//! or one that does not verify, is ignored as a spoof would be; if only
//! such answers came, the error says so instead of "no answer".

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::UdpSocket;

use crate::build::Built;
use crate::packet::{MAX_PACKET_LEN, Packet};
use crate::reply::{ReplyError, verify_reply};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("no answer from {server} after {tries} tries of {}", humantime(*timeout))]
    Timeout { server: SocketAddr, tries: u32, timeout: Duration },
    #[error("{server} answered, but not with a valid reply: {source}")]
    BadReply {
        server: SocketAddr,
        #[source]
        source: ReplyError,
    },
    #[error("cannot send to {server}: {source}")]
    Io {
        server: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

fn humantime(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// How long to wait for each try, and how many tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub timeout: Duration,
    pub tries: u32,
}

impl Default for Retry {
    /// Three tries a second apart: a NAS on the same network answers in
    /// milliseconds, and a kick must not hold a sweep for long.
    fn default() -> Self {
        Self { timeout: Duration::from_secs(1), tries: 3 }
    }
}

/// Sends `request` to `server` and returns its verified reply.
pub async fn exchange(server: SocketAddr, request: &Built, secret: &[u8], retry: Retry) -> Result<Packet, ClientError> {
    let io = |source| ClientError::Io { server, source };
    let local: SocketAddr =
        if server.is_ipv4() { (Ipv4Addr::UNSPECIFIED, 0).into() } else { (Ipv6Addr::UNSPECIFIED, 0).into() };
    let socket = UdpSocket::bind(local).await.map_err(io)?;
    socket.connect(server).await.map_err(io)?;
    let mut rejected = None;
    let mut buf = vec![0u8; MAX_PACKET_LEN];
    for _ in 0..retry.tries.max(1) {
        socket.send(&request.bytes).await.map_err(io)?;
        let deadline = tokio::time::Instant::now() + retry.timeout;
        loop {
            let received = tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await;
            let Ok(received) = received else { break };
            // A refused port (ICMP) shows as an error: the next try.
            let Ok(len) = received else { break };
            match verify_reply(&request.packet, &buf[..len], secret) {
                Ok(reply) => return Ok(reply),
                Err(e) => rejected = Some(e),
            }
        }
    }
    match rejected {
        Some(source) => Err(ClientError::BadReply { server, source }),
        None => Err(ClientError::Timeout { server, tries: retry.tries.max(1), timeout: retry.timeout }),
    }
}

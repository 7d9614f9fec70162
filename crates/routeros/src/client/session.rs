//! A connection that comes back: [`Session`] reconnects with exponential
//! backoff when the connection is gone.

use std::hash::BuildHasher;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tracing::warn;

use super::{CertificatePin, Client, ClientError, ConnectOptions, Response, TlsTrust, Transport};
use crate::{Attributes, Command};

/// Exponential backoff with jitter, capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay after the first failure. Default 250 ms.
    pub initial: Duration,
    /// No delay is longer than this. Default 30 s.
    pub max: Duration,
    /// Each delay is shortened by a random share of up to this many
    /// percent (0 to 100), so that many clients do not retry in step.
    /// Default 25.
    pub jitter_percent: u32,
    /// Give up after this many failed connection attempts in a row;
    /// `None` to keep trying. Default 5.
    pub max_attempts: Option<u32>,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(30),
            jitter_percent: 25,
            max_attempts: Some(5),
        }
    }
}

impl Backoff {
    /// The delay after failed attempt number `attempt` (0 for the first),
    /// given a random number `random`: `initial * 2^attempt`, capped at
    /// `max`, minus `random`'s share of `jitter_percent`.
    #[must_use]
    pub fn delay(&self, attempt: u32, random: u64) -> Duration {
        let factor = 1_u128 << attempt.min(64);
        let max = self.max.as_nanos();
        let base = self.initial.as_nanos().saturating_mul(factor).min(max);
        let jitter = u128::from(self.jitter_percent.min(100));
        // random / 2^64 of jitter% of base.
        let cut = (base * jitter / 100 * u128::from(random)) >> 64;
        let nanos = base.saturating_sub(cut);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

fn random() -> u64 {
    // std's RandomState is seeded per process and varies per instance:
    // plenty for jitter, no dependency.
    std::collections::hash_map::RandomState::new().hash_one(0_u8)
}

/// A router connection that reconnects on demand.
///
/// [`Session::client`] returns the live connection, or makes a new one,
/// retrying transient failures with [`Backoff`]. It does not resend
/// commands that were in flight when a connection died (an `add` may or
/// may not have happened): callers decide, usually by re-reading.
///
/// With [`TlsTrust::PinOnFirstUse`], the first certificate seen is pinned
/// for every later reconnection of this session.
#[derive(Debug)]
pub struct Session {
    options: Mutex<ConnectOptions>,
    backoff: Backoff,
    current: tokio::sync::Mutex<Option<Client>>,
}

impl Session {
    /// A session that connects on first use.
    #[must_use]
    pub fn new(options: ConnectOptions, backoff: Backoff) -> Self {
        Self { options: Mutex::new(options), backoff, current: tokio::sync::Mutex::new(None) }
    }

    fn options(&self) -> std::sync::MutexGuard<'_, ConnectOptions> {
        self.options.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The certificate pin in force (TLS only), once known.
    #[must_use]
    pub fn certificate_pin(&self) -> Option<CertificatePin> {
        match self.options().transport {
            Transport::Tls(TlsTrust::Pinned(pin)) => Some(pin),
            _ => None,
        }
    }

    /// The live connection, or a new one. Concurrent callers wait for one
    /// reconnection rather than each making their own.
    pub async fn client(&self) -> Result<Client, ClientError> {
        let mut current = self.current.lock().await;
        if let Some(client) = current.as_ref().filter(|c| !c.is_closed()) {
            return Ok(client.clone());
        }
        *current = None;
        let mut attempt = 0_u32;
        loop {
            let options = self.options().clone();
            match Client::connect(options).await {
                Ok(client) => {
                    if let Some(pin) = client.certificate_pin() {
                        self.options().transport = Transport::Tls(TlsTrust::Pinned(pin));
                    }
                    *current = Some(client.clone());
                    return Ok(client);
                }
                Err(err) => {
                    attempt = attempt.saturating_add(1);
                    let give_up = !err.is_transient() || self.backoff.max_attempts.is_some_and(|max| attempt >= max);
                    if give_up {
                        return Err(err);
                    }
                    let delay = self.backoff.delay(attempt - 1, random());
                    warn!(error = %err, attempt, ?delay, "connection failed, retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// Run a command on the live (or a new) connection.
    pub async fn run(&self, command: Command) -> Result<Response, ClientError> {
        self.client().await?.run(command).await
    }

    /// [`Client::call`] on the live (or a new) connection.
    pub async fn call(&self, command: Command) -> Result<Vec<Attributes>, ClientError> {
        self.client().await?.call(command).await
    }

    /// Close the current connection, if any (the next call reconnects).
    pub async fn disconnect(&self) {
        if let Some(client) = self.current.lock().await.take() {
            client.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            jitter_percent: 0,
            max_attempts: None,
        };
        let delays: Vec<_> = (0..6).map(|a| b.delay(a, u64::MAX).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.delay(u32::MAX, 0), Duration::from_secs(1));
    }

    #[test]
    fn jitter_only_shortens_within_its_share() {
        let b = Backoff {
            initial: Duration::from_millis(1000),
            max: Duration::from_secs(10),
            jitter_percent: 20,
            max_attempts: None,
        };
        assert_eq!(b.delay(0, 0), Duration::from_millis(1000));
        let shortest = b.delay(0, u64::MAX);
        assert!(shortest >= Duration::from_millis(800), "{shortest:?}");
        assert!(shortest < Duration::from_millis(801), "{shortest:?}");
        let mid = b.delay(0, u64::MAX / 2);
        assert!(mid > Duration::from_millis(899) && mid < Duration::from_millis(901));
        for _ in 0..100 {
            let d = b.delay(3, random());
            assert!(d <= Duration::from_secs(8) && d >= Duration::from_millis(6400));
        }
    }
}

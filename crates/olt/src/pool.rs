//! At most two shells per OLT, reused across operations. OLTs allow only a
//! handful of CLI sessions and logging in takes seconds, so sessions are
//! kept; callers beyond the limit wait their turn. A session goes back to
//! the pool only if it is healthy and at the vendor's base mode; one that
//! timed out, failed or was left elsewhere is dropped (closing it).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::driver::{OltConfig, Operations};
use crate::error::OltError;
use crate::log::CommandLog;
use crate::ssh::SshSession;

/// An idle session older than this is not reused (OLTs log idle shells out
/// after a few minutes; a fresh login is cheaper than a failed command).
const MAX_IDLE: Duration = Duration::from_secs(120);

pub(crate) struct Pool {
    pub(crate) cfg: OltConfig,
    pub(crate) ops: Operations,
    log: Arc<dyn CommandLog>,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<SshSession>>,
    host_key: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain data behind.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Pool {
    pub(crate) fn new(cfg: OltConfig, log: Arc<dyn CommandLog>) -> Self {
        let ops = Operations { vendor: cfg.vendor, pon_ports: cfg.pon_ports.max(1) };
        let permits = Arc::new(Semaphore::new(cfg.max_sessions.clamp(1, 2)));
        let host_key = cfg.known_host_key.clone();
        Pool { cfg, ops, log, permits, idle: Mutex::new(Vec::new()), host_key: Mutex::new(host_key) }
    }

    /// The host key fingerprint seen (or pinned, before the first login).
    pub(crate) fn host_key(&self) -> Option<String> {
        lock(&self.host_key).clone()
    }

    /// Takes the idle sessions out, to close them.
    pub(crate) fn drain_idle(&self) -> Vec<SshSession> {
        std::mem::take(&mut *lock(&self.idle))
    }

    /// A session for one operation; waits while both are busy.
    pub(crate) async fn lease(&self) -> Result<Lease<'_>, OltError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| OltError::Closed("the OLT handle was shut down".into()))?;
        let base = self.ops.base_mode();
        loop {
            let Some(s) = lock(&self.idle).pop() else {
                break;
            };
            if s.reusable(&base) && s.idle_for() < MAX_IDLE {
                return Ok(Lease { pool: self, session: Some(s), reused: true, _permit: permit });
            }
        }
        let pinned = self.host_key();
        let (mut session, observed) = SshSession::open(&self.cfg, pinned.as_deref(), self.log.clone()).await?;
        *lock(&self.host_key) = Some(observed);
        let mode = session.prompt().mode.clone();
        self.ops.prepare(&mut session, &mode).await?;
        Ok(Lease { pool: self, session: Some(session), reused: false, _permit: permit })
    }
}

/// A session on loan; returns to the pool when dropped, if still good.
pub(crate) struct Lease<'a> {
    pool: &'a Pool,
    session: Option<SshSession>,
    /// Came from the idle list (it may have died while idle).
    pub(crate) reused: bool,
    _permit: OwnedSemaphorePermit,
}

impl Lease<'_> {
    pub(crate) fn session(&mut self) -> Result<&mut SshSession, OltError> {
        self.session.as_mut().ok_or_else(|| OltError::Closed("no session".into()))
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.session.take()
            && s.reusable(&self.pool.ops.base_mode())
        {
            lock(&self.pool.idle).push(s);
        }
    }
}

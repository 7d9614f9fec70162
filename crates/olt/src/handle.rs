//! [`OltHandle`]: the [`OltDriver`] over SSH, cheap to clone and share.
//! Each operation leases a pooled session, runs the vendor's flow on it and
//! gives it back. A registration that fails half-way is undone on another
//! lease, never on the session that failed.

use std::sync::Arc;

use headend_core::olt::OltVendor;

use crate::driver::{OltConfig, OltDriver};
use crate::error::OltError;
use crate::log::{CommandLog, NoLog};
use crate::pool::Pool;
use crate::types::{AuthorizeRequest, AutofindOnu, Onu, OnuRef, OpticalReading, PonPort, PortOptical};

/// Opens OLT handles.
#[derive(Debug, Clone, Copy)]
pub struct Olt;

impl Olt {
    /// Logs in once (checking the credentials and the host key) and keeps
    /// that session for the first operation. Commands are not logged.
    pub async fn connect(config: OltConfig) -> Result<OltHandle, OltError> {
        Olt::connect_with_log(config, NoLog).await
    }

    /// As [`Olt::connect`], every command going to `log`.
    pub async fn connect_with_log(config: OltConfig, log: impl CommandLog) -> Result<OltHandle, OltError> {
        let pool = Arc::new(Pool::new(config, Arc::new(log)));
        // Log in now, so a wrong password or a changed key shows here.
        drop(pool.lease().await?);
        Ok(OltHandle { pool })
    }
}

/// A connected OLT. Clones share the same sessions.
#[derive(Clone)]
pub struct OltHandle {
    pool: Arc<Pool>,
}

impl std::fmt::Debug for OltHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OltHandle")
            .field("olt", &self.pool.cfg.label())
            .field("vendor", &self.pool.cfg.vendor)
            .finish_non_exhaustive()
    }
}

impl OltHandle {
    /// The host key fingerprint (`SHA256:...`) the OLT presented: store it
    /// as `known_host_key` for the next connection.
    pub fn host_key(&self) -> Option<String> {
        self.pool.host_key()
    }

    /// Disconnects the idle sessions (sessions in use close when their
    /// operation ends and the last clone is dropped).
    pub async fn close(&self) {
        for s in self.pool.drain_idle() {
            s.close().await;
        }
    }
}

/// Runs a write on a leased session.
macro_rules! leased {
    ($self:ident, |$cli:ident| $body:expr) => {{
        let mut lease = $self.pool.lease().await?;
        let $cli = lease.session()?;
        $body.await
    }};
}

/// Runs a read on a leased session; if a session taken from the idle list
/// turns out to have died while idle (the OLT logged it out), the read is
/// run once more on a fresh one. Writes are never repeated.
macro_rules! leased_read {
    ($self:ident, |$cli:ident| $body:expr) => {{
        let mut lease = $self.pool.lease().await?;
        let reused = lease.reused;
        let first = {
            let $cli = lease.session()?;
            $body.await
        };
        match first {
            Err(OltError::Closed(_)) if reused => {
                drop(lease);
                let mut lease = $self.pool.lease().await?;
                let $cli = lease.session()?;
                $body.await
            }
            other => other,
        }
    }};
}

impl OltDriver for OltHandle {
    fn vendor(&self) -> OltVendor {
        self.pool.cfg.vendor
    }

    async fn autofind(&self) -> Result<Vec<AutofindOnu>, OltError> {
        leased_read!(self, |cli| self.pool.ops.autofind(cli))
    }

    async fn onus(&self, port: Option<PonPort>) -> Result<Vec<Onu>, OltError> {
        leased_read!(self, |cli| self.pool.ops.onus(cli, port))
    }

    async fn optical(&self, onu: OnuRef) -> Result<OpticalReading, OltError> {
        leased_read!(self, |cli| self.pool.ops.optical(cli, onu))
    }

    async fn optical_port(&self, port: PonPort) -> Result<Vec<PortOptical>, OltError> {
        leased_read!(self, |cli| self.pool.ops.optical_port(cli, port))
    }

    async fn authorize(&self, req: AuthorizeRequest) -> Result<OnuRef, OltError> {
        let failure = {
            let mut lease = self.pool.lease().await?;
            let cli = lease.session()?;
            match self.pool.ops.authorize(cli, &req).await {
                Ok(onu) => return Ok(onu),
                Err(failure) => failure,
            }
            // The lease ends here: a session that timed out or died is
            // closed, never lent again.
        };
        let Some(left) = failure.leftover else {
            return Err(failure.error);
        };
        // On another session: the failed one may be why it failed. Safe to
        // run a second time (it lists the port and removes only that
        // serial), so it is retried like a read.
        let undone: Result<bool, OltError> =
            async { leased_read!(self, |cli| self.pool.ops.remove_leftover(cli, &left)) }.await;
        match undone {
            Ok(removed) => {
                tracing::info!(port = %left.port, serial = %left.serial, removed, error = %failure.error, "undid a failed registration");
                Err(failure.error)
            }
            Err(undo) => {
                tracing::warn!(port = %left.port, serial = %left.serial, error = %failure.error, undo = %undo, "a failed registration could not be undone");
                Err(OltError::HalfRegistered {
                    port: left.port,
                    serial: left.serial,
                    cause: Box::new(failure.error),
                    undo: Box::new(undo),
                })
            }
        }
    }

    async fn deregister(&self, onu: OnuRef) -> Result<(), OltError> {
        leased!(self, |cli| self.pool.ops.deregister(cli, onu))
    }

    async fn reboot(&self, onu: OnuRef) -> Result<(), OltError> {
        leased!(self, |cli| self.pool.ops.reboot(cli, onu))
    }
}

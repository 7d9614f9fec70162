//! A router's lease while a sweep writes to it: renewed by a heartbeat and
//! checked between the write phases, so a sweep whose lease ran out (the
//! database was unreachable, the process was frozen) and was taken by
//! another engine stops writing instead of racing it. The timings and the
//! takeover of a dead holder's lease are the store's
//! ([`headend_store::LEASE_TTL`], [`headend_store::HEARTBEAT`]).

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};

use headend_core::RouterId;
use headend_store::{HEARTBEAT, LEASE_TTL, Store};

/// The lease of one router held by one engine.
pub struct RouterLease<'a> {
    store: &'a Store,
    router: RouterId,
    holder: &'a str,
    lost: AtomicBool,
}

impl<'a> RouterLease<'a> {
    /// Takes the lease; `None` if another engine holds it.
    pub async fn take(store: &'a Store, router: RouterId, holder: &'a str) -> Result<Option<Self>, String> {
        let taken = store
            .acquire_router_lease(router, holder, store.clock().now(), LEASE_TTL)
            .await
            .map_err(|e| e.to_string())?;
        Ok(taken.then(|| Self { store, router, holder, lost: AtomicBool::new(false) }))
    }

    /// Renews the lease; false once it was lost (taken by another engine,
    /// or not renewable: a lease this engine cannot confirm is not one to
    /// write under). Once lost, stays lost.
    pub async fn renew(&self) -> bool {
        if self.lost.load(Ordering::Relaxed) {
            return false;
        }
        let now = self.store.clock().now();
        let held = match self.store.acquire_router_lease(self.router, self.holder, now, LEASE_TTL).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(router = %self.router, error = %e, "cannot renew the router's lease");
                false
            }
        };
        if !held {
            tracing::warn!(router = %self.router, "lost the router's lease; this sweep stops writing");
            self.lost.store(true, Ordering::Relaxed);
        }
        held
    }

    /// Renews the lease every [`HEARTBEAT`] until it is lost, then waits
    /// forever: it never returns (run it beside the sweep).
    pub async fn heartbeat(&self) -> Infallible {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            if !self.renew().await {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Gives the lease back.
    pub async fn release(self) {
        if let Err(e) = self.store.release_router_lease(self.router, self.holder).await {
            tracing::warn!(router = %self.router, error = %e, "could not release the router's lease");
        }
    }
}

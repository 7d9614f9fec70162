//! The router inventory: a router and its password in the keyring go in
//! and out together.

use headend_core::activity::{Actor, Subject};
use headend_core::geo::GeoPoint;
use headend_core::provision::policy::SuspensionMode;
use headend_core::router::{Router, Transport};
use headend_core::{PopId, RouterId};
use headend_secrets::SecretKey;
use headend_store::NewRouter;

use crate::devices::{Device, checked_host, checked_name, checked_port, checked_user};
use crate::error::name_taken;
use crate::{WorkflowError, Workflows};

/// A router as the form or the command line gives it.
#[derive(Debug, Clone)]
pub struct RouterInput {
    pub name: String,
    pub host: String,
    /// `None`: the transport's default port.
    pub port: Option<u16>,
    pub transport: Transport,
    pub username: String,
    /// The point of presence, by name; made if new.
    pub pop: Option<String>,
    pub location: Option<GeoPoint>,
}

/// What removing a router did.
#[derive(Debug)]
pub struct RemovedRouter {
    pub router: Router,
    /// Why its password is still in the keyring, if it is.
    pub password_kept: Option<WorkflowError>,
}

/// What trusting a router's new certificate did.
#[derive(Debug)]
pub struct PinnedCertificate {
    pub router: Router,
    pub pin: String,
    pub previous: Option<String>,
}

impl Workflows {
    pub async fn router(&self, id: RouterId) -> Result<Router, WorkflowError> {
        self.store.router(id).await?.ok_or_else(|| WorkflowError::NotFound(format!("there is no router {id}")))
    }

    async fn new_router(&self, input: &RouterInput, pop: Option<PopId>) -> Result<NewRouter, WorkflowError> {
        Ok(NewRouter {
            name: checked_name(&input.name, "router")?,
            host: checked_host(&input.host)?,
            port: checked_port(input.port, input.transport.default_port())?,
            transport: input.transport,
            username: checked_user(&input.username, "RouterOS")?,
            pop,
            location: input.location,
        })
    }

    /// Adds a router with its password: nothing is half-added, a router
    /// the keyring refused is taken out again (with the POP made for it).
    pub async fn add_router(
        &self,
        actor: &Actor,
        input: RouterInput,
        password: String,
    ) -> Result<Router, WorkflowError> {
        let new = self.new_router(&input, None).await?;
        if self.store.router_by_name(&new.name).await?.is_some() {
            return Err(WorkflowError::invalid("name", format!("a router named {:?} already exists", new.name)));
        }
        let store = &self.store;
        let id = self
            .add_with_password(
                Device { what: "router", name: &new.name, pop: input.pop.as_deref() },
                password,
                async |pop| store.add_router(&NewRouter { pop, ..new.clone() }).await,
                SecretKey::router,
                async |id| store.remove_router(id).await,
            )
            .await?;
        let detail = format!("{} at {}:{} over {}", new.name, new.host, new.port, new.transport);
        self.log(actor, Subject::Router(id), "router added", detail).await;
        self.router(id).await
    }

    /// Edits a router; a new password replaces the keyring's. Its POP is
    /// kept unless the input names one.
    pub async fn edit_router(
        &self,
        actor: &Actor,
        id: RouterId,
        input: RouterInput,
        password: Option<String>,
    ) -> Result<Router, WorkflowError> {
        let old = self.router(id).await?;
        let mut new = self.new_router(&input, old.pop).await?;
        if let Some(pop) = input.pop.as_deref() {
            new.pop = Some(self.store.find_or_add_pop(pop.trim()).await?.0);
        }
        self.store.update_router(id, &new).await.map_err(name_taken)?;
        if let Some(password) = password.filter(|p| !p.is_empty()) {
            self.keyring.set(&self.store, SecretKey::router(id), password).await?;
        }
        let detail = format!("{} at {}:{} over {}", new.name, new.host, new.port, new.transport);
        self.log(actor, Subject::Router(id), "router edited", detail).await;
        self.sweep(id);
        self.router(id).await
    }

    /// Removes a router, then its password. A keyring that refuses does not
    /// keep the router in the inventory: the answer says so.
    pub async fn remove_router(&self, actor: &Actor, id: RouterId) -> Result<RemovedRouter, WorkflowError> {
        let router = self.router(id).await?;
        self.store.remove_router(id).await?;
        self.log(actor, Subject::Router(id), "router removed", router.name.clone()).await;
        let password_kept = self.keyring.delete(&self.store, SecretKey::router(id)).await.err();
        if let Some(err) = &password_kept {
            tracing::warn!("router {id} removed, but its password is still in the keyring: {err}");
        }
        Ok(RemovedRouter { router, password_kept })
    }

    /// Trusts the TLS certificate the router presents now (it was
    /// replaced). `expected` is the fingerprint the operator was shown, if
    /// one was: a certificate that changed again since is refused.
    pub async fn pin_router_certificate(
        &self,
        actor: &Actor,
        id: RouterId,
        expected: Option<&str>,
    ) -> Result<PinnedCertificate, WorkflowError> {
        let router = self.router(id).await?;
        let certificate = self.store.router_certificate(id).await?;
        let pin = match (certificate.presented, expected.map(str::trim)) {
            (Some(now), Some(shown)) if !now.eq_ignore_ascii_case(shown) => {
                return Err(WorkflowError::invalid(
                    "presented",
                    format!(
                        "{} now presents another certificate ({now}); look at it again before trusting it",
                        router.name
                    ),
                ));
            }
            (Some(now), _) => now,
            (None, _) => {
                let pinned = certificate.pinned.as_deref().map(|p| format!(" (pinned: {p})")).unwrap_or_default();
                return Err(WorkflowError::invalid(
                    "presented",
                    format!("router {:?} has presented no other certificate{pinned}; nothing to trust", router.name),
                ));
            }
        };
        self.store.set_router_tls_pin(id, Some(&pin)).await?;
        let detail = format!("{pin} now trusted instead of {}", certificate.pinned.as_deref().unwrap_or("none"));
        self.log(actor, Subject::Router(id), "certificate pinned", detail).await;
        self.sweep(id);
        Ok(PinnedCertificate { router, pin, previous: certificate.pinned })
    }

    /// A router's own suspension mode, or `None` for the ISP's.
    pub async fn set_router_suspension(
        &self,
        actor: &Actor,
        id: RouterId,
        mode: Option<SuspensionMode>,
    ) -> Result<(), WorkflowError> {
        let router = self.router(id).await?;
        self.store.set_router_suspension(id, mode).await?;
        let shown = mode.map_or("the ISP's default", SuspensionMode::as_str);
        self.log(actor, Subject::Router(id), "suspension-mode", format!("suspension on {}: {shown}", router.name))
            .await;
        self.sweep(id);
        Ok(())
    }
}

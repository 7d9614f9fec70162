//! The router inventory: a router and its password in the keyring go in
//! and out together.

use headend_core::activity::{Actor, Subject};
use headend_core::geo::GeoPoint;
use headend_core::provision::policy::SuspensionMode;
use headend_core::router::{Router, Transport};
use headend_core::{PopId, RouterId};
use headend_secrets::SecretKey;
use headend_store::{NewRouter, StoreError};

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

/// A host name or address: something, without spaces.
pub(crate) fn checked_host(host: &str) -> Result<String, WorkflowError> {
    let host = host.trim();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(WorkflowError::invalid("host", "the address is a host name or an IP address, without spaces"));
    }
    Ok(host.to_owned())
}

/// The name of a device, trimmed and not empty.
pub(crate) fn checked_name(name: &str, what: &str) -> Result<String, WorkflowError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(WorkflowError::invalid("name", format!("give the {what} a name")));
    }
    Ok(name.to_owned())
}

pub(crate) fn checked_user(user: &str, what: &str) -> Result<String, WorkflowError> {
    let user = user.trim();
    if user.is_empty() {
        return Err(WorkflowError::invalid("username", format!("enter the {what} user Headend logs in as")));
    }
    Ok(user.to_owned())
}

pub(crate) fn checked_port(port: Option<u16>, default: u16) -> Result<u16, WorkflowError> {
    match port {
        None => Ok(default),
        Some(0) => Err(WorkflowError::invalid("port", "0 is not a port number (1-65535)")),
        Some(port) => Ok(port),
    }
}

/// A POP an added device goes to, remembered so a failed add removes it
/// again.
pub(crate) struct PopChoice {
    pub id: Option<PopId>,
    added: bool,
}

impl PopChoice {
    pub async fn find_or_add(w: &Workflows, name: Option<&str>) -> Result<Self, WorkflowError> {
        match name.map(str::trim) {
            Some("") => Err(WorkflowError::invalid("pop", "the POP's name cannot be empty")),
            Some(name) => {
                let (id, added) = w.store.find_or_add_pop(name).await?;
                Ok(Self { id: Some(id), added })
            }
            None => Ok(Self { id: None, added: false }),
        }
    }

    pub async fn undo(self, w: &Workflows, what: &str) {
        if let (Some(id), true) = (self.id, self.added)
            && let Err(err) = w.store.remove_pop(id).await
        {
            tracing::warn!("cannot remove the POP added for the {what}: {err}");
        }
    }
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
        let mut new = self.new_router(&input, None).await?;
        if password.is_empty() {
            return Err(WorkflowError::invalid("password", "enter the router's password"));
        }
        if self.store.router_by_name(&new.name).await?.is_some() {
            return Err(WorkflowError::invalid("name", format!("a router named {:?} already exists", new.name)));
        }
        // Before anything is written: without a keyring there is nothing to add.
        self.secrets().await?;
        let pop = PopChoice::find_or_add(self, input.pop.as_deref()).await?;
        new.pop = pop.id;
        let id = match self.store.add_router(&new).await {
            Ok(id) => id,
            Err(err) => {
                pop.undo(self, "router").await;
                return Err(named(err));
            }
        };
        if let Err(err) = self.keyring.set(&self.store, SecretKey::router(id), password).await {
            let undone = self.store.remove_router(id).await;
            pop.undo(self, "router").await;
            return Err(match undone {
                Ok(()) => WorkflowError::NotAdded(format!("{err}, so the router was not added")),
                Err(undo) => WorkflowError::NotAdded(format!(
                    "{err}, and taking the router out again failed ({undo}); remove router {} by hand",
                    new.name
                )),
            });
        }
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
        if input.pop.is_some() {
            new.pop = PopChoice::find_or_add(self, input.pop.as_deref()).await?.id;
        }
        self.store.update_router(id, &new).await.map_err(named)?;
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

/// A name taken by another row is about the name field.
fn named(err: StoreError) -> WorkflowError {
    match err {
        StoreError::Duplicate { .. } => WorkflowError::invalid("name", err.to_string()),
        other => other.into(),
    }
}

//! What adding any device (a router, an OLT) shares: the checks of its
//! name, address, port and user, the POP it stands in (made if new), and
//! its password in the keyring, all undone together when one part fails.

use headend_core::PopId;
use headend_secrets::SecretKey;
use headend_store::StoreError;

use crate::error::name_taken;
use crate::{WorkflowError, Workflows};

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
struct PopChoice {
    pub id: Option<PopId>,
    added: bool,
}

impl PopChoice {
    async fn find_or_add(w: &Workflows, name: Option<&str>) -> Result<Self, WorkflowError> {
        match name.map(str::trim) {
            Some("") => Err(WorkflowError::invalid("pop", "the POP's name cannot be empty")),
            Some(name) => {
                let (id, added) = w.store.find_or_add_pop(name).await?;
                Ok(Self { id: Some(id), added })
            }
            None => Ok(Self { id: None, added: false }),
        }
    }

    async fn undo(self, w: &Workflows, what: &str) {
        if let (Some(id), true) = (self.id, self.added)
            && let Err(err) = w.store.remove_pop(id).await
        {
            tracing::warn!("cannot remove the POP added for the {what}: {err}");
        }
    }
}

/// The device being added, as the messages name it.
pub(crate) struct Device<'a> {
    /// `router` or `OLT`.
    pub what: &'a str,
    pub name: &'a str,
    /// The POP it stands in, by name; made if new.
    pub pop: Option<&'a str>,
}

impl Workflows {
    /// Adds a device with its password: `insert` writes its row in the POP
    /// chosen, then the keyring keeps the password under `key`. If either
    /// fails, what was written is taken out again (`remove`, and the POP if
    /// it was made for this), so no device is ever half-added.
    pub(crate) async fn add_with_password<Id: Copy>(
        &self,
        device: Device<'_>,
        password: String,
        insert: impl AsyncFnOnce(Option<PopId>) -> Result<Id, StoreError>,
        key: impl FnOnce(Id) -> SecretKey,
        remove: impl AsyncFnOnce(Id) -> Result<(), StoreError>,
    ) -> Result<Id, WorkflowError> {
        let Device { what, name, pop } = device;
        if password.is_empty() {
            return Err(WorkflowError::invalid("password", format!("enter the {what}'s password")));
        }
        // Before anything is written: without a keyring there is nothing to add.
        self.secrets().await?;
        let pop = PopChoice::find_or_add(self, pop).await?;
        let id = match insert(pop.id).await {
            Ok(id) => id,
            Err(err) => {
                pop.undo(self, what).await;
                return Err(name_taken(err));
            }
        };
        if let Err(err) = self.keyring.set(&self.store, key(id), password).await {
            let undone = remove(id).await;
            pop.undo(self, what).await;
            return Err(WorkflowError::NotAdded(match undone {
                Ok(()) => format!("{err}, so the {what} was not added"),
                Err(undo) => {
                    format!("{err}, and taking the {what} out again failed ({undo}); remove {what} {name} by hand")
                }
            }));
        }
        Ok(id)
    }
}

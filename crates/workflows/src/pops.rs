//! Points of presence: the sites routers and OLTs stand in. A POP is made
//! by naming it on a router's or an OLT's form (or `--pop`); here it is
//! listed with what stands in it, and renamed.

use headend_core::PopId;
use headend_core::activity::{Actor, Subject};
use headend_core::router::Pop;

use crate::devices::checked_name;
use crate::error::name_taken;
use crate::{WorkflowError, Workflows};

/// A POP with how many routers and OLTs stand in it.
#[derive(Debug, Clone, PartialEq)]
pub struct PopOverview {
    pub pop: Pop,
    pub routers: u32,
    pub olts: u32,
}

impl Workflows {
    /// Every POP, by name.
    pub async fn pops(&self) -> Result<Vec<PopOverview>, WorkflowError> {
        let members = self.store.pop_members().await?;
        Ok(self
            .store
            .pops()
            .await?
            .into_iter()
            .map(|pop| {
                let (routers, olts) = members.get(&pop.id).copied().unwrap_or_default();
                PopOverview { pop, routers, olts }
            })
            .collect())
    }

    /// Renames the POP `id`; another POP's name is refused at "name".
    pub async fn rename_pop(&self, actor: &Actor, id: PopId, name: &str) -> Result<Pop, WorkflowError> {
        let old = self.store.pop(id).await?.ok_or_else(|| WorkflowError::NotFound(format!("there is no POP {id}")))?;
        let name = checked_name(name, "POP")?;
        if name != old.name {
            self.store.rename_pop(id, &name).await.map_err(name_taken)?;
            self.log(actor, Subject::Pop(id), "pop renamed", format!("{} -> {name}", old.name)).await;
        }
        Ok(Pop { name, ..old })
    }

    /// The POP named `name`, or NotFound naming the CLI's list.
    pub async fn pop_named(&self, name: &str) -> Result<Pop, WorkflowError> {
        self.store
            .pop_by_name(name.trim())
            .await?
            .ok_or_else(|| WorkflowError::NotFound(format!("no POP named {name:?}; `headend pop list` shows them")))
    }
}

//! The operator's hand on the provisioning engine: a queued action tried
//! again, a sweep asked for, a live session ended.

use headend_core::activity::{Actor, Subject};
use headend_core::{RouterId, ServiceId};
use headend_fleet::Fleet;

use crate::{WorkflowError, Workflows};

impl Workflows {
    /// One queued action tried again now: its attempts start over and its
    /// router is swept at once. Returns that router.
    pub async fn retry_queue_entry(&self, actor: &Actor, id: i64) -> Result<RouterId, WorkflowError> {
        let router = self
            .store
            .queue_retry(id)
            .await?
            .ok_or_else(|| WorkflowError::NotFound("that action is no longer queued".to_owned()))?;
        self.log(actor, Subject::Router(router), "retry", format!("queued action {id} tried again now")).await;
        self.sweep(router);
        Ok(router)
    }

    /// Says in the activity log that the operator swept these routers.
    pub async fn sweep_requested(&self, actor: &Actor, routers: &[RouterId]) {
        self.log(actor, Subject::Routers, "sweep now", format!("{} routers", routers.len())).await;
    }

    /// Ends a live PPPoE session on its router (the subscriber dials in
    /// again unless the service is off). `user` names it in the log.
    /// The service whose PPPoE user `user` is on `router`, if any: where
    /// a live session leads.
    pub async fn session_service(&self, router: RouterId, user: &str) -> Result<Option<ServiceId>, WorkflowError> {
        Ok(self.store.pppoe_user(router, user).await?)
    }

    pub async fn kick_session(
        &self,
        actor: &Actor,
        fleet: &Fleet,
        router: RouterId,
        session: &str,
        user: &str,
    ) -> Result<(), WorkflowError> {
        fleet.kick(router, session).await.map_err(|e| WorkflowError::Router(e.to_string()))?;
        self.log(actor, Subject::Router(router), "session kicked", user.to_owned()).await;
        Ok(())
    }
}

//! One change to many services at once (suspend, activate, another plan,
//! another router), previewed first: each service says what would change,
//! or that nothing would, or why it cannot (a PPPoE user or an address
//! already on the other router). Applying runs the single-service
//! workflows one service at a time, so each keeps its own transaction,
//! billing, messages and activity entry; one that fails is reported and
//! the others go on.

use headend_core::activity::Actor;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_store::ServiceOverview;

use crate::services::{CustomerInput, ServiceInput};
use crate::{WorkflowError, Workflows};

/// The most services one bulk action takes.
pub const MAX_SERVICES: usize = 5_000;

/// What to do to every chosen service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkChange {
    Status(ServiceStatus),
    Plan(PlanId),
    Router(RouterId),
}

/// What the change means for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOutcome {
    /// "status active -> suspended", "plan Home 10 -> Home 20".
    Changes(String),
    Unchanged,
    Refused(String),
}

#[derive(Debug, Clone)]
pub struct BulkLine {
    pub service: ServiceOverview,
    pub outcome: BulkOutcome,
}

#[derive(Debug, Clone)]
pub struct BulkResult {
    pub lines: Vec<BulkLine>,
    /// Services changed (0 for a preview).
    pub applied: usize,
}

impl Workflows {
    /// Previews (`dry_run`) or applies `change` to the services `ids`.
    pub async fn bulk_change(
        &self,
        actor: &Actor,
        ids: &[ServiceId],
        change: BulkChange,
        dry_run: bool,
    ) -> Result<BulkResult, WorkflowError> {
        if ids.is_empty() {
            return Err(WorkflowError::invalid("services", "choose the services to change"));
        }
        if ids.len() > MAX_SERVICES {
            return Err(WorkflowError::invalid(
                "services",
                format!("{} services at once is too many: at most {MAX_SERVICES}", ids.len()),
            ));
        }
        let target = match change {
            BulkChange::Plan(plan) => Target::Plan(self.plan(plan).await?.name),
            BulkChange::Router(router) => Target::Router(self.router(router).await?.name),
            BulkChange::Status(_) => Target::Status,
        };
        let mut seen = std::collections::HashSet::new();
        let mut lines = Vec::with_capacity(ids.len());
        // A service named twice is changed once.
        for &id in ids.iter().filter(|id| seen.insert(**id)) {
            let service = self.service(id).await?;
            let outcome = self.bulk_outcome(&service, change, &target).await?;
            lines.push(BulkLine { service, outcome });
        }
        let mut applied = 0;
        if !dry_run {
            for line in lines.iter_mut().filter(|l| matches!(l.outcome, BulkOutcome::Changes(_))) {
                match self.apply_one(actor, &line.service, change).await {
                    Ok(()) => applied += 1,
                    Err(err) => line.outcome = BulkOutcome::Refused(err.to_string()),
                }
            }
        }
        Ok(BulkResult { lines, applied })
    }

    async fn bulk_outcome(
        &self,
        s: &ServiceOverview,
        change: BulkChange,
        target: &Target,
    ) -> Result<BulkOutcome, WorkflowError> {
        Ok(match (change, target) {
            (BulkChange::Status(status), _) if status == s.status => BulkOutcome::Unchanged,
            (BulkChange::Status(status), _) => BulkOutcome::Changes(format!("status {} -> {status}", s.status)),
            (BulkChange::Plan(plan), _) if plan == s.plan => BulkOutcome::Unchanged,
            (BulkChange::Plan(_), Target::Plan(name)) => {
                BulkOutcome::Changes(format!("plan {} -> {name}", s.plan_name))
            }
            (BulkChange::Router(router), _) if router == s.router => BulkOutcome::Unchanged,
            (BulkChange::Router(router), Target::Router(name)) => {
                let (user, address) = match &s.access {
                    Access::Pppoe { username, address } => (Some(username), *address),
                    Access::StaticIp { address } => (None, Some(*address)),
                };
                if let Some(user) = user
                    && self.store.pppoe_user(router, user).await?.is_some()
                {
                    BulkOutcome::Refused(format!("{name} already has a PPPoE user {user:?}"))
                } else if let Some(address) = address
                    && let Some(other) = self.store.service_with_address(router, address).await?
                {
                    BulkOutcome::Refused(format!("{address} is already service {other}'s address on {name}"))
                } else {
                    BulkOutcome::Changes(format!("router {} -> {name}", s.router_name))
                }
            }
            _ => BulkOutcome::Unchanged,
        })
    }

    async fn apply_one(&self, actor: &Actor, s: &ServiceOverview, change: BulkChange) -> Result<(), WorkflowError> {
        match change {
            BulkChange::Status(status) => {
                self.set_service_status(actor, s.id, status).await?;
            }
            BulkChange::Plan(_) | BulkChange::Router(_) => {
                let customer =
                    self.store.customer(s.customer).await?.ok_or_else(|| {
                        WorkflowError::NotFound(format!("customer {} of service {}", s.customer, s.id))
                    })?;
                let (plan, router) = match change {
                    BulkChange::Plan(plan) => (plan, s.router),
                    BulkChange::Router(router) => (s.plan, router),
                    BulkChange::Status(_) => (s.plan, s.router),
                };
                let input = ServiceInput {
                    customer: CustomerInput {
                        name: customer.name,
                        phone: customer.phone,
                        email: customer.email,
                        address: customer.address,
                        location: customer.location,
                    },
                    router,
                    plan,
                    access: s.access.clone(),
                    password: None,
                    status: s.status,
                    next_billing_date: s.next_billing_date,
                    grace_days: s.grace_days.map(u32::from),
                };
                self.edit_service(actor, s.id, input).await?;
            }
        }
        Ok(())
    }
}

/// The change's target, named.
enum Target {
    Status,
    Plan(String),
    Router(String),
}

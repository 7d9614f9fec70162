//! Plans: rates (a PPP profile on every router), price and billing cycle.

use std::collections::BTreeSet;

use headend_core::PlanId;
use headend_core::activity::{Actor, Subject};
use headend_core::billing::tax::TaxRate;
use headend_core::plan::{BillingCycle, Plan, RateLimit, SessionLimits};
use headend_store::NewPlan;
use rust_decimal::Decimal;

use crate::error::name_taken;
use crate::{WorkflowError, Workflows};

/// A plan as the form or the command line gives it; the rates are already
/// parsed (and checked against each other) by [`RateLimit`].
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub name: String,
    pub limits: RateLimit,
    pub price: Decimal,
    pub cycle: BillingCycle,
    /// The plan's own tax rate; `None`: the ISP's.
    pub tax_rate: Option<TaxRate>,
    /// Session and idle timeouts and the address pool; parsed, like the
    /// rates, by their types.
    pub session: SessionLimits,
}

/// A plan's name, trimmed. Public so a form can say what is missing
/// first, before it reads the rates.
pub fn checked_name(name: &str) -> Result<String, WorkflowError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(WorkflowError::invalid("name", "give the plan a name, such as Home 20"));
    }
    Ok(name.to_owned())
}

fn checked(input: PlanInput) -> Result<NewPlan, WorkflowError> {
    let name = checked_name(&input.name)?;
    if input.price.is_sign_negative() {
        return Err(WorkflowError::invalid("price", format!("a price cannot be negative ({})", input.price)));
    }
    Ok(NewPlan {
        name,
        limits: input.limits,
        price: input.price,
        cycle: input.cycle,
        tax_rate: input.tax_rate,
        session: input.session,
    })
}

/// `rate-limit R (upload/download), PRICE CYCLE; router profile P`: how
/// the activity log and the CLI describe a plan.
pub fn describe(plan: &Plan) -> String {
    let session = if plan.session.is_empty() { String::new() } else { format!(", {}", plan.session) };
    format!(
        "rate-limit {} (upload/download){session}, {} {}; router profile {}",
        plan.limits, plan.price, plan.cycle, plan.profile
    )
}

impl Workflows {
    pub async fn plan(&self, id: PlanId) -> Result<Plan, WorkflowError> {
        self.store.plan(id).await?.ok_or_else(|| WorkflowError::NotFound(format!("there is no plan {id}")))
    }

    pub async fn add_plan(&self, actor: &Actor, input: PlanInput) -> Result<Plan, WorkflowError> {
        let new = checked(input)?;
        let id = self.store.add_plan(&new).await.map_err(name_taken)?;
        let plan = self.plan(id).await?;
        self.log(actor, Subject::Plan(id), "plan added", format!("{}: {}", plan.name, describe(&plan))).await;
        Ok(plan)
    }

    /// Edits a plan: its profile's rate-limit changes on every router with
    /// a service on it, swept at once.
    pub async fn edit_plan(&self, actor: &Actor, id: PlanId, input: PlanInput) -> Result<Plan, WorkflowError> {
        let new = checked(input)?;
        let before = self.plan(id).await?;
        self.store.update_plan(id, &new).await.map_err(name_taken)?;
        let plan = self.plan(id).await?;
        let detail = format!("{}: {} -> {}", before.name, describe(&before), describe(&plan));
        self.log(actor, Subject::Plan(id), "plan changed", detail).await;
        let services = self.store.all_services().await?;
        let routers: BTreeSet<_> = services.iter().filter(|s| s.plan == id).map(|s| s.router).collect();
        routers.into_iter().for_each(|r| self.sweep(r));
        Ok(plan)
    }
}

//! Customers' services: add or edit one with its customer, change its
//! status or due date, try its failed actions again.

use headend_core::activity::{Actor, Subject};
use headend_core::billing::calendar::Period;
use headend_core::billing::invoice::plan_change_lines;
use headend_core::billing::schedule::resume_after_pause;
use headend_core::geo::GeoPoint;
use headend_core::messages::MessageEvent;
use headend_core::messages::outbox::EventKey;
use headend_core::plan::Plan;
use headend_core::provision::policy::{IspPolicy, Standing, checked_grace};
use headend_core::provision::{Password, validate_password, validate_username};
use headend_core::service::{Access, Service, ServiceStatus};
use headend_core::{CustomerId, PlanId, RouterId, ServiceId};
use headend_store::{
    BillingDates, NewCustomer, NewService, ServiceOverview, ServiceQuery, ServicesPage, StoreError, Write,
};
use jiff::civil::Date;

use crate::messages::compose::Composer;
use crate::{WorkflowError, Workflows};

/// A customer as a form or the command line gives it.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// Where the customer is, for the map.
    pub location: Option<GeoPoint>,
}

/// A service to add, or the new values of one.
#[derive(Debug, Clone)]
pub struct ServiceInput {
    pub customer: CustomerInput,
    pub router: RouterId,
    pub plan: PlanId,
    pub access: Access,
    /// A new PPPoE password; `None` keeps the stored one on an edit.
    pub password: Option<Password>,
    pub status: ServiceStatus,
    pub next_billing_date: Option<Date>,
    /// Days of grace after the due date; `None` is the ISP's.
    pub grace_days: Option<u32>,
}

fn trimmed(text: Option<&String>) -> Option<String> {
    text.map(|t| t.trim()).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The customer's fields, checked.
fn customer(input: &CustomerInput) -> Result<NewCustomer, WorkflowError> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(WorkflowError::invalid("customer_name", "enter the customer's name"));
    }
    Ok(NewCustomer {
        name: name.to_owned(),
        phone: trimmed(input.phone.as_ref()),
        email: trimmed(input.email.as_ref()),
        address: trimmed(input.address.as_ref()),
        location: input.location,
    })
}

/// The service's own fields, checked; `adding` says whether a PPPoE
/// password is required.
fn check(input: &ServiceInput, adding: bool) -> Result<Option<u16>, WorkflowError> {
    if let Access::Pppoe { username, .. } = &input.access {
        validate_username(username).map_err(|e| WorkflowError::invalid("username", e.to_string()))?;
        match &input.password {
            Some(password) => {
                validate_password(password.expose()).map_err(|e| WorkflowError::invalid("password", e.to_string()))?
            }
            None if adding => return Err(WorkflowError::invalid("password", "enter the PPPoE password")),
            None => {}
        }
    }
    input
        .grace_days
        .map(checked_grace)
        .transpose()
        .map_err(|e| WorkflowError::invalid("grace_days", format!("{e}, or empty for the ISP's")))
}

impl ServiceInput {
    /// The store's row for this input, for `customer`, with what the
    /// checks made of the grace and the password.
    fn row(&self, customer: CustomerId, grace_days: Option<u16>, password: Option<Vec<u8>>, adopt: bool) -> NewService {
        NewService {
            customer,
            router: self.router,
            plan: self.plan,
            access: self.access.clone(),
            status: self.status,
            next_billing_date: self.next_billing_date,
            grace_days,
            password,
            adopt,
        }
    }
}

/// What the activity log calls a service's router and plan.
struct Names {
    router: String,
    plan: String,
}

/// `kind login on router, status`: how the activity log names a service.
fn describe(access: &Access, router: &str, status: ServiceStatus) -> String {
    let login = match access {
        Access::Pppoe { username, .. } => username.clone(),
        Access::StaticIp { address } => address.to_string(),
    };
    format!("{} {login} on {router}, {status}", access.kind())
}

impl Workflows {
    /// One page of the services list; with `went_off_today`, only the
    /// services that went off today, by the rule of the dashboard's figure.
    pub async fn services_page(
        &self,
        mut query: ServiceQuery,
        went_off_today: bool,
    ) -> Result<ServicesPage, WorkflowError> {
        if went_off_today {
            query.only = Some(self.went_off_today().await?.all());
        }
        Ok(self.store.services_page(&query).await?)
    }

    /// The service with its customer's and router's names, or NotFound.
    pub async fn service(&self, id: ServiceId) -> Result<ServiceOverview, WorkflowError> {
        self.store.service(id).await?.ok_or_else(|| {
            WorkflowError::NotFound(format!("no service with id {id}; `headend service list` shows them"))
        })
    }

    /// The ISP's policy and its "today", which decide what is overdue.
    pub async fn today(&self) -> Result<(IspPolicy, Date), WorkflowError> {
        let policy = self.store.isp_policy().await?;
        let today = policy.today(self.now());
        Ok((policy, today))
    }

    /// How a listed service stands with its payments today.
    pub fn standing(policy: &IspPolicy, today: Date, s: &ServiceOverview) -> Standing {
        policy.standing(&Self::as_service(s), today)
    }

    /// The last day `s` was on, if it is cut off for not paying today.
    pub(crate) fn cut_off_after(policy: &IspPolicy, today: Date, s: &ServiceOverview) -> Option<Date> {
        let service = Self::as_service(s);
        let standing = policy.standing(&service, today);
        (standing.grace_ended && s.status == ServiceStatus::Active).then(|| policy.paid_through(&service)).flatten()
    }

    fn as_service(s: &ServiceOverview) -> Service {
        Service {
            id: s.id,
            customer: s.customer,
            router: s.router,
            plan: s.plan,
            access: s.access.clone(),
            status: s.status,
            next_billing_date: s.next_billing_date,
            grace_days: s.grace_days,
        }
    }

    /// What both add and edit check against the database before writing:
    /// the router and plan exist, the PPPoE user is free on the router (and
    /// on every RADIUS router when it is one), the address is no other
    /// live service's on the router, and
    /// a new password can be encrypted. Returns the router's and the plan's
    /// names (for the activity log) and the sealed password.
    async fn prepare(
        &self,
        input: &ServiceInput,
        this: Option<ServiceId>,
    ) -> Result<(Names, Option<Vec<u8>>), WorkflowError> {
        let router = self
            .store
            .router(input.router)
            .await?
            .ok_or_else(|| WorkflowError::invalid("router_id", "that router no longer exists"))?;
        let plan = self
            .store
            .plan(input.plan)
            .await?
            .ok_or_else(|| WorkflowError::invalid("plan_id", "that plan no longer exists"))?;
        if let Access::Pppoe { username, .. } = &input.access
            && let Some(other) = self.store.pppoe_user(input.router, username).await?
            && Some(other) != this
        {
            return Err(StoreError::DuplicateUser { user: username.clone(), router: router.name }.into());
        }
        let address = match &input.access {
            Access::Pppoe { address, .. } => *address,
            Access::StaticIp { address } => Some(*address),
        };
        if let Some(address) = address
            && let Some(other) = self.store.service_with_address(input.router, address).await?
            && Some(other) != this
        {
            return Err(WorkflowError::invalid(
                "ip_address",
                format!("{address} is already service {other}'s address on {}", router.name),
            ));
        }
        if let (Access::Pppoe { username, .. }, Some(_)) = (&input.access, router.backend.nas())
            && let Some((other, on)) = self.store.radius_user_elsewhere(username, input.router).await?
            && Some(other) != this
        {
            return Err(WorkflowError::invalid(
                "username",
                format!(
                    "{username} is already a user of FreeRADIUS for service {other} on {on}: RADIUS routers share \
                     one database, so choose another user name"
                ),
            ));
        }
        let sealed = match &input.password {
            Some(password) => Some(self.cipher().await.map_err(|e| {
                WorkflowError::invalid(
                    "password",
                    format!("the key that encrypts PPPoE passwords is not available, so this password cannot be kept ({e})"),
                )
            })?.encrypt(password)),
            None => None,
        };
        Ok((Names { router: router.name, plan: plan.name }, sealed))
    }

    /// Adds a service, and its customer unless one with exactly this name
    /// and phone exists, in one transaction with their activity entries.
    /// The PPPoE password is stored encrypted; the router is swept at once.
    pub async fn add_service(&self, actor: &Actor, input: ServiceInput) -> Result<ServiceOverview, WorkflowError> {
        let new_customer = customer(&input.customer)?;
        let grace_days = check(&input, true)?;
        let (names, password) = self.prepare(&input, None).await?;
        let mut write = self.store.begin_write().await?;
        let customer = match write.customer_by_name_and_phone(&new_customer.name, new_customer.phone.as_deref()).await?
        {
            Some(id) => id,
            None => {
                let id = write.add_customer(&new_customer).await?;
                let entry = self.entry(actor, Subject::Customer(id), "customer added", new_customer.name.clone());
                write.log_activity(&entry).await?;
                id
            }
        };
        let id = write.add_service(&input.row(customer, grace_days, password, false)).await?;
        let detail = format!(
            "{} for {}, plan {}",
            describe(&input.access, &names.router, input.status),
            new_customer.name,
            names.plan
        );
        write.log_activity(&self.entry(actor, Subject::Service(id), "service added", detail)).await?;
        write.commit().await?;
        self.sweep(input.router);
        self.service(id).await
    }

    /// Edits a service and its customer in one transaction. The adopt flag
    /// is kept (no form shows it); a move to another router sweeps both.
    pub async fn edit_service(
        &self,
        actor: &Actor,
        id: ServiceId,
        input: ServiceInput,
    ) -> Result<ServiceOverview, WorkflowError> {
        let new_customer = customer(&input.customer)?;
        let grace_days = check(&input, false)?;
        let old = self.service(id).await?;
        let (names, password) = self.prepare(&input, Some(id)).await?;
        // A plan change tells the customer: what that needs is read first.
        let composer = if old.plan != input.plan { Some(Composer::load(&self.store).await?) } else { None };
        let mut write = self.store.begin_write().await?;
        write.update_customer(old.customer, &new_customer).await?;
        write.update_service(id, &input.row(old.customer, grace_days, password, old.adopt)).await?;
        let new_password = if input.password.is_some() { "; new password" } else { "" };
        let mut detail = format!("{}{new_password}", describe(&input.access, &names.router, input.status));
        if let Some(composer) = &composer {
            detail.push_str(&self.prorate_plan_change(&mut write, &old, input.plan, actor).await?);
            let key = EventKey::plan_changed(id, self.now().as_millisecond());
            composer.queue_for_customer(&mut write, MessageEvent::PlanChanged, key, old.customer).await?;
        }
        write.log_activity(&self.entry(actor, Subject::Service(id), "service edited", detail)).await?;
        write.commit().await?;
        self.sweep(input.router);
        if old.router != input.router {
            self.sweep(old.router);
        }
        self.service(id).await
    }

    /// A plan change inside an invoiced period: the unused days of the old
    /// plan are credited and the same days of the new one charged, on the
    /// customer's next invoice (core's `plan_change_lines`, by days from
    /// today). Returns what the activity entry adds.
    async fn prorate_plan_change(
        &self,
        write: &mut Write,
        old: &ServiceOverview,
        new_plan: PlanId,
        actor: &Actor,
    ) -> Result<String, WorkflowError> {
        let Some(period) = write.last_billed_period(old.id).await? else { return Ok(String::new()) };
        let (_, today) = self.today().await?;
        let settings = self.store.billing_settings().await?;
        let (from, to) = (self.plan(old.plan).await?, self.plan(new_plan).await?);
        let rate = |p: &Plan| p.tax_rate.unwrap_or(settings.tax_rate);
        let lines = plan_change_lines(
            old.id,
            period,
            today,
            (&from.name, from.price, rate(&from)),
            (&to.name, to.price, rate(&to)),
        );
        if lines.is_empty() {
            return Ok(String::new());
        }
        write.add_pending_lines(old.customer, &lines, actor).await?;
        let rest = Period { from: today, until: period.until };
        Ok(format!(
            "; plan {} -> {} prorated for {} of {} days on the next invoice",
            from.name,
            to.name,
            rest.days(),
            period.days()
        ))
    }

    /// Suspend, activate or any status: the router follows at once.
    pub async fn set_service_status(
        &self,
        actor: &Actor,
        id: ServiceId,
        status: ServiceStatus,
    ) -> Result<ServiceOverview, WorkflowError> {
        let before = self.service(id).await?;
        let (_, today) = self.today().await?;
        let mut detail = format!("status {} -> {status}", before.status);
        let mut write = self.store.begin_write().await?;
        write.set_service_status(id, status).await?;
        // Billing: a pause asked for stops invoicing and, on resume, moves
        // the paid-through and invoiced-through dates by the days paused; a
        // first activation starts the first period.
        let dates = write.billing_dates(id).await?;
        match (before.status, status) {
            (from, ServiceStatus::Inactive) if from != ServiceStatus::Inactive => {
                write.set_billing_dates(id, BillingDates { paused_on: Some(today), ..dates }).await?;
            }
            (ServiceStatus::Inactive, to) if to != ServiceStatus::Inactive => {
                if let Some(paused_on) = dates.paused_on {
                    let (paid, invoiced) =
                        resume_after_pause(dates.paid_through, dates.invoiced_through, paused_on, today);
                    write
                        .set_billing_dates(
                            id,
                            BillingDates { paid_through: paid, invoiced_through: invoiced, paused_on: None },
                        )
                        .await?;
                    detail.push_str(&format!(
                        "; paused {} day(s), billing moved on by as many",
                        (today - paused_on).get_days()
                    ));
                }
            }
            (ServiceStatus::Pending, ServiceStatus::Active) if dates.invoiced_through.is_none() => {
                write.set_activated_on(id, today).await?;
            }
            _ => {}
        }
        write.log_activity(&self.entry(actor, Subject::Service(id), "status changed", detail)).await?;
        write.commit().await?;
        self.sweep(before.router);
        self.service(id).await
    }

    /// Sets or clears the next billing date.
    pub async fn set_service_due(
        &self,
        actor: &Actor,
        id: ServiceId,
        due: Option<Date>,
    ) -> Result<ServiceOverview, WorkflowError> {
        let before = self.service(id).await?;
        let show = |d: Option<Date>| d.map_or_else(|| "none".to_owned(), |d| d.to_string());
        let what = format!("next billing date {} -> {}", show(before.next_billing_date), show(due));
        let mut write = self.store.begin_write().await?;
        write.set_service_due(id, due).await?;
        write.log_activity(&self.entry(actor, Subject::Service(id), "due date changed", what)).await?;
        write.commit().await?;
        self.sweep(before.router);
        self.service(id).await
    }

    /// Everything queued for the service (router writes and its ONU's
    /// zero-touch authorization) tried again now.
    pub async fn retry_service(&self, actor: &Actor, id: ServiceId) -> Result<RetriedService, WorkflowError> {
        let service = self.service(id).await?;
        let queued = self.store.queue_for_service(id).await?.len();
        let routers = self.store.queue_retry_service(id).await?;
        let onu = usize::try_from(self.store.olt_queue_retry(id).await?).unwrap_or(usize::MAX);
        let reset = queued.saturating_add(onu);
        let mut router_names = Vec::new();
        for router in &routers {
            router_names.push(self.store.router(*router).await?.map_or_else(|| router.to_string(), |r| r.name));
        }
        let detail = format!("{reset} queued action(s) reset; sweep of {}", router_names.join(", "));
        self.log(actor, Subject::Service(id), "retry requested", detail).await;
        routers.into_iter().for_each(|r| self.sweep(r));
        Ok(RetriedService { service, reset, router_names })
    }
}

/// What a retry did.
#[derive(Debug, Clone)]
pub struct RetriedService {
    pub service: ServiceOverview,
    /// Queued actions set to try again now.
    pub reset: usize,
    /// The routers asked to sweep.
    pub router_names: Vec<String>,
}

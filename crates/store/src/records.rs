//! What goes into the store and the read models that come out of it.

use headend_core::plan::{BillingCycle, Rate};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{CustomerId, PlanId, PopId, RouterId, ServiceId};
use jiff::civil::Date;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub struct NewRouter {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    pub username: String,
    pub pop: Option<PopId>,
    pub location: Option<headend_core::geo::GeoPoint>,
}

/// A point of presence to add.
#[derive(Debug, Clone)]
pub struct NewPop {
    pub name: String,
    pub location: Option<headend_core::geo::GeoPoint>,
}

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub download: Rate,
    pub upload: Rate,
    pub price: Decimal,
    pub cycle: BillingCycle,
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewService {
    pub customer: CustomerId,
    pub router: RouterId,
    pub plan: PlanId,
    pub access: Access,
    pub status: ServiceStatus,
    pub next_billing_date: Option<Date>,
    pub grace_days: Option<u16>,
}

/// A service with the names the operator knows it by: what lists and detail
/// pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceOverview {
    pub id: ServiceId,
    pub customer: CustomerId,
    pub customer_name: String,
    pub router: RouterId,
    pub router_name: String,
    pub plan_name: String,
    pub access: Access,
    pub status: ServiceStatus,
    pub next_billing_date: Option<Date>,
}

impl ServiceOverview {
    /// How notifications and headings name the service: its PPPoE user name
    /// or address, then the customer.
    pub fn label(&self) -> String {
        match &self.access {
            Access::Pppoe { username } => format!("{username} ({})", self.customer_name),
            Access::StaticIp { address } => format!("{address} ({})", self.customer_name),
        }
    }
}

/// What `headend status` and the dashboard show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStatus {
    /// The newest migration applied (its timestamp-like version number).
    pub schema_version: i64,
    pub pops: i64,
    pub routers: i64,
    pub plans: i64,
    pub customers: i64,
    pub services: i64,
    pub active_services: i64,
    pub suspended_services: i64,
}

//! What goes into the store and the read models that come out of it.

use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{CustomerId, PlanId, PopId, RouterId, ServiceId};
use jiff::Timestamp;
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

/// A plan to add or the new values of one. Its profile name is not here:
/// the store makes it when the plan is added and never changes it.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub limits: RateLimit,
    pub price: Decimal,
    pub cycle: BillingCycle,
    /// `None`: the ISP's tax rate.
    pub tax_rate: Option<headend_core::billing::tax::TaxRate>,
    pub session: headend_core::plan::SessionLimits,
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub location: Option<headend_core::geo::GeoPoint>,
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
    /// The PPPoE password, already encrypted
    /// (`headend_secrets::SubscriberCipher`); never plaintext.
    pub password: Option<Vec<u8>>,
    /// Take over a secret with this user name already on the router.
    pub adopt: bool,
}

/// A service with the names the operator knows it by: what lists and detail
/// pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceOverview {
    pub id: ServiceId,
    pub customer: CustomerId,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub router: RouterId,
    pub router_name: String,
    pub plan: PlanId,
    pub plan_name: String,
    pub access: Access,
    pub status: ServiceStatus,
    pub next_billing_date: Option<Date>,
    /// The service's own grace; `None` uses the ISP's.
    pub grace_days: Option<u16>,
    /// Headend may take over an unmarked secret of this user name.
    pub adopt: bool,
    /// Whether the router held the service as it should, at the last sweep
    /// that confirmed it.
    pub router_provisioned: bool,
    pub provisioned_at: Option<Timestamp>,
}

impl ServiceOverview {
    /// How notifications and headings name the service: its PPPoE user name
    /// or address, then the customer.
    pub fn label(&self) -> String {
        match &self.access {
            Access::Pppoe { username, .. } => format!("{username} ({})", self.customer_name),
            Access::StaticIp { address } => format!("{address} ({})", self.customer_name),
        }
    }
}

/// A router's TLS certificate as the database knows it: SHA-256
/// fingerprints in hex.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouterCertificate {
    /// Trusted: pinned on the first TLS connection or by the operator.
    pub pinned: Option<String>,
    /// Presented instead of the pinned one, and refused until the
    /// operator trusts it.
    pub presented: Option<String>,
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

/// An OLT to add, or the new values of one. Its password is not here: it
/// goes to the OS keyring under the new id.
#[derive(Debug, Clone)]
pub struct NewOlt {
    pub name: String,
    pub vendor: headend_core::olt::OltVendor,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub pop: Option<PopId>,
    pub location: Option<headend_core::geo::GeoPoint>,
}

/// An optical distribution point to add.
#[derive(Debug, Clone)]
pub struct NewOdp {
    pub name: String,
    pub pop: Option<PopId>,
    pub location: Option<headend_core::geo::GeoPoint>,
    pub capacity: Option<u16>,
}

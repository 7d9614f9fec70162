//! Services: one connection of a customer on a router, under a plan.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use jiff::civil::Date;

use crate::ids::{CustomerId, PlanId, RouterId, ServiceId};

/// The life cycle of a service, as the operator sets it. Whether the service
/// is actually on its router also depends on the billing date (see the
/// provisioning policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceStatus {
    /// Created, waiting for installation or its first payment.
    Pending,
    Active,
    /// Cut off by the operator or for non-payment.
    Suspended,
    /// Paused on the customer's request.
    Inactive,
    /// Ended for good; kept for history.
    Terminated,
}

impl ServiceStatus {
    pub const ALL: [ServiceStatus; 5] = [
        ServiceStatus::Pending,
        ServiceStatus::Active,
        ServiceStatus::Suspended,
        ServiceStatus::Inactive,
        ServiceStatus::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Pending => "pending",
            ServiceStatus::Active => "active",
            ServiceStatus::Suspended => "suspended",
            ServiceStatus::Inactive => "inactive",
            ServiceStatus::Terminated => "terminated",
        }
    }
}

impl fmt::Display for ServiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service status {0:?}: use pending, active, suspended, inactive or terminated")]
pub struct UnknownServiceStatus(pub String);

impl FromStr for ServiceStatus {
    type Err = UnknownServiceStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceStatus::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| UnknownServiceStatus(s.to_owned()))
    }
}

/// How the customer's equipment is admitted by the router. A PPPoE password
/// is not here: it lives in the OS keyring under the service's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// `address`: a fixed address the router gives this user every time
    /// (the secret's `remote-address`, or FreeRADIUS's
    /// `Framed-IP-Address`); `None` takes one from the plan's pool.
    Pppoe {
        username: String,
        address: Option<IpAddr>,
    },
    StaticIp {
        address: IpAddr,
    },
}

impl Access {
    pub fn kind(&self) -> &'static str {
        match self {
            Access::Pppoe { .. } => "pppoe",
            Access::StaticIp { .. } => "static",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub customer: CustomerId,
    pub router: RouterId,
    pub plan: PlanId,
    pub access: Access,
    pub status: ServiceStatus,
    pub next_billing_date: Option<Date>,
    /// Days after `next_billing_date` before the service is cut off; `None`
    /// uses the ISP-wide default.
    pub grace_days: Option<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in ServiceStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
        assert_eq!("Active".parse::<ServiceStatus>(), Err(UnknownServiceStatus("Active".into())));
    }
}

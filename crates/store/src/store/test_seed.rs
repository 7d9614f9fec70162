//! What the store's unit tests start from: a router, and a PPPoE service
//! on it with its plan and customer.

use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{RouterId, ServiceId};
use rust_decimal::Decimal;

use super::Store;
use crate::records::{NewCustomer, NewPlan, NewRouter, NewService};

/// Router `core` on 127.0.0.1, plain API.
pub(crate) async fn router(store: &Store) -> RouterId {
    let new = NewRouter {
        name: "core".into(),
        host: "127.0.0.1".into(),
        port: 8728,
        transport: Transport::Api,
        username: "admin".into(),
        pop: None,
        location: None,
    };
    store.add_router(&new).await.unwrap()
}

/// Active PPPoE service `ana` (plan `Home`, customer `Ana`) on a new
/// router, with `password` as its encrypted password.
pub(crate) async fn pppoe_ana(store: &Store, password: Option<Vec<u8>>) -> (RouterId, ServiceId) {
    let router = router(store).await;
    let plan = NewPlan {
        name: "Home".into(),
        limits: RateLimit::from_parts("5M/20M", None, None, None).unwrap(),
        price: Decimal::new(2500, 2),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    };
    let plan = store.add_plan(&plan).await.unwrap();
    let customer = NewCustomer { name: "Ana".into(), phone: None, email: None, address: None, location: None };
    let customer = store.add_customer(&customer).await.unwrap();
    let service = NewService {
        customer,
        router,
        plan,
        access: Access::Pppoe { username: "ana".into(), address: None },
        status: ServiceStatus::Active,
        next_billing_date: None,
        grace_days: None,
        password,
        adopt: false,
    };
    (router, store.add_service(&service).await.unwrap())
}

//! A demo ISP: a small town's worth of customers on simulated devices, so
//! an operator can see every page with something real on it before
//! connecting their own network. It is made only in a throwaway data
//! directory (the app's `--demo-isp` mode), and only through the same
//! workflows an operator uses, so what it shows is what Headend does:
//! routers and an OLT added with their passwords, plans, a services import
//! with addresses and coordinates, an invoice run, payments, zero-touch
//! serials. The provisioning engine then writes the services to the
//! simulated routers and the suspension engine cuts off who is past due.
//!
//! The town is Nakuru, Kenya: three sites a few kilometres apart, customers
//! scattered around the one that serves them. Every choice comes from a
//! seeded generator, so every demo shows the same town.

use headend_core::activity::Actor;
use headend_core::billing::ledger::PaymentMethod;
use headend_core::billing::money::Currency;
use headend_core::billing::settings::BillingSettings;
use headend_core::geo::GeoPoint;
use headend_core::olt::{Olt, OltProfile, OltVendor};
use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::router::{Router, Transport};
use headend_core::service::ServiceStatus;
use headend_core::{PlanId, ServiceId};
use headend_olt::SerialNumber;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use crate::billing::PaymentInput;
use crate::olts::{OltInput, ZeroTouch};
use crate::plans::PlanInput;
use crate::routers::RouterInput;
use crate::{WorkflowError, Workflows};

/// The seed of every random choice.
const SEED: u64 = 2026;
/// How far from its site a customer lives, in degrees (about 2 km).
const SPREAD: f64 = 0.018;
/// The fibre plan's profile on the simulated (Huawei) OLT.
const FIBRE_PROFILE: (&str, &str, u16) = ("20", "30", 100);

/// A simulated router the demo uses: where it listens and how to log in.
#[derive(Debug, Clone)]
pub struct DemoRouter {
    pub name: &'static str,
    pub port: u16,
    pub username: String,
    pub password: String,
}

/// The simulated OLT.
#[derive(Debug, Clone)]
pub struct DemoOlt {
    pub port: u16,
    pub username: String,
    pub password: String,
}

/// A site of the demo town: a router (and, at the first, the OLT).
struct Site {
    router: &'static str,
    pop: &'static str,
    at: (f64, f64),
    /// Of every hundred customers, how many this site serves.
    share: u32,
}

/// The demo's routers, by name, in the order [`DemoRouter`]s are expected.
pub const ROUTER_NAMES: [&str; 3] = ["core-1", "tower-2", "tower-3"];

const SITES: [Site; 3] = [
    Site { router: ROUTER_NAMES[0], pop: "Nakuru CBD", at: (-0.2833, 36.0700), share: 45 },
    Site { router: ROUTER_NAMES[1], pop: "Milimani", at: (-0.2720, 36.0480), share: 30 },
    Site { router: ROUTER_NAMES[2], pop: "Lanet", at: (-0.3024, 36.1290), share: 25 },
];

const FIRST_NAMES: [&str; 24] = [
    "Wanjiku", "Kamau", "Achieng", "Otieno", "Njeri", "Mwangi", "Akinyi", "Kiprono", "Chebet", "Mutua", "Wambui",
    "Odhiambo", "Nyambura", "Kibet", "Atieno", "Korir", "Wairimu", "Omondi", "Jepkoech", "Njoroge", "Moraa", "Ochieng",
    "Muthoni", "Kiplagat",
];
const SURNAMES: [&str; 20] = [
    "Kamau", "Otieno", "Mwangi", "Wanjiru", "Ochieng", "Kiprop", "Njoroge", "Mutai", "Odhiambo", "Chege", "Kariuki",
    "Onyango", "Rotich", "Macharia", "Wafula", "Barasa", "Gitau", "Langat", "Owino", "Nduta",
];
const AREAS: [&str; 12] = [
    "Kenyatta Avenue",
    "Moi Road",
    "Oginga Odinga Road",
    "Gusii Road",
    "Section 58",
    "Milimani",
    "Lanet",
    "Free Area",
    "Kiamunyi",
    "Shabab",
    "Kaptembwo",
    "London Estate",
];

/// The plans: name, rates (upload/download), monthly price in the ISP's currency.
const PLANS: [(&str, &str, u32); 4] = [
    ("Home 10", "5M/10M", 1_500),
    ("Home 25", "10M/25M", 2_500),
    ("Business 50", "25M/50M", 6_000),
    ("Fibre 100", "50M/100M", 4_000),
];
/// The fibre plan's place in [`PLANS`]: the one with the OLT profile.
const FIBRE: usize = 3;
/// Which plan a customer takes, of every twenty.
const PLAN_OF_TWENTY: [usize; 20] = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3];

/// What the demo made, for the app to bring the simulated devices to life.
#[derive(Debug)]
pub struct SeededDemo {
    pub routers: Vec<Router>,
    pub olt: Olt,
    pub services: usize,
    /// The serials of the fibre services' ONUs, for the OLT's autofind:
    /// the zero-touch engine registers them as they appear.
    pub onu_serials: Vec<SerialNumber>,
    /// Services the demo's "billing desk" may take payments for.
    pub payable: Vec<(ServiceId, Decimal)>,
}

/// One customer of the import, before it is a CSV line.
struct DemoCustomer {
    name: String,
    phone: String,
    site: &'static Site,
    plan: usize,
    username: String,
    status: ServiceStatus,
    next_billing: Date,
    address: String,
    location: GeoPoint,
}

impl Workflows {
    /// Fills an empty database with the demo ISP (see the module's doc).
    /// `routers` are in [`ROUTER_NAMES`]' order.
    pub async fn seed_demo_isp(
        &self,
        routers: &[DemoRouter],
        olt: &DemoOlt,
        customers: usize,
    ) -> Result<SeededDemo, WorkflowError> {
        let actor = Actor::Operator;
        let settings = self.billing_settings().await?;
        let currency = Currency::new("KES").map_err(|e| WorkflowError::invalid("currency", e.to_string()))?;
        let company = "Lakeside Net (demo)".to_owned();
        self.set_billing_settings(&actor, BillingSettings { currency, company, ..settings }).await?;
        let mut added = Vec::new();
        for (site, router) in SITES.iter().zip(routers) {
            let input = RouterInput {
                name: router.name.to_owned(),
                host: "127.0.0.1".into(),
                port: Some(router.port),
                transport: Transport::Api,
                username: router.username.clone(),
                pop: Some(site.pop.to_owned()),
                location: Some(point(site.at)?),
            };
            added.push(self.add_router(&actor, input, router.password.clone()).await?);
        }
        let mut plans: Vec<(PlanId, Decimal)> = Vec::new();
        for (name, rates, price) in PLANS {
            let bad = |e: String| WorkflowError::invalid("rates", e);
            let pair = Pair::parse(rates).map_err(|e| bad(e.to_string()))?;
            let limits = RateLimit::new(pair, None).map_err(|e| bad(e.to_string()))?;
            let input = PlanInput {
                name: name.to_owned(),
                limits,
                price: Decimal::from(price),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            };
            plans.push((self.add_plan(&actor, input).await?.id, Decimal::from(price)));
        }
        let (line, service, vlan) = FIBRE_PROFILE;
        let fibre = plans[FIBRE].0;
        let profile = OltProfile { line: Some(line.into()), service: Some(service.into()), vlan: Some(vlan) };
        self.set_plan_olt_profile(&actor, fibre, profile).await?;
        let olt_input = OltInput {
            name: "olt-1".into(),
            vendor: OltVendor::Huawei,
            host: "127.0.0.1".into(),
            port: Some(olt.port),
            username: olt.username.clone(),
            pop: Some(SITES[0].pop.to_owned()),
            location: Some(point((SITES[0].at.0 - 0.0012, SITES[0].at.1 + 0.0015))?),
        };
        let olt = self.add_olt(&actor, olt_input, olt.password.clone()).await?;

        let (policy, today) = self.today().await?;
        let town = town(customers, today, policy.grace_days)?;
        let import = self.import_services(&actor, csv(&town).as_bytes(), false).await?;
        if let Some(error) = import.checked.errors.first() {
            return Err(WorkflowError::invalid("import", format!("the demo's customers did not import: {error}")));
        }
        // The bills of the month, then the payments that settle some of them.
        self.invoice_run(&actor, None).await?;
        let mut rng = StdRng::seed_from_u64(SEED + 1);
        let mut payable = Vec::new();
        let mut onu_serials = Vec::new();
        for (id, customer) in import.ids.iter().zip(&town) {
            let price = plans[customer.plan].1;
            if customer.status != ServiceStatus::Active {
                continue;
            }
            payable.push((*id, price));
            if customer.plan == FIBRE && onu_serials.len() < 12 {
                let serial = SerialNumber::parse(&format!("HWTCDE{:06X}", id.0))
                    .map_err(|e| WorkflowError::invalid("serial", e.to_string()))?;
                self.set_zero_touch(&actor, *id, ZeroTouch { serial: Some(serial.clone()), vlan: None }).await?;
                onu_serials.push(serial);
            }
            // A third paid in the last month, a few of them today.
            if customer.next_billing > today && rng.random_ratio(1, 3) {
                let payment = PaymentInput {
                    service: *id,
                    amount: price,
                    method: [PaymentMethod::MobileMoney, PaymentMethod::Cash, PaymentMethod::BankTransfer]
                        [rng.random_range(0..3)],
                    reference: None,
                    date: Some(today - rng.random_range(0..30_i64).days()),
                    months: None,
                    invoice: None,
                };
                self.record_payment(&actor, &payment).await?;
            }
        }
        Ok(SeededDemo { routers: added, olt, services: import.ids.len(), onu_serials, payable })
    }
}

fn point((lat, lon): (f64, f64)) -> Result<GeoPoint, WorkflowError> {
    GeoPoint::new(lat, lon).map_err(|e| WorkflowError::invalid("location", e.to_string()))
}

/// The town's customers, the same every time.
fn town(count: usize, today: Date, grace_days: u16) -> Result<Vec<DemoCustomer>, WorkflowError> {
    let mut rng = StdRng::seed_from_u64(SEED);
    (1..=count)
        .map(|n| {
            let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
            let last = SURNAMES[rng.random_range(0..SURNAMES.len())];
            let pick = rng.random_range(0..100);
            let site = SITES.iter().scan(0, |sum, s| {
                *sum += s.share;
                Some((*sum, s))
            });
            let site = site.into_iter().find(|(sum, _)| pick < *sum).map_or(&SITES[0], |(_, s)| s);
            // Fibre only where the OLT is.
            let plan = match PLAN_OF_TWENTY[n % 20] {
                FIBRE if site.router != SITES[0].router => 1,
                plan => plan,
            };
            let status = match n % 100 {
                0..=1 => ServiceStatus::Pending,
                2..=3 => ServiceStatus::Inactive,
                4..=5 => ServiceStatus::Terminated,
                6..=8 => ServiceStatus::Suspended,
                _ => ServiceStatus::Active,
            };
            // One active customer in fourteen is past due beyond the grace
            // days: the suspension engine cuts them off at start.
            let next_billing = if status == ServiceStatus::Active && n % 14 == 0 {
                today - (i64::from(grace_days) + rng.random_range(1..8_i64)).days()
            } else {
                today + rng.random_range(1..31_i64).days()
            };
            let (dlat, dlon) = (rng.random_range(-SPREAD..SPREAD), rng.random_range(-SPREAD..SPREAD));
            Ok(DemoCustomer {
                name: format!("{first} {last}"),
                phone: format!("+2547{:08}", rng.random_range(0..100_000_000_u32)),
                site,
                plan,
                username: format!("{}.{}{n}", first.to_lowercase(), last.to_lowercase()),
                status,
                next_billing,
                address: format!("Plot {}, {}", rng.random_range(1..400), AREAS[rng.random_range(0..AREAS.len())]),
                location: point((site.at.0 + dlat, site.at.1 + dlon))?,
            })
        })
        .collect()
}

/// The import file of [`town`]: the documented columns, quoted where a value has a comma.
fn csv(town: &[DemoCustomer]) -> String {
    let mut out = String::from(
        "customer,phone,router,plan,type,username,password,status,next_billing_date,address,latitude,longitude\n",
    );
    for (n, c) in town.iter().enumerate() {
        out.push_str(&format!(
            "{},{},{},{},pppoe,{},demo-{n:04},{},{},\"{}\",{:.6},{:.6}\n",
            c.name,
            c.phone,
            c.site.router,
            PLANS[c.plan].0,
            c.username,
            c.status,
            c.next_billing,
            c.address,
            c.location.lat(),
            c.location.lon(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_town_is_the_same_every_time_and_has_every_state() {
        let today = Date::constant(2026, 3, 10);
        let (a, b) = (town(300, today, 5).unwrap(), town(300, today, 5).unwrap());
        assert_eq!(csv(&a), csv(&b));
        for status in
            [ServiceStatus::Pending, ServiceStatus::Inactive, ServiceStatus::Terminated, ServiceStatus::Suspended]
        {
            assert!(a.iter().any(|c| c.status == status), "{status:?}");
        }
        let past_due =
            a.iter().filter(|c| c.status == ServiceStatus::Active && c.next_billing < today - 5.days()).count();
        assert!((15..=30).contains(&past_due), "{past_due} past due");
        assert!(a.iter().all(|c| c.plan != FIBRE || c.site.router == SITES[0].router), "fibre only at the OLT's site");
        for c in &a {
            let (lat, lon) = (c.location.lat() - c.site.at.0, c.location.lon() - c.site.at.1);
            assert!(lat.abs() <= SPREAD && lon.abs() <= SPREAD, "{} is near their site", c.name);
        }
        let users: std::collections::BTreeSet<&str> = a.iter().map(|c| c.username.as_str()).collect();
        assert_eq!(users.len(), a.len(), "user names are unique");
    }
}

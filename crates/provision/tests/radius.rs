//! RADIUS mode end to end on loopback: the engine syncs a real PostgreSQL
//! (or MariaDB) that a real FreeRADIUS 3.2 answers from, and kicks the
//! sessions of a simulated router whose PPPoE clients log in through that
//! FreeRADIUS.

#![allow(clippy::unwrap_used)]

#[path = "../../fleet/tests/support/mod.rs"]
mod support;

use std::time::Duration;

use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::Password;
use headend_core::radius::database::{DatabaseUrl, RadiusSettings};
use headend_core::router::{Backend, Nas, Router, Transport};
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, ServiceId};
use headend_fleet::Connector;
use headend_provision::{EngineConfig, Provisioner, RouterSweep, StepStatus, SweepMode};
use headend_radius_db::RadiusDb;
use headend_secrets::{RADIUS_DB_KEY, Secret, SecretKey, SubscriberCipher};
use headend_simlab::{
    CoaFault, DialOutcome, FreeRadiusConfig, FreeRadiusServer, MariaDbServer, PostgresServer, SimConfig, SimRadius,
    SimRouter, SimRouterHandle, SqlBackend, UserStore,
};
use headend_store::{EngineHolder, NewCustomer, NewPlan, NewService, Store};
use rust_decimal::Decimal;
use support::Inventory;

const NAS_SECRET: &str = "nas-s3cret";

/// Either database, started for one test.
enum Database {
    Postgres(PostgresServer),
    Mariadb(MariaDbServer),
}

impl Database {
    fn url(&self) -> DatabaseUrl {
        match self {
            Database::Postgres(s) => s.url(),
            Database::Mariadb(s) => s.url(),
        }
        .parse()
        .unwrap()
    }

    fn password(&self) -> &str {
        match self {
            Database::Postgres(s) => s.password(),
            Database::Mariadb(s) => s.password(),
        }
    }

    fn backend(&self) -> SqlBackend {
        match self {
            Database::Postgres(s) => s.sql_backend("radius"),
            Database::Mariadb(s) => s.sql_backend("radius"),
        }
    }
}

struct Lab {
    inv: Inventory,
    cipher: SubscriberCipher,
    plan: PlanId,
    router: Router,
    sim: SimRouterHandle,
    db: RadiusDb,
    _freeradius: FreeRadiusServer,
    _database: Database,
}

impl Lab {
    /// An empty FreeRADIUS database (schema made by Headend), FreeRADIUS
    /// on it, a simulated router logging in through it, and that router in
    /// Headend in RADIUS mode.
    async fn start(database: Database) -> Self {
        let db = RadiusDb::connect(&database.url(), &Secret::new(database.password().to_owned())).await.unwrap();
        db.create_schema().await.unwrap();
        let freeradius = FreeRadiusServer::start(FreeRadiusConfig {
            users: UserStore::Sql(database.backend()),
            clients: vec![("127.0.0.0/8".parse().unwrap(), NAS_SECRET.to_owned())],
        })
        .await
        .unwrap();
        let radius = SimRadius {
            auth: freeradius.auth_addr(),
            accounting: freeradius.acct_addr(),
            secret: NAS_SECRET.into(),
            nas_identifier: "tower-a".into(),
            interim: None,
        };
        let sim = SimRouter::start(SimConfig { radius: Some(radius), tls: false, rest: false, ..SimConfig::default() })
            .await
            .unwrap();
        let mut inv = Inventory::new().await;
        let router = inv.router("tower-a", sim.api_port(), Transport::Api, Some("admin")).await;
        let store = inv.store.clone();
        let settings = RadiusSettings { url: database.url(), server: Some(freeradius.auth_addr()) };
        store.set_radius_settings(&settings).await.unwrap();
        inv.secrets.set(&SecretKey::radius_db(RADIUS_DB_KEY), database.password()).unwrap();
        inv.secrets.set(&SecretKey::nas_secret(router.id), NAS_SECRET).unwrap();
        let plan = store
            .add_plan(&NewPlan {
                name: "Home 20".into(),
                limits: RateLimit::from_parts("10M/20M", None, None, None).unwrap(),
                price: Decimal::new(2500, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            })
            .await
            .unwrap();
        let mut lab = Lab {
            inv,
            cipher: SubscriberCipher::generate(),
            plan,
            router,
            sim,
            db,
            _freeradius: freeradius,
            _database: database,
        };
        lab.set_backend(true).await;
        lab
    }

    fn store(&self) -> &Store {
        &self.inv.store
    }

    async fn set_backend(&mut self, radius: bool) {
        let backend = if radius {
            let coa = self.sim.coa_addr().unwrap();
            Backend::Radius(Nas { address: coa.ip(), coa_port: coa.port() })
        } else {
            Backend::Api
        };
        self.store().set_router_backend(self.router.id, backend).await.unwrap();
        self.router = self.store().router(self.router.id).await.unwrap().unwrap();
    }

    async fn pppoe(&self, user: &str) -> ServiceId {
        let customer = self
            .store()
            .add_customer(&NewCustomer {
                name: format!("Customer {user}"),
                phone: None,
                email: None,
                address: None,
                location: None,
            })
            .await
            .unwrap();
        self.store()
            .add_service(&NewService {
                customer,
                router: self.router.id,
                plan: self.plan,
                access: Access::Pppoe { username: user.into(), address: None },
                status: ServiceStatus::Active,
                next_billing_date: None,
                grace_days: None,
                password: Some(self.cipher.encrypt(&Password::new(format!("pw-{user}")))),
                adopt: false,
            })
            .await
            .unwrap()
    }

    fn engine(&self) -> Provisioner {
        let connector = Connector::new(self.inv.store.clone(), self.inv.secrets.clone())
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(2));
        Provisioner::new(
            self.inv.store.clone(),
            connector,
            Some(self.cipher.clone()),
            EngineConfig::new(EngineHolder::named("test")),
        )
    }

    async fn sweep(&self) -> std::sync::Arc<RouterSweep> {
        let swept = self.engine().sweep_one(self.router.clone(), SweepMode::Apply).await.unwrap();
        let failed: Vec<_> = swept.steps.iter().filter(|s| matches!(s.outcome, StepStatus::Failed(_))).collect();
        assert!(failed.is_empty(), "{failed:#?}");
        swept
    }

    async fn dial(&self, user: &str, password: &str) -> DialOutcome {
        self.sim.dial(user, password).await.unwrap()
    }
}

fn accepted(outcome: &DialOutcome) -> bool {
    matches!(outcome, DialOutcome::Accepted { .. })
}

fn texts(sweep: &RouterSweep, kind: &str) -> Vec<String> {
    sweep.steps.iter().filter(|s| s.kind == kind).map(|s| s.text.clone()).collect()
}

async fn service_logs_in_suspension_rejects_and_disconnects(database: Database) {
    let lab = Lab::start(database).await;
    let ana = lab.pppoe("ana").await;
    lab.pppoe("bob").await;

    let first = lab.sweep().await;
    let rows = texts(&first, "radius-row");
    assert!(rows.contains(&"radcheck add ana Cleartext-Password := ***".to_owned()), "{rows:#?}");
    assert!(rows.iter().all(|r| !r.contains("pw-ana")), "no password in the router log");
    assert!(texts(&first, "radius-nas").len() == 1, "{:?}", first.steps);
    let second = lab.sweep().await;
    assert!(second.steps.is_empty(), "a second sync writes nothing: {:?}", second.steps);
    assert_eq!(lab.sim.secret_count(), 0, "the users are in FreeRADIUS, not on the router");

    // FreeRADIUS answers from the rows: the plan's rate, wrong password refused.
    assert!(accepted(&lab.dial("ana", "pw-ana").await));
    assert_eq!(lab.sim.radius_session("ana").unwrap().rate_limit.as_deref(), Some("10M/20M"));
    assert!(!accepted(&lab.dial("bob", "wrong").await));
    assert!(accepted(&lab.dial("bob", "pw-bob").await));

    // Suspended: rejected from now on, and the live session is ended by a
    // Disconnect-Request the router ACKs.
    lab.store().set_service_status(ana, ServiceStatus::Suspended).await.unwrap();
    let dry = lab.engine().sweep_one(lab.router.clone(), SweepMode::DryRun).await.unwrap();
    let planned: Vec<(&str, &str)> = dry.steps.iter().map(|s| (s.kind, s.text.as_str())).collect();
    assert_eq!(
        planned,
        [
            ("radius-row", "radcheck add ana Auth-Type := Reject"),
            ("radius-disconnect", "end the session of ana (suspended: FreeRADIUS now rejects the user)"),
        ],
        "a dry run says what it would write and kick, and does neither"
    );
    assert!(lab.sim.radius_session("ana").is_some());
    let swept = lab.sweep().await;
    assert_eq!(texts(&swept, "radius-row"), ["radcheck add ana Auth-Type := Reject"]);
    let kicks = texts(&swept, "radius-disconnect");
    assert_eq!(kicks.len(), 1, "{:?}", swept.steps);
    assert!(kicks[0].contains("Disconnect-ACK"), "{kicks:?}");
    assert!(lab.sim.radius_session("ana").is_none());
    assert!(lab.sim.radius_session("bob").is_some(), "others stay online");
    assert_eq!(lab.sim.stats().disconnects_received, 1);
    assert!(!accepted(&lab.dial("ana", "pw-ana").await));
    assert!(lab.sweep().await.steps.is_empty());

    // Accounting from the router reached radacct.
    let sessions = lab.db.accounting_after(0, 100).await.unwrap();
    let ana_sessions: Vec<_> = sessions.iter().filter(|s| s.username == "ana").collect();
    assert_eq!(ana_sessions.len(), 1, "{sessions:#?}");
    assert!(ana_sessions[0].started.is_some() && ana_sessions[0].stopped.is_some());
    assert_eq!(ana_sessions[0].terminate_cause.as_deref(), Some("Admin-Reset"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_service_logs_in_suspension_rejects_and_disconnects() {
    service_logs_in_suspension_rejects_and_disconnects(Database::Postgres(PostgresServer::start().await.unwrap()))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_service_logs_in_suspension_rejects_and_disconnects() {
    service_logs_in_suspension_rejects_and_disconnects(Database::Mariadb(MariaDbServer::start().await.unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nak_silence_or_an_ack_that_drops_nothing_falls_back_to_the_api() {
    let lab = Lab::start(Database::Postgres(PostgresServer::start().await.unwrap())).await;
    let users = ["nak", "silent", "liar"];
    let mut ids = Vec::new();
    for user in users {
        ids.push(lab.pppoe(user).await);
    }
    lab.sweep().await;
    for (user, (id, fault)) in
        users.iter().zip(ids.iter().zip([CoaFault::Nak, CoaFault::Silence, CoaFault::AckWithoutDrop]))
    {
        assert!(accepted(&lab.dial(user, &format!("pw-{user}")).await));
        lab.sim.set_coa_fault(fault);
        lab.store().set_service_status(*id, ServiceStatus::Suspended).await.unwrap();
        let swept = lab.sweep().await;
        let kicks = texts(&swept, "radius-disconnect");
        assert_eq!(kicks.len(), 1, "{user}: {:?}", swept.steps);
        let expected = match fault {
            CoaFault::Nak => "Disconnect-NAK",
            CoaFault::Silence => "no answer",
            _ => "Disconnect-ACK, but the session stayed up",
        };
        assert!(kicks[0].contains(expected) && kicks[0].contains("removed over the API"), "{user}: {kicks:?}");
        assert!(lab.sim.radius_session(*user).is_none(), "{user} is offline");
    }
    let log = lab.store().router_log(lab.router.id, 100).await.unwrap();
    assert!(log.iter().any(|l| l.command.contains("end the session of liar")), "the router log says which path");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_modes_never_refuses_a_login() {
    let mut lab = Lab::start(Database::Postgres(PostgresServer::start().await.unwrap())).await;
    lab.set_backend(false).await;
    lab.pppoe("ana").await;
    // API mode: the secret on the router, nothing in FreeRADIUS for ana.
    lab.sweep().await;
    assert_eq!(lab.sim.secret_count(), 1);
    assert!(lab.sim.connect_session("ana").is_some());

    // To RADIUS: FreeRADIUS gets ana first, then the router's secret goes;
    // the session stays up.
    lab.set_backend(true).await;
    let swept = lab.sweep().await;
    let order: Vec<&str> = swept.steps.iter().map(|s| s.kind).collect();
    let first_row = order.iter().position(|k| *k == "radius-row").unwrap();
    let removal = swept.steps.iter().position(|s| s.text.starts_with("remove PPP secret ana")).unwrap();
    assert!(first_row < removal, "{order:?}");
    assert_eq!(lab.sim.secret_count(), 0);
    assert_eq!(lab.sim.active_count(), 1, "switching ends no session");
    assert!(texts(&swept, "radius-disconnect").is_empty());
    assert!(lab.sweep().await.steps.is_empty());

    // And back: the router has the secret again before FreeRADIUS forgets ana.
    lab.set_backend(false).await;
    let swept = lab.sweep().await;
    let added = swept.steps.iter().position(|s| s.text.starts_with("add PPP secret ana")).unwrap();
    let forgotten = swept.steps.iter().position(|s| s.text == "radcheck remove ana Cleartext-Password := ***").unwrap();
    assert!(added < forgotten, "{:?}", swept.steps);
    assert_eq!(lab.sim.secret_count(), 1);
    assert!(lab.db.read_users(&["ana".to_owned()].into()).await.unwrap().check.is_empty());
    assert_eq!(lab.sim.active_count(), 1);
}

/// An API router may have a subscriber of the same name as a RADIUS
/// router's: its sweep leaves FreeRADIUS's user alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_router_never_removes_a_radius_routers_user() {
    let mut lab = Lab::start(Database::Postgres(PostgresServer::start().await.unwrap())).await;
    lab.pppoe("ana").await;
    lab.sweep().await;
    let other_sim = SimRouter::start(SimConfig { tls: false, rest: false, ..SimConfig::default() }).await.unwrap();
    let other = lab.inv.router("tower-b", other_sim.api_port(), Transport::Api, Some("admin")).await;
    let customer = lab
        .store()
        .add_customer(&NewCustomer {
            name: "Another Ana".into(),
            phone: None,
            email: None,
            address: None,
            location: None,
        })
        .await
        .unwrap();
    lab.store()
        .add_service(&NewService {
            customer,
            router: other.id,
            plan: lab.plan,
            access: Access::Pppoe { username: "ana".into(), address: None },
            status: ServiceStatus::Active,
            next_billing_date: None,
            grace_days: None,
            password: Some(lab.cipher.encrypt(&Password::new("other-pw"))),
            adopt: false,
        })
        .await
        .unwrap();
    let swept = lab.engine().sweep_one(other, SweepMode::Apply).await.unwrap();
    assert!(swept.steps.iter().all(|s| !s.kind.starts_with("radius")), "{:?}", swept.steps);
    assert_eq!(other_sim.secret_count(), 1);
    assert!(accepted(&lab.dial("ana", "pw-ana").await), "the RADIUS router's ana still logs in");
}

/// A plan's new rate is written to FreeRADIUS by the first router swept;
/// every RADIUS router's sessions still get a CoA with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_plan_rate_reaches_every_radius_routers_sessions_by_coa() {
    let mut lab = Lab::start(Database::Postgres(PostgresServer::start().await.unwrap())).await;
    let radius = SimRadius {
        auth: lab._freeradius.auth_addr(),
        accounting: lab._freeradius.acct_addr(),
        secret: NAS_SECRET.into(),
        nas_identifier: "tower-b".into(),
        interim: None,
    };
    let b_sim = SimRouter::start(SimConfig { radius: Some(radius), tls: false, rest: false, ..SimConfig::default() })
        .await
        .unwrap();
    let b = lab.inv.router("tower-b", b_sim.api_port(), Transport::Api, Some("admin")).await;
    lab.inv.secrets.set(&SecretKey::nas_secret(b.id), NAS_SECRET).unwrap();
    let coa = b_sim.coa_addr().unwrap();
    lab.store()
        .set_router_backend(b.id, Backend::Radius(Nas { address: coa.ip(), coa_port: coa.port() }))
        .await
        .unwrap();
    let b = lab.store().router(b.id).await.unwrap().unwrap();
    lab.pppoe("ana").await;
    let a = lab.router.clone();
    lab.router = b.clone();
    lab.pppoe("bob").await;
    lab.router = a;
    lab.sweep().await;
    lab.engine().sweep_one(b.clone(), SweepMode::Apply).await.unwrap();
    assert!(accepted(&lab.dial("ana", "pw-ana").await));
    assert!(matches!(b_sim.dial("bob", "pw-bob").await.unwrap(), DialOutcome::Accepted { .. }));

    let faster = RateLimit::from_parts("15M/30M", None, None, None).unwrap();
    let plan = NewPlan {
        name: "Home 20".into(),
        limits: faster,
        price: Decimal::new(2500, 2),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    };
    lab.store().update_plan(lab.plan, &plan).await.unwrap();
    let on_a = lab.sweep().await;
    assert!(texts(&on_a, "radius-row").iter().any(|r| r.contains("15M/30M")), "{:?}", on_a.steps);
    assert_eq!(texts(&on_a, "radius-coa").len(), 1, "{:?}", on_a.steps);
    let on_b = lab.engine().sweep_one(b, SweepMode::Apply).await.unwrap();
    assert!(texts(&on_b, "radius-row").is_empty(), "already written: {:?}", on_b.steps);
    let coa = texts(&on_b, "radius-coa");
    assert_eq!(coa.len(), 1, "{:?}", on_b.steps);
    assert!(coa[0].contains("CoA-ACK"), "{coa:?}");
    assert_eq!(b_sim.radius_session("bob").unwrap().rate_limit.as_deref(), Some("15M/30M"));
    assert_eq!(lab.sim.radius_session("ana").unwrap().rate_limit.as_deref(), Some("15M/30M"));
}

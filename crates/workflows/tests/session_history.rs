//! RADIUS accounting imported into session history, from a real
//! PostgreSQL and a real MariaDB started on loopback for the test: rows
//! after the cursor, the online sessions re-read by id, unknown users
//! skipped. Needs no keyring (the services have no PPPoE password).

#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::sync::Arc;

use headend_core::clock::ManualClock;
use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::provision::policy::IspPolicy;
use headend_core::radius::database::DatabaseUrl;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::sessions::SessionSource;
use headend_core::{RouterId, ServiceId};
use headend_radius_db::RadiusDb;
use headend_secrets::Secret;
use headend_simlab::{MariaDbServer, PostgresServer};
use headend_store::{NewCustomer, NewPlan, NewRouter, NewService, Store};
use headend_workflows::sessions::AccountingImport;
use headend_workflows::{Keyring, NoEngine, Workflows};
use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal::Decimal;

/// 2030-03-10T08:00:00Z, and instants after it in seconds.
const T0: i64 = 1_899_360_000;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap()
}

struct Lab {
    _dir: tempfile::TempDir,
    w: Workflows,
    ana: ServiceId,
    bob: ServiceId,
}

async fn lab() -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(at(T0 + 86_400));
    let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap().with_clock(Arc::new(clock));
    let policy = store.isp_policy().await.unwrap();
    store.set_isp_policy(&IspPolicy { time_zone: jiff::tz::TimeZone::UTC, ..policy }).await.unwrap();
    let router = store
        .add_router(&NewRouter {
            name: "core-1".into(),
            host: "127.0.0.1".into(),
            port: 8728,
            transport: Transport::Api,
            username: "admin".into(),
            pop: None,
            location: None,
        })
        .await
        .unwrap();
    let plan = store
        .add_plan(&NewPlan {
            name: "Home".into(),
            limits: RateLimit::new(Pair::parse("5M/20M").unwrap(), None).unwrap(),
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let mut services = Vec::new();
    for user in ["ana", "bob"] {
        services.push(add_service(&store, router, plan, user).await);
    }
    let w = Workflows::new(store, Keyring::lazy(), Arc::new(NoEngine));
    Lab { _dir: dir, w, ana: services[0], bob: services[1] }
}

async fn add_service(store: &Store, router: RouterId, plan: headend_core::PlanId, user: &str) -> ServiceId {
    let customer = store
        .add_customer(&NewCustomer { name: user.into(), phone: None, email: None, address: None, location: None })
        .await
        .unwrap();
    store
        .add_service(&NewService {
            customer,
            router,
            plan,
            access: Access::Pppoe { username: user.into(), address: None },
            status: ServiceStatus::Active,
            next_billing_date: None,
            grace_days: None,
            password: None,
            adopt: false,
        })
        .await
        .unwrap()
}

/// The same story on either server: `sql` runs statements on it, `time`
/// spells a Unix second in its SQL.
async fn story<F: Future<Output = ()>>(db: RadiusDb, sql: impl Fn(String) -> F, time: fn(i64) -> String) {
    let lab = lab().await;
    db.create_schema().await.unwrap();
    let insert = |uid: &str, user: &str, start: i64, stop: Option<i64>, octets: i64| {
        let (stop, cause) = match stop {
            Some(s) => (time(s), "'User-Request'".to_owned()),
            None => ("NULL".to_owned(), "''".to_owned()),
        };
        format!(
            "INSERT INTO radacct (acctsessionid, acctuniqueid, username, nasipaddress, acctstarttime, acctupdatetime,
                                  acctstoptime, acctinputoctets, acctoutputoctets, callingstationid, framedipaddress,
                                  acctterminatecause)
             VALUES ('{uid}s', '{uid}', '{user}', '10.0.0.1', {start}, {start}, {stop}, {octets}, {out},
                     'AA:BB:CC:00:00:01', '100.64.0.2', {cause});",
            start = time(start),
            out = octets * 10,
        )
    };
    sql(insert("ana1", "ana", T0, None, 0)).await;
    sql(insert("bob1", "bob", T0 + 60, Some(T0 + 3660), 700)).await;
    sql(insert("eve1", "eve", T0 + 120, None, 0)).await;

    let first = lab.w.import_radius_accounting(&db).await.unwrap();
    assert_eq!(
        first,
        AccountingImport { read: 3, reread: 0, recorded: 2, unknown_users: 1, stopped: 0, cursor: first.cursor }
    );
    assert!(first.cursor >= 3, "the cursor is the last radacctid read");
    let ana = lab.w.service_sessions(lab.ana, 10).await.unwrap();
    assert_eq!(ana.len(), 1);
    let s = &ana[0];
    assert_eq!((s.source, s.started_at, s.stopped_at), (SessionSource::Radius, at(T0), None));
    assert_eq!((s.address.as_deref(), s.caller.as_deref()), (Some("100.64.0.2"), Some("AA:BB:CC:00:00:01")));
    let bob = lab.w.service_sessions(lab.bob, 10).await.unwrap();
    let got: Vec<_> = bob.iter().map(|s| (s.stopped_at, s.cause.as_deref(), s.bytes_in, s.bytes_out)).collect();
    assert_eq!(got, vec![(Some(at(T0 + 3660)), Some("User-Request"), 700, 7000)]);

    // Nothing new: only ana's open session is read again, by its id.
    let second = lab.w.import_radius_accounting(&db).await.unwrap();
    assert_eq!(
        second,
        AccountingImport { read: 0, reread: 1, recorded: 1, unknown_users: 0, stopped: 0, cursor: first.cursor }
    );

    // Ana's session stops (an Accounting-Stop updates its row, not a new one).
    sql(format!(
        "UPDATE radacct SET acctstoptime = {stop}, acctupdatetime = {stop}, acctinputoctets = 1234,
                acctoutputoctets = 56789, acctterminatecause = 'Lost-Carrier' WHERE acctuniqueid = 'ana1';",
        stop = time(T0 + 7200)
    ))
    .await;
    let third = lab.w.import_radius_accounting(&db).await.unwrap();
    assert_eq!((third.read, third.reread, third.stopped, third.cursor), (0, 1, 1, first.cursor));
    let ana = lab.w.service_sessions(lab.ana, 10).await.unwrap();
    let got: Vec<_> = ana.iter().map(|s| (s.stopped_at, s.cause.as_deref(), s.bytes_in, s.bytes_out)).collect();
    assert_eq!(got, vec![(Some(at(T0 + 7200)), Some("Lost-Carrier"), 1234, 56789)]);

    // No session is online any more: nothing is read at all.
    let fourth = lab.w.import_radius_accounting(&db).await.unwrap();
    assert_eq!((fourth.read, fourth.reread, fourth.recorded), (0, 0, 0));

    // A new session after the cursor is read, and only it.
    sql(insert("ana2", "ana", T0 + 8000, None, 0)).await;
    let fifth = lab.w.import_radius_accounting(&db).await.unwrap();
    assert_eq!((fifth.read, fifth.recorded, fifth.unknown_users), (1, 1, 0));
    assert!(fifth.cursor > first.cursor);

    // The chart: the clock's today (the 11th, UTC) and the day before.
    let usage = lab.w.service_usage(lab.ana, 2).await.unwrap();
    let got: Vec<_> = usage.iter().map(|u| (u.day, u.bytes_in, u.bytes_out)).collect();
    assert_eq!(got, vec![(date(2030, 3, 10), 1234, 56789), (date(2030, 3, 11), 0, 0)]);
    db.close().await;
}

async fn connect(url: &str, password: &str) -> RadiusDb {
    let url: DatabaseUrl = url.parse().unwrap();
    RadiusDb::connect(&url, &Secret::new(password.to_owned())).await.unwrap()
}

#[tokio::test]
async fn accounting_on_postgresql_becomes_session_history() {
    let server = PostgresServer::start().await.unwrap();
    let db = connect(&server.url(), server.password()).await;
    let server = &server;
    story(
        db,
        |sql| async move {
            server.execute("radius", &sql).await.unwrap();
        },
        |s| format!("to_timestamp({s})"),
    )
    .await;
}

#[tokio::test]
async fn accounting_on_mariadb_becomes_session_history() {
    let server = MariaDbServer::start().await.unwrap();
    let db = connect(&server.url(), server.password()).await;
    let server = &server;
    story(
        db,
        |sql| async move {
            server.execute("radius", &sql).await.unwrap();
        },
        |s| format!("FROM_UNIXTIME({s})"),
    )
    .await;
}

#[tokio::test]
async fn a_refused_retention_names_the_bound_it_is_about() {
    let lab = lab().await;
    let field = |err: headend_workflows::WorkflowError| err.field();
    assert_eq!(lab.w.set_session_retention(0, 365).await.err().and_then(field), Some("detail_days"));
    assert_eq!(lab.w.set_session_retention(400, 365).await.err().and_then(field), Some("keep_days"));
    assert_eq!(lab.w.set_session_retention(3651, 3651).await.err().and_then(field), Some("detail_days"));
    lab.w.set_session_retention(30, 365).await.unwrap();
    let kept = lab.w.session_retention().await.unwrap();
    assert_eq!((kept.detail_days(), kept.keep_days()), (30, 365));
}

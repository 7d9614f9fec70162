//! The provisioning side of the store: plans with bursts, services with
//! encrypted passwords, payments, the durable queue, the router log,
//! leases, sweep requests, the ISP policy, imports and the activity log.

#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::billing::ledger::PaymentMethod;
use headend_core::billing::settings::BillingSettings;
use headend_core::plan::{BillingCycle, Plan, RateLimit};
use headend_core::provision::policy::{IspPolicy, SuspensionMode};
use headend_core::queue::{Backoff, ProvisionAction, QueueStatus};
use headend_core::router::{Backend, Nas, Transport};
use headend_core::service::{Access, ServiceStatus};
use headend_core::{CustomerId, PlanId, RouterId, ServiceId};
use headend_store::{
    ActivityQuery, ImportService, NewCustomer, NewPayment, NewPlan, NewRouter, NewService, QueueQuery,
    RouterLogOutcome, ServiceQuery, Store, StoreError,
};
use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

/// A payment recorded in a unit of its own, as the workflow does.
async fn record_payment(
    s: &Store,
    new: &NewPayment,
    settings: &BillingSettings,
    today: jiff::civil::Date,
    actor: &Actor,
) -> Result<headend_store::PaymentOutcome, StoreError> {
    let mut write = s.begin_write().await?;
    let outcome = write.record_payment(new, settings, today, actor).await?;
    write.commit().await?;
    Ok(outcome)
}

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
    (dir, store)
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn limits(rate: &str, burst: Option<(&str, &str, &str)>) -> RateLimit {
    RateLimit::from_parts(rate, burst.map(|b| b.0), burst.map(|b| b.1), burst.map(|b| b.2)).unwrap()
}

fn new_plan(name: &str, rate: &str) -> NewPlan {
    NewPlan {
        name: name.into(),
        limits: limits(rate, None),
        price: Decimal::new(2500, 2),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    }
}

fn new_router(name: &str) -> NewRouter {
    NewRouter {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: 8728,
        transport: Transport::Api,
        username: "admin".into(),
        pop: None,
        location: None,
    }
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    r1: RouterId,
    r2: RouterId,
    plan: PlanId,
    customer: CustomerId,
}

async fn world() -> World {
    let (dir, store) = open().await;
    let r1 = store.add_router(&new_router("core-1")).await.unwrap();
    let r2 = store.add_router(&new_router("core-2")).await.unwrap();
    let plan = store.add_plan(&new_plan("Home 20", "5M/20M")).await.unwrap();
    let customer = store
        .add_customer(&NewCustomer {
            name: "Ana Silva".into(),
            phone: Some("+55 11 5555".into()),
            email: None,
            address: Some("Rua A, 1".into()),
            location: None,
        })
        .await
        .unwrap();
    // Opening and seeding asks for nothing yet but the adds above.
    store.take_sweep_requests().await.unwrap();
    World { _dir: dir, store, r1, r2, plan, customer }
}

impl World {
    fn pppoe(&self, router: RouterId, user: &str) -> NewService {
        NewService {
            customer: self.customer,
            router,
            plan: self.plan,
            access: Access::Pppoe { username: user.into(), address: None },
            status: ServiceStatus::Active,
            next_billing_date: Some(date(2026, 12, 5)),
            grace_days: None,
            password: Some(vec![1, 2, 3]),
            adopt: false,
        }
    }
}

#[tokio::test]
async fn plans_keep_bursts_and_their_profile_name() {
    let (_dir, store) = open().await;
    let burst = limits("10M/20M", Some(("20M/40M", "8M/16M", "16s/16s")));
    let id = store
        .add_plan(&NewPlan {
            name: "Fibra Ultra!".into(),
            limits: burst,
            price: "49.90".parse().unwrap(),
            cycle: BillingCycle::Quarterly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let plan = store.plan(id).await.unwrap().unwrap();
    assert_eq!(plan.profile, format!("hd-{id}-fibra-ultra"));
    assert_eq!(plan.limits, burst);
    assert_eq!(plan.limits.to_string(), "10M/20M 20M/40M 8M/16M 16/16");
    assert_eq!((plan.price.to_string().as_str(), plan.cycle), ("49.90", BillingCycle::Quarterly));
    assert_eq!(store.plan_by_name("Fibra Ultra!").await.unwrap().as_ref().map(|p| p.id), Some(id));
    assert_eq!(store.plan_by_name("nope").await.unwrap(), None);

    // A rename and new rates keep the profile name.
    store
        .update_plan(
            id,
            &NewPlan {
                name: "Fibra 30".into(),
                limits: limits("15M/30M", None),
                price: "59.90".parse().unwrap(),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            },
        )
        .await
        .unwrap();
    let updated: Plan = store.plan(id).await.unwrap().unwrap();
    assert_eq!((updated.name.as_str(), updated.profile.as_str()), ("Fibra 30", plan.profile.as_str()));
    assert_eq!((updated.limits.burst, updated.download().to_string()), (None, "30M".to_owned()));

    let other = store.add_plan(&new_plan("Basic", "1M/2M")).await.unwrap();
    let err = store.update_plan(other, &new_plan("Fibra 30", "1M/2M")).await.unwrap_err();
    assert_eq!(err.to_string(), "a plan named \"Fibra 30\" already exists");
    assert!(matches!(store.update_plan(PlanId(99), &new_plan("x", "1M")).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.plans().await.unwrap().iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Basic", "Fibra 30"]);
}

#[tokio::test]
async fn every_change_a_router_must_see_requests_its_sweep() {
    let w = world().await;
    let s = &w.store;
    assert_eq!(s.take_sweep_requests().await.unwrap(), []);

    let a = s.add_service(&w.pppoe(w.r1, "ana")).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1]);
    assert_eq!(s.take_sweep_requests().await.unwrap(), [], "taken means gone");

    s.set_service_status(a, ServiceStatus::Suspended).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1]);
    s.set_service_due(a, Some(date(2027, 1, 5))).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1]);
    s.set_service_password(a, Some(vec![9])).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1]);
    s.set_service_adopt(a, true).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1]);

    // Moving a service: both routers.
    s.update_service(a, &w.pppoe(w.r2, "ana")).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1, w.r2]);

    // A plan's rate: every router with a service on it.
    s.add_service(&w.pppoe(w.r1, "bia")).await.unwrap();
    s.take_sweep_requests().await.unwrap();
    s.update_plan(w.plan, &new_plan("Home 20", "6M/25M")).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1, w.r2]);

    // Payments, retries, suspension modes, the policy.
    record_payment(s, &prepaid(a, "25.00", 1), &BillingSettings::default(), date(2026, 11, 25), &Actor::Cli)
        .await
        .unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r2]);
    assert_eq!(s.queue_retry_service(a).await.unwrap(), [w.r2]);
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r2]);
    s.set_router_suspension(w.r1, Some(SuspensionMode::AddressList)).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1]);
    s.set_isp_policy(&IspPolicy::default()).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1, w.r2]);

    // Marking what the router confirmed asks for nothing.
    s.mark_provisioned(a, true, at("2026-11-25T10:00:00Z")).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), []);
    s.request_sweep(w.r2).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r2]);
}

#[tokio::test]
async fn services_carry_passwords_adoption_and_what_the_router_confirmed() {
    let w = world().await;
    let s = &w.store;
    let a = s.add_service(&NewService { adopt: true, ..w.pppoe(w.r1, "ana") }).await.unwrap();
    let st = s
        .add_service(&NewService {
            access: Access::StaticIp { address: "100.64.0.9".parse().unwrap() },
            password: None,
            grace_days: Some(5),
            ..w.pppoe(w.r1, "x")
        })
        .await
        .unwrap();
    s.add_service(&w.pppoe(w.r2, "ana")).await.unwrap();

    let rows = s.provisioning_rows(w.r1).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].service.id, rows[0].password.as_deref(), rows[0].adopt), (a, Some(&[1, 2, 3][..]), true));
    assert_eq!((rows[1].service.id, rows[1].password.as_deref(), rows[1].service.grace_days), (st, None, Some(5)));

    // An edit without a password keeps it; moving to static drops it.
    s.update_service(a, &NewService { password: None, plan: w.plan, ..w.pppoe(w.r1, "ana2") }).await.unwrap();
    assert_eq!(s.provisioning_rows(w.r1).await.unwrap()[0].password.as_deref(), Some(&[1, 2, 3][..]));
    s.set_service_password(a, None).await.unwrap();
    assert_eq!(s.provisioning_rows(w.r1).await.unwrap()[0].password, None);

    let view = s.service(a).await.unwrap().unwrap();
    assert_eq!((view.router_provisioned, view.provisioned_at), (false, None));
    assert_eq!(view.customer_phone.as_deref(), Some("+55 11 5555"));
    assert_eq!((view.plan, view.grace_days), (w.plan, None));
    s.mark_provisioned_many(&[(a, true), (st, false)], at("2026-11-25T10:00:00.25Z")).await.unwrap();
    let view = s.service(a).await.unwrap().unwrap();
    assert_eq!((view.router_provisioned, view.provisioned_at), (true, Some(at("2026-11-25T10:00:00.25Z"))));
    s.mark_provisioned(ServiceId(999), true, Timestamp::now()).await.unwrap();

    assert_eq!(s.all_services().await.unwrap().len(), 3);
    assert_eq!(s.services_page(&ServiceQuery::default()).await.unwrap().total, 3);
    assert_eq!(s.pppoe_user(w.r1, "ana2").await.unwrap(), Some(a));
    assert_eq!(s.pppoe_user(w.r2, "ana2").await.unwrap(), None);

    // Duplicates are refused on update too, with the router's name.
    let err = s.update_service(a, &w.pppoe(w.r2, "ana")).await.unwrap_err();
    assert_eq!(err.to_string(), "a PPPoE user named \"ana\" already exists on router \"core-2\"");
    for missing in [
        s.set_service_status(ServiceId(999), ServiceStatus::Active).await,
        s.set_service_due(ServiceId(999), None).await,
        s.update_service(ServiceId(999), &w.pppoe(w.r1, "z")).await,
    ] {
        assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
    }
}

#[tokio::test]
async fn pages_filter_count_and_search() {
    let w = world().await;
    let s = &w.store;
    let bob = s
        .add_customer(&NewCustomer {
            name: "Bob_Tester".into(),
            phone: None,
            email: None,
            address: None,
            location: None,
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut new = w.pppoe(if i % 2 == 0 { w.r1 } else { w.r2 }, &format!("user{i}"));
        if i == 4 {
            new.customer = bob;
            new.status = ServiceStatus::Suspended;
        }
        ids.push(s.add_service(&new).await.unwrap());
    }
    let page = |q: ServiceQuery| async move { s.services_page(&q).await.unwrap() };
    let all = page(ServiceQuery { limit: 2, ..ServiceQuery::default() }).await;
    assert_eq!((all.total, all.rows.iter().map(|r| r.id).collect::<Vec<_>>()), (5, vec![ids[0], ids[1]]));
    let next = page(ServiceQuery { limit: 2, offset: 4, ..ServiceQuery::default() }).await;
    assert_eq!(next.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[4]]);
    let suspended = page(ServiceQuery { status: Some(ServiceStatus::Suspended), ..ServiceQuery::default() }).await;
    assert_eq!((suspended.total, suspended.rows[0].customer_name.as_str()), (1, "Bob_Tester"));
    let on_r1 = page(ServiceQuery { router: Some(w.r1), ..ServiceQuery::default() }).await;
    assert_eq!(on_r1.total, 3);
    let both =
        page(ServiceQuery { router: Some(w.r1), status: Some(ServiceStatus::Active), ..ServiceQuery::default() }).await;
    assert_eq!(both.total, 2);
    for (search, want) in
        [("ANA", 4), ("user3", 1), ("5555", 4), ("rua a", 4), ("b_t", 1), ("%", 0), ("_", 1), ("  ", 5)]
    {
        let found = page(ServiceQuery { search: Some(search.into()), ..ServiceQuery::default() }).await;
        assert_eq!(found.total, want, "{search:?}");
        assert_eq!(found.rows.len() as u64, want);
    }
    // The index follows renames of the customer and of the user name, and
    // nothing typed is query syntax.
    s.update_customer(
        bob,
        &NewCustomer { name: "Roberta Quinn".into(), phone: None, email: None, address: None, location: None },
    )
    .await
    .unwrap();
    let search = |text: &str| page(ServiceQuery { search: Some(text.into()), ..ServiceQuery::default() });
    assert_eq!(search("Tester").await.total, 0);
    assert_eq!(search("berta qu").await.total, 1);
    s.update_service(ids[3], &w.pppoe(w.r2, "renamed-user")).await.unwrap();
    assert_eq!(search("user3").await.total, 0);
    assert_eq!(search("named-us").await.total, 1);
    for syntax in ["\"a\"", "user* OR x", "NEAR(a b)", "a\" OR \"b"] {
        assert_eq!(search(syntax).await.total, 0, "{syntax}");
    }

    // The totals follow status changes and moves.
    s.set_service_status(ids[0], ServiceStatus::Suspended).await.unwrap();
    let suspended = page(ServiceQuery { status: Some(ServiceStatus::Suspended), ..ServiceQuery::default() }).await;
    assert_eq!(suspended.total, 2);
    s.update_service(ids[0], &NewService { status: ServiceStatus::Suspended, ..w.pppoe(w.r2, "user0") }).await.unwrap();
    assert_eq!(page(ServiceQuery { router: Some(w.r1), ..ServiceQuery::default() }).await.total, 2);
    let r2_suspended =
        ServiceQuery { router: Some(w.r2), status: Some(ServiceStatus::Suspended), ..ServiceQuery::default() };
    assert_eq!(page(r2_suspended).await.total, 1);
    assert_eq!(page(ServiceQuery::default()).await.total, 5);
}

fn prepaid(service: ServiceId, amount: &str, months: u8) -> NewPayment {
    NewPayment {
        service,
        amount: amount.parse().unwrap(),
        method: PaymentMethod::Cash,
        reference: None,
        paid_on: date(2026, 11, 25),
        months: Some(months),
        invoice: None,
    }
}

#[tokio::test]
async fn prepaid_payments_move_the_due_date_and_are_logged() {
    let w = world().await;
    let s = &w.store;
    let settings = BillingSettings::default();
    let today = date(2026, 11, 25);
    let a = s.add_service(&w.pppoe(w.r1, "ana")).await.unwrap();
    let p = record_payment(s, &prepaid(a, "25.00", 2), &settings, today, &Actor::Cli).await.unwrap().payment;
    assert_eq!((p.previous_due, p.new_due, p.months), (Some(date(2026, 12, 5)), Some(date(2027, 2, 5)), Some(2)));
    assert_eq!(s.service(a).await.unwrap().unwrap().next_billing_date, Some(date(2027, 2, 5)));

    // No due date: from today.
    s.set_service_due(a, None).await.unwrap();
    let p2 = record_payment(s, &prepaid(a, "0", 1), &settings, today, &Actor::Operator).await.unwrap().payment;
    assert_eq!((p2.previous_due, p2.new_due), (None, Some(date(2026, 12, 25))));
    let listed = s.payments(a).await.unwrap();
    assert_eq!(listed, [p2.clone(), p]);
    assert_eq!(listed[0].actor, Actor::Operator);
    assert_eq!((listed[1].receipt.as_str(), listed[0].receipt.as_str()), ("RCT-2026-000001", "RCT-2026-000002"));

    let log =
        s.activity(&ActivityQuery { subject: Some(Subject::Service(a)), ..ActivityQuery::default() }).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].1.action, "payment");
    assert_eq!(log[1].1.detail, "RCT-2026-000001: 25.00 USD for 2 month(s); due date 2026-12-05 -> 2027-02-05");

    for (months, amount) in [(0, "1"), (37, "1"), (1, "-1")] {
        let err = record_payment(s, &prepaid(a, amount, months), &settings, today, &Actor::Cli).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    }
    let missing = record_payment(s, &prepaid(ServiceId(99), "1", 1), &settings, today, &Actor::Cli).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    assert_eq!(s.payments(a).await.unwrap().len(), 2, "refused payments wrote nothing");
    // ...and took no receipt number: the next one follows on.
    let p3 = record_payment(s, &prepaid(a, "1", 1), &settings, today, &Actor::Cli).await.unwrap().payment;
    assert_eq!(p3.receipt, "RCT-2026-000003");
}

#[tokio::test]
async fn the_queue_backs_off_fails_locks_and_retries() {
    let w = world().await;
    let s = &w.store;
    let a = s.add_service(&w.pppoe(w.r1, "ana")).await.unwrap();
    let t0 = at("2026-11-25T10:00:00Z");
    let later = |secs: i64| t0.checked_add(SignedDuration::from_secs(secs)).unwrap();

    let backoff = Backoff::Exponential { max_attempts: 3, jitter: 1.0 };
    let secret = |error: &'static str, at: Timestamp| {
        s.queue_failure(w.r1, Some(a), ProvisionAction::SecretAdd, "add PPP secret ana", error, at, backoff)
    };
    let e = secret("timeout", t0).await.unwrap();
    assert_eq!(
        (e.attempts, e.status, e.last_error.as_deref(), e.next_attempt_at),
        (1, QueueStatus::Retrying, Some("timeout"), later(15))
    );
    // A plan's profile (no service) is its own row; its second failure
    // waits twice as long.
    for _ in 0..2 {
        s.queue_failure(w.r1, None, ProvisionAction::ProfileAdd, "add PPP profile hd-1", "trap", t0, backoff)
            .await
            .unwrap();
    }
    let rows = s.queue_for_router(w.r1).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| (r.action.as_str(), r.attempts, r.next_attempt_at)).collect::<Vec<_>>(),
        [("secret-add", 1, later(15)), ("profile-add", 2, later(30))]
    );

    // Nothing is due yet; then the secret is; the lock holds until stale.
    let stale = SignedDuration::from_secs(60);
    assert_eq!(s.queue_lock(w.r1, later(1), stale).await.unwrap(), []);
    let locked = s.queue_lock(w.r1, later(16), stale).await.unwrap();
    assert_eq!(locked.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["secret-add"]);
    assert_eq!(locked[0].locked_at, Some(later(16)));
    let locked = s.queue_lock(w.r1, later(31), stale).await.unwrap();
    assert_eq!(
        locked.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        ["profile-add"],
        "the secret is still locked"
    );
    let relocked = s.queue_lock(w.r1, later(100), stale).await.unwrap();
    assert_eq!(relocked.len(), 2, "a lock older than a minute is a dead run's");

    // The third failure is final, and is never locked again.
    let e = secret("timeout", later(100)).await.unwrap();
    assert_eq!((e.attempts, e.status, e.locked_at, e.next_attempt_at), (2, QueueStatus::Retrying, None, later(130)));
    let e = secret("refused", later(130)).await.unwrap();
    assert_eq!((e.attempts, e.status, e.last_error.as_deref()), (3, QueueStatus::Failed, Some("refused")));
    assert!(
        s.queue_lock(w.r1, later(1000), stale).await.unwrap().iter().all(|r| r.action != ProvisionAction::SecretAdd)
    );

    let failed = s.queue(&QueueQuery { status: Some(QueueStatus::Failed), limit: 10, offset: 0 }).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0].router_name.as_str(), failed[0].service_label.as_deref()),
        ("core-1", Some("ana (Ana Silva)"))
    );
    let all = s.queue(&QueueQuery { status: None, limit: 10, offset: 0 }).await.unwrap();
    assert_eq!(all.iter().map(|r| r.service_label.clone()).collect::<Vec<_>>(), [Some("ana (Ana Silva)".into()), None]);

    // A manual retry starts over.
    s.take_sweep_requests().await.unwrap();
    assert_eq!(s.queue_retry(failed[0].entry.id).await.unwrap(), Some(w.r1));
    assert_eq!(s.queue_retry(12345).await.unwrap(), None);
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1]);
    let retried = &s.queue_for_service(a).await.unwrap()[0];
    assert_eq!((retried.attempts, retried.status, retried.locked_at), (0, QueueStatus::Pending, None));

    // Enqueue only adds what is absent; clear and clear-except drop rows.
    s.queue_enqueue(w.r1, Some(a), ProvisionAction::SecretAdd, "ignored", later(300)).await.unwrap();
    s.queue_enqueue(w.r1, Some(a), ProvisionAction::Kick, "kick ana", later(300)).await.unwrap();
    let rows = s.queue_for_router(w.r1).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().find(|r| r.action == ProvisionAction::SecretAdd).unwrap().detail, "add PPP secret ana");
    s.queue_clear(w.r1, None, ProvisionAction::ProfileAdd).await.unwrap();
    s.queue_clear_router_except(w.r1, &[(Some(a), ProvisionAction::Kick)]).await.unwrap();
    let rows = s.queue_for_router(w.r1).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["kick"]);
    s.queue_clear_many(w.r1, &[(Some(a), ProvisionAction::Kick)]).await.unwrap();
    assert_eq!(s.queue_for_router(w.r1).await.unwrap(), []);
}

#[tokio::test]
async fn the_router_log_records_and_interrupts() {
    let w = world().await;
    let s = &w.store;
    let a = s.add_service(&w.pppoe(w.r1, "ana")).await.unwrap();
    let t = at("2026-11-25T10:00:00Z");
    let one = s.router_log_begin(w.r1, Some(a), "add PPP secret ana", t).await.unwrap();
    s.router_log_finish(one, RouterLogOutcome::Ok, None, 12).await.unwrap();
    let many = s
        .router_log_begin_many(
            w.r1,
            &[(None, "add PPP profile hd-1".into()), (Some(a), "kick ana".into()), (Some(a), "disable ana".into())],
            t,
        )
        .await
        .unwrap();
    assert_eq!(many.len(), 3);
    s.router_log_finish_many(&[
        (many[0], RouterLogOutcome::Ok, None, 3),
        (many[1], RouterLogOutcome::Error, Some("no such item".into()), 4),
    ])
    .await
    .unwrap();
    // The run died before the third answer.
    assert_eq!(s.router_log_interrupt_pending(w.r1).await.unwrap(), 1);
    assert_eq!(s.router_log_interrupt_pending(w.r1).await.unwrap(), 0);

    let log = s.router_log(w.r1, 10).await.unwrap();
    assert_eq!(
        log.iter().map(|l| (l.command.as_str(), l.outcome)).collect::<Vec<_>>(),
        [
            ("disable ana", RouterLogOutcome::Interrupted),
            ("kick ana", RouterLogOutcome::Error),
            ("add PPP profile hd-1", RouterLogOutcome::Ok),
            ("add PPP secret ana", RouterLogOutcome::Ok),
        ]
    );
    assert_eq!(
        (log[1].error.as_deref(), log[1].duration_ms, log[0].duration_ms),
        (Some("no such item"), Some(4), None)
    );
    assert_eq!(log[3].at, t);
    let mine = s.service_router_log(a, 2).await.unwrap();
    assert_eq!(mine.iter().map(|l| l.command.as_str()).collect::<Vec<_>>(), ["disable ana", "kick ana"]);
    assert_eq!(s.router_log(w.r2, 10).await.unwrap(), []);
}

#[tokio::test]
async fn leases_keep_two_engines_off_one_router() {
    let w = world().await;
    let s = &w.store;
    let t0 = at("2026-11-25T10:00:00Z");
    let ttl = SignedDuration::from_secs(30);
    let plus = |secs| t0.checked_add(SignedDuration::from_secs(secs)).unwrap();
    assert!(s.acquire_router_lease(w.r1, "app", t0, ttl).await.unwrap());
    assert!(!s.acquire_router_lease(w.r1, "agent", plus(10), ttl).await.unwrap());
    assert!(s.acquire_router_lease(w.r1, "app", plus(20), ttl).await.unwrap(), "extended");
    assert!(!s.acquire_router_lease(w.r1, "agent", plus(40), ttl).await.unwrap(), "the extension holds");
    assert!(s.acquire_router_lease(w.r2, "agent", plus(40), ttl).await.unwrap(), "routers are apart");
    assert!(s.acquire_router_lease(w.r1, "agent", plus(51), ttl).await.unwrap(), "expired");
    s.release_router_lease(w.r1, "app").await.unwrap();
    assert!(!s.acquire_router_lease(w.r1, "app", plus(52), ttl).await.unwrap(), "not app's to release");
    s.release_router_lease(w.r1, "agent").await.unwrap();
    assert!(s.acquire_router_lease(w.r1, "app", plus(53), ttl).await.unwrap());

    // Requests of a router someone else sweeps stay for them.
    s.request_sweep(w.r1).await.unwrap();
    s.request_sweep(w.r2).await.unwrap();
    assert_eq!(s.take_sweep_requests_for("app", plus(54)).await.unwrap(), [w.r1]);
    assert_eq!(s.take_sweep_requests_for("agent", plus(54)).await.unwrap(), [w.r2]);
}

#[tokio::test]
async fn the_isp_policy_round_trips_and_fixes_its_time_zone_on_first_read() {
    let w = world().await;
    let s = &w.store;
    let first = s.isp_policy().await.unwrap();
    let zone = first.time_zone.iana_name().unwrap().to_owned();
    let expected =
        TimeZone::try_system().ok().and_then(|tz| tz.iana_name().map(str::to_owned)).unwrap_or_else(|| "UTC".into());
    assert_eq!(zone, expected);
    assert_eq!(IspPolicy { time_zone: TimeZone::UTC, ..first.clone() }, IspPolicy::default());
    assert_eq!(s.isp_policy().await.unwrap(), first, "stable");

    let policy = IspPolicy {
        time_zone: TimeZone::get("America/Sao_Paulo").unwrap(),
        grace_days: 5,
        suspension: SuspensionMode::Remove,
        static_queues: true,
        max_attempts: 4,
    };
    s.set_isp_policy(&policy).await.unwrap();
    assert_eq!(s.isp_policy().await.unwrap(), policy);
    let fixed = IspPolicy { time_zone: TimeZone::fixed(jiff::tz::offset(-3)), ..policy };
    assert!(matches!(s.set_isp_policy(&fixed).await, Err(StoreError::Invalid(_))));

    assert_eq!(s.router_suspension(w.r1).await.unwrap(), None);
    s.set_router_suspension(w.r1, Some(SuspensionMode::AddressList)).await.unwrap();
    assert_eq!(s.router_suspension(w.r1).await.unwrap(), Some(SuspensionMode::AddressList));
    s.set_router_suspension(w.r1, None).await.unwrap();
    assert_eq!(s.router_suspension(w.r1).await.unwrap(), None);
    assert!(matches!(s.set_router_suspension(RouterId(99), None).await, Err(StoreError::NotFound(_))));
}

fn import(w: &World, customer: &str, phone: Option<&str>, router: RouterId, user: &str) -> ImportService {
    ImportService {
        customer_name: customer.into(),
        customer_phone: phone.map(Into::into),
        router,
        plan: w.plan,
        access: Access::Pppoe { username: user.into(), address: None },
        password: Some(b"sealed".to_vec()),
        status: ServiceStatus::Active,
        next_billing_date: Some(date(2026, 12, 5)),
        adopt: false,
        customer_address: None,
        customer_location: None,
    }
}

#[tokio::test]
async fn imports_are_all_or_nothing_and_reuse_customers() {
    let w = world().await;
    let s = &w.store;
    s.add_service(&w.pppoe(w.r2, "taken")).await.unwrap();
    s.take_sweep_requests().await.unwrap();
    let before = s.status().await.unwrap();

    // The last row clashes with the database: nothing at all is written.
    let bad = [import(&w, "Carla", None, w.r1, "carla"), import(&w, "Dan", None, w.r2, "taken")];
    let err = s.import_services(&bad, Timestamp::now(), &Actor::Cli).await.unwrap_err();
    assert_eq!(err.to_string(), "a PPPoE user named \"taken\" already exists on router \"core-2\"");
    let after = s.status().await.unwrap();
    assert_eq!((after.customers, after.services), (before.customers, before.services));
    assert_eq!(s.take_sweep_requests().await.unwrap(), []);

    let good = [
        import(&w, "Ana Silva", Some("+55 11 5555"), w.r1, "ana"),
        import(&w, "Carla", None, w.r1, "carla"),
        ImportService {
            access: Access::StaticIp { address: IpAddr::from([10, 0, 0, 7]) },
            password: None,
            ..import(&w, "Carla", None, w.r2, "")
        },
    ];
    let ids = s.import_services(&good, at("2026-11-25T09:00:00Z"), &Actor::Cli).await.unwrap();
    assert_eq!(ids.len(), 3);
    let customers = s.customers().await.unwrap();
    assert_eq!(
        customers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Ana Silva", "Carla"],
        "found or created once"
    );
    assert_eq!(s.service(ids[0]).await.unwrap().unwrap().customer, w.customer);
    assert_eq!(s.take_sweep_requests().await.unwrap(), [w.r1, w.r2]);
    let log = s
        .activity(&ActivityQuery {
            actor: Some(Actor::Cli),
            search: Some("imported".into()),
            ..ActivityQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].1.detail, "PPPoE ana for Ana Silva, active, due 2026-12-05");
}

#[tokio::test]
async fn customers_are_listed_found_and_updated() {
    let w = world().await;
    let s = &w.store;
    let c = s.customer(w.customer).await.unwrap().unwrap();
    assert_eq!(c.address.as_deref(), Some("Rua A, 1"));
    assert_eq!(s.customer_by_name_and_phone("Ana Silva", Some("+55 11 5555")).await.unwrap(), Some(w.customer));
    assert_eq!(s.customer_by_name_and_phone("Ana Silva", None).await.unwrap(), None);
    s.update_customer(
        w.customer,
        &NewCustomer { name: "Ana S.".into(), phone: None, email: Some("a@x".into()), address: None, location: None },
    )
    .await
    .unwrap();
    let c = s.customer(w.customer).await.unwrap().unwrap();
    assert_eq!((c.name.as_str(), c.phone, c.email.as_deref()), ("Ana S.", None, Some("a@x")));
    assert!(matches!(
        s.update_customer(
            CustomerId(99),
            &NewCustomer { name: "x".into(), phone: None, email: None, address: None, location: None }
        )
        .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.customers().await.unwrap().len(), 1);
}

#[tokio::test]
async fn activity_filters_and_pages_newest_first() {
    let (_dir, s) = open().await;
    let entry = |i: i64, actor: Actor, subject: Subject, detail: &str| ActivityEntry {
        at: Timestamp::from_second(1_800_000_000 + i).unwrap(),
        actor,
        subject,
        action: "changed".into(),
        detail: detail.into(),
    };
    s.log_activity_many(&[
        entry(0, Actor::Cli, Subject::Service(ServiceId(1)), "status active -> suspended"),
        entry(1, Actor::Engine, Subject::Service(ServiceId(1)), "disable PPP secret ana"),
        entry(2, Actor::Operator, Subject::Service(ServiceId(12)), "due 2026-12-05"),
        entry(3, Actor::Engine, Subject::Router(RouterId(1)), "100% done"),
    ])
    .await
    .unwrap();
    let q = |query: ActivityQuery| {
        let s = s.clone();
        async move { s.activity(&query).await.unwrap().into_iter().map(|(id, e)| (id, e.detail)).collect::<Vec<_>>() }
    };
    let all = q(ActivityQuery::default()).await;
    assert_eq!(all.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [4, 3, 2, 1]);
    assert_eq!(
        q(ActivityQuery { subject: Some(Subject::Service(ServiceId(1))), ..ActivityQuery::default() }).await.len(),
        2
    );
    assert_eq!(q(ActivityQuery { actor: Some(Actor::Engine), ..ActivityQuery::default() }).await.len(), 2);
    assert_eq!(
        q(ActivityQuery { search: Some("PPP SECRET".into()), ..ActivityQuery::default() }).await[0].1,
        "disable PPP secret ana"
    );
    assert_eq!(q(ActivityQuery { search: Some("100%".into()), ..ActivityQuery::default() }).await.len(), 1);
    let page2 = q(ActivityQuery { before_id: Some(3), limit: 1, ..ActivityQuery::default() }).await;
    assert_eq!(page2.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [2]);
    assert_eq!(s.recent_activity(1).await.unwrap()[0].detail, "100% done");
}

#[tokio::test]
async fn deleting_a_router_takes_its_queue_log_lease_and_requests() {
    let (_dir, s) = open().await;
    let r = s.add_router(&new_router("gone")).await.unwrap();
    let t = Timestamp::now();
    s.queue_failure(r, None, ProvisionAction::ProfileAdd, "add", "x", t, Backoff::Never).await.unwrap();
    s.router_log_begin(r, None, "add", t).await.unwrap();
    s.acquire_router_lease(r, "app", t, SignedDuration::from_secs(30)).await.unwrap();
    s.request_sweep(r).await.unwrap();
    s.remove_router(r).await.unwrap();
    assert_eq!(s.take_sweep_requests().await.unwrap(), []);
    assert_eq!(s.queue(&QueueQuery { status: None, limit: 10, offset: 0 }).await.unwrap(), []);
}

/// A database made before this schema: its plans get `hd-<id>` profiles,
/// its services nothing provisioned yet.
#[tokio::test]
async fn upgrading_an_older_database_names_the_existing_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    for name in
        ["20261125000001_initial.sql", "20261125000002_router_tls_pin.sql", "20261125000003_installation_id.sql"]
    {
        std::fs::copy(root.join(name), old.join(name)).unwrap();
    }
    let path = dir.path().join("t.sqlite3");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path()).await.unwrap().run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO plans (name, download_bps, upload_bps, price, billing_cycle, created_at)
         VALUES ('Old 10', 10000000, 2000000, '19.90', 'monthly', '2026-01-01T00:00:00Z')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.status().await.unwrap().schema_version, headend_store::latest_schema_version());
    let plan = store.plan_by_name("Old 10").await.unwrap().unwrap();
    assert_eq!((plan.profile.as_str(), plan.limits.to_string().as_str()), ("hd-1", "2M/10M"));
    let next = store.add_plan(&new_plan("New", "1M")).await.unwrap();
    assert_eq!(store.plan(next).await.unwrap().unwrap().profile, "hd-2-new");
}

/// The SQL shortcut finds the same next cutoff as the policy over every
/// service.
#[tokio::test]
async fn the_earliest_paid_through_day_matches_the_policys_next_cutoff() {
    let w = world().await;
    let s = &w.store;
    let cases = [
        (ServiceStatus::Active, Some(date(2026, 11, 20)), None),
        (ServiceStatus::Active, Some(date(2026, 11, 28)), Some(0)),
        (ServiceStatus::Active, Some(date(2026, 11, 24)), Some(10)),
        (ServiceStatus::Active, Some(date(2026, 12, 30)), None),
        (ServiceStatus::Active, None, None),
        (ServiceStatus::Suspended, Some(date(2026, 11, 25)), None),
    ];
    for (i, (status, due, grace)) in cases.into_iter().enumerate() {
        let new = NewService { status, next_billing_date: due, grace_days: grace, ..w.pppoe(w.r1, &format!("u{i}")) };
        s.add_service(&new).await.unwrap();
    }
    let policy =
        IspPolicy { time_zone: TimeZone::get("America/Sao_Paulo").unwrap(), grace_days: 3, ..IspPolicy::default() };
    let services = s.all_services().await.unwrap();
    for now in [
        "2026-11-20T12:00:00Z",
        "2026-11-25T02:59:59Z",
        "2026-11-25T03:00:00Z",
        "2026-11-29T12:00:00Z",
        "2027-01-03T03:00:00Z",
        "2027-02-01T00:00:00Z",
    ] {
        let now = at(now);
        let today = policy.today(now);
        let from_sql = s.earliest_paid_through(policy.grace_days, today).await.unwrap();
        let cutoff =
            from_sql.map(|d| d.tomorrow().unwrap().to_zoned_datetime(policy.time_zone.clone()).unwrap().timestamp());
        assert_eq!(cutoff, policy.next_cutoff(&services, now), "at {now}");
    }
}

#[tokio::test]
async fn a_user_of_a_radius_router_elsewhere_blocks_joining_radius() {
    let w = world().await;
    let s = &w.store;
    let ana = s.add_service(&w.pppoe(w.r1, "ana")).await.unwrap();
    s.add_service(&w.pppoe(w.r2, "ana")).await.unwrap();
    s.add_service(&w.pppoe(w.r2, "bob")).await.unwrap();
    assert_eq!(s.radius_user_clash(w.r2).await.unwrap(), None, "core-1 is not in RADIUS mode");
    let nas = Nas { address: "10.0.0.1".parse().unwrap(), coa_port: 3799 };
    s.set_router_backend(w.r1, Backend::Radius(nas)).await.unwrap();
    assert_eq!(s.radius_user_clash(w.r2).await.unwrap(), Some(("ana".to_owned(), ana, "core-1".to_owned())));
    assert_eq!(s.radius_user_clash(w.r1).await.unwrap(), None, "core-2 is not in RADIUS mode");
}

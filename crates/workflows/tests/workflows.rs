//! The workflows on a real database in a temporary folder, with a fixed
//! clock and an engine ear that records what it is told. Only workflows
//! that need no keyring are here (static-IP services); the ones that keep
//! passwords run through both shells in `tests/shells_agree.rs`.

#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use headend_core::activity::Actor;
use headend_core::billing::invoice::Discount;
use headend_core::billing::ledger::PaymentMethod;
use headend_core::billing::settings::BillingSettings;
use headend_core::billing::tax::TaxMode;
use headend_core::clock::ManualClock;
use headend_core::plan::{BillingCycle, Pair, RateLimit};
use headend_core::provision::policy::IspPolicy;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_store::{ActivityQuery, NewPlan, NewRouter, Store};
use headend_workflows::billing::{ChargeInput, PaymentInput};
use headend_workflows::plans::PlanInput;
use headend_workflows::policy::PolicyChange;
use headend_workflows::services::{CustomerInput, ServiceInput};
use headend_workflows::{Keyring, SweepHint, WorkflowError, Workflows};
use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal::Decimal;

#[derive(Default)]
struct Heard(Mutex<Vec<RouterId>>);

impl SweepHint for Heard {
    fn sweep(&self, router: RouterId) {
        self.0.lock().unwrap().push(router);
    }
}

struct Lab {
    _dir: tempfile::TempDir,
    w: Workflows,
    heard: Arc<Heard>,
    router: RouterId,
    plan: PlanId,
    now: Timestamp,
    clock: ManualClock,
}

impl Lab {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
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
        let limits = RateLimit::new(Pair::parse("5M/20M").unwrap(), None).unwrap();
        let plan = store
            .add_plan(&NewPlan {
                name: "Home 20".into(),
                limits,
                price: Decimal::new(2500, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            })
            .await
            .unwrap();
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let heard = Arc::new(Heard::default());
        let clock = ManualClock::at(now);
        let store = store.with_clock(Arc::new(clock.clone()));
        let w = Workflows::new(store, Keyring::lazy(), heard.clone());
        // Billing days are UTC days here, whatever this machine's zone.
        let policy = w.store().isp_policy().await.unwrap();
        w.store().set_isp_policy(&IspPolicy { time_zone: jiff::tz::TimeZone::UTC, ..policy }).await.unwrap();
        Self { _dir: dir, w, heard, router, plan, now, clock }
    }

    fn input(&self, customer: &str, ip: &str) -> ServiceInput {
        ServiceInput {
            customer: CustomerInput {
                name: customer.into(),
                phone: Some(" +254 700 ".into()),
                ..CustomerInput::default()
            },
            router: self.router,
            plan: self.plan,
            access: Access::StaticIp { address: ip.parse::<IpAddr>().unwrap() },
            password: None,
            status: ServiceStatus::Active,
            next_billing_date: Some(date(2026, 12, 5)),
            grace_days: None,
        }
    }

    async fn actions(&self) -> Vec<(String, String, String)> {
        let mut log = self.w.store().activity(&ActivityQuery::default()).await.unwrap();
        log.reverse();
        log.into_iter().map(|(_, e)| (e.subject.to_string(), e.action, e.detail)).collect()
    }
}

fn field(err: WorkflowError) -> Option<&'static str> {
    err.field()
}

#[tokio::test]
async fn a_service_and_its_new_customer_are_written_together_with_their_activity() {
    let lab = Lab::new().await;
    let first = lab.w.add_service(&Actor::Cli, lab.input("Ana Lima", "10.0.0.2")).await.unwrap();
    assert_eq!(first.customer_phone.as_deref(), Some("+254 700"), "fields are trimmed");
    let second = lab.w.add_service(&Actor::Cli, lab.input("Ana Lima", "10.0.0.3")).await.unwrap();
    assert_eq!(second.customer, first.customer, "the customer is found by name and phone");
    let log = lab.actions().await;
    let actions: Vec<&str> = log.iter().map(|(_, a, _)| a.as_str()).collect();
    assert_eq!(actions, ["customer added", "service added", "service added"]);
    assert_eq!(log[1].2, "static 10.0.0.2 on core-1, active for Ana Lima, plan Home 20");
    let entries = lab.w.store().activity(&ActivityQuery::default()).await.unwrap();
    assert!(entries.iter().all(|(_, e)| e.at == lab.now && e.actor == Actor::Cli), "the injected clock and actor");
    assert_eq!(*lab.heard.0.lock().unwrap(), [lab.router, lab.router], "the engine is told at once");
}

#[tokio::test]
async fn bad_input_names_its_field_and_writes_nothing() {
    let lab = Lab::new().await;
    let no_name = lab.w.add_service(&Actor::Operator, lab.input("  ", "10.0.0.2")).await.unwrap_err();
    assert_eq!(field(no_name), Some("customer_name"));
    let long_grace = ServiceInput { grace_days: Some(366), ..lab.input("Ana", "10.0.0.2") };
    let err = lab.w.add_service(&Actor::Operator, long_grace).await.unwrap_err();
    assert_eq!(err.to_string(), "grace is a whole number of days from 0 to 365, not 366, or empty for the ISP's");
    assert_eq!(field(err), Some("grace_days"));
    let no_password = ServiceInput {
        access: Access::Pppoe { username: "ana".into(), address: None },
        ..lab.input("Ana", "10.0.0.2")
    };
    assert_eq!(field(lab.w.add_service(&Actor::Operator, no_password).await.unwrap_err()), Some("password"));
    let gone = ServiceInput { router: RouterId(99), ..lab.input("Ana", "10.0.0.2") };
    assert_eq!(field(lab.w.add_service(&Actor::Operator, gone).await.unwrap_err()), Some("router_id"));
    assert!(lab.w.store().services().await.unwrap().is_empty());
    assert!(lab.w.store().customers().await.unwrap().is_empty(), "no customer without its service");
    assert!(lab.actions().await.is_empty());
}

#[tokio::test]
async fn an_edit_keeps_the_adopt_flag_and_a_status_change_says_what_changed() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    lab.w.store().set_service_adopt(s.id, true).await.unwrap();
    let edited = ServiceInput { grace_days: Some(7), ..lab.input("Ana Lima", "10.0.0.9") };
    let after = lab.w.edit_service(&Actor::Operator, s.id, edited).await.unwrap();
    assert_eq!((after.adopt, after.grace_days, after.customer_name.as_str()), (true, Some(7), "Ana Lima"));
    lab.w.set_service_status(&Actor::Operator, s.id, ServiceStatus::Suspended).await.unwrap();
    let log = lab.actions().await;
    assert_eq!(
        log.last().map(|(_, a, d)| (a.as_str(), d.as_str())),
        Some(("status changed", "status active -> suspended"))
    );
}

#[tokio::test]
async fn a_prepaid_payment_moves_the_due_date_from_the_current_one() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    let preview = lab.w.preview_payment(&pay(s.id, "75.00").months(3)).await.unwrap();
    assert_eq!((preview.payment.previous_due, preview.paid_through), (Some(date(2026, 12, 5)), Some(date(2027, 3, 5))));
    assert!(lab.w.store().payments(s.id).await.unwrap().is_empty(), "a preview writes nothing");
    assert_eq!(field(lab.w.preview_payment(&pay(s.id, "75").months(0)).await.unwrap_err()), Some("months"));
    let negative = lab.w.record_payment(&Actor::Operator, &pay(s.id, "-1")).await.unwrap_err();
    assert_eq!(field(negative), Some("amount"));
    let paid = lab.w.record_payment(&Actor::Operator, &pay(s.id, "75.00").months(3)).await.unwrap();
    assert_eq!((paid.paid_through, paid.payment.recorded_at), (Some(date(2027, 3, 5)), lab.now));
    assert_eq!(paid.payment.receipt, "RCT-2026-000001");
}

fn pay(service: ServiceId, amount: &str) -> PaymentInput {
    PaymentInput {
        service,
        amount: amount.parse().unwrap(),
        method: PaymentMethod::Cash,
        reference: None,
        date: None,
        months: None,
        invoice: None,
    }
}

trait Months {
    fn months(self, n: u8) -> Self;
}

impl Months for PaymentInput {
    fn months(self, n: u8) -> Self {
        PaymentInput { months: Some(n), ..self }
    }
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

impl Lab {
    fn at(&self, day: &str) {
        self.clock.set(format!("{day}T12:00:00Z").parse().unwrap());
    }

    async fn paid_through(&self, id: ServiceId) -> Option<jiff::civil::Date> {
        self.w.service(id).await.unwrap().next_billing_date
    }
}

#[tokio::test]
async fn an_invoice_is_issued_once_and_paying_it_in_full_reconnects_the_service() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    // Due 5 December; the lead time (7 days) opens on the 28th of November.
    lab.at("2026-11-27");
    assert!(lab.w.invoice_run(&Actor::Engine, None).await.unwrap().issued.is_empty());
    lab.at("2026-12-09");
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!(run.issued.len(), 1);
    let number = run.issued[0].number.clone();
    assert_eq!(number, "INV-2026-000001");
    assert!(lab.w.invoice_run(&Actor::Engine, None).await.unwrap().issued.is_empty(), "issued once");
    let detail = lab.w.invoice(&number).await.unwrap();
    let period = detail.lines[0].period.unwrap();
    assert_eq!((period.from, period.until), (date(2026, 12, 5), date(2027, 1, 5)));
    assert_eq!(detail.invoice.due_date, date(2026, 12, 9), "issued late: due on issue");
    assert_eq!(detail.invoice.status(date(2026, 12, 9)).as_str(), "open");

    // Grace (3 days) ended on the 8th: the service is off. A partial
    // payment leaves it off; the rest puts it back on.
    let (policy, today) = lab.w.today().await.unwrap();
    let before = lab.w.service(s.id).await.unwrap();
    assert!(!Workflows::standing(&policy, today, &before).should_be_on);
    let partial = lab.w.record_payment(&Actor::Operator, &pay(s.id, "10.00")).await.unwrap();
    assert_eq!((partial.balance, partial.paid_through), (d("15.00"), Some(date(2026, 12, 5))));
    lab.heard.0.lock().unwrap().clear();
    let rest = lab.w.record_payment(&Actor::Operator, &pay(s.id, "15.00")).await.unwrap();
    assert_eq!(
        rest.allocations.iter().map(|a| (a.invoice.as_str(), a.amount)).collect::<Vec<_>>(),
        [(number.as_str(), d("15.00"))]
    );
    assert_eq!((rest.balance, rest.paid_through), (d("0.00"), Some(date(2027, 1, 5))));
    assert_eq!(*lab.heard.0.lock().unwrap(), [lab.router], "its router is swept at once");
    let after = lab.w.service(s.id).await.unwrap();
    assert!(Workflows::standing(&policy, today, &after).should_be_on);
    assert_eq!(lab.w.invoice(&number).await.unwrap().invoice.status(today).as_str(), "paid");
    // The next period is invoiced in its own lead time, on the billing day.
    lab.at("2026-12-29");
    let next = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!(next.issued[0].number, "INV-2026-000002");
    let line = &lab.w.invoice("INV-2026-000002").await.unwrap().lines[0];
    assert_eq!(line.period.map(|p| p.from), Some(date(2027, 1, 5)));
}

#[tokio::test]
async fn an_overpayment_is_credit_the_next_invoice_uses() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    lab.at("2026-12-01");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let paid = lab.w.record_payment(&Actor::Operator, &pay(s.id, "40.00")).await.unwrap();
    assert_eq!((paid.credit_left, paid.balance), (d("15.00"), d("-15.00")));
    lab.at("2026-12-29");
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!((run.issued[0].gross, run.issued[0].settled), (d("25.00"), d("15.00")));
    let statement = lab.w.statement(s.customer).await.unwrap();
    let balances: Vec<Decimal> = statement.entries.iter().map(|e| e.balance).collect();
    assert_eq!(balances, [d("25.00"), d("-15.00"), d("10.00")]);
    assert_eq!(statement.balance, d("10.00"));
}

#[tokio::test]
async fn void_and_credit_notes_keep_numbers_and_move_money() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    lab.at("2026-12-01");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let charge = ChargeInput { customer: s.customer, description: "Installation".into(), amount: d("50") };
    lab.w.add_charge(&Actor::Operator, charge).await.unwrap();
    lab.at("2026-12-29");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let second = lab.w.invoice("INV-2026-000002").await.unwrap();
    assert_eq!(second.lines.iter().map(|l| l.description.as_str()).collect::<Vec<_>>(), ["Home 20", "Installation"]);
    assert_eq!(second.invoice.totals.gross, d("75.00"));
    lab.w.record_payment(&Actor::Operator, &pay(s.id, "25.00")).await.unwrap();
    // Paid the first; voiding it sends the 25.00 to the second.
    let void = lab.w.void_invoice(&Actor::Operator, "INV-2026-000001", "issued twice").await.unwrap();
    assert_eq!((void.number.as_str(), void.void.map(|v| v.reason)), ("INV-2026-000001", Some("issued twice".into())));
    assert_eq!(lab.w.invoice("INV-2026-000002").await.unwrap().invoice.settled, d("25.00"));
    let on_void = PaymentInput { invoice: Some("INV-2026-000001".into()), ..pay(s.id, "5") };
    let paying_void = lab.w.record_payment(&Actor::Operator, &on_void);
    assert!(paying_void.await.unwrap_err().to_string().contains("void"));
    // An older period stays invoiced (the next one is already out).
    assert!(lab.w.invoice_run(&Actor::Engine, None).await.unwrap().issued.is_empty());
    let again = lab.w.void_invoice(&Actor::Operator, "INV-2026-000001", "twice").await.unwrap_err();
    assert!(again.to_string().contains("already void"));
    // A credit note: its own series, tax in the invoice's proportion.
    let note = lab.w.credit_invoice(&Actor::Operator, "INV-2026-000002", d("50.00"), "no installation").await.unwrap();
    assert_eq!(
        (note.number.as_str(), note.totals.gross, note.credits.as_deref()),
        ("CN-2026-000001", d("50.00"), Some("INV-2026-000002"))
    );
    let second = lab.w.invoice("INV-2026-000002").await.unwrap().invoice;
    assert_eq!(second.amount_due(), d("0.00"));
    assert_eq!(lab.paid_through(s.id).await, Some(date(2027, 2, 5)), "settled by the credit: paid through its period");
    let too_much = lab.w.credit_invoice(&Actor::Operator, "INV-2026-000002", d("30"), "x").await.unwrap_err();
    assert!(too_much.to_string().contains("at most 25.00"), "{too_much}");
    assert_eq!(lab.w.statement(s.customer).await.unwrap().balance, d("0.00"));
}

#[tokio::test]
async fn a_pause_stops_invoicing_and_moves_billing_by_the_days_paused() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    lab.at("2026-12-01");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    lab.w.record_payment(&Actor::Operator, &pay(s.id, "25.00")).await.unwrap();
    assert_eq!(lab.paid_through(s.id).await, Some(date(2027, 1, 5)));
    lab.at("2026-12-20");
    lab.w.set_service_status(&Actor::Operator, s.id, ServiceStatus::Inactive).await.unwrap();
    lab.at("2027-01-20");
    assert!(lab.w.invoice_run(&Actor::Engine, None).await.unwrap().issued.is_empty(), "no invoice while paused");
    lab.w.set_service_status(&Actor::Operator, s.id, ServiceStatus::Active).await.unwrap();
    assert_eq!(lab.paid_through(s.id).await, Some(date(2027, 2, 5)), "31 days paused, 31 days later");
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!(run.issued.len(), 0, "the next period starts on 5 February, beyond the lead time");
    lab.at("2027-01-29");
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let line = &lab.w.invoice(&run.issued[0].number).await.unwrap().lines[0];
    assert_eq!(line.period.map(|p| p.from), Some(date(2027, 2, 5)));
}

#[tokio::test]
async fn a_coupon_discounts_its_cycles_and_tax_follows_the_settings() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    let mut settings = lab.w.billing_settings().await.unwrap();
    settings.tax_rate = "16".parse().unwrap();
    settings.tax_mode = TaxMode::Inclusive;
    lab.w.set_billing_settings(&Actor::Cli, settings).await.unwrap();
    lab.w.add_coupon(&Actor::Operator, s.id, "Welcome", Discount::Percent(d("20")), Some(1)).await.unwrap();
    lab.at("2026-12-01");
    let first = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let inv = lab.w.invoice(&first.issued[0].number).await.unwrap();
    assert_eq!(inv.lines.iter().map(|l| l.amounts.gross).collect::<Vec<_>>(), [d("25.00"), d("-5.00")]);
    assert_eq!(
        (inv.invoice.totals.net, inv.invoice.totals.tax, inv.invoice.totals.gross),
        (d("17.24"), d("2.76"), d("20.00"))
    );
    lab.w.record_payment(&Actor::Operator, &pay(s.id, "20")).await.unwrap();
    lab.at("2026-12-29");
    let second = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!(second.issued[0].gross, d("25.00"), "the coupon lasted one cycle");
    let bad = BillingSettings { lead_days: 91, ..lab.w.billing_settings().await.unwrap() };
    assert_eq!(field(lab.w.set_billing_settings(&Actor::Cli, bad).await.unwrap_err()), Some("lead-days"));
}

#[tokio::test]
async fn the_policy_keeps_to_its_bounds() {
    let lab = Lab::new().await;
    let grace = lab.w.change_policy(&Actor::Cli, PolicyChange { grace_days: Some(400), ..PolicyChange::default() });
    assert_eq!(field(grace.await.unwrap_err()), Some("grace_days"));
    let zone = PolicyChange { time_zone: Some("Mars/Olympus".into()), ..PolicyChange::default() };
    assert_eq!(field(lab.w.change_policy(&Actor::Cli, zone).await.unwrap_err()), Some("time_zone"));
    let attempts = PolicyChange { max_attempts: Some(0), ..PolicyChange::default() };
    assert_eq!(field(lab.w.change_policy(&Actor::Cli, attempts).await.unwrap_err()), Some("max_attempts"));
    let ok =
        PolicyChange { grace_days: Some(365), time_zone: Some("Africa/Nairobi".into()), ..PolicyChange::default() };
    let policy = lab.w.change_policy(&Actor::Cli, ok).await.unwrap();
    assert_eq!(policy.grace_days, 365);
    assert_eq!(lab.w.store().isp_policy().await.unwrap(), policy);
    assert_eq!(lab.actions().await.last().map(|(s, a, _)| (s.as_str(), a.as_str())), Some(("policy", "policy-set")));
}

#[tokio::test]
async fn a_plan_change_mid_period_is_prorated_on_the_next_invoice() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    let limits = RateLimit::new(Pair::parse("10M/50M").unwrap(), None).unwrap();
    let fiber = NewPlan {
        name: "Fiber 50".into(),
        limits,
        price: d("40.00"),
        cycle: BillingCycle::Monthly,
        tax_rate: None,
        session: Default::default(),
    };
    let fiber = lab.w.store().add_plan(&fiber).await.unwrap();
    lab.at("2026-12-01");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    // 15 December: 21 of the period's 31 days (5 Dec – 4 Jan) are left.
    lab.at("2026-12-15");
    let edit = ServiceInput { plan: fiber, ..lab.input("Ana", "10.0.0.2") };
    lab.w.edit_service(&Actor::Operator, s.id, edit).await.unwrap();
    let log = lab.actions().await;
    assert!(log.last().unwrap().2.ends_with("plan Home 20 -> Fiber 50 prorated for 21 of 31 days on the next invoice"));
    lab.at("2026-12-29");
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let lines = lab.w.invoice(&run.issued[0].number).await.unwrap().lines;
    let shown: Vec<(&str, Decimal)> = lines.iter().map(|l| (l.kind.as_str(), l.amounts.gross)).collect();
    assert_eq!(shown, [("service", d("40.00")), ("proration", d("-16.94")), ("proration", d("27.10"))]);
    assert_eq!(lines[1].period.map(|p| (p.from, p.until)), Some((date(2026, 12, 15), date(2027, 1, 5))));
}

#[tokio::test]
async fn a_void_invoice_is_issued_again_corrected_by_the_next_run() {
    let lab = Lab::new().await;
    let s = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    lab.at("2026-12-01");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let mut plan = lab.w.plan(lab.plan).await.unwrap();
    plan.price = d("30.00");
    let input = PlanInput {
        name: plan.name,
        limits: plan.limits,
        price: plan.price,
        cycle: plan.cycle,
        tax_rate: None,
        session: Default::default(),
    };
    lab.w.edit_plan(&Actor::Operator, lab.plan, input).await.unwrap();
    lab.w.void_invoice(&Actor::Operator, "INV-2026-000001", "old price").await.unwrap();
    let again = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!((again.issued[0].number.as_str(), again.issued[0].gross), ("INV-2026-000002", d("30.00")));
    let line = &lab.w.invoice("INV-2026-000002").await.unwrap().lines[0];
    assert_eq!(line.period.map(|p| p.from), Some(date(2026, 12, 5)));
    assert_eq!(lab.w.statement(s.customer).await.unwrap().balance, d("30.00"), "the void one counts for nothing");
}

#[tokio::test]
async fn the_invoice_run_counts_days_in_the_isps_time_zone() {
    let lab = Lab::new().await;
    lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    let policy = lab.w.store().isp_policy().await.unwrap();
    let sao_paulo = jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap();
    lab.w.store().set_isp_policy(&IspPolicy { time_zone: sao_paulo, ..policy }).await.unwrap();
    // Due 5 December: the lead time opens on the 28th of November. At
    // 02:00 UTC on the 28th it is still the 27th in São Paulo (UTC−3).
    lab.clock.set("2026-11-28T02:00:00Z".parse().unwrap());
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!((run.date, run.issued.len()), (date(2026, 11, 27), 0));
    lab.clock.set("2026-11-28T03:00:00Z".parse().unwrap());
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!((run.date, run.issued.len()), (date(2026, 11, 28), 1));
    assert_eq!(lab.w.invoice(&run.issued[0].number).await.unwrap().invoice.issue_date, date(2026, 11, 28));
}

#[tokio::test]
async fn the_revenue_report_ages_what_is_owed() {
    let lab = Lab::new().await;
    let ana = lab.w.add_service(&Actor::Operator, lab.input("Ana", "10.0.0.2")).await.unwrap();
    lab.w.add_service(&Actor::Operator, lab.input("Bia", "10.0.0.3")).await.unwrap();
    lab.at("2026-12-01");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    lab.w.record_payment(&Actor::Operator, &pay(ana.id, "10.00")).await.unwrap();
    // Due 5 December; on 20 January both are 46 days overdue.
    lab.at("2027-01-20");
    let r = lab.w.revenue(Some(date(2026, 12, 1))).await.unwrap();
    assert_eq!((r.month.invoiced, r.month.collected, r.outstanding), (d("50.00"), d("10.00"), d("40.00")));
    assert_eq!((r.overdue_invoices, r.overdue_amount, r.overdue_customers), (2, d("40.00"), 2));
    let buckets: Vec<(&str, u64, Decimal)> = r.aging.iter().map(|(b, a)| (b.label(), a.count, a.amount)).collect();
    assert_eq!(
        buckets,
        [("0-30", 0, d("0.00")), ("31-60", 2, d("40.00")), ("61-90", 0, d("0.00")), ("90+", 0, d("0.00"))]
    );
    assert_eq!(r.history.len(), 12);
    let overdue = lab.w.overdue_customers().await.unwrap();
    assert_eq!(
        overdue.iter().map(|o| (o.name.as_str(), o.amount)).collect::<Vec<_>>(),
        [("Bia", d("25.00")), ("Ana", d("15.00"))]
    );
}

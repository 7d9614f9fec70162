//! Messages end to end below the shells: the workflows on a real database
//! with a fixed clock, the keyring holding the providers' credentials, and
//! simulated SMTP and SMS/WhatsApp gateways on loopback receiving what the
//! sender hands them.

#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use headend_core::CustomerId;
use headend_core::activity::Actor;
use headend_core::billing::ledger::PaymentMethod;
use headend_core::clock::ManualClock;
use headend_core::messages::outbox::MessageStatus;
use headend_core::messages::settings::{MessageSettings, RateLimit};
use headend_core::messages::{Channel, MessageEvent};
use headend_core::plan::{BillingCycle, Pair, RateLimit as PlanRate};
use headend_core::provision::policy::IspPolicy;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_secrets::Secret;
use headend_simlab::{SimGateway, SimGatewayConfig, SimProvider, SimSmtp, SimSmtpConfig};
use headend_store::{BlastFilter, MessageQuery, NewPlan, NewRouter, OutboxMessage, Store};
use headend_workflows::billing::PaymentInput;
use headend_workflows::messages::{BlastInput, ContactInput, ProviderCredentials};
use headend_workflows::services::{CustomerInput, ServiceInput};
use headend_workflows::{Keyring, NoEngine, Workflows};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

struct Lab {
    _dir: tempfile::TempDir,
    w: Workflows,
    clock: ManualClock,
    smtp: SimSmtp,
    gateway: SimGateway,
    router: headend_core::RouterId,
    plan: headend_core::PlanId,
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
        let plan = store
            .add_plan(&NewPlan {
                name: "Home 20".into(),
                limits: PlanRate::new(Pair::parse("5M/20M").unwrap(), None).unwrap(),
                price: Decimal::new(2500, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            })
            .await
            .unwrap();
        let clock = ManualClock::at("2026-11-25T12:00:00Z".parse().unwrap());
        let store = store.with_clock(Arc::new(clock.clone()));
        let w = Workflows::new(store, Keyring::lazy(), Arc::new(NoEngine));
        let policy = w.store().isp_policy().await.unwrap();
        w.store().set_isp_policy(&IspPolicy { time_zone: jiff::tz::TimeZone::UTC, ..policy }).await.unwrap();
        let mut billing = w.billing_settings().await.unwrap();
        billing.company = "Fibra Sul".into();
        billing.payment_instructions = "M-Pesa till 123456".into();
        w.set_billing_settings(&Actor::Cli, billing).await.unwrap();

        let smtp = SimSmtp::start(SimSmtpConfig::default()).await.unwrap();
        let gateway = SimGateway::start(SimGatewayConfig::default()).await.unwrap();
        let fast = RateLimit::new(RateLimit::MAX, "rate").unwrap();
        let settings = MessageSettings {
            smtp: Some(smtp.settings("Fibra Sul <billing@isp.test>")),
            sms: Some(gateway.twilio("+15005550006")),
            whatsapp: Some(gateway.whatsapp()),
            default_country: "KE".parse().unwrap(),
            isp_phone: "+254 700 000 000".into(),
            email_rate: fast,
            sms_rate: fast,
            whatsapp_rate: fast,
            ..MessageSettings::default()
        };
        let credentials = ProviderCredentials {
            email: Some(Secret::new(SimSmtpConfig::default().credentials.unwrap().1)),
            sms: Some(Secret::new(gateway.config().twilio_auth_token.clone())),
            whatsapp: Some(Secret::new(gateway.config().whatsapp_token.clone())),
        };
        w.set_message_settings(&Actor::Cli, &settings, credentials).await.unwrap();
        Self { _dir: dir, w, clock, smtp, gateway, router, plan }
    }

    fn at(&self, when: &str) {
        self.clock.set(when.parse().unwrap());
    }

    /// A static-IP customer due on 5 December.
    async fn customer(&self, name: &str, ip: &str, phone: Option<&str>, email: Option<&str>) -> (CustomerId, i64) {
        let s = self.w.add_service(&Actor::Cli, self.input(name, ip, phone, email)).await.unwrap();
        (s.customer, s.id.0)
    }

    fn input(&self, name: &str, ip: &str, phone: Option<&str>, email: Option<&str>) -> ServiceInput {
        ServiceInput {
            customer: CustomerInput {
                name: name.into(),
                phone: phone.map(Into::into),
                email: email.map(Into::into),
                address: None,
                location: None,
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

    /// Twenty customers reached by SMS, and a blast of `body` queued to
    /// them all.
    async fn sms_blast_to_twenty(&self, body: &str) {
        for i in 0..20 {
            let (name, ip, phone) =
                (format!("Customer {i:02}"), format!("10.0.1.{}", i + 1), format!("+2547120000{i:02}"));
            self.customer(&name, &ip, Some(&phone), None).await;
        }
        let input =
            BlastInput { filter: BlastFilter::default(), subject: None, body: body.into(), whatsapp_name: None };
        self.w.send_blast(&Actor::Operator, &input).await.unwrap();
    }

    async fn outbox(&self) -> Vec<OutboxMessage> {
        let mut all = self.w.messages(&MessageQuery { limit: 1000, ..Default::default() }).await.unwrap();
        all.reverse();
        all
    }

    async fn send(&self) -> headend_workflows::messages::SendRun {
        self.w.send_due_messages("test:1").await.unwrap()
    }
}

fn pay(service: i64, amount: &str) -> PaymentInput {
    PaymentInput {
        service: headend_core::ServiceId(service),
        amount: amount.parse().unwrap(),
        method: PaymentMethod::MobileMoney,
        reference: Some("QX12".into()),
        date: None,
        months: None,
        invoice: None,
    }
}

#[tokio::test]
async fn invoices_and_receipts_reach_each_customer_once_with_their_pdf() {
    let lab = Lab::new().await;
    let (ana, ana_service) = lab.customer("Ana Lima", "10.0.0.2", None, Some("ana@example.net")).await;
    lab.customer("Baraka Otieno", "10.0.0.3", Some("0712 345 678"), None).await;
    lab.at("2026-12-01T09:00:00Z");
    let run = lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!(run.issued.len(), 2);
    let queued = lab.outbox().await;
    assert_eq!(
        queued.iter().map(|m| (m.customer_name.as_str(), m.channel, m.status)).collect::<Vec<_>>(),
        [("Ana Lima", Channel::Email, MessageStatus::Queued), ("Baraka Otieno", Channel::Sms, MessageStatus::Queued)]
    );

    let sent = lab.send().await;
    assert_eq!((sent.sent, sent.retrying, sent.failed.len()), (2, 0, 0));
    let mail = lab.smtp.wait_for(1, Duration::from_secs(5)).await.remove(0);
    assert_eq!(mail.to, ["ana@example.net"]);
    assert_eq!(mail.subject().as_deref(), Some("Your Fibra Sul invoice INV-2026-000001"));
    assert!(mail.text().unwrap().contains("M-Pesa till 123456"));
    let pdf = &mail.attachments()[0];
    assert_eq!((pdf.filename.as_deref(), pdf.content_type.as_str()), (Some("INV-2026-000001.pdf"), "application/pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let sms = lab.gateway.messages();
    assert_eq!((sms.len(), sms[0].provider, sms[0].to.as_str()), (1, SimProvider::Twilio, "+254712345678"));
    assert!(sms[0].text.as_deref().unwrap().contains("INV-2026-000002"), "{:?}", sms[0].text);

    // A second run issues nothing and sends nothing.
    assert!(lab.w.invoice_run(&Actor::Engine, None).await.unwrap().issued.is_empty());
    assert_eq!(lab.send().await.sent, 0);
    assert_eq!((lab.smtp.received().len(), lab.gateway.messages().len()), (1, 1));

    lab.w.record_payment(&Actor::Operator, &pay(ana_service, "25.00")).await.unwrap();
    assert_eq!(lab.send().await.sent, 1);
    let receipt = lab.smtp.wait_for(2, Duration::from_secs(5)).await.remove(1);
    assert_eq!(receipt.attachments()[0].filename.as_deref(), Some("RCT-2026-000001.pdf"));
    let history = lab.w.messages(&MessageQuery { customer: Some(ana), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(
        history.iter().map(|m| (m.event, m.status)).collect::<Vec<_>>(),
        [(MessageEvent::PaymentReceived, MessageStatus::Sent), (MessageEvent::InvoiceIssued, MessageStatus::Sent)]
    );
    assert!(history.iter().all(|m| m.provider_id.is_some() && m.sent_at.is_some()));
}

#[tokio::test]
async fn reminders_come_once_each_catch_up_and_a_payment_says_reconnected() {
    let lab = Lab::new().await;
    let (_, ana) = lab.customer("Ana", "10.0.0.2", None, Some("ana@example.net")).await;
    lab.customer("Baraka", "10.0.0.3", Some("+254712345678"), None).await;
    lab.at("2026-12-01T09:00:00Z");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let due_on = lab.outbox().await.len();
    assert_eq!(due_on, 2);
    let count =
        |events: &[MessageEvent], all: &[OutboxMessage]| all.iter().filter(|m| events.contains(&m.event)).count();

    lab.at("2026-12-02T07:00:00Z");
    let three_days = lab.w.queue_reminders().await.unwrap();
    assert_eq!((three_days.due_soon, three_days.overdue, three_days.suspended), (2, 0, 0));
    assert_eq!(lab.w.queue_reminders().await.unwrap().due_soon, 0, "queued once");
    // The machine was off on the 4th: the 1-day reminder still comes on the 5th (due today).
    lab.at("2026-12-05T07:00:00Z");
    assert_eq!(lab.w.queue_reminders().await.unwrap().due_soon, 2);
    lab.at("2026-12-06T07:00:00Z");
    assert_eq!(lab.w.queue_reminders().await.unwrap().overdue, 2);
    // Grace is 3 days: cut off from the 9th.
    lab.at("2026-12-08T07:00:00Z");
    assert_eq!(lab.w.queue_reminders().await.unwrap().suspended, 0);
    lab.at("2026-12-09T07:00:00Z");
    assert_eq!(lab.w.queue_reminders().await.unwrap().suspended, 2);
    assert_eq!(lab.w.queue_reminders().await.unwrap(), Default::default());

    lab.w.record_payment(&Actor::Operator, &pay(ana, "25.00")).await.unwrap();
    let all = lab.outbox().await;
    assert_eq!(count(&[MessageEvent::DueSoon], &all), 4);
    assert_eq!(count(&[MessageEvent::Overdue, MessageEvent::Suspended], &all), 4);
    let ana_after: Vec<MessageEvent> = all.iter().filter(|m| m.customer_name == "Ana").map(|m| m.event).collect();
    assert_eq!(ana_after[ana_after.len() - 2..], [MessageEvent::PaymentReceived, MessageEvent::Reconnected]);
    let suspended = all.iter().find(|m| m.event == MessageEvent::Suspended && m.channel == Channel::Sms).unwrap();
    assert!(suspended.body.contains("Baraka") || suspended.body.contains("M-Pesa"), "{}", suspended.body);
    assert_eq!(lab.send().await.sent, all.len() as u64);
}

#[tokio::test]
async fn quiet_hours_hold_sms_until_morning_but_not_email() {
    let lab = Lab::new().await;
    let mut settings = lab.w.message_settings().await.unwrap();
    settings.quiet_hours = Some("21:00-08:00".parse().unwrap());
    lab.w.set_message_settings(&Actor::Cli, &settings, ProviderCredentials::default()).await.unwrap();
    lab.customer("Ana", "10.0.0.2", None, Some("ana@example.net")).await;
    lab.customer("Baraka", "10.0.0.3", Some("+254712345678"), None).await;
    lab.at("2026-12-01T22:30:00Z");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let night = lab.send().await;
    assert_eq!(night.sent, 1, "the e-mail goes");
    assert_eq!(night.quiet_until, Some("2026-12-02T08:00:00Z".parse::<Timestamp>().unwrap()));
    assert!(lab.gateway.messages().is_empty());
    lab.at("2026-12-02T07:59:59Z");
    assert_eq!(lab.send().await.sent, 0);
    lab.at("2026-12-02T08:00:00Z");
    let morning = lab.send().await;
    assert_eq!((morning.sent, morning.quiet_until), (1, None));
    assert_eq!(lab.gateway.messages().len(), 1);
}

#[tokio::test]
async fn a_failing_gateway_is_retried_and_a_refused_number_fails_with_the_reason() {
    let lab = Lab::new().await;
    lab.customer("Baraka", "10.0.0.3", Some("+254712345678"), None).await;
    lab.gateway.fail_next(1);
    lab.at("2026-12-01T09:00:00Z");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let first = lab.send().await;
    assert_eq!((first.sent, first.retrying, first.failed.len()), (0, 1, 0), "{first:?}");
    let waiting = lab.outbox().await.remove(0);
    assert_eq!((waiting.status, waiting.attempts), (MessageStatus::Queued, 1));
    assert!(waiting.last_error.as_deref().unwrap().contains("503"), "{:?}", waiting.last_error);
    // Not before its backoff; then it goes.
    assert_eq!(lab.send().await.sent, 0);
    lab.clock.set(waiting.next_attempt_at);
    assert_eq!(lab.send().await.sent, 1);

    // A number the provider refuses fails at once, with its reason.
    lab.gateway.reject_number("+254733000111");
    lab.customer("Chausiku", "10.0.0.4", Some("+254733000111"), None).await;
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let refused_run = lab.send().await;
    assert_eq!((refused_run.sent, refused_run.failed.len()), (0, 1));
    assert_eq!(refused_run.failed[0].customer_name, "Chausiku");
    assert!(refused_run.failed[0].error.contains("+254733000111"), "{}", refused_run.failed[0].error);
    // The operator fixes the number and retries.
    let refused = lab.outbox().await.into_iter().find(|m| m.status == MessageStatus::Failed).unwrap();
    assert_eq!(refused.attempts, 1);
    let fix = ContactInput { phone: Some("+254 712 000 999".into()), ..Default::default() };
    lab.w.set_customer_contact(&Actor::Operator, refused.customer, &fix).await.unwrap();
    let retried = lab.w.retry_message(&Actor::Operator, refused.id).await.unwrap();
    assert_eq!((retried.status, retried.recipient.as_deref()), (MessageStatus::Queued, Some("+254712000999")));
    assert_eq!(lab.send().await.sent, 1);
    let to: Vec<String> = lab.gateway.messages().iter().map(|m| m.to.clone()).collect();
    assert_eq!(to, ["+254712345678", "+254712000999"]);
}

#[tokio::test]
async fn a_number_that_cannot_be_a_phone_is_reported_on_the_customer_not_sent() {
    let lab = Lab::new().await;
    let (customer, _) = lab.customer("Dede", "10.0.0.5", Some("12"), None).await;
    lab.at("2026-12-01T09:00:00Z");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let history = MessageQuery { customer: Some(customer), limit: 5, ..Default::default() };
    let row = lab.w.messages(&history).await.unwrap().remove(0);
    assert_eq!((row.status, row.recipient), (MessageStatus::Failed, None));
    assert!(row.last_error.as_deref().unwrap().contains("12"), "{:?}", row.last_error);
    assert_eq!(lab.send().await.sent, 0);
    assert!(lab.gateway.messages().is_empty());
    let bad = ContactInput { phone: Some("not a phone".into()), ..Default::default() };
    let err = lab.w.set_customer_contact(&Actor::Operator, customer, &bad).await.unwrap_err();
    assert_eq!(err.field(), Some("phone"));
}

#[tokio::test]
async fn a_blast_is_counted_then_reaches_each_customer_on_their_channel() {
    let lab = Lab::new().await;
    let (ana, _) = lab.customer("Ana", "10.0.0.2", None, Some("ana@example.net")).await;
    let (baraka, _) = lab.customer("Baraka", "10.0.0.3", Some("+254712345678"), None).await;
    lab.customer("Nobody", "10.0.0.4", None, None).await;
    let whatsapp = ContactInput { preferred: Some(Some(Channel::Whatsapp)), ..Default::default() };
    lab.w.set_customer_contact(&Actor::Operator, baraka, &whatsapp).await.unwrap();
    let opt_out = ContactInput { opt_out: vec![Channel::Email], ..Default::default() };
    let filter = BlastFilter { router: Some(lab.router), ..Default::default() };

    let preview = lab.w.preview_blast(&filter).await.unwrap();
    assert_eq!((preview.customers, preview.unreachable), (3, 1));
    assert_eq!(preview.by_channel, [(Channel::Email, 1), (Channel::Whatsapp, 1)]);
    let input = BlastInput {
        filter: filter.clone(),
        subject: Some("Fibre works tonight".into()),
        body: "Hello {customer_name}, {isp_name} will upgrade the network tonight.".into(),
        whatsapp_name: Some("network_notice".into()),
    };
    let bad = BlastInput { body: "Hi {custmer_name}".into(), ..input.clone() };
    assert_eq!(lab.w.send_blast(&Actor::Operator, &bad).await.unwrap_err().field(), Some("body"));
    let sent = lab.w.send_blast(&Actor::Operator, &input).await.unwrap();
    assert_eq!(sent.queued, 2);
    assert_eq!(lab.send().await.sent, 2);
    let mail = lab.smtp.wait_for(1, Duration::from_secs(5)).await.remove(0);
    assert_eq!(mail.subject().as_deref(), Some("Fibre works tonight"));
    let wa = lab.gateway.messages().remove(0);
    assert_eq!(
        (wa.provider, wa.to.as_str(), wa.template.as_deref()),
        (SimProvider::Whatsapp, "254712345678", Some("network_notice"))
    );
    assert_eq!(wa.parameters, ["Baraka", "Fibra Sul"]);

    // Opted out of e-mail with no phone: no longer reached.
    lab.w.set_customer_contact(&Actor::Operator, ana, &opt_out).await.unwrap();
    assert_eq!(lab.w.preview_blast(&filter).await.unwrap().unreachable, 2);
}

#[tokio::test]
async fn a_sender_killed_while_sending_loses_nothing() {
    let lab = Lab::new().await;
    lab.sms_blast_to_twenty("Outage on the north ring: we are on it.").await;
    lab.gateway.set_latency(Duration::from_millis(300));
    let w = lab.w.clone();
    let killed = tokio::spawn(async move { w.send_due_messages("doomed:1").await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    killed.abort();
    let _ = killed.await;
    let before = lab.gateway.messages().len();
    assert!(before < 20, "the kill came mid-send ({before} sent)");
    // Its rows wait out its lease, then another sender takes them.
    lab.gateway.set_latency(Duration::ZERO);
    assert_eq!(lab.send().await.sent, 0, "leased rows are not taken early");
    lab.clock
        .advance(SignedDuration::try_from(headend_workflows::messages::LEASE).unwrap() + SignedDuration::from_secs(1));
    lab.send().await;
    let rows = lab.outbox().await;
    assert!(rows.iter().all(|m| m.status == MessageStatus::Sent), "every message sent");
    let mut received: Vec<String> = lab.gateway.messages().into_iter().map(|m| m.to).collect();
    received.sort();
    let total = received.len();
    received.dedup();
    assert_eq!(received.len(), 20, "every customer reached");
    // A message the provider took before the kill, but whose row was not yet
    // recorded, goes once more: at most the ones in flight.
    assert!(total - 20 <= 8, "{} duplicates", total - 20);
}

#[tokio::test]
async fn every_sms_provider_carries_the_message() {
    let lab = Lab::new().await;
    lab.customer("Baraka", "10.0.0.3", Some("+254712345678"), None).await;
    let mut settings = lab.w.message_settings().await.unwrap();
    settings.sms = Some(lab.gateway.africastalking(Some("FIBRA")));
    let key =
        ProviderCredentials { sms: Some(Secret::new(lab.gateway.config().at_api_key.clone())), ..Default::default() };
    lab.w.set_message_settings(&Actor::Cli, &settings, key).await.unwrap();
    let id = lab.w.send_test_message(Channel::Sms, "0712 345 678").await.unwrap();
    assert!(id.is_some());
    let at = lab.gateway.messages().remove(0);
    assert_eq!(
        (at.provider, at.to.as_str(), at.from.as_deref()),
        (SimProvider::AfricasTalking, "+254712345678", Some("FIBRA"))
    );

    settings.sms = Some(headend_core::messages::settings::SmsProvider::Generic {
        url: format!("{}/generic/send", lab.gateway.base_url()),
        method: headend_core::messages::settings::HttpMethod::Post,
        headers: vec![("X-Api-Key".into(), "{secret}".into())],
        body: headend_core::messages::settings::GenericBody::Json,
        template: r#"{"to": "{to}", "text": "{text}"}"#.into(),
    });
    let key = ProviderCredentials {
        sms: Some(Secret::new(lab.gateway.config().generic_secret.clone())),
        ..Default::default()
    };
    lab.w.set_message_settings(&Actor::Cli, &settings, key).await.unwrap();
    lab.at("2026-12-01T09:00:00Z");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    assert_eq!(lab.send().await.sent, 1);
    let generic = lab.gateway.messages().remove(1);
    assert_eq!((generic.provider, generic.to.as_str()), (SimProvider::Generic, "+254712345678"));
    assert!(generic.text.unwrap().contains("INV-2026-000001"));
}

#[tokio::test]
async fn a_plan_change_tells_the_customer_their_new_plan() {
    let lab = Lab::new().await;
    let (_, service) = lab.customer("Ana", "10.0.0.2", None, Some("ana@example.net")).await;
    let fibre = lab
        .w
        .store()
        .add_plan(&NewPlan {
            name: "Fibra 100".into(),
            limits: PlanRate::new(Pair::parse("20M/100M").unwrap(), None).unwrap(),
            price: Decimal::new(4000, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let input = ServiceInput { plan: fibre, ..lab.input("Ana", "10.0.0.2", None, Some("ana@example.net")) };
    lab.w.edit_service(&Actor::Operator, headend_core::ServiceId(service), input).await.unwrap();
    let queued = lab.outbox().await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].event, MessageEvent::PlanChanged);
    assert!(queued[0].body.contains("Fibra 100"), "{}", queued[0].body);
    assert_eq!(lab.send().await.sent, 1);
    assert_eq!(lab.smtp.wait_for(1, Duration::from_secs(5)).await.len(), 1);
}

#[tokio::test]
async fn an_unusable_provider_holds_back_only_its_own_channel() {
    let lab = Lab::new().await;
    lab.customer("Ana", "10.0.0.2", None, Some("ana@example.net")).await;
    lab.customer("Baraka", "10.0.0.3", Some("+254712345678"), None).await;
    // The SMTP password is gone from the keyring (a restored database).
    let secrets = lab.w.secrets().await.unwrap();
    secrets.delete(&headend_secrets::SecretKey::message_provider(Channel::Email)).unwrap();
    lab.at("2026-12-01T09:00:00Z");
    lab.w.invoice_run(&Actor::Engine, None).await.unwrap();
    let run = lab.send().await;
    assert_eq!(run.sent, 1, "the SMS goes");
    assert_eq!(run.unusable.len(), 1);
    assert_eq!(run.unusable[0].0, Channel::Email);
    assert!(run.unusable[0].1.contains("password"), "{}", run.unusable[0].1);
    let waiting = lab.outbox().await.into_iter().find(|m| m.channel == Channel::Email).unwrap();
    assert_eq!((waiting.status, waiting.attempts), (MessageStatus::Queued, 0), "it waits, untried");
}

#[tokio::test]
async fn a_stopping_sender_finishes_what_it_handed_over_and_gives_back_the_rest() {
    let lab = Lab::new().await;
    lab.sms_blast_to_twenty("Maintenance tonight.").await;
    lab.gateway.set_latency(Duration::from_millis(300));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let w = lab.w.clone();
    let sender = tokio::spawn(async move { w.run_messages_periodically("app:1", stopped, |_| {}).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), sender).await.unwrap().unwrap();
    let rows = lab.outbox().await;
    let sent = rows.iter().filter(|m| m.status == MessageStatus::Sent).count();
    assert!(sent > 0 && sent < 20, "stopped mid-batch ({sent} sent)");
    assert!(rows.iter().all(|m| matches!(m.status, MessageStatus::Sent | MessageStatus::Queued)), "none left leased");
    assert_eq!(lab.gateway.messages().len(), sent, "everything handed over was recorded");
    // The next sender takes the rest at once, not after a lease.
    lab.gateway.set_latency(Duration::ZERO);
    assert_eq!(lab.send().await.sent as usize, 20 - sent);
}

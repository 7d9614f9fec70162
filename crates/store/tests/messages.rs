//! The messages side of the store: the outbox (queued once per event key,
//! taken under a lease, retried, failed), customers' contact preferences,
//! blast recipients and the message settings.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use headend_core::clock::ManualClock;
use headend_core::messages::outbox::{Attachment, EventKey, MessageStatus};
use headend_core::messages::settings::{
    GenericBody, HttpMethod, MessageSettings, SmsProvider, SmtpSecurity, SmtpSettings, WhatsappSettings,
};
use headend_core::messages::{Channel, Language, MessageEvent};
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::queue::Backoff;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{CustomerId, InvoiceId};
use headend_store::{
    BlastFilter, ContactPrefs, MessageQuery, NewCustomer, NewMessage, NewPlan, NewRouter, NewService, Store,
};
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

async fn open() -> (tempfile::TempDir, Store, Arc<ManualClock>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::at("2026-03-02T10:00:00Z".parse::<Timestamp>().unwrap()));
    let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap().with_clock(clock.clone());
    (dir, store, clock)
}

async fn customer(store: &Store, name: &str, phone: Option<&str>, email: Option<&str>) -> CustomerId {
    store
        .add_customer(&NewCustomer {
            name: name.into(),
            phone: phone.map(Into::into),
            email: email.map(Into::into),
            address: None,
            location: None,
        })
        .await
        .unwrap()
}

fn message(customer: CustomerId, key: EventKey, channel: Channel) -> NewMessage {
    NewMessage {
        event: MessageEvent::InvoiceIssued,
        key,
        customer,
        channel,
        recipient: Ok("ana@example.net".into()),
        language: Language::english(),
        subject: Some("Your invoice".into()),
        body: "Hello Ana".into(),
        whatsapp_name: None,
        parameters: vec![],
        attachment: Some(Attachment::Invoice("INV-2026-000001".into())),
    }
}

async fn enqueue(store: &Store, messages: &[NewMessage]) -> u64 {
    let mut write = store.begin_write().await.unwrap();
    let n = write.enqueue_messages(messages).await.unwrap();
    write.commit().await.unwrap();
    n
}

#[tokio::test]
async fn an_event_is_queued_once_per_customer_and_channel() {
    let (_dir, store, _) = open().await;
    let ana = customer(&store, "Ana", None, Some("ana@example.net")).await;
    let key = EventKey::invoice_issued(InvoiceId(1));
    assert_eq!(enqueue(&store, &[message(ana, key.clone(), Channel::Email)]).await, 1);
    // A second run queues nothing; another channel or event is another message.
    assert_eq!(enqueue(&store, &[message(ana, key.clone(), Channel::Email)]).await, 0);
    let other = message(ana, EventKey::invoice_issued(InvoiceId(2)), Channel::Email);
    assert_eq!(enqueue(&store, &[message(ana, key, Channel::Sms), other]).await, 2);
    let all = store.messages(&MessageQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|m| m.status == MessageStatus::Queued && m.customer_name == "Ana"));
    assert_eq!(all[2].attachment, Some(Attachment::Invoice("INV-2026-000001".into())));
}

#[tokio::test]
async fn a_rolled_back_event_queues_nothing() {
    let (_dir, store, _) = open().await;
    let ana = customer(&store, "Ana", None, Some("ana@example.net")).await;
    let mut write = store.begin_write().await.unwrap();
    write
        .enqueue_messages(&[message(ana, EventKey::payment_received(headend_core::PaymentId(1)), Channel::Email)])
        .await
        .unwrap();
    drop(write);
    assert!(store.messages(&MessageQuery { limit: 10, ..Default::default() }).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_lease_keeps_two_senders_apart_until_it_ends() {
    let (_dir, store, clock) = open().await;
    let ana = customer(&store, "Ana", None, Some("ana@example.net")).await;
    let batch: Vec<_> = (1..=5).map(|i| message(ana, EventKey::invoice_issued(InvoiceId(i)), Channel::Email)).collect();
    enqueue(&store, &batch).await;
    let lease = Duration::from_secs(120);
    let app = store.claim_messages("app:1", &[Channel::Email], 3, lease).await.unwrap();
    let agent = store.claim_messages("agent:2", &[Channel::Email], 10, lease).await.unwrap();
    assert_eq!((app.len(), agent.len()), (3, 2));
    assert!(app.iter().all(|m| !agent.iter().any(|a| a.id == m.id)));
    assert!(store.claim_messages("agent:2", &[Channel::Email], 10, lease).await.unwrap().is_empty());
    // Only SMS asked: e-mail rows are not taken.
    assert!(store.claim_messages("x", &[Channel::Sms], 10, lease).await.unwrap().is_empty());

    // The app sends one and dies with the rest leased; after the lease the
    // agent takes them.
    store.message_sent(app[0].id, Some("provider-1")).await.unwrap();
    clock.advance(SignedDuration::from_secs(121));
    let taken = store.claim_messages("agent:2", &[Channel::Email], 10, lease).await.unwrap();
    let mut ids: Vec<_> = taken.iter().map(|m| m.id).collect();
    ids.sort();
    let mut expected: Vec<_> = app[1..].iter().chain(&agent).map(|m| m.id).collect();
    expected.sort();
    assert_eq!(ids, expected);
    let sent = store.message(app[0].id).await.unwrap().unwrap();
    assert_eq!((sent.status, sent.provider_id.as_deref(), sent.attempts), (MessageStatus::Sent, Some("provider-1"), 1));
    assert_eq!(sent.sent_at, Some("2026-03-02T10:00:00Z".parse().unwrap()));
}

#[tokio::test]
async fn a_renewed_lease_covers_a_slow_send_and_a_stopping_sender_gives_rows_back() {
    let (_dir, store, clock) = open().await;
    let ana = customer(&store, "Ana", None, Some("ana@example.net")).await;
    let batch: Vec<_> = (1..=3).map(|i| message(ana, EventKey::invoice_issued(InvoiceId(i)), Channel::Email)).collect();
    enqueue(&store, &batch).await;
    let lease = Duration::from_secs(120);
    let taken = store.claim_messages("app:1", &[Channel::Email], 3, lease).await.unwrap();
    // The third is reached 100 s into the batch: renewed, it stays the app's.
    clock.advance(SignedDuration::from_secs(100));
    assert!(store.renew_message_lease(taken[2].id, "app:1", lease).await.unwrap());
    assert!(!store.renew_message_lease(taken[2].id, "agent:2", lease).await.unwrap());
    clock.advance(SignedDuration::from_secs(30));
    let stolen = store.claim_messages("agent:2", &[Channel::Email], 3, lease).await.unwrap();
    assert_eq!(stolen.iter().map(|m| m.id).collect::<Vec<_>>(), [taken[0].id, taken[1].id], "not the renewed one");
    assert!(!store.renew_message_lease(taken[0].id, "app:1", lease).await.unwrap(), "lost: the app skips it");
    // The agent stops before sending its two: they are queued again at once.
    store.release_messages(&[stolen[0].id, stolen[1].id], "agent:2").await.unwrap();
    let again = store.claim_messages("app:1", &[Channel::Email], 3, lease).await.unwrap();
    assert_eq!(again.len(), 2);
}

#[tokio::test]
async fn failures_back_off_then_fail_and_a_retry_starts_over() {
    let (_dir, store, clock) = open().await;
    let ana = customer(&store, "Ana", None, Some("ana@example.net")).await;
    enqueue(&store, &[message(ana, EventKey::overdue(InvoiceId(1)), Channel::Email)]).await;
    let lease = Duration::from_secs(120);
    let backoff = Backoff::Exponential { max_attempts: 2, jitter: 1.0 };
    let m = store.claim_messages("a", &[Channel::Email], 1, lease).await.unwrap().remove(0);
    // Only the holder records its failure.
    assert_eq!(store.message_failed(m.id, "b", "late", backoff).await.unwrap(), None);
    assert_eq!(
        store.message_failed(m.id, "a", "503 from the gateway", backoff).await.unwrap(),
        Some(MessageStatus::Queued)
    );
    let row = store.message(m.id).await.unwrap().unwrap();
    assert!(row.next_attempt_at > headend_core::clock::Clock::now(clock.as_ref()));
    assert!(store.claim_messages("a", &[Channel::Email], 1, lease).await.unwrap().is_empty(), "not due yet");
    assert_eq!(store.next_message_due(&[Channel::Email]).await.unwrap(), Some(row.next_attempt_at));
    assert_eq!(store.next_message_due(&[Channel::Sms]).await.unwrap(), None);
    clock.set(row.next_attempt_at);
    let m = store.claim_messages("a", &[Channel::Email], 1, lease).await.unwrap().remove(0);
    assert_eq!(store.message_failed(m.id, "a", "503 again", backoff).await.unwrap(), Some(MessageStatus::Failed));
    let failed = MessageQuery { status: Some(MessageStatus::Failed), limit: 10, ..Default::default() };
    assert_eq!(store.messages(&failed).await.unwrap()[0].last_error.as_deref(), Some("503 again"));
    assert_eq!(store.message_counts().await.unwrap(), vec![(MessageStatus::Failed, 1)]);
    assert_eq!(store.failed_message_count().await.unwrap(), 1);

    store.retry_message(m.id, Ok("ana@new.example.net".into())).await.unwrap();
    let retried = store.claim_messages("a", &[Channel::Email], 1, lease).await.unwrap().remove(0);
    assert_eq!((retried.attempts, retried.recipient.as_deref()), (0, Some("ana@new.example.net")));
    // A permanent refusal fails at once.
    let refused = store.message_failed(m.id, "a", "invalid number", Backoff::Never).await.unwrap();
    assert_eq!(refused, Some(MessageStatus::Failed));
}

#[tokio::test]
async fn a_message_without_an_address_is_failed_with_the_reason() {
    let (_dir, store, _) = open().await;
    let bob = customer(&store, "Bob", Some("12"), None).await;
    let mut m = message(bob, EventKey::overdue(InvoiceId(9)), Channel::Sms);
    m.recipient = Err("\"12\" cannot be a phone number in KE".into());
    enqueue(&store, &[m]).await;
    let rows = store.messages(&MessageQuery { customer: Some(bob), limit: 5, ..Default::default() }).await.unwrap();
    assert_eq!(rows[0].status, MessageStatus::Failed);
    assert_eq!(rows[0].recipient, None);
    assert!(rows[0].last_error.as_deref().unwrap().contains("cannot be a phone"));
    assert!(store.claim_messages("a", &[Channel::Sms], 5, Duration::from_secs(60)).await.unwrap().is_empty());
}

#[tokio::test]
async fn contacts_carry_preferences_plans_and_balance_and_blasts_filter_them() {
    let (_dir, store, _) = open().await;
    let plan = store
        .add_plan(&NewPlan {
            name: "Fibra 100".into(),
            limits: RateLimit::from_parts("100M/100M", None, None, None).unwrap(),
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let mut routers = Vec::new();
    for name in ["north", "south"] {
        let router = store
            .add_router(&NewRouter {
                name: name.into(),
                host: "127.0.0.1".into(),
                port: 8728,
                transport: Transport::Api,
                username: "admin".into(),
                pop: None,
                location: None,
            })
            .await
            .unwrap();
        routers.push(router);
    }
    let ana = customer(&store, "Ana", Some("0712 345 678"), Some("ana@example.net")).await;
    let bob = customer(&store, "Bob", Some("+254 733 000 111"), None).await;
    for (i, (who, router, status)) in
        [(ana, routers[0], ServiceStatus::Active), (bob, routers[1], ServiceStatus::Suspended)].into_iter().enumerate()
    {
        store
            .add_service(&NewService {
                customer: who,
                router,
                plan,
                access: Access::Pppoe { username: format!("user{i}"), address: None },
                password: None,
                status,
                next_billing_date: None,
                grace_days: None,
                adopt: false,
            })
            .await
            .unwrap();
    }
    let prefs = ContactPrefs {
        language: Some("sw".parse().unwrap()),
        preferred: Some(Channel::Sms),
        opted_out: vec![Channel::Email, Channel::Whatsapp],
    };
    let mut write = store.begin_write().await.unwrap();
    write.set_contact_prefs(ana, &prefs).await.unwrap();
    write.commit().await.unwrap();

    let contacts = store.contacts(&[ana, bob]).await.unwrap();
    let a = contacts.iter().find(|c| c.customer == ana).unwrap();
    assert_eq!(a.prefs, prefs);
    assert_eq!(a.plans, vec!["Fibra 100".to_owned()]);
    assert_eq!(a.balance_minor, 0);

    let everyone = store.blast_recipients(&BlastFilter::default()).await.unwrap();
    assert_eq!(everyone.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Ana", "Bob"]);
    let south = BlastFilter { router: Some(routers[1]), ..Default::default() };
    assert_eq!(store.blast_recipients(&south).await.unwrap()[0].customer, bob);
    let suspended = BlastFilter { status: Some(ServiceStatus::Active), ..Default::default() };
    assert_eq!(store.blast_recipients(&suspended).await.unwrap()[0].customer, ana);
    let nobody = BlastFilter { olt: Some((headend_core::OltId(1), Some("0/1/0".into()))), ..Default::default() };
    assert!(store.blast_recipients(&nobody).await.unwrap().is_empty());
}

#[tokio::test]
async fn message_settings_round_trip() {
    let (_dir, store, _) = open().await;
    assert_eq!(store.message_settings().await.unwrap(), MessageSettings::default());
    let mut settings = MessageSettings {
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::None,
            username: Some("billing".into()),
            from: "Fibra Sul <billing@example.net>".into(),
        }),
        sms: Some(SmsProvider::Generic {
            url: "http://127.0.0.1:9000/send?to={to}".into(),
            method: HttpMethod::Post,
            headers: vec![("Authorization".into(), "Bearer {secret}".into())],
            body: GenericBody::Json,
            template: "{\"text\": \"{text}\"}".into(),
        }),
        whatsapp: Some(WhatsappSettings {
            base_url: "http://127.0.0.1:9001".into(),
            api_version: "v21.0".into(),
            phone_number_id: "1055".into(),
        }),
        quiet_hours: Some("21:00-08:00".parse().unwrap()),
        reminder_days: "7,3,1".parse().unwrap(),
        default_country: "KE".parse().unwrap(),
        default_language: "sw".parse().unwrap(),
        isp_phone: "+254 700 000 000".into(),
        ..MessageSettings::default()
    };
    store.set_message_settings(&settings).await.unwrap();
    assert_eq!(store.message_settings().await.unwrap(), settings);
    settings.sms = Some(SmsProvider::AfricasTalking {
        base_url: "http://127.0.0.1:9002".into(),
        username: "sandbox".into(),
        sender_id: None,
    });
    settings.smtp = None;
    store.set_message_settings(&settings).await.unwrap();
    assert_eq!(store.message_settings().await.unwrap(), settings);
}

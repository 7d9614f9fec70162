//! `cargo xtask bench messages`: the outbox at 10,000 customers, on a
//! fixed clock, against a simulated SMTP server and SMS gateway on
//! loopback.
//!
//! 10,000 customers (half with an e-mail address, the rest written to by
//! SMS through the simulated Twilio) each have an open invoice due on 5
//! January 2026. Measured: the reminder run that queues their 10,000
//! "due in 3 days" messages (target < 2 s) and the same run again (queues
//! nothing); then sending them at a configured rate of 12,000 a minute per
//! channel (achieved rate per channel, which must be the configured one:
//! throughput limited only by the rate limit), and the "due tomorrow"
//! messages at the highest rate (what the sender itself can do). Every
//! message must arrive once.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use headend_core::activity::Actor;
use headend_core::clock::{Clock, ManualClock};
use headend_core::messages::settings::{MessageSettings, RateLimit};
use headend_core::plan::{BillingCycle, RateLimit as PlanRate};
use headend_core::provision::policy::IspPolicy;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_secrets::Secret;
use headend_simlab::{SimGateway, SimGatewayConfig, SimSmtp, SimSmtpConfig};
use headend_store::{ImportService, NewCustomer, NewPlan, NewRouter, Store};
use headend_workflows::messages::ProviderCredentials;
use headend_workflows::{Keyring, NoEngine, Workflows};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

const CUSTOMERS: usize = 10_000;
/// The paced pass's rate, a minute per channel.
const PACED_PER_MINUTE: u32 = 12_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::at(noon(date(2025, 12, 20)));
    let store = Store::open(&dir.path().join("headend.sqlite3")).await?.with_clock(Arc::new(clock.clone()));
    let w = Workflows::new(store.clone(), Keyring::lazy(), Arc::new(NoEngine));
    let policy = store.isp_policy().await?;
    store.set_isp_policy(&IspPolicy { time_zone: jiff::tz::TimeZone::UTC, ..policy }).await?;
    let mut billing = w.billing_settings().await?;
    billing.company = "Bench Networks Ltd".into();
    billing.payment_instructions = "M-Pesa paybill 123456".into();
    w.set_billing_settings(&Actor::Operator, billing).await?;
    let router = store
        .add_router(&NewRouter {
            name: "core-1".into(),
            host: "192.0.2.1".into(),
            port: 8728,
            transport: Transport::Api,
            username: "admin".into(),
            pop: None,
            location: None,
        })
        .await?;
    let plan = store
        .add_plan(&NewPlan {
            name: "Home 20".into(),
            limits: PlanRate::from_parts("10M/20M", None, None, None)?,
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await?;

    eprintln!("seeding: {CUSTOMERS} customers with an invoice due on 2026-01-05");
    let rows: Vec<ImportService> = (0..CUSTOMERS)
        .map(|n| ImportService {
            customer_name: format!("Customer {n:05}"),
            customer_phone: Some(format!("+254 7{n:08}")),
            router,
            plan,
            access: Access::StaticIp {
                address: IpAddr::V4(Ipv4Addr::new(
                    10,
                    (n / 62_500) as u8,
                    ((n / 250) % 250) as u8,
                    (n % 250) as u8 + 1,
                )),
            },
            password: None,
            status: ServiceStatus::Active,
            next_billing_date: Some(date(2026, 1, 5)),
            adopt: false,
            customer_address: None,
            customer_location: None,
        })
        .collect();
    store.import_services(&rows, clock.now(), &Actor::Cli).await?;
    clock.set(noon(date(2025, 12, 29)));
    let issued = w.invoice_run(&Actor::Engine, None).await?.issued.len();
    anyhow::ensure!(issued == CUSTOMERS, "{issued} invoices issued, not {CUSTOMERS}");
    let mut write = store.begin_write().await?;
    for c in store.customers().await?.iter().filter(|c| c.id.0 % 2 == 0) {
        let email = Some(format!("customer{}@bench.test", c.id.0));
        let new = NewCustomer { name: c.name.clone(), phone: c.phone.clone(), email, address: None, location: None };
        write.update_customer(c.id, &new).await?;
    }
    write.commit().await?;

    let smtp = SimSmtp::start(SimSmtpConfig::default()).await?;
    let gateway = SimGateway::start(SimGatewayConfig::default()).await?;
    let paced = RateLimit::new(PACED_PER_MINUTE, "rate")?;
    let mut settings = MessageSettings {
        smtp: Some(smtp.settings("Bench Networks <billing@bench.test>")),
        sms: Some(gateway.twilio("+15005550006")),
        default_country: "KE".parse()?,
        email_rate: paced,
        sms_rate: paced,
        ..MessageSettings::default()
    };
    let credentials = ProviderCredentials {
        email: SimSmtpConfig::default().credentials.map(|(_, password)| Secret::new(password)),
        sms: Some(Secret::new(gateway.config().twilio_auth_token.clone())),
        whatsapp: None,
    };
    w.set_message_settings(&Actor::Operator, &settings, credentials).await?;

    clock.set(noon(date(2026, 1, 2)));
    let started = Instant::now();
    let queued = w.queue_reminders().await?;
    let queue_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let again = w.queue_reminders().await?;
    let requeue_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(queued.due_soon == CUSTOMERS as u64, "{} reminders queued", queued.due_soon);
    anyhow::ensure!(again.due_soon == 0, "the second run queued {}", again.due_soon);
    eprintln!("queued {} reminders in {queue_s:.2} s; again: 0 in {requeue_s:.2} s", queued.due_soon);

    eprintln!("sending at {PACED_PER_MINUTE} a minute per channel");
    let paced_pass = send_all(&w, &smtp, &gateway, CUSTOMERS).await?;

    settings.email_rate = RateLimit::new(RateLimit::MAX, "rate")?;
    settings.sms_rate = settings.email_rate;
    w.set_message_settings(&Actor::Operator, &settings, ProviderCredentials::default()).await?;
    clock.set(noon(date(2026, 1, 4)));
    let tomorrow = w.queue_reminders().await?.due_soon;
    anyhow::ensure!(tomorrow == CUSTOMERS as u64, "{tomorrow} day-before reminders queued");
    eprintln!("sending at the highest rate ({} a minute per channel)", RateLimit::MAX);
    let unpaced_pass = send_all(&w, &smtp, &gateway, 2 * CUSTOMERS).await?;

    let json = serde_json::json!({
        "customers": CUSTOMERS,
        "reminders_queued": queued.due_soon,
        "queue_reminders_s": round(queue_s),
        "queue_reminders_again_s": round(requeue_s),
        "paced": paced_pass.json(PACED_PER_MINUTE),
        "highest_rate": unpaced_pass.json(RateLimit::MAX),
    });
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

/// One sending pass as the simulators saw it.
struct Pass {
    wall_s: f64,
    email: usize,
    sms: usize,
    sent: u64,
}

impl Pass {
    fn json(&self, per_minute: u32) -> serde_json::Value {
        serde_json::json!({
            "configured_per_minute_per_channel": per_minute,
            "configured_per_second_per_channel": round(f64::from(per_minute) / 60.0),
            "sent": self.sent,
            "wall_s": round(self.wall_s),
            "email": { "received": self.email, "per_second": round(self.email as f64 / self.wall_s) },
            "sms": { "received": self.sms, "per_second": round(self.sms as f64 / self.wall_s) },
        })
    }
}

/// Sends everything due; checks the simulators received `total` messages
/// in all by the end (every message once: none lost, none twice).
async fn send_all(w: &Workflows, smtp: &SimSmtp, gateway: &SimGateway, total: usize) -> anyhow::Result<Pass> {
    let (email_before, sms_before) = (smtp.received().len(), gateway.messages().len());
    let started = Instant::now();
    let run = w.send_due_messages("bench:1").await?;
    let wall_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(run.failed.is_empty() && run.retrying == 0, "failures: {:?}", run.failed.first());
    let mail = smtp.wait_for(total / 2, Duration::from_secs(30)).await.len();
    let sms = gateway.messages().len();
    anyhow::ensure!(mail + sms == total, "received {mail} e-mails and {sms} SMS, not {total} in all");
    Ok(Pass { wall_s, email: mail - email_before, sms: sms - sms_before, sent: run.sent })
}

fn noon(day: Date) -> Timestamp {
    jiff::tz::TimeZone::UTC.to_timestamp(day.at(12, 0, 0, 0)).expect("a valid instant")
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

//! `cargo xtask bench billing`: the billing workflows on a database in a
//! temporary folder, on a fixed clock, with no network. Prints one JSON
//! object:
//!
//! - `invoice_run_10000_services_s`: `Workflows::invoice_run` over 10,000
//!   active services on 8,000 customers, every one's next period starting
//!   within the lead time (target < 2 s); `second_run_s` runs it again,
//!   which must issue nothing (`second_run_issued`);
//! - `pdf_1000_invoices_s`, `pdf_pages_per_s`, `merged_pdf_1000_s`: a
//!   month of 1,000 invoices through `save_month_pdfs`, one file each and
//!   merged (target < 20 s on 2 cores);
//! - `xlsx_100000_rows_s`, `xlsx_peak_rss_mb`: `export` of 100,000 invoice
//!   rows to XLSX in a child process that does only that; its peak RSS is
//!   its own `VmHWM` (targets < 10 s, < 300 MB);
//! - `statement_p50_ms`/`p99`, `revenue_p50_ms`/`p99`: the store's
//!   statement of a random customer and revenue report of a random month
//!   with 100,000 invoices in the database (target p99 < 5 ms).
//!
//! The database is seeded honestly, through the workflows: services are
//! imported (the store's bulk import, as `headend import` does), invoices
//! come from monthly `invoice_run`s (1,000 in December 2025, then 10,000 a
//! month from January to October 2026) and payments from `record_payment`
//! (most invoices paid in full, some partly, some twice over, a fifth not
//! at all). Only the PDF and XLSX timings include writing files.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use headend_core::activity::Actor;
use headend_core::billing::ledger::PaymentMethod;
use headend_core::billing::settings::BillingSettings;
use headend_core::clock::{Clock as _, ManualClock};
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::policy::IspPolicy;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{CustomerId, PlanId, RouterId, ServiceId};
use headend_store::{ImportService, InvoiceQuery, NewPlan, NewRouter, Store};
use headend_workflows::billing::{ExportFormat, ExportKind, PaymentInput};
use headend_workflows::{Keyring, NoEngine, Workflows};
use jiff::civil::{Date, date};
use jiff::{Timestamp, ToSpan};
use rust_decimal::Decimal;

/// Customers; the first `TWO_SERVICES` of them have a second service.
const CUSTOMERS: usize = 8_000;
const TWO_SERVICES: usize = 2_000;
/// Customers (the last ones) whose service started a month early: their
/// December 2025 invoices are the month printed as PDFs.
const EARLY: usize = 1_000;
/// Monthly invoice runs after the timed one (February to October 2026).
const LATER_RUNS: i8 = 9;
const SAMPLES: usize = 300;
const XLSX_CHILD: &str = "--xlsx-child";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(XLSX_CHILD) {
        let [_, _, db, out, now] = args.as_slice() else { anyhow::bail!("usage: {XLSX_CHILD} DB OUT NOW") };
        return xlsx_child(Path::new(db), Path::new(out), now.parse()?).await;
    }

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("headend.sqlite3");
    let clock = ManualClock::at(noon(date(2025, 11, 25)));
    let w = workflows(&db, &clock).await?;
    let store = w.store().clone();
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
            limits: RateLimit::from_parts("10M/20M", None, None, None)?,
            price: Decimal::new(2500, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await?;
    let policy = store.isp_policy().await?;
    store.set_isp_policy(&IspPolicy { time_zone: jiff::tz::TimeZone::UTC, ..policy }).await?;
    let settings = w
        .set_billing_settings(
            &Actor::Operator,
            BillingSettings {
                tax_rate: "16".parse()?,
                company: "Bench Networks Ltd".into(),
                address: "12 Fibre Road\nNairobi".into(),
                tax_id: "P051234567X".into(),
                payment_instructions: "M-Pesa paybill 123456, account: your invoice number".into(),
                // Unpaid services keep being invoiced the whole year.
                invoices_while_suspended: BillingSettings::MAX_WHILE_SUSPENDED,
                ..BillingSettings::default()
            },
        )
        .await?;
    let currency = settings.currency.clone();

    // December 2025: the early customers' first invoices.
    eprintln!("seeding: {EARLY} services from December 2025");
    let early: Vec<Seed> = seeds().into_iter().filter(|s| s.customer >= CUSTOMERS - EARLY).collect();
    store.import_services(&import_rows(&early, router, plan, date(2025, 12, 1)), clock.now(), &Actor::Cli).await?;
    let december = month_run(&w, &clock, date(2025, 12, 1)).await?;
    anyhow::ensure!(december == EARLY, "December issued {december} invoices, not {EARLY}");
    pay_month(&w, &clock, &early, &service_ids(&store).await?, date(2025, 12, 1)).await?;

    // January 2026: everyone else joins; the timed run.
    let rest: Vec<Seed> = seeds().into_iter().filter(|s| s.customer < CUSTOMERS - EARLY).collect();
    clock.set(noon(date(2025, 12, 28)));
    store.import_services(&import_rows(&rest, router, plan, date(2026, 1, 1)), clock.now(), &Actor::Cli).await?;
    let ids = service_ids(&store).await?;
    let all = seeds();
    let found = ids.iter().flatten().count();
    anyhow::ensure!(found == all.len(), "{found} services imported, not {}", all.len());
    eprintln!("invoice run: {} services on {CUSTOMERS} customers", all.len());
    clock.set(noon(date(2026, 1, 1)));
    let started = Instant::now();
    let run = w.invoice_run(&Actor::Engine, None).await?;
    let run_s = started.elapsed().as_secs_f64();
    let issued = run.issued.len();
    let started = Instant::now();
    let again = w.invoice_run(&Actor::Engine, None).await?;
    let second_s = started.elapsed().as_secs_f64();
    eprintln!("  {issued} invoices in {run_s:.2} s; again: {} in {second_s:.2} s", again.issued.len());
    pay_month(&w, &clock, &all, &ids, date(2026, 1, 1)).await?;

    // February to October: the database grows to 100,000 invoices.
    let mut later_runs = Vec::new();
    for m in 0..LATER_RUNS {
        let day = date(2026, 2 + m, 1);
        let started = Instant::now();
        let n = month_run(&w, &clock, day).await?;
        let seconds = started.elapsed().as_secs_f64();
        later_runs.push(seconds);
        eprintln!("seeding: {day}: {n} invoices in {seconds:.2} s");
        pay_month(&w, &clock, &all, &ids, day).await?;
    }
    let today = date(2026, 10, 28);
    clock.set(noon(today));
    let all_documents = InvoiceQuery { credit_notes: true, ..InvoiceQuery::default() };
    let invoices_in_db = store.invoices(&all_documents, today).await?.len();
    let payments_in_db = store.payment_export(None, None).await?.len();
    eprintln!("database: {invoices_in_db} invoices, {payments_in_db} payments");

    // Statements and revenue at 100,000 invoices.
    let mut rng = Lcg(0x5eed);
    let mut statement_ms = Vec::with_capacity(SAMPLES);
    let mut revenue_ms = Vec::with_capacity(SAMPLES);
    let mut entries = 0usize;
    for _ in 0..SAMPLES {
        let customer = CustomerId(rng.below(CUSTOMERS as u64) as i64 + 1);
        let t = Instant::now();
        let statement = store.statement(customer, &currency).await?;
        statement_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        entries += statement.entries.len();
        let month = date(2025, 12, 15).checked_add((rng.below(11) as i64).months())?;
        let t = Instant::now();
        store.revenue(month, today, &currency).await?;
        revenue_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    // PDFs of December 2025's 1,000 invoices.
    eprintln!("PDF: December 2025, one file each");
    let pdf_dir = dir.path().join("pdf");
    let started = Instant::now();
    let saved = w.save_month_pdfs(date(2025, 12, 1), &pdf_dir, false).await?;
    let pdf_s = started.elapsed().as_secs_f64();
    let mut pages = 0;
    for file in &saved.files {
        pages += page_count(&std::fs::read(file)?);
    }
    eprintln!("PDF: December 2025, merged");
    let merged_path = dir.path().join("december.pdf");
    let started = Instant::now();
    let merged = w.save_month_pdfs(date(2025, 12, 1), &merged_path, true).await?;
    let merged_s = started.elapsed().as_secs_f64();
    let merged_pages = page_count(&std::fs::read(&merged_path)?);

    // XLSX of January to October 2026 (100,000 invoices) in a child process.
    eprintln!("XLSX: 100,000 invoice rows in a child process");
    let xlsx_path = dir.path().join("invoices.xlsx");
    let output = std::process::Command::new(std::env::current_exe()?)
        .arg(XLSX_CHILD)
        .arg(&db)
        .arg(&xlsx_path)
        .arg(noon(today).to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running the XLSX child")?;
    anyhow::ensure!(output.status.success(), "the XLSX child failed: {}", output.status);
    let xlsx: serde_json::Value = serde_json::from_slice(&output.stdout).context("the XLSX child's output")?;

    let json = serde_json::json!({
        "bench": "billing",
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "services": all.len(),
        "customers": CUSTOMERS,
        "invoice_run_10000_services_s": round(run_s),
        "invoices_issued": issued,
        "second_run_s": round(second_s),
        "second_run_issued": again.issued.len(),
        "later_runs_max_s": round(later_runs.iter().copied().fold(0.0, f64::max)),
        "pdf_invoices": saved.documents,
        "pdf_1000_invoices_s": round(pdf_s),
        "pdf_pages": pages,
        "pdf_pages_per_s": round(pages as f64 / pdf_s),
        "merged_pdf_invoices": merged.documents,
        "merged_pdf_1000_s": round(merged_s),
        "merged_pdf_pages": merged_pages,
        "merged_pdf_mb": round(std::fs::metadata(&merged_path)?.len() as f64 / 1_048_576.0),
        "xlsx_rows": xlsx["rows"],
        "xlsx_100000_rows_s": xlsx["seconds"],
        "xlsx_peak_rss_mb": xlsx["peak_rss_mb"],
        "xlsx_rss_before_export_mb": xlsx["rss_before_mb"],
        "xlsx_file_mb": xlsx["file_mb"],
        "statement_p50_ms": round(percentile(&mut statement_ms, 0.5)),
        "statement_p99_ms": round(percentile(&mut statement_ms, 0.99)),
        "statement_entries_mean": round(entries as f64 / SAMPLES as f64),
        "revenue_p50_ms": round(percentile(&mut revenue_ms, 0.5)),
        "revenue_p99_ms": round(percentile(&mut revenue_ms, 0.99)),
        "samples": SAMPLES,
        "invoices_in_db": invoices_in_db,
        "payments_in_db": payments_in_db,
    });
    println!("{json}");
    Ok(())
}

/// The child: opens the database, exports January to October 2026's
/// invoices to XLSX, and prints its time and its own peak RSS.
async fn xlsx_child(db: &Path, out: &Path, now: Timestamp) -> anyhow::Result<()> {
    let clock = ManualClock::at(now);
    let w = workflows(db, &clock).await?;
    let rss_before = status_kib("VmHWM")?;
    let started = Instant::now();
    let saved = w
        .export(ExportKind::Invoices, ExportFormat::Xlsx, (Some(date(2026, 1, 1)), Some(date(2026, 10, 31))), out)
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM")?;
    let json = serde_json::json!({
        "rows": saved.documents,
        "seconds": round(seconds),
        "peak_rss_mb": round(peak as f64 / 1024.0),
        "rss_before_mb": round(rss_before as f64 / 1024.0),
        "file_mb": round(std::fs::metadata(out)?.len() as f64 / 1_048_576.0),
    });
    println!("{json}");
    Ok(())
}

async fn workflows(db: &Path, clock: &ManualClock) -> anyhow::Result<Workflows> {
    let store = Store::open(db).await?.with_clock(Arc::new(clock.clone()));
    Ok(Workflows::new(store, Keyring::lazy(), Arc::new(NoEngine)))
}

/// One service: its customer and the day of the month it is billed on.
#[derive(Debug, Clone, Copy)]
struct Seed {
    index: usize,
    customer: usize,
    day_offset: i8,
}

/// Every customer's first service, then the second services; a customer's
/// two services are billed on different days (so on different invoices).
fn seeds() -> Vec<Seed> {
    let first = (0..CUSTOMERS).map(|c| Seed { index: c, customer: c, day_offset: (c % 8) as i8 });
    let second = (0..TWO_SERVICES).map(|c| Seed { index: CUSTOMERS + c, customer: c, day_offset: ((c + 3) % 8) as i8 });
    first.chain(second).collect()
}

/// Static-IP services (no password to keep), next due on `month`'s first
/// to eighth day: every one within the 7 days' lead time of the 1st.
fn import_rows(seeds: &[Seed], router: RouterId, plan: PlanId, month: Date) -> Vec<ImportService> {
    seeds
        .iter()
        .map(|s| {
            let n = s.index;
            let ip = Ipv4Addr::new(10, (n / 62_500) as u8, ((n / 250) % 250) as u8, (n % 250) as u8 + 1);
            ImportService {
                customer_name: format!("Customer {:05}", s.customer),
                customer_phone: Some(format!("+254 7{:08}", s.customer)),
                router,
                plan,
                access: Access::StaticIp { address: IpAddr::V4(ip) },
                password: None,
                status: ServiceStatus::Active,
                next_billing_date: Some(month.checked_add(i64::from(s.day_offset).days()).expect("a day in the month")),
                adopt: false,
                customer_address: None,
                customer_location: None,
            }
        })
        .collect()
}

/// Service ids by seed index, found by their addresses.
async fn service_ids(store: &Store) -> anyhow::Result<Vec<Option<ServiceId>>> {
    let mut by_index = vec![None; seeds().len()];
    for service in store.services().await? {
        if let Access::StaticIp { address: IpAddr::V4(ip) } = service.access {
            let [_, a, b, c] = ip.octets().map(usize::from);
            if let Some(slot) = by_index.get_mut(a * 62_500 + b * 250 + c - 1) {
                *slot = Some(service.id);
            }
        }
    }
    Ok(by_index)
}

/// The invoice run on `day`, at noon; the number of invoices issued.
async fn month_run(w: &Workflows, clock: &ManualClock, day: Date) -> anyhow::Result<usize> {
    clock.set(noon(day));
    Ok(w.invoice_run(&Actor::Engine, None).await?.issued.len())
}

/// Payments for the month that started on `day`, recorded on its 27th:
/// 70 % pay their invoice in full, 5 % part of it, 5 % two months' worth,
/// 20 % nothing.
async fn pay_month(
    w: &Workflows,
    clock: &ManualClock,
    seeds: &[Seed],
    ids: &[Option<ServiceId>],
    day: Date,
) -> anyhow::Result<()> {
    clock.set(noon(day.checked_add(26.days())?));
    let full = Decimal::new(2900, 2);
    let started = Instant::now();
    let mut n = 0;
    for s in seeds {
        let roll = (s.index as u64 * 2_654_435_761 + day.month() as u64 * 40_503) % 100;
        let amount = match roll {
            0..70 => full,
            70..75 => Decimal::new(1000, 2),
            75..80 => full * Decimal::TWO,
            _ => continue,
        };
        let method = [PaymentMethod::MobileMoney, PaymentMethod::Cash, PaymentMethod::BankTransfer][s.index % 3];
        w.record_payment(
            &Actor::Operator,
            &PaymentInput {
                service: ids[s.index].context("every seeded service was imported")?,
                amount,
                method,
                reference: (method != PaymentMethod::Cash).then(|| format!("TX{:06}{}", s.index, day.month())),
                date: Some(day.checked_add(i64::from(s.day_offset + 7 + (s.index % 12) as i8).days())?),
                months: None,
                invoice: None,
            },
        )
        .await?;
        n += 1;
    }
    eprintln!("  {n} payments in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn noon(day: Date) -> Timestamp {
    jiff::tz::TimeZone::UTC.to_timestamp(day.at(12, 0, 0, 0)).expect("a valid instant")
}

/// Pages in a PDF: its page objects (`/Type/Page`, not `/Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1).filter(|w| w.starts_with(needle) && w[needle.len()] != b's').count()
}

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with(field)).with_context(|| format!("no {field}"))?;
    line.split_whitespace().nth(1).context("no value")?.parse().context("not a number")
}

/// A small deterministic generator: the same customers and months every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

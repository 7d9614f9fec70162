//! The invoice run: every service whose next period starts within the
//! lead time gets the invoice for that period, once; a customer's services
//! due on the same day share one invoice, which also carries their pending
//! one-off charges and their coupons' discounts. The whole run is one write
//! unit, so running it again (or the app's daily run meeting a `headend
//! invoice run`) issues nothing twice.

use std::collections::BTreeMap;
use std::time::Duration;

use headend_core::CustomerId;
use headend_core::activity::{Actor, Subject};
use headend_core::billing::invoice::{DraftLine, LineKind, price_lines, prorate};
use headend_core::billing::schedule::{BillingState, next_period};
use headend_core::billing::settings::BillingSettings;
use headend_core::provision::policy::IspPolicy;
use headend_store::{BillingRow, Coupon, IssuedInvoice, NewInvoice, PendingCharge, ServiceBilled};
use jiff::civil::Date;

use crate::messages::compose::Composer;
use crate::{WorkflowError, Workflows};

/// Periods of one service in one run at most: a run catches up on a
/// service whose lead time covers more than one short period, never more.
const MAX_PERIODS_PER_RUN: usize = 12;

/// How often the engines (the app, `headend agent`) run the invoice run.
/// A run issues nothing twice, so running hourly issues each invoice within
/// an hour of its day starting, in the ISP's time zone, and a machine that
/// was off catches up within an hour of starting.
pub const INVOICE_RUN_EVERY: Duration = Duration::from_secs(3600);

/// What a run issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRun {
    /// The day it ran for.
    pub date: Date,
    pub issued: Vec<IssuedInvoice>,
}

/// One invoice being put together: its lines and what it bills.
#[derive(Default)]
struct Draft {
    lines: Vec<DraftLine>,
    services: Vec<ServiceBilled>,
    coupons: Vec<i64>,
    charges: Vec<i64>,
}

/// The invoices of `rows` on `day`, before numbers and tax are applied.
fn plan_invoices(
    rows: &[BillingRow],
    charges: &[PendingCharge],
    coupons: &[Coupon],
    settings: &BillingSettings,
    policy: &IspPolicy,
    day: Date,
) -> BTreeMap<(CustomerId, Date), Draft> {
    let mut drafts: BTreeMap<(CustomerId, Date), Draft> = BTreeMap::new();
    for row in rows {
        let s = &row.service;
        let mut state = BillingState {
            service: s.id,
            customer: s.customer,
            status: s.status,
            cut_off: policy.standing(s, day).grace_ended,
            cycle: row.cycle,
            billing_day: row.billing_day,
            paid_through: s.next_billing_date,
            invoiced_through: row.invoiced_through,
            activated_on: row.activated_on,
        };
        let rate = row.tax_rate.unwrap_or(settings.tax_rate);
        for _ in 0..MAX_PERIODS_PER_RUN {
            let Some(due) = next_period(&state, settings, day) else { break };
            let (price, description) = match due.prorated_of {
                Some(whole) => (
                    prorate(row.price, due.period, whole),
                    format!("{} (prorated: {} of {} days)", row.plan_name, due.period.days(), whole.days()),
                ),
                None => (row.price, row.plan_name.clone()),
            };
            let line = DraftLine {
                kind: LineKind::Service,
                service: Some(s.id),
                description,
                period: Some(due.period),
                price,
                tax_rate: rate,
            };
            let draft = drafts.entry((s.customer, due.due_on)).or_default();
            let fresh: Vec<&Coupon> =
                coupons.iter().filter(|c| c.service == s.id && !draft.coupons.contains(&c.id)).collect();
            let discounts: Vec<DraftLine> = fresh.iter().map(|c| c.discount.line_for(&line, &c.description)).collect();
            draft.coupons.extend(fresh.iter().map(|c| c.id));
            draft.lines.push(line);
            draft.lines.extend(discounts);
            draft.services.retain(|b| b.service != s.id);
            draft.services.push(ServiceBilled {
                service: s.id,
                invoiced_through: due.period.until,
                billing_day: due.billing_day,
            });
            state.invoiced_through = Some(due.period.until);
            state.billing_day = Some(due.billing_day);
        }
    }
    // Pending lines (one-off charges, plan-change proration) ride on the
    // customer's first invoice of the run.
    for charge in charges {
        if let Some((_, draft)) = drafts.range_mut((charge.customer, Date::MIN)..=(charge.customer, Date::MAX)).next() {
            draft.lines.push(DraftLine {
                kind: charge.kind,
                service: charge.service,
                description: charge.description.clone(),
                period: charge.period,
                price: charge.amount,
                tax_rate: charge.tax_rate.unwrap_or(settings.tax_rate),
            });
            draft.charges.push(charge.id);
        }
    }
    drafts
}

impl Workflows {
    /// Runs the invoice run now and every [`INVOICE_RUN_EVERY`] after, as
    /// the engine, handing each outcome to `report` (a failure is the
    /// operator's to see: the app raises a notification).
    pub async fn run_invoices_periodically(&self, mut report: impl FnMut(Result<InvoiceRun, WorkflowError>)) {
        loop {
            report(self.invoice_run(&Actor::Engine, None).await);
            tokio::time::sleep(INVOICE_RUN_EVERY).await;
        }
    }

    /// Runs the invoice run for `date` (the ISP's today by default); see
    /// the module's doc.
    pub async fn invoice_run(&self, actor: &Actor, date: Option<Date>) -> Result<InvoiceRun, WorkflowError> {
        let composer = Composer::load(&self.store).await?;
        let settings = composer.billing().clone();
        let (policy, today) = self.today().await?;
        let day = date.unwrap_or(today);
        let mut write = self.store.begin_write().await?;
        let rows = write.billing_rows().await?;
        let charges = write.pending_charges().await?;
        let coupons = write.coupons().await?;
        let drafts = plan_invoices(&rows, &charges, &coupons, &settings, &policy, day);
        let invoices: Vec<NewInvoice> = drafts
            .into_iter()
            .map(|((customer, due_on), draft)| {
                let (lines, totals) = price_lines(draft.lines, settings.tax_mode, &settings.currency);
                NewInvoice {
                    customer,
                    issue_date: day,
                    due_date: due_on,
                    lines,
                    totals,
                    charges: draft.charges,
                    coupons: draft.coupons,
                    services: draft.services,
                }
            })
            .collect();
        let issued = write.issue_invoices(&invoices, &settings, actor).await?;
        composer.queue_invoices_issued(&mut write, &issued).await?;
        write.commit().await?;
        if !issued.is_empty() {
            let total: rust_decimal::Decimal = issued.iter().map(|i| i.gross).sum();
            let detail = format!("{} invoice(s) for {day}, {total} {}", issued.len(), settings.currency);
            self.log(actor, Subject::Policy, "invoice run", detail).await;
        }
        Ok(InvoiceRun { date: day, issued })
    }
}

//! Invoices and credit notes: issuing (with the customer's credit applied),
//! reading, voiding and crediting; and what a settled invoice does to its
//! services' paid-through dates.

use std::str::FromStr;

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::billing::calendar::{BillingDay, Period};
use headend_core::billing::invoice::{DocumentKind, InvoiceStatus, Line, LineKind};
use headend_core::billing::ledger::{OpenInvoice, allocate};
use headend_core::billing::money::Currency;
use headend_core::billing::numbering::Series;
use headend_core::billing::schedule::paid_through_after;
use headend_core::billing::settings::{BillingSettings, InvoiceTiming};
use headend_core::billing::tax::{Amounts, TaxMode, TaxRate};
use headend_core::plan::BillingCycle;
use headend_core::{CustomerId, InvoiceId, PaymentId, RouterId, ServiceId};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{currency, from_minor, minor, next_number};
use crate::error::StoreError;
use crate::store::activity::insert_activity;
use crate::store::{Store, contains_pattern, corrupt, opt_date, parse_date, parse_ts, sweep_router, ts};

/// An invoice or credit note as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    pub id: InvoiceId,
    pub number: String,
    pub kind: DocumentKind,
    pub customer: CustomerId,
    pub customer_name: String,
    /// A credit note's invoice (its number).
    pub credits: Option<String>,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: Currency,
    pub tax_mode: TaxMode,
    pub totals: Amounts,
    /// What payments and credit notes put on it (an invoice), or what of
    /// it was applied to invoices (a credit note).
    pub settled: Decimal,
    /// A credit note's reason.
    pub reason: Option<String>,
    pub void: Option<VoidRecord>,
    pub issued_at: Timestamp,
    pub actor: Actor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidRecord {
    pub at: Timestamp,
    pub reason: String,
}

impl InvoiceRecord {
    /// What is still due on an invoice (0 for a credit note or a void one).
    pub fn amount_due(&self) -> Decimal {
        if self.kind == DocumentKind::CreditNote || self.void.is_some() {
            return Decimal::ZERO;
        }
        (self.totals.gross - self.settled).max(Decimal::ZERO)
    }

    /// Its status on `today` (a credit note is `paid` once issued: it owes
    /// nothing).
    pub fn status(&self, today: Date) -> InvoiceStatus {
        match self.kind {
            DocumentKind::CreditNote if self.void.is_none() => InvoiceStatus::Paid,
            _ => InvoiceStatus::of(self.totals.gross, self.settled, self.due_date, self.void.is_some(), today),
        }
    }
}

/// An invoice with its lines and what settled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDetail {
    pub invoice: InvoiceRecord,
    pub lines: Vec<Line>,
    pub allocations: Vec<AllocationRecord>,
}

/// Money on an invoice: from a payment (its receipt) or a credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRecord {
    /// The receipt's or credit note's number.
    pub source: String,
    /// The invoice's number (for a payment's receipt).
    pub invoice: String,
    pub date: Date,
    pub amount: Decimal,
}

/// An invoice to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoice {
    pub customer: CustomerId,
    pub issue_date: Date,
    pub due_date: Date,
    pub lines: Vec<Line>,
    pub totals: Amounts,
    /// Pending one-off charges it bills.
    pub charges: Vec<i64>,
    /// Coupons it used (their cycles count down).
    pub coupons: Vec<i64>,
    /// Services it invoices a period of.
    pub services: Vec<ServiceBilled>,
}

/// A service's billing state after an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceBilled {
    pub service: ServiceId,
    pub invoiced_through: Date,
    pub billing_day: BillingDay,
}

/// What issuing gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub customer: CustomerId,
    pub customer_name: String,
    pub gross: Decimal,
    pub due_date: Date,
    /// The customer's credit it used at once.
    pub settled: Decimal,
}

/// A one-off charge to put on a customer's next invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCharge {
    pub customer: CustomerId,
    pub description: String,
    pub amount: Decimal,
}

/// Which invoices a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceQuery {
    /// Part of the customer's name.
    pub customer: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub status: Option<InvoiceStatus>,
    /// Issued in this month (`2026-12`).
    pub month: Option<(i16, i8)>,
    /// Issued on or after, and on or before.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Part of the number.
    pub number: Option<String>,
    /// Credit notes too.
    pub credit_notes: bool,
    pub limit: Option<u32>,
}

const INVOICE_COLUMNS: &str = "i.id, i.number, i.kind, i.customer_id, c.name AS customer_name,
    (SELECT number FROM invoices x WHERE x.id = i.credits_invoice_id) AS credits_number,
    i.issue_date, i.due_date, i.currency, i.tax_mode, i.net_minor, i.tax_minor, i.gross_minor, i.settled_minor,
    i.reason, i.voided_at, i.void_reason, i.issued_at, i.actor";

pub(super) fn invoice_row(row: &SqliteRow) -> Result<InvoiceRecord, StoreError> {
    let t = "invoices";
    let code: String = row.try_get("currency")?;
    let currency = currency(t, &code)?;
    let money = |col: &str| -> Result<Decimal, StoreError> { Ok(from_minor(row.try_get(col)?, &currency)) };
    let kind: String = row.try_get("kind")?;
    let mode: String = row.try_get("tax_mode")?;
    let actor: String = row.try_get("actor")?;
    let void = match (row.try_get::<Option<String>, _>("voided_at")?, row.try_get::<Option<String>, _>("void_reason")?)
    {
        (Some(at), Some(reason)) => Some(VoidRecord { at: parse_ts(t, &at)?, reason }),
        _ => None,
    };
    Ok(InvoiceRecord {
        id: InvoiceId(row.try_get("id")?),
        number: row.try_get("number")?,
        kind: DocumentKind::from_str(&kind).map_err(|e| corrupt(t, e))?,
        customer: CustomerId(row.try_get("customer_id")?),
        customer_name: row.try_get("customer_name")?,
        credits: row.try_get("credits_number")?,
        issue_date: parse_date(t, row.try_get("issue_date")?)?,
        due_date: parse_date(t, row.try_get("due_date")?)?,
        tax_mode: TaxMode::from_str(&mode).map_err(|e| corrupt(t, e))?,
        totals: Amounts { net: money("net_minor")?, tax: money("tax_minor")?, gross: money("gross_minor")? },
        settled: money("settled_minor")?,
        currency,
        reason: row.try_get("reason")?,
        void,
        issued_at: parse_ts(t, row.try_get("issued_at")?)?,
        actor: Actor::parse(&actor).ok_or_else(|| corrupt(t, format!("unknown actor {actor:?}")))?,
    })
}

fn line_row(row: &SqliteRow, currency: &Currency) -> Result<Line, StoreError> {
    let t = "invoice_lines";
    let kind: String = row.try_get("kind")?;
    let rate: String = row.try_get("tax_rate")?;
    let period = match (opt_date(t, row.try_get("period_from")?)?, opt_date(t, row.try_get("period_until")?)?) {
        (Some(from), Some(until)) => Some(Period { from, until }),
        _ => None,
    };
    Ok(Line {
        kind: LineKind::from_str(&kind).map_err(|e| corrupt(t, e))?,
        service: row.try_get::<Option<i64>, _>("service_id")?.map(ServiceId),
        description: row.try_get("description")?,
        period,
        tax_rate: TaxRate::from_str(&rate).map_err(|e| corrupt(t, e))?,
        amounts: Amounts {
            net: from_minor(row.try_get("net_minor")?, currency),
            tax: from_minor(row.try_get("tax_minor")?, currency),
            gross: from_minor(row.try_get("gross_minor")?, currency),
        },
    })
}

/// Inserts a document with its lines; returns its id and number.
#[allow(clippy::too_many_arguments)]
async fn insert_document(
    conn: &mut SqliteConnection,
    kind: DocumentKind,
    number: &str,
    customer: CustomerId,
    credits: Option<InvoiceId>,
    (issue_date, due_date): (Date, Date),
    settings: &BillingSettings,
    lines: &[Line],
    totals: Amounts,
    reason: Option<&str>,
    (at, actor): (Timestamp, &Actor),
) -> Result<InvoiceId, StoreError> {
    let c = &settings.currency;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (number, kind, customer_id, credits_invoice_id, issue_date, due_date, currency, tax_mode,
                               net_minor, tax_minor, gross_minor, reason, issued_at, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(number)
    .bind(kind.as_str())
    .bind(customer.0)
    .bind(credits.map(|i| i.0))
    .bind(issue_date.to_string())
    .bind(due_date.to_string())
    .bind(c.code())
    .bind(settings.tax_mode.as_str())
    .bind(minor(totals.net, c)?)
    .bind(minor(totals.tax, c)?)
    .bind(minor(totals.gross, c)?)
    .bind(reason)
    .bind(ts(at))
    .bind(actor.as_str())
    .fetch_one(&mut *conn)
    .await?;
    for (position, line) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, position, kind, service_id, description, period_from, period_until,
                                        tax_rate, net_minor, tax_minor, gross_minor)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(line.kind.as_str())
        .bind(line.service.map(|s| s.0))
        .bind(&line.description)
        .bind(line.period.map(|p| p.from.to_string()))
        .bind(line.period.map(|p| p.until.to_string()))
        .bind(line.tax_rate.to_string())
        .bind(minor(line.amounts.net, c)?)
        .bind(minor(line.amounts.tax, c)?)
        .bind(minor(line.amounts.gross, c)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(InvoiceId(id))
}

/// Money of a customer's not yet on any invoice: payments (not prepaid)
/// and credit notes, oldest first, with what is left of each (minor units).
async fn credit_sources(conn: &mut SqliteConnection, customer: CustomerId) -> Result<Vec<(Source, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT 'payment' AS source, p.id, p.paid_on AS day,
                p.amount_minor - coalesce((SELECT sum(amount_minor) FROM allocations a WHERE a.payment_id = p.id), 0) AS left_minor
         FROM payments p WHERE p.customer_id = ?1 AND p.months IS NULL
         UNION ALL
         SELECT 'credit-note', i.id, i.issue_date,
                i.gross_minor - coalesce((SELECT sum(amount_minor) FROM allocations a WHERE a.credit_note_id = i.id), 0)
         FROM invoices i WHERE i.customer_id = ?1 AND i.kind = 'credit-note' AND i.voided_at IS NULL
         ORDER BY day, id",
    )
    .bind(customer.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut sources = Vec::new();
    for row in rows {
        let left: i64 = row.try_get("left_minor")?;
        if left <= 0 {
            continue;
        }
        let id: i64 = row.try_get("id")?;
        let source: String = row.try_get("source")?;
        let source =
            if source == "payment" { Source::Payment(PaymentId(id)) } else { Source::CreditNote(InvoiceId(id)) };
        sources.push((source, left));
    }
    Ok(sources)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Payment(PaymentId),
    CreditNote(InvoiceId),
}

/// A customer's open invoices, oldest first (minor units due).
pub(super) async fn open_invoices(
    conn: &mut SqliteConnection,
    customer: CustomerId,
) -> Result<Vec<OpenInvoice>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, issue_date, gross_minor - settled_minor AS due_minor FROM invoices
         WHERE customer_id = ? AND kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor
         ORDER BY issue_date, id",
    )
    .bind(customer.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(OpenInvoice {
                id: InvoiceId(row.try_get("id")?),
                issue_date: parse_date("invoices", row.try_get("issue_date")?)?,
                due: Decimal::from(row.try_get::<i64, _>("due_minor")?),
            })
        })
        .collect()
}

/// Puts `amount_minor` of `source` on `open` invoices, oldest first;
/// returns the parts (invoice, minor units) and the invoices it settled.
pub(super) async fn allocate_source(
    conn: &mut SqliteConnection,
    source: Source,
    amount_minor: i64,
    open: &mut Vec<OpenInvoice>,
) -> Result<(Vec<(InvoiceId, i64)>, Vec<InvoiceId>), StoreError> {
    let allocation = allocate(open, Decimal::from(amount_minor));
    let mut parts = Vec::new();
    let mut settled = Vec::new();
    for (invoice, take) in allocation.parts {
        let take = i64::try_from(take.mantissa()).map_err(|e| corrupt("allocations", e))?;
        let (payment, credit_note) = match source {
            Source::Payment(p) => (Some(p.0), None),
            Source::CreditNote(c) => (None, Some(c.0)),
        };
        sqlx::query(
            "INSERT INTO allocations (invoice_id, payment_id, credit_note_id, amount_minor) VALUES (?, ?, ?, ?)",
        )
        .bind(invoice.0)
        .bind(payment)
        .bind(credit_note)
        .bind(take)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE invoices SET settled_minor = settled_minor + ? WHERE id = ?")
            .bind(take)
            .bind(invoice.0)
            .execute(&mut *conn)
            .await?;
        parts.push((invoice, take));
        if let Some(o) = open.iter_mut().find(|o| o.id == invoice) {
            o.due -= Decimal::from(take);
            if o.due <= Decimal::ZERO {
                settled.push(invoice);
            }
        }
    }
    open.retain(|o| o.due > Decimal::ZERO);
    Ok((parts, settled))
}

/// Applies all of a customer's unused credit to their open invoices;
/// returns the invoices it settled.
pub(super) async fn apply_credit(
    conn: &mut SqliteConnection,
    customer: CustomerId,
) -> Result<Vec<InvoiceId>, StoreError> {
    let sources = credit_sources(conn, customer).await?;
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let mut open = open_invoices(conn, customer).await?;
    let mut settled = Vec::new();
    for (source, left) in sources {
        if open.is_empty() {
            break;
        }
        settled.extend(allocate_source(conn, source, left, &mut open).await?.1);
    }
    Ok(settled)
}

/// Moves the paid-through date of every service a settled invoice billed
/// a period of ([`paid_through_after`]) and asks their routers to sweep;
/// returns each service's new date.
pub(super) async fn settle_services(
    conn: &mut SqliteConnection,
    invoices: &[InvoiceId],
    timing: InvoiceTiming,
    now: Timestamp,
) -> Result<Vec<(ServiceId, Date)>, StoreError> {
    let mut moved = Vec::new();
    for invoice in invoices {
        let rows = sqlx::query(
            "SELECT l.service_id, l.period_from, l.period_until, s.next_billing_date, s.billing_day, s.router_id,
                    p.billing_cycle
             FROM invoice_lines l JOIN services s ON s.id = l.service_id JOIN plans p ON p.id = s.plan_id
             WHERE l.invoice_id = ? AND l.kind = 'service' AND l.period_from IS NOT NULL
             ORDER BY l.period_until",
        )
        .bind(invoice.0)
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let t = "invoice_lines";
            let service = ServiceId(row.try_get("service_id")?);
            let period = Period {
                from: parse_date(t, row.try_get("period_from")?)?,
                until: parse_date(t, row.try_get("period_until")?)?,
            };
            let current = opt_date("services", row.try_get("next_billing_date")?)?;
            let cycle: String = row.try_get("billing_cycle")?;
            let cycle = BillingCycle::from_str(&cycle).map_err(|e| corrupt("plans", e))?;
            let day = match row.try_get::<Option<i64>, _>("billing_day")? {
                Some(d) => BillingDay::new(d).map_err(|e| corrupt("services", e))?,
                None => BillingDay::of(period.from),
            };
            let new = paid_through_after(current, period, timing, cycle, day);
            if Some(new) != current {
                sqlx::query("UPDATE services SET next_billing_date = ?, updated_at = ? WHERE id = ?")
                    .bind(new.to_string())
                    .bind(ts(now))
                    .bind(service.0)
                    .execute(&mut *conn)
                    .await?;
                sweep_router(conn, RouterId(row.try_get("router_id")?), now).await?;
                moved.push((service, new));
            }
        }
    }
    Ok(moved)
}

async fn customer_name(conn: &mut SqliteConnection, customer: CustomerId) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT name FROM customers WHERE id = ?")
        .bind(customer.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("customer {customer}")))
}

impl Store {
    /// Invoices (and, if asked, credit notes), newest first.
    pub async fn invoices(&self, q: &InvoiceQuery, today: Date) -> Result<Vec<InvoiceRecord>, StoreError> {
        let mut sql =
            format!("SELECT {INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE 1 = 1");
        if !q.credit_notes {
            sql.push_str(" AND i.kind = 'invoice'");
        }
        if q.customer_id.is_some() {
            sql.push_str(" AND i.customer_id = ?");
        }
        if q.number.is_some() {
            sql.push_str(" AND i.number LIKE ? ESCAPE '\\'");
        }
        if q.month.is_some() {
            sql.push_str(" AND i.issue_date >= ? AND i.issue_date < ?");
        }
        if q.from.is_some() {
            sql.push_str(" AND i.issue_date >= ?");
        }
        if q.to.is_some() {
            sql.push_str(" AND i.issue_date <= ?");
        }
        match q.status {
            None => {}
            Some(InvoiceStatus::Void) => sql.push_str(" AND i.voided_at IS NOT NULL"),
            Some(InvoiceStatus::Paid) => sql.push_str(" AND i.voided_at IS NULL AND i.settled_minor >= i.gross_minor"),
            Some(InvoiceStatus::Open) => sql.push_str(
                " AND i.kind = 'invoice' AND i.voided_at IS NULL AND i.settled_minor < i.gross_minor AND i.due_date >= ?",
            ),
            Some(InvoiceStatus::Overdue) => sql.push_str(
                " AND i.kind = 'invoice' AND i.voided_at IS NULL AND i.settled_minor < i.gross_minor AND i.due_date < ?",
            ),
        }
        sql.push_str(" ORDER BY i.issue_date DESC, i.id DESC");
        // A name filter is matched here, not by SQL's LIKE, which folds
        // the case of ASCII letters only ("łódź" must find "Łódź").
        if let Some(limit) = q.limit.filter(|_| q.customer.is_none()) {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut query = sqlx::query(&sql);
        if let Some(id) = q.customer_id {
            query = query.bind(id.0);
        }
        if let Some(number) = &q.number {
            query = query.bind(contains_pattern(number));
        }
        if let Some((year, month)) = q.month {
            let first = Date::new(year, month, 1).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let next = first.checked_add(jiff::Span::new().months(1)).unwrap_or(Date::MAX);
            query = query.bind(first.to_string()).bind(next.to_string());
        }
        if let Some(from) = q.from {
            query = query.bind(from.to_string());
        }
        if let Some(to) = q.to {
            query = query.bind(to.to_string());
        }
        if matches!(q.status, Some(InvoiceStatus::Open | InvoiceStatus::Overdue)) {
            query = query.bind(today.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let records = rows.iter().map(invoice_row).collect::<Result<Vec<_>, _>>()?;
        let Some(name) = &q.customer else { return Ok(records) };
        let name = name.to_lowercase();
        let limit = q.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        Ok(records.into_iter().filter(|r| r.customer_name.to_lowercase().contains(&name)).take(limit).collect())
    }

    /// An invoice or credit note by its number, with lines and allocations.
    pub async fn invoice_by_number(&self, number: &str) -> Result<Option<InvoiceDetail>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        detail_by_number(&mut conn, number).await
    }

    /// A one-off charge for the customer's next invoice; returns its id.
    pub async fn add_charge(&self, charge: &NewCharge, actor: &Actor) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        customer_name(&mut tx, charge.customer).await?;
        let now = self.now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pending_charges (customer_id, description, amount, added_at, actor) VALUES (?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(charge.customer.0)
        .bind(&charge.description)
        .bind(charge.amount.to_string())
        .bind(ts(now))
        .bind(actor.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let entry = ActivityEntry {
            at: now,
            actor: actor.clone(),
            subject: Subject::Customer(charge.customer),
            action: "charge added".into(),
            detail: format!("{}: {}", charge.description, charge.amount),
        };
        insert_activity(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Voids an invoice or credit note: it keeps its number and shows VOID.
    /// The money that settled a void invoice goes back to the customer's
    /// credit and on to their other open invoices, oldest first; its one-off
    /// charges wait for the next invoice again, and its periods are invoiced
    /// again by the next run. A void credit note's allocations are taken off
    /// the invoices they settled. Paid-through dates are not moved back: a
    /// service the operator wants off again gets a status or a due date
    /// (`service set-due`).
    pub async fn void_invoice(
        &self,
        number: &str,
        reason: &str,
        settings: &BillingSettings,
        actor: &Actor,
    ) -> Result<InvoiceRecord, StoreError> {
        let mut tx = self.write().await?;
        let now = self.now();
        let detail = existing_detail(&mut tx, number).await?;
        let invoice = detail.invoice;
        if invoice.void.is_some() {
            return Err(StoreError::Invalid(format!("{number} is already void")));
        }
        match invoice.kind {
            DocumentKind::Invoice => {
                sqlx::query("DELETE FROM allocations WHERE invoice_id = ?")
                    .bind(invoice.id.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE invoices SET settled_minor = 0 WHERE id = ?")
                    .bind(invoice.id.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE pending_charges SET invoice_id = NULL WHERE invoice_id = ?")
                    .bind(invoice.id.0)
                    .execute(&mut *tx)
                    .await?;
                // A period whose invoice is void is open again, so the next
                // run issues the corrected invoice (when it was the service's
                // latest: an older one stays as it is).
                for line in detail.lines.iter().filter(|l| l.kind == LineKind::Service) {
                    if let (Some(service), Some(period)) = (line.service, line.period) {
                        sqlx::query("UPDATE services SET invoiced_through = ? WHERE id = ? AND invoiced_through = ?")
                            .bind(period.from.to_string())
                            .bind(service.0)
                            .bind(period.until.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            DocumentKind::CreditNote => {
                sqlx::query(
                    "UPDATE invoices SET settled_minor = settled_minor -
                        (SELECT sum(amount_minor) FROM allocations a WHERE a.invoice_id = invoices.id AND a.credit_note_id = ?1)
                     WHERE id IN (SELECT invoice_id FROM allocations WHERE credit_note_id = ?1)",
                )
                .bind(invoice.id.0)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM allocations WHERE credit_note_id = ?")
                    .bind(invoice.id.0)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("UPDATE invoices SET voided_at = ?, void_reason = ? WHERE id = ?")
            .bind(ts(now))
            .bind(reason)
            .bind(invoice.id.0)
            .execute(&mut *tx)
            .await?;
        let settled = apply_credit(&mut tx, invoice.customer).await?;
        settle_services(&mut tx, &settled, settings.timing, now).await?;
        let entry = ActivityEntry {
            at: now,
            actor: actor.clone(),
            subject: Subject::Customer(invoice.customer),
            action: format!("{} void", invoice.kind.as_str().replace('-', " ")),
            detail: format!("{number}: {reason}"),
        };
        insert_activity(&mut tx, &entry).await?;
        let voided = existing_detail(&mut tx, number).await?;
        tx.commit().await?;
        Ok(voided.invoice)
    }

    /// Issues a credit note of `amount` (gross) against invoice `number`:
    /// its own number series, one line, tax in the invoice's proportion. It
    /// settles what is due on the invoice; what is left is the customer's
    /// credit for their next invoices.
    pub async fn credit_invoice(
        &self,
        number: &str,
        amount: Decimal,
        reason: &str,
        today: Date,
        settings: &BillingSettings,
        actor: &Actor,
    ) -> Result<InvoiceRecord, StoreError> {
        let mut tx = self.write().await?;
        let now = self.now();
        let detail = existing_detail(&mut tx, number).await?;
        let invoice = detail.invoice;
        if invoice.kind != DocumentKind::Invoice {
            return Err(StoreError::Invalid(format!("{number} is a credit note: credit the invoice it credits")));
        }
        if invoice.void.is_some() {
            return Err(StoreError::Invalid(format!("{number} is void: there is nothing to credit")));
        }
        let c = &invoice.currency;
        let credited: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(gross_minor), 0) FROM invoices
             WHERE credits_invoice_id = ? AND kind = 'credit-note' AND voided_at IS NULL",
        )
        .bind(invoice.id.0)
        .fetch_one(&mut *tx)
        .await?;
        let creditable = invoice.totals.gross - from_minor(credited, c);
        if amount > creditable {
            return Err(StoreError::Invalid(format!(
                "{number} can be credited at most {creditable} {c} more (total {}, already credited {})",
                invoice.totals.gross,
                from_minor(credited, c)
            )));
        }
        let tax = if invoice.totals.gross.is_zero() {
            Decimal::ZERO
        } else {
            c.round(amount * invoice.totals.tax / invoice.totals.gross)
        };
        let totals = Amounts { net: amount - tax, tax, gross: amount };
        let rate = detail.lines.first().map_or(TaxRate::ZERO, |l| l.tax_rate);
        let line = Line {
            kind: LineKind::Credit,
            service: None,
            description: format!("Credit on {number}: {reason}"),
            period: None,
            tax_rate: rate,
            amounts: totals,
        };
        let credit_number = next_number(&mut tx, Series::CreditNote, &settings.credit_note_prefix, today).await?;
        let id = insert_document(
            &mut tx,
            DocumentKind::CreditNote,
            &credit_number,
            invoice.customer,
            Some(invoice.id),
            (today, today),
            &BillingSettings { currency: c.clone(), tax_mode: invoice.tax_mode, ..settings.clone() },
            &[line],
            totals,
            Some(reason),
            (now, actor),
        )
        .await?;
        // The credited invoice first, then the customer's others.
        let mut target: Vec<OpenInvoice> =
            open_invoices(&mut tx, invoice.customer).await?.into_iter().filter(|o| o.id == invoice.id).collect();
        let (_, mut settled) = allocate_source(&mut tx, Source::CreditNote(id), minor(amount, c)?, &mut target).await?;
        settled.extend(apply_credit(&mut tx, invoice.customer).await?);
        settle_services(&mut tx, &settled, settings.timing, now).await?;
        let entry = ActivityEntry {
            at: now,
            actor: actor.clone(),
            subject: Subject::Customer(invoice.customer),
            action: "credit note issued".into(),
            detail: format!("{credit_number} on {number}: {amount} {c} ({reason})"),
        };
        insert_activity(&mut tx, &entry).await?;
        let note = existing_detail(&mut tx, &credit_number).await?;
        tx.commit().await?;
        Ok(note.invoice)
    }
}

/// [`detail_by_number`] for a document that must exist.
pub(super) async fn existing_detail(conn: &mut SqliteConnection, number: &str) -> Result<InvoiceDetail, StoreError> {
    detail_by_number(conn, number).await?.ok_or_else(|| StoreError::NotFound(format!("invoice {number}")))
}

async fn detail_by_number(conn: &mut SqliteConnection, number: &str) -> Result<Option<InvoiceDetail>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.number = ?"
    ))
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let invoice = invoice_row(&row)?;
    let lines = sqlx::query("SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position")
        .bind(invoice.id.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| line_row(r, &invoice.currency))
        .collect::<Result<Vec<_>, _>>()?;
    let column = match invoice.kind {
        DocumentKind::Invoice => "a.invoice_id",
        DocumentKind::CreditNote => "a.credit_note_id",
    };
    let allocations = sqlx::query(&format!(
        "SELECT coalesce(p.receipt_number, cn.number) AS source, inv.number AS invoice,
                coalesce(p.paid_on, cn.issue_date) AS day, a.amount_minor
         FROM allocations a
         JOIN invoices inv ON inv.id = a.invoice_id
         LEFT JOIN payments p ON p.id = a.payment_id
         LEFT JOIN invoices cn ON cn.id = a.credit_note_id
         WHERE {column} = ? ORDER BY a.id"
    ))
    .bind(invoice.id.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(AllocationRecord {
            source: r.try_get("source")?,
            invoice: r.try_get("invoice")?,
            date: parse_date("allocations", r.try_get("day")?)?,
            amount: from_minor(r.try_get("amount_minor")?, &invoice.currency),
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(InvoiceDetail { invoice, lines, allocations }))
}

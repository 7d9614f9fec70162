//! Payments: a receipt, allocation to the customer's open invoices (oldest
//! first, or a named invoice first), and the services those invoices paid
//! for back on their routers, in one transaction. A prepaid payment
//! (`--months`) moves the service's due date instead and is never
//! allocated.

use std::str::FromStr;

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::billing::calendar::BillingDay;
use headend_core::billing::invoice::DocumentKind;
use headend_core::billing::ledger::{Payment, PaymentMethod};
use headend_core::billing::numbering::Series;
use headend_core::billing::schedule::promise_until;
use headend_core::billing::settings::BillingSettings;
use headend_core::billing::{MAX_MONTHS, advance_due};
use headend_core::{CustomerId, PaymentId, RouterId, ServiceId};
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::invoices::{
    AllocationRecord, Source, allocate_source, apply_credit, existing_detail, open_invoices, settle_services,
};
use super::ledger::balance;
use super::{currency, from_minor, minor, next_number};
use crate::error::StoreError;
use crate::store::activity::insert_activity;
use crate::store::{Store, Write, corrupt, opt_date, parse_date, parse_ts, sweep_router, ts};

/// A payment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub service: ServiceId,
    pub amount: Decimal,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    /// The day the money came, in the ISP's time zone.
    pub paid_on: Date,
    /// Prepaid months (no invoice): moves the due date.
    pub months: Option<u8>,
    /// An invoice to settle first (its number).
    pub invoice: Option<String>,
}

/// What a payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOutcome {
    pub payment: Payment,
    pub customer_name: String,
    /// The invoices it paid and how much of each.
    pub allocations: Vec<AllocationRecord>,
    /// What no invoice took: the customer's credit.
    pub credit_left: Decimal,
    /// The customer's balance after it (positive: they owe).
    pub balance: Decimal,
    /// The service's paid-through date after it.
    pub paid_through: Option<Date>,
}

impl Write {
    /// Records a payment; see the module's doc.
    pub async fn record_payment(
        &mut self,
        new: &NewPayment,
        settings: &BillingSettings,
        today: Date,
        actor: &Actor,
    ) -> Result<PaymentOutcome, StoreError> {
        record(&mut self.tx, new, settings, today, actor, self.now).await
    }
}

impl Store {
    /// What [`Write::record_payment`] would do, written nowhere (the same
    /// code in a transaction that is rolled back).
    pub async fn preview_payment(
        &self,
        new: &NewPayment,
        settings: &BillingSettings,
        today: Date,
        actor: &Actor,
    ) -> Result<PaymentOutcome, StoreError> {
        let mut tx = self.write().await?;
        let outcome = record(&mut tx, new, settings, today, actor, self.now()).await?;
        tx.rollback().await?;
        Ok(outcome)
    }

    /// A service's payments, newest first.
    pub async fn payments(&self, service: ServiceId) -> Result<Vec<Payment>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE service_id = ? ORDER BY id DESC"))
                .bind(service.0)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(payment_row).collect()
    }

    /// A payment by its receipt number, with the invoices it paid.
    pub async fn payment_by_receipt(
        &self,
        receipt: &str,
    ) -> Result<Option<(Payment, Vec<AllocationRecord>)>, StoreError> {
        let row = sqlx::query(&format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE receipt_number = ?"))
            .bind(receipt)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let payment = payment_row(&row)?;
        let code: String = row.try_get("currency")?;
        let c = currency("payments", &code)?;
        let allocations = sqlx::query(
            "SELECT inv.number, a.amount_minor FROM allocations a JOIN invoices inv ON inv.id = a.invoice_id
             WHERE a.payment_id = ? ORDER BY a.id",
        )
        .bind(payment.id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(AllocationRecord {
                source: payment.receipt.clone(),
                invoice: r.try_get("number")?,
                date: payment.paid_on,
                amount: from_minor(r.try_get("amount_minor")?, &c),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((payment, allocations)))
    }
}

pub(super) const PAYMENT_COLUMNS: &str = "id, receipt_number, customer_id, service_id, currency, amount_minor, method,
    reference, paid_on, paid_at, actor, months, previous_due, new_due";

pub(super) fn payment_row(row: &SqliteRow) -> Result<Payment, StoreError> {
    let t = "payments";
    let code: String = row.try_get("currency")?;
    let c = currency(t, &code)?;
    let method: String = row.try_get("method")?;
    let actor: String = row.try_get("actor")?;
    let months: Option<i64> = row.try_get("months")?;
    Ok(Payment {
        id: PaymentId(row.try_get("id")?),
        receipt: row.try_get("receipt_number")?,
        customer: CustomerId(row.try_get("customer_id")?),
        service: ServiceId(row.try_get("service_id")?),
        amount: from_minor(row.try_get("amount_minor")?, &c),
        method: PaymentMethod::from_str(&method).map_err(|e| corrupt(t, e))?,
        reference: row.try_get("reference")?,
        paid_on: parse_date(t, row.try_get("paid_on")?)?,
        recorded_at: parse_ts(t, row.try_get("paid_at")?)?,
        actor: Actor::parse(&actor).ok_or_else(|| corrupt(t, format!("unknown actor {actor:?}")))?,
        months: months.map(|m| u8::try_from(m).map_err(|e| corrupt(t, e))).transpose()?,
        previous_due: opt_date(t, row.try_get("previous_due")?)?,
        new_due: opt_date(t, row.try_get("new_due")?)?,
    })
}

async fn record(
    conn: &mut SqliteConnection,
    new: &NewPayment,
    settings: &BillingSettings,
    today: Date,
    actor: &Actor,
    now: jiff::Timestamp,
) -> Result<PaymentOutcome, StoreError> {
    let c = &settings.currency;
    if new.amount.is_sign_negative() && !new.amount.is_zero() {
        return Err(StoreError::Invalid(format!("a payment cannot be negative ({})", new.amount)));
    }
    if let Some(months) = new.months
        && !(1..=MAX_MONTHS).contains(&months)
    {
        return Err(StoreError::Invalid(format!("a payment covers 1 to {MAX_MONTHS} months, not {months}")));
    }
    let row = sqlx::query(
        "SELECT s.customer_id, s.router_id, s.next_billing_date, s.billing_day, c.name
         FROM services s JOIN customers c ON c.id = s.customer_id WHERE s.id = ?",
    )
    .bind(new.service.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("service {}", new.service)))?;
    let customer = CustomerId(row.try_get("customer_id")?);
    let router = RouterId(row.try_get("router_id")?);
    let customer_name: String = row.try_get("name")?;
    let previous_due = opt_date("services", row.try_get("next_billing_date")?)?;
    let billing_day = row
        .try_get::<Option<i64>, _>("billing_day")?
        .map(|d| BillingDay::new(d).map_err(|e| corrupt("services", e)))
        .transpose()?;

    let target = match &new.invoice {
        None => None,
        Some(number) => {
            let detail = existing_detail(conn, number).await?;
            let invoice = detail.invoice;
            if invoice.kind != DocumentKind::Invoice {
                return Err(StoreError::Invalid(format!("{number} is a credit note: a payment goes on an invoice")));
            }
            if invoice.void.is_some() {
                return Err(StoreError::Invalid(format!("{number} is void: it cannot be paid")));
            }
            if invoice.customer != customer {
                return Err(StoreError::Invalid(format!(
                    "{number} is {}'s invoice, not {customer_name}'s",
                    invoice.customer_name
                )));
            }
            Some(invoice.id)
        }
    };
    let mut open = open_invoices(conn, customer).await?;
    if new.months.is_some() && !open.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{customer_name} has {} open invoice(s): record the payment without --months, and it pays them oldest first",
            open.len()
        )));
    }

    let receipt = next_number(conn, Series::Receipt, &settings.receipt_prefix, new.paid_on).await?;
    let new_due = new.months.map(|m| advance_due(previous_due, today, m, billing_day));
    let amount_minor = minor(new.amount, c)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO payments (receipt_number, customer_id, service_id, currency, amount_minor, method, reference,
                               paid_on, paid_at, actor, months, previous_due, new_due)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&receipt)
    .bind(customer.0)
    .bind(new.service.0)
    .bind(c.code())
    .bind(amount_minor)
    .bind(new.method.as_str())
    .bind(&new.reference)
    .bind(new.paid_on.to_string())
    .bind(ts(now))
    .bind(actor.as_str())
    .bind(new.months.map(i64::from))
    .bind(previous_due.map(|d| d.to_string()))
    .bind(new_due.map(|d| d.to_string()))
    .fetch_one(&mut *conn)
    .await?;
    let payment_id = PaymentId(id);

    let mut allocations = Vec::new();
    let mut credit_left = Decimal::ZERO;
    if let Some(due) = new_due {
        sqlx::query("UPDATE services SET next_billing_date = ?, billing_day = coalesce(billing_day, ?), updated_at = ? WHERE id = ?")
            .bind(due.to_string())
            .bind(i64::from(BillingDay::of(previous_due.unwrap_or(today)).get()))
            .bind(ts(now))
            .bind(new.service.0)
            .execute(&mut *conn)
            .await?;
        sweep_router(conn, router, now).await?;
    } else {
        // The named invoice first, then the rest oldest first.
        let mut settled = Vec::new();
        let mut left = amount_minor;
        if let Some(target) = target {
            let mut first: Vec<_> = open.iter().filter(|o| o.id == target).copied().collect();
            let (parts, done) = allocate_source(conn, Source::Payment(payment_id), left, &mut first).await?;
            left -= parts.iter().map(|(_, m)| m).sum::<i64>();
            settled.extend(done);
            open.retain(|o| o.id != target);
        }
        let (parts, done) = allocate_source(conn, Source::Payment(payment_id), left, &mut open).await?;
        left -= parts.iter().map(|(_, m)| m).sum::<i64>();
        settled.extend(done);
        credit_left = from_minor(left, c);
        settle_services(conn, &settled, settings.timing, now).await?;
        promise(conn, customer, new.service, settings, today, now).await?;
        // Credit notes issued before may now find nothing left to settle.
        let more = apply_credit(conn, customer).await?;
        settle_services(conn, &more, settings.timing, now).await?;
        allocations = sqlx::query(
            "SELECT inv.number, a.amount_minor FROM allocations a JOIN invoices inv ON inv.id = a.invoice_id
             WHERE a.payment_id = ? ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(AllocationRecord {
                source: receipt.clone(),
                invoice: r.try_get("number")?,
                date: new.paid_on,
                amount: from_minor(r.try_get("amount_minor")?, c),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    }
    let paid_through: Option<String> = sqlx::query_scalar("SELECT next_billing_date FROM services WHERE id = ?")
        .bind(new.service.0)
        .fetch_one(&mut *conn)
        .await?;
    let paid_through = opt_date("services", paid_through)?;
    let balance = balance(conn, customer, c).await?;
    let paid: Vec<String> = allocations.iter().map(|a| format!("{} {}", a.invoice, a.amount)).collect();
    let detail = match new.months {
        Some(m) => format!(
            "{receipt}: {} {c} for {m} month(s); due date {} -> {}",
            new.amount,
            previous_due.map_or_else(|| "none".to_owned(), |d| d.to_string()),
            paid_through.map_or_else(|| "none".to_owned(), |d| d.to_string())
        ),
        None => format!(
            "{receipt}: {} {c} by {}; paid {}; balance {balance}",
            new.amount,
            new.method,
            if paid.is_empty() { "no invoice (credit)".to_owned() } else { paid.join(", ") }
        ),
    };
    let entry = ActivityEntry {
        at: now,
        actor: actor.clone(),
        subject: Subject::Service(new.service),
        action: "payment".into(),
        detail,
    };
    insert_activity(conn, &entry).await?;
    let payment = Payment {
        id: payment_id,
        receipt,
        customer,
        service: new.service,
        amount: from_minor(amount_minor, c),
        method: new.method,
        reference: new.reference.clone(),
        paid_on: new.paid_on,
        // As stored (milliseconds), so it equals what a read gives back.
        recorded_at: parse_ts("payments", &ts(now))?,
        actor: actor.clone(),
        months: new.months,
        previous_due,
        new_due: paid_through,
    };
    Ok(PaymentOutcome { payment, customer_name, allocations, credit_left, balance, paid_through })
}

/// A partial payment's promise to pay: the oldest partly paid invoice that
/// bills a period of `service` keeps it on for the settings' days.
async fn promise(
    conn: &mut SqliteConnection,
    customer: CustomerId,
    service: ServiceId,
    settings: &BillingSettings,
    today: Date,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    if settings.promise_days == 0 {
        return Ok(());
    }
    let row = sqlx::query(
        "SELECT l.period_until, s.next_billing_date, s.router_id
         FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id JOIN services s ON s.id = l.service_id
         WHERE i.customer_id = ? AND l.service_id = ? AND l.kind = 'service' AND i.kind = 'invoice'
           AND i.voided_at IS NULL AND i.settled_minor > 0 AND i.settled_minor < i.gross_minor
         ORDER BY i.issue_date, i.id LIMIT 1",
    )
    .bind(customer.0)
    .bind(service.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(()) };
    let until = parse_date("invoice_lines", row.try_get("period_until")?)?;
    let current = opt_date("services", row.try_get("next_billing_date")?)?;
    if let Some(promised) = promise_until(current, today, settings.promise_days, until)
        && Some(promised) != current
    {
        sqlx::query("UPDATE services SET next_billing_date = ?, updated_at = ? WHERE id = ?")
            .bind(promised.to_string())
            .bind(ts(now))
            .bind(service.0)
            .execute(&mut *conn)
            .await?;
        sweep_router(conn, RouterId(row.try_get("router_id")?), now).await?;
    }
    Ok(())
}

//! Revenue at a glance: a month's invoiced and collected, what is
//! outstanding, overdue by age, and the last twelve months. Months are
//! trigger-kept totals (`revenue_months`); the rest are SQL sums over
//! integer minor units, served by the open invoices' covering indexes.

use headend_core::CustomerId;
use headend_core::billing::money::Currency;
use headend_core::billing::report::{Aged, AgingBucket};
use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::Row;

use super::from_minor;
use crate::error::StoreError;
use crate::store::{Store, parse_date};

/// One month's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthTotals {
    /// `2026-12`.
    pub month: String,
    /// Invoices issued in the month, less credit notes issued in it.
    pub invoiced: Decimal,
    /// Payments received in the month (prepaid ones too).
    pub collected: Decimal,
}

/// The revenue report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueReport {
    pub currency: Currency,
    pub month: MonthTotals,
    /// Still due on every open invoice, whatever its month.
    pub outstanding: Decimal,
    pub overdue_invoices: u64,
    pub overdue_amount: Decimal,
    pub overdue_customers: u64,
    pub aging: Vec<(AgingBucket, Aged)>,
    /// The twelve months up to the report's, oldest first.
    pub history: Vec<MonthTotals>,
}

/// A customer with overdue invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCustomer {
    pub customer: CustomerId,
    pub name: String,
    pub invoices: u64,
    pub amount: Decimal,
    /// The oldest overdue invoice's due date.
    pub oldest_due: Date,
}

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

impl Store {
    /// The report for the month of `month` (any day in it), as of `today`.
    pub async fn revenue(&self, month: Date, today: Date, c: &Currency) -> Result<RevenueReport, StoreError> {
        let first = month.first_of_month();
        let history_from = first.checked_sub(11.months()).unwrap_or(Date::MIN);
        let until = first.checked_add(1.month()).unwrap_or(Date::MAX);
        let mut history = Vec::with_capacity(12);
        let mut day = history_from;
        while day < until {
            history.push(MonthTotals {
                month: month_key(day),
                invoiced: c.round(Decimal::ZERO),
                collected: c.round(Decimal::ZERO),
            });
            day = day.checked_add(1.month()).unwrap_or(Date::MAX);
        }
        // Each month's totals are kept by triggers (`revenue_months`).
        let months = sqlx::query(
            "SELECT month, invoiced_minor, collected_minor FROM revenue_months WHERE month >= ? AND month < ?",
        )
        .bind(month_key(history_from))
        .bind(month_key(until))
        .fetch_all(&self.pool)
        .await?;
        for row in months {
            let key: String = row.try_get("month")?;
            if let Some(m) = history.iter_mut().find(|m| m.month == key) {
                m.invoiced = from_minor(row.try_get("invoiced_minor")?, c);
                m.collected = from_minor(row.try_get("collected_minor")?, c);
            }
        }
        // The open invoices' covering index serves the rest.
        // Not yet overdue; with the buckets below, every open invoice is
        // read once.
        let not_due: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(gross_minor - settled_minor), 0) FROM invoices
             WHERE kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor AND due_date >= ?",
        )
        .bind(today.to_string())
        .fetch_one(&self.pool)
        .await?;
        // Overdue, bucketed by days past the due date: one range of
        // due dates each.
        let day = |d: i32| today.checked_sub(d.days()).unwrap_or(Date::MIN).to_string();
        let bounds =
            [(day(30), today.to_string()), (day(60), day(30)), (day(90), day(60)), (Date::MIN.to_string(), day(90))];
        let mut aging = Vec::with_capacity(AgingBucket::ALL.len());
        for (bucket, (from, until)) in AgingBucket::ALL.into_iter().zip(bounds) {
            let row = sqlx::query(
                "SELECT count(*) AS n, coalesce(sum(gross_minor - settled_minor), 0) AS due FROM invoices
                 WHERE kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor
                   AND due_date >= ? AND due_date < ?",
            )
            .bind(from)
            .bind(until)
            .fetch_one(&self.pool)
            .await?;
            let n: i64 = row.try_get("n")?;
            aging.push((bucket, Aged { count: n.unsigned_abs(), amount: from_minor(row.try_get("due")?, c) }));
        }
        let overdue_customers: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT customer_id FROM invoices
             WHERE kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor AND due_date < ?
             GROUP BY customer_id)",
        )
        .bind(today.to_string())
        .fetch_one(&self.pool)
        .await?;
        let month_totals = history.last().cloned().unwrap_or(MonthTotals {
            month: month_key(first),
            invoiced: Decimal::ZERO,
            collected: Decimal::ZERO,
        });
        Ok(RevenueReport {
            currency: c.clone(),
            month: month_totals,
            outstanding: from_minor(not_due, c) + aging.iter().map(|(_, a)| a.amount).sum::<Decimal>(),
            overdue_invoices: aging.iter().map(|(_, a)| a.count).sum(),
            overdue_amount: aging.iter().map(|(_, a)| a.amount).sum(),
            overdue_customers: overdue_customers.unsigned_abs(),
            aging,
            history,
        })
    }

    /// Customers with overdue invoices, most owed first.
    pub async fn overdue_customers(&self, today: Date, c: &Currency) -> Result<Vec<OverdueCustomer>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.customer_id, c.name, count(*) AS n, sum(i.gross_minor - i.settled_minor) AS due,
                    min(i.due_date) AS oldest
             FROM invoices i JOIN customers c ON c.id = i.customer_id
             WHERE i.kind = 'invoice' AND i.voided_at IS NULL AND i.settled_minor < i.gross_minor AND i.due_date < ?
             GROUP BY i.customer_id ORDER BY due DESC, c.name",
        )
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let n: i64 = row.try_get("n")?;
                Ok(OverdueCustomer {
                    customer: CustomerId(row.try_get("customer_id")?),
                    name: row.try_get("name")?,
                    invoices: n.unsigned_abs(),
                    amount: from_minor(row.try_get("due")?, c),
                    oldest_due: parse_date("invoices", row.try_get("oldest")?)?,
                })
            })
            .collect()
    }
}

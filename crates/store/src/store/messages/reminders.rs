//! What the reminder run reads: open invoices by due date, and active
//! services past their due date (the run decides which are cut off).

use headend_core::{CustomerId, InvoiceId, ServiceId};
use jiff::civil::Date;
use sqlx::Row;

use crate::error::StoreError;
use crate::store::{Store, parse_date};

/// An open invoice, for a reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub customer: CustomerId,
    pub due_date: Date,
    /// What is left to pay, in the currency's minor unit.
    pub left_minor: i64,
}

/// An active service whose due date has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateService {
    pub id: ServiceId,
    pub customer: CustomerId,
    pub due: Date,
    /// Its own grace, if it has one.
    pub grace_days: Option<u16>,
}

impl Store {
    /// Open invoices due from `from` to `to`, both included.
    pub async fn invoices_due_between(&self, from: Date, to: Date) -> Result<Vec<DueInvoice>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, number, customer_id, due_date, gross_minor - settled_minor AS left_minor FROM invoices
             WHERE kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor
               AND due_date BETWEEN ? AND ? ORDER BY due_date, id",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueInvoice {
                    id: InvoiceId(r.try_get("id")?),
                    number: r.try_get("number")?,
                    customer: CustomerId(r.try_get("customer_id")?),
                    due_date: parse_date("invoices", r.try_get("due_date")?)?,
                    left_minor: r.try_get("left_minor")?,
                })
            })
            .collect()
    }

    /// Active services due from `from` to before `before`.
    pub async fn late_services(&self, from: Date, before: Date) -> Result<Vec<LateService>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, customer_id, next_billing_date, grace_days FROM services
             WHERE status = 'active' AND next_billing_date >= ? AND next_billing_date < ? ORDER BY id",
        )
        .bind(from.to_string())
        .bind(before.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let grace: Option<i64> = r.try_get("grace_days")?;
                Ok(LateService {
                    id: ServiceId(r.try_get("id")?),
                    customer: CustomerId(r.try_get("customer_id")?),
                    due: parse_date("services", r.try_get("next_billing_date")?)?,
                    grace_days: grace.map(|g| u16::try_from(g).unwrap_or(u16::MAX)),
                })
            })
            .collect()
    }
}

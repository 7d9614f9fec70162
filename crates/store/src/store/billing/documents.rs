//! Rows for the spreadsheet and CSV exports.

use futures_util::TryStreamExt;
use headend_core::billing::invoice::InvoiceStatus;
use headend_core::billing::money::Currency;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::Row;

use super::from_minor;
use super::invoices::invoice_row;
use super::payments::{PAYMENT_COLUMNS, payment_row};
use crate::error::StoreError;
use crate::store::Store;

/// An invoice or credit note as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceExportRow {
    pub number: String,
    pub kind: &'static str,
    pub customer: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub status: InvoiceStatus,
    pub currency: String,
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
    pub paid: Decimal,
    pub due: Decimal,
}

/// A payment as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentExportRow {
    pub receipt: String,
    pub customer: String,
    pub date: Date,
    pub currency: String,
    pub amount: Decimal,
    pub method: &'static str,
    pub reference: String,
    pub recorded_by: &'static str,
}

/// A customer as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerExportRow {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub services: u32,
    pub balance: Decimal,
}

impl Store {
    /// Invoices and credit notes issued from `from` to `to` (inclusive),
    /// oldest first, with their status on `today`. Read row by row: a
    /// year's 100,000 rows held as SQL rows at once would take ~300 MB.
    pub async fn invoice_export(
        &self,
        from: Option<Date>,
        to: Option<Date>,
        today: Date,
    ) -> Result<Vec<InvoiceExportRow>, StoreError> {
        let mut rows = sqlx::query(
            "SELECT i.id, i.number, i.kind, i.customer_id, c.name AS customer_name, NULL AS credits_number,
                    i.issue_date, i.due_date, i.currency, i.tax_mode, i.net_minor, i.tax_minor, i.gross_minor,
                    i.settled_minor, i.reason, i.voided_at, i.void_reason, i.issued_at, i.actor
             FROM invoices i JOIN customers c ON c.id = i.customer_id
             WHERE i.issue_date >= ? AND i.issue_date <= ? ORDER BY i.issue_date, i.id",
        )
        .bind(from.unwrap_or(Date::MIN).to_string())
        .bind(to.unwrap_or(Date::MAX).to_string())
        .fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let r = invoice_row(&row)?;
            out.push(InvoiceExportRow {
                status: r.status(today),
                due: r.amount_due(),
                number: r.number,
                kind: r.kind.as_str(),
                customer: r.customer_name,
                issue_date: r.issue_date,
                due_date: r.due_date,
                currency: r.currency.code().to_owned(),
                net: r.totals.net,
                tax: r.totals.tax,
                gross: r.totals.gross,
                paid: r.settled,
            });
        }
        Ok(out)
    }

    /// Payments received from `from` to `to` (inclusive), oldest first.
    pub async fn payment_export(
        &self,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<PaymentExportRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PAYMENT_COLUMNS}, (SELECT name FROM customers c WHERE c.id = payments.customer_id) AS customer_name
             FROM payments WHERE paid_on >= ? AND paid_on <= ? ORDER BY paid_on, id"
        ))
        .bind(from.unwrap_or(Date::MIN).to_string())
        .bind(to.unwrap_or(Date::MAX).to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let p = payment_row(row)?;
                Ok(PaymentExportRow {
                    receipt: p.receipt,
                    customer: row.try_get("customer_name")?,
                    date: p.paid_on,
                    currency: row.try_get("currency")?,
                    amount: p.amount,
                    method: p.method.as_str(),
                    reference: p.reference.unwrap_or_default(),
                    recorded_by: p.actor.as_str(),
                })
            })
            .collect()
    }

    /// Every customer with their service count and balance.
    pub async fn customer_export(&self, c: &Currency) -> Result<Vec<CustomerExportRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.name, coalesce(c.phone, '') AS phone, coalesce(c.email, '') AS email,
                    coalesce(c.address, '') AS address,
                    (SELECT count(*) FROM services s WHERE s.customer_id = c.id) AS services,
                    coalesce((SELECT sum(CASE kind WHEN 'invoice' THEN gross_minor ELSE -gross_minor END)
                              FROM invoices i WHERE i.customer_id = c.id AND i.voided_at IS NULL), 0)
                  - coalesce((SELECT sum(amount_minor) FROM payments p WHERE p.customer_id = c.id AND p.months IS NULL), 0)
                    AS balance_minor
             FROM customers c ORDER BY c.name, c.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let services: i64 = row.try_get("services")?;
                Ok(CustomerExportRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    phone: row.try_get("phone")?,
                    email: row.try_get("email")?,
                    address: row.try_get("address")?,
                    services: u32::try_from(services).unwrap_or(u32::MAX),
                    balance: from_minor(row.try_get("balance_minor")?, c),
                })
            })
            .collect()
    }
}

//! Billing in the database: settings, number series, invoices and credit
//! notes, payments and their allocation, the invoice run's reads and
//! writes, statements, reports and export rows.
//!
//! Amounts in the billing tables are integers of the currency's minor unit
//! (see the migration); [`minor`] and [`from_minor`] convert.

mod documents;
mod invoices;
mod issue;
mod ledger;
pub(in crate::store) use ledger::balance_sql;
mod payments;
mod reports;
mod run;
mod settings;

use headend_core::billing::money::Currency;
use rust_decimal::Decimal;
use sqlx::SqliteConnection;

use super::corrupt;
use crate::error::StoreError;

pub use documents::{CustomerExportRow, InvoiceExportRow, PaymentExportRow};
pub use invoices::{
    AllocationRecord, InvoiceDetail, InvoiceQuery, InvoiceRecord, IssuedInvoice, NewCharge, NewInvoice, ServiceBilled,
    VoidRecord,
};
pub use ledger::Statement;
pub use payments::{NewPayment, PaymentOutcome};
pub use reports::{MonthTotals, OverdueCustomer, RevenueReport};
pub use run::{BillingDates, BillingRow, Coupon, PendingCharge};

/// `amount` in the currency's minor unit (25.00 USD → 2500).
pub(crate) fn minor(amount: Decimal, currency: &Currency) -> Result<i64, StoreError> {
    let mut rounded = currency.round(amount);
    rounded.rescale(currency.minor_digits());
    i64::try_from(rounded.mantissa()).map_err(|_| StoreError::Invalid(format!("{amount} is too large to store")))
}

/// A minor-unit count as an amount (2500 USD → 25.00).
pub(crate) fn from_minor(value: i64, currency: &Currency) -> Decimal {
    Decimal::new(value, currency.minor_digits())
}

pub(crate) fn currency(table: &'static str, code: &str) -> Result<Currency, StoreError> {
    Currency::new(code).map_err(|e| corrupt(table, e))
}

/// The next number of `series` (see `headend_core::billing::numbering`),
/// taken inside the caller's transaction so a rollback gives it back.
pub(crate) async fn next_number(
    conn: &mut SqliteConnection,
    series: headend_core::billing::numbering::Series,
    prefix: &str,
    issued: jiff::civil::Date,
) -> Result<String, StoreError> {
    let last: i64 = sqlx::query_scalar("UPDATE number_series SET last = last + 1 WHERE series = ? RETURNING last")
        .bind(series.as_str())
        .fetch_one(&mut *conn)
        .await?;
    let sequence = u64::try_from(last).map_err(|e| corrupt("number_series", e))?;
    Ok(headend_core::billing::numbering::format_number(prefix, issued, sequence))
}

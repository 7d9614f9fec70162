//! The Billing area: invoices and credit notes, the invoice run,
//! statements and charges, the revenue report, the billing settings and
//! the documents (PDFs, exports) saved through the save dialog.

pub mod documents;
pub mod invoices;
pub mod settings;

use headend_core::billing::calendar::Period;
use headend_ipc::billing::{AllocationDto, InvoiceRow};
use headend_ipc::{ErrorCode, ErrorDto};
use headend_store::{AllocationRecord, InvoiceRecord};
use jiff::civil::Date;

use super::Answer;

/// An ISO date typed in a form, or `None` when left empty.
pub fn date_arg(field: &str, text: &str) -> Answer<Option<Date>> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| ErrorDto::field(field, format!("Enter a date as YYYY-MM-DD, not {t:?}."))),
    }
}

/// A date the UI shows, or empty.
pub fn opt_date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A period as documents print it: its first and last day.
pub fn period_text(p: Period) -> String {
    format!("{} – {}", p.from, p.last_day())
}

pub fn invoice_row(r: &InvoiceRecord, today: Date) -> InvoiceRow {
    InvoiceRow {
        number: r.number.clone(),
        kind: r.kind.as_str().to_owned(),
        customer_id: r.customer.0,
        customer_name: r.customer_name.clone(),
        issue_date: r.issue_date.to_string(),
        due_date: r.due_date.to_string(),
        currency: r.currency.to_string(),
        net: r.totals.net.to_string(),
        tax: r.totals.tax.to_string(),
        gross: r.totals.gross.to_string(),
        settled: r.currency.format(r.settled),
        amount_due: r.currency.format(r.amount_due()),
        status: r.status(today).to_string(),
    }
}

pub fn allocation_dto(a: &AllocationRecord) -> AllocationDto {
    AllocationDto {
        source: a.source.clone(),
        invoice: a.invoice.clone(),
        date: a.date.to_string(),
        amount: a.amount.to_string(),
    }
}

/// A file could not be written or a dialog not shown.
pub fn file_error(message: impl std::fmt::Display) -> ErrorDto {
    ErrorDto::new(ErrorCode::Internal, message.to_string())
}

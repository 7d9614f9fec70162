//! Headend's printed and exported documents: invoice, credit note and receipt
//! PDFs, and XLSX and CSV exports of invoices, payments and customers.
//!
//! Architecture invariant: this crate only renders. Plain input structs go in,
//! bytes come out; it reads no database, knows no other Headend crate, runs no
//! async code and does no arithmetic on money: every amount it prints is one it
//! was given, already rounded. The fonts (DejaVu Sans) are compiled in, so a
//! PDF looks the same on every machine.

#![warn(missing_docs)]

mod amount;
mod export;
mod model;
mod pdf;

pub use export::{
    CustomerRow, InvoiceRow, PaymentRow, customers_csv, customers_xlsx, invoices_csv, invoices_xlsx, payments_csv,
    payments_xlsx,
};
pub use model::{DocumentLine, InvoiceDocument, InvoiceKind, Issuer, Logo, Paper, Party, ReceiptDocument};
pub use pdf::{invoice_pdf, merged_invoices_pdf, receipt_pdf};

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The issuer's logo is not a PNG or JPEG image, or it could not be decoded.
    #[error("the logo cannot be used: {0}")]
    Logo(String),
    /// The compiled-in font could not be read (a broken build, not bad input).
    #[error("the embedded font could not be loaded")]
    Font,
    /// The PDF writer refused the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    /// A merged PDF was asked for with no invoices in it.
    #[error("there are no invoices to print")]
    NoInvoices,
    /// An amount has no spreadsheet number that represents it.
    #[error("the amount {0} cannot be written as a spreadsheet number")]
    Amount(rust_decimal::Decimal),
    /// A date lies outside what a spreadsheet can hold (years 1900 to 9999).
    #[error("the date {0} cannot be written as a spreadsheet date")]
    Date(jiff::civil::Date),
    /// The XLSX writer failed (including an export longer than a worksheet's 1,048,575 rows).
    #[error("the XLSX file could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("the CSV file could not be written: {0}")]
    Csv(#[from] csv::Error),
    /// Writing the output failed.
    #[error("the document could not be written: {0}")]
    Io(#[from] std::io::Error),
}

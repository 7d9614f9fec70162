//! Billing workflows: the ISP's billing settings, the invoice run, one-off
//! charges and coupons, voiding and crediting, payments with their
//! receipts, statements, the revenue report, and the documents (PDF,
//! XLSX, CSV) the operator hands out or files.

mod documents;
mod invoices;
mod payments;
mod reports;
mod run;
mod settings;

pub use documents::{ExportFormat, ExportKind, SavedDocuments};
pub use invoices::ChargeInput;
pub use payments::PaymentInput;
pub use run::{INVOICE_RUN_EVERY, InvoiceRun};
pub use settings::LOGO_MAX_BYTES;

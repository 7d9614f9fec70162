//! The Billing area's shapes: invoices, payments, statements, the revenue
//! report, the billing settings and the documents saved from them.
//! Amounts are strings with the currency's decimals (`25.00`), dates ISO
//! strings (`2026-05-01`, empty when there is none).

use serde::{Deserialize, Serialize};

/// Command names of the Billing area.
pub mod command {
    /// Takes [`super::InvoiceQueryDto`]; answers [`super::InvoiceRow`]s.
    pub const LIST_INVOICES: &str = "list_invoices";
    /// Args `{ number }`; answers [`super::InvoiceView`].
    pub const GET_INVOICE: &str = "get_invoice";
    /// Args `{ number, path }`: writes the invoice's PDF to `path`, or where
    /// the save dialog says when `path` is null; answers
    /// `Option<`[`super::SavedFile`]`>` (`None`: the dialog was cancelled).
    pub const SAVE_INVOICE_PDF: &str = "save_invoice_pdf";
    /// Args `{ number }`: opens the invoice's PDF in the system's viewer,
    /// which prints it.
    pub const PRINT_INVOICE: &str = "print_invoice";
    /// Args `{ receipt, path }`, as [`SAVE_INVOICE_PDF`].
    pub const SAVE_RECEIPT_PDF: &str = "save_receipt_pdf";
    /// Takes [`super::VoidForm`]; answers [`super::InvoiceRow`].
    pub const VOID_INVOICE: &str = "void_invoice";
    /// Takes [`super::CreditForm`]; answers the credit note's [`super::InvoiceRow`].
    pub const CREDIT_INVOICE: &str = "credit_invoice";
    /// Answers [`super::InvoiceRunDto`]: what "Run invoices now" issued.
    pub const RUN_INVOICES: &str = "run_invoices";
    /// Args `{ id }` (a customer); answers [`super::StatementDto`].
    pub const CUSTOMER_STATEMENT: &str = "customer_statement";
    /// Takes [`super::ChargeForm`].
    pub const ADD_CHARGE: &str = "add_charge";
    /// Answers [`super::RevenueDto`] for this month.
    pub const REVENUE: &str = "revenue";
    /// Answers [`super::OverdueCustomerDto`]s, most owed first.
    pub const OVERDUE_CUSTOMERS: &str = "overdue_customers";
    /// Answers [`super::BillingSettingsView`].
    pub const GET_BILLING_SETTINGS: &str = "get_billing_settings";
    /// Takes [`super::BillingSettingsForm`]; answers [`super::BillingSettingsView`].
    pub const SAVE_BILLING_SETTINGS: &str = "save_billing_settings";
    /// Args `{ logo }`: the image's bytes, or null to remove it.
    pub const SET_COMPANY_LOGO: &str = "set_company_logo";
    /// Takes [`super::ExportForm`]; answers `Option<`[`super::SavedFile`]`>`.
    pub const EXPORT_BILLING: &str = "export_billing";
}

/// Which invoices the list shows; empty strings filter nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InvoiceQueryDto {
    /// "open", "paid", "overdue" or "void".
    pub status: String,
    /// Issued in this month: `2026-05`.
    pub month: String,
    /// Part of the customer's name.
    pub customer: String,
    /// Part of the number.
    pub number: String,
    /// Credit notes too.
    pub credit_notes: bool,
}

/// An invoice or credit note as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub number: String,
    /// "invoice" or "credit-note".
    pub kind: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub issue_date: String,
    pub due_date: String,
    pub currency: String,
    pub net: String,
    pub tax: String,
    pub gross: String,
    /// What payments and credit notes put on it.
    pub settled: String,
    /// Still due.
    pub amount_due: String,
    /// "open", "paid", "overdue" or "void".
    pub status: String,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineDto {
    /// "service", "proration", "charge", "discount" or "credit".
    pub kind: String,
    pub description: String,
    /// `2026-05-01 – 2026-05-31` (the last day included), or empty.
    pub period: String,
    /// In percent: `16`.
    pub tax_rate: String,
    pub net: String,
    pub tax: String,
    pub gross: String,
}

/// Money on an invoice: a payment's receipt or a credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationDto {
    /// The receipt's or credit note's number.
    pub source: String,
    pub invoice: String,
    pub date: String,
    pub amount: String,
}

/// Who issues the documents, as they print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IssuerDto {
    pub company: String,
    pub address: String,
    pub tax_id: String,
    pub payment_instructions: String,
}

/// Who an invoice is to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BillToDto {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

/// An invoice as it prints, with what settled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    pub invoice: InvoiceRow,
    pub issuer: IssuerDto,
    pub bill_to: BillToDto,
    /// A service of the customer, to record a payment against.
    pub service_id: Option<i64>,
    pub lines: Vec<InvoiceLineDto>,
    /// "Tax" as the ISP names it ("VAT").
    pub tax_name: String,
    /// "inclusive" or "exclusive".
    pub tax_mode: String,
    pub allocations: Vec<AllocationDto>,
    /// A credit note's invoice number, or empty.
    pub credits: String,
    /// A credit note's reason, or empty.
    pub reason: String,
    /// Why it was voided; empty when it stands.
    pub void_reason: String,
}

/// Takes a document out of the books, keeping its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidForm {
    pub number: String,
    pub reason: String,
}

/// A credit note against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditForm {
    pub number: String,
    pub amount: String,
    pub reason: String,
}

/// One invoice an invoice run issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedDto {
    pub number: String,
    pub customer_name: String,
    pub gross: String,
    /// Of it, what the customer's credit paid at once; empty when nothing.
    pub settled: String,
}

/// What an invoice run issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRunDto {
    pub date: String,
    pub issued: Vec<IssuedDto>,
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRow {
    pub date: String,
    /// "invoice", "credit-note" or "payment".
    pub kind: String,
    pub number: String,
    pub description: String,
    /// Empty when zero.
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

/// A customer's account: every document and payment with the running
/// balance, and the invoices still to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementDto {
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: String,
    pub entries: Vec<StatementRow>,
    /// Positive: the customer owes; negative: their credit.
    pub balance: String,
    /// Whether they owe anything (`balance` > 0).
    pub owes: bool,
    pub open_invoices: Vec<InvoiceRow>,
}

/// A one-off charge for the customer's next invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeForm {
    pub customer_id: i64,
    pub description: String,
    pub amount: String,
}

/// A payment as the service page's form gives it. `months` and `invoice`
/// are empty unless used; `date` empty is today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PaymentForm {
    pub service_id: i64,
    pub amount: String,
    /// "cash", "bank-transfer", "mobile-money", "card" or "other".
    pub method: String,
    pub reference: String,
    pub date: String,
    /// Prepaid months without an invoice.
    pub months: String,
    /// An invoice number to settle first.
    pub invoice: String,
}

/// What a payment would do (the preview) or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOutcome {
    /// The receipt's number (the next one, in a preview).
    pub receipt: String,
    pub customer_name: String,
    pub amount: String,
    pub currency: String,
    pub allocations: Vec<AllocationDto>,
    /// What no invoice took: the customer's credit; empty when none.
    pub credit_left: String,
    /// The customer's balance after it (positive: they owe).
    pub balance: String,
    /// The service's paid-through date before and after it.
    pub previous_due: String,
    pub paid_through: String,
}

/// The month's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthDto {
    /// `2026-05`.
    pub month: String,
    pub invoiced: String,
    pub collected: String,
    /// The same as numbers, for the chart's bars.
    pub invoiced_value: f64,
    pub collected_value: f64,
}

/// Overdue invoices of one age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingDto {
    /// "0-30", "31-60", "61-90", "90+" days.
    pub label: String,
    pub count: u64,
    pub amount: String,
}

/// The revenue report: this month, what is owed, and the last twelve months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueDto {
    pub currency: String,
    pub month: MonthDto,
    pub outstanding: String,
    pub overdue_invoices: u64,
    pub overdue_amount: String,
    pub overdue_customers: u64,
    pub aging: Vec<AgingDto>,
    /// Oldest first.
    pub history: Vec<MonthDto>,
}

/// A customer with overdue invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueCustomerDto {
    pub customer_id: i64,
    pub name: String,
    /// A service of theirs, whose page shows the customer.
    pub service_id: Option<i64>,
    pub invoices: u64,
    pub amount: String,
    pub oldest_due: String,
}

/// The billing settings form. Field names of its errors (`ErrorDto::field`)
/// are the settings' names, as the CLI's flags spell them: "currency",
/// "tax-rate", "tax-mode", "tax-name", "invoice-prefix",
/// "credit-note-prefix", "receipt-prefix", "lead-days", "payment-terms",
/// "timing", "first-invoice", "invoices-while-suspended", "promise-days",
/// "company", "address", "tax-id", "payment-instructions", "paper".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BillingSettingsForm {
    /// ISO 4217: "USD", "KES".
    pub currency: String,
    /// In percent.
    pub tax_rate: String,
    /// Prices include the tax.
    pub tax_inclusive: bool,
    pub tax_name: String,
    pub invoice_prefix: String,
    pub credit_note_prefix: String,
    pub receipt_prefix: String,
    pub lead_days: String,
    pub payment_terms: String,
    /// "in-advance" or "in-arrears".
    pub timing: String,
    /// "activation" or "day-N".
    pub first_invoice: String,
    pub invoices_while_suspended: String,
    pub promise_days: String,
    pub company: String,
    pub address: String,
    pub tax_id: String,
    pub payment_instructions: String,
    /// "a4" or "letter".
    pub paper: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSettingsView {
    pub form: BillingSettingsForm,
    pub has_logo: bool,
    pub logo_max_bytes: u64,
}

/// An export of the books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExportForm {
    /// "invoices", "payments" or "customers".
    pub kind: String,
    /// "xlsx" or "csv".
    pub format: String,
    /// ISO dates or empty.
    pub from: String,
    pub to: String,
    /// Where to write; `None` asks with the save dialog.
    pub path: Option<String>,
}

/// A file written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    pub path: String,
    pub documents: u64,
}

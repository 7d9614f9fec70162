//! What a printed document says: plain views the caller fills in.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// The sheet a PDF is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// 210 × 297 mm.
    #[default]
    A4,
    /// 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in PDF points (1/72 in).
    pub(crate) fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// An image printed at the top left of the issuer's documents: the bytes of a
/// PNG or JPEG file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo(pub Vec<u8>);

/// The business issuing the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// Trading name, printed in bold.
    pub name: String,
    /// Postal address, one line per line.
    pub address: String,
    /// Tax registration number, if the issuer has one.
    pub tax_id: Option<String>,
    /// Logo, if any.
    pub logo: Option<Logo>,
    /// How to pay (bank account, PIX key, payment link), printed at the bottom
    /// of invoices; may be several lines.
    pub payment_instructions: String,
}

/// The customer a document is addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Name as billed.
    pub name: String,
    /// Postal address, one line per line; may be empty.
    pub address: String,
}

/// Whether a document bills the customer or gives money back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceKind {
    /// A bill.
    Invoice,
    /// A credit against an earlier invoice.
    CreditNote,
}

/// One line of an invoice's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    /// What is billed; long text wraps.
    pub description: String,
    /// The service period covered, first and last day, if the line has one.
    pub period: Option<(Date, Date)>,
    /// Amount before tax.
    pub net: Decimal,
    /// Tax on the line.
    pub tax: Decimal,
    /// Amount including tax.
    pub gross: Decimal,
}

/// An invoice or credit note, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    /// Invoice or credit note.
    pub kind: InvoiceKind,
    /// The document's number, e.g. `INV-2025-0001`.
    pub number: String,
    /// Date of issue.
    pub issue_date: Date,
    /// Date payment is due (not printed on a credit note).
    pub due_date: Date,
    /// If the document was voided, why: the pages carry a large "VOID" stamp and the reason.
    pub void: Option<String>,
    /// For a credit note, the number of the invoice it credits.
    pub credited_invoice: Option<String>,
    /// Who issues it.
    pub issuer: Issuer,
    /// Who it is addressed to.
    pub customer: Party,
    /// Currency code printed beside totals, e.g. `USD`, `BRL`, `EUR`.
    pub currency: String,
    /// Decimals printed for amounts (2 for most currencies).
    pub minor_digits: u32,
    /// The tax line's label, e.g. `VAT 16% (included)` or `Tax 8%`.
    pub tax_label: String,
    /// Whether line prices include tax; a note under the table says so.
    pub tax_inclusive: bool,
    /// The table's lines, in order.
    pub lines: Vec<DocumentLine>,
    /// Total before tax.
    pub net: Decimal,
    /// Total tax.
    pub tax: Decimal,
    /// Total including tax.
    pub gross: Decimal,
    /// What the customer owed before this document.
    pub balance_brought_forward: Decimal,
    /// What the customer has paid against it.
    pub paid: Decimal,
    /// What is left to pay.
    pub amount_due: Decimal,
    /// Sheet size.
    pub paper: Paper,
}

/// A receipt for one payment, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDocument {
    /// The receipt's number.
    pub number: String,
    /// The day the payment was received.
    pub date: Date,
    /// Who issues it.
    pub issuer: Issuer,
    /// Who paid.
    pub customer: Party,
    /// Currency code printed beside amounts.
    pub currency: String,
    /// Decimals printed for amounts.
    pub minor_digits: u32,
    /// Amount received.
    pub amount: Decimal,
    /// How it was paid, e.g. `Cash`, `Bank transfer`.
    pub method: String,
    /// The payer's or bank's reference, if any.
    pub reference: Option<String>,
    /// The operator who recorded the payment.
    pub recorded_by: String,
    /// The invoices it paid: invoice number and amount applied to it.
    pub allocations: Vec<(String, Decimal)>,
    /// The part not applied to any invoice, kept as credit.
    pub unallocated: Decimal,
    /// The customer's balance after this payment.
    pub balance_after: Decimal,
    /// Sheet size.
    pub paper: Paper,
}

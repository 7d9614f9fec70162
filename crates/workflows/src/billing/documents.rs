//! Documents: invoice, credit note and receipt PDFs (one, a month's as a
//! folder or one merged file for printing) and the XLSX/CSV exports, written
//! owner-only and atomically to where the operator chose.
//!
//! An invoice's "balance brought forward" is what the customer owes on
//! their other documents today and its "amount due" is their whole balance
//! today, so a reprint always tells the customer what to pay now.

use std::path::{Path, PathBuf};

use headend_core::billing::invoice::DocumentKind;
use headend_core::billing::settings::{BillingSettings, Paper};
use headend_documents as docs;
use headend_store::{InvoiceDetail, InvoiceQuery};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::files::{file_error, write_private};
use crate::{WorkflowError, Workflows};

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Invoices,
    Payments,
    Customers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

/// Files written, and how many documents they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDocuments {
    pub files: Vec<PathBuf>,
    pub documents: usize,
}

fn document_error(err: docs::DocumentError) -> WorkflowError {
    match err {
        docs::DocumentError::Logo(_) => WorkflowError::invalid("logo", err.to_string()),
        other => WorkflowError::File(other.to_string()),
    }
}

fn issuer(settings: &BillingSettings, logo: Option<Vec<u8>>) -> docs::Issuer {
    docs::Issuer {
        name: settings.company.clone(),
        address: settings.address.clone(),
        tax_id: Some(settings.tax_id.clone()).filter(|t| !t.is_empty()),
        logo: logo.map(docs::Logo),
        payment_instructions: settings.payment_instructions.clone(),
    }
}

fn paper(settings: &BillingSettings) -> docs::Paper {
    match settings.paper {
        Paper::A4 => docs::Paper::A4,
        Paper::Letter => docs::Paper::Letter,
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<PathBuf, WorkflowError> {
    write_private(path, bytes)?;
    Ok(path.to_path_buf())
}

impl Workflows {
    async fn party(&self, customer: headend_core::CustomerId) -> Result<docs::Party, WorkflowError> {
        let c = self
            .store
            .customer(customer)
            .await?
            .ok_or_else(|| WorkflowError::NotFound(format!("customer {customer}")))?;
        Ok(docs::Party { name: c.name, address: c.address.unwrap_or_default() })
    }

    async fn invoice_document(
        &self,
        detail: InvoiceDetail,
        settings: &BillingSettings,
        logo: Option<Vec<u8>>,
    ) -> Result<docs::InvoiceDocument, WorkflowError> {
        let inv = detail.invoice;
        let balance = self.store.customer_balance(inv.customer, &inv.currency).await?;
        let this_due = inv.amount_due();
        let rate = detail.lines.first().map(|l| l.tax_rate).unwrap_or(settings.tax_rate);
        Ok(docs::InvoiceDocument {
            kind: match inv.kind {
                DocumentKind::Invoice => docs::InvoiceKind::Invoice,
                DocumentKind::CreditNote => docs::InvoiceKind::CreditNote,
            },
            void: inv.void.as_ref().map(|v| v.reason.clone()),
            credited_invoice: inv.credits.clone(),
            issuer: issuer(settings, logo),
            customer: self.party(inv.customer).await?,
            currency: inv.currency.code().to_owned(),
            minor_digits: inv.currency.minor_digits(),
            tax_label: settings.tax_label(rate),
            tax_inclusive: inv.tax_mode == headend_core::billing::tax::TaxMode::Inclusive,
            lines: detail
                .lines
                .iter()
                .map(|l| docs::DocumentLine {
                    description: l.description.clone(),
                    period: l.period.map(|p| (p.from, p.last_day())),
                    net: l.amounts.net,
                    tax: l.amounts.tax,
                    gross: l.amounts.gross,
                })
                .collect(),
            net: inv.totals.net,
            tax: inv.totals.tax,
            gross: inv.totals.gross,
            balance_brought_forward: if inv.kind == DocumentKind::Invoice { balance - this_due } else { Decimal::ZERO },
            paid: if inv.kind == DocumentKind::Invoice { inv.settled } else { Decimal::ZERO },
            // Total + brought forward − paid: negative is the customer's credit.
            amount_due: if inv.kind == DocumentKind::Invoice { balance } else { Decimal::ZERO },
            number: inv.number,
            issue_date: inv.issue_date,
            due_date: inv.due_date,
            paper: paper(settings),
        })
    }

    /// An invoice's or credit note's PDF.
    pub async fn invoice_pdf(&self, number: &str) -> Result<Vec<u8>, WorkflowError> {
        let detail = self.invoice(number).await?;
        let settings = self.store.billing_settings().await?;
        let logo = self.store.company_logo().await?;
        let doc = self.invoice_document(detail, &settings, logo).await?;
        docs::invoice_pdf(&doc).map_err(document_error)
    }

    /// Writes an invoice's PDF to `out`.
    pub async fn save_invoice_pdf(&self, number: &str, out: &Path) -> Result<SavedDocuments, WorkflowError> {
        let bytes = self.invoice_pdf(number).await?;
        Ok(SavedDocuments { files: vec![write_file(out, &bytes)?], documents: 1 })
    }

    /// Writes every invoice and credit note issued in the month of `month`:
    /// one PDF per document into the folder `out` (named by number), or, if
    /// `merged`, all of them in one PDF at `out` for printing.
    pub async fn save_month_pdfs(
        &self,
        month: Date,
        out: &Path,
        merged: bool,
    ) -> Result<SavedDocuments, WorkflowError> {
        let settings = self.store.billing_settings().await?;
        let logo = self.store.company_logo().await?;
        let (_, today) = self.today().await?;
        let query =
            InvoiceQuery { month: Some((month.year(), month.month())), credit_notes: true, ..Default::default() };
        let mut records = self.store.invoices(&query, today).await?;
        records.reverse();
        if records.is_empty() {
            return Err(WorkflowError::NotFound(format!(
                "no invoices were issued in {}-{:02}",
                month.year(),
                month.month()
            )));
        }
        let mut documents = Vec::with_capacity(records.len());
        for record in records {
            documents.push(self.invoice_document(self.invoice(&record.number).await?, &settings, logo.clone()).await?);
        }
        if merged {
            let bytes = docs::merged_invoices_pdf(&documents).map_err(document_error)?;
            return Ok(SavedDocuments { files: vec![write_file(out, &bytes)?], documents: documents.len() });
        }
        std::fs::create_dir_all(out).map_err(|e| file_error("create", out, &e))?;
        let mut files = Vec::with_capacity(documents.len());
        for doc in &documents {
            let bytes = docs::invoice_pdf(doc).map_err(document_error)?;
            let name: String =
                doc.number.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
            files.push(write_file(&out.join(format!("{name}.pdf")), &bytes)?);
        }
        Ok(SavedDocuments { files, documents: documents.len() })
    }

    /// A payment's receipt as a PDF.
    pub async fn receipt_pdf(&self, receipt: &str) -> Result<Vec<u8>, WorkflowError> {
        let (payment, allocations) = self.store.payment_by_receipt(receipt.trim()).await?.ok_or_else(|| {
            WorkflowError::NotFound(format!(
                "there is no receipt numbered {receipt:?}; `headend customer statement` lists them"
            ))
        })?;
        let settings = self.store.billing_settings().await?;
        let logo = self.store.company_logo().await?;
        let balance = self.store.customer_balance(payment.customer, &settings.currency).await?;
        let applied: Decimal = allocations.iter().map(|a| a.amount).sum();
        let unallocated = if payment.months.is_some() { Decimal::ZERO } else { payment.amount - applied };
        let method = match payment.months {
            Some(m) => format!("{} (prepaid {m} month(s))", payment.method.label()),
            None => payment.method.label().to_owned(),
        };
        let doc = docs::ReceiptDocument {
            number: payment.receipt.clone(),
            date: payment.paid_on,
            issuer: issuer(&settings, logo),
            customer: self.party(payment.customer).await?,
            currency: settings.currency.code().to_owned(),
            minor_digits: settings.currency.minor_digits(),
            amount: payment.amount,
            method,
            reference: payment.reference.clone(),
            recorded_by: payment.actor.as_str().to_owned(),
            allocations: allocations.into_iter().map(|a| (a.invoice, a.amount)).collect(),
            unallocated,
            balance_after: balance,
            paper: paper(&settings),
        };
        docs::receipt_pdf(&doc).map_err(document_error)
    }

    /// Writes a receipt's PDF to `out`.
    pub async fn save_receipt_pdf(&self, receipt: &str, out: &Path) -> Result<SavedDocuments, WorkflowError> {
        let bytes = self.receipt_pdf(receipt).await?;
        Ok(SavedDocuments { files: vec![write_file(out, &bytes)?], documents: 1 })
    }

    /// Writes an export to `out`: invoices (issued) or payments (received)
    /// from `from` to `to`, or every customer with their balance.
    pub async fn export(
        &self,
        kind: ExportKind,
        format: ExportFormat,
        (from, to): (Option<Date>, Option<Date>),
        out: &Path,
    ) -> Result<SavedDocuments, WorkflowError> {
        let settings = self.store.billing_settings().await?;
        let (_, today) = self.today().await?;
        let mut bytes = Vec::new();
        let rows = match kind {
            ExportKind::Invoices => {
                let rows: Vec<docs::InvoiceRow> = self
                    .store
                    .invoice_export(from, to, today)
                    .await?
                    .into_iter()
                    .map(|r| docs::InvoiceRow {
                        number: r.number,
                        customer: r.customer,
                        issue_date: r.issue_date,
                        due_date: r.due_date,
                        status: if r.kind == "credit-note" {
                            "credit note".to_owned()
                        } else {
                            r.status.as_str().to_owned()
                        },
                        net: r.net,
                        tax: r.tax,
                        gross: r.gross,
                        paid: r.paid,
                        due: r.due,
                        currency: r.currency,
                    })
                    .collect();
                let n = rows.len();
                match format {
                    ExportFormat::Xlsx => docs::invoices_xlsx(rows, &mut bytes),
                    ExportFormat::Csv => docs::invoices_csv(rows, &mut bytes),
                }
                .map_err(document_error)?;
                n
            }
            ExportKind::Payments => {
                let rows: Vec<docs::PaymentRow> = self
                    .store
                    .payment_export(from, to)
                    .await?
                    .into_iter()
                    .map(|r| docs::PaymentRow {
                        receipt: r.receipt,
                        customer: r.customer,
                        date: r.date,
                        amount: r.amount,
                        currency: r.currency,
                        method: r.method.to_owned(),
                        reference: Some(r.reference).filter(|x| !x.is_empty()),
                        recorded_by: r.recorded_by.to_owned(),
                    })
                    .collect();
                let n = rows.len();
                match format {
                    ExportFormat::Xlsx => docs::payments_xlsx(rows, &mut bytes),
                    ExportFormat::Csv => docs::payments_csv(rows, &mut bytes),
                }
                .map_err(document_error)?;
                n
            }
            ExportKind::Customers => {
                let rows: Vec<docs::CustomerRow> = self
                    .store
                    .customer_export(&settings.currency)
                    .await?
                    .into_iter()
                    .map(|r| docs::CustomerRow {
                        id: r.id,
                        name: r.name,
                        phone: Some(r.phone).filter(|x| !x.is_empty()),
                        email: Some(r.email).filter(|x| !x.is_empty()),
                        address: r.address,
                        balance: r.balance,
                        services: r.services,
                    })
                    .collect();
                let n = rows.len();
                match format {
                    ExportFormat::Xlsx => docs::customers_xlsx(rows, &mut bytes),
                    ExportFormat::Csv => docs::customers_csv(rows, &mut bytes),
                }
                .map_err(document_error)?;
                n
            }
        };
        Ok(SavedDocuments { files: vec![write_file(out, &bytes)?], documents: rows })
    }
}

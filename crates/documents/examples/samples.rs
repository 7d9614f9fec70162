//! Writes one of each document into a directory, to look at:
//! `cargo run -p headend-documents --example samples -- /tmp/docs-shots`
//! then `pdftoppm -png -r 80 /tmp/docs-shots/invoice.pdf /tmp/docs-shots/invoice`.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

use headend_documents::{InvoiceKind, Paper, invoice_pdf, merged_invoices_pdf, receipt_pdf};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp/docs-shots".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes).unwrap();

    write("invoice.pdf", invoice_pdf(&common::invoice()).unwrap());
    write("long-invoice.pdf", invoice_pdf(&common::long_invoice(60)).unwrap());

    let mut void = common::invoice();
    void.void = Some("Issued to the wrong customer; replaced by INV-2025-000124".into());
    void.paper = Paper::Letter;
    write("void-letter.pdf", invoice_pdf(&void).unwrap());

    let mut credit = common::invoice();
    credit.kind = InvoiceKind::CreditNote;
    credit.number = "CN-2025-000004".into();
    credit.credited_invoice = Some("INV-2025-000123".into());
    credit.tax_label = "VAT 16% (included)".into();
    credit.tax_inclusive = true;
    credit.issuer.logo = None;
    write("credit-note.pdf", invoice_pdf(&credit).unwrap());

    write("receipt.pdf", receipt_pdf(&common::receipt()).unwrap());
    write("merged.pdf", merged_invoices_pdf(&[common::invoice(), credit]).unwrap());
    // Awkward input: long names, an unbroken token, huge amounts, no address.
    let mut edge = common::long_invoice(3);
    edge.issuer.name = "Cooperativa de Telecomunicações e Serviços de Internet do Vale do Paraíba Ltda".into();
    edge.issuer.logo = None;
    edge.customer.address = String::new();
    edge.number = "INV-2025-0000000000123-A".into();
    edge.lines[0].description = format!("Reference https://portal.example/{}", "x".repeat(90));
    edge.lines[1].gross = common::dec("1234567890.12");
    edge.amount_due = common::dec("-98765432.10");
    edge.tax_label = "ICMS 25% + PIS/COFINS 9.25% (included in prices)".into();
    edge.issuer.payment_instructions = String::new();
    write("edge.pdf", invoice_pdf(&edge).unwrap());

    let mut many = common::receipt();
    many.allocations = (0..70).map(|i| (format!("INV-2024-{i:06}"), common::dec("28.57"))).collect();
    write("receipt-many.pdf", receipt_pdf(&many).unwrap());

    println!("written to {}", dir.display());
}

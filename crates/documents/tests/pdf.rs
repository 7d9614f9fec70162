#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::{dec, invoice, long_invoice, poppler, receipt};
use headend_documents::{DocumentError, InvoiceKind, Logo, Paper, invoice_pdf, merged_invoices_pdf, receipt_pdf};

/// Writes a PDF where poppler can read it; the directory lives as long as the guard.
fn saved(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn pages(info: &str) -> usize {
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line["Pages:".len()..].trim().parse().unwrap()
}

fn page_text(pdf: &std::path::Path, page: usize) -> String {
    let page = page.to_string();
    poppler("pdftotext", &["-layout", "-f", &page, "-l", &page], pdf)
}

#[test]
fn invoice_text_is_real_text_in_any_script() {
    let (_dir, pdf) = saved(&invoice_pdf(&invoice()).unwrap());
    let text = poppler("pdftotext", &["-layout"], &pdf);
    for expected in [
        "Café Étoile Telecom",
        "São Paulo",
        "Łódź",
        "Ελλάδα",
        "Москва",
        "INVOICE",
        "INV-2025-000123",
        "2025-01-15",
        "1,234.50",
        "1,549.50",
        "247.92",
        "USD 1,797.42",
        "Balance brought forward",
        "USD 1,817.42",
        "2025-01-01 – 2025-01-31",
        "Tax 16%",
        "Page 1 of 1",
        "Banco Exemplo",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    // The long description wrapped rather than running off the page.
    assert!(text.contains("Installation at the") && text.contains("VLANs"));
}

#[test]
fn fonts_are_embedded_subsets() {
    let (_dir, pdf) = saved(&invoice_pdf(&invoice()).unwrap());
    let fonts = poppler("pdffonts", &[], &pdf);
    // name type encoding emb sub uni object-id: read the flags from the right.
    let rows: Vec<Vec<&str>> = fonts.lines().skip(2).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 2, "regular and bold:\n{fonts}");
    for row in rows {
        let flags = &row[row.len() - 5..row.len() - 2];
        assert_eq!(flags, ["yes", "yes", "yes"], "emb sub uni:\n{fonts}");
        assert!(row[0].contains("DejaVuSans"), "{fonts}");
    }
}

#[test]
fn many_lines_flow_onto_more_pages_with_the_header_repeated() {
    let (_dir, pdf) = saved(&invoice_pdf(&long_invoice(60)).unwrap());
    let count = pages(&poppler("pdfinfo", &[], &pdf));
    assert!(count >= 2, "60 lines on {count} page(s)");
    let last = page_text(&pdf, count);
    assert!(last.contains(&format!("Page {count} of {count}")), "{last}");
    assert!(last.contains("Amount due"), "totals close the invoice:\n{last}");
    let second = page_text(&pdf, 2);
    assert!(second.contains("DESCRIPTION") && second.contains("AMOUNT"), "table header repeated:\n{second}");
    assert!(second.contains("INV-2025-LONG-60 (continued)"), "{second}");
    let all = poppler("pdftotext", &[], &pdf);
    for i in 0..60 {
        assert!(all.contains(&format!("service #{}", 1000 + i)), "line {i} missing");
    }
}

#[test]
fn letter_paper_is_letter_sized() {
    let mut doc = invoice();
    doc.paper = Paper::Letter;
    let (_dir, pdf) = saved(&invoice_pdf(&doc).unwrap());
    assert!(poppler("pdfinfo", &[], &pdf).contains("612 x 792 pts"));
}

#[test]
fn the_logo_is_drawn_once() {
    let (_dir, pdf) = saved(&invoice_pdf(&invoice()).unwrap());
    let images = poppler("pdfimages", &["-list"], &pdf);
    // The logo's colour, plus its alpha channel as a soft mask.
    let kinds: Vec<(&str, &str)> =
        images.lines().skip(2).map(|l| l.split_whitespace().collect::<Vec<_>>()).map(|f| (f[2], f[3])).collect();
    assert_eq!(kinds, [("image", "96"), ("smask", "96")], "{images}");
}

#[test]
fn a_jpeg_logo_is_embedded_as_jpeg() {
    let mut doc = invoice();
    doc.issuer.logo = Some(Logo(include_bytes!("fixtures/logo.jpg").to_vec()));
    let (_dir, pdf) = saved(&invoice_pdf(&doc).unwrap());
    let images = poppler("pdfimages", &["-list"], &pdf);
    let encodings: Vec<&str> = images.lines().skip(2).map(|l| l.split_whitespace().nth(8).unwrap()).collect();
    assert_eq!(encodings, ["jpeg"], "{images}");
}

#[test]
fn a_bad_logo_is_an_error_not_a_panic() {
    let mut doc = invoice();
    doc.issuer.logo = Some(Logo(b"GIF89a not what we take".to_vec()));
    let error = invoice_pdf(&doc).unwrap_err();
    assert!(matches!(error, DocumentError::Logo(_)), "{error}");
    assert!(error.to_string().contains("not a PNG or JPEG"), "{error}");

    // A PNG signature with nothing after it.
    doc.issuer.logo = Some(Logo(b"\x89PNG\r\n\x1a\n".to_vec()));
    assert!(matches!(invoice_pdf(&doc), Err(DocumentError::Logo(_))));

    // A sound header over corrupt pixel data: caught when the image is decoded.
    let mut png = common::LOGO.to_vec();
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    png[idat + 4..idat + 40].fill(0xAB);
    doc.issuer.logo = Some(Logo(png));
    let error = invoice_pdf(&doc).unwrap_err();
    assert!(matches!(error, DocumentError::Logo(_)), "{error}");

    // A JPEG start with garbage after it.
    doc.issuer.logo = Some(Logo(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]));
    assert!(matches!(invoice_pdf(&doc), Err(DocumentError::Logo(_))));
}

#[test]
fn no_logo_is_fine() {
    let mut doc = invoice();
    doc.issuer.logo = None;
    doc.issuer.tax_id = None;
    doc.customer.address = String::new();
    let (_dir, pdf) = saved(&invoice_pdf(&doc).unwrap());
    assert!(poppler("pdftotext", &[], &pdf).contains("INV-2025-000123"));
}

#[test]
fn a_void_invoice_says_so_and_why() {
    let mut doc = invoice();
    doc.void = Some("Issued to the wrong customer".into());
    let (_dir, pdf) = saved(&invoice_pdf(&doc).unwrap());
    let text = poppler("pdftotext", &[], &pdf);
    assert!(text.contains("VOID: Issued to the wrong customer"), "{text}");
}

#[test]
fn a_credit_note_names_the_invoice_it_credits() {
    let mut doc = invoice();
    doc.kind = InvoiceKind::CreditNote;
    doc.number = "CN-2025-000004".into();
    doc.credited_invoice = Some("INV-2025-000123".into());
    let (_dir, pdf) = saved(&invoice_pdf(&doc).unwrap());
    let text = poppler("pdftotext", &["-layout"], &pdf);
    assert!(text.contains("CREDIT NOTE") && text.contains("CN-2025-000004"), "{text}");
    assert!(text.contains("Credits invoice") && text.contains("INV-2025-000123"), "{text}");
    assert!(!text.contains("Due date"), "a credit note has no due date:\n{text}");
    assert!(!text.contains("Prices include tax."));

    doc.tax_inclusive = true;
    let (_dir, pdf) = saved(&invoice_pdf(&doc).unwrap());
    assert!(poppler("pdftotext", &[], &pdf).contains("Prices include tax."));
}

#[test]
fn amounts_use_the_documents_minor_digits() {
    let mut doc = invoice();
    doc.currency = "JPY".into();
    doc.minor_digits = 0;
    doc.amount_due = dec("181742");
    let (_dir, pdf) = saved(&invoice_pdf(&doc).unwrap());
    assert!(poppler("pdftotext", &[], &pdf).contains("JPY 181,742"));
}

#[test]
fn receipt_shows_payment_and_allocations() {
    let (_dir, pdf) = saved(&receipt_pdf(&receipt()).unwrap());
    let text = poppler("pdftotext", &["-layout"], &pdf);
    for expected in [
        "RECEIPT",
        "RCP-2025-000077",
        "BRL 2,000.00",
        "Bank transfer",
        "PIX E1234567890",
        "Ana Souza",
        "INV-2025-000123",
        "1,817.42",
        "INV-2024-000990",
        "82.58",
        "BRL -82.58",
        "Łódź",
        "Café Étoile Telecom",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
}

#[test]
fn merged_invoices_each_start_a_page() {
    let mut second = invoice();
    second.number = "INV-2025-000124".into();
    let docs = [invoice(), long_invoice(60), second];
    let (_dir, pdf) = saved(&merged_invoices_pdf(&docs).unwrap());
    let count = pages(&poppler("pdfinfo", &[], &pdf));
    let long_pages = pages(&poppler("pdfinfo", &[], &saved(&invoice_pdf(&docs[1]).unwrap()).1));
    assert_eq!(count, 1 + long_pages + 1);
    assert!(page_text(&pdf, 1).contains("INV-2025-000123"));
    assert!(page_text(&pdf, 2).contains("INV-2025-LONG-60"));
    let last = page_text(&pdf, count);
    assert!(last.contains("INV-2025-000124") && last.contains("Page 1 of 1"), "{last}");
    assert!(matches!(merged_invoices_pdf(&[]), Err(DocumentError::NoInvoices)));
}

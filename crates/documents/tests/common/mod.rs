//! Sample documents shared by the tests and the examples, and a way to run
//! poppler's tools on a PDF.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use headend_documents::{DocumentLine, InvoiceDocument, InvoiceKind, Issuer, Logo, Paper, Party, ReceiptDocument};
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

pub const LOGO: &[u8] = include_bytes!("../fixtures/logo.png");

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn issuer() -> Issuer {
    Issuer {
        name: "Café Étoile Telecom".into(),
        address: "Rua Augusta 1500, sala 42\nConsolação\nSão Paulo – SP, 01304-001\nBrasil".into(),
        tax_id: Some("12.345.678/0001-90".into()),
        logo: Some(Logo(LOGO.to_vec())),
        payment_instructions: "Pay by PIX to the key pagamentos@cafe-etoile.example, or by bank transfer to \
            Banco Exemplo (001), agency 1234, account 56789-0, quoting the invoice number.\n\
            Questions about this invoice? Call +55 11 4000-1234 or write to billing@cafe-etoile.example."
            .into(),
    }
}

pub fn customer() -> Party {
    Party {
        name: "Łódź Ελλάδα Москва Trading Ltd".into(), address: "ul. Piotrkowska 104\n90-006 Łódź\nPolska".into()
    }
}

fn line(description: &str, period: Option<(Date, Date)>, net: &str, tax: &str, gross: &str) -> DocumentLine {
    DocumentLine { description: description.into(), period, net: dec(net), tax: dec(tax), gross: dec(gross) }
}

/// Three lines, one with a long description; totals add up.
pub fn invoice() -> InvoiceDocument {
    let january = Some((date(2025, 1, 1), date(2025, 1, 31)));
    InvoiceDocument {
        kind: InvoiceKind::Invoice,
        number: "INV-2025-000123".into(),
        issue_date: date(2025, 1, 1),
        due_date: date(2025, 1, 15),
        void: None,
        credited_invoice: None,
        issuer: issuer(),
        customer: customer(),
        currency: "USD".into(),
        minor_digits: 2,
        tax_label: "Tax 16%".into(),
        tax_inclusive: false,
        lines: vec![
            line("Fibra Empresarial 1 Gbps — São Paulo", january, "1234.50", "197.52", "1432.02"),
            line("Static IPv4 address (Ελλάδα / Москва routing)", january, "15.00", "2.40", "17.40"),
            line(
                "Installation at the customer's new premises, including 120 m of outdoor fibre drop cable, \
                 an ONU with Wi-Fi 6 and configuration of the customer's VLANs",
                None,
                "300.00",
                "48.00",
                "348.00",
            ),
        ],
        net: dec("1549.50"),
        tax: dec("247.92"),
        gross: dec("1797.42"),
        balance_brought_forward: dec("120.00"),
        paid: dec("100.00"),
        amount_due: dec("1817.42"),
        paper: Paper::A4,
    }
}

/// An invoice with `count` monthly lines, its totals adding up.
pub fn long_invoice(count: usize) -> InvoiceDocument {
    let mut doc = invoice();
    doc.number = format!("INV-2025-LONG-{count}");
    doc.lines = (0..count)
        .map(|i| {
            let net = Decimal::new(4990 + 125 * i as i64, 2);
            let tax = (net * dec("0.16")).round_dp(2);
            let start = date(2020, 1, 1).checked_add(jiff::Span::new().months(i as i64)).unwrap();
            let end = start.last_of_month();
            let description = format!("Fibre 300 Mbps, service #{} at Łódź depot {}", 1000 + i, i % 7);
            line(&description, Some((start, end)), &net.to_string(), &tax.to_string(), &(net + tax).to_string())
        })
        .collect();
    doc.net = doc.lines.iter().map(|l| l.net).sum();
    doc.tax = doc.lines.iter().map(|l| l.tax).sum();
    doc.gross = doc.lines.iter().map(|l| l.gross).sum();
    doc.amount_due = doc.gross + doc.balance_brought_forward - doc.paid;
    doc
}

pub fn receipt() -> ReceiptDocument {
    ReceiptDocument {
        number: "RCP-2025-000077".into(),
        date: date(2025, 1, 20),
        issuer: issuer(),
        customer: customer(),
        currency: "BRL".into(),
        minor_digits: 2,
        amount: dec("2000.00"),
        method: "Bank transfer".into(),
        reference: Some("PIX E1234567890".into()),
        recorded_by: "Ana Souza".into(),
        allocations: vec![("INV-2025-000123".into(), dec("1817.42")), ("INV-2024-000990".into(), dec("100.00"))],
        unallocated: dec("82.58"),
        balance_after: dec("-82.58"),
        paper: Paper::A4,
    }
}

/// Runs one of poppler's tools and returns what it printed; a missing tool
/// fails the test, saying what to install.
pub fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let mut command = Command::new(tool);
    command.args(args).arg(pdf);
    if tool == "pdftotext" {
        command.arg("-"); // to stdout
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(e) => {
            panic!("cannot run `{tool}` ({e}): these tests need poppler-utils (apt-get install -y poppler-utils)")
        }
    };
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

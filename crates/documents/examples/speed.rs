//! Times the bulk jobs: `speed pdf` renders 1,000 invoices one PDF each;
//! `speed merged` renders them into one PDF; `speed xlsx` exports 100,000 invoice rows. Run in release under
//! `/usr/bin/time -v` to see the peak memory as well.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::BufWriter;
use std::time::Instant;

use headend_documents::{InvoiceRow, invoice_pdf, invoices_xlsx, merged_invoices_pdf};
use jiff::civil::date;
use rust_decimal::Decimal;

fn main() {
    let started = Instant::now();
    match std::env::args().nth(1).as_deref() {
        Some("pdf") => {
            let mut bytes = 0;
            for i in 0..1000 {
                let mut doc = common::invoice();
                doc.number = format!("INV-2025-{i:06}");
                bytes += invoice_pdf(&doc).unwrap().len();
            }
            println!("1000 invoice PDFs, {} KB in all, in {:.2?}", bytes / 1024, started.elapsed());
        }
        Some("merged") => {
            let docs: Vec<_> = (0..1000)
                .map(|i| {
                    let mut doc = common::invoice();
                    doc.number = format!("INV-2025-{i:06}");
                    doc
                })
                .collect();
            let bytes = merged_invoices_pdf(&docs).unwrap().len();
            println!("1000 invoices merged into one PDF of {} KB in {:.2?}", bytes / 1024, started.elapsed());
        }
        Some("xlsx") => {
            let path = std::env::temp_dir().join("headend-speed.xlsx");
            let rows = (0..100_000i64).map(|i| InvoiceRow {
                number: format!("INV-2025-{i:06}"),
                customer: format!("Customer {} São Paulo", i % 5000),
                issue_date: date(2025, 1, 1),
                due_date: date(2025, 1, 15),
                status: "Open".into(),
                net: Decimal::new(4990 + i % 10_000, 2),
                tax: Decimal::new(798, 2),
                gross: Decimal::new(5788 + i % 10_000, 2),
                paid: Decimal::ZERO,
                due: Decimal::new(5788 + i % 10_000, 2),
                currency: "BRL".into(),
            });
            invoices_xlsx(rows, BufWriter::new(std::fs::File::create(&path).unwrap())).unwrap();
            let size = std::fs::metadata(&path).unwrap().len();
            println!("100,000 invoice rows, {} KB, in {:.2?}", size / 1024, started.elapsed());
            std::fs::remove_file(path).unwrap();
        }
        _ => eprintln!("usage: speed pdf|merged|xlsx"),
    }
}

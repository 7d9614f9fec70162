#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use headend_documents::{
    CustomerRow, InvoiceRow, PaymentRow, customers_csv, customers_xlsx, invoices_csv, invoices_xlsx, payments_csv,
    payments_xlsx,
};
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn invoice_rows() -> Vec<InvoiceRow> {
    vec![
        InvoiceRow {
            number: "INV-1".into(),
            customer: "Café Étoile".into(),
            issue_date: date(2025, 1, 1),
            due_date: date(2025, 1, 15),
            status: "Open".into(),
            net: dec("1234.5"),
            tax: dec("197.52"),
            gross: dec("1432.02"),
            paid: dec("0"),
            due: dec("1432.02"),
            currency: "USD".into(),
        },
        InvoiceRow {
            number: "INV-2".into(),
            customer: "Москва, \"quoted\"".into(),
            issue_date: date(2024, 12, 31),
            due_date: date(2025, 2, 28),
            status: "Paid".into(),
            net: dec("10"),
            tax: dec("1.6"),
            gross: dec("11.60"),
            paid: dec("11.60"),
            due: dec("0"),
            currency: "BRL".into(),
        },
    ]
}

/// Excel's serial day number: days since 1899-12-30.
fn serial(day: Date) -> f64 {
    (day - date(1899, 12, 30)).get_days() as f64
}

fn sheet(bytes: Vec<u8>, name: &str) -> calamine::Range<Data> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), [name]);
    workbook.worksheet_range(name).unwrap()
}

fn header(range: &calamine::Range<Data>) -> Vec<String> {
    range.rows().next().unwrap().iter().map(|cell| cell.to_string()).collect()
}

#[test]
fn invoices_xlsx_has_typed_cells() {
    let mut bytes = Vec::new();
    invoices_xlsx(invoice_rows(), &mut bytes).unwrap();
    let range = sheet(bytes, "Invoices");
    assert_eq!(
        header(&range),
        ["Number", "Customer", "Issue date", "Due date", "Status", "Net", "Tax", "Gross", "Paid", "Due", "Currency"]
    );
    assert_eq!(range.height(), 3);
    assert_eq!(range.get((1, 0)), Some(&Data::String("INV-1".into())));
    assert_eq!(range.get((1, 1)), Some(&Data::String("Café Étoile".into())));
    assert_eq!(range.get((1, 5)), Some(&Data::Float(1234.5)));
    assert_eq!(range.get((1, 7)), Some(&Data::Float(1432.02)));
    assert_eq!(range.get((2, 9)), Some(&Data::Float(0.0)));
    for (row, col, day) in [(1, 2, date(2025, 1, 1)), (1, 3, date(2025, 1, 15)), (2, 2, date(2024, 12, 31))] {
        match range.get((row, col)) {
            Some(Data::DateTime(dt)) => assert_eq!(dt.as_f64(), serial(day), "({row}, {col})"),
            other => panic!("({row}, {col}) is not a date: {other:?}"),
        }
    }
}

#[test]
fn xlsx_header_is_frozen_and_filtered_with_money_formats() {
    let mut bytes = Vec::new();
    invoices_xlsx(invoice_rows(), &mut bytes).unwrap();
    let mut zip = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(zip.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#), "{zip}");
    assert!(zip.contains(r#"<autoFilter ref="A1:K3"/>"#), "{zip}");
    zip = zip_entry(&bytes, "xl/styles.xml");
    assert!(zip.contains("#,##0.00") && zip.contains("yyyy-mm-dd"), "{zip}");
}

/// The text of one file inside the XLSX (a zip), found by calamine's own reader.
fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).unwrap();
    text
}

#[test]
fn an_empty_export_is_a_header_alone() {
    let mut bytes = Vec::new();
    payments_xlsx(Vec::new(), &mut bytes).unwrap();
    let range = sheet(bytes, "Payments");
    assert_eq!(range.height(), 1);
    assert_eq!(header(&range)[0], "Receipt");
}

#[test]
fn customers_xlsx_joins_address_lines() {
    let rows = vec![CustomerRow {
        id: 42,
        name: "Łódź Ltd".into(),
        phone: Some("+48 42 000 00 00".into()),
        email: None,
        address: "ul. Piotrkowska 104\n90-006 Łódź\n".into(),
        balance: dec("-12.5"),
        services: 3,
    }];
    let mut bytes = Vec::new();
    customers_xlsx(rows, &mut bytes).unwrap();
    let range = sheet(bytes, "Customers");
    assert_eq!(header(&range), ["ID", "Name", "Phone", "Email", "Address", "Balance", "Services"]);
    assert_eq!(range.get((1, 0)), Some(&Data::Float(42.0)));
    assert_eq!(range.get((1, 4)), Some(&Data::String("ul. Piotrkowska 104, 90-006 Łódź".into())));
    assert_eq!(range.get((1, 5)), Some(&Data::Float(-12.5)));
    assert_eq!(range.get((1, 6)), Some(&Data::Float(3.0)));
}

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

#[test]
fn invoices_csv_round_trips() {
    let mut bytes = Vec::new();
    invoices_csv(invoice_rows(), &mut bytes).unwrap();
    let (header, rows) = read_csv(&bytes);
    assert_eq!(header[0], "Number");
    assert_eq!(header.len(), 11);
    assert_eq!(
        rows[0],
        [
            "INV-1",
            "Café Étoile",
            "2025-01-01",
            "2025-01-15",
            "Open",
            "1234.50",
            "197.52",
            "1432.02",
            "0.00",
            "1432.02",
            "USD"
        ]
    );
    assert_eq!(rows[1][1], "Москва, \"quoted\"");
    assert_eq!(rows[1][6], "1.60");
}

#[test]
fn payments_and_customers_csv_round_trip() {
    let payment = PaymentRow {
        receipt: "RCP-1".into(),
        customer: "São Paulo Net".into(),
        date: date(2025, 3, 9),
        amount: dec("2000"),
        currency: "BRL".into(),
        method: "Cash".into(),
        reference: None,
        recorded_by: "Ana".into(),
    };
    let mut bytes = Vec::new();
    payments_csv([payment], &mut bytes).unwrap();
    let (header, rows) = read_csv(&bytes);
    assert_eq!(header, ["Receipt", "Customer", "Date", "Amount", "Currency", "Method", "Reference", "Recorded by"]);
    assert_eq!(rows, [["RCP-1", "São Paulo Net", "2025-03-09", "2000.00", "BRL", "Cash", "", "Ana"]]);

    let customer = CustomerRow {
        id: 7,
        name: "Ελλάδα".into(),
        phone: None,
        email: Some("a@b.example".into()),
        address: "Line 1\nLine 2".into(),
        balance: dec("0"),
        services: 0,
    };
    let mut bytes = Vec::new();
    customers_csv([customer], &mut bytes).unwrap();
    let (_, rows) = read_csv(&bytes);
    assert_eq!(rows, [["7", "Ελλάδα", "", "a@b.example", "Line 1\nLine 2", "0.00", "0"]]);
}

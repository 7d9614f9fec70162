//! Spreadsheet exports: one XLSX worksheet or one CSV file per list.
//!
//! XLSX cells are typed (money is a number with `#,##0.00`, dates are dates)
//! so the operator can sum and filter; CSV spells amounts plainly ("1234.50")
//! and dates as ISO 8601, for other programs.

use std::io::Write;

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Workbook};

use crate::DocumentError;
use crate::amount::plain;

/// One invoice in an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    /// Invoice number.
    pub number: String,
    /// Customer name.
    pub customer: String,
    /// Date of issue.
    pub issue_date: Date,
    /// Due date.
    pub due_date: Date,
    /// Status as the operator sees it, e.g. `Open`, `Paid`, `Void`.
    pub status: String,
    /// Total before tax.
    pub net: Decimal,
    /// Tax.
    pub tax: Decimal,
    /// Total including tax.
    pub gross: Decimal,
    /// Paid so far.
    pub paid: Decimal,
    /// Left to pay.
    pub due: Decimal,
    /// Currency code.
    pub currency: String,
}

/// One payment in an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    /// Receipt number.
    pub receipt: String,
    /// Customer name.
    pub customer: String,
    /// Day received.
    pub date: Date,
    /// Amount received.
    pub amount: Decimal,
    /// Currency code.
    pub currency: String,
    /// How it was paid.
    pub method: String,
    /// The payer's or bank's reference, if any.
    pub reference: Option<String>,
    /// The operator who recorded it.
    pub recorded_by: String,
}

/// One customer in an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// Customer id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Phone number, if known.
    pub phone: Option<String>,
    /// Email address, if known.
    pub email: Option<String>,
    /// Postal address, one line per line (joined with commas in XLSX).
    pub address: String,
    /// Balance owed.
    pub balance: Decimal,
    /// Number of services.
    pub services: u32,
}

/// Writes invoices as an XLSX workbook with one worksheet, "Invoices".
pub fn invoices_xlsx<W: Write + Send>(rows: impl IntoIterator<Item = InvoiceRow>, out: W) -> Result<(), DocumentError> {
    write_xlsx("Invoices", rows, out)
}

/// Writes invoices as CSV with a header row.
pub fn invoices_csv<W: Write>(rows: impl IntoIterator<Item = InvoiceRow>, out: W) -> Result<(), DocumentError> {
    write_csv(rows, out)
}

/// Writes payments as an XLSX workbook with one worksheet, "Payments".
pub fn payments_xlsx<W: Write + Send>(rows: impl IntoIterator<Item = PaymentRow>, out: W) -> Result<(), DocumentError> {
    write_xlsx("Payments", rows, out)
}

/// Writes payments as CSV with a header row.
pub fn payments_csv<W: Write>(rows: impl IntoIterator<Item = PaymentRow>, out: W) -> Result<(), DocumentError> {
    write_csv(rows, out)
}

/// Writes customers as an XLSX workbook with one worksheet, "Customers".
pub fn customers_xlsx<W: Write + Send>(
    rows: impl IntoIterator<Item = CustomerRow>,
    out: W,
) -> Result<(), DocumentError> {
    write_xlsx("Customers", rows, out)
}

/// Writes customers as CSV with a header row.
pub fn customers_csv<W: Write>(rows: impl IntoIterator<Item = CustomerRow>, out: W) -> Result<(), DocumentError> {
    write_csv(rows, out)
}

enum Cell<'a> {
    Text(&'a str),
    /// Several lines of text: one cell in CSV, joined with commas in XLSX.
    Lines(&'a str),
    Money(Decimal),
    Date(Date),
    Count(i64),
}

/// A column's title and its XLSX width in characters.
type Column = (&'static str, f64);

trait Row {
    const COLUMNS: &'static [Column];
    fn cells(&self) -> Vec<Cell<'_>>;
}

impl Row for InvoiceRow {
    const COLUMNS: &'static [Column] = &[
        ("Number", 16.0),
        ("Customer", 30.0),
        ("Issue date", 12.0),
        ("Due date", 12.0),
        ("Status", 10.0),
        ("Net", 14.0),
        ("Tax", 12.0),
        ("Gross", 14.0),
        ("Paid", 14.0),
        ("Due", 14.0),
        ("Currency", 10.0),
    ];
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Text(&self.number),
            Cell::Text(&self.customer),
            Cell::Date(self.issue_date),
            Cell::Date(self.due_date),
            Cell::Text(&self.status),
            Cell::Money(self.net),
            Cell::Money(self.tax),
            Cell::Money(self.gross),
            Cell::Money(self.paid),
            Cell::Money(self.due),
            Cell::Text(&self.currency),
        ]
    }
}

impl Row for PaymentRow {
    const COLUMNS: &'static [Column] = &[
        ("Receipt", 16.0),
        ("Customer", 30.0),
        ("Date", 12.0),
        ("Amount", 14.0),
        ("Currency", 10.0),
        ("Method", 16.0),
        ("Reference", 22.0),
        ("Recorded by", 18.0),
    ];
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Text(&self.receipt),
            Cell::Text(&self.customer),
            Cell::Date(self.date),
            Cell::Money(self.amount),
            Cell::Text(&self.currency),
            Cell::Text(&self.method),
            Cell::Text(self.reference.as_deref().unwrap_or("")),
            Cell::Text(&self.recorded_by),
        ]
    }
}

impl Row for CustomerRow {
    const COLUMNS: &'static [Column] = &[
        ("ID", 8.0),
        ("Name", 30.0),
        ("Phone", 18.0),
        ("Email", 28.0),
        ("Address", 44.0),
        ("Balance", 14.0),
        ("Services", 10.0),
    ];
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Count(self.id),
            Cell::Text(&self.name),
            Cell::Text(self.phone.as_deref().unwrap_or("")),
            Cell::Text(self.email.as_deref().unwrap_or("")),
            Cell::Lines(&self.address),
            Cell::Money(self.balance),
            Cell::Count(i64::from(self.services)),
        ]
    }
}

fn write_xlsx<R: Row, W: Write + Send>(
    sheet_name: &str,
    rows: impl IntoIterator<Item = R>,
    out: W,
) -> Result<(), DocumentError> {
    let header =
        Format::new().set_bold().set_background_color(Color::RGB(0xF3F4F6)).set_border_bottom(FormatBorder::Thin);
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut workbook = Workbook::new();
    // Constant memory: each row goes to a temporary file as it is written, so
    // a 100,000-row export needs no more memory than a 10-row one.
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name)?;
    for (col, (title, width)) in (0u16..).zip(R::COLUMNS) {
        sheet.set_column_width(col, *width)?;
        sheet.write_string_with_format(0, col, *title, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut last_row = 0u32;
    for row in rows {
        last_row += 1;
        for (col, cell) in (0u16..).zip(row.cells()) {
            match cell {
                Cell::Text(text) => sheet.write_string(last_row, col, text)?,
                Cell::Lines(text) => {
                    let joined: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                    sheet.write_string(last_row, col, joined.join(", "))?
                }
                Cell::Money(amount) => {
                    let number = amount.to_f64().ok_or(DocumentError::Amount(amount))?;
                    sheet.write_number_with_format(last_row, col, number, &money)?
                }
                Cell::Date(day) => sheet.write_date_with_format(last_row, col, excel_date(day)?, &date)?,
                // Ids and counts stay far below 2^53, where f64 is exact.
                #[allow(clippy::cast_precision_loss)]
                Cell::Count(n) => sheet.write_number(last_row, col, n as f64)?,
            };
        }
    }
    let last_col = u16::try_from(R::COLUMNS.len().saturating_sub(1)).unwrap_or(u16::MAX);
    sheet.autofilter(0, 0, last_row, last_col)?;
    workbook.save_to_writer(out)?;
    Ok(())
}

fn excel_date(day: Date) -> Result<ExcelDateTime, DocumentError> {
    let year = u16::try_from(day.year()).map_err(|_| DocumentError::Date(day))?;
    let month = u8::try_from(day.month()).map_err(|_| DocumentError::Date(day))?;
    let date = u8::try_from(day.day()).map_err(|_| DocumentError::Date(day))?;
    ExcelDateTime::from_ymd(year, month, date).map_err(|_| DocumentError::Date(day))
}

fn write_csv<R: Row, W: Write>(rows: impl IntoIterator<Item = R>, out: W) -> Result<(), DocumentError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(R::COLUMNS.iter().map(|(title, _)| *title))?;
    for row in rows {
        let fields: Vec<String> = row
            .cells()
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(text) | Cell::Lines(text) => text.to_owned(),
                Cell::Money(amount) => plain(amount),
                Cell::Date(day) => day.to_string(),
                Cell::Count(n) => n.to_string(),
            })
            .collect();
        writer.write_record(&fields)?;
    }
    writer.flush()?;
    Ok(())
}

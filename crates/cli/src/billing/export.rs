//! `headend export invoices | payments | customers`: XLSX (number and date
//! cells, a frozen header) or CSV.

use std::path::PathBuf;

use headend_workflows::billing::{ExportFormat, ExportKind};
use jiff::civil::Date;

use crate::open::open_workflows;
use crate::service::parse_date;
use crate::{Globals, output};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum What {
    Invoices,
    Payments,
    Customers,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Xlsx,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// invoices, payments or customers.
    #[arg(value_enum)]
    what: What,
    #[arg(long, value_enum, default_value = "xlsx")]
    format: Format,
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Issued (invoices) or received (payments) on or after this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: Option<Date>,
    /// ...and on or before this day.
    #[arg(long, value_parser = parse_date)]
    to: Option<Date>,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<()> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        anyhow::bail!("--from {from} is after --to {to}");
    }
    let kind = match args.what {
        What::Invoices => ExportKind::Invoices,
        What::Payments => ExportKind::Payments,
        What::Customers => ExportKind::Customers,
    };
    let format = match args.format {
        Format::Xlsx => ExportFormat::Xlsx,
        Format::Csv => ExportFormat::Csv,
    };
    let w = open_workflows(globals).await?;
    let result = w.export(kind, format, (args.from, args.to), &args.out).await;
    w.store().close().await;
    let saved = result?;
    if globals.json {
        return output::json(&serde_json::json!({ "file": args.out.display().to_string(), "rows": saved.documents }));
    }
    output::line(format!("Wrote {} row(s) to {}", saved.documents, args.out.display()))?;
    Ok(())
}

//! `headend invoice run | list | show | pdf | add-line | coupon | void |
//! credit`.

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::bail;
use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::billing::invoice::{Discount, InvoiceStatus};
use headend_store::InvoiceQuery;
use headend_workflows::Workflows;
use headend_workflows::billing::ChargeInput;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{InvoiceJson, find_customer, parse_amount, parse_month, today};
use crate::open::open_workflows;
use crate::service::parse_date;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Issue the invoices due: every active service whose next period starts within the lead time, once.
    Run {
        /// Run as of this day (YYYY-MM-DD) instead of today.
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
    },
    /// Invoices, newest first.
    List {
        /// Part of the customer's name.
        #[arg(long)]
        customer: Option<String>,
        /// open, paid, overdue or void.
        #[arg(long, value_parser = InvoiceStatus::from_str)]
        status: Option<InvoiceStatus>,
        /// Issued in this month (YYYY-MM).
        #[arg(long, value_parser = parse_month)]
        month: Option<Date>,
        /// Part of the number.
        #[arg(long)]
        number: Option<String>,
        /// Credit notes too.
        #[arg(long)]
        credit_notes: bool,
    },
    /// One invoice or credit note: lines, net, tax, gross, paid, due, status.
    Show { number: String },
    /// Write an invoice's PDF, or every invoice of a month (a PDF each in a folder, or --merged into one).
    Pdf {
        /// The invoice's number (or give --month).
        #[arg(required_unless_present = "month", conflicts_with = "month")]
        number: Option<String>,
        /// Every invoice and credit note issued in this month (YYYY-MM).
        #[arg(long, value_parser = parse_month)]
        month: Option<Date>,
        /// The file (or, with --month, the folder) to write.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// With --month: one PDF for printing instead of a folder.
        #[arg(long, requires = "month")]
        merged: bool,
    },
    /// A one-off charge (installation, equipment, a manual charge) on the customer's next invoice.
    AddLine {
        /// The customer's id or exact name.
        customer: String,
        #[arg(long)]
        description: String,
        /// Priced as the plans are (before tax when tax is added on top).
        #[arg(long, value_parser = parse_amount)]
        amount: Decimal,
    },
    /// A coupon: an amount or a percentage off a service's plan on its next invoices.
    Coupon {
        /// The service's id.
        service: i64,
        #[arg(long)]
        description: String,
        #[arg(long, value_parser = parse_amount, conflicts_with = "amount", required_unless_present = "amount")]
        percent: Option<Decimal>,
        #[arg(long, value_parser = parse_amount)]
        amount: Option<Decimal>,
        /// How many invoices it lasts (default: all).
        #[arg(long)]
        cycles: Option<u16>,
    },
    /// Void an invoice or credit note: it keeps its number and shows VOID; its payments go to other invoices.
    Void {
        number: String,
        #[arg(long)]
        reason: String,
    },
    /// A credit note against an invoice (its own number series).
    Credit {
        number: String,
        #[arg(long, value_parser = parse_amount)]
        amount: Decimal,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Serialize)]
struct LineJson {
    kind: &'static str,
    service_id: Option<i64>,
    description: String,
    period_from: Option<String>,
    period_to: Option<String>,
    tax_rate: String,
    net: String,
    tax: String,
    gross: String,
}

#[derive(Debug, Serialize)]
struct AllocationJson {
    source: String,
    invoice: String,
    date: String,
    amount: String,
}

#[derive(Debug, Serialize)]
struct DetailJson {
    #[serde(flatten)]
    invoice: InvoiceJson,
    lines: Vec<LineJson>,
    allocations: Vec<AllocationJson>,
}

#[derive(Debug, Serialize)]
struct RunJson {
    date: String,
    issued: Vec<IssuedJson>,
}

#[derive(Debug, Serialize)]
struct IssuedJson {
    number: String,
    customer: String,
    total: String,
    paid_from_credit: String,
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = dispatch(globals, &w, command).await;
    w.store().close().await;
    result
}

async fn dispatch(globals: &Globals, w: &Workflows, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run { date } => invoice_run(globals, w, date).await,
        Command::List { customer, status, month, number, credit_notes } => {
            let query = InvoiceQuery {
                customer,
                status,
                month: month.map(|m| (m.year(), m.month())),
                number,
                credit_notes,
                ..Default::default()
            };
            list(globals, w, &query).await
        }
        Command::Show { number } => show(globals, w, &number).await,
        Command::Pdf { number, month, out, merged } => {
            let saved = match (number, month) {
                (Some(number), _) => w.save_invoice_pdf(&number, &out).await?,
                (None, Some(month)) => w.save_month_pdfs(month, &out, merged).await?,
                (None, None) => bail!("give an invoice number or --month"),
            };
            if globals.json {
                let files: Vec<String> = saved.files.iter().map(|f| f.display().to_string()).collect();
                return output::json(&serde_json::json!({ "files": files, "documents": saved.documents }));
            }
            let place =
                if saved.files.len() == 1 { saved.files[0].display().to_string() } else { out.display().to_string() };
            output::line(format!("Wrote {} document(s) to {place}", saved.documents))?;
            Ok(())
        }
        Command::AddLine { customer, description, amount } => {
            let (id, name) = find_customer(w, &customer).await?;
            w.add_charge(&Actor::Cli, ChargeInput { customer: id, description: description.clone(), amount }).await?;
            if globals.json {
                return output::json(
                    &serde_json::json!({ "customer_id": id.0, "description": description, "amount": amount.to_string() }),
                );
            }
            output::line(format!(
                "Added {amount} \"{}\" to {}'s next invoice",
                output::safe(&description),
                output::safe(&name)
            ))?;
            Ok(())
        }
        Command::Coupon { service, description, percent, amount, cycles } => {
            let discount = match (percent, amount) {
                (Some(p), _) => Discount::Percent(p),
                (None, Some(a)) => Discount::Amount(a),
                (None, None) => bail!("give --percent or --amount"),
            };
            let id = w.add_coupon(&Actor::Cli, ServiceId(service), &description, discount, cycles).await?;
            if globals.json {
                return output::json(&serde_json::json!({ "coupon_id": id }));
            }
            output::line(format!("Coupon {id} added to service {service}"))?;
            Ok(())
        }
        Command::Void { number, reason } => {
            let voided = w.void_invoice(&Actor::Cli, &number, &reason).await?;
            let day = today(w).await?;
            if globals.json {
                return output::json(&InvoiceJson::new(&voided, day));
            }
            output::line(format!("{} is void ({})", voided.number, output::safe(&reason)))?;
            Ok(())
        }
        Command::Credit { number, amount, reason } => {
            let note = w.credit_invoice(&Actor::Cli, &number, amount, &reason).await?;
            let day = today(w).await?;
            if globals.json {
                return output::json(&InvoiceJson::new(&note, day));
            }
            output::line(format!(
                "Credit note {} of {} {} on {number}",
                note.number,
                note.currency.format(note.totals.gross),
                note.currency
            ))?;
            Ok(())
        }
    }
}

async fn invoice_run(globals: &Globals, w: &Workflows, date: Option<Date>) -> anyhow::Result<()> {
    let run = w.invoice_run(&Actor::Cli, date).await?;
    let currency = w.billing_settings().await?.currency;
    let issued: Vec<IssuedJson> = run
        .issued
        .iter()
        .map(|i| IssuedJson {
            number: i.number.clone(),
            customer: i.customer_name.clone(),
            total: currency.format(i.gross),
            paid_from_credit: currency.format(i.settled),
        })
        .collect();
    if globals.json {
        return output::json(&RunJson { date: run.date.to_string(), issued });
    }
    if issued.is_empty() {
        eprintln!("No invoices due on {}: every period within the lead time is already invoiced.", run.date);
        return Ok(());
    }
    let cells: Vec<Vec<String>> =
        issued.iter().map(|i| vec![i.number.clone(), output::safe(&i.customer), i.total.clone()]).collect();
    output::table(&["NUMBER", "CUSTOMER", &format!("TOTAL ({currency})")], &cells)?;
    eprintln!("{} invoice(s) issued for {}.", issued.len(), run.date);
    Ok(())
}

async fn list(globals: &Globals, w: &Workflows, query: &InvoiceQuery) -> anyhow::Result<()> {
    let day = today(w).await?;
    let rows: Vec<InvoiceJson> = w.invoices(query).await?.iter().map(|r| InvoiceJson::new(r, day)).collect();
    if globals.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        eprintln!("No invoices match.");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.number.clone(),
                r.issue_date.clone(),
                r.due_date.clone(),
                output::safe(&r.customer),
                r.gross.clone(),
                r.due.clone(),
                if r.kind == "credit-note" { "credit note".to_owned() } else { r.status.to_owned() },
            ]
        })
        .collect();
    Ok(output::table(&["NUMBER", "ISSUED", "DUE DATE", "CUSTOMER", "TOTAL", "DUE", "STATUS"], &cells)?)
}

async fn show(globals: &Globals, w: &Workflows, number: &str) -> anyhow::Result<()> {
    let detail = w.invoice(number).await?;
    let day = today(w).await?;
    let c = detail.invoice.currency.clone();
    let json = DetailJson {
        invoice: InvoiceJson::new(&detail.invoice, day),
        lines: detail
            .lines
            .iter()
            .map(|l| LineJson {
                kind: l.kind.as_str(),
                service_id: l.service.map(|s| s.0),
                description: l.description.clone(),
                period_from: l.period.map(|p| p.from.to_string()),
                period_to: l.period.map(|p| p.last_day().to_string()),
                tax_rate: l.tax_rate.to_string(),
                net: c.format(l.amounts.net),
                tax: c.format(l.amounts.tax),
                gross: c.format(l.amounts.gross),
            })
            .collect(),
        allocations: detail
            .allocations
            .iter()
            .map(|a| AllocationJson {
                source: a.source.clone(),
                invoice: a.invoice.clone(),
                date: a.date.to_string(),
                amount: c.format(a.amount),
            })
            .collect(),
    };
    if globals.json {
        return output::json(&json);
    }
    let i = &json.invoice;
    let title = if i.kind == "credit-note" { "Credit note" } else { "Invoice" };
    output::line(format!("{title} {}  {}", i.number, i.status.to_uppercase()))?;
    output::line(format!("Customer  {} (id {})", output::safe(&i.customer), i.customer_id))?;
    output::line(format!("Issued    {}   Due {}", i.issue_date, i.due_date))?;
    if let Some(credits) = &i.credits {
        output::line(format!("Credits   {credits}"))?;
    }
    if let Some(reason) = &i.void_reason {
        output::line(format!("VOID      {}", output::safe(reason)))?;
    }
    output::line("")?;
    let cells: Vec<Vec<String>> = json
        .lines
        .iter()
        .map(|l| {
            let period = match (&l.period_from, &l.period_to) {
                (Some(f), Some(t)) => format!("{f} – {t}"),
                _ => String::new(),
            };
            vec![output::safe(&l.description), period, l.net.clone(), l.tax.clone(), l.gross.clone()]
        })
        .collect();
    output::table(&["DESCRIPTION", "PERIOD", "NET", "TAX", "AMOUNT"], &cells)?;
    output::line("")?;
    for (label, value) in [("Net", &i.net), ("Tax", &i.tax), ("Total", &i.gross), ("Paid", &i.paid), ("Due", &i.due)] {
        output::line(format!("{label:>8}  {value:>12} {}", i.currency))?;
    }
    for a in &json.allocations {
        output::line(format!("          {} {} on {}", a.source, a.amount, a.date))?;
    }
    Ok(())
}

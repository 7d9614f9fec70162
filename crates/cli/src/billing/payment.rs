//! `headend payment add | list` and `headend receipt pdf`: a payment pays
//! the customer's open invoices oldest first (or a named one first), or,
//! with `--months`, prepays service time without an invoice; the service it
//! reconnects reaches its router at once.

use std::path::PathBuf;
use std::str::FromStr;

use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::billing::MAX_MONTHS;
use headend_core::billing::ledger::{Payment, PaymentMethod};
use headend_workflows::Workflows;
use headend_workflows::billing::PaymentInput;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::parse_amount;
use crate::open::open_workflows;
use crate::service::parse_date;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a payment: it pays the customer's open invoices oldest first (what is left is credit), and a service it pays for is back on its router.
    Add {
        /// The service's id.
        service: i64,
        /// The amount paid, e.g. 25.00.
        #[arg(long, value_name = "AMOUNT", value_parser = parse_amount)]
        amount: Decimal,
        /// cash, bank-transfer, mobile-money, card or other.
        #[arg(long, default_value = "cash", value_parser = PaymentMethod::from_str)]
        method: PaymentMethod,
        /// The bank's or mobile-money transaction reference.
        #[arg(long)]
        reference: Option<String>,
        /// The day the money came (YYYY-MM-DD; default today).
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
        /// Pay this invoice first.
        #[arg(long, value_name = "NUMBER", conflicts_with = "months")]
        invoice: Option<String>,
        /// Prepaid months without an invoice (1 to 36): the due date moves forward by as many calendar months.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=i64::from(MAX_MONTHS)))]
        months: Option<u8>,
    },
    /// A service's payments, newest first.
    List {
        /// The service's id.
        service: i64,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum ReceiptCommand {
    /// Write a payment's receipt as a PDF.
    Pdf {
        /// The receipt's number.
        number: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// A payment in `--json` output.
#[derive(Debug, Serialize)]
pub struct PaymentJson {
    pub id: i64,
    pub receipt: String,
    pub service_id: i64,
    pub customer_id: i64,
    pub amount: String,
    pub method: &'static str,
    pub reference: Option<String>,
    pub date: String,
    pub recorded_at: String,
    pub actor: &'static str,
    pub months: Option<u8>,
    pub previous_due: Option<String>,
    pub new_due: Option<String>,
}

impl PaymentJson {
    pub fn new(p: &Payment) -> Self {
        Self {
            id: p.id.0,
            receipt: p.receipt.clone(),
            service_id: p.service.0,
            customer_id: p.customer.0,
            amount: p.amount.to_string(),
            method: p.method.as_str(),
            reference: p.reference.clone(),
            date: p.paid_on.to_string(),
            recorded_at: p.recorded_at.to_string(),
            actor: p.actor.as_str(),
            months: p.months,
            previous_due: p.previous_due.map(|d| d.to_string()),
            new_due: p.new_due.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize)]
struct PaidJson {
    invoice: String,
    amount: String,
}

#[derive(Debug, Serialize)]
struct AddJson {
    receipt: String,
    payment: PaymentJson,
    paid: Vec<PaidJson>,
    credit_left: String,
    balance: String,
    paid_through: Option<String>,
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = match command {
        Command::Add { service, amount, method, reference, date, invoice, months } => {
            let input = PaymentInput { service: ServiceId(service), amount, method, reference, date, months, invoice };
            add(globals, &w, &input).await
        }
        Command::List { service } => list(globals, &w, ServiceId(service)).await,
    };
    w.store().close().await;
    result
}

pub async fn receipt(globals: &Globals, command: ReceiptCommand) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = match command {
        ReceiptCommand::Pdf { number, out } => w.save_receipt_pdf(&number, &out).await.map_err(anyhow::Error::from),
    };
    w.store().close().await;
    let saved = result?;
    if globals.json {
        let files: Vec<String> = saved.files.iter().map(|f| f.display().to_string()).collect();
        return output::json(&serde_json::json!({ "files": files }));
    }
    for f in saved.files {
        output::line(format!("Wrote {}", f.display()))?;
    }
    Ok(())
}

async fn add(globals: &Globals, w: &Workflows, input: &PaymentInput) -> anyhow::Result<()> {
    let service = w.service(input.service).await?;
    let done = w.record_payment(&Actor::Cli, input).await?;
    let currency = w.billing_settings().await?.currency;
    let json = AddJson {
        receipt: done.payment.receipt.clone(),
        payment: PaymentJson::new(&done.payment),
        paid: done
            .allocations
            .iter()
            .map(|a| PaidJson { invoice: a.invoice.clone(), amount: currency.format(a.amount) })
            .collect(),
        credit_left: currency.format(done.credit_left),
        balance: currency.format(done.balance),
        paid_through: done.paid_through.map(|d| d.to_string()),
    };
    if globals.json {
        return output::json(&json);
    }
    let paid = if json.paid.is_empty() {
        match done.payment.months {
            Some(m) => format!("prepaid {m} month(s)"),
            None => "no open invoice: kept as credit".to_owned(),
        }
    } else {
        json.paid.iter().map(|p| format!("{} {}", p.invoice, p.amount)).collect::<Vec<_>>().join(", ")
    };
    output::line(format!(
        "Receipt {}: {} {currency} from {} ({paid}).",
        json.receipt,
        currency.format(done.payment.amount),
        output::safe(&done.customer_name)
    ))?;
    output::line(format!(
        "Balance {} {currency}{}; service {} paid through {}; {} will be swept.",
        json.balance,
        if done.credit_left.is_zero() { String::new() } else { format!(" (credit left {})", json.credit_left) },
        input.service,
        json.paid_through.as_deref().unwrap_or("none"),
        output::safe(&service.router_name),
    ))?;
    Ok(())
}

async fn list(globals: &Globals, w: &Workflows, id: ServiceId) -> anyhow::Result<()> {
    w.service(id).await?;
    let payments: Vec<PaymentJson> = w.store().payments(id).await?.iter().map(PaymentJson::new).collect();
    if globals.json {
        return output::json(&payments);
    }
    if payments.is_empty() {
        eprintln!("No payments for service {id} yet.");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = payments
        .iter()
        .map(|p| {
            vec![
                p.receipt.clone(),
                p.date.clone(),
                p.amount.clone(),
                p.method.to_owned(),
                p.months.map_or_else(|| "-".to_owned(), |m| m.to_string()),
                format!("{} -> {}", p.previous_due.as_deref().unwrap_or("none"), p.new_due.as_deref().unwrap_or("-")),
                p.actor.to_owned(),
            ]
        })
        .collect();
    Ok(output::table(&["RECEIPT", "DATE", "AMOUNT", "METHOD", "MONTHS", "DUE DATE", "BY"], &cells)?)
}

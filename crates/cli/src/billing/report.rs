//! `headend report revenue`: invoiced, collected, outstanding and overdue
//! at a glance.

use jiff::civil::Date;
use serde::Serialize;

use super::parse_month;
use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Invoiced and collected in a month, outstanding, and overdue by age (0-30, 31-60, 61-90, 90+ days).
    Revenue {
        /// The month (YYYY-MM; default this month).
        #[arg(long, value_parser = parse_month)]
        month: Option<Date>,
    },
}

#[derive(Debug, Serialize)]
struct BucketJson {
    days: &'static str,
    invoices: u64,
    amount: String,
}

#[derive(Debug, Serialize)]
struct MonthJson {
    month: String,
    invoiced: String,
    collected: String,
}

#[derive(Debug, Serialize)]
struct RevenueJson {
    month: String,
    currency: String,
    invoiced: String,
    collected: String,
    outstanding: String,
    overdue_count: u64,
    overdue_amount: String,
    overdue_customers: u64,
    aging: Vec<BucketJson>,
    history: Vec<MonthJson>,
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let Command::Revenue { month } = command;
    let result = w.revenue(month).await;
    w.store().close().await;
    let r = result?;
    let c = &r.currency;
    let json = RevenueJson {
        month: r.month.month.clone(),
        currency: c.code().to_owned(),
        invoiced: c.format(r.month.invoiced),
        collected: c.format(r.month.collected),
        outstanding: c.format(r.outstanding),
        overdue_count: r.overdue_invoices,
        overdue_amount: c.format(r.overdue_amount),
        overdue_customers: r.overdue_customers,
        aging: r
            .aging
            .iter()
            .map(|(b, a)| BucketJson { days: b.label(), invoices: a.count, amount: c.format(a.amount) })
            .collect(),
        history: r
            .history
            .iter()
            .map(|m| MonthJson {
                month: m.month.clone(),
                invoiced: c.format(m.invoiced),
                collected: c.format(m.collected),
            })
            .collect(),
    };
    if globals.json {
        return output::json(&json);
    }
    output::line(format!("Revenue {} ({c})", json.month))?;
    output::line(format!("  Invoiced      {:>14}", json.invoiced))?;
    output::line(format!("  Collected     {:>14}", json.collected))?;
    output::line(format!("  Outstanding   {:>14}", json.outstanding))?;
    output::line(format!(
        "  Overdue       {:>14}  ({} invoice(s), {} customer(s))",
        json.overdue_amount, json.overdue_count, json.overdue_customers
    ))?;
    let cells: Vec<Vec<String>> =
        json.aging.iter().map(|b| vec![b.days.to_owned(), b.invoices.to_string(), b.amount.clone()]).collect();
    output::table(&["DAYS OVERDUE", "INVOICES", "AMOUNT"], &cells)?;
    Ok(())
}

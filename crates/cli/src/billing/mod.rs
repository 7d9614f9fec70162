//! Billing from the terminal: `billing settings`, `invoice`, `payment`,
//! `receipt`, `customer statement`, `export` and `report revenue`. Each
//! subcommand parses its flags, calls one workflow and prints; `--json`
//! writes amounts as strings with the currency's decimals.

pub mod customer;
pub mod export;
pub mod invoice;
pub mod payment;
pub mod report;
pub mod settings;

use std::str::FromStr;

use anyhow::Context;
use headend_core::CustomerId;
use headend_store::InvoiceRecord;
use headend_workflows::Workflows;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

/// An amount as the operator types it (checked against the currency by
/// the workflow).
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    let plain = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    Decimal::from_str(t).ok().filter(|_| plain).ok_or_else(|| format!("{text:?} is not an amount: write it like 25.00"))
}

/// `YYYY-MM` as the first day of that month.
pub fn parse_month(text: &str) -> Result<Date, String> {
    let bad = || format!("{text:?} is not a month: write it as YYYY-MM, such as 2026-12");
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let year: i16 = y.parse().map_err(|_| bad())?;
    let month: i8 = m.parse().map_err(|_| bad())?;
    Date::new(year, month, 1).map_err(|_| bad())
}

/// A customer named on the command line: an id (`42`) or an exact name
/// (case-insensitive); a name several customers share must be given as an
/// id.
pub async fn find_customer(w: &Workflows, which: &str) -> anyhow::Result<(CustomerId, String)> {
    let customers = w.store().customers().await?;
    if let Ok(id) = which.trim().parse::<i64>()
        && let Some(c) = customers.iter().find(|c| c.id.0 == id)
    {
        return Ok((c.id, c.name.clone()));
    }
    let matches: Vec<_> = customers.iter().filter(|c| c.name.eq_ignore_ascii_case(which.trim())).collect();
    match matches.as_slice() {
        [one] => Ok((one.id, one.name.clone())),
        [] => anyhow::bail!("no customer named {which:?}; `headend service list --search` finds them"),
        many => {
            let ids: Vec<String> = many.iter().map(|c| c.id.to_string()).collect();
            anyhow::bail!("{} customers are named {which:?} (ids {}): give the id instead", many.len(), ids.join(", "))
        }
    }
}

/// An invoice or credit note in `--json` lists.
#[derive(Debug, Serialize)]
pub struct InvoiceJson {
    pub number: String,
    pub kind: &'static str,
    pub customer_id: i64,
    pub customer: String,
    pub issue_date: String,
    pub due_date: String,
    pub status: &'static str,
    pub currency: String,
    pub net: String,
    pub tax: String,
    pub gross: String,
    pub paid: String,
    pub due: String,
    pub credits: Option<String>,
    pub void_reason: Option<String>,
}

impl InvoiceJson {
    pub fn new(r: &InvoiceRecord, today: Date) -> Self {
        let c = &r.currency;
        Self {
            number: r.number.clone(),
            kind: r.kind.as_str(),
            customer_id: r.customer.0,
            customer: r.customer_name.clone(),
            issue_date: r.issue_date.to_string(),
            due_date: r.due_date.to_string(),
            status: r.status(today).as_str(),
            currency: c.code().to_owned(),
            net: c.format(r.totals.net),
            tax: c.format(r.totals.tax),
            gross: c.format(r.totals.gross),
            paid: c.format(r.settled),
            due: c.format(r.amount_due()),
            credits: r.credits.clone(),
            void_reason: r.void.as_ref().map(|v| v.reason.clone()),
        }
    }
}

/// The ISP's today, for statuses.
pub async fn today(w: &Workflows) -> anyhow::Result<Date> {
    Ok(w.today().await.context("cannot read the ISP's time zone")?.1)
}

//! `headend customer statement`: a customer's ledger with its running
//! balance.

use serde::Serialize;

use super::find_customer;
use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Every invoice, credit note and payment of a customer, with the running balance.
    Statement {
        /// The customer's id or exact name.
        customer: String,
    },
}

#[derive(Debug, Serialize)]
struct EntryJson {
    date: String,
    kind: &'static str,
    number: String,
    description: String,
    debit: String,
    credit: String,
    balance: String,
}

#[derive(Debug, Serialize)]
struct StatementJson {
    customer_id: i64,
    customer: String,
    currency: String,
    entries: Vec<EntryJson>,
    balance: String,
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = async {
        match command {
            Command::Statement { customer } => {
                let (id, _) = find_customer(&w, &customer).await?;
                let s = w.statement(id).await?;
                let c = &s.currency;
                let json = StatementJson {
                    customer_id: id.0,
                    customer: s.customer_name.clone(),
                    currency: c.code().to_owned(),
                    entries: s
                        .entries
                        .iter()
                        .map(|e| EntryJson {
                            date: e.date.to_string(),
                            kind: e.kind.as_str(),
                            number: e.number.clone(),
                            description: e.description.clone(),
                            debit: c.format(e.debit),
                            credit: c.format(e.credit),
                            balance: c.format(e.balance),
                        })
                        .collect(),
                    balance: c.format(s.balance),
                };
                if globals.json {
                    return output::json(&json);
                }
                output::line(format!("Statement of {} (customer {}), {c}", output::safe(&json.customer), id))?;
                let cells: Vec<Vec<String>> = json
                    .entries
                    .iter()
                    .map(|e| {
                        let blank = |v: &str| {
                            if v.trim_start_matches(['0', '.']).is_empty() { String::new() } else { v.to_owned() }
                        };
                        vec![
                            e.date.clone(),
                            e.number.clone(),
                            output::safe(&e.description),
                            blank(&e.debit),
                            blank(&e.credit),
                            e.balance.clone(),
                        ]
                    })
                    .collect();
                output::table(&["DATE", "NUMBER", "DESCRIPTION", "CHARGED", "PAID", "BALANCE"], &cells)?;
                let owes = if s.balance.is_sign_negative() && !s.balance.is_zero() { "credit" } else { "owes" };
                output::line(format!("Balance: {} {c} ({owes})", c.format(s.balance.abs())))?;
                Ok(())
            }
        }
    }
    .await;
    w.store().close().await;
    result
}

//! `headend customer statement`: a customer's ledger with its running
//! balance; `headend customer set`: how they are written to.

use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::messages::{Channel, Language};
use headend_workflows::messages::ContactInput;
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
    /// Change how a customer is written to: e-mail, phone, channel, language, opt-outs.
    Set {
        /// The customer's id or exact name.
        customer: String,
        /// Their e-mail address ("" removes it).
        #[arg(long)]
        email: Option<String>,
        /// Their phone, local (in the default country) or international ("" removes it).
        #[arg(long)]
        phone: Option<String>,
        /// email, sms, whatsapp, or any (the first that reaches them).
        #[arg(long, value_name = "CHANNEL")]
        channel: Option<String>,
        /// en, es, pt, fr, id, sw..., or default (the ISP's).
        #[arg(long, value_name = "LANG")]
        language: Option<String>,
        /// Stop writing to them on this channel (repeat for more).
        #[arg(long, value_name = "CHANNEL", value_parser = Channel::from_str)]
        opt_out: Vec<Channel>,
        /// Write to them on this channel again.
        #[arg(long, value_name = "CHANNEL", value_parser = Channel::from_str)]
        opt_in: Vec<Channel>,
    },
}

#[derive(Debug, Serialize)]
struct ContactJson {
    customer_id: i64,
    customer: String,
    email: Option<String>,
    phone: Option<String>,
    channel: Option<&'static str>,
    language: Option<String>,
    opted_out: Vec<&'static str>,
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
            Command::Set { customer, email, phone, channel, language, opt_out, opt_in } => {
                let (id, name) = find_customer(&w, &customer).await?;
                let preferred = match channel.as_deref() {
                    None => None,
                    Some("any") => Some(None),
                    Some(c) => Some(Some(Channel::from_str(c)?)),
                };
                let language = match language.as_deref() {
                    None => None,
                    Some("default") => Some(None),
                    Some(l) => Some(Some(Language::from_str(l)?)),
                };
                let input = ContactInput { email, phone, preferred, language, opt_out, opt_in };
                let prefs = w.set_customer_contact(&Actor::Cli, id, &input).await?;
                let c = w.store().customer(id).await?.ok_or_else(|| anyhow::anyhow!("customer {id} vanished"))?;
                let json = ContactJson {
                    customer_id: id.0,
                    customer: name,
                    email: c.email,
                    phone: c.phone,
                    channel: prefs.preferred.map(Channel::as_str),
                    language: prefs.language.map(|l| l.to_string()),
                    opted_out: prefs.opted_out.iter().map(|c| c.as_str()).collect(),
                };
                if globals.json {
                    return output::json(&json);
                }
                output::line(format!(
                    "{} (customer {id}): e-mail {}, phone {}, channel {}, language {}, opted out of {}",
                    output::safe(&json.customer),
                    output::safe(json.email.as_deref().unwrap_or("-")),
                    output::safe(json.phone.as_deref().unwrap_or("-")),
                    json.channel.unwrap_or("any"),
                    json.language.as_deref().unwrap_or("the ISP's"),
                    if json.opted_out.is_empty() { "nothing".to_owned() } else { json.opted_out.join(", ") }
                ))?;
                Ok(())
            }
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

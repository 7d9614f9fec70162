//! `headend payment add | list`: payments move a service's next billing
//! date forward (see `headend_core::billing::advance_due`) and reach its
//! router at once.

use std::str::FromStr;

use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::billing::MAX_MONTHS;
use headend_workflows::Workflows;
use rust_decimal::Decimal;

use crate::open::open_workflows;
use crate::service::PaymentJson;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a payment: the next billing date moves forward by MONTHS calendar months from the current one.
    Add {
        /// The service's id.
        service: i64,
        /// The amount paid, e.g. 25.00.
        #[arg(long, value_name = "AMOUNT", value_parser = parse_amount)]
        amount: Decimal,
        /// How many months it pays for (1 to 36).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=i64::from(MAX_MONTHS)))]
        months: u8,
    },
    /// A service's payments, newest first.
    List {
        /// The service's id.
        service: i64,
    },
}

fn parse_amount(text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim()).map_err(|_| format!("{text:?} is not an amount: write it like 25.00"))
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = match command {
        Command::Add { service, amount, months } => add(globals, &w, ServiceId(service), amount, months).await,
        Command::List { service } => list(globals, &w, ServiceId(service)).await,
    };
    w.store().close().await;
    result
}

async fn add(globals: &Globals, w: &Workflows, id: ServiceId, amount: Decimal, months: u8) -> anyhow::Result<()> {
    let service = w.service(id).await?;
    let payment = w.record_payment(&Actor::Cli, id, amount, months).await?;
    if globals.json {
        return output::json(&PaymentJson::new(&payment));
    }
    output::line(format!(
        "Recorded {amount} for service {id} ({}), {months} month(s): next billing date {} -> {}; {} will be swept.",
        output::safe(&service.label()),
        payment.previous_due.map_or_else(|| "none".to_owned(), |d| d.to_string()),
        payment.new_due,
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
                p.id.to_string(),
                p.paid_at.clone(),
                p.amount.clone(),
                p.months.to_string(),
                format!("{} -> {}", p.previous_due.as_deref().unwrap_or("none"), p.new_due),
                p.actor.to_owned(),
            ]
        })
        .collect();
    Ok(output::table(&["ID", "PAID AT", "AMOUNT", "MONTHS", "DUE DATE", "BY"], &cells)?)
}

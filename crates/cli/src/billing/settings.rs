//! `headend billing settings`: show or change the ISP's billing settings.

use std::path::PathBuf;
use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::billing::money::Currency;
use headend_core::billing::settings::{BillingSettings, FirstInvoice, InvoiceTiming, Paper};
use headend_core::billing::tax::{TaxMode, TaxRate};
use headend_workflows::Workflows;
use serde::Serialize;

use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show the billing settings, or change the ones given.
    Settings(SettingsArgs),
}

#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// The currency's ISO code, e.g. USD, EUR, BRL.
    #[arg(long, value_parser = Currency::from_str)]
    currency: Option<Currency>,
    /// The ISP's tax rate in percent (0 allowed); a plan may have its own.
    #[arg(long, value_name = "PERCENT", value_parser = TaxRate::from_str)]
    tax_rate: Option<TaxRate>,
    /// true: prices include the tax (VAT countries); false: tax is added on top.
    #[arg(long, value_name = "BOOL")]
    tax_inclusive: Option<bool>,
    /// What documents call the tax: VAT, GST, Tax...
    #[arg(long, value_name = "NAME")]
    tax_name: Option<String>,
    /// Invoice numbers start with this, e.g. INV- (INV-2026-000123).
    #[arg(long, value_name = "PREFIX")]
    invoice_prefix: Option<String>,
    #[arg(long, value_name = "PREFIX")]
    credit_note_prefix: Option<String>,
    #[arg(long, value_name = "PREFIX")]
    receipt_prefix: Option<String>,
    /// Days before its period an invoice is issued (0 to 90).
    #[arg(long, value_name = "DAYS")]
    lead_days: Option<u16>,
    /// Days an invoice in arrears gives to pay (0 to 90).
    #[arg(long, value_name = "DAYS")]
    payment_terms: Option<u16>,
    /// in-advance (prepaid, the default) or in-arrears (postpaid).
    #[arg(long, value_parser = InvoiceTiming::from_str)]
    timing: Option<InvoiceTiming>,
    /// A new service's first invoice: activation, or day-N to prorate to the ISP's billing day N.
    #[arg(long, value_name = "RULE", value_parser = FirstInvoice::from_str)]
    first_invoice: Option<FirstInvoice>,
    /// Invoices still issued to a service cut off for not paying (0 to 12; default 1).
    #[arg(long, value_name = "N")]
    invoices_while_suspended: Option<u16>,
    /// A partial payment keeps the service on this many days (0: off).
    #[arg(long, value_name = "DAYS")]
    promise_days: Option<u16>,
    /// The ISP's name on documents.
    #[arg(long, value_name = "NAME")]
    company: Option<String>,
    /// The ISP's postal address (use \n for new lines).
    #[arg(long, value_name = "TEXT")]
    address: Option<String>,
    #[arg(long, value_name = "ID")]
    tax_id: Option<String>,
    /// Printed at the bottom of invoices: bank account, mobile-money number...
    #[arg(long, value_name = "TEXT")]
    payment_instructions: Option<String>,
    /// a4 or letter.
    #[arg(long, value_parser = Paper::from_str)]
    paper: Option<Paper>,
    /// A PNG or JPEG logo for documents.
    #[arg(long, value_name = "FILE", conflicts_with = "no_logo")]
    logo: Option<PathBuf>,
    /// Remove the logo.
    #[arg(long)]
    no_logo: bool,
}

#[derive(Debug, Serialize)]
struct SettingsJson {
    currency: String,
    tax_rate: String,
    tax_inclusive: bool,
    tax_name: String,
    invoice_prefix: String,
    credit_note_prefix: String,
    receipt_prefix: String,
    lead_days: u16,
    payment_terms: u16,
    timing: &'static str,
    first_invoice: String,
    invoices_while_suspended: u16,
    promise_days: u16,
    company: String,
    address: String,
    tax_id: String,
    payment_instructions: String,
    paper: &'static str,
    logo: bool,
}

impl SettingsJson {
    fn new(s: &BillingSettings, logo: bool) -> Self {
        Self {
            currency: s.currency.code().to_owned(),
            tax_rate: s.tax_rate.to_string(),
            tax_inclusive: s.tax_mode == TaxMode::Inclusive,
            tax_name: s.tax_name.clone(),
            invoice_prefix: s.invoice_prefix.clone(),
            credit_note_prefix: s.credit_note_prefix.clone(),
            receipt_prefix: s.receipt_prefix.clone(),
            lead_days: s.lead_days,
            payment_terms: s.payment_terms_days,
            timing: s.timing.as_str(),
            first_invoice: s.first_invoice.to_string(),
            invoices_while_suspended: s.invoices_while_suspended,
            promise_days: s.promise_days,
            company: s.company.clone(),
            address: s.address.clone(),
            tax_id: s.tax_id.clone(),
            payment_instructions: s.payment_instructions.clone(),
            paper: s.paper.as_str(),
            logo,
        }
    }
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = match command {
        Command::Settings(args) => settings(globals, &w, args).await,
    };
    w.store().close().await;
    result
}

async fn settings(globals: &Globals, w: &Workflows, a: SettingsArgs) -> anyhow::Result<()> {
    let mut s = w.billing_settings().await?;
    let before = s.clone();
    macro_rules! set {
        ($($flag:ident => $field:ident),*) => {$(if let Some(v) = a.$flag { s.$field = v; })*};
    }
    set!(currency => currency, tax_rate => tax_rate, tax_name => tax_name, invoice_prefix => invoice_prefix,
        credit_note_prefix => credit_note_prefix, receipt_prefix => receipt_prefix, lead_days => lead_days,
        payment_terms => payment_terms_days, timing => timing, first_invoice => first_invoice,
        invoices_while_suspended => invoices_while_suspended, promise_days => promise_days, company => company,
        tax_id => tax_id, paper => paper);
    if let Some(inclusive) = a.tax_inclusive {
        s.tax_mode = if inclusive { TaxMode::Inclusive } else { TaxMode::Exclusive };
    }
    if let Some(address) = a.address {
        s.address = address.replace("\\n", "\n");
    }
    if let Some(text) = a.payment_instructions {
        s.payment_instructions = text.replace("\\n", "\n");
    }
    if s != before {
        w.set_billing_settings(&Actor::Cli, s.clone()).await?;
    }
    if let Some(path) = &a.logo {
        let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        w.set_company_logo(&Actor::Cli, Some(bytes)).await?;
    } else if a.no_logo {
        w.set_company_logo(&Actor::Cli, None).await?;
    }
    let logo = w.store().company_logo().await?.is_some();
    let json = SettingsJson::new(&s, logo);
    if globals.json {
        return output::json(&json);
    }
    let rows = [
        ("Currency", json.currency.clone()),
        (
            "Tax",
            format!(
                "{} {}%, {}",
                json.tax_name,
                json.tax_rate,
                if json.tax_inclusive { "included in prices" } else { "added to prices" }
            ),
        ),
        (
            "Numbers",
            format!(
                "{}… / {}… / {}… (invoice / credit note / receipt)",
                json.invoice_prefix, json.credit_note_prefix, json.receipt_prefix
            ),
        ),
        ("Timing", format!("{}, lead {} days, terms {} days", json.timing, json.lead_days, json.payment_terms)),
        ("First invoice", json.first_invoice.clone()),
        ("While suspended", format!("{} more invoice(s)", json.invoices_while_suspended)),
        (
            "Promise to pay",
            if json.promise_days == 0 { "off".to_owned() } else { format!("{} days", json.promise_days) },
        ),
        ("Company", output::or_dash(Some(json.company.clone()).filter(|c| !c.is_empty()))),
        ("Address", output::or_dash(Some(json.address.replace('\n', ", ")).filter(|c| !c.is_empty()))),
        ("Tax id", output::or_dash(Some(json.tax_id.clone()).filter(|c| !c.is_empty()))),
        (
            "Instructions",
            output::or_dash(Some(json.payment_instructions.replace('\n', " / ")).filter(|c| !c.is_empty())),
        ),
        ("Paper", json.paper.to_owned()),
        ("Logo", if logo { "set".to_owned() } else { "none".to_owned() }),
    ];
    for (label, value) in rows {
        output::line(format!("{label:<16}{}", output::safe(&value)))?;
    }
    Ok(())
}

//! The ISP's billing settings and their bounds.

use std::fmt;
use std::str::FromStr;

use super::calendar::BillingDay;
use super::money::Currency;
use super::numbering::Series;
use super::tax::{TaxMode, TaxRate};

/// Paper size of printed documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }
}

impl FromStr for Paper {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            _ => Err(SettingError::new("paper", format!("unknown paper {s:?}: use a4 or letter"))),
        }
    }
}

/// When a period is invoiced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InvoiceTiming {
    /// Prepaid: the invoice comes `lead_days` before its period and is due
    /// when the period starts.
    #[default]
    InAdvance,
    /// Postpaid: the invoice comes when its period ends and is due
    /// `payment_terms_days` later; the service stays on through the next
    /// period while it is paid.
    InArrears,
}

impl InvoiceTiming {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceTiming::InAdvance => "in-advance",
            InvoiceTiming::InArrears => "in-arrears",
        }
    }
}

impl FromStr for InvoiceTiming {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "in-advance" => Ok(InvoiceTiming::InAdvance),
            "in-arrears" => Ok(InvoiceTiming::InArrears),
            _ => Err(SettingError::new("timing", format!("unknown timing {s:?}: use in-advance or in-arrears"))),
        }
    }
}

/// Where a new service's first period starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FirstInvoice {
    /// On the activation date, which becomes the service's billing day.
    #[default]
    FromActivation,
    /// From activation to the ISP's billing day, prorated by days; every
    /// later period starts on that day.
    ProrateTo(BillingDay),
}

impl fmt::Display for FirstInvoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FirstInvoice::FromActivation => f.write_str("activation"),
            FirstInvoice::ProrateTo(day) => write!(f, "day-{}", day.get()),
        }
    }
}

impl FromStr for FirstInvoice {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            SettingError::new("first-invoice", format!("{s:?}: use activation, or day-N to prorate to day N (1 to 31)"))
        };
        if s == "activation" {
            return Ok(FirstInvoice::FromActivation);
        }
        let day: i64 = s.strip_prefix("day-").and_then(|d| d.parse().ok()).ok_or_else(bad)?;
        BillingDay::new(day).map(FirstInvoice::ProrateTo).map_err(|_| bad())
    }
}

/// A setting out of its bounds, with the setting's name (the CLI flag and
/// the form field share it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SettingError {
    pub setting: &'static str,
    pub message: String,
}

impl SettingError {
    pub fn new(setting: &'static str, message: String) -> Self {
        Self { setting, message }
    }
}

/// The ISP's billing settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingSettings {
    pub currency: Currency,
    /// The ISP's rate; a plan may have its own.
    pub tax_rate: TaxRate,
    pub tax_mode: TaxMode,
    /// What the tax is called on documents ("VAT", "GST", "Tax").
    pub tax_name: String,
    pub invoice_prefix: String,
    pub credit_note_prefix: String,
    pub receipt_prefix: String,
    /// Days before its period an invoice is issued (in advance).
    pub lead_days: u16,
    /// Days an invoice in arrears gives to pay.
    pub payment_terms_days: u16,
    pub timing: InvoiceTiming,
    pub first_invoice: FirstInvoice,
    /// Invoices still issued to a service cut off for not paying, beyond
    /// the one it was cut off over.
    pub invoices_while_suspended: u16,
    /// A partial payment keeps (or puts) the service on for this many days
    /// ("promise to pay"); 0: only a fully paid invoice reconnects.
    pub promise_days: u16,
    pub company: String,
    pub address: String,
    pub tax_id: String,
    pub payment_instructions: String,
    pub paper: Paper,
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            currency: Currency::usd(),
            tax_rate: TaxRate::ZERO,
            tax_mode: TaxMode::Exclusive,
            tax_name: "Tax".into(),
            invoice_prefix: Series::Invoice.default_prefix().into(),
            credit_note_prefix: Series::CreditNote.default_prefix().into(),
            receipt_prefix: Series::Receipt.default_prefix().into(),
            lead_days: 7,
            payment_terms_days: 14,
            timing: InvoiceTiming::InAdvance,
            first_invoice: FirstInvoice::FromActivation,
            invoices_while_suspended: 1,
            promise_days: 0,
            company: String::new(),
            address: String::new(),
            tax_id: String::new(),
            payment_instructions: String::new(),
            paper: Paper::A4,
        }
    }
}

impl BillingSettings {
    /// Longest lead and terms: a quarter.
    pub const MAX_DAYS: u16 = 90;
    /// More unpaid invoices than this to a cut-off customer is a typo.
    pub const MAX_WHILE_SUSPENDED: u16 = 12;
    /// Longest free text (address, instructions).
    pub const MAX_TEXT: usize = 2000;

    pub fn prefix(&self, series: Series) -> &str {
        match series {
            Series::Invoice => &self.invoice_prefix,
            Series::CreditNote => &self.credit_note_prefix,
            Series::Receipt => &self.receipt_prefix,
        }
    }

    /// Checks every bound; the error names the setting.
    pub fn validate(&self) -> Result<(), SettingError> {
        let days = |setting: &'static str, value: u16| {
            if value > Self::MAX_DAYS {
                Err(SettingError::new(setting, format!("{setting} is 0 to {} days, not {value}", Self::MAX_DAYS)))
            } else {
                Ok(())
            }
        };
        days("lead-days", self.lead_days)?;
        days("payment-terms", self.payment_terms_days)?;
        days("promise-days", self.promise_days)?;
        if self.invoices_while_suspended > Self::MAX_WHILE_SUSPENDED {
            return Err(SettingError::new(
                "invoices-while-suspended",
                format!(
                    "invoices while suspended is 0 to {}, not {}",
                    Self::MAX_WHILE_SUSPENDED,
                    self.invoices_while_suspended
                ),
            ));
        }
        for (setting, prefix) in [
            ("invoice-prefix", &self.invoice_prefix),
            ("credit-note-prefix", &self.credit_note_prefix),
            ("receipt-prefix", &self.receipt_prefix),
        ] {
            super::numbering::checked_prefix(prefix).map_err(|e| SettingError::new(setting, e.to_string()))?;
        }
        if self.invoice_prefix == self.credit_note_prefix
            || self.invoice_prefix == self.receipt_prefix
            || self.credit_note_prefix == self.receipt_prefix
        {
            return Err(SettingError::new(
                "invoice-prefix",
                "invoices, credit notes and receipts need different prefixes, so their numbers never collide".into(),
            ));
        }
        for (setting, text, max) in [
            ("company", &self.company, 200),
            ("address", &self.address, Self::MAX_TEXT),
            ("tax-id", &self.tax_id, 60),
            ("tax-name", &self.tax_name, 30),
            ("payment-instructions", &self.payment_instructions, Self::MAX_TEXT),
        ] {
            if text.chars().count() > max {
                return Err(SettingError::new(setting, format!("{setting} is at most {max} characters")));
            }
        }
        Ok(())
    }

    /// How documents name the tax: "VAT 16% (included)", "Tax 8%".
    pub fn tax_label(&self, rate: TaxRate) -> String {
        match self.tax_mode {
            TaxMode::Inclusive => format!("{} {}% (included)", self.tax_name, rate),
            TaxMode::Exclusive => format!("{} {}%", self.tax_name, rate),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bounds_name_their_setting() {
        assert_eq!(BillingSettings::default().validate(), Ok(()));
        let s = BillingSettings { lead_days: 91, ..Default::default() };
        assert_eq!(s.validate().unwrap_err().setting, "lead-days");
        let s = BillingSettings { receipt_prefix: "INV-".into(), ..Default::default() };
        assert_eq!(s.validate().unwrap_err().setting, "invoice-prefix");
        let s = BillingSettings { invoice_prefix: "IN V".into(), ..Default::default() };
        assert_eq!(s.validate().unwrap_err().setting, "invoice-prefix");
        let s = BillingSettings { invoices_while_suspended: 13, ..Default::default() };
        assert_eq!(s.validate().unwrap_err().setting, "invoices-while-suspended");
    }

    #[test]
    fn names_round_trip() {
        for f in ["activation", "day-1", "day-31"] {
            assert_eq!(f.parse::<FirstInvoice>().unwrap().to_string(), f);
        }
        assert!("day-0".parse::<FirstInvoice>().is_err() && "day-x".parse::<FirstInvoice>().is_err());
        assert_eq!("letter".parse::<Paper>(), Ok(Paper::Letter));
        assert_eq!("in-arrears".parse::<InvoiceTiming>(), Ok(InvoiceTiming::InArrears));
        let s = BillingSettings { tax_mode: TaxMode::Inclusive, tax_name: "VAT".into(), ..Default::default() };
        assert_eq!(s.tax_label("16".parse().unwrap()), "VAT 16% (included)");
    }
}

//! Invoices: reading them, one-off charges and coupons for the next ones,
//! voiding and crediting, and a customer's statement.

use headend_core::activity::{Actor, Subject};
use headend_core::billing::invoice::Discount;
use headend_core::{CustomerId, ServiceId};
use headend_store::{InvoiceDetail, InvoiceQuery, InvoiceRecord, NewCharge, Statement};
use rust_decimal::Decimal;

use crate::{WorkflowError, Workflows};

/// The longest description or reason kept.
const MAX_TEXT: usize = 300;

/// A one-off charge for a customer's next invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeInput {
    pub customer: CustomerId,
    pub description: String,
    /// As the ISP prices: before tax when tax is exclusive.
    pub amount: Decimal,
}

fn checked_text(field: &'static str, what: &str, text: &str) -> Result<String, WorkflowError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(WorkflowError::invalid(field, format!("give a {what}")));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(WorkflowError::invalid(field, format!("the {what} is at most {MAX_TEXT} characters")));
    }
    Ok(text.to_owned())
}

impl Workflows {
    pub async fn invoices(&self, query: &InvoiceQuery) -> Result<Vec<InvoiceRecord>, WorkflowError> {
        let (_, today) = self.today().await?;
        Ok(self.store.invoices(query, today).await?)
    }

    /// An invoice or credit note by its number.
    pub async fn invoice(&self, number: &str) -> Result<InvoiceDetail, WorkflowError> {
        self.store.invoice_by_number(number.trim()).await?.ok_or_else(|| {
            WorkflowError::NotFound(format!(
                "there is no invoice numbered {number:?}; `headend invoice list` shows them"
            ))
        })
    }

    /// Puts a one-off charge (installation, equipment, a manual charge) on
    /// the customer's next invoice.
    pub async fn add_charge(&self, actor: &Actor, input: ChargeInput) -> Result<i64, WorkflowError> {
        let settings = self.store.billing_settings().await?;
        let description = checked_text("description", "description", &input.description)?;
        let amount = settings
            .currency
            .check_amount(input.amount)
            .map_err(|e| WorkflowError::invalid("amount", e.to_string()))?;
        if amount.is_zero() {
            return Err(WorkflowError::invalid("amount", "a charge of 0 bills nothing"));
        }
        let charge = NewCharge { customer: input.customer, description, amount };
        Ok(self.store.add_charge(&charge, actor).await?)
    }

    /// A coupon on a service: an amount or a percentage off its plan's line
    /// on each of its next `cycles` invoices (`None`: all of them).
    pub async fn add_coupon(
        &self,
        actor: &Actor,
        service: ServiceId,
        description: &str,
        discount: Discount,
        cycles: Option<u16>,
    ) -> Result<i64, WorkflowError> {
        let description = checked_text("description", "description", description)?;
        let settings = self.store.billing_settings().await?;
        match discount {
            Discount::Amount(a) => {
                settings.currency.check_amount(a).map_err(|e| WorkflowError::invalid("amount", e.to_string()))?;
            }
            Discount::Percent(p) if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
                return Err(WorkflowError::invalid("percent", format!("a discount is 0 to 100 percent, not {p}")));
            }
            Discount::Percent(_) => {}
        }
        if cycles == Some(0) {
            return Err(WorkflowError::invalid("cycles", "a coupon lasts at least 1 cycle"));
        }
        self.service(service).await?;
        let mut write = self.store.begin_write().await?;
        let id = write.add_coupon(service, &description, discount, cycles).await?;
        let how = match discount {
            Discount::Amount(a) => format!("{a} {} off", settings.currency),
            Discount::Percent(p) => format!("{p}% off"),
        };
        let cycles = cycles.map_or_else(|| "every invoice".to_owned(), |n| format!("{n} invoice(s)"));
        write
            .log_activity(&self.entry(
                actor,
                Subject::Service(service),
                "coupon added",
                format!("{description}: {how}, {cycles}"),
            ))
            .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Voids an invoice or credit note (it keeps its number and shows
    /// VOID); the money on it goes to the customer's other invoices.
    pub async fn void_invoice(
        &self,
        actor: &Actor,
        number: &str,
        reason: &str,
    ) -> Result<InvoiceRecord, WorkflowError> {
        let reason = checked_text("reason", "reason", reason)?;
        self.invoice(number).await?;
        let settings = self.store.billing_settings().await?;
        Ok(self.store.void_invoice(number.trim(), &reason, &settings, actor).await?)
    }

    /// A credit note of `amount` against invoice `number`.
    pub async fn credit_invoice(
        &self,
        actor: &Actor,
        number: &str,
        amount: Decimal,
        reason: &str,
    ) -> Result<InvoiceRecord, WorkflowError> {
        let reason = checked_text("reason", "reason", reason)?;
        let detail = self.invoice(number).await?;
        let amount = detail
            .invoice
            .currency
            .check_amount(amount)
            .map_err(|e| WorkflowError::invalid("amount", e.to_string()))?;
        if amount.is_zero() {
            return Err(WorkflowError::invalid("amount", "a credit of 0 credits nothing"));
        }
        let settings = self.store.billing_settings().await?;
        let (_, today) = self.today().await?;
        Ok(self.store.credit_invoice(number.trim(), amount, &reason, today, &settings, actor).await?)
    }

    /// A customer's statement: every document and payment with the running
    /// balance.
    pub async fn statement(&self, customer: CustomerId) -> Result<Statement, WorkflowError> {
        let settings = self.store.billing_settings().await?;
        Ok(self.store.statement(customer, &settings.currency).await?)
    }
}

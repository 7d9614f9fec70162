//! Payments: allocated to the customer's open invoices (a named one
//! first), or prepaid months without an invoice; either way the service
//! they pay for is back on its router within seconds.

use headend_core::activity::Actor;
use headend_core::billing::MAX_MONTHS;
use headend_core::billing::ledger::{MAX_REFERENCE_LEN, PaymentMethod};
use headend_core::billing::settings::BillingSettings;
use headend_core::{RouterId, ServiceId};
use headend_store::{NewPayment, PaymentOutcome};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::messages::compose::Composer;
use crate::{WorkflowError, Workflows};

/// A payment as a form or the command line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    pub service: ServiceId,
    pub amount: Decimal,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    /// The day the money came; the ISP's today by default.
    pub date: Option<Date>,
    /// Prepaid months without an invoice.
    pub months: Option<u8>,
    /// An invoice number to settle first.
    pub invoice: Option<String>,
}

/// A payment that passed its checks, with what recording it needs.
struct Checked {
    new: NewPayment,
    settings: BillingSettings,
    today: Date,
    router: RouterId,
    /// The service is cut off for not paying since the day after this one.
    cut_off_after: Option<Date>,
}

impl Workflows {
    async fn checked_payment(&self, input: &PaymentInput) -> Result<Checked, WorkflowError> {
        let settings = self.store.billing_settings().await?;
        let amount = settings
            .currency
            .check_amount(input.amount)
            .map_err(|e| WorkflowError::invalid("amount", e.to_string()))?;
        if let Some(m) = input.months
            && !(1..=MAX_MONTHS).contains(&m)
        {
            return Err(WorkflowError::invalid(
                "months",
                format!("a payment covers 1 to {MAX_MONTHS} months, not {m}"),
            ));
        }
        let invoice = input.invoice.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        if input.months.is_some() && invoice.is_some() {
            return Err(WorkflowError::invalid(
                "months",
                "a prepaid payment (months) pays no invoice: give one or the other",
            ));
        }
        let reference = input.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        if reference.as_ref().is_some_and(|r| r.chars().count() > MAX_REFERENCE_LEN) {
            return Err(WorkflowError::invalid(
                "reference",
                format!("a reference is at most {MAX_REFERENCE_LEN} characters"),
            ));
        }
        let (policy, today) = self.today().await?;
        let paid_on = input.date.unwrap_or(today);
        if paid_on > today {
            return Err(WorkflowError::invalid(
                "date",
                format!("{paid_on} is after today ({today}): money not yet received"),
            ));
        }
        let service = self.service(input.service).await?;
        let cut_off_after = Self::cut_off_after(&policy, today, &service);
        let new = NewPayment {
            service: input.service,
            amount,
            method: input.method,
            reference,
            paid_on,
            months: input.months,
            invoice,
        };
        Ok(Checked { new, settings, today, router: service.router, cut_off_after })
    }

    /// What the payment would do (allocations, credit left, balance, the
    /// service's new paid-through date), written nowhere.
    pub async fn preview_payment(&self, input: &PaymentInput) -> Result<PaymentOutcome, WorkflowError> {
        let c = self.checked_payment(input).await?;
        Ok(self.store.preview_payment(&c.new, &c.settings, c.today, &Actor::Operator).await?)
    }

    /// Records the payment with its receipt, and queues the customer's
    /// receipt message (and "reconnected" when it puts the service back
    /// on) in the same transaction; the service's router is swept at once.
    pub async fn record_payment(&self, actor: &Actor, input: &PaymentInput) -> Result<PaymentOutcome, WorkflowError> {
        let c = self.checked_payment(input).await?;
        let composer = Composer::load(&self.store).await?;
        let mut write = self.store.begin_write().await?;
        let outcome = write.record_payment(&c.new, &c.settings, c.today, actor).await?;
        let reconnected = c
            .cut_off_after
            .filter(|_| outcome.paid_through.is_some_and(|through| through >= c.today))
            .map(|after| (input.service, after));
        composer.queue_payment(&mut write, &outcome, reconnected).await?;
        write.commit().await?;
        self.sweep(c.router);
        Ok(outcome)
    }
}

//! Payments: each moves a service's next billing date forward, and a
//! service cut off for not paying is back on its router within seconds.

use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::billing::{MAX_MONTHS, Payment, advance_due};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::{WorkflowError, Workflows};

/// A due date before and after a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueChange {
    /// `None`: the service had no due date (it is due from today).
    pub previous: Option<Date>,
    pub new: Date,
}

fn months(months: u8) -> Result<u8, WorkflowError> {
    if (1..=MAX_MONTHS).contains(&months) {
        Ok(months)
    } else {
        Err(WorkflowError::invalid("months", format!("a payment covers 1 to {MAX_MONTHS} months, not {months}")))
    }
}

impl Workflows {
    /// The due date a payment of `months` months would give the service.
    pub async fn preview_payment(&self, id: ServiceId, months_paid: u8) -> Result<DueChange, WorkflowError> {
        let months = months(months_paid)?;
        let service = self.service(id).await?;
        let (_, today) = self.today().await?;
        Ok(DueChange {
            previous: service.next_billing_date,
            new: advance_due(service.next_billing_date, today, months),
        })
    }

    /// Records a payment ("today" is the ISP's, not this machine's): the
    /// store moves the due date and writes the activity entry in the same
    /// transaction; the router is swept at once.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        id: ServiceId,
        amount: Decimal,
        months_paid: u8,
    ) -> Result<Payment, WorkflowError> {
        let months = months(months_paid)?;
        if amount.is_sign_negative() {
            return Err(WorkflowError::invalid("amount", format!("a payment cannot be negative ({amount})")));
        }
        let service = self.service(id).await?;
        let now = self.now();
        let (_, today) = self.today().await?;
        let payment = self.store.add_payment(id, amount, months, now, today, actor).await?;
        self.sweep(service.router);
        Ok(payment)
    }
}

//! Payments: what one would do (allocation and the new paid-through date),
//! recording it with its receipt, and a payment as the service page lists it.

use std::str::FromStr;

use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::billing::ledger::{Payment, PaymentMethod};
use headend_ipc::billing::{PaymentForm, PaymentOutcome};
use headend_ipc::{ErrorDto, PaymentRow};
use headend_workflows::billing::PaymentInput;
use rust_decimal::Decimal;
use tauri::State;

use super::billing::{allocation_dto, date_arg, opt_date};
use super::{Answer, workflow_error};
use crate::state::AppState;

/// Reads the form; the workflow checks the amount against the currency,
/// the months' bounds and the date.
fn payment_input(form: &PaymentForm) -> Result<PaymentInput, ErrorDto> {
    let amount = Decimal::from_str(form.amount.trim())
        .map_err(|_| ErrorDto::field("amount", "Enter the amount paid, such as 25.00."))?;
    let method = PaymentMethod::from_str(form.method.trim()).map_err(|e| ErrorDto::field("method", e.to_string()))?;
    let months = match form.months.trim() {
        "" => None,
        m => Some(
            m.parse::<u8>()
                .map_err(|_| ErrorDto::field("months", "Enter the months prepaid as a whole number, such as 3."))?,
        ),
    };
    Ok(PaymentInput {
        service: ServiceId(form.service_id),
        amount,
        method,
        reference: Some(form.reference.clone()),
        date: date_arg("date", &form.date)?,
        months,
        invoice: Some(form.invoice.clone()),
    })
}

fn outcome(o: headend_store::PaymentOutcome, currency: &str) -> PaymentOutcome {
    PaymentOutcome {
        receipt: o.payment.receipt,
        customer_name: o.customer_name,
        amount: o.payment.amount.to_string(),
        currency: currency.to_owned(),
        allocations: o.allocations.iter().map(allocation_dto).collect(),
        credit_left: if o.credit_left.is_zero() { String::new() } else { o.credit_left.to_string() },
        balance: o.balance.to_string(),
        previous_due: opt_date(o.payment.previous_due),
        paid_through: opt_date(o.paid_through),
    }
}

async fn currency(state: &AppState) -> Answer<String> {
    Ok(state.workflows.billing_settings().await.map_err(workflow_error)?.currency.to_string())
}

/// What the payment would do, written nowhere: the operator sees it before
/// saving.
#[tauri::command]
pub async fn preview_payment(state: State<'_, AppState>, payment: PaymentForm) -> Answer<PaymentOutcome> {
    let input = payment_input(&payment)?;
    let previewed = state.workflows.preview_payment(&input).await.map_err(workflow_error)?;
    Ok(outcome(previewed, &currency(&state).await?))
}

/// Records a payment with its receipt: the invoices it pays are settled
/// and a customer cut off for not paying is back on the router within a
/// second or two.
#[tauri::command]
pub async fn record_payment(state: State<'_, AppState>, payment: PaymentForm) -> Answer<PaymentOutcome> {
    let input = payment_input(&payment)?;
    let paid = state.workflows.record_payment(&Actor::Operator, &input).await.map_err(workflow_error)?;
    Ok(outcome(paid, &currency(&state).await?))
}

/// A payment as the service's page lists it.
pub fn payment_row(p: &Payment) -> PaymentRow {
    PaymentRow {
        id: p.id.0,
        receipt: p.receipt.clone(),
        paid_on: p.paid_on.to_string(),
        amount: p.amount.to_string(),
        method: p.method.label().to_owned(),
        reference: p.reference.clone().unwrap_or_default(),
        months: p.months,
        actor: p.actor.as_str().to_owned(),
        previous_due: opt_date(p.previous_due),
        new_due: opt_date(p.new_due),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PaymentForm {
        PaymentForm { service_id: 4, amount: "25.00".into(), method: "cash".into(), ..PaymentForm::default() }
    }

    #[test]
    fn each_bad_field_is_named() {
        let field = |f: PaymentForm| payment_input(&f).err().and_then(|e| e.field);
        assert_eq!(field(PaymentForm { amount: "lots".into(), ..form() }).as_deref(), Some("amount"));
        assert_eq!(field(PaymentForm { method: "cheque".into(), ..form() }).as_deref(), Some("method"));
        assert_eq!(field(PaymentForm { months: "two".into(), ..form() }).as_deref(), Some("months"));
        assert_eq!(field(PaymentForm { date: "yesterday".into(), ..form() }).as_deref(), Some("date"));
        let ok = payment_input(&PaymentForm { months: "3".into(), ..form() }).unwrap();
        assert_eq!((ok.months, ok.method, ok.date), (Some(3), PaymentMethod::Cash, None));
    }
}

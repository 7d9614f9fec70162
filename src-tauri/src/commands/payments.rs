//! Payments: the due date a payment would give, and recording one.

use std::str::FromStr;

use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::billing::Payment;
use headend_ipc::{ErrorDto, PaymentForm, PaymentOutcome, PaymentRow};
use headend_workflows::payments::DueChange;
use rust_decimal::Decimal;
use tauri::State;

use super::{Answer, instant, workflow_error};
use crate::state::AppState;

fn outcome(due: DueChange) -> PaymentOutcome {
    PaymentOutcome {
        previous_due: due.previous.map(|d| d.to_string()).unwrap_or_default(),
        new_due: due.new.to_string(),
    }
}

/// The due date a payment of `months` months would give the service.
#[tauri::command]
pub async fn preview_payment(state: State<'_, AppState>, id: i64, months: u8) -> Answer<PaymentOutcome> {
    Ok(outcome(state.workflows.preview_payment(ServiceId(id), months).await.map_err(workflow_error)?))
}

/// Records a payment: the due date moves and a customer cut off for not
/// paying is back on the router within a second or two.
#[tauri::command]
pub async fn record_payment(state: State<'_, AppState>, payment: PaymentForm) -> Answer<PaymentOutcome> {
    let amount = Decimal::from_str(payment.amount.trim())
        .map_err(|_| ErrorDto::field("amount", "Enter the amount paid, such as 25.00."))?;
    let paid = state
        .workflows
        .record_payment(&Actor::Operator, ServiceId(payment.service_id), amount, payment.months)
        .await
        .map_err(workflow_error)?;
    Ok(outcome(DueChange { previous: paid.previous_due, new: paid.new_due }))
}

/// A payment as the service's page lists it.
pub fn payment_row(p: &Payment) -> PaymentRow {
    PaymentRow {
        id: p.id,
        paid_at: instant(p.paid_at),
        amount: p.amount.to_string(),
        months: p.months,
        actor: p.actor.as_str().to_owned(),
        previous_due: p.previous_due.map(|d| d.to_string()).unwrap_or_default(),
        new_due: p.new_due.to_string(),
    }
}

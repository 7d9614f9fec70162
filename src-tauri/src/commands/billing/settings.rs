//! The billing settings (company, tax, numbering, timing, paper, currency)
//! and the logo printed on documents.

use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::billing::money::Currency;
use headend_core::billing::settings::{BillingSettings, FirstInvoice, InvoiceTiming, Paper};
use headend_core::billing::tax::{TaxMode, TaxRate};
use headend_ipc::ErrorDto;
use headend_ipc::billing::{BillingSettingsForm, BillingSettingsView};
use headend_workflows::billing::LOGO_MAX_BYTES;
use tauri::State;

use crate::commands::{Answer, db, workflow_error};
use crate::state::AppState;

fn form(s: &BillingSettings) -> BillingSettingsForm {
    BillingSettingsForm {
        currency: s.currency.to_string(),
        tax_rate: s.tax_rate.to_string(),
        tax_inclusive: s.tax_mode == TaxMode::Inclusive,
        tax_name: s.tax_name.clone(),
        invoice_prefix: s.invoice_prefix.clone(),
        credit_note_prefix: s.credit_note_prefix.clone(),
        receipt_prefix: s.receipt_prefix.clone(),
        lead_days: s.lead_days.to_string(),
        payment_terms: s.payment_terms_days.to_string(),
        timing: s.timing.as_str().to_owned(),
        first_invoice: s.first_invoice.to_string(),
        invoices_while_suspended: s.invoices_while_suspended.to_string(),
        promise_days: s.promise_days.to_string(),
        company: s.company.clone(),
        address: s.address.clone(),
        tax_id: s.tax_id.clone(),
        payment_instructions: s.payment_instructions.clone(),
        paper: s.paper.as_str().to_owned(),
    }
}

/// Reads the form; the error names the field as the settings name it.
/// Bounds are checked by the workflow (`BillingSettings::validate`).
fn parse(f: &BillingSettingsForm) -> Answer<BillingSettings> {
    let days = |field: &str, text: &str| {
        text.trim().parse::<u16>().map_err(|_| ErrorDto::field(field, "Enter a whole number of days, such as 7."))
    };
    let setting = |e: headend_core::billing::settings::SettingError| ErrorDto::field(e.setting, e.message);
    Ok(BillingSettings {
        currency: Currency::from_str(f.currency.trim().to_uppercase().as_str())
            .map_err(|e| ErrorDto::field("currency", e.to_string()))?,
        tax_rate: TaxRate::from_str(f.tax_rate.trim()).map_err(|e| ErrorDto::field("tax-rate", e.to_string()))?,
        tax_mode: if f.tax_inclusive { TaxMode::Inclusive } else { TaxMode::Exclusive },
        tax_name: f.tax_name.trim().to_owned(),
        invoice_prefix: f.invoice_prefix.trim().to_owned(),
        credit_note_prefix: f.credit_note_prefix.trim().to_owned(),
        receipt_prefix: f.receipt_prefix.trim().to_owned(),
        lead_days: days("lead-days", &f.lead_days)?,
        payment_terms_days: days("payment-terms", &f.payment_terms)?,
        timing: InvoiceTiming::from_str(f.timing.trim()).map_err(setting)?,
        first_invoice: FirstInvoice::from_str(f.first_invoice.trim()).map_err(setting)?,
        invoices_while_suspended: f
            .invoices_while_suspended
            .trim()
            .parse()
            .map_err(|_| ErrorDto::field("invoices-while-suspended", "Enter a whole number of invoices, such as 1."))?,
        promise_days: days("promise-days", &f.promise_days)?,
        company: f.company.trim().to_owned(),
        address: f.address.trim().to_owned(),
        tax_id: f.tax_id.trim().to_owned(),
        payment_instructions: f.payment_instructions.trim().to_owned(),
        paper: Paper::from_str(f.paper.trim()).map_err(setting)?,
    })
}

async fn view(state: &AppState, settings: &BillingSettings) -> Answer<BillingSettingsView> {
    Ok(BillingSettingsView {
        form: form(settings),
        has_logo: state.store.company_logo().await.map_err(db)?.is_some(),
        logo_max_bytes: LOGO_MAX_BYTES as u64,
    })
}

#[tauri::command]
pub async fn get_billing_settings(state: State<'_, AppState>) -> Answer<BillingSettingsView> {
    let settings = state.workflows.billing_settings().await.map_err(workflow_error)?;
    view(&state, &settings).await
}

#[tauri::command]
pub async fn save_billing_settings(
    state: State<'_, AppState>,
    form: BillingSettingsForm,
) -> Answer<BillingSettingsView> {
    let settings = parse(&form)?;
    let saved = state.workflows.set_billing_settings(&Actor::Operator, settings).await.map_err(workflow_error)?;
    view(&state, &saved).await
}

/// Sets the logo from the image file the operator picked (its bytes), or
/// removes it.
#[tauri::command]
pub async fn set_company_logo(state: State<'_, AppState>, logo: Option<Vec<u8>>) -> Answer<()> {
    state.workflows.set_company_logo(&Actor::Operator, logo).await.map_err(workflow_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_and_names_bad_fields() {
        let defaults = BillingSettings::default();
        assert_eq!(parse(&form(&defaults)).unwrap(), defaults);
        let field = |f: BillingSettingsForm| parse(&f).err().and_then(|e| e.field);
        let good = form(&defaults);
        assert_eq!(field(BillingSettingsForm { currency: "XX".into(), ..good.clone() }).as_deref(), Some("currency"));
        assert_eq!(field(BillingSettingsForm { tax_rate: "lots".into(), ..good.clone() }).as_deref(), Some("tax-rate"));
        assert_eq!(field(BillingSettingsForm { lead_days: "-1".into(), ..good.clone() }).as_deref(), Some("lead-days"));
        assert_eq!(
            field(BillingSettingsForm { first_invoice: "day-40".into(), ..good.clone() }).as_deref(),
            Some("first-invoice")
        );
        assert_eq!(field(BillingSettingsForm { paper: "a3".into(), ..good }).as_deref(), Some("paper"));
    }
}

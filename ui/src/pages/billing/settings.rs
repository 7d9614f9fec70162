//! The billing settings: company and logo, currency and tax, numbering,
//! when invoices are issued, and paper. Errors sit next to their field,
//! named as the settings are ("tax-rate", "lead-days").

use headend_ipc::billing::{BillingSettingsForm, BillingSettingsView, command};
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsCast;

use crate::app::Console;
use crate::components::{ErrorBox, Errors, FieldError, FormError, Loading, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct FormArgs {
    form: BillingSettingsForm,
}

#[derive(Serialize)]
struct LogoArgs {
    logo: Option<Vec<u8>>,
}

#[component]
pub fn BillingSettings() -> impl IntoView {
    let loaded = LocalResource::new(|| ipc::call::<BillingSettingsView>(command::GET_BILLING_SETTINGS));
    move || match loaded.get() {
        None => Loading().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(v)) => view! { <SettingsForm view=v /> }.into_any(),
    }
}

/// A text setting: its input, its help and its error.
fn text_field(
    draft: RwSignal<BillingSettingsForm>,
    errors: Errors,
    field: &'static str,
    label: &'static str,
    help: &'static str,
    get: fn(&BillingSettingsForm) -> &String,
    set: fn(&mut BillingSettingsForm, String),
) -> impl IntoView {
    view! {
        <label class="field"><span class="field-label">{label}</span>
            <input id=format!("bs-{field}") type="text" class:invalid=has_error(errors, field)
                prop:value=move || draft.with(|d| get(d).clone())
                on:input=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); clear_error(errors, field); } />
            {(!help.is_empty()).then(|| view! { <span class="field-help">{help}</span> })}
            <FieldError errors=errors field=field /></label>
    }
}

#[component]
fn SettingsForm(view: BillingSettingsView) -> impl IntoView {
    let console = Console::get();
    let draft = RwSignal::new(view.form);
    let has_logo = RwSignal::new(view.has_logo);
    let errors: Errors = RwSignal::new(Vec::new());
    let saved = RwSignal::new(false);
    let logo_note = RwSignal::new(None::<Result<String, headend_ipc::ErrorDto>>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        let form = draft.get();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, BillingSettingsView>(command::SAVE_BILLING_SETTINGS, FormArgs { form }).await {
                Ok(v) => {
                    draft.set(v.form);
                    saved.set(true);
                    console.changed();
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let set_logo = move |logo: Option<Vec<u8>>| {
        let removing = logo.is_none();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ()>(command::SET_COMPANY_LOGO, LogoArgs { logo }).await {
                Ok(()) => {
                    has_logo.set(!removing);
                    logo_note.set(Some(Ok(if removing {
                        "Logo removed."
                    } else {
                        "Logo saved: it prints on every document."
                    }
                    .to_owned())));
                }
                Err(e) => logo_note.set(Some(Err(e))),
            }
        });
    };
    // The picked file's bytes, read in the web view (no file-system access
    // from it: the bytes go to the app, which checks them).
    let pick_logo = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buf) => set_logo(Some(js_sys::Uint8Array::new(&buf).to_vec())),
                Err(_) => logo_note.set(Some(Err(headend_ipc::ErrorDto::field("logo", "The file could not be read.")))),
            }
        });
    };
    let t = move |field, label, help, get, set| text_field(draft, errors, field, label, help, get, set);
    let select = move |field: &'static str,
                       get: fn(&BillingSettingsForm) -> &String,
                       set: fn(&mut BillingSettingsForm, String)| {
        (
            move || draft.with(|d| get(d).clone()),
            move |ev: leptos::ev::Event| {
                draft.update(|d| set(d, event_target_value(&ev)));
                clear_error(errors, field);
            },
        )
    };
    let (timing, set_timing) = select("timing", |d| &d.timing, |d, v| d.timing = v);
    let (paper, set_paper) = select("paper", |d| &d.paper, |d, v| d.paper = v);
    let area = move |field: &'static str,
                     label: &'static str,
                     get: fn(&BillingSettingsForm) -> &String,
                     set: fn(&mut BillingSettingsForm, String)| {
        view! {
            <label class="field"><span class="field-label">{label}</span>
                <textarea id=format!("bs-{field}") rows="3" prop:value=move || draft.with(|d| get(d).clone())
                    on:input=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); clear_error(errors, field); }></textarea>
                <FieldError errors=errors field=field /></label>
        }
    };
    view! {
        <form class="card form wide-form" id="billing-settings-form" novalidate=true on:submit=save>
            <h2>"Company"</h2>
            <div class="grid-3">
                {t("company", "Company name", "", |d| &d.company, |d, v| d.company = v)}
                {t("tax-id", "Tax ID", "", |d| &d.tax_id, |d, v| d.tax_id = v)}
                <div class="field"><span class="field-label">"Logo"</span>
                    <input id="bs-logo" type="file" accept="image/png,image/jpeg" on:change=pick_logo />
                    <span class="field-help">{move || if has_logo.get() { "A logo is set. PNG or JPEG, up to 1 MiB." } else { "None yet. PNG or JPEG, up to 1 MiB." }}</span>
                    <Show when=move || has_logo.get()>
                        <button type="button" class="link danger-text" id="bs-logo-remove" on:click=move |_| set_logo(None)>"Remove the logo"</button>
                    </Show>
                    {move || logo_note.get().map(|n| match n {
                        Ok(text) => view! { <span class="saved">{text}</span> }.into_any(),
                        Err(e) => view! { <span class="field-error" id="error-logo">{e.message}</span> }.into_any(),
                    })}
                </div>
            </div>
            <div class="grid-2">
                {area("address", "Address", |d| &d.address, |d, v| d.address = v)}
                {area("payment-instructions", "Payment instructions", |d| &d.payment_instructions, |d, v| d.payment_instructions = v)}
            </div>
            <h2>"Money and tax"</h2>
            <div class="grid-3">
                {t("currency", "Currency", "ISO code: USD, KES, NGN…", |d| &d.currency, |d, v| d.currency = v)}
                {t("tax-rate", "Tax rate (%)", "A plan may have its own.", |d| &d.tax_rate, |d, v| d.tax_rate = v)}
                {t("tax-name", "Tax name", "As documents print it: VAT, GST.", |d| &d.tax_name, |d, v| d.tax_name = v)}
            </div>
            <label class="field field-inline">
                <input id="bs-tax-inclusive" type="checkbox" prop:checked=move || draft.with(|d| d.tax_inclusive)
                    on:change=move |ev| draft.update(|d| d.tax_inclusive = event_target_checked(&ev)) />
                <span><span class="field-label">"Prices include tax"</span>
                    <span class="field-help">"Off: the tax is added on top of plan prices."</span></span>
            </label>
            <h2>"Numbering"</h2>
            <div class="grid-3">
                {t("invoice-prefix", "Invoice prefix", "", |d| &d.invoice_prefix, |d, v| d.invoice_prefix = v)}
                {t("credit-note-prefix", "Credit note prefix", "", |d| &d.credit_note_prefix, |d, v| d.credit_note_prefix = v)}
                {t("receipt-prefix", "Receipt prefix", "", |d| &d.receipt_prefix, |d, v| d.receipt_prefix = v)}
            </div>
            <h2>"Invoicing"</h2>
            <div class="grid-3">
                <label class="field"><span class="field-label">"Timing"</span>
                    <select id="bs-timing" prop:value=timing on:change=set_timing>
                        <option value="in-advance">"In advance (prepaid)"</option>
                        <option value="in-arrears">"In arrears (postpaid)"</option>
                    </select>
                    <FieldError errors=errors field="timing" /></label>
                {t("lead-days", "Lead days", "In advance: days before the period an invoice is issued.", |d| &d.lead_days, |d, v| d.lead_days = v)}
                {t("payment-terms", "Payment terms (days)", "In arrears: days given to pay.", |d| &d.payment_terms, |d, v| d.payment_terms = v)}
                {t("first-invoice", "First invoice", "activation, or day-N to prorate to day N.", |d| &d.first_invoice, |d, v| d.first_invoice = v)}
                {t("invoices-while-suspended", "Invoices while cut off", "Further invoices to a service cut off for not paying.", |d| &d.invoices_while_suspended, |d, v| d.invoices_while_suspended = v)}
                {t("promise-days", "Promise to pay (days)", "A partial payment keeps the service on this long; 0: off.", |d| &d.promise_days, |d, v| d.promise_days = v)}
                <label class="field"><span class="field-label">"Paper"</span>
                    <select id="bs-paper" prop:value=paper on:change=set_paper>
                        <option value="a4">"A4"</option>
                        <option value="letter">"Letter"</option>
                    </select>
                    <FieldError errors=errors field="paper" /></label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="bs-save">"Save settings"</button>
                <Show when=move || saved.get()><span class="saved" id="bs-saved">"Saved."</span></Show>
            </div>
        </form>
    }
}

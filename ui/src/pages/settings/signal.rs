//! Settings → ONU signal: how often every OLT's ONUs are read, the Rx
//! levels that raise a warning or a critical alert, and how long the
//! readings and the OLT command log are kept (`headend olt settings`).
//! Errors sit next to their field ("sweep_minutes", "thresholds",
//! "raw_days", "history_days", "log_days").

use headend_ipc::olt::{SignalSettingsDto, SignalSettingsForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct FormArgs {
    form: SignalSettingsForm,
}

fn form_of(s: &SignalSettingsDto) -> SignalSettingsForm {
    SignalSettingsForm {
        sweep_minutes: s.sweep_minutes.to_string(),
        warning_dbm: s.warning_dbm.to_string(),
        critical_dbm: s.critical_dbm.to_string(),
        overload_dbm: s.overload_dbm.to_string(),
        raw_days: s.raw_days.to_string(),
        history_days: s.history_days.to_string(),
        log_days: s.log_days.to_string(),
    }
}

#[component]
pub fn SignalSettings(initial: SignalSettingsDto) -> impl IntoView {
    let bounds = initial.clone();
    let draft = RwSignal::new(form_of(&initial));
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        saving.set(true);
        let form = draft.get_untracked();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, SignalSettingsDto>(command::SAVE_SIGNAL_SETTINGS, FormArgs { form }).await {
                Ok(s) => {
                    draft.set(form_of(&s));
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    let field = move |id: &'static str,
                      error: &'static str,
                      get: fn(&SignalSettingsForm) -> &String,
                      set: fn(&mut SignalSettingsForm, String)| {
        view! {
            <input id=id type="text" inputmode="decimal" class:invalid=has_error(errors, error)
                prop:value=move || draft.with(|d| get(d).clone())
                on:input=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); saved.set(false); clear_error(errors, error); } />
        }
    };
    view! {
        <form class="card form" id="signal-settings" novalidate=true on:submit=save>
            <h2>"ONU signal"</h2>
            <p class="muted small">"Every OLT's ONUs are read on this schedule; a level outside the bands raises an alert in the tray, on the OLT's page and on the map."</p>
            <div class="grid-2">
                <label class="field"><span class="field-label">"Read every"</span>
                    <span class="field-input">{field("signal-sweep-minutes", "sweep_minutes", |d| &d.sweep_minutes, |d, v| d.sweep_minutes = v)}<span class="unit">"minutes"</span></span>
                    <span class="field-help">{format!("{} to {} minutes.", bounds.min_minutes, bounds.max_minutes)}</span>
                    <FieldError errors=errors field="sweep_minutes" /></label>
                <div class="field"><span class="field-label">"Alert bands (ONU Rx)"</span>
                    <div class="threshold-row">
                        <label>"Warning below"<span class="field-input">{field("signal-warning", "thresholds", |d| &d.warning_dbm, |d, v| d.warning_dbm = v)}<span class="unit">"dBm"</span></span></label>
                        <label>"Critical below"<span class="field-input">{field("signal-critical", "thresholds", |d| &d.critical_dbm, |d, v| d.critical_dbm = v)}<span class="unit">"dBm"</span></span></label>
                        <label>"Critical above"<span class="field-input">{field("signal-overload", "thresholds", |d| &d.overload_dbm, |d, v| d.overload_dbm = v)}<span class="unit">"dBm"</span></span></label>
                    </div>
                    <FieldError errors=errors field="thresholds" /></div>
                <label class="field"><span class="field-label">"Keep every reading"</span>
                    <span class="field-input">{field("signal-raw-days", "raw_days", |d| &d.raw_days, |d, v| d.raw_days = v)}<span class="unit">"days"</span></span>
                    <span class="field-help">{format!("{} to {} days; older readings are kept as each hour's lowest, mean and highest.", bounds.min_days, bounds.max_raw_days)}</span>
                    <FieldError errors=errors field="raw_days" /></label>
                <label class="field"><span class="field-label">"Keep signal history"</span>
                    <span class="field-input">{field("signal-history-days", "history_days", |d| &d.history_days, |d, v| d.history_days = v)}<span class="unit">"days"</span></span>
                    <FieldError errors=errors field="history_days" /></label>
                <label class="field"><span class="field-label">"Keep the OLT command log"</span>
                    <span class="field-input">{field("signal-log-days", "log_days", |d| &d.log_days, |d, v| d.log_days = v)}<span class="unit">"days"</span></span>
                    <span class="field-help">{format!("{} to {} days each.", bounds.min_days, bounds.max_days)}</span>
                    <FieldError errors=errors field="log_days" /></label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="signal-save" prop:disabled=move || saving.get()>"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="signal-saved">"Saved."</span></Show>
            </div>
        </form>
    }
}

//! Settings → Session history: how long every session is kept in detail,
//! and how long its day's totals after that. Errors sit next to their
//! field ("detail_days", "keep_days").

use headend_ipc::sessions::{RetentionDto, RetentionForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct FormArgs {
    form: RetentionForm,
}

#[component]
pub fn SessionHistory(initial: RetentionDto) -> impl IntoView {
    let (min_days, max_days) = (initial.min_days, initial.max_days);
    let detail = RwSignal::new(initial.detail_days.to_string());
    let keep = RwSignal::new(initial.keep_days.to_string());
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        saving.set(true);
        let form = RetentionForm { detail_days: detail.get_untracked(), keep_days: keep.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, RetentionDto>(command::SET_SESSION_RETENTION, FormArgs { form }).await {
                Ok(r) => {
                    detail.set(r.detail_days.to_string());
                    keep.set(r.keep_days.to_string());
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    let days_field = move |field: &'static str, value: RwSignal<String>| {
        (
            move || value.get(),
            move |ev: leptos::ev::Event| {
                value.set(event_target_value(&ev));
                saved.set(false);
                clear_error(errors, field);
            },
        )
    };
    let (detail_value, set_detail) = days_field("detail_days", detail);
    let (keep_value, set_keep) = days_field("keep_days", keep);

    view! {
        <form class="card form" id="session-history" novalidate=true on:submit=save>
            <h2>"Session history"</h2>
            <p class="muted small">
                "Every PPPoE session, from the routers' active sessions or FreeRADIUS's accounting, with its times, address and bytes. Older sessions are summed into one row per service and day, which still feeds the usage chart; older still, they are removed. Applied every hour."
            </p>
            <div class="grid-2">
                <label class="field">
                    <span class="field-label">"Keep full detail"</span>
                    <span class="field-input">
                        <input id="retention-detail-days" type="number" min=min_days max=max_days
                            class:invalid=has_error(errors, "detail_days") prop:value=detail_value on:input=set_detail />
                        <span class="unit">"days"</span>
                    </span>
                    <span class="field-help">"Each session: when, why it ended, address, caller MAC, bytes."</span>
                    <FieldError errors=errors field="detail_days" />
                </label>
                <label class="field">
                    <span class="field-label">"Keep daily totals"</span>
                    <span class="field-input">
                        <input id="retention-keep-days" type="number" min=min_days max=max_days
                            class:invalid=has_error(errors, "keep_days") prop:value=keep_value on:input=set_keep />
                        <span class="unit">"days"</span>
                    </span>
                    <span class="field-help">{format!("Bytes per service and day; at least the days of detail, at most {max_days}.")}</span>
                    <FieldError errors=errors field="keep_days" />
                </label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="retention-save" prop:disabled=move || saving.get()>"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="retention-saved">"Saved."</span></Show>
            </div>
        </form>
    }
}

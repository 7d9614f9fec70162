//! Exports of the books (invoices, payments, customers with their
//! balance) as XLSX or CSV, saved where the operator says.

use headend_ipc::ErrorDto;
use headend_ipc::billing::{ExportForm, SavedFile, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{ErrorBox, Errors, FieldError};
use crate::ipc;

#[derive(Serialize)]
struct FormArgs {
    form: ExportForm,
}

#[component]
pub fn Exports() -> impl IntoView {
    let form = RwSignal::new(ExportForm { kind: "invoices".into(), format: "xlsx".into(), ..ExportForm::default() });
    let errors: Errors = RwSignal::new(Vec::new());
    let done = RwSignal::new(None::<Result<SavedFile, ErrorDto>>);
    let export = move |_| {
        errors.set(Vec::new());
        done.set(None);
        let form = form.get();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, Option<SavedFile>>(command::EXPORT_BILLING, FormArgs { form }).await {
                Ok(Some(saved)) => done.set(Some(Ok(saved))),
                Ok(None) => {}
                Err(e) if e.field.is_some() => errors.set(vec![e]),
                Err(e) => done.set(Some(Err(e))),
            }
        });
    };
    let set = move |f: fn(&mut ExportForm, String)| {
        move |ev: leptos::ev::Event| form.update(|d| f(d, event_target_value(&ev)))
    };
    view! {
        <section class="card form">
            <h2>"Export"</h2>
            <p class="muted">"For the accountant or a spreadsheet: the app asks where to save the file."</p>
            <div class="grid-2">
                <label class="field"><span class="field-label">"What"</span>
                    <select id="export-kind" on:change=set(|d, v| d.kind = v)>
                        <option value="invoices">"Invoices and credit notes (issued)"</option>
                        <option value="payments">"Payments (received)"</option>
                        <option value="customers">"Customers with their balance"</option>
                    </select></label>
                <label class="field"><span class="field-label">"Format"</span>
                    <select id="export-format" on:change=set(|d, v| d.format = v)>
                        <option value="xlsx">"Excel (XLSX)"</option>
                        <option value="csv">"CSV"</option>
                    </select></label>
                <label class="field"><span class="field-label">"From"</span>
                    <input id="export-from" type="date" on:change=set(|d, v| d.from = v) />
                    <FieldError errors=errors field="from" /></label>
                <label class="field"><span class="field-label">"To"</span>
                    <input id="export-to" type="date" on:change=set(|d, v| d.to = v) />
                    <span class="field-help">"Empty dates: everything."</span>
                    <FieldError errors=errors field="to" /></label>
            </div>
            {move || done.get().map(|d| match d {
                Ok(saved) => view! { <div class="ok-box" id="export-done">{format!("Saved {} ({} rows).", saved.path, saved.documents)}</div> }.into_any(),
                Err(e) => view! { <ErrorBox error=e /> }.into_any(),
            })}
            <div class="form-actions">
                <button class="primary" id="export-save" on:click=export>"Export…"</button>
            </div>
        </section>
    }
}

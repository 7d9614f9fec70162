//! Importing services from a CSV file on the Customers page: pick the file,
//! see every row and every problem by line (a check that writes nothing),
//! then import them all at once. The routers of the new services are then
//! swept, with the top bar's progress bar.

use headend_ipc::import::{ImportReport, ImportRequest};
use headend_ipc::{ErrorDto, command};
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::components::ErrorBox;
use crate::ipc;

#[derive(Serialize)]
struct Args {
    request: ImportRequest,
}

/// Where the import is.
#[derive(Clone, PartialEq)]
enum Stage {
    Choose,
    Reading,
    Checked(ImportReport),
    Importing(ImportReport),
    Done(ImportReport),
    Failed(ErrorDto),
}

/// The text of the file chosen in `input`.
async fn read_file(input: &web_sys::HtmlInputElement) -> Result<String, ErrorDto> {
    let failed = |what: &str| ErrorDto::new(headend_ipc::ErrorCode::InvalidInput, what.to_owned());
    let file = input.files().and_then(|files| files.get(0)).ok_or_else(|| failed("Choose a CSV file first."))?;
    let text = JsFuture::from(file.text()).await.map_err(|_| failed("The file could not be read."))?;
    text.as_string().ok_or_else(|| failed("The file is not text."))
}

#[component]
pub fn ImportPanel(#[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let stage = RwSignal::new(Stage::Choose);
    let csv = StoredValue::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();

    let check = move |_| {
        let Some(element) = input.get() else { return };
        stage.set(Stage::Reading);
        leptos::task::spawn_local(async move {
            let result = match read_file(element.unchecked_ref()).await {
                Ok(text) => {
                    csv.set_value(text.clone());
                    ipc::invoke::<_, ImportReport>(
                        command::IMPORT_SERVICES,
                        Args { request: ImportRequest { csv: text, dry_run: true } },
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            stage.set(match result {
                Ok(report) => Stage::Checked(report),
                Err(e) => Stage::Failed(e),
            });
        });
    };
    let import = move |_| {
        let Stage::Checked(report) = stage.get_untracked() else { return };
        stage.set(Stage::Importing(report));
        leptos::task::spawn_local(async move {
            let request = ImportRequest { csv: csv.get_value(), dry_run: false };
            stage.set(match ipc::invoke::<_, ImportReport>(command::IMPORT_SERVICES, Args { request }).await {
                Ok(report) => Stage::Done(report),
                Err(e) => Stage::Failed(e),
            });
        });
    };

    view! {
        <section class="card import-panel" id="import-panel">
            <div class="card-head">
                <h2>"Import services from a CSV file"</h2>
                <button class="secondary" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            <p class="muted">
                "Columns, in any order: customer, phone, router, plan, type (pppoe or static), username, password, ip, status, next_billing_date (YYYY-MM-DD), and for the map address, latitude, longitude. "
                "Routers and plans must exist. Nothing is imported unless every line is good."
            </p>
            <div class="import-pick">
                <input type="file" id="import-file" accept=".csv,text/csv" node_ref=input
                    on:change=move |_| stage.set(Stage::Choose) />
                <button class="secondary" id="import-check" on:click=check
                    disabled=move || matches!(stage.get(), Stage::Reading | Stage::Importing(_))>"Check the file"</button>
            </div>
            {move || match stage.get() {
                Stage::Choose => None,
                Stage::Reading => Some(view! { <Progress text="Reading and checking the file…".to_owned() /> }.into_any()),
                Stage::Failed(e) => Some(view! { <ErrorBox error=e /> }.into_any()),
                Stage::Checked(report) => {
                    let count = report.rows.len();
                    let good = report.errors.is_empty() && count > 0;
                    Some(view! {
                        <Report report=report />
                        <div class="import-actions">
                            <button class="primary" id="import-run" disabled=!good on:click=import>
                                {format!("Import {count} service{}", if count == 1 { "" } else { "s" })}
                            </button>
                        </div>
                    }.into_any())
                }
                Stage::Importing(report) => Some(view! {
                    <Progress text=format!("Importing {} services…", report.rows.len()) />
                }.into_any()),
                Stage::Done(report) => Some(view! {
                    <div class="ok-box" id="import-done" role="status">
                        {format!(
                            "Imported {} service(s). {} router(s) are being swept now: watch the progress bar above.",
                            report.rows.len(),
                            report.routers
                        )}
                    </div>
                    <Report report=report />
                }.into_any()),
            }}
        </section>
    }
}

#[component]
fn Progress(text: String) -> impl IntoView {
    view! {
        <div class="import-progress" aria-busy="true">
            <div class="progress-bar indeterminate"><div></div></div>
            <span class="muted">{text}</span>
        </div>
    }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let errors = report.errors;
    let rows = report.rows;
    let summary = if errors.is_empty() {
        format!("{} line(s) ready, {} new customer(s).", rows.len(), rows.iter().filter(|r| r.new_customer).count())
    } else {
        format!("{} problem(s): fix them in the file and check it again.", errors.len())
    };
    view! {
        <p class="import-summary" id="import-summary">{summary}</p>
        {(!errors.is_empty()).then(|| view! {
            <ul class="import-errors" id="import-errors">
                {errors.into_iter().map(|e| view! { <li><b>{format!("Line {}", e.line)}</b>": "{e.reason}</li> }).collect_view()}
            </ul>
        })}
        {(!rows.is_empty()).then(|| view! {
            <div class="import-rows">
                <table class="table">
                    <thead><tr><th>"Line"</th><th>"Customer"</th><th>"Access"</th><th>"Router"</th><th>"Plan"</th><th>"Status"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr>
                                <td class="mono">{r.line}</td>
                                <td>{r.customer}{r.new_customer.then(|| view! { <span class="muted">" (new)"</span> })}</td>
                                <td><span class="mono">{r.login}</span>" "<span class="muted">{r.kind}</span></td>
                                <td>{r.router}</td>
                                <td>{r.plan}</td>
                                <td>{r.status}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}

//! Documents saved where the operator says: an invoice's or receipt's PDF
//! and the exports. Each command takes an optional `path`; without one it
//! asks with the OS save dialog (tauri-plugin-dialog, from Rust, so the
//! web view needs no file-system or dialog permission), then calls the
//! workflow that writes the file. "Print" opens the PDF in the system's
//! viewer, whose print dialog prints exactly what Save PDF would save.

use std::path::PathBuf;

use headend_ipc::billing::{ExportForm, SavedFile};
use headend_workflows::billing::{ExportFormat, ExportKind, SavedDocuments};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use super::{date_arg, file_error};
use crate::commands::{Answer, workflow_error};
use crate::state::AppState;

/// The path the operator picks in the save dialog (`None`: cancelled).
async fn ask_path(app: &AppHandle, name: &str, filter: (&str, &[&str])) -> Answer<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_file_name(name).add_filter(filter.0, filter.1).save_file(move |picked| {
        let _ = tx.send(picked);
    });
    match rx.await.map_err(|_| file_error("the save dialog closed without an answer"))? {
        None => Ok(None),
        Some(picked) => picked.into_path().map(Some).map_err(file_error),
    }
}

async fn target(app: &AppHandle, path: Option<String>, name: &str, filter: (&str, &[&str])) -> Answer<Option<PathBuf>> {
    match path.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()) {
        Some(p) => Ok(Some(PathBuf::from(p))),
        None => ask_path(app, name, filter).await,
    }
}

fn saved(docs: SavedDocuments) -> SavedFile {
    SavedFile {
        path: docs.files.first().map(|p| p.display().to_string()).unwrap_or_default(),
        documents: docs.documents as u64,
    }
}

const PDF: (&str, &[&str]) = ("PDF", &["pdf"]);

/// Writes an invoice's or credit note's PDF to `path`, or where the save
/// dialog says.
#[tauri::command]
pub async fn save_invoice_pdf(
    app: AppHandle,
    state: State<'_, AppState>,
    number: String,
    path: Option<String>,
) -> Answer<Option<SavedFile>> {
    let Some(out) = target(&app, path, &format!("{}.pdf", number.trim()), PDF).await? else { return Ok(None) };
    let docs = state.workflows.save_invoice_pdf(&number, &out).await.map_err(workflow_error)?;
    Ok(Some(saved(docs)))
}

/// Writes a payment's receipt to `path`, or where the save dialog says.
#[tauri::command]
pub async fn save_receipt_pdf(
    app: AppHandle,
    state: State<'_, AppState>,
    receipt: String,
    path: Option<String>,
) -> Answer<Option<SavedFile>> {
    let Some(out) = target(&app, path, &format!("{}.pdf", receipt.trim()), PDF).await? else { return Ok(None) };
    let docs = state.workflows.save_receipt_pdf(&receipt, &out).await.map_err(workflow_error)?;
    Ok(Some(saved(docs)))
}

/// Opens the invoice's PDF in the system's viewer, to print. WebKitGTK's
/// `window.print()` would print the console page, not the document.
#[tauri::command]
pub async fn print_invoice(app: AppHandle, state: State<'_, AppState>, number: String) -> Answer<()> {
    let bytes = state.workflows.invoice_pdf(&number).await.map_err(workflow_error)?;
    // The printer's copy: a temporary file in the data directory's own
    // folder, replaced by the next print of the same invoice.
    let dir = state.data_dir.root().join("print");
    std::fs::create_dir_all(&dir).map_err(file_error)?;
    let name: String =
        number.trim().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, bytes).map_err(file_error)?;
    app.opener().open_path(file.display().to_string(), None::<&str>).map_err(file_error)
}

/// Writes an export of invoices, payments or customers (XLSX or CSV) to
/// `path`, or where the save dialog says.
#[tauri::command]
pub async fn export_billing(app: AppHandle, state: State<'_, AppState>, form: ExportForm) -> Answer<Option<SavedFile>> {
    let kind = match form.kind.as_str() {
        "invoices" => ExportKind::Invoices,
        "payments" => ExportKind::Payments,
        "customers" => ExportKind::Customers,
        other => return Err(headend_ipc::ErrorDto::field("kind", format!("Unknown export {other:?}."))),
    };
    let (format, ext) = match form.format.as_str() {
        "xlsx" => (ExportFormat::Xlsx, "xlsx"),
        "csv" => (ExportFormat::Csv, "csv"),
        other => return Err(headend_ipc::ErrorDto::field("format", format!("Unknown format {other:?}."))),
    };
    let range = (date_arg("from", &form.from)?, date_arg("to", &form.to)?);
    let name = format!("{}.{ext}", form.kind);
    let filter: (&str, &[&str]) = match format {
        ExportFormat::Xlsx => ("Spreadsheet", &["xlsx"]),
        ExportFormat::Csv => ("CSV", &["csv"]),
    };
    let Some(out) = target(&app, form.path, &name, filter).await? else { return Ok(None) };
    let docs = state.workflows.export(kind, format, range, &out).await.map_err(workflow_error)?;
    Ok(Some(saved(docs)))
}

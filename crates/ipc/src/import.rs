//! Importing services from a CSV file in the console (the same format and
//! checks as `headend import services`).

use serde::{Deserialize, Serialize};

/// The file's text, and whether only to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub csv: String,
    pub dry_run: bool,
}

/// What the file holds (or what was imported), and every problem by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    pub rows: Vec<ImportRowDto>,
    pub errors: Vec<ImportErrorDto>,
    /// True once written (never for a dry run or a file with errors).
    pub imported: bool,
    /// How many routers will be swept for the new services.
    pub routers: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowDto {
    pub line: u64,
    /// Set once imported.
    pub service_id: Option<i64>,
    pub customer: String,
    pub new_customer: bool,
    pub kind: String,
    pub login: String,
    pub router: String,
    pub plan: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportErrorDto {
    pub line: u64,
    pub reason: String,
}

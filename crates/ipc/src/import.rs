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

/// Adopting a router's own PPP secrets (`headend import router-secrets`):
/// which plan each of its profiles means, and whether only to preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptRequest {
    pub router_id: i64,
    /// `(profile, plan name)`: on top of the plans' own profiles.
    pub plan_map: Vec<(String, String)>,
    pub dry_run: bool,
}

/// What the router's secrets come to, or what was adopted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AdoptPreview {
    pub services: Vec<AdoptedDto>,
    /// `(secret, why)`: left alone.
    pub skipped: Vec<(String, String)>,
    /// `(secret, why)`: nothing is adopted while any is left.
    pub errors: Vec<(String, String)>,
    /// The router's profiles no plan means yet: the map must name them.
    pub unmapped_profiles: Vec<String>,
    /// The plans' names, for the map's choices.
    pub plans: Vec<String>,
    /// How many services were made (0 for a preview).
    pub adopted: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptedDto {
    pub username: String,
    pub customer: String,
    pub plan: String,
    pub status: String,
    /// The fixed address it keeps, or empty.
    pub address: String,
}

//! One change to many services (the Customers list's selection):
//! suspend, activate, another plan or another router, previewed first. The
//! CLI's `headend service bulk`.

use serde::{Deserialize, Serialize};

/// Command names of bulk actions.
pub mod command {
    /// Takes [`super::BulkRequest`] (`request`); answers
    /// [`super::BulkReport`]. Error field: "services".
    pub const BULK_CHANGE: &str = "bulk_change";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRequest {
    pub service_ids: Vec<i64>,
    /// "suspend", "activate", "plan" or "router".
    pub action: String,
    /// The plan or router for "plan" and "router".
    pub target_id: Option<i64>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkLineDto {
    pub service_id: i64,
    /// `user (customer)` or `address (customer)`.
    pub label: String,
    /// "changes", "unchanged" or "refused".
    pub outcome: String,
    /// What changes, or why not.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BulkReport {
    pub lines: Vec<BulkLineDto>,
    /// Services changed (0 for a preview).
    pub applied: u32,
}

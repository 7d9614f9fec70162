//! The ISP's provisioning rules (Settings → Payments and cut-off): the
//! time zone that decides when a day ends, grace days, what suspension
//! does on the routers, static-IP queues, and attempts before a failing
//! write waits for the operator. The CLI's `policy show | set`.
//!
//! A router may have its own suspension mode (its page, or `headend policy
//! router NAME MODE`). Error fields are the workflow's: "time_zone",
//! "grace_days", "suspension", "max_attempts".

use serde::{Deserialize, Serialize};

/// Command names of the policy.
pub mod command {
    /// Answers [`super::PolicyDto`].
    pub const GET_POLICY: &str = "get_policy";
    /// Takes [`super::PolicyForm`]; answers [`super::PolicyDto`].
    pub const SAVE_POLICY: &str = "save_policy";
    /// Args `{ id }` (a router); answers [`super::RouterSuspensionDto`].
    pub const GET_ROUTER_SUSPENSION: &str = "get_router_suspension";
    /// Takes [`super::RouterSuspensionForm`]; answers
    /// [`super::RouterSuspensionDto`].
    pub const SET_ROUTER_SUSPENSION: &str = "set_router_suspension";
}

/// The rules in force, and what the form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDto {
    /// An IANA name, such as "Africa/Nairobi".
    pub time_zone: String,
    pub grace_days: u16,
    /// "disable", "remove" or "address-list".
    pub suspension: String,
    pub static_queues: bool,
    pub max_attempts: u32,
    /// Every IANA time zone this computer knows, for the picker.
    pub time_zones: Vec<String>,
    /// The bounds of grace days and attempts, for the fields.
    pub max_grace_days: u16,
    pub min_attempts: u32,
    pub max_attempts_allowed: u32,
}

/// The form, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PolicyForm {
    pub time_zone: String,
    pub grace_days: String,
    pub suspension: String,
    pub static_queues: bool,
    pub max_attempts: String,
}

/// What a suspension does on one router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterSuspensionDto {
    pub id: i64,
    /// The router's own mode, or empty for the ISP's.
    pub mode: String,
    /// The ISP's mode, which an empty `mode` follows.
    pub isp_mode: String,
}

/// A router's suspension mode to keep: "disable", "remove",
/// "address-list", or empty for the ISP's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RouterSuspensionForm {
    pub id: i64,
    pub mode: String,
}

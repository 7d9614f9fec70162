//! The ISP's provisioning rules (Settings → Payments and cut-off): the
//! time zone that decides when a day ends, grace days, what suspension
//! does on the routers, static-IP queues, and attempts before a failing
//! write waits for the operator. The CLI's `policy show | set`.
//!
//! Error fields are the workflow's: "time_zone", "grace_days",
//! "suspension", "max_attempts".

use serde::{Deserialize, Serialize};

/// Command names of the policy.
pub mod command {
    /// Answers [`super::PolicyDto`].
    pub const GET_POLICY: &str = "get_policy";
    /// Takes [`super::PolicyForm`]; answers [`super::PolicyDto`].
    pub const SAVE_POLICY: &str = "save_policy";
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

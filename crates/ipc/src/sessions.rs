//! Session history's shapes (issue 14): a service's sessions and its daily
//! usage for the service page, and the history's retention for Settings.
//!
//! Sources are "radius" (FreeRADIUS's accounting), "api" (the router's
//! `/ppp/active`, as the console watched it) and "daily" (one local day of
//! sessions past the detail kept, summed). Error fields are
//! "detail_days" and "keep_days".

use serde::{Deserialize, Serialize};

/// Command names of the session history.
pub mod command {
    /// Args `{ id, limit }` (a service, at most `limit` rows); answers
    /// `Vec<`[`super::SessionDto`]`>`, newest first.
    pub const SERVICE_SESSIONS: &str = "service_sessions";
    /// Args `{ id, days }` (a service, the days up to today); answers
    /// `Vec<`[`super::DailyUsageDto`]`>`, oldest first, every day present.
    pub const SERVICE_USAGE: &str = "service_usage";
    /// Answers [`super::RetentionDto`].
    pub const GET_SESSION_RETENTION: &str = "get_session_retention";
    /// Takes [`super::RetentionForm`]; answers [`super::RetentionDto`].
    pub const SET_SESSION_RETENTION: &str = "set_session_retention";
}

/// One row of a service's session history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDto {
    /// "radius", "api" or "daily".
    pub source: String,
    /// RFC 3339; for a daily row, the start of its local day.
    pub started_at: String,
    /// RFC 3339; empty while the session is online.
    pub stopped_at: String,
    /// Up to now while online; `None` for a daily row.
    pub duration_secs: Option<u64>,
    /// Why it ended (RADIUS's Acct-Terminate-Cause); empty when unknown.
    pub cause: String,
    pub address: String,
    /// The caller's MAC address.
    pub caller: String,
    /// What the subscriber received.
    pub download_bytes: u64,
    /// What the subscriber sent.
    pub upload_bytes: u64,
    /// 1, or the sessions a daily row sums.
    pub sessions: u32,
}

/// One local day (in the ISP's time zone) of a service's usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyUsageDto {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub download_bytes: u64,
    pub upload_bytes: u64,
}

/// How long session history is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionDto {
    /// Every session, for this many days.
    pub detail_days: u16,
    /// Then one row per service and day, until this many days.
    pub keep_days: u16,
    /// The bounds either may take.
    pub min_days: u16,
    pub max_days: u16,
}

/// Settings → Session history, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RetentionForm {
    pub detail_days: String,
    pub keep_days: String,
}

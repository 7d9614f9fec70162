//! The shapes that cross the Tauri IPC boundary: command names, their
//! arguments and answers, and the events the app pushes to the UI.
//!
//! Architecture invariant: this crate is compiled both into the native app
//! and into the wasm UI, so it depends on serde alone and holds no logic.
//! Values are plain strings and numbers already formatted for display where
//! the UI has no business parsing them (dates, rates, money).

use serde::{Deserialize, Serialize};

/// Command names, shared so a typo is a compile error on both sides.
pub mod command {
    pub const APP_INFO: &str = "app_info";
    pub const DASHBOARD: &str = "dashboard";
    pub const GET_SETTINGS: &str = "get_settings";
    pub const SAVE_SETTINGS: &str = "save_settings";
    pub const LIST_ROUTERS: &str = "list_routers";
    pub const LIST_PLANS: &str = "list_plans";
    pub const LIST_SERVICES: &str = "list_services";
    pub const GET_SERVICE: &str = "get_service";
    pub const LIST_ACTIVITY: &str = "list_activity";
    pub const LIST_FAILURES: &str = "list_failures";
    pub const DISMISS_FAILURES: &str = "dismiss_failures";
    pub const E2E_RAISE_PROVISION_FAILED: &str = "e2e_raise_provision_failed";
    pub const SAVE_ROUTER: &str = "save_router";
    pub const REMOVE_ROUTER: &str = "remove_router";
    pub const TEST_ROUTER: &str = "test_router";
    pub const LIST_SESSIONS: &str = "list_sessions";
    pub const KICK_SESSION: &str = "kick_session";
    pub const ROUTER_INTERFACES: &str = "router_interfaces";
    pub const START_DEMO: &str = "start_demo";
    pub const STOP_DEMO: &str = "stop_demo";
    /// The UI has painted its first frame.
    pub const UI_READY: &str = "ui_ready";
}

/// Event names the app emits to the UI.
pub mod event {
    /// Payload: [`FailuresChanged`].
    pub const FAILURES_CHANGED: &str = "failures-changed";
    /// Payload: [`SweepState`].
    pub const SWEEP_STATE: &str = "sweep-state";
    /// Payload: [`SessionsChanged`] as a JSON string, once a second, empty
    /// when nothing changed.
    pub const SESSIONS_CHANGED: &str = "sessions-changed";
    /// No payload: a router went up or down or its health changed; reload the list.
    pub const ROUTERS_CHANGED: &str = "routers-changed";
    /// Payload: [`Navigate`]: the tray or a notification asks the UI to show a page.
    pub const NAVIGATE: &str = "navigate";
}

/// An error a command returns: `code` is stable for the UI to branch on,
/// `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDto {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Database,
    Settings,
    Forbidden,
    /// The router refused, failed or could not be reached.
    Router,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
    pub log_dir: String,
    pub settings_path: String,
    pub schema_version: i64,
    /// Where passwords are kept, in words, e.g. "Secret Service (GNOME Keyring…)".
    pub secret_backend: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsDto {
    pub sweep_interval_secs: u64,
    pub notifications: bool,
    pub theme: ThemeChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsLimits {
    pub sweep_min_secs: u64,
    pub sweep_max_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub settings: SettingsDto,
    pub limits: SettingsLimits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Dashboard {
    pub routers: i64,
    pub customers: i64,
    pub plans: i64,
    pub services: i64,
    pub active_services: i64,
    pub suspended_services: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouterRow {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: u16,
    /// "api", "api-tls" or "rest".
    pub transport: String,
    pub username: String,
    pub location: Option<(f64, f64)>,
    /// A simulated router of the demo network, not in the database.
    pub demo: bool,
    pub status: RouterStatusDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RouterStatusDto {
    /// Not watched (should not happen for stored routers).
    Unknown,
    Connecting,
    Up(RouterHealthDto),
    Down { error: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterHealthDto {
    pub identity: String,
    pub version: String,
    pub board: String,
    pub uptime_secs: Option<u64>,
    pub cpu_load: Option<u8>,
    pub free_memory: Option<u64>,
    pub total_memory: Option<u64>,
    pub ppp_secrets: u64,
    pub active_sessions: u64,
}

/// The router form: a new router when `id` is `None`. An empty password
/// keeps the stored one when editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterForm {
    pub id: Option<i64>,
    pub name: String,
    pub host: String,
    /// Empty for the transport's default.
    pub port: String,
    pub transport: String,
    pub username: String,
    pub password: String,
    /// "LAT,LON" or empty.
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceRow {
    pub name: String,
    /// RouterOS's `type`: ether, vlan, pppoe-in, bridge...
    pub kind: String,
    pub running: bool,
    pub disabled: bool,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    pub router_id: i64,
    pub router_name: String,
    /// The router's id of the session, for kicking it.
    pub id: String,
    pub user: String,
    pub address: String,
    pub caller_id: String,
    /// Seconds since the Unix epoch when the session came up.
    pub since: i64,
    /// Bits per second, download (to the subscriber) and upload.
    pub rate_down: u64,
    pub rate_up: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsChanged {
    pub upserted: Vec<SessionRow>,
    /// `(router_id, session id)` pairs.
    pub removed: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickSession {
    pub router_id: i64,
    pub session_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    /// RouterOS notation, e.g. "20M/5M" (download/upload).
    pub rate: String,
    pub price: String,
    pub cycle: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub id: i64,
    pub customer_name: String,
    /// "pppoe" or "static".
    pub kind: String,
    /// The PPPoE user name or the static address.
    pub login: String,
    pub router_name: String,
    pub plan_name: String,
    pub status: String,
    /// ISO date, or empty when there is none.
    pub next_billing_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    /// RFC 3339 instant in UTC; the UI shows it in local time.
    pub at: String,
    pub actor: String,
    pub subject: String,
    pub action: String,
    pub detail: String,
}

/// A provisioning action that gave up, waiting for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionFailure {
    pub service_id: i64,
    pub service_label: String,
    pub router_id: i64,
    pub router_name: String,
    pub error: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailuresChanged {
    pub failures: Vec<ProvisionFailure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepState {
    pub paused: bool,
}

/// Arguments of the e2e-only command that raises a `provision_failed` event
/// as the engine would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaiseProvisionFailed {
    pub service_id: i64,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum Navigate {
    Activity,
    Service { id: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shapes_are_stable() {
        let nav = serde_json::to_string(&Navigate::Service { id: 4 }).unwrap();
        assert_eq!(nav, r#"{"page":"service","id":4}"#);
        let err = serde_json::to_string(&ErrorDto { code: ErrorCode::NotFound, message: "x".into() }).unwrap();
        assert_eq!(err, r#"{"code":"not_found","message":"x"}"#);
        let theme: ThemeChoice = serde_json::from_str(r#""dark""#).unwrap();
        assert_eq!(theme, ThemeChoice::Dark);
    }
}

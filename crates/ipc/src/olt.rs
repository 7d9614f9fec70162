//! The OLTs & ONUs page's shapes: command and event names, and what the
//! OLT commands take and answer. Instants are RFC 3339 strings in UTC
//! (empty when there is none); optical levels are dBm, `None` when the OLT
//! gave no reading (shown as "—", never 0).

use serde::{Deserialize, Serialize};

/// Command names of the OLTs & ONUs page.
pub mod command {
    /// [`super::OltsView`]: every OLT with its health and ONU counts.
    pub const LIST_OLTS: &str = "list_olts";
    /// Takes [`super::OltForm`]; answers the OLT's id.
    pub const SAVE_OLT: &str = "save_olt";
    pub const REMOVE_OLT: &str = "remove_olt";
    /// Takes [`super::PinKey`]: trust the host key the OLT presents now.
    pub const PIN_OLT_KEY: &str = "pin_olt_key";
    /// One OLT's signal sweep now; answers [`super::SweepSummary`].
    pub const SWEEP_OLT: &str = "sweep_olt";
    /// An OLT's PON ports: [`super::PonPortDto`]s.
    pub const OLT_PORTS: &str = "olt_ports";
    /// The ONUs of one port: [`super::OnuRowDto`]s.
    pub const LIST_ONUS: &str = "list_onus";
    /// [`super::OnuDetail`]: an ONU, its signal history and alerts.
    pub const GET_ONU: &str = "get_onu";
    /// Reads an ONU's optical levels now: [`super::OpticalDto`].
    pub const READ_ONU_OPTICAL: &str = "read_onu_optical";
    pub const REBOOT_ONU: &str = "reboot_onu";
    pub const DEREGISTER_ONU: &str = "deregister_onu";
    /// The last autofind of one OLT or all: [`super::UnconfiguredView`].
    pub const LIST_UNCONFIGURED: &str = "list_unconfigured";
    /// Reads the autofind of one OLT or all now: [`super::UnconfiguredView`].
    pub const REFRESH_AUTOFIND: &str = "refresh_autofind";
    /// What the Authorize dialog starts from: [`super::AuthorizeDraft`].
    pub const AUTHORIZE_DRAFT: &str = "authorize_draft";
    /// Takes [`super::AuthorizeForm`]; answers [`super::AuthorizedOnu`].
    pub const AUTHORIZE_ONU: &str = "authorize_onu";
    /// A page of an OLT's command log: [`super::OltLogPage`].
    pub const OLT_LOG: &str = "olt_log";
    /// Answers [`super::SignalSettingsDto`].
    pub const GET_SIGNAL_SETTINGS: &str = "get_signal_settings";
    /// Takes [`super::SignalSettingsForm`]; answers
    /// [`super::SignalSettingsDto`]. Error fields: "sweep_minutes",
    /// "thresholds", "history_days", "log_days".
    pub const SAVE_SIGNAL_SETTINGS: &str = "save_signal_settings";
    /// Args `{ id }` (a service); answers [`super::ZeroTouchDto`].
    pub const GET_ZERO_TOUCH: &str = "get_zero_touch";
    /// Takes [`super::ZeroTouchForm`]; answers [`super::ZeroTouchDto`].
    /// Error fields: "serial", "vlan".
    pub const SET_ZERO_TOUCH: &str = "set_zero_touch";
    /// Args `{ id }` (a plan); answers [`super::PlanOltProfileDto`].
    pub const GET_PLAN_OLT_PROFILE: &str = "get_plan_olt_profile";
    /// Takes [`super::PlanOltProfileDto`]; answers it as saved. Error
    /// field: "vlan".
    pub const SET_PLAN_OLT_PROFILE: &str = "set_plan_olt_profile";
}

/// Event names of the OLT engine.
pub mod event {
    /// Payload: [`super::OltsChanged`]: a sweep, an alert, a registration
    /// or an OLT's health changed; OLT pages reload.
    pub const OLTS_CHANGED: &str = "olts-changed";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OltsChanged {
    /// The OLT concerned, `None` for several.
    pub olt_id: Option<i64>,
}

/// The ONU Rx thresholds, dBm: below `warning_below` a warning, below
/// `critical_below` or above `critical_above` critical.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdsDto {
    pub warning_below: f64,
    pub critical_below: f64,
    pub critical_above: f64,
}

/// One OLT as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OltRow {
    pub id: i64,
    pub name: String,
    /// "huawei", "zte", "zte-c600" or "vsol".
    pub vendor: String,
    /// The vendor and models in words.
    pub vendor_label: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub pop: String,
    /// `LAT,LON`, or empty when it is not on the map.
    pub location: String,
    /// "ok", "unreachable", "key_changed", "login_refused" or "never".
    pub health: String,
    /// The last failure, or why the OLT is not contacted.
    pub error: String,
    pub error_at: String,
    pub reached_at: String,
    pub swept_at: String,
    /// The SSH host key fingerprint pinned (empty before the first connection).
    pub pinned_key: String,
    /// Another key the OLT presented, refused until pinned.
    pub presented_key: String,
    pub onus: u32,
    pub online: u32,
    pub los: u32,
    pub dying_gasp: u32,
    pub offline: u32,
    pub warnings: u32,
    pub criticals: u32,
    pub los_alerts: u32,
    pub unconfigured: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OltsView {
    pub olts: Vec<OltRow>,
    pub thresholds: ThresholdsDto,
    pub sweep_minutes: u16,
}

/// The OLT form: a new OLT when `id` is `None`. An empty password keeps
/// the stored one when editing. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OltForm {
    pub id: Option<i64>,
    pub name: String,
    pub vendor: String,
    pub host: String,
    /// Empty for 22.
    pub port: String,
    pub username: String,
    pub password: String,
    /// `LAT,LON` or a pasted map link; empty keeps the OLT's location.
    pub location: String,
    /// The POP's name, added if new; empty keeps the OLT's POP.
    pub pop: String,
}

impl std::fmt::Debug for OltForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let OltForm { id, name, vendor, host, port, username, password, location, pop } = self;
        f.debug_struct("OltForm")
            .field("id", id)
            .field("name", name)
            .field("vendor", vendor)
            .field("host", host)
            .field("port", port)
            .field("username", username)
            .field("password", &crate::redacted(password))
            .field("location", location)
            .field("pop", pop)
            .finish()
    }
}

/// Trust `presented` as the OLT's host key: refused if the OLT presents
/// another one by now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinKey {
    pub id: i64,
    pub presented: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// One line for people: "12 ONUs, 11 online, 10 readings in 1.2 s".
    pub text: String,
    /// What failed without failing the sweep.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PonPortDto {
    /// `frame/slot/port`.
    pub name: String,
    pub description: String,
    pub onus: u32,
    pub online: u32,
    /// ONUs of the port with an open alert.
    pub alerts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OltPortArgs {
    pub olt_id: i64,
    pub port: String,
}

/// An ONU as lists and the detail show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnuRowDto {
    pub id: i64,
    pub olt_id: i64,
    pub olt_name: String,
    pub port: String,
    /// Its id on the port.
    pub index: u32,
    pub serial: String,
    pub equipment: String,
    pub description: String,
    /// "online", "offline", "los", "dying-gasp" or "other".
    pub state: String,
    pub last_up: String,
    pub last_down: String,
    pub last_down_cause: String,
    pub service_id: Option<i64>,
    pub service_label: String,
    pub onu_rx: Option<f64>,
    pub onu_tx: Option<f64>,
    pub olt_rx: Option<f64>,
    /// When the last reading was taken.
    pub signal_at: String,
    /// Where `onu_rx` falls: "good", "warning", "critical", or empty
    /// without a reading.
    pub rx_band: String,
    /// The open alert: "warning", "critical", "los", or empty.
    pub alert: String,
    pub seen_at: String,
}

/// Which ONU and how many days of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnuQuery {
    pub id: i64,
    pub days: u16,
}

/// A point of the signal chart: the readings of one time bucket (one
/// sweep when the range is short), averaged, with the lowest and highest
/// ONU Rx of the bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalPointDto {
    /// Unix seconds (the bucket's middle reading).
    pub at: i64,
    pub onu_rx: Option<f64>,
    pub rx_min: Option<f64>,
    pub rx_max: Option<f64>,
    pub onu_tx: Option<f64>,
    pub olt_rx: Option<f64>,
    pub temperature: Option<f64>,
    /// Readings in the bucket.
    pub samples: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnuAlertDto {
    pub id: i64,
    /// "warning", "critical" or "los".
    pub level: String,
    pub rx: Option<f64>,
    pub raised_at: String,
    /// Empty while open.
    pub cleared_at: String,
}

/// Optical readings: dBm, °C, V, mA, m.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OpticalDto {
    pub onu_rx: Option<f64>,
    pub onu_tx: Option<f64>,
    pub olt_rx: Option<f64>,
    pub temperature: Option<f64>,
    pub voltage: Option<f64>,
    pub bias: Option<f64>,
    pub distance: Option<f64>,
    /// When they were read.
    pub at: String,
    pub rx_band: String,
}

/// One ONU: the detail page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnuDetail {
    pub onu: OnuRowDto,
    pub olt_vendor_label: String,
    pub thresholds: ThresholdsDto,
    /// The latest reading with every value the OLT gave.
    pub latest: OpticalDto,
    /// Oldest first.
    pub history: Vec<SignalPointDto>,
    /// The chart's range, Unix seconds.
    pub from: i64,
    pub to: i64,
    /// Points further apart than this are not joined (readings missing).
    pub max_gap_secs: i64,
    /// How long every reading is kept; older history is hourly.
    pub raw_days: u16,
    /// How long history is kept.
    pub history_days: u16,
    /// Newest first.
    pub alerts: Vec<OnuAlertDto>,
}

/// An ONU plugged in but not registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutofindDto {
    pub olt_id: i64,
    pub olt_name: String,
    pub port: String,
    pub serial: String,
    pub equipment: String,
    /// When the OLT found it (its clock), or empty.
    pub found_at: String,
    /// When Headend last saw it in the autofind.
    pub seen_at: String,
    /// The service waiting for this serial (zero-touch), if any.
    pub service_id: Option<i64>,
    pub service_label: String,
    /// Zero-touch's attempts for that service: "retrying", "failed" or empty.
    pub ztp_status: String,
    pub ztp_error: String,
}

/// The unconfigured ONUs, and the OLTs whose autofind could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UnconfiguredView {
    pub rows: Vec<AutofindDto>,
    pub errors: Vec<String>,
}

/// Which OLT (or all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OltScope {
    pub olt_id: Option<i64>,
}

/// The ONU the Authorize dialog is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeTarget {
    pub olt_id: i64,
    pub port: String,
    pub serial: String,
}

/// A plan's OLT profile, to fill the dialog from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanProfileDto {
    pub plan_id: i64,
    pub plan_name: String,
    pub line: String,
    pub service: String,
    pub vlan: Option<u16>,
}

/// A service the ONU can be registered for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceChoice {
    pub id: i64,
    pub label: String,
    pub plan_id: i64,
    /// The service's own VLAN, over its plan's.
    pub vlan: Option<u16>,
    /// The description the ONU gets for it (`svc42-Ana_Silva`).
    pub description: String,
}

/// What the Authorize dialog starts from: the waiting service's plan
/// profile, VLAN and description when the serial has one, else the first
/// plan with an OLT profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeDraft {
    pub olt_id: i64,
    pub olt_name: String,
    pub vendor: String,
    pub port: String,
    pub serial: String,
    pub equipment: String,
    /// Prefilled values (`vlan` as text, empty for none).
    pub service_id: Option<i64>,
    pub line: String,
    pub service_profile: String,
    pub vlan: String,
    pub description: String,
    /// Where the values come from, in words ("the waiting service
    /// ana (Ana Silva)", "plan Home 20", "nothing: fill them in").
    pub source: String,
    /// The plan the profiles come from, if one.
    pub plan_id: Option<i64>,
    /// What the two profile fields mean on this vendor.
    pub line_label: String,
    pub service_profile_label: String,
    pub plans: Vec<PlanProfileDto>,
    /// Services without an ONU yet (pending or active), the waiting one first.
    pub services: Vec<ServiceChoice>,
}

/// Register an ONU: the dialog's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuthorizeForm {
    pub olt_id: i64,
    pub port: String,
    pub serial: String,
    /// The service to link it to.
    pub service_id: Option<i64>,
    pub line: String,
    pub service_profile: String,
    /// 1-4094, or empty for none.
    pub vlan: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizedOnu {
    /// Its row (to open its page).
    pub onu_id: Option<i64>,
    pub port: String,
    pub index: u32,
    /// What happened, in words.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OltLogQuery {
    pub olt_id: i64,
    /// Entries older than this one (the next page).
    pub before_id: Option<i64>,
}

/// One command sent to an OLT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OltLogRow {
    pub id: i64,
    pub at: String,
    pub command: String,
    /// The raw reply (cut past 16 KiB, saying so).
    pub reply: String,
    pub reply_bytes: u64,
    /// "ok", "refused", "timeout" or "failed".
    pub outcome: String,
    pub error: String,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OltLogPage {
    pub rows: Vec<OltLogRow>,
    /// Older entries exist.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_readings_cross_as_null() {
        let p = OpticalDto { onu_rx: Some(-21.5), ..OpticalDto::default() };
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(r#""onu_rx":-21.5"#) && json.contains(r#""onu_tx":null"#), "{json}");
    }

    #[test]
    fn the_olt_form_prints_no_password() {
        let form = OltForm { name: "olt-1".into(), password: "olt-pw".into(), ..OltForm::default() };
        let printed = format!("{form:?}");
        assert!(!printed.contains("olt-pw"), "{printed}");
        assert!(printed.contains(r#"password: "***""#) && printed.contains(r#"name: "olt-1""#), "{printed}");
        assert!(format!("{:?}", OltForm::default()).contains(r#"password: """#));
    }
}

/// The OLT signal sweep's settings (`headend olt settings`), and their
/// bounds for the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalSettingsDto {
    pub sweep_minutes: u16,
    /// ONU Rx below this is a warning, dBm.
    pub warning_dbm: f64,
    /// ONU Rx below this is critical, dBm.
    pub critical_dbm: f64,
    /// ONU Rx above this is critical (an overloaded receiver), dBm.
    pub overload_dbm: f64,
    /// Days of every reading, then hourly lowest, mean and highest.
    pub raw_days: u16,
    /// Days of history in all, the raw days included.
    pub history_days: u16,
    pub log_days: u16,
    pub min_minutes: u16,
    pub max_minutes: u16,
    pub min_days: u16,
    pub max_days: u16,
    /// The most days of every reading.
    pub max_raw_days: u16,
}

/// The form as typed: numbers as text, so the app says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SignalSettingsForm {
    pub sweep_minutes: String,
    pub warning_dbm: String,
    pub critical_dbm: String,
    pub overload_dbm: String,
    pub raw_days: String,
    pub history_days: String,
    pub log_days: String,
}

/// A service's zero-touch ONU (`headend olt zero-touch`): the serial of the
/// ONU a technician will install, registered when it shows up in an OLT's
/// autofind, and a VLAN instead of the plan's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ZeroTouchDto {
    pub service_id: i64,
    /// Empty when none is set.
    pub serial: String,
    pub vlan: Option<u16>,
    /// The ONU linked to the service now ("olt-1 0/1/3:5 (HWTC…)"), empty
    /// while none is.
    pub onu: String,
    /// Every ONU the service had in the signal history kept, in the order
    /// they served it (the current one last).
    pub history: Vec<ServiceOnuDto>,
}

/// One ONU of a service over the signal history kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ServiceOnuDto {
    pub serial: String,
    /// Linked to the service now; the others were replaced or deregistered.
    pub current: bool,
    /// RFC 3339; empty with no reading.
    pub first: String,
    pub last: String,
    /// Received power at the ONU, dBm.
    pub rx_low: Option<f64>,
    pub rx_mean: Option<f64>,
    pub rx_high: Option<f64>,
    pub readings: u64,
}

/// The card as typed; an empty serial clears both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ZeroTouchForm {
    pub service_id: i64,
    pub serial: String,
    pub vlan: String,
}

/// What a plan tells the OLT when its subscribers' ONUs are registered
/// (`headend olt plan-profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlanOltProfileDto {
    pub plan_id: i64,
    /// Huawei and VSOL: the line profile; ZTE: the T-CONT profile.
    pub line: String,
    /// Huawei and VSOL: the service profile; ZTE: the ONU type.
    pub service: String,
    /// The subscriber VLAN, empty for none.
    pub vlan: String,
}

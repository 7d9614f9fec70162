//! The shapes that cross the Tauri IPC boundary: command names, their
//! arguments and answers, and the events the app pushes to the UI.
//!
//! Architecture invariant: this crate is compiled both into the native app
//! and into the wasm UI, so it depends on serde alone and holds no logic.
//! Values are plain strings and numbers already formatted for display where
//! the UI has no business parsing them (dates, rates, money).

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod billing;
pub mod bulk;
pub mod import;
pub mod map;
pub mod messages;
pub mod olt;
pub mod policy;
pub mod radius;
pub mod sessions;

/// A form's password as `Debug` shows it: `"***"`, or `""` when the form
/// leaves it empty (keep the stored one), so a form logged or printed in a
/// panic never carries the secret.
pub(crate) fn redacted(password: &str) -> &'static str {
    if password.is_empty() { "" } else { "***" }
}

/// Command names, shared so a typo is a compile error on both sides.
pub mod command {
    pub const APP_INFO: &str = "app_info";
    pub const DASHBOARD: &str = "dashboard";
    pub const GET_SETTINGS: &str = "get_settings";
    pub const SAVE_SETTINGS: &str = "save_settings";
    pub const LIST_ROUTERS: &str = "list_routers";
    /// Answers the POPs' names, sorted: the router and OLT forms offer them.
    pub const LIST_POPS: &str = "list_pops";
    /// Answers [`PopRow`]s, by name.
    pub const POP_OVERVIEWS: &str = "pop_overviews";
    /// Args `{ id, name }`; answers the [`PopRow`]. Error field: "name".
    pub const RENAME_POP: &str = "rename_pop";
    pub const LIST_PLANS: &str = "list_plans";
    pub const LIST_SERVICES: &str = "list_services";
    pub const GET_SERVICE: &str = "get_service";
    pub const LIST_ACTIVITY: &str = "list_activity";
    /// What failed and waits for the operator: [`super::Failures`].
    pub const LIST_FAILURES: &str = "list_failures";
    pub const SAVE_SERVICE: &str = "save_service";
    pub const SET_SERVICE_STATUS: &str = "set_service_status";
    /// Takes [`super::billing::PaymentForm`]; answers
    /// [`super::billing::PaymentOutcome`], written nowhere.
    pub const PREVIEW_PAYMENT: &str = "preview_payment";
    /// Takes [`super::billing::PaymentForm`]; answers
    /// [`super::billing::PaymentOutcome`].
    pub const RECORD_PAYMENT: &str = "record_payment";
    pub const RETRY_SERVICE: &str = "retry_service";
    pub const SAVE_PLAN: &str = "save_plan";
    pub const LIST_QUEUE: &str = "list_queue";
    pub const RETRY_QUEUE_ENTRY: &str = "retry_queue_entry";
    pub const DRY_RUN: &str = "dry_run";
    pub const SWEEP_NOW: &str = "sweep_now";
    pub const IMPORT_SERVICES: &str = "import_services";
    /// Takes [`import::AdoptRequest`] (`request`); answers
    /// [`import::AdoptPreview`]. Error field: "plan_map".
    pub const ADOPT_ROUTER_SECRETS: &str = "adopt_router_secrets";
    pub const SAVE_ROUTER: &str = "save_router";
    pub const REMOVE_ROUTER: &str = "remove_router";
    pub const TEST_ROUTER: &str = "test_router";
    /// Takes [`super::olt::PinKey`] (a router's id and the certificate shown):
    /// trust the TLS certificate the router presents now.
    pub const PIN_ROUTER_CERTIFICATE: &str = "pin_router_certificate";
    /// The Live sessions page says which rows it shows (`None`: it closed);
    /// the answer is those rows now, and the sessions tick carries them
    /// again whenever they change.
    pub const WATCH_SESSIONS: &str = "watch_sessions";
    pub const KICK_SESSION: &str = "kick_session";
    /// Args `{ id }` (a router); answers `Vec<`[`super::RouterLogRow`]`>`,
    /// newest first.
    pub const ROUTER_LOG: &str = "router_log";
    /// Takes [`super::SessionUser`]; answers `Option<i64>`: the service
    /// whose PPPoE user a live session is, `None` when it is nobody's.
    pub const SESSION_SERVICE: &str = "session_service";
    pub const ROUTER_INTERFACES: &str = "router_interfaces";
    pub const START_DEMO: &str = "start_demo";
    /// Opens the demo ISP in a window of its own (a second process, on a
    /// throwaway data directory); this window hides until it ends.
    pub const EXPLORE_DEMO_ISP: &str = "explore_demo_isp";
    /// In the demo ISP's window: ends the demo (its data goes with it).
    pub const LEAVE_DEMO_ISP: &str = "leave_demo_isp";
    pub const STOP_DEMO: &str = "stop_demo";
    /// The UI has painted its first frame.
    pub const UI_READY: &str = "ui_ready";
    /// [`super::BackupsView`]: the backups folder and the days kept.
    pub const GET_BACKUPS: &str = "get_backups";
    /// Args `{ days }`; answers [`super::BackupsView`].
    pub const SET_BACKUP_KEEP_DAYS: &str = "set_backup_keep_days";
    /// Answers [`super::BackupMade`].
    pub const BACK_UP_NOW: &str = "back_up_now";
    /// Args `{ path }`; answers [`super::RestoreStaged`].
    pub const STAGE_RESTORE: &str = "stage_restore";
}

/// Event names the app emits to the UI.
pub mod event {
    /// Payload: [`Failures`](super::Failures): the durable queue's failed
    /// actions changed.
    pub const FAILURES_CHANGED: &str = "failures-changed";
    /// Payload: [`ProvisioningChanged`](super::ProvisioningChanged): a sweep
    /// wrote to a router (or gave up on a write); pages showing services,
    /// the queue or logs reload.
    pub const PROVISIONING_CHANGED: &str = "provisioning-changed";
    /// Payload: [`SweepProgress`](super::SweepProgress): how far a "Sweep
    /// now" has come.
    pub const SWEEP_PROGRESS: &str = "sweep-progress";
    /// Payload: [`SweepState`].
    pub const SWEEP_STATE: &str = "sweep-state";
    /// Payload: [`SessionsTick`], once a second: the console's clock for
    /// uptimes, the sessions' count, and the watched rows when they changed
    /// ([`WATCH_SESSIONS`](super::command::WATCH_SESSIONS)).
    pub const SESSIONS_TICK: &str = "sessions-tick";
    /// Payload: [`RoutersChanged`](super::RoutersChanged): a router went up
    /// or down or its health changed; reload the list.
    pub const ROUTERS_CHANGED: &str = "routers-changed";
    /// Payload: [`Navigate`]: the tray or a notification asks the UI to show a page.
    pub const NAVIGATE: &str = "navigate";
    /// No payload: the app's invoice run issued invoices; billing pages reload.
    pub const BILLING_CHANGED: &str = "billing-changed";
}

/// An error a command returns: `code` is stable for the UI to branch on,
/// `message` is for people, `field` names the form field it is about (the
/// form shows the message next to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDto {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorDto {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }

    /// An invalid value of one form field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self { code: ErrorCode::InvalidInput, message: message.into(), field: Some(field.to_owned()) }
    }
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
    /// The OLT refused, failed or could not be reached.
    Olt,
    /// The map's tile server refused, failed or could not be reached.
    TileServer,
    /// Sweeps are paused (the tray's Pause sweeps).
    Paused,
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
    /// This window is the demo ISP (`headend-app --demo-isp`): the console
    /// says so on every page and offers to leave.
    pub demo_isp: bool,
}

/// The Settings page's backups card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupsView {
    /// Where "Back up now" and the daily backups write.
    pub folder: String,
    /// Days of daily backups kept; 0 is off.
    pub keep_days: u16,
    pub max_keep_days: u16,
}

/// A backup "Back up now" wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupMade {
    pub path: String,
    pub bytes: u64,
}

/// A backup checked and set aside to replace the database at the next start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreStaged {
    pub installation_id: String,
    /// The backup's last change, RFC 3339 in UTC, if it has any.
    pub last_change: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Dashboard {
    pub routers: i64,
    pub customers: i64,
    pub plans: i64,
    pub services: i64,
    pub active_services: i64,
    pub suspended_services: i64,
    /// What needs the operator now.
    pub health: Health,
}

/// "Is everything OK, and what needs me now?": each figure opens the list
/// it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Health {
    pub routers_up: u32,
    /// Up, with failed provisioning actions.
    pub routers_degraded: u32,
    pub routers_down: u32,
    /// OLTs whose commands fail.
    pub olts_down: u32,
    /// Open ONU signal alerts (warnings and criticals).
    pub olt_alerts: u32,
    pub onus_los: u32,
    pub failed_actions: u64,
    pub failed_messages: u64,
    /// Services that went off today, each once: the two below together.
    pub went_off_today: u32,
    /// Active services whose grace ended today.
    pub cut_off_today: u32,
    /// Services an operator suspended today.
    pub suspended_today: u32,
    pub payments_today: u32,
    /// In the billing currency, `1234.50`.
    pub collected_today: String,
    pub currency: String,
    /// Services online at some moment of each of the last 24 hours, oldest
    /// first (from the session history).
    pub online_by_hour: Vec<u32>,
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
    /// Its POP's name, or empty.
    pub pop: String,
    /// A simulated router of the demo network, not in the database.
    pub demo: bool,
    pub status: RouterStatusDto,
    /// The TLS certificate fingerprint pinned (empty before the first TLS
    /// connection, and for plain API).
    pub pinned_certificate: String,
    /// Another certificate the router presented, refused until trusted
    /// (empty if none).
    pub presented_certificate: String,
    /// Where its PPPoE users live: "api" (its own /ppp/secret) or "radius".
    pub backend: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RouterStatusDto {
    /// Not watched (should not happen for stored routers).
    Unknown,
    Connecting,
    Up(RouterHealthDto),
    Down {
        error: String,
    },
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

/// A POP and what stands in it (Settings → POPs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopRow {
    pub id: i64,
    pub name: String,
    pub routers: u32,
    pub olts: u32,
}

/// The router form: a new router when `id` is `None`. An empty password
/// keeps the stored one when editing. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The POP's name, added if new; empty keeps the router's POP.
    pub pop: String,
}

impl fmt::Debug for RouterForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RouterForm { id, name, host, port, transport, username, password, location, pop } = self;
        f.debug_struct("RouterForm")
            .field("id", id)
            .field("name", name)
            .field("host", host)
            .field("port", port)
            .field("transport", transport)
            .field("username", username)
            .field("password", &redacted(password))
            .field("location", location)
            .field("pop", pop)
            .finish()
    }
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

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// What changed about the routers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoutersChanged {
    /// A router went up or down, or is connecting: not only its health
    /// figures (uptime, load), which change on every probe. Pages that show
    /// only states (the Dashboard, the Map) reload on this alone.
    pub states: bool,
}

/// The sessions at one tick.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionsTick {
    /// Moves whenever a session comes, goes or changes.
    pub version: u64,
    /// Every live session of every router.
    pub total: u64,
    /// The rows the Live sessions page watches, when they changed since
    /// it last had them. Pushed rather than asked for: an `invoke` a second
    /// costs WebKitGTK far more CPU than an event.
    pub watched: Option<WatchedSessions>,
}

/// The rows of a watched query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedSessions {
    pub query: SessionQuery,
    pub window: SessionWindow,
}

/// The rows of the Live sessions list a page shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionQuery {
    /// Matched, ignoring case, against user, address, caller id and router name.
    pub search: String,
    pub router_id: Option<i64>,
    /// The first row wanted, in the filtered list.
    pub first: u32,
    pub count: u32,
}

/// A router that has live sessions, for the list's router filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRouter {
    pub id: i64,
    pub name: String,
    pub sessions: u64,
}

/// A slice of the Live sessions list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionWindow {
    /// Sessions the query's filter keeps.
    pub matched: u64,
    pub total: u64,
    /// The position of `rows[0]` in the filtered list (the query's `first`,
    /// or less when the list got shorter than that).
    pub first: u32,
    pub rows: Vec<SessionRow>,
    pub routers: Vec<SessionRouter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickSession {
    pub router_id: i64,
    pub session_id: String,
}

/// A live session's router and PPPoE user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub router_id: i64,
    pub user: String,
}

/// A plan's burst, each value in RouterOS notation (`40M`) or seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BurstDto {
    pub download: String,
    pub upload: String,
    pub threshold_download: String,
    pub threshold_upload: String,
    /// Seconds over which the average is taken (the same both ways in
    /// the form; the router's `time-rx/time-tx`).
    pub time_secs: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    /// The PPP profile that carries the plan on every router.
    pub profile: String,
    /// RouterOS notation, e.g. "20M".
    pub download: String,
    pub upload: String,
    /// The profile's `rate-limit`, upload first as RouterOS writes it:
    /// "5M/20M 10M/40M 4M/16M 16/16".
    pub rate_limit: String,
    pub burst: Option<BurstDto>,
    pub price: String,
    pub cycle: String,
    /// The plan's own tax rate in percent; empty: the ISP's.
    #[serde(default)]
    pub tax_rate: String,
    #[serde(default)]
    pub session: PlanSessionDto,
}

/// A plan's session limits in RouterOS notation ("1d", "30m") and its
/// address pool; each empty when not set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlanSessionDto {
    pub session_timeout: String,
    pub idle_timeout: String,
    pub address_pool: String,
}

/// The plan form: a new plan when `id` is `None`. Rates in RouterOS
/// notation (`512k`, `20M`); the burst is off when all its fields are empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlanForm {
    pub id: Option<i64>,
    pub name: String,
    pub download: String,
    pub upload: String,
    pub burst: BurstDto,
    pub price: String,
    /// "monthly", "quarterly", "yearly" or a number of days ("7d").
    pub cycle: String,
    /// The plan's own tax rate in percent; empty: the ISP's.
    #[serde(default)]
    pub tax_rate: String,
    #[serde(default)]
    pub session: PlanSessionDto,
}

/// Which services a page of the Customers list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceQueryDto {
    /// A service status, or empty for all.
    pub status: String,
    pub router_id: Option<i64>,
    /// Part of the customer's name, phone or address, the user name or the address.
    pub search: String,
    /// Only the services that went off today (the dashboard's figure).
    #[serde(default)]
    pub went_off_today: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesPageDto {
    /// How many services match, in all.
    pub total: u64,
    pub rows: Vec<ServiceRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    /// "pppoe" or "static".
    pub kind: String,
    /// The PPPoE user name or the static address.
    pub login: String,
    /// A PPPoE user's fixed address; empty when it takes one from a pool.
    #[serde(default)]
    pub fixed_address: String,
    pub router_id: i64,
    pub router_name: String,
    pub plan_id: i64,
    pub plan_name: String,
    pub status: String,
    /// ISO date, or empty when there is none.
    pub next_billing_date: String,
    /// Days past the due date (in the ISP's time zone), when it is past.
    pub days_overdue: Option<i64>,
    /// Past its due date and grace: the router cuts it off.
    pub grace_ended: bool,
    /// The service's own grace in days; `None` uses the ISP's.
    pub grace_days: Option<u16>,
    /// By the policy (status and dates), the service should be on its router.
    pub should_be_on: bool,
    /// What the last sweep confirmed: it is on its router.
    pub on_router: bool,
    /// RFC 3339 instant of that confirmation, or empty if never swept.
    pub provisioned_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDto {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    /// `LAT,LON`, or empty when the customer is not on the map.
    pub location: String,
}

/// One line of a router's provisioning log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterLogRow {
    pub id: i64,
    /// RFC 3339 instant in UTC.
    pub at: String,
    pub router_id: i64,
    /// The command as sent, without passwords.
    pub command: String,
    /// "pending", "ok", "error" or "interrupted".
    pub outcome: String,
    pub error: String,
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRow {
    pub id: i64,
    pub receipt: String,
    /// ISO date the money came.
    pub paid_on: String,
    pub amount: String,
    /// "cash", "bank-transfer", "mobile-money", "card" or "other", as words.
    pub method: String,
    pub reference: String,
    /// Months prepaid without an invoice, if it was such a payment.
    pub months: Option<u8>,
    pub actor: String,
    /// ISO dates of the paid-through date before and after; empty when none.
    pub previous_due: String,
    pub new_due: String,
}

/// Everything about one service: the detail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDetail {
    pub service: ServiceRow,
    pub customer: CustomerDto,
    /// The ISP's grace in days, for services without their own.
    pub isp_grace_days: u16,
    pub queue: Vec<QueueRowDto>,
    /// Its activity (`service:<id>`), newest first.
    pub activity: Vec<ActivityRow>,
    /// Its router log lines, newest first.
    pub router_log: Vec<RouterLogRow>,
    pub payments: Vec<PaymentRow>,
}

/// The customer and service form: a new service (and customer, unless one
/// with exactly this name and phone exists) when `id` is `None`. An empty
/// password keeps the stored one when editing. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceForm {
    pub id: Option<i64>,
    pub customer_name: String,
    pub customer_phone: String,
    pub customer_email: String,
    pub customer_address: String,
    /// `LAT,LON`, a pasted Google Maps or OpenStreetMap link, or empty.
    pub customer_location: String,
    pub router_id: Option<i64>,
    pub plan_id: Option<i64>,
    /// "pppoe" or "static".
    pub kind: String,
    pub username: String,
    pub password: String,
    pub ip_address: String,
    pub status: String,
    /// ISO date or empty.
    pub next_billing_date: String,
    /// Whole days, or empty for the ISP's grace.
    pub grace_days: String,
}

impl fmt::Debug for ServiceForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ServiceForm {
            id,
            customer_name,
            customer_phone,
            customer_email,
            customer_address,
            customer_location,
            router_id,
            plan_id,
            kind,
            username,
            password,
            ip_address,
            status,
            next_billing_date,
            grace_days,
        } = self;
        f.debug_struct("ServiceForm")
            .field("id", id)
            .field("customer_name", customer_name)
            .field("customer_phone", customer_phone)
            .field("customer_email", customer_email)
            .field("customer_address", customer_address)
            .field("customer_location", customer_location)
            .field("router_id", router_id)
            .field("plan_id", plan_id)
            .field("kind", kind)
            .field("username", username)
            .field("password", &redacted(password))
            .field("ip_address", ip_address)
            .field("status", status)
            .field("next_billing_date", next_billing_date)
            .field("grace_days", grace_days)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetServiceStatus {
    pub id: i64,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub id: i64,
    /// RFC 3339 instant in UTC; the UI shows it in local time.
    pub at: String,
    pub actor: String,
    pub subject: String,
    pub action: String,
    pub detail: String,
}

/// Which activity entries a page shows, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ActivityQueryDto {
    /// Exactly this subject (`service:42`), or empty for all.
    pub subject: String,
    /// "operator", "cli" or "engine", or empty for all.
    pub actor: String,
    pub search: String,
    /// Only entries older than this one (the next page).
    pub before_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub rows: Vec<ActivityRow>,
    /// Older entries exist.
    pub more: bool,
}

/// One row of the durable provisioning queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRowDto {
    pub id: i64,
    pub router_id: i64,
    pub router_name: String,
    /// `None` for a plan's profile.
    pub service_id: Option<i64>,
    /// `user (customer)`, or the plan's profile.
    pub label: String,
    /// The step's kind, e.g. "secret-add".
    pub action: String,
    /// The step as the operator reads it.
    pub detail: String,
    pub attempts: u32,
    pub last_error: String,
    /// "pending", "retrying" or "failed".
    pub status: String,
    /// RFC 3339 instants.
    pub next_attempt_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct QueueCounts {
    pub pending: u64,
    pub retrying: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct QueueQueryDto {
    /// "pending", "retrying", "failed", or empty for all.
    pub status: String,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRowDto>,
    pub counts: QueueCounts,
    /// More rows follow this page.
    pub more: bool,
}

/// A provisioning action that gave up, waiting for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionFailure {
    pub queue_id: i64,
    pub service_id: Option<i64>,
    pub label: String,
    pub router_id: i64,
    pub router_name: String,
    pub error: String,
    pub at: String,
}

/// What failed and waits for the operator: the durable queue's failed
/// actions (how many, and the newest) and the outbox's failed messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Failures {
    pub count: u64,
    pub recent: Vec<ProvisionFailure>,
    /// Messages to customers that failed (Messages → Outbox retries them).
    #[serde(default)]
    pub failed_messages: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningChanged {
    pub router_id: i64,
    pub router_name: String,
    pub writes: u32,
}

/// One step of a router's plan and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDto {
    pub service_id: Option<i64>,
    pub kind: String,
    pub text: String,
    /// "planned", "held", "applied" or "failed".
    pub outcome: String,
    /// Why held, or the failure.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictDto {
    pub service_id: Option<i64>,
    pub message: String,
}

/// What a dry run found for one router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterPlanDto {
    pub router_id: Option<i64>,
    pub router_name: String,
    /// The router could not be read.
    pub error: String,
    pub steps: Vec<StepDto>,
    pub conflicts: Vec<ConflictDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SweepProgress {
    pub done: u32,
    pub total: u32,
    /// Routers that could not be swept (or did not answer in time).
    pub failed: u32,
    pub running: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepState {
    pub paused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum Navigate {
    Activity,
    /// The provisioning queue, showing its failed actions.
    Queue,
    Service {
        id: i64,
    },
    /// The OLTs & ONUs page.
    Olts,
    /// The Messages area's outbox, showing its failed messages.
    Messages,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shapes_are_stable() {
        let nav = serde_json::to_string(&Navigate::Service { id: 4 }).unwrap();
        assert_eq!(nav, r#"{"page":"service","id":4}"#);
        let err = serde_json::to_string(&ErrorDto::new(ErrorCode::NotFound, "x")).unwrap();
        assert_eq!(err, r#"{"code":"not_found","message":"x"}"#);
        let field = serde_json::to_string(&ErrorDto::field("username", "taken")).unwrap();
        assert_eq!(field, r#"{"code":"invalid_input","message":"taken","field":"username"}"#);
        let back: ErrorDto = serde_json::from_str(r#"{"code":"router","message":"y"}"#).unwrap();
        assert_eq!(back.field, None);
        let theme: ThemeChoice = serde_json::from_str(r#""dark""#).unwrap();
        assert_eq!(theme, ThemeChoice::Dark);
    }

    #[test]
    fn forms_print_no_password() {
        let router = RouterForm {
            id: Some(3),
            name: "core".into(),
            host: "10.0.0.1".into(),
            port: String::new(),
            transport: "api".into(),
            username: "admin".into(),
            password: "r0uter-pw".into(),
            location: String::new(),
            pop: String::new(),
        };
        let printed = format!("{router:?}");
        assert!(!printed.contains("r0uter-pw"), "{printed}");
        assert!(printed.contains(r#"password: "***""#) && printed.contains(r#"username: "admin""#), "{printed}");
        let printed = format!("{:?}", RouterForm { password: String::new(), ..router });
        assert!(printed.contains(r#"password: """#), "{printed}");

        let service = ServiceForm { username: "ana".into(), password: "pppoe-pw".into(), ..ServiceForm::default() };
        let printed = format!("{service:#?}");
        assert!(!printed.contains("pppoe-pw"), "{printed}");
        assert!(printed.contains(r#"password: "***""#) && printed.contains(r#"username: "ana""#), "{printed}");
        assert!(format!("{:?}", ServiceForm::default()).contains(r#"password: """#));
    }
}

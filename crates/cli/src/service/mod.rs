//! `headend service …`: customers' services. `add` (in [`add`]), `list` and
//! `show` (in [`view`]), `set-status`, `set-due` and `retry` (in
//! [`change`]), `sessions` (the history, in [`sessions`]). Every change asks the service's router to sweep, so a
//! running engine (the app, `headend agent`) applies it at once.

mod add;
mod bulk;
mod change;
mod sessions;
mod view;

use std::net::IpAddr;
use std::str::FromStr;

use headend_core::ServiceId;
use headend_core::service::{Access, ServiceStatus};
use headend_store::ServiceOverview;
use jiff::civil::Date;
use serde::Serialize;

use crate::Globals;
use crate::open::open_workflows;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a service (and its customer, if new); a PPPoE password is read from standard input.
    Add(add::AddArgs),
    /// The services, oldest first, optionally filtered.
    List(view::ListArgs),
    /// One service: its details, queued provisioning actions, last router commands and payments.
    Show {
        /// The service's id.
        id: i64,
    },
    /// Change a service's status (pending, active, suspended, inactive, terminated).
    SetStatus {
        /// The service's id.
        id: i64,
        /// The new status.
        #[arg(value_parser = ServiceStatus::from_str)]
        status: ServiceStatus,
    },
    /// Set the next billing date (YYYY-MM-DD), or `none` to clear it.
    SetDue {
        /// The service's id.
        id: i64,
        /// The date, e.g. 2026-12-05, or none.
        #[arg(value_parser = parse_due)]
        date: Due,
    },
    /// One change to many services: suspend, activate, another plan or another router (--dry-run first).
    Bulk(bulk::BulkArgs),
    /// Try the service's failed provisioning actions again now.
    Retry {
        /// The service's id.
        id: i64,
    },
    /// The service's session history, newest first: start, stop, cause, address, MAC, bytes.
    Sessions(sessions::SessionsArgs),
    /// How long session history is kept: sessions one by one, then one row per service and day.
    HistoryRetention {
        /// Days of sessions kept one by one (1 to 3650; default 90).
        #[arg(long, requires = "keep_days")]
        detail_days: Option<u16>,
        /// Days of history kept in all, at least the detail (up to 3650; default 730).
        #[arg(long, requires = "detail_days")]
        keep_days: Option<u16>,
    },
}

/// A due date argument: a date or `none`.
#[derive(Debug, Clone, Copy)]
pub struct Due(Option<Date>);

fn parse_due(text: &str) -> Result<Due, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(Due(None));
    }
    parse_date(text).map(|d| Due(Some(d)))
}

/// Exactly YYYY-MM-DD.
pub fn parse_date(text: &str) -> Result<Date, String> {
    headend_core::import::parse_iso_date(text.trim())
        .ok_or_else(|| format!("{text:?} is not a date: write it as YYYY-MM-DD, such as 2026-12-05"))
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = match command {
        Command::Add(args) => add::add(globals, &w, args).await,
        Command::List(args) => view::list(globals, &w, args).await,
        Command::Show { id } => view::show(globals, &w, ServiceId(id)).await,
        Command::SetStatus { id, status } => change::set_status(globals, &w, ServiceId(id), status).await,
        Command::SetDue { id, date } => change::set_due(globals, &w, ServiceId(id), date.0).await,
        Command::Bulk(args) => bulk::bulk(globals, &w, args).await,
        Command::Retry { id } => change::retry(globals, &w, ServiceId(id)).await,
        Command::Sessions(args) => sessions::sessions(globals, &w, args).await,
        Command::HistoryRetention { detail_days, keep_days } => {
            sessions::retention(globals, &w, detail_days.zip(keep_days)).await
        }
    };
    w.store().close().await;
    result
}

/// A service as `list`, `show` and the changes print it. Never a password.
#[derive(Debug, Serialize)]
struct ServiceJson {
    id: i64,
    customer_id: i64,
    customer: String,
    phone: Option<String>,
    router_id: i64,
    router: String,
    plan_id: i64,
    plan: String,
    /// pppoe or static.
    r#type: &'static str,
    username: Option<String>,
    ip: Option<IpAddr>,
    status: &'static str,
    next_billing_date: Option<String>,
    grace_days: Option<u16>,
    router_provisioned: bool,
    provisioned_at: Option<String>,
}

impl ServiceJson {
    fn new(s: &ServiceOverview) -> Self {
        let (username, ip) = match &s.access {
            Access::Pppoe { username, address } => (Some(username.clone()), *address),
            Access::StaticIp { address } => (None, Some(*address)),
        };
        Self {
            id: s.id.0,
            customer_id: s.customer.0,
            customer: s.customer_name.clone(),
            phone: s.customer_phone.clone(),
            router_id: s.router.0,
            router: s.router_name.clone(),
            plan_id: s.plan.0,
            plan: s.plan_name.clone(),
            r#type: s.access.kind(),
            username,
            ip,
            status: s.status.as_str(),
            next_billing_date: s.next_billing_date.map(|d| d.to_string()),
            grace_days: s.grace_days,
            router_provisioned: s.router_provisioned,
            provisioned_at: s.provisioned_at.map(|t| t.to_string()),
        }
    }

    /// The user name or the address.
    fn login(&self) -> String {
        match (&self.username, &self.ip) {
            (Some(user), _) => user.clone(),
            (None, Some(ip)) => ip.to_string(),
            (None, None) => String::new(),
        }
    }
}

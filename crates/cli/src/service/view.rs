//! `headend service list | show`.

use std::str::FromStr;

use anyhow::Context;
use headend_core::ServiceId;
use headend_core::activity::Subject;
use headend_core::service::ServiceStatus;
use headend_store::{ActivityQuery, QueueEntry, RouterLogEntry, ServiceQuery};
use headend_workflows::Workflows;
use serde::Serialize;

use super::ServiceJson;
use crate::{Globals, output};

/// How many router log lines `show` prints.
const LOG_LINES: u32 = 20;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only services in this status.
    #[arg(long, value_parser = ServiceStatus::from_str)]
    status: Option<ServiceStatus>,
    /// Only the services of this router (its name).
    #[arg(long, value_name = "NAME")]
    router: Option<String>,
    /// Part of the customer's name, phone or address, the user name or the IP address.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only the services that went off today: cut off for not paying or
    /// suspended by hand (the dashboard's figure).
    #[arg(long)]
    went_off_today: bool,
    /// At most this many (default: all).
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Skip this many first.
    #[arg(long, value_name = "N", default_value_t = 0)]
    offset: u32,
}

pub async fn list(globals: &Globals, w: &Workflows, args: ListArgs) -> anyhow::Result<()> {
    let router = match &args.router {
        Some(name) => Some(
            w.store()
                .router_by_name(name)
                .await?
                .with_context(|| format!("no router named {name:?}; `headend router list` shows them"))?
                .id,
        ),
        None => None,
    };
    let query = ServiceQuery {
        status: args.status,
        router,
        search: args.search,
        only: None,
        limit: args.limit.unwrap_or(u32::MAX),
        offset: args.offset,
    };
    let page = w.services_page(query, args.went_off_today).await?;
    let rows: Vec<ServiceJson> = page.rows.iter().map(ServiceJson::new).collect();
    if globals.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        eprintln!("No services match.");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            vec![
                s.id.to_string(),
                output::safe(&s.customer),
                s.r#type.to_owned(),
                output::safe(&s.login()),
                output::safe(&s.router),
                output::safe(&s.plan),
                s.status.to_owned(),
                output::or_dash(s.next_billing_date.clone()),
                if s.router_provisioned { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    output::table(&["ID", "CUSTOMER", "TYPE", "LOGIN", "ROUTER", "PLAN", "STATUS", "DUE", "ON ROUTER"], &cells)?;
    let shown = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    if shown < page.total {
        eprintln!("{shown} of {} services shown (--limit/--offset page through them).", page.total);
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct QueueJson {
    id: i64,
    router_id: i64,
    action: String,
    detail: String,
    status: &'static str,
    attempts: u32,
    last_error: Option<String>,
    next_attempt_at: String,
}

impl QueueJson {
    fn new(q: &QueueEntry) -> Self {
        Self {
            id: q.id,
            router_id: q.router.0,
            action: q.action.to_string(),
            detail: q.detail.clone(),
            status: q.status.as_str(),
            attempts: q.attempts,
            last_error: q.last_error.clone(),
            next_attempt_at: q.next_attempt_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
struct LogJson {
    id: i64,
    router_id: i64,
    at: String,
    command: String,
    outcome: &'static str,
    error: Option<String>,
    duration_ms: Option<u64>,
}

impl LogJson {
    fn new(l: &RouterLogEntry) -> Self {
        Self {
            id: l.id,
            router_id: l.router.0,
            at: l.at.to_string(),
            command: l.command.clone(),
            outcome: l.outcome.as_str(),
            error: l.error.clone(),
            duration_ms: l.duration_ms,
        }
    }
}

/// An activity entry about the service.
#[derive(Debug, Serialize)]
struct ActivityJson {
    at: String,
    actor: &'static str,
    action: String,
    detail: String,
}

/// An ONU the service had, over the signal history kept.
#[derive(Debug, Serialize)]
struct OnuJson {
    serial: String,
    current: bool,
    first: Option<String>,
    last: Option<String>,
    /// Received power at the ONU, dBm.
    rx_low: Option<f64>,
    rx_mean: Option<f64>,
    rx_high: Option<f64>,
    readings: u64,
}

#[derive(Debug, Serialize)]
struct ShowJson {
    service: ServiceJson,
    /// The ONUs it had, the current one last.
    onus: Vec<OnuJson>,
    queue: Vec<QueueJson>,
    router_log: Vec<LogJson>,
    payments: Vec<crate::billing::payment::PaymentJson>,
    /// Newest first.
    activity: Vec<ActivityJson>,
}

pub async fn show(globals: &Globals, w: &Workflows, id: ServiceId) -> anyhow::Result<()> {
    let service = w.service(id).await?;
    let store = w.store();
    let report = ShowJson {
        service: ServiceJson::new(&service),
        onus: w
            .service_onus(id)
            .await?
            .into_iter()
            .map(|h| OnuJson {
                serial: h.serial,
                current: h.current,
                first: h.first.map(|t| t.to_string()),
                last: h.last.map(|t| t.to_string()),
                rx_low: h.rx_low,
                rx_mean: h.rx_mean,
                rx_high: h.rx_high,
                readings: h.readings,
            })
            .collect(),
        queue: store.queue_for_service(id).await?.iter().map(QueueJson::new).collect(),
        router_log: store.service_router_log(id, LOG_LINES).await?.iter().map(LogJson::new).collect(),
        payments: store.payments(id).await?.iter().map(crate::billing::payment::PaymentJson::new).collect(),
        activity: store
            .activity(&ActivityQuery {
                subject: Some(Subject::Service(id)),
                limit: LOG_LINES,
                ..ActivityQuery::default()
            })
            .await?
            .into_iter()
            .map(|(_, e)| ActivityJson {
                at: e.at.to_string(),
                actor: e.actor.as_str(),
                action: e.action,
                detail: e.detail,
            })
            .collect(),
    };
    if globals.json {
        return output::json(&report);
    }
    let s = &report.service;
    let grace = s.grace_days.map_or_else(|| "the ISP's".to_owned(), |g| format!("{g} days"));
    let provisioned = match (&s.provisioned_at, s.router_provisioned) {
        (None, _) => "not yet confirmed by the router".to_owned(),
        (Some(at), true) => format!("on the router (confirmed {at})"),
        (Some(at), false) => format!("off the router (confirmed {at})"),
    };
    let lines = [
        ("Service", format!("{} ({})", s.id, s.r#type)),
        (
            "Customer",
            format!(
                "{}{}",
                output::safe(&s.customer),
                s.phone.as_ref().map(|p| format!(", {}", output::safe(p))).unwrap_or_default()
            ),
        ),
        (if s.username.is_some() { "PPPoE user" } else { "Address" }, output::safe(&s.login())),
        ("Router", output::safe(&s.router)),
        ("Plan", output::safe(&s.plan)),
        ("Status", s.status.to_owned()),
        ("Next billing", output::or_dash(s.next_billing_date.clone())),
        ("Grace", grace),
        ("Provisioning", provisioned),
    ];
    for (label, value) in lines {
        output::line(format!("{:<16} {value}", format!("{label}:")))?;
    }
    output::line("")?;
    if report.queue.is_empty() {
        output::line("Queued actions:  none")?;
    } else {
        output::line("Queued actions:")?;
        let cells: Vec<Vec<String>> = report
            .queue
            .iter()
            .map(|q| {
                vec![
                    q.id.to_string(),
                    q.status.to_owned(),
                    q.attempts.to_string(),
                    output::safe(&q.detail),
                    output::or_dash(q.last_error.as_deref().map(output::safe)),
                    q.next_attempt_at.clone(),
                ]
            })
            .collect();
        output::table(&["ID", "STATUS", "ATTEMPTS", "ACTION", "LAST ERROR", "NEXT ATTEMPT"], &cells)?;
    }
    output::line("")?;
    if report.router_log.is_empty() {
        output::line("Router log:      nothing sent yet")?;
    } else {
        output::line(format!("Router log (last {LOG_LINES}):"))?;
        let cells: Vec<Vec<String>> = report
            .router_log
            .iter()
            .map(|l| {
                vec![
                    l.at.clone(),
                    output::safe(&l.command),
                    l.outcome.to_owned(),
                    output::or_dash(l.duration_ms.map(|d| format!("{d} ms"))),
                    output::or_dash(l.error.as_deref().map(output::safe)),
                ]
            })
            .collect();
        output::table(&["AT", "COMMAND", "OUTCOME", "TOOK", "ERROR"], &cells)?;
    }
    if !report.onus.is_empty() {
        output::line("")?;
        output::line("ONUs (received power, dBm):")?;
        let dbm = |v: Option<f64>| output::or_dash(v.map(|v| format!("{v:.1}")));
        let cells: Vec<Vec<String>> = report
            .onus
            .iter()
            .map(|o| {
                vec![
                    output::safe(&o.serial),
                    if o.current { "now" } else { "before" }.to_owned(),
                    output::or_dash(o.first.clone()),
                    output::or_dash(o.last.clone()),
                    dbm(o.rx_low),
                    dbm(o.rx_mean),
                    dbm(o.rx_high),
                ]
            })
            .collect();
        output::table(&["SERIAL", "LINKED", "FIRST", "LAST", "LOWEST", "MEAN", "HIGHEST"], &cells)?;
    }
    output::line("")?;
    if report.activity.is_empty() {
        output::line("Activity:        none")?;
    } else {
        output::line(format!("Activity (last {LOG_LINES}):"))?;
        let cells: Vec<Vec<String>> = report
            .activity
            .iter()
            .map(|a| vec![a.at.clone(), a.actor.to_owned(), output::safe(&a.action), output::safe(&a.detail)])
            .collect();
        output::table(&["AT", "BY", "ACTION", "DETAIL"], &cells)?;
    }
    output::line("")?;
    if report.payments.is_empty() {
        output::line("Payments:        none")?;
    } else {
        output::line("Payments:")?;
        let cells: Vec<Vec<String>> = report
            .payments
            .iter()
            .map(|p| {
                vec![
                    p.receipt.clone(),
                    p.date.clone(),
                    p.amount.clone(),
                    p.method.to_owned(),
                    p.months.map_or_else(|| "-".to_owned(), |m| m.to_string()),
                    p.actor.to_owned(),
                ]
            })
            .collect();
        output::table(&["RECEIPT", "DATE", "AMOUNT", "METHOD", "MONTHS", "BY"], &cells)?;
    }
    Ok(())
}

//! `headend olt add | list | remove | pin | plan-profile | zero-touch |
//! settings`: the
//! OLTs in the database, their passwords in the OS keyring (never in the
//! database, never printed), and what plans and services tell an OLT.

use std::str::FromStr;

use anyhow::Context;
use headend_core::activity::Actor;
use headend_core::geo::GeoPoint;
use headend_core::olt::{OltProfile, OltVendor};
use headend_core::{OltId, ServiceId};
use headend_olt::SerialNumber;
use headend_store::{OltOverview, Store};
use headend_workflows::Workflows;
use headend_workflows::olts::{OltInput, SignalChange, ZeroTouch, describe_signal};
use serde::Serialize;

use super::{find, parse_serial};
use crate::Globals;
use crate::input::read_password;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A name for the OLT, unique in the inventory.
    name: String,

    /// Whose CLI it speaks: huawei (MA5600T/MA5800), zte (C300/C320), zte-c600 or vsol (V1600G).
    #[arg(long, value_name = "V", value_parser = OltVendor::from_str)]
    vendor: OltVendor,

    /// Its address or host name.
    #[arg(long, value_name = "H")]
    host: String,

    /// The SSH port.
    #[arg(long, value_name = "P", default_value_t = 22, value_parser = clap::value_parser!(u16).range(1..))]
    port: u16,

    /// The CLI user Headend logs in as.
    #[arg(long, value_name = "U")]
    user: String,

    /// Read the password from standard input (required: a password is never an argument).
    #[arg(long, required = true)]
    password_stdin: bool,

    /// Site coordinates in decimal degrees: LAT,LON.
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true, value_parser = GeoPoint::from_str)]
    location: Option<GeoPoint>,

    /// The point of presence it stands in; created if new.
    #[arg(long, value_name = "NAME")]
    pop: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct PlanProfileArgs {
    /// The plan's name.
    plan: String,
    /// Huawei and VSOL: the line profile (a number is an id, else a name). ZTE: the T-CONT profile.
    #[arg(long, value_name = "PROFILE")]
    line: Option<String>,
    /// Huawei and VSOL: the service profile. ZTE: the ONU type (default: what autofind reports).
    #[arg(long, value_name = "PROFILE")]
    service: Option<String>,
    /// The subscriber VLAN (1-4094).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=4094))]
    vlan: Option<u16>,
}

#[derive(Debug, clap::Args)]
pub struct ZeroTouchArgs {
    /// The service's id.
    service: i64,
    /// The serial of the ONU the technician installs (e.g. HWTC0B086EA9 or 485754430B086EA9).
    #[arg(long, value_name = "SN", value_parser = parse_serial, required_unless_present = "clear")]
    serial: Option<SerialNumber>,
    /// A VLAN for this service instead of its plan's.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=4094))]
    vlan: Option<u16>,
    /// Forget the service's serial and VLAN.
    #[arg(long, conflicts_with_all = ["serial", "vlan"])]
    clear: bool,
}

#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// Minutes between two signal sweeps of every OLT (1-60).
    #[arg(long, value_name = "N")]
    sweep_minutes: Option<u16>,
    /// ONU Rx below this is a warning (dBm), e.g. -27.
    #[arg(long, value_name = "DBM", allow_hyphen_values = true)]
    warning: Option<f64>,
    /// ONU Rx below this is critical (dBm), e.g. -29.
    #[arg(long, value_name = "DBM", allow_hyphen_values = true)]
    critical: Option<f64>,
    /// ONU Rx above this is critical: an overloaded receiver (dBm), e.g. -8.
    #[arg(long, value_name = "DBM", allow_hyphen_values = true)]
    overload: Option<f64>,
    /// Days every reading is kept, before it is rolled up into hourly
    /// lowest, mean and highest (1-30, at most the history).
    #[arg(long, value_name = "DAYS")]
    raw_days: Option<u16>,
    /// Days of signal history kept in all, hourly past the raw days (up to 400).
    #[arg(long, value_name = "DAYS")]
    history_days: Option<u16>,
    /// Days of OLT command log kept.
    #[arg(long, value_name = "DAYS")]
    log_days: Option<u16>,
}

#[derive(Debug, Serialize)]
struct SettingsJson {
    sweep_minutes: u16,
    warning_dbm: f64,
    critical_dbm: f64,
    overload_dbm: f64,
    raw_days: u16,
    history_days: u16,
    log_days: u16,
}

pub async fn settings(globals: &Globals, w: &Workflows, args: SettingsArgs) -> anyhow::Result<()> {
    let change = SignalChange {
        sweep_minutes: args.sweep_minutes,
        warning: args.warning,
        critical: args.critical,
        overload: args.overload,
        raw_days: args.raw_days,
        history_days: args.history_days,
        log_days: args.log_days,
    };
    let policy = w.change_signal_settings(&Actor::Cli, change).await?;
    let t = policy.thresholds;
    if globals.json {
        return output::json(&SettingsJson {
            sweep_minutes: policy.interval_minutes(),
            warning_dbm: t.warning_below(),
            critical_dbm: t.critical_below(),
            overload_dbm: t.critical_above(),
            raw_days: policy.retention.raw_days(),
            history_days: policy.retention.history_days(),
            log_days: policy.command_log_days(),
        });
    }
    output::line(format!("OLTs: {}.", describe_signal(&policy)))?;
    Ok(())
}

/// An OLT as `list` and `add` print it.
#[derive(Debug, Serialize)]
struct OltJson {
    id: i64,
    name: String,
    vendor: &'static str,
    host: String,
    port: u16,
    user: String,
    pop: Option<String>,
    location: Option<Location>,
    /// The pinned SSH host key fingerprint (not a secret).
    host_key: Option<String>,
    /// A different key the OLT presented: refused until `olt pin`.
    presented_key: Option<String>,
    reached_at: Option<String>,
    error: Option<String>,
    swept_at: Option<String>,
    onus: u32,
    online: u32,
    los: u32,
    dying_gasp: u32,
    offline: u32,
    alerts: Alerts,
    unconfigured: u32,
}

#[derive(Debug, Serialize)]
struct Location {
    lat: f64,
    lon: f64,
}

#[derive(Debug, Serialize)]
struct Alerts {
    warning: u32,
    critical: u32,
    los: u32,
}

impl OltJson {
    fn new(o: &OltOverview) -> Self {
        let h = &o.health;
        Self {
            id: o.olt.id.0,
            name: o.olt.name.clone(),
            vendor: o.olt.vendor.as_str(),
            host: o.olt.host.clone(),
            port: o.olt.port,
            user: o.olt.username.clone(),
            pop: o.pop_name.clone(),
            location: o.olt.location.map(|l| Location { lat: l.lat(), lon: l.lon() }),
            host_key: o.olt.host_key.clone(),
            presented_key: h.presented_key.clone(),
            reached_at: h.reached_at.map(|t| t.to_string()),
            error: h.error.clone(),
            swept_at: h.swept_at.map(|t| t.to_string()),
            onus: o.onus,
            online: o.online,
            los: o.los,
            dying_gasp: o.dying_gasp,
            offline: o.offline,
            alerts: Alerts { warning: o.warnings, critical: o.criticals, los: o.los_alerts },
            unconfigured: o.unconfigured,
        }
    }

    /// `healthy`, `unreachable`, `key changed`, or `never reached`.
    fn health(&self) -> &'static str {
        match (&self.presented_key, &self.error, &self.reached_at) {
            (Some(_), _, _) => "KEY CHANGED",
            (None, Some(_), _) => "unreachable",
            (None, None, Some(_)) => "ok",
            (None, None, None) => "not yet reached",
        }
    }
}

async fn overview(store: &Store, id: OltId) -> anyhow::Result<OltOverview> {
    store
        .olt_overviews()
        .await?
        .into_iter()
        .find(|o| o.olt.id == id)
        .context("the OLT vanished while it was being read")
}

pub async fn add(globals: &Globals, w: &Workflows, args: AddArgs) -> anyhow::Result<()> {
    let password = tokio::task::spawn_blocking(|| read_password("OLT password", "olt add"))
        .await
        .context("reading standard input stopped unexpectedly")??;
    let input = OltInput {
        name: args.name,
        vendor: args.vendor,
        host: args.host,
        port: Some(args.port),
        username: args.user,
        pop: args.pop,
        location: args.location,
    };
    let olt = w.add_olt(&Actor::Cli, input, password).await?;
    let row = OltJson::new(&overview(w.store(), olt.id).await?);
    if globals.json {
        return output::json(&row);
    }
    output::line(format!(
        "Added OLT {} (id {}): {} at {}:{}, user {}; password kept in the keyring. The SSH host key is pinned on the first connection.",
        output::safe(&row.name),
        row.id,
        row.vendor,
        output::safe(&row.host),
        row.port,
        output::safe(&row.user),
    ))?;
    Ok(())
}

pub async fn list(globals: &Globals, store: &Store) -> anyhow::Result<()> {
    let rows: Vec<OltJson> = store.olt_overviews().await?.iter().map(OltJson::new).collect();
    if globals.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        eprintln!(
            "No OLTs yet: add one with `headend olt add NAME --vendor huawei --host H --user U --password-stdin`."
        );
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                output::safe(&r.name),
                r.vendor.to_owned(),
                format!("{}:{}", output::safe(&r.host), r.port),
                r.health().to_owned(),
                format!("{}/{}", r.online, r.onus),
                r.los.to_string(),
                format!("{}/{}/{}", r.alerts.warning, r.alerts.critical, r.alerts.los),
                r.unconfigured.to_string(),
                output::or_dash(r.swept_at.clone()),
            ]
        })
        .collect();
    output::table(
        &["ID", "NAME", "VENDOR", "ADDRESS", "HEALTH", "ONLINE", "LOS", "ALERTS W/C/LOS", "UNCONFIGURED", "SWEPT"],
        &cells,
    )?;
    for r in rows.iter().filter(|r| r.error.is_some()) {
        eprintln!("{}: {}", output::safe(&r.name), output::safe(r.error.as_deref().unwrap_or_default()));
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Removed {
    id: i64,
    name: String,
    password_deleted: bool,
}

pub async fn remove(globals: &Globals, w: &Workflows, name: &str) -> anyhow::Result<()> {
    let olt = find(w.store(), name).await?;
    let removed = w.remove_olt(&Actor::Cli, olt.id).await?;
    if let Some(err) = &removed.password_kept {
        eprintln!(
            "headend: warning: OLT {} removed, but its password could not be deleted from the keyring: {err}",
            output::safe(&olt.name),
        );
    }
    let deleted = removed.password_kept.is_none();
    if globals.json {
        return output::json(&Removed { id: olt.id.0, name: olt.name, password_deleted: deleted });
    }
    output::line(format!(
        "Removed OLT {} (id {}){}.",
        output::safe(&olt.name),
        olt.id,
        if deleted { " and its password" } else { "" }
    ))?;
    Ok(())
}

#[derive(Debug, Serialize)]
struct Pinned {
    id: i64,
    name: String,
    host_key: String,
    previous: Option<String>,
}

pub async fn pin(globals: &Globals, w: &Workflows, name: &str) -> anyhow::Result<()> {
    let olt = find(w.store(), name).await?;
    let pinned = w.pin_olt_key(&Actor::Cli, olt.id, None).await?;
    if globals.json {
        return output::json(&Pinned {
            id: olt.id.0,
            name: olt.name,
            host_key: pinned.host_key,
            previous: pinned.previous,
        });
    }
    output::line(format!(
        "OLT {}: host key {} pinned; Headend connects to it again.",
        output::safe(&olt.name),
        pinned.host_key
    ))?;
    Ok(())
}

#[derive(Debug, Serialize)]
struct PlanProfileJson {
    plan_id: i64,
    plan: String,
    line: Option<String>,
    service: Option<String>,
    vlan: Option<u16>,
}

pub async fn plan_profile(globals: &Globals, w: &Workflows, args: PlanProfileArgs) -> anyhow::Result<()> {
    let plan = w
        .store()
        .plan_by_name(&args.plan)
        .await?
        .with_context(|| format!("no plan named {:?}; `headend plan list` shows them", args.plan))?;
    let given = OltProfile { line: args.line, service: args.service, vlan: args.vlan };
    let profile = w.set_plan_olt_profile(&Actor::Cli, plan.id, given).await?;
    if globals.json {
        return output::json(&PlanProfileJson {
            plan_id: plan.id.0,
            plan: plan.name,
            line: profile.line,
            service: profile.service,
            vlan: profile.vlan,
        });
    }
    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
    output::line(format!(
        "Plan {}: line {}, service {}, VLAN {}.",
        output::safe(&plan.name),
        show(&profile.line),
        show(&profile.service),
        profile.vlan.map_or_else(|| "none".into(), |v| v.to_string())
    ))?;
    Ok(())
}

#[derive(Debug, Serialize)]
struct ZeroTouchJson {
    service_id: i64,
    serial: Option<String>,
    vlan: Option<u16>,
    /// The ONU linked to the service already, if any.
    onu: Option<String>,
}

pub async fn zero_touch(globals: &Globals, w: &Workflows, args: ZeroTouchArgs) -> anyhow::Result<()> {
    let id = ServiceId(args.service);
    let zero_touch = if args.clear { ZeroTouch::default() } else { ZeroTouch { serial: args.serial, vlan: args.vlan } };
    let onu = w.set_zero_touch(&Actor::Cli, id, zero_touch).await?;
    let service = w.service(id).await?;
    let linked =
        w.store().onu_of_service(id).await?.map(|o| format!("{} {}:{} ({})", o.olt_name, o.port, o.index, o.serial));
    if globals.json {
        return output::json(&ZeroTouchJson { service_id: id.0, serial: onu.serial, vlan: onu.vlan, onu: linked });
    }
    let detail = match &onu.serial {
        Some(serial) => format!("ONU {serial}{}", onu.vlan.map(|v| format!(", VLAN {v}")).unwrap_or_default()),
        None => "no ONU serial".to_owned(),
    };
    let waiting = if onu.serial.is_some() && linked.is_none() {
        "; it is registered when it shows up in an OLT's autofind (the app or `headend agent` watches, or run `headend olt sweep`)"
    } else {
        ""
    };
    output::line(format!("Service {id} ({}): {detail}{waiting}.", output::safe(&service.label())))?;
    Ok(())
}

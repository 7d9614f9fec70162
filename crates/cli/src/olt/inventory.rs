//! `headend olt add | list | remove | pin | plan-profile | zero-touch |
//! settings`: the
//! OLTs in the database, their passwords in the OS keyring (never in the
//! database, never printed), and what plans and services tell an OLT.

use std::str::FromStr;

use anyhow::{Context, bail};
use headend_core::activity::Subject;
use headend_core::geo::GeoPoint;
use headend_core::olt::{OltProfile, OltVendor};
use headend_core::optical::Thresholds;
use headend_core::{OltId, ServiceId};
use headend_olt::SerialNumber;
use headend_secrets::SecretKey;
use headend_store::{NewOlt, OltOverview, ServiceOnu, Store};
use serde::Serialize;

use super::{find, parse_serial};
use crate::Globals;
use crate::input::{non_empty, read_password};
use crate::inventory::{PopChoice, keep_password};
use crate::open::open_secrets;
use crate::{activity, output};

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
    /// Days of signal history kept.
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
    history_days: u16,
    log_days: u16,
}

pub async fn settings(globals: &Globals, store: &Store, args: SettingsArgs) -> anyhow::Result<()> {
    let mut policy = store.signal_policy().await?;
    let before = policy;
    if let Some(m) = args.sweep_minutes {
        policy.set_interval_minutes(m)?;
    }
    if args.warning.is_some() || args.critical.is_some() || args.overload.is_some() {
        let t = policy.thresholds;
        policy.thresholds = Thresholds::new(
            args.warning.unwrap_or(t.warning_below()),
            args.critical.unwrap_or(t.critical_below()),
            args.overload.unwrap_or(t.critical_above()),
        )?;
    }
    if let Some(d) = args.history_days {
        policy.set_history_days(d)?;
    }
    if let Some(d) = args.log_days {
        policy.set_command_log_days(d)?;
    }
    let t = policy.thresholds;
    let row = SettingsJson {
        sweep_minutes: policy.interval_minutes(),
        warning_dbm: t.warning_below(),
        critical_dbm: t.critical_below(),
        overload_dbm: t.critical_above(),
        history_days: policy.history_days(),
        log_days: policy.command_log_days(),
    };
    let text = format!(
        "signal sweep every {} min; ONU Rx warning below {} dBm, critical below {} or above {} dBm; history kept {} days, command log {} days",
        row.sweep_minutes, row.warning_dbm, row.critical_dbm, row.overload_dbm, row.history_days, row.log_days
    );
    if policy != before {
        store.set_signal_policy(&policy).await?;
        activity::log(store, Subject::OltSettings, "signal settings changed", text.clone()).await;
    }
    if globals.json {
        return output::json(&row);
    }
    output::line(format!("OLTs: {text}."))?;
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

pub async fn add(globals: &Globals, store: &Store, args: AddArgs) -> anyhow::Result<()> {
    let name = non_empty("the OLT's name", &args.name)?.to_owned();
    let host = non_empty("--host", &args.host)?.to_owned();
    let user = non_empty("--user", &args.user)?.to_owned();
    let pop_name = args.pop.as_deref().map(|p| non_empty("--pop", p)).transpose()?;
    let password = tokio::task::spawn_blocking(|| read_password("OLT password", "olt add"))
        .await
        .context("reading standard input stopped unexpectedly")??;
    if store.olt_by_name(&name).await?.is_some() {
        bail!("an OLT named {name:?} already exists");
    }
    // Before anything is written: without a keyring there is nothing to add.
    let secrets = open_secrets(store).await?;
    let pop = PopChoice::find_or_add(store, pop_name).await?;
    let new = NewOlt {
        name: name.clone(),
        vendor: args.vendor,
        host,
        port: args.port,
        username: user,
        pop: pop.id,
        location: args.location,
    };
    let id = match store.add_olt(&new).await {
        Ok(id) => id,
        Err(err) => {
            pop.undo(store, "OLT").await;
            return Err(err.into());
        }
    };
    if let Err(err) = keep_password(secrets, SecretKey::olt(id), password).await {
        // Nothing half-added: no OLT without its password.
        let undone = store.remove_olt(id).await;
        pop.undo(store, "OLT").await;
        return Err(match undone {
            Ok(()) => err.context("cannot keep the password in the keyring, so the OLT was not added"),
            Err(undo) => err.context(format!(
                "cannot keep the password in the keyring, and taking the OLT out again failed ({undo}); run `headend olt remove {name}`"
            )),
        });
    }
    activity::log(
        store,
        Subject::Olt(id),
        "olt added",
        format!("{} ({}) at {}:{}", new.name, new.vendor, new.host, new.port),
    )
    .await;
    let row = OltJson::new(&overview(store, id).await?);
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

pub async fn remove(globals: &Globals, store: &Store, name: &str) -> anyhow::Result<()> {
    let olt = find(store, name).await?;
    let secrets = open_secrets(store).await;
    store.remove_olt(olt.id).await?;
    activity::log(store, Subject::Olt(olt.id), "olt removed", olt.name.clone()).await;
    let key = SecretKey::olt(olt.id);
    let deleted = match secrets {
        Ok(secrets) => tokio::task::spawn_blocking(move || secrets.delete(&key))
            .await
            .map_err(anyhow::Error::from)
            .and_then(|r| r.map_err(anyhow::Error::from)),
        Err(err) => Err(err),
    };
    if let Err(err) = &deleted {
        eprintln!(
            "headend: warning: OLT {} removed, but its password could not be deleted from the keyring: {}",
            output::safe(&olt.name),
            crate::one_line(err)
        );
    }
    if globals.json {
        return output::json(&Removed { id: olt.id.0, name: olt.name, password_deleted: deleted.is_ok() });
    }
    output::line(format!(
        "Removed OLT {} (id {}){}.",
        output::safe(&olt.name),
        olt.id,
        if deleted.is_ok() { " and its password" } else { "" }
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

pub async fn pin(globals: &Globals, store: &Store, name: &str) -> anyhow::Result<()> {
    let olt = find(store, name).await?;
    let health = store.olt_health(olt.id).await?.unwrap_or_default();
    let Some(presented) = health.presented_key else {
        bail!(
            "OLT {name:?} has presented no other host key{}; nothing to pin",
            olt.host_key.as_deref().map(|k| format!(" (pinned: {k})")).unwrap_or_default()
        );
    };
    store.set_olt_host_key(olt.id, Some(&presented)).await?;
    let previous = olt.host_key.clone();
    activity::log(
        store,
        Subject::Olt(olt.id),
        "host key pinned",
        format!("{} now trusted instead of {}", presented, previous.as_deref().unwrap_or("none")),
    )
    .await;
    if globals.json {
        return output::json(&Pinned { id: olt.id.0, name: olt.name, host_key: presented, previous });
    }
    output::line(format!(
        "OLT {}: host key {presented} pinned; Headend connects to it again.",
        output::safe(&olt.name)
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

pub async fn plan_profile(globals: &Globals, store: &Store, args: PlanProfileArgs) -> anyhow::Result<()> {
    let plan = store
        .plan_by_name(&args.plan)
        .await?
        .with_context(|| format!("no plan named {:?}; `headend plan list` shows them", args.plan))?;
    let trimmed = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let profile = OltProfile { line: trimmed(args.line), service: trimmed(args.service), vlan: args.vlan };
    store.set_plan_olt_profile(plan.id, &profile).await?;
    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
    let detail = format!(
        "line {}, service {}, VLAN {}",
        show(&profile.line),
        show(&profile.service),
        profile.vlan.map_or_else(|| "none".into(), |v| v.to_string())
    );
    activity::log(store, Subject::Plan(plan.id), "olt profile set", detail.clone()).await;
    if globals.json {
        return output::json(&PlanProfileJson {
            plan_id: plan.id.0,
            plan: plan.name,
            line: profile.line,
            service: profile.service,
            vlan: profile.vlan,
        });
    }
    output::line(format!("Plan {}: {detail}.", output::safe(&plan.name)))?;
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

pub async fn zero_touch(globals: &Globals, store: &Store, args: ZeroTouchArgs) -> anyhow::Result<()> {
    let id = ServiceId(args.service);
    let service = store
        .service(id)
        .await?
        .with_context(|| format!("no service with id {id}; `headend service list` shows them"))?;
    let onu = if args.clear {
        ServiceOnu::default()
    } else {
        ServiceOnu { serial: args.serial.map(|s| s.to_string()), vlan: args.vlan }
    };
    store.set_service_onu(id, &onu).await?;
    let detail = match &onu.serial {
        Some(serial) => format!("ONU {serial}{}", onu.vlan.map(|v| format!(", VLAN {v}")).unwrap_or_default()),
        None => "no ONU serial".to_owned(),
    };
    activity::log(store, Subject::Service(id), "onu serial set", detail.clone()).await;
    let linked =
        store.onu_of_service(id).await?.map(|o| format!("{} {}:{} ({})", o.olt_name, o.port, o.index, o.serial));
    if globals.json {
        return output::json(&ZeroTouchJson { service_id: id.0, serial: onu.serial, vlan: onu.vlan, onu: linked });
    }
    let waiting = if onu.serial.is_some() && linked.is_none() {
        "; it is registered when it shows up in an OLT's autofind (the app or `headend agent` watches, or run `headend olt sweep`)"
    } else {
        ""
    };
    output::line(format!("Service {id} ({}): {detail}{waiting}.", output::safe(&service.label())))?;
    Ok(())
}

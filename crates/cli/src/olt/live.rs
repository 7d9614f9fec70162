//! `headend olt autofind | onus | optical | authorize | deregister | sweep |
//! log`: what an OLT holds, read now over SSH (and recorded in the
//! database as the app would), and the changes an operator makes.

use std::collections::BTreeSet;

use anyhow::bail;
use headend_core::activity::Actor;
use headend_core::olt::{Olt, OltProfile, onu_description};
use headend_core::optical::Thresholds;
use headend_core::{OltId, ServiceId};
use headend_olt::{AuthorizeRequest, OnuRef, OpticalReading, PonPort, SerialNumber, Vlan};
use headend_pon::{OltFleet, onu_profile};
use headend_store::{OnuRow, Store};
use serde::Serialize;

use super::{find, fleet, parse_port, parse_serial};
use crate::{Globals, output};

#[derive(Debug, clap::Args)]
pub struct AuthorizeArgs {
    /// The OLT's name.
    name: String,
    /// The PON port it was found on (frame/slot/port, e.g. 0/1/0).
    #[arg(long, value_name = "P", value_parser = parse_port)]
    port: PonPort,
    /// Its serial (e.g. HWTC0B086EA9 or 485754430B086EA9).
    #[arg(long, value_name = "SN", value_parser = parse_serial)]
    serial: SerialNumber,
    /// The OLT profile, LINE[,SERVICE] (Huawei and VSOL: line and service profile, a number is an id;
    /// ZTE: T-CONT profile and ONU type). Default: the service's plan's.
    #[arg(long, value_name = "LINE[,SERVICE]")]
    profile: Option<String>,
    /// The subscriber VLAN (1-4094). Default: the service's or its plan's.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=4094))]
    vlan: Option<u16>,
    /// The description on the OLT (ASCII, no quotes or `?`). Default: the service and customer.
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// The service this ONU is for: its plan gives the defaults, and the ONU is linked to it.
    #[arg(long, value_name = "ID")]
    service: Option<i64>,
}

/// Runs `work` with a fleet for this command; the command log is written
/// and the sessions closed before returning, whatever happened.
async fn with_fleet<T>(store: &Store, work: impl AsyncFnOnce(&OltFleet) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let fleet = fleet(store).await?;
    let result = work(&fleet).await;
    fleet.close().await;
    result
}

fn time(t: Option<jiff::Timestamp>) -> Option<String> {
    t.map(|t| t.to_string())
}

#[derive(Debug, Serialize)]
struct AutofindJson {
    port: String,
    serial: String,
    vendor_id: String,
    equipment: Option<String>,
    software: Option<String>,
    /// As the OLT printed it (its own clock).
    found_at: Option<String>,
    /// The service waiting for this serial (zero-touch), if any.
    service_id: Option<i64>,
    service: Option<String>,
}

pub async fn autofind(globals: &Globals, store: &Store, name: &str) -> anyhow::Result<()> {
    let olt = find(store, name).await?;
    let found = with_fleet(store, async |f| Ok(f.autofind(&olt).await?)).await?;
    let waiting = store.autofind_onus(Some(olt.id)).await?;
    let rows: Vec<AutofindJson> = found
        .iter()
        .map(|f| {
            let service = waiting.iter().find(|w| w.serial == f.serial.as_str());
            AutofindJson {
                port: f.port.to_string(),
                serial: f.serial.to_string(),
                vendor_id: f.vendor_id.clone(),
                equipment: f.equipment_id.clone(),
                software: f.software_version.clone(),
                found_at: f.found_at.map(|t| t.civil.to_string()),
                service_id: service.and_then(|s| s.service).map(|s| s.0),
                service: service.and_then(|s| s.service_label.clone()),
            }
        })
        .collect();
    if globals.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        eprintln!("No unregistered ONUs on {}.", output::safe(&olt.name));
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.port.clone(),
                r.serial.clone(),
                output::or_dash(r.equipment.as_deref().map(output::safe)),
                output::or_dash(r.found_at.clone()),
                output::or_dash(r.service.as_deref().map(output::safe)),
            ]
        })
        .collect();
    Ok(output::table(&["PORT", "SERIAL", "EQUIPMENT", "FOUND", "FOR SERVICE"], &cells)?)
}

#[derive(Debug, Serialize)]
struct OnuJson {
    port: String,
    id: u32,
    serial: String,
    equipment: Option<String>,
    description: Option<String>,
    /// online, offline, los, dying-gasp or other.
    state: &'static str,
    last_up: Option<String>,
    last_down: Option<String>,
    last_down_cause: Option<String>,
    service_id: Option<i64>,
    service: Option<String>,
    /// ONU Rx at the last signal sweep (dBm).
    rx_dbm: Option<f64>,
    /// The alert open on it: warning, critical or los.
    alert: Option<&'static str>,
}

impl OnuJson {
    fn new(o: &OnuRow) -> Self {
        Self {
            port: o.port.clone(),
            id: o.index,
            serial: o.serial.clone(),
            equipment: o.equipment.clone(),
            description: o.description.clone(),
            state: o.state.as_str(),
            last_up: time(o.last_up),
            last_down: time(o.last_down),
            last_down_cause: o.last_down_cause.clone(),
            service_id: o.service.map(|s| s.0),
            service: o.service_label.clone(),
            rx_dbm: o.onu_rx,
            alert: o.alert.map(|a| a.as_str()),
        }
    }
}

pub async fn onus(globals: &Globals, store: &Store, name: &str, port: Option<PonPort>) -> anyhow::Result<()> {
    let olt = find(store, name).await?;
    // Read now; the database is brought up to date and then read with the
    // services and the last sweep's levels alongside.
    with_fleet(store, async |f| Ok(f.onus(&olt, port).await?)).await?;
    let rows: Vec<OnuJson> =
        store.onus(olt.id, port.map(|p| p.to_string()).as_deref()).await?.iter().map(OnuJson::new).collect();
    if globals.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        eprintln!("No registered ONUs{}.", port.map(|p| format!(" on port {p}")).unwrap_or_default());
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.port.clone(),
                r.id.to_string(),
                r.serial.clone(),
                r.state.to_owned(),
                output::or_dash(r.rx_dbm.map(|v| format!("{v:.2}"))),
                output::or_dash(r.alert.map(str::to_owned)),
                output::or_dash(r.description.as_deref().map(output::safe)),
                output::or_dash(r.service.as_deref().map(output::safe)),
            ]
        })
        .collect();
    Ok(output::table(&["PORT", "ID", "SERIAL", "STATE", "RX dBm", "ALERT", "DESCRIPTION", "SERVICE"], &cells)?)
}

#[derive(Debug, Serialize)]
struct OpticalJson {
    port: String,
    id: u32,
    serial: Option<String>,
    onu_rx_dbm: Option<f64>,
    onu_tx_dbm: Option<f64>,
    olt_rx_dbm: Option<f64>,
    olt_tx_dbm: Option<f64>,
    temperature_c: Option<f64>,
    voltage_v: Option<f64>,
    bias_ma: Option<f64>,
    distance_m: Option<f64>,
    /// Where the ONU Rx falls against the thresholds: good, warning or critical.
    band: Option<&'static str>,
}

impl OpticalJson {
    fn new(onu: OnuRef, r: &OpticalReading, serial: Option<String>, t: &Thresholds) -> Self {
        Self {
            port: onu.port.to_string(),
            id: onu.id,
            serial,
            onu_rx_dbm: r.onu_rx.map(|v| v.0),
            onu_tx_dbm: r.onu_tx.map(|v| v.0),
            olt_rx_dbm: r.olt_rx.map(|v| v.0),
            olt_tx_dbm: r.olt_tx.map(|v| v.0),
            temperature_c: r.temperature.map(|v| v.0),
            voltage_v: r.voltage.map(|v| v.0),
            bias_ma: r.bias_current.map(|v| v.0),
            distance_m: r.distance.map(|v| v.0),
            band: r.onu_rx.map(|v| t.band(v.0).as_str()),
        }
    }
}

pub async fn optical(
    globals: &Globals,
    store: &Store,
    name: &str,
    port: Option<PonPort>,
    onu: Option<u32>,
) -> anyhow::Result<()> {
    let olt = find(store, name).await?;
    let readings = with_fleet(store, async |f| {
        Ok(match (port, onu) {
            (Some(port), Some(id)) => {
                let onu = OnuRef::new(port, id);
                vec![(onu, f.optical(&olt, onu).await?)]
            }
            (Some(port), None) => f.optical_port(&olt, port).await?.into_iter().map(|r| (r.onu, r.reading)).collect(),
            (None, _) => {
                let ports: BTreeSet<PonPort> = f.onus(&olt, None).await?.iter().map(|o| o.onu.port).collect();
                let mut all = Vec::new();
                for port in ports {
                    all.extend(f.optical_port(&olt, port).await?.into_iter().map(|r| (r.onu, r.reading)));
                }
                all
            }
        })
    })
    .await?;
    let thresholds = store.signal_policy().await?.thresholds;
    let known = store.onus(olt.id, None).await?;
    let rows: Vec<OpticalJson> = readings
        .iter()
        .map(|(onu, r)| {
            let serial =
                known.iter().find(|k| k.port == onu.port.to_string() && k.index == onu.id).map(|k| k.serial.clone());
            OpticalJson::new(*onu, r, serial, &thresholds)
        })
        .collect();
    if globals.json {
        return output::json(&rows);
    }
    let dbm = |v: Option<f64>| output::or_dash(v.map(|v| format!("{v:.2}")));
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.port.clone(),
                r.id.to_string(),
                output::or_dash(r.serial.clone()),
                dbm(r.onu_rx_dbm),
                dbm(r.onu_tx_dbm),
                dbm(r.olt_rx_dbm),
                output::or_dash(r.temperature_c.map(|v| format!("{v:.1}"))),
                output::or_dash(r.distance_m.map(|v| format!("{v:.0}"))),
                output::or_dash(r.band.map(str::to_owned)),
            ]
        })
        .collect();
    Ok(output::table(&["PORT", "ID", "SERIAL", "ONU RX", "ONU TX", "OLT RX", "TEMP °C", "DIST m", "BAND"], &cells)?)
}

#[derive(Debug, Serialize)]
struct AuthorizedJson {
    olt: String,
    port: String,
    id: u32,
    serial: String,
    service_id: Option<i64>,
    line_profile: Option<String>,
    service_profile: Option<String>,
    vlan: Option<u16>,
    description: Option<String>,
}

/// `LINE[,SERVICE]`.
fn parse_profile(text: &str) -> anyhow::Result<OltProfile> {
    let mut parts = text.split(',').map(str::trim);
    let line = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
    let service = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
    if parts.next().is_some() || line.is_none() {
        bail!("--profile is LINE or LINE,SERVICE (e.g. 20,30 on Huawei, UP-100M,ZTE-F670 on ZTE), not {text:?}");
    }
    Ok(OltProfile { line, service, vlan: None })
}

pub async fn authorize(globals: &Globals, store: &Store, args: AuthorizeArgs) -> anyhow::Result<()> {
    let olt = find(store, &args.name).await?;
    let service = args.service.map(ServiceId);
    // Defaults from the service: its plan's profile, its VLAN, its name.
    let (mut profile, mut description) = (OltProfile::default(), None);
    if let Some(id) = service {
        let s = store
            .service(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no service with id {id}; `headend service list` shows them"))?;
        profile = store.plan_olt_profile(s.plan).await?.unwrap_or_default();
        if let Some(vlan) = store.service_onu(id).await?.and_then(|o| o.vlan) {
            profile.vlan = Some(vlan);
        }
        description = Some(onu_description(id, &s.customer_name));
    }
    if let Some(text) = &args.profile {
        let given = parse_profile(text)?;
        profile.line = given.line;
        profile.service = given.service;
    }
    if let Some(vlan) = args.vlan {
        profile.vlan = Some(vlan);
    }
    if args.description.is_some() {
        description = args.description.clone();
    }
    let equipment = store
        .autofind_onus(Some(olt.id))
        .await?
        .into_iter()
        .find(|f| f.serial == args.serial.as_str())
        .and_then(|f| f.equipment);
    let request = AuthorizeRequest {
        port: args.port,
        serial: args.serial.clone(),
        onu_id: None,
        profile: onu_profile(olt.vendor, &profile, equipment.as_deref()),
        vlan: profile.vlan.and_then(Vlan::new),
        description: description.clone(),
    };
    let onu = with_fleet(store, async |f| Ok(f.authorize(&olt, request, service, Actor::Cli).await?)).await?;
    let row = AuthorizedJson {
        olt: olt.name.clone(),
        port: onu.port.to_string(),
        id: onu.id,
        serial: args.serial.to_string(),
        service_id: service.map(|s| s.0),
        line_profile: profile.line,
        service_profile: profile.service,
        vlan: profile.vlan,
        description,
    };
    if globals.json {
        return output::json(&row);
    }
    output::line(format!(
        "Authorized {} on {} port {} as ONU {}{}{}.",
        row.serial,
        output::safe(&row.olt),
        row.port,
        row.id,
        row.vlan.map(|v| format!(", VLAN {v}")).unwrap_or_default(),
        row.service_id.map(|s| format!(", linked to service {s}")).unwrap_or_default(),
    ))?;
    Ok(())
}

#[derive(Debug, Serialize)]
struct DeregisteredJson {
    olt: String,
    port: String,
    id: u32,
    serial: Option<String>,
}

pub async fn deregister(globals: &Globals, store: &Store, name: &str, port: PonPort, id: u32) -> anyhow::Result<()> {
    let olt = find(store, name).await?;
    let serial =
        store.onus(olt.id, Some(&port.to_string())).await?.into_iter().find(|o| o.index == id).map(|o| o.serial);
    let onu = OnuRef::new(port, id);
    with_fleet(store, async |f| Ok(f.deregister(&olt, onu, Actor::Cli).await?)).await?;
    let row = DeregisteredJson { olt: olt.name.clone(), port: port.to_string(), id, serial };
    if globals.json {
        return output::json(&row);
    }
    output::line(format!(
        "Deregistered ONU {} on {} port {}{}.",
        id,
        output::safe(&row.olt),
        row.port,
        row.serial.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
    ))?;
    Ok(())
}

#[derive(Debug, Serialize)]
struct SweepJson {
    olt: String,
    ok: bool,
    error: Option<String>,
    onus: usize,
    online: usize,
    readings: usize,
    unconfigured: usize,
    alerts: Vec<AlertJson>,
    /// Ports or autofind that could not be read.
    warnings: Vec<String>,
    took_ms: u64,
}

#[derive(Debug, Serialize)]
struct AlertJson {
    port: String,
    id: u32,
    serial: String,
    /// raise, change or clear.
    change: &'static str,
    level: &'static str,
    rx_dbm: Option<f64>,
}

#[derive(Debug, Serialize)]
struct ZeroTouchJson {
    authorized: Vec<String>,
    linked: usize,
    failed: Vec<String>,
}

async fn sweep_one(fleet: &OltFleet, olt: &Olt) -> SweepJson {
    use headend_core::optical::AlertChange;
    match fleet.sweep_signals(olt).await {
        Ok(r) => SweepJson {
            olt: olt.name.clone(),
            ok: true,
            error: None,
            onus: r.onus,
            online: r.online,
            readings: r.readings,
            unconfigured: r.unconfigured,
            alerts: r
                .alerts
                .iter()
                .filter_map(|a| {
                    let (change, level) = match a.change {
                        AlertChange::Raise(l) => ("raise", l),
                        AlertChange::Change { to, .. } => ("change", to),
                        AlertChange::Clear(l) => ("clear", l),
                        AlertChange::None => return None,
                    };
                    Some(AlertJson {
                        port: a.port.clone(),
                        id: a.onu_index,
                        serial: a.serial.clone(),
                        change,
                        level: level.as_str(),
                        rx_dbm: a.rx,
                    })
                })
                .collect(),
            warnings: r.errors.clone(),
            took_ms: u64::try_from(r.took.as_millis()).unwrap_or(u64::MAX),
        },
        Err(e) => SweepJson {
            olt: olt.name.clone(),
            ok: false,
            error: Some(e.to_string()),
            onus: 0,
            online: 0,
            readings: 0,
            unconfigured: 0,
            alerts: Vec::new(),
            warnings: Vec::new(),
            took_ms: 0,
        },
    }
}

pub async fn sweep(globals: &Globals, store: &Store, name: Option<&str>) -> anyhow::Result<()> {
    let olts = match name {
        Some(name) => vec![find(store, name).await?],
        None => store.olts().await?,
    };
    let (sweeps, ztp) = with_fleet(store, async |f| {
        let mut sweeps = Vec::new();
        for olt in &olts {
            sweeps.push(sweep_one(f, olt).await);
        }
        Ok((sweeps, f.zero_touch().await?))
    })
    .await?;
    let ztp = ZeroTouchJson {
        authorized: ztp
            .authorized
            .iter()
            .map(|a| format!("{} -> service {} ({}:{})", a.serial, a.service, a.port, a.onu_index))
            .collect(),
        linked: ztp.linked.len(),
        failed: ztp.failed.iter().map(|(s, e)| format!("service {s}: {e}")).collect(),
    };
    let failed = sweeps.iter().filter(|s| !s.ok).count();
    if globals.json {
        for s in &sweeps {
            output::json(s)?;
        }
        output::json(&serde_json::json!({ "zero_touch": ztp }))?;
    } else {
        for s in &sweeps {
            match &s.error {
                Some(e) => output::line(format!("{}: failed: {}", output::safe(&s.olt), output::safe(e)))?,
                None => output::line(format!(
                    "{}: {}/{} ONUs online, {} readings, {} unconfigured, {} alert change(s) in {} ms{}",
                    output::safe(&s.olt),
                    s.online,
                    s.onus,
                    s.readings,
                    s.unconfigured,
                    s.alerts.len(),
                    s.took_ms,
                    if s.warnings.is_empty() { String::new() } else { format!("; {}", s.warnings.join("; ")) }
                ))?,
            }
            for a in &s.alerts {
                output::line(format!(
                    "  {} {} {}:{} {} ({})",
                    a.change,
                    a.level,
                    a.port,
                    a.id,
                    a.serial,
                    output::or_dash(a.rx_dbm.map(|v| format!("{v:.2} dBm")))
                ))?;
            }
        }
        for a in &ztp.authorized {
            output::line(format!("zero-touch: authorized {a}"))?;
        }
        for f in &ztp.failed {
            output::line(format!("zero-touch: failed {}", output::safe(f)))?;
        }
    }
    if failed > 0 {
        bail!("{failed} of {} OLT(s) could not be swept", sweeps.len());
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct LogJson {
    id: i64,
    at: String,
    command: String,
    outcome: &'static str,
    error: Option<String>,
    duration_ms: u64,
    reply: String,
    /// The stored reply was cut; this was its full length.
    truncated_from: Option<u64>,
}

pub async fn log(globals: &Globals, store: &Store, name: &str, limit: u32) -> anyhow::Result<()> {
    let olt: Olt = find(store, name).await?;
    let id: OltId = olt.id;
    let rows: Vec<LogJson> = store
        .olt_log(id, None, limit)
        .await?
        .into_iter()
        .map(|e| LogJson {
            id: e.id,
            at: e.at.to_string(),
            truncated_from: e.truncated().then_some(e.reply_bytes),
            command: e.command,
            outcome: e.outcome.as_str(),
            error: e.error,
            duration_ms: e.duration_ms,
            reply: e.reply,
        })
        .collect();
    if globals.json {
        return output::json(&rows);
    }
    for r in rows.iter().rev() {
        output::line(format!(
            "{}  {}  {} ({} ms){}",
            r.at,
            output::safe(&r.command),
            r.outcome,
            r.duration_ms,
            r.error.as_deref().map(|e| format!(": {}", output::safe(e))).unwrap_or_default()
        ))?;
    }
    Ok(())
}

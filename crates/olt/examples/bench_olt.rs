//! `cargo xtask bench olt [--olts N] [--onus-per-olt N]`: a full optical
//! sweep of N simulated OLTs (8) × N ONUs (1,000) over real SSH on
//! loopback, printed as one JSON object.
//!
//! Each OLT's ONUs are spread evenly over as few PON ports as GPON's 128
//! ONUs a port allow (1,000: 8 ports × 125; 2,000: 16 × 125); 1 ONU in
//! 100 is dark (LOS), so the sweep meets absent readings as a real one
//! does. A sweep reads every
//! port of every OLT with the vendor's bulk command
//! ([`OltDriver::optical_port`]: Huawei `display ont optical-info P all`,
//! ZTE `show pon power onu-rx gpon-olt_...`), all OLTs in parallel and all
//! ports of an OLT at once, through the driver's pool of at most two SSH
//! sessions per OLT.
//!
//! Runs: 8 Huawei OLTs, 8 ZTE OLTs, and 4 + 4 mixed; then the mixed fleet
//! again with every command answered after [`SLOW_CLI`], as a busy OLT
//! CLI does. Each run reports the cold sweep (connecting and logging in to
//! every OLT included) and a warm one (sessions reused): wall time, ONUs
//! on the OLTs, rows read, rows with values, and the most SSH sessions the
//! simulators saw open at once on any one OLT (target ≤ 2).
//!
//! The simulators run on their own runtime (their own threads), so the
//! driver's side is not slowed by serving its own requests (on a machine
//! with few cores they still share them).
//!
//! `memory_mb` is this process's resident memory from `/proc/self/status`:
//! its peak (`VmHWM`) over every run, and the most it held right after a
//! run (`VmRSS`), that run's OLTs still running. Both include the simulators
//! (every ONU's state and every session's buffers on the OLT side) as well
//! as the drivers: one process plays both ends.

use std::time::{Duration, Instant};

use headend_core::olt::OltVendor;
use headend_olt::{Olt, OltAuth, OltConfig, OltDriver, OltHandle, OltSecret, PonPort};
use headend_simlab::olt::{OltFaults, OnuState, SimOlt, SimOltConfig, SimOltHandle};
use serde_json::json;

/// GPON's limit of ONUs on one PON port.
const MAX_ONUS_PER_PORT: usize = 128;
/// One ONU in this many is dark.
const DARK_EVERY: usize = 100;
/// The per-command answer time of the slow run.
const SLOW_CLI: Duration = Duration::from_millis(100);
const TARGET_WALL: Duration = Duration::from_secs(60);
const TARGET_SESSIONS: u64 = 2;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The fleet's size.
#[derive(Debug, Clone, Copy)]
struct Size {
    olts: usize,
    ports: usize,
    onus_per_port: usize,
}

impl Size {
    fn onus_per_olt(self) -> usize {
        self.ports * self.onus_per_port
    }
}

fn size() -> Result<Size, Error> {
    let (mut olts, mut onus) = (8, 1_000);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a number"))?;
        let number = value.parse::<usize>().map_err(|_| format!("{flag} {value:?} is not a whole number"))?;
        match flag.as_str() {
            "--olts" => olts = number,
            "--onus-per-olt" => onus = number,
            other => return Err(format!("unknown option {other:?}: use --olts N --onus-per-olt N").into()),
        }
    }
    if olts == 0 || onus == 0 {
        return Err("--olts and --onus-per-olt must be above 0".into());
    }
    let ports = onus.div_ceil(MAX_ONUS_PER_PORT);
    if !onus.is_multiple_of(ports) {
        let fewer = onus / ports * ports;
        let more = fewer + ports;
        return Err(format!(
            "--onus-per-olt {onus} does not split evenly over {ports} PON ports of at most {MAX_ONUS_PER_PORT} ONUs; \
             try {fewer} or {more}"
        )
        .into());
    }
    Ok(Size { olts, ports, onus_per_port: onus / ports })
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-olt: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Error> {
    let size = size()?;
    let sims =
        tokio::runtime::Builder::new_multi_thread().worker_threads(4).thread_name("sim-olt").enable_all().build()?;
    let driver = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mixed: Vec<OltVendor> =
        (0..size.olts).map(|i| if i % 2 == 0 { OltVendor::Huawei } else { OltVendor::Zte }).collect();
    let plans = [
        ("huawei", vec![OltVendor::Huawei; size.olts], Duration::ZERO),
        ("zte", vec![OltVendor::Zte; size.olts], Duration::ZERO),
        ("mixed", mixed.clone(), Duration::ZERO),
        ("mixed_slow_cli", mixed, SLOW_CLI),
    ];
    let mut runs = Vec::new();
    let mut worst_wall = Duration::ZERO;
    let mut worst_sessions = 0;
    let mut rss_with_olts_kib = 0;
    for (name, vendors, latency) in plans {
        let olts = sims.block_on(start_olts(size, &vendors, latency))?;
        let report = driver.block_on(sweep_run(size, &olts))?;
        rss_with_olts_kib = rss_with_olts_kib.max(memory_kib("VmRSS"));
        worst_wall = worst_wall.max(report.cold.wall).max(report.warm.wall);
        worst_sessions = worst_sessions.max(report.max_sessions_open);
        runs.push(report.json(name, latency));
        // Stop the simulators on their runtime.
        sims.block_on(async move { drop(olts) });
    }
    let report = json!({
        "bench": "olt",
        "olts": size.olts,
        "onus_per_olt": size.onus_per_olt(),
        "pon_ports_per_olt": size.ports,
        "dark_onus_per_olt": size.onus_per_olt() / DARK_EVERY,
        "sessions_per_olt_allowed": TARGET_SESSIONS,
        "wall_ms_worst": ms(worst_wall),
        "max_sessions_open_on_any_olt": worst_sessions,
        "target_wall_ms": ms(TARGET_WALL),
        "target_max_sessions": TARGET_SESSIONS,
        "targets_met": worst_wall < TARGET_WALL && worst_sessions <= TARGET_SESSIONS,
        "runs": runs,
        "memory_mb": {
            "after_warm_sweep_with_olts_running": mb(rss_with_olts_kib),
            "peak": mb(memory_kib("VmHWM")),
        },
    });
    println!("{report}");
    Ok(())
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn mb(kib: u64) -> f64 {
    (kib as f64 / 1024.0 * 10.0).round() / 10.0
}

/// A `/proc/self/status` figure in KiB (`VmRSS`: resident now, `VmHWM`:
/// the most resident so far); 0 where there is no `/proc`.
fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

async fn start_olts(size: Size, vendors: &[OltVendor], latency: Duration) -> Result<Vec<SimOltHandle>, Error> {
    let mut olts = Vec::new();
    for (i, vendor) in vendors.iter().enumerate() {
        let sim = SimOlt::start(SimOltConfig {
            vendor: *vendor,
            pon_ports: size.ports,
            onus_per_port: size.onus_per_port,
            autofind: 0,
            seed: 1000 + i as u64,
            page_lines: 24,
            ..SimOltConfig::default()
        })
        .await?;
        for (n, onu) in sim.onus().iter().enumerate() {
            if n % DARK_EVERY == DARK_EVERY / 2 {
                sim.set_onu_state(onu.port, onu.id, OnuState::Los);
            }
        }
        sim.set_faults(OltFaults { latency, ..OltFaults::default() });
        olts.push(sim);
    }
    Ok(olts)
}

fn config(sim: &SimOltHandle) -> OltConfig {
    let mut cfg = OltConfig::new(sim.vendor(), "127.0.0.1", "admin", OltAuth::Password(OltSecret::new("admin")));
    cfg.port = sim.addr().port();
    cfg.max_sessions = 2;
    cfg
}

fn ports(size: Size, sim: &SimOltHandle) -> Vec<PonPort> {
    (0..size.ports)
        .map(|i| {
            let p = sim.pon_port(i);
            PonPort::new(p.frame.into(), p.slot.into(), p.port.into())
        })
        .collect()
}

#[derive(Debug, Default, Clone, Copy)]
struct Sweep {
    wall: Duration,
    rows: usize,
    with_values: usize,
    commands: u64,
}

struct RunReport {
    onus: usize,
    dark: usize,
    cold: Sweep,
    warm: Sweep,
    max_sessions_open: u64,
    logins: u64,
}

impl RunReport {
    fn json(&self, name: &str, latency: Duration) -> serde_json::Value {
        let sweep = |s: &Sweep| {
            json!({
                "wall_ms": ms(s.wall),
                "onus_read": s.rows,
                "readings_with_values": s.with_values,
                "commands": s.commands,
            })
        };
        json!({
            "olts": name,
            "cli_latency_ms": ms(latency),
            "onus_on_olts": self.onus,
            "dark_onus": self.dark,
            "cold_sweep_with_login": sweep(&self.cold),
            "warm_sweep": sweep(&self.warm),
            "max_sessions_open_on_any_olt": self.max_sessions_open,
            "logins": self.logins,
        })
    }
}

async fn sweep_run(size: Size, olts: &[SimOltHandle]) -> Result<RunReport, Error> {
    let onus: usize = olts.iter().map(|o| o.onus().len()).sum();
    let dark = olts.iter().flat_map(SimOltHandle::onus).filter(|o| o.state != OnuState::Online).count();
    for o in olts {
        o.reset_stats();
    }
    let targets: Vec<(OltConfig, Vec<PonPort>)> = olts.iter().map(|o| (config(o), ports(size, o))).collect();

    // Cold: log in to every OLT, then sweep.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (cfg, ports) in targets {
        tasks.push(tokio::spawn(async move {
            let handle = Olt::connect(cfg).await?;
            let (rows, with_values) = sweep_olt(&handle, &ports).await?;
            Ok::<_, Error>((handle, ports, rows, with_values))
        }));
    }
    let mut handles = Vec::new();
    let mut cold = Sweep::default();
    for t in tasks {
        let (handle, ports, rows, with_values) = t.await??;
        handles.push((handle, ports));
        cold.rows += rows;
        cold.with_values += with_values;
    }
    cold.wall = started.elapsed();
    cold.commands = olts.iter().map(|o| o.stats().commands_run).sum();

    // Warm: the same sweep on the sessions kept.
    let before: u64 = olts.iter().map(|o| o.stats().commands_run).sum();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (handle, ports) in handles.clone() {
        tasks.push(tokio::spawn(async move { sweep_olt(&handle, &ports).await }));
    }
    let mut warm = Sweep::default();
    for t in tasks {
        let (rows, with_values) = t.await??;
        warm.rows += rows;
        warm.with_values += with_values;
    }
    warm.wall = started.elapsed();
    warm.commands = olts.iter().map(|o| o.stats().commands_run).sum::<u64>() - before;

    for (handle, _) in &handles {
        handle.close().await;
    }
    let max_sessions_open = olts.iter().map(|o| o.stats().max_sessions_open).max().unwrap_or(0);
    let logins = olts.iter().map(|o| o.stats().logins).sum();
    Ok(RunReport { onus, dark, cold, warm, max_sessions_open, logins })
}

/// Every port of one OLT at once; the pool lets two run.
async fn sweep_olt(handle: &OltHandle, ports: &[PonPort]) -> Result<(usize, usize), Error> {
    let mut tasks = Vec::new();
    for &port in ports {
        let handle = handle.clone();
        tasks.push(tokio::spawn(async move { handle.optical_port(port).await }));
    }
    let (mut rows, mut with_values) = (0, 0);
    for t in tasks {
        let readings = t.await??;
        rows += readings.len();
        with_values += readings.iter().filter(|r| !r.reading.is_empty()).count();
    }
    Ok((rows, with_values))
}

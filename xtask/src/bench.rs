//! `cargo xtask bench NAME`: measurements printed as one JSON object.
//!
//! - `startup`: the release app, launched 3 times on a fresh data directory
//!   in a virtual display: time from process start to the console's first
//!   painted frame (the app logs it as `console interactive`), and resident
//!   memory 3 s later, of the app process and of the app with its WebKit
//!   helper processes. Medians are printed.
//! - `routeros`: the RouterOS client against simulated routers at 20 ms
//!   round-trip time: round trips and wall time to read 10,000 secrets and
//!   to add 1,000 pipelined, and the CPU used while streaming 20 routers ×
//!   1,000 sessions. The program is `crates/cli/examples/bench_routeros.rs`.
//! - `live-sessions`: the console with 20 routers × 1,000 sessions (see
//!   `bench_live.rs`).
//! - `provisioning [--routers N] [--services N]`: the engine with N
//!   simulated routers (20) at 20 ms and N services (10,000) spread evenly
//!   over them (cold converge, steady sweep, calls per router, suspension
//!   to router), and the database's queries at 100,000 services (or the
//!   services swept, if more), and the process's peak memory. The program
//!   is `crates/provision/examples/bench_provisioning.rs`, run in a D-Bus
//!   session with an unlocked keyring; the options go to it.
//! - `olt [--olts N] [--onus-per-olt N]`: the OLT drivers over SSH against
//!   N simulated OLTs (8) × N ONUs (1,000) (Huawei, ZTE, mixed, and mixed
//!   with a slow CLI): a full optical sweep with the bulk per-port
//!   commands, all OLTs in parallel, wall time (target < 60 s), ONUs and
//!   readings read, the most SSH sessions open at once on any OLT (target
//!   ≤ 2), and the process's peak memory. The program is
//!   `crates/olt/examples/bench_olt.rs`.
//! - `billing`: the billing workflows on a fixed clock, no network: the
//!   invoice run over 10,000 services (target < 2 s) and again (issues
//!   nothing), a month's 1,000 invoice PDFs one per file and merged
//!   (target < 20 s on 2 cores), XLSX of 100,000 invoices in a child
//!   process with its peak RSS (targets < 10 s, < 300 MB), and statement
//!   and revenue p50/p99 at 100,000 invoices (target p99 < 5 ms). The
//!   program is `crates/workflows/examples/bench_billing.rs`.
//! - `messages`: the outbox at 10,000 customers against a simulated SMTP
//!   server and SMS gateway on loopback: the reminder run queuing 10,000
//!   messages (target < 2 s), sending them at a configured rate (the
//!   achieved rate must be the configured one) and at the highest rate.
//!   The program is `crates/workflows/examples/bench_messages.rs`, run in
//!   a D-Bus session with an unlocked keyring for the providers' credentials.
//! - `radius`: RADIUS mode at 10,000 services on 20 simulated routers 20 ms
//!   away, against a real PostgreSQL on loopback: the cold sync (target
//!   < 10 s), a steady sync (target 0 writes, < 0.5 s) and a suspension's
//!   time to FreeRADIUS's row. The program is
//!   `crates/provision/examples/bench_radius.rs`, run in a D-Bus session
//!   with an unlocked keyring.
//! - `signal-history [--onus N] [--days D]`: the ONU signal history's size
//!   in a real SQLite file after D days (90) of 5-minute sweeps of N ONUs
//!   (1,000) with the retention pass applied hourly: rows and bytes per
//!   ONU and day, raw and hourly, the file's size, the pass's batches, and
//!   a linear extrapolation to 128,000 ONUs (said so in the JSON). The
//!   program is `crates/store/examples/bench_signal_history.rs`.
//! - `kills` and `chaos`: crashes and faults (see `bench_resilience.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::bundle::Profile;
use crate::paths;
use crate::process;
use crate::setup::{self, Purpose};
use crate::test;

pub const STARTUP_SESSION_COMMAND: &str = "__bench-startup";
pub const PROVISIONING_SESSION_COMMAND: &str = "__bench-provisioning";
pub const MESSAGES_SESSION_COMMAND: &str = "__bench-messages";
pub const RADIUS_SESSION_COMMAND: &str = "__bench-radius";
const RUNS: usize = 3;

/// Runs benchmark `name`; `kills` and `chaos` take their own `options`,
/// the benchmarks with [`size_flags`] theirs.
pub fn run(name: &str, options: &[String]) -> anyhow::Result<()> {
    match size_flags(name) {
        Some(flags) => check_sizes(name, flags, options)?,
        None if !options.is_empty() && !matches!(name, "kills" | "chaos") => {
            bail!("benchmark {name} takes no options")
        }
        None => {}
    }
    match name {
        "kills" | "chaos" => crate::bench_resilience::run(name, options),
        "startup" => startup(),
        "routeros" => process::cargo(&["run", "--release", "--quiet", "-p", "headend", "--example", "bench-routeros"]),
        "live-sessions" => crate::bench_live::run(),
        "olt" => run_example("headend-olt", "bench-olt", options),
        "signal-history" => run_example("headend-store", "bench-signal-history", options),
        "billing" => {
            process::cargo(&["run", "--release", "--quiet", "-p", "headend-workflows", "--example", "bench-billing"])
        }
        "messages" => {
            setup::ensure(Purpose::Test)?;
            process::cargo(&[
                "build",
                "--release",
                "--quiet",
                "-p",
                "headend-workflows",
                "--example",
                "bench-messages",
            ])?;
            process::run(&mut test::desktop_session(MESSAGES_SESSION_COMMAND)?)
        }
        "provisioning" => {
            setup::ensure(Purpose::Test)?;
            process::cargo(&[
                "build",
                "--release",
                "--quiet",
                "-p",
                "headend-provision",
                "--example",
                "bench-provisioning",
            ])?;
            process::run(test::desktop_session(PROVISIONING_SESSION_COMMAND)?.args(options))
        }
        "radius" => {
            setup::ensure(Purpose::Test)?;
            process::cargo(&["build", "--release", "--quiet", "-p", "headend-provision", "--example", "bench-radius"])?;
            process::run(&mut test::desktop_session(RADIUS_SESSION_COMMAND)?)
        }
        other => bail!(
            "unknown benchmark {other:?}; available: startup, routeros, live-sessions, provisioning [--routers N] \
             [--services N], olt [--olts N] [--onus-per-olt N], billing, messages, radius, signal-history [--onus N] \
             [--days D], kills [--kills N], chaos [--minutes N]"
        ),
    }
}

/// The size options a benchmark takes, each followed by a whole number.
fn size_flags(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "provisioning" => Some(&["--routers", "--services"]),
        "olt" => Some(&["--olts", "--onus-per-olt"]),
        "signal-history" => Some(&["--onus", "--days"]),
        _ => None,
    }
}

/// Refuses a mistyped size before anything is built (a release build takes
/// minutes); the program checks that the sizes fit together.
fn check_sizes(name: &str, flags: &[&str], options: &[String]) -> anyhow::Result<()> {
    let usage = || {
        let flags: Vec<String> = flags.iter().map(|f| format!("[{f} N]")).collect();
        format!("usage: cargo xtask bench {name} {}", flags.join(" "))
    };
    for pair in options.chunks(2) {
        match pair {
            [flag, value] if flags.contains(&flag.as_str()) => {
                if !value.parse::<u32>().is_ok_and(|n| n > 0) {
                    bail!("{flag} {value:?} is not a whole number above 0\n{}", usage());
                }
            }
            [flag] if flags.contains(&flag.as_str()) => bail!("{flag} needs a number\n{}", usage()),
            [other, ..] => bail!("unknown option {other:?}\n{}", usage()),
            [] => {}
        }
    }
    Ok(())
}

/// `package`'s release example, its options after `--`.
fn run_example(package: &str, example: &str, options: &[String]) -> anyhow::Result<()> {
    let mut args = vec!["run", "--release", "--quiet", "-p", package, "--example", example, "--"];
    args.extend(options.iter().map(String::as_str));
    process::cargo(&args)
}

fn startup() -> anyhow::Result<()> {
    setup::ensure(Purpose::Test)?;
    setup::build_ui(Profile::Release)?;
    process::cargo(&["build", "--release", "-p", "headend-app"])?;
    let app = paths::target_dir()?.join("release").join(paths::exe("headend-app"));
    let mut session = test::desktop_session(STARTUP_SESSION_COMMAND)?;
    process::run(session.env("HEADEND_APP_BIN", app))
}

/// Inside the D-Bus session: the benchmark's routers keep their passwords
/// in a throwaway unlocked keyring, as in the tests. `options` are the
/// size flags given to `cargo xtask bench provisioning`.
pub fn provisioning_in_session(options: &[String]) -> anyhow::Result<()> {
    example_in_session("headend-provision", "bench-provisioning", options)
}

pub fn messages_in_session() -> anyhow::Result<()> {
    example_in_session("headend-workflows", "bench-messages", &[])
}

pub fn radius_in_session() -> anyhow::Result<()> {
    example_in_session("headend-provision", "bench-radius", &[])
}

/// Inside the D-Bus session: `package`'s example with the keyring unlocked,
/// `options` after `--`.
fn example_in_session(package: &str, example: &str, options: &[String]) -> anyhow::Result<()> {
    let env = test::unlock_keyring()?;
    let mut cargo = process::cargo_command()?;
    cargo.envs(env).args(["run", "--release", "--quiet", "-p", package, "--example", example, "--"]).args(options);
    process::run(&mut cargo)
}

struct Sample {
    interactive_ms: u64,
    app_rss_kib: u64,
    total_rss_kib: u64,
}

/// Inside the display and D-Bus session.
pub fn startup_in_session() -> anyhow::Result<()> {
    let env = test::unlock_keyring()?;
    let app = PathBuf::from(std::env::var_os("HEADEND_APP_BIN").context("HEADEND_APP_BIN is not set")?);
    let binary_bytes = std::fs::metadata(&app)?.len();
    let mut samples = Vec::new();
    for run in 0..RUNS {
        samples.push(launch_once(&app, &env, run)?);
    }
    let median = |f: fn(&Sample) -> u64| {
        let mut v: Vec<u64> = samples.iter().map(f).collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    println!(
        "{{\"bench\":\"startup\",\"runs\":{RUNS},\"binary_mb\":{:.1},\"interactive_ms\":{},\"app_rss_mb\":{:.1},\"app_and_webkit_rss_mb\":{:.1}}}",
        binary_bytes as f64 / 1_048_576.0,
        median(|s| s.interactive_ms),
        median(|s| s.app_rss_kib) as f64 / 1024.0,
        median(|s| s.total_rss_kib) as f64 / 1024.0,
    );
    Ok(())
}

fn launch_once(app: &Path, env: &[(String, std::ffi::OsString)], run: usize) -> anyhow::Result<Sample> {
    let dir = std::env::temp_dir().join(format!("headend-bench-{}-{run}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let stderr = std::fs::File::create(dir.join("stderr.log"))?;
    let mut child = Command::new(app)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("starting {}", app.display()))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let interactive_ms = loop {
        let log = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
        if let Some(ms) = log.lines().find(|l| l.contains("console interactive")).and_then(|l| field(l, "ms=")) {
            break ms;
        }
        if child.try_wait()?.is_some() || Instant::now() > deadline {
            let _ = child.kill();
            bail!("the app did not report its first frame:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_secs(3));
    let pid = child.id();
    let app_rss_kib = rss_kib(pid);
    let total_rss_kib = app_rss_kib + descendants(pid).into_iter().map(rss_kib).sum::<u64>();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Sample { interactive_ms, app_rss_kib, total_rss_kib })
}

/// The number after `key` in a log line such as `… ms=812 …`.
fn field(line: &str, key: &str) -> Option<u64> {
    let rest = &line[line.find(key)? + key.len()..];
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// All processes below `pid` (WebKit's web and network processes).
pub fn descendants(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let child: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // The parent pid is the second field after the parenthesised name.
            let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            Some((child, ppid))
        })
        .collect();
    let mut found = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for &(child, parent) in &parents {
            if parent == p {
                found.push(child);
                frontier.push(child);
            }
        }
    }
    found
}

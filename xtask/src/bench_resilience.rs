//! `cargo xtask bench kills [--kills N]` and `cargo xtask bench chaos
//! [--minutes N]`: the release `headend` binary and the
//! `crates/cli/examples/bench_resilience/` program, run in a private D-Bus
//! session with a throwaway unlocked keyring (the benchmark's routers and
//! OLTs keep their passwords there). No display is needed.
//!
//! - `kills`: `headend agent` killed with SIGKILL N times (default 1,000)
//!   while it writes to a simulated router, the database changing between
//!   kills; then one clean sweep. JSON: `kills`, `writes_logged`,
//!   `writes_cut_off`, `duplicates`, `services_wrong`, `services_lost`,
//!   `queue_rows_lost` (the last four must be 0), `seconds`.
//! - `chaos`: 20 simulated routers on API-SSL and 2 OLTs with faults
//!   toggled at random (and a swapped certificate and host key) while the
//!   CLI changes services, plans and payments under `headend agent`, for N
//!   minutes (default 3). JSON: `writes_applied`, `faults_injected`,
//!   `services_differing`, `duplicates`,
//!   `certificates_or_keys_accepted_after_change` (all three must be 0),
//!   `fault_delay_ms` (how much the faults delayed healthy routers'
//!   changes, p50 and p99, against a fault-free baseline).

use std::process::Command;

use anyhow::{Context, bail};

use crate::paths;
use crate::process;
use crate::test;

pub const SESSION_COMMAND: &str = "__bench-resilience";

/// Builds what the benchmark runs and starts it inside the session.
pub fn run(name: &str, args: &[String]) -> anyhow::Result<()> {
    let flag = if name == "kills" { "--kills" } else { "--minutes" };
    match args {
        [] => {}
        [given, value] if given == flag && value.parse::<f64>().is_ok_and(|v| v > 0.0) => {}
        _ => bail!("usage: cargo xtask bench {name} [{flag} N]"),
    }
    process::cargo(&[
        "build",
        "--release",
        "--quiet",
        "-p",
        "headend",
        "--bin",
        "headend",
        "--example",
        "bench-resilience",
    ])?;
    let xtask = std::env::current_exe().context("finding the xtask binary")?;
    let mut session = if cfg!(target_os = "linux") {
        let mut cmd = Command::new("dbus-run-session");
        cmd.arg("--").arg(xtask);
        cmd
    } else {
        Command::new(xtask)
    };
    let release = paths::target_dir()?.join("release");
    session
        .arg(SESSION_COMMAND)
        .arg(name)
        .args(args)
        .env("HEADEND_CLI_BIN", release.join(paths::exe("headend")))
        .env("HEADEND_BENCH_RESILIENCE", release.join("examples").join(paths::exe("bench-resilience")));
    process::run(&mut session)
}

/// Inside the D-Bus session: unlock a keyring, run the program.
pub fn in_session(args: &[String]) -> anyhow::Result<()> {
    let program = std::env::var_os("HEADEND_BENCH_RESILIENCE").context("HEADEND_BENCH_RESILIENCE is not set")?;
    let mut bench = Command::new(program);
    if cfg!(target_os = "linux") {
        bench.envs(test::unlock_keyring()?);
        // GNOME Keyring does not outlive hundreds of clients killed in the
        // middle of a call (it exits; D-Bus starts a locked one): the kill
        // benchmark keeps its passwords in the kernel keyring, which the
        // agents inherit.
        if args.first().is_some_and(|name| name == "kills") {
            bench.env("HEADEND_SECRET_BACKEND", "kernel-keyring");
        }
    }
    process::run(bench.args(args))
}

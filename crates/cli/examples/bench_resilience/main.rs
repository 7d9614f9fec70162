//! `cargo xtask bench kills` and `cargo xtask bench chaos`: how the
//! engine stands crashes and faults, measured on the release `headend`
//! binary against simulated routers and OLTs, printed as one JSON object.
//! Progress goes to stderr; the exit status is non-zero when a count that
//! must be 0 is not.
//!
//! - `kills [--kills N]` (default 1,000): see `kills.rs`.
//! - `chaos [--minutes N]` (default 3): see `chaos.rs`.
//!
//! Needs an unlocked keyring (xtask runs it in a private D-Bus session) and
//! the `headend` binary beside this example's folder (`target/release/`)
//! or at `HEADEND_CLI_BIN`.

mod chaos;
mod kills;
mod lab;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};

const USAGE: &str = "usage: bench-resilience kills [--kills N] | chaos [--minutes N]";

/// The `headend` binary: `HEADEND_CLI_BIN`, else the one built beside
/// this example (`target/<profile>/examples/..`).
fn headend_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("HEADEND_CLI_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let profile = exe.parent().and_then(|examples| examples.parent()).context("no folder above the example")?;
    let binary = profile.join(format!("headend{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(binary.exists(), "{} is missing: build it (cargo build --release -p headend)", binary.display());
    Ok(binary)
}

fn option<T: std::str::FromStr>(args: &[String], flag: &str, default: T) -> anyhow::Result<T> {
    match args {
        [] => Ok(default),
        [given, value] if given == flag => value.parse().ok().with_context(|| format!("{flag} {value}: not a number")),
        _ => bail!("{USAGE}"),
    }
}

async fn run(args: &[String]) -> anyhow::Result<bool> {
    let headend = headend_binary()?;
    match args {
        [name, rest @ ..] if name == "kills" => kills::run(headend, option(rest, "--kills", 1000)?).await,
        [name, rest @ ..] if name == "chaos" => chaos::run(headend, option(rest, "--minutes", 3.0)?).await,
        _ => bail!("{USAGE}"),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bench-resilience: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("bench-resilience: a count that must be 0 is not");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("bench-resilience: {err:#}");
            ExitCode::FAILURE
        }
    }
}

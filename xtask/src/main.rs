//! `cargo xtask`: everything Headend needs beyond `cargo build`.
//!
//! - `cargo xtask run [-- ARGS]`: install what is missing, build the UI and
//!   the app, open the console.
//! - `cargo xtask test`: the same set-up plus what the tests need, then every
//!   test (unit, integration, end-to-end) under Xvfb with a D-Bus session and
//!   an unlocked GNOME Keyring.
//! - `cargo xtask bundle [--debug] [--tauri-cli]`: the installers.
//! - `cargo xtask bench NAME [OPTIONS]`: benchmarks printing JSON (`bench.rs`;
//!   `kills` and `chaos` in `bench_resilience.rs`).
//! - `cargo xtask setup [--for-tests]`: only the installation step.
//!
//! Tools are installed from crates.io into `~/.cache/headend/tools`, builds go
//! to `~/.cache/headend/target` (or `CARGO_TARGET_DIR`), so nothing lands in
//! the clone and later runs build incrementally.

mod bench;
mod bench_live;
mod bench_resilience;
mod bundle;
mod paths;
mod process;
mod setup;
mod test;

use std::process::ExitCode;

use anyhow::bail;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [-- ARGS]        set up, build and open the console (ARGS go to the app)
  test                 set up, build and run every test, end-to-end included
  bundle [--debug] [--tauri-cli]
                       build the installers (release unless --debug): the .deb
                       on Linux, with the Tauri CLI's bundler on macOS and
                       Windows (and on Linux with --tauri-cli)
  bench NAME           run a benchmark and print JSON (NAME: startup, routeros,
                       live-sessions, provisioning [--routers N] [--services N],
                       olt [--olts N] [--onus-per-olt N], billing, messages,
                       radius, signal-history [--onus N] [--days D],
                       kills [--kills N], chaos [--minutes N])
  setup [--for-tests]  install what is missing, build nothing";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> anyhow::Result<()> {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("run") => run(rest),
        Some("test") => test::run(),
        Some("bench") => match rest {
            [name, options @ ..] => bench::run(name, options),
            _ => bail!("{USAGE}"),
        },
        Some(bench::STARTUP_SESSION_COMMAND) => bench::startup_in_session(),
        Some(bench::PROVISIONING_SESSION_COMMAND) => bench::provisioning_in_session(rest),
        Some(bench::MESSAGES_SESSION_COMMAND) => bench::messages_in_session(),
        Some(bench::RADIUS_SESSION_COMMAND) => bench::radius_in_session(),
        Some(bench_live::SESSION_COMMAND) => bench_live::in_session(),
        Some(bench_resilience::SESSION_COMMAND) => bench_resilience::in_session(rest),
        Some(test::SESSION_COMMAND) => test::in_session(),
        Some("bundle") => bundle_command(rest),
        Some("setup") => match rest {
            [] => setup::ensure(setup::Purpose::Run),
            [flag] if flag == "--for-tests" => setup::ensure(setup::Purpose::Test),
            _ => bail!("{USAGE}"),
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

fn bundle_command(args: &[String]) -> anyhow::Result<()> {
    let mut profile = bundle::Profile::Release;
    let mut tauri_cli = !cfg!(target_os = "linux");
    for arg in args {
        match arg.as_str() {
            "--debug" => profile = bundle::Profile::Debug,
            "--tauri-cli" => tauri_cli = true,
            _ => bail!("{USAGE}"),
        }
    }
    if tauri_cli { bundle::with_tauri_cli(profile) } else { bundle::deb(profile).map(|_| ()) }
}

fn run(args: &[String]) -> anyhow::Result<()> {
    let app_args = match args {
        [] => &[][..],
        [sep, rest @ ..] if sep == "--" => rest,
        _ => bail!("{USAGE}"),
    };
    if let Some(problem) = setup::missing_display() {
        bail!("{problem}");
    }
    setup::ensure(setup::Purpose::Run)?;
    setup::build_ui(bundle::Profile::Debug)?;
    process::cargo(&["build", "-p", "headend-app", "-p", "headend"])?;
    let app = paths::target_dir()?.join("debug").join(paths::exe("headend-app"));
    println!("xtask: starting {}", app.display());
    process::run(std::process::Command::new(app).args(app_args))
}

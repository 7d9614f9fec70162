//! `cargo xtask test`: builds everything, then runs every test of the
//! workspace, the ignored end-to-end ones included, inside a virtual X
//! display and a private D-Bus session with GNOME Keyring unlocked, so the
//! app, WebKit and the Secret Service are all real.

use std::ffi::OsString;
use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::Context;

use crate::bundle::{self, Profile};
use crate::paths;
use crate::process;
use crate::setup::{self, Purpose};

/// The hidden subcommand xtask re-enters inside xvfb-run and dbus-run-session.
pub const SESSION_COMMAND: &str = "__test-session";

/// A throwaway password for the test session's keyring.
const TEST_KEYRING_PASSWORD: &str = "headend-test";

pub fn run() -> anyhow::Result<()> {
    setup::ensure(Purpose::Test)?;
    // Style first: a formatting slip or a lint fails in seconds, not after
    // the end-to-end tests.
    process::cargo(&["fmt", "--all", "--check"])?;
    setup::build_ui(Profile::Debug)?;
    lint()?;
    process::cargo(&["build", "-p", "headend-app", "-p", "headend"])?;
    let deb = if cfg!(target_os = "linux") { Some(bundle::deb(Profile::Debug)?) } else { None };

    let target = paths::target_dir()?;
    let screenshots = target.join("e2e-screenshots");
    let _ = std::fs::remove_dir_all(&screenshots);
    let mut session = desktop_session(SESSION_COMMAND)?;
    session
        .env("HEADEND_APP_BIN", target.join("debug").join(paths::exe("headend-app")))
        .env("HEADEND_CLI_BIN", target.join("debug").join(paths::exe("headend")))
        .env("HEADEND_TAURI_DRIVER", paths::tools_bin()?.join(paths::exe("tauri-driver")))
        .env("HEADEND_E2E_SCREENSHOTS", &screenshots);
    if let Some(deb) = deb {
        session.env("HEADEND_DEB", deb);
    }
    process::run(&mut session)?;
    println!("xtask: screenshots of every page are in {}", screenshots.display());
    Ok(())
}

/// Clippy with every warning an error: the native crates with their tests,
/// benchmarks and examples, then the UI for the only target it builds for.
/// The app's crate needs `ui/dist`, so this runs after the UI is built.
fn lint() -> anyhow::Result<()> {
    process::cargo(&["clippy", "--workspace", "--exclude", "headend-ui", "--all-targets", "--", "-D", "warnings"])?;
    process::cargo(&["clippy", "-p", "headend-ui", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"])
}

/// xtask's `subcommand`, re-entered inside a virtual display (on Linux) and
/// a private D-Bus session.
pub fn desktop_session(subcommand: &str) -> anyhow::Result<Command> {
    let xtask = std::env::current_exe().context("finding the xtask binary")?;
    let mut cmd = if cfg!(target_os = "linux") {
        let mut cmd = Command::new("xvfb-run");
        cmd.args(["-a", "-s", "-screen 0 1280x800x24", "dbus-run-session", "--"]).arg(xtask);
        cmd
    } else {
        Command::new(xtask)
    };
    cmd.arg(subcommand);
    Ok(cmd)
}

/// Inside the display and the D-Bus session: unlock a keyring, run the tests.
pub fn in_session() -> anyhow::Result<()> {
    let mut cargo = process::cargo_command()?;
    if cfg!(target_os = "linux") {
        cargo.envs(unlock_keyring()?);
    }
    process::run(cargo.args(["test", "--no-fail-fast", "--", "--include-ignored"]))
}

/// Starts GNOME Keyring's Secret Service on this session's bus with a fresh
/// login keyring, unlocked, in a private folder; returns the environment the
/// tests need to use it.
pub fn unlock_keyring() -> anyhow::Result<Vec<(String, OsString)>> {
    let home = std::env::temp_dir().join(format!("headend-test-home-{}", std::process::id()));
    let mut env = Vec::new();
    for var in ["XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"] {
        let dir = home.join(var.to_lowercase());
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        env.push((var.to_owned(), dir.into_os_string()));
    }
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting gnome-keyring-daemon")?;
    if let Some(mut stdin) = daemon.stdin.take() {
        stdin.write_all(TEST_KEYRING_PASSWORD.as_bytes())?;
    }
    let out = daemon.wait_with_output()?;
    // It prints the variables that locate it, such as GNOME_KEYRING_CONTROL.
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((key, value)) = line.split_once('=') {
            env.push((key.to_owned(), value.into()));
        }
    }
    Ok(env)
}

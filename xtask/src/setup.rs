//! Installing what the build and the tests need: Debian/Ubuntu packages
//! (when root or password-less sudo is available), the wasm target, and
//! Trunk, wasm-bindgen-cli and tauri-driver from crates.io. Nothing is
//! downloaded from anywhere else: Trunk runs offline and finds our
//! wasm-bindgen on PATH; wasm-opt is not used.

use std::process::Command;

use anyhow::{Context, bail};

use crate::bundle::Profile;
use crate::paths;
use crate::process;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Run,
    Test,
}

/// Build and run: WebKitGTK, GTK, the tray's AppIndicator.
const RUN_PACKAGES: &[&str] =
    &["build-essential", "pkg-config", "libwebkit2gtk-4.1-dev", "libayatana-appindicator3-dev"];

/// Tests: a virtual display, the WebDriver for WebKitGTK, a D-Bus session
/// with GNOME Keyring for the Secret Service, keyutils for the kernel keyring.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    "gnome-keyring",
    "keyutils",
    // The live-sessions benchmark speaks WebDriver with it.
    "curl",
    // pdftotext, pdffonts, pdfinfo, pdftoppm: the tests read the invoices
    // Headend prints as a customer's PDF viewer would.
    "poppler-utils",
    // RADIUS mode's tests (headend_simlab::servers) start a real PostgreSQL,
    // MariaDB and FreeRADIUS of their own, on their own ports and in their
    // own directories, and drive FreeRADIUS with radclient. Where
    // invoke-rc.d allows it (not under Docker's policy-rc.d) the packages
    // also start the system's services on the standard ports; the tests
    // neither use nor disturb those.
    "postgresql",
    "mariadb-server",
    "freeradius",
    "freeradius-postgresql",
    "freeradius-mysql",
    "freeradius-utils",
];

const TRUNK_VERSION: &str = "0.21.14";
const TAURI_DRIVER_VERSION: &str = "2.1.0";

pub fn ensure(purpose: Purpose) -> anyhow::Result<()> {
    system_packages(purpose)?;
    wasm_target()?;
    if purpose == Purpose::Test {
        style_components()?;
    }
    let wasm_bindgen = paths::locked_version("wasm-bindgen")?;
    check_trunk_config(&wasm_bindgen)?;
    // wasm-bindgen-cli's own lock file pins a crate version crates.io no
    // longer serves, so it is installed without --locked.
    install_tool("trunk", TRUNK_VERSION, true)?;
    install_tool("wasm-bindgen-cli", &wasm_bindgen, false)?;
    if purpose == Purpose::Test {
        install_tool("tauri-driver", TAURI_DRIVER_VERSION, true)?;
    }
    Ok(())
}

/// GTK aborts without a display; say so before building anything.
pub fn missing_display() -> Option<String> {
    let has = |var| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    (cfg!(target_os = "linux") && !has("DISPLAY") && !has("WAYLAND_DISPLAY")).then(|| {
        "no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the console has no screen to open on. \
         Run `cargo xtask run` in a desktop session (or under `xvfb-run -a`), or use the `headend` command line."
            .to_owned()
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn system_packages(purpose: Purpose) -> anyhow::Result<()> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    if !process::succeeds(Command::new("dpkg-query").arg("--version")) {
        println!(
            "xtask: not a Debian-based system; make sure the equivalents of these are installed: {}",
            packages(purpose).join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages(purpose)
        .into_iter()
        .filter(|p| {
            let out = Command::new("dpkg-query").args(["-W", "-f=${db:Status-Abbrev}", p]).output();
            !out.is_ok_and(|o| o.stdout.starts_with(b"ii"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let sudo: &[&str] = if is_root() {
        &[]
    } else if process::succeeds(Command::new("sudo").args(["-n", "true"])) {
        &["sudo", "-n"]
    } else {
        bail!(
            "these system packages are missing: {list}\ninstall them with: sudo apt-get install -y {list}",
            list = missing.join(" ")
        );
    };
    println!("xtask: installing {}", missing.join(" "));
    let apt = |args: &[&str]| -> anyhow::Result<()> {
        let (program, pre) = match sudo.split_first() {
            Some((first, rest)) => (*first, rest),
            None => ("apt-get", &[][..]),
        };
        let mut cmd = Command::new(program);
        cmd.args(pre);
        if !sudo.is_empty() {
            cmd.arg("apt-get");
        }
        process::run(cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    apt(&install)
}

fn packages(purpose: Purpose) -> Vec<&'static str> {
    let mut all = RUN_PACKAGES.to_vec();
    if purpose == Purpose::Test {
        all.extend(TEST_PACKAGES);
    }
    all
}

fn wasm_target() -> anyhow::Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32-unknown-unknown target")?;
    if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    process::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// `cargo xtask test` checks formatting and lints first.
fn style_components() -> anyhow::Result<()> {
    let out = Command::new("rustup").args(["component", "list", "--installed"]).output().context("running rustup")?;
    let installed = String::from_utf8_lossy(&out.stdout);
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !installed.lines().any(|l| l.starts_with(&format!("{c}-"))))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    process::run(Command::new("rustup").args(["component", "add"]).args(&missing))
}

/// Trunk must ask for exactly the wasm-bindgen the UI links, or it would
/// try to download another.
fn check_trunk_config(wasm_bindgen: &str) -> anyhow::Result<()> {
    let path = paths::repo_root().join("ui/Trunk.toml");
    let config = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let wanted = format!("wasm_bindgen = \"{wasm_bindgen}\"");
    if !config.lines().any(|l| l.trim() == wanted) {
        bail!("{} must say `{wanted}` (the wasm-bindgen version in Cargo.lock)", path.display());
    }
    Ok(())
}

/// Installs `krate` at `version` into the tools folder unless it is there.
pub fn install_tool(krate: &str, version: &str, locked: bool) -> anyhow::Result<()> {
    let root = paths::tools_root()?;
    let listed = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["install", "--list", "--root"])
        .arg(&root)
        .output()
        .context("running cargo install --list")?;
    let wanted = format!("{krate} v{version}:");
    if String::from_utf8_lossy(&listed.stdout).lines().any(|l| l == wanted) {
        return Ok(());
    }
    println!("xtask: installing {krate} {version} from crates.io (once per machine)");
    let build_dir = paths::cache_dir()?.join("tools-build");
    let mut cmd = process::cargo_command()?;
    cmd.args(["install", krate, "--version", version, "--root"]).arg(&root).env("CARGO_TARGET_DIR", &build_dir);
    if locked {
        cmd.arg("--locked");
    }
    process::run(&mut cmd)?;
    // The tool's build tree is no use once it is installed.
    let _ = std::fs::remove_dir_all(&build_dir);
    Ok(())
}

/// Builds the UI with Trunk into `ui/dist`, which the app embeds.
pub fn build_ui(profile: Profile) -> anyhow::Result<()> {
    let trunk = paths::tools_bin()?.join(paths::exe("trunk"));
    let mut cmd = Command::new(trunk);
    cmd.current_dir(paths::repo_root().join("ui"))
        .arg("build")
        .env("CARGO_TARGET_DIR", paths::target_dir()?)
        .env("PATH", process::path_with_tools()?);
    if profile == Profile::Release {
        cmd.arg("--release");
    }
    process::run(&mut cmd)
}

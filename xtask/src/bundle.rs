//! Installers, all described by the root `tauri.conf.json`.
//!
//! - Linux: the `.deb` is assembled here and packed by `dpkg-deb`, with
//!   name, version, identifier, descriptions, dependencies and icons taken
//!   from `tauri.conf.json`. Fast, and needs nothing from outside.
//! - macOS (`.app`, `.dmg`) and Windows (`.msi`), or Linux with
//!   `--tauri-cli`: the Tauri CLI's bundler. It cannot use a configuration at
//!   the workspace root (it takes the config's folder for the app crate), so
//!   we write a copy with its paths rebased next to the app crate, run
//!   `cargo tauri build` there, and remove the copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::paths;
use crate::process;
use crate::setup;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    fn dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// What the package says about itself, from `tauri.conf.json`.
struct Metadata {
    product: String,
    version: String,
    identifier: String,
    summary: String,
    description: String,
    depends: Vec<String>,
    section: String,
}

fn text(config: &Value, pointer: &str) -> anyhow::Result<String> {
    config
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("tauri.conf.json has no {pointer}"))
}

fn metadata() -> anyhow::Result<Metadata> {
    let path = paths::repo_root().join("tauri.conf.json");
    let config: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
        .with_context(|| format!("parsing {}", path.display()))?;
    let depends = config
        .pointer("/bundle/linux/deb/depends")
        .and_then(Value::as_array)
        .map(|deps| deps.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(Metadata {
        product: text(&config, "/productName")?,
        version: text(&config, "/version")?,
        identifier: text(&config, "/identifier")?,
        summary: text(&config, "/bundle/shortDescription")?,
        description: text(&config, "/bundle/longDescription")?,
        depends,
        section: text(&config, "/bundle/linux/deb/section").unwrap_or_else(|_| "net".into()),
    })
}

const TAURI_CLI_VERSION: &str = "2.12.4";

/// The bundles the Tauri CLI makes by default on this OS.
fn native_bundles() -> &'static str {
    if cfg!(target_os = "macos") {
        "app,dmg"
    } else if cfg!(target_os = "windows") {
        "msi"
    } else {
        "deb"
    }
}

/// Builds installers with the Tauri CLI from the root configuration.
pub fn with_tauri_cli(profile: Profile) -> anyhow::Result<()> {
    setup::install_tool("tauri-cli", TAURI_CLI_VERSION, true)?;
    setup::build_ui(profile)?;
    let root = paths::repo_root();
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(root.join("tauri.conf.json"))?)?;
    // Paths in the root config are relative to the root; the copy lives in src-tauri/.
    if let Some(dist) = config.pointer_mut("/build/frontendDist") {
        *dist = Value::from(format!("../{}", dist.as_str().unwrap_or("ui/dist")));
    }
    if let Some(Value::Array(icons)) = config.pointer_mut("/bundle/icon") {
        for icon in icons.iter_mut() {
            *icon = Value::from(format!("../{}", icon.as_str().unwrap_or_default()));
        }
    }
    let generated = root.join("src-tauri/tauri.conf.json");
    std::fs::write(&generated, serde_json::to_string_pretty(&config)?)?;
    let mut cmd = Command::new(paths::tools_bin()?.join(paths::exe("cargo-tauri")));
    cmd.current_dir(root.join("src-tauri"))
        .args(["build", "--bundles", native_bundles()])
        .env("CARGO_TARGET_DIR", paths::target_dir()?)
        .env("PATH", process::path_with_tools()?);
    if profile == Profile::Debug {
        cmd.arg("--debug");
    }
    let built = process::run(&mut cmd);
    let _ = std::fs::remove_file(&generated);
    built?;
    println!("xtask: installers are under {}", paths::target_dir()?.join(profile.dir()).join("bundle").display());
    Ok(())
}

/// Builds the UI and both binaries for `profile`, then the `.deb`; returns its path.
pub fn deb(profile: Profile) -> anyhow::Result<PathBuf> {
    if !cfg!(target_os = "linux") {
        bail!("`cargo xtask bundle` builds the Linux .deb; for macOS and Windows installers see the README");
    }
    let meta = metadata()?;
    let cargo_version = env!("CARGO_PKG_VERSION");
    if meta.version != cargo_version {
        bail!("tauri.conf.json says version {} but Cargo.toml says {cargo_version}", meta.version);
    }
    setup::build_ui(profile)?;
    let mut build = vec!["build", "-p", "headend-app", "-p", "headend"];
    if profile == Profile::Release {
        build.push("--release");
    }
    process::cargo(&build)?;

    let target = paths::target_dir()?;
    let bin_dir = target.join(profile.dir());
    let arch = String::from_utf8(Command::new("dpkg").arg("--print-architecture").output()?.stdout)?.trim().to_owned();
    let package = "headend";
    let stage = target.join("bundle/deb").join(format!("{package}_{}_{arch}", meta.version));
    let _ = std::fs::remove_dir_all(&stage);
    let root = paths::repo_root();

    install_file(&bin_dir.join("headend-app"), &stage.join("usr/bin/headend-app"), 0o755)?;
    install_file(&bin_dir.join("headend"), &stage.join("usr/bin/headend"), 0o755)?;
    for (size, file) in
        [("32x32", "32x32.png"), ("128x128", "128x128.png"), ("256x256", "128x128@2x.png"), ("512x512", "icon.png")]
    {
        install_file(
            &root.join("icons").join(file),
            &stage.join(format!("usr/share/icons/hicolor/{size}/apps/{package}.png")),
            0o644,
        )?;
    }
    write_file(
        &stage.join(format!("usr/share/applications/{}.desktop", meta.identifier)),
        &desktop_entry(&meta),
        0o644,
    )?;
    write_file(&stage.join(format!("usr/share/doc/{package}/copyright")), COPYRIGHT, 0o644)?;
    let installed_kib = dir_size(&stage.join("usr"))? / 1024;
    write_file(&stage.join("DEBIAN/control"), &control(&meta, package, &arch, installed_kib), 0o644)?;

    let deb = target.join("bundle/deb").join(format!("{package}_{}_{arch}.deb", meta.version));
    // xz for what is shipped; fast gzip for the debug package the tests install.
    let compression: &[&str] = match profile {
        Profile::Release => &["-Zxz"],
        Profile::Debug => &["-Zgzip", "-z1"],
    };
    process::run(
        Command::new("dpkg-deb").arg("--root-owner-group").args(compression).arg("--build").arg(&stage).arg(&deb),
    )?;
    println!("xtask: built {}", deb.display());
    Ok(deb)
}

fn desktop_entry(meta: &Metadata) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName={product}\nComment={summary}\nExec=headend-app\nIcon=headend\n\
         Terminal=false\nCategories=Network;Utility;\nStartupWMClass=headend-app\nKeywords=ISP;MikroTik;PPPoE;OLT;RADIUS;billing;\n",
        product = meta.product,
        summary = meta.summary,
    )
}

fn control(meta: &Metadata, package: &str, arch: &str, installed_kib: u64) -> String {
    format!(
        "Package: {package}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: The Headend developers <dev@headend.invalid>\n\
         Installed-Size: {installed_kib}\nDepends: {depends}\nSection: {section}\nPriority: optional\n\
         Description: {summary}\n {description}\n",
        version = meta.version,
        depends = meta.depends.join(", "),
        section = meta.section,
        summary = meta.summary,
        description = meta.description,
    )
}

const COPYRIGHT: &str = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: Headend\n\nFiles: *\nCopyright: 2026 The Headend developers\nLicense: MIT or Apache-2.0\n";

fn install_file(from: &Path, to: &Path, mode: u32) -> anyhow::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    set_mode(to, mode)
}

fn write_file(path: &Path, contents: &str, mode: u32) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    set_mode(path, mode)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}

fn dir_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() { dir_size(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

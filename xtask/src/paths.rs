//! Where things are: the repository, the shared cache, the tools.

use std::path::{Path, PathBuf};

use anyhow::Context;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// `~/.cache/headend`: kept between runs on one machine, outside the clone.
pub fn cache_dir() -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .context("neither HOME nor USERPROFILE is set")?;
    Ok(PathBuf::from(home).join(".cache").join("headend"))
}

/// The cargo target directory for every build xtask starts.
pub fn target_dir() -> anyhow::Result<PathBuf> {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => Ok(cache_dir()?.join("target")),
    }
}

/// Where `cargo install --root` puts Trunk, wasm-bindgen and tauri-driver.
pub fn tools_root() -> anyhow::Result<PathBuf> {
    Ok(cache_dir()?.join("tools"))
}

pub fn tools_bin() -> anyhow::Result<PathBuf> {
    Ok(tools_root()?.join("bin"))
}

pub fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The version of `package` in Cargo.lock.
pub fn locked_version(package: &str) -> anyhow::Result<String> {
    let lock_path = repo_root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).with_context(|| format!("reading {}", lock_path.display()))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start =
        lock.find(&needle).map(|i| i + needle.len()).with_context(|| format!("{package} is not in Cargo.lock"))?;
    let version = lock[start..].split('"').next().unwrap_or_default();
    Ok(version.to_owned())
}

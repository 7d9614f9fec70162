//! Running commands, with the environment every build shares.

use std::ffi::OsString;
use std::process::Command;

use anyhow::{Context, bail};

use crate::paths;

/// PATH with the tools folder first, so Trunk finds our wasm-bindgen.
pub fn path_with_tools() -> anyhow::Result<OsString> {
    let mut dirs = vec![paths::tools_bin()?];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    Ok(std::env::join_paths(dirs)?)
}

/// Runs `cmd`, failing with its command line if it fails.
pub fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}

/// Whether `cmd` runs and succeeds, quietly.
pub fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).status().is_ok_and(|s| s.success())
}

/// A `cargo` command with the shared target directory.
pub fn cargo_command() -> anyhow::Result<Command> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(paths::repo_root()).env("CARGO_TARGET_DIR", paths::target_dir()?).env("PATH", path_with_tools()?);
    Ok(cmd)
}

pub fn cargo(args: &[&str]) -> anyhow::Result<()> {
    run(cargo_command()?.args(args))
}

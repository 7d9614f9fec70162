//! `headend backup --out FILE` and `headend restore FILE`: a consistent
//! copy of the database made while the app and the agent run, and putting
//! one back in place (with the app and the agent stopped).

use std::path::PathBuf;

use headend_workflows::backup::{RestoreOptions, restore};
use serde::Serialize;

use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The file to write (mode 0600). It holds no password in clear; keep the key apart with `headend key export`.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A backup made by `headend backup` or the app.
    file: PathBuf,
    /// Replace a database with later changes (or a newer schema) than the backup's.
    #[arg(long)]
    force: bool,
    /// This is a second copy beside a still-running original: give it a new installation id
    /// (its router and OLT passwords must then be entered again, and the subscriber key imported).
    #[arg(long)]
    as_copy: bool,
}

#[derive(Serialize)]
struct BackupJson {
    path: String,
    bytes: u64,
}

#[derive(Serialize)]
struct RestoredJson {
    installation_id: String,
    new_installation: bool,
    replaced: Option<String>,
}

pub async fn backup(globals: &Globals, args: BackupArgs) -> anyhow::Result<()> {
    let workflows = open_workflows(globals).await?;
    let made = workflows.back_up(&args.out).await?;
    if globals.json {
        return output::json(&BackupJson { path: made.path.display().to_string(), bytes: made.bytes });
    }
    output::line(format!("wrote {} ({} bytes)", made.path.display(), made.bytes))?;
    eprintln!("passwords are not in it: keep the subscriber key apart with `headend key export`");
    Ok(())
}

pub async fn restore_from(globals: &Globals, args: RestoreArgs) -> anyhow::Result<()> {
    let dir = globals.data_dir()?;
    let options = RestoreOptions { force: args.force, as_copy: args.as_copy };
    let restored = restore(&dir, &args.file, options, jiff::Timestamp::now()).await?;
    if globals.json {
        return output::json(&RestoredJson {
            installation_id: restored.installation_id,
            new_installation: restored.new_installation,
            replaced: restored.replaced.map(|p| p.display().to_string()),
        });
    }
    output::line(format!("restored {} into {}", args.file.display(), dir.database_path().display()))?;
    if let Some(replaced) = &restored.replaced {
        output::line(format!("the database it replaced is kept as {}", replaced.display()))?;
    }
    if restored.new_installation {
        eprintln!(
            "this copy is installation {}: enter its router and OLT passwords again and import the subscriber key \
             (`headend key import FILE`)",
            restored.installation_id
        );
    }
    Ok(())
}

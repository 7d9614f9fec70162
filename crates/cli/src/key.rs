//! `headend key export --out FILE` and `headend key import FILE`: the key
//! of subscriber passwords moved between machines in a file sealed with a
//! passphrase. The passphrase is read from the terminal without echo (asked
//! twice on export), or from `HEADEND_KEY_PASSPHRASE` for scripts.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::Serialize;

use crate::open::open_workflows;
use crate::{Globals, output};

/// The environment variable a script passes the passphrase in.
const PASSPHRASE_VAR: &str = "HEADEND_KEY_PASSPHRASE";

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the key of subscriber passwords to FILE (mode 0600), sealed with a passphrase.
    ///
    /// The passphrase is asked twice on the terminal, or read from HEADEND_KEY_PASSPHRASE.
    /// Keep the file with your backups: a backup holds the passwords only encrypted with this key.
    Export {
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Put the key of subscriber passwords from FILE (made by `key export`) into this machine's keyring.
    ///
    /// Refused if the database's passwords are encrypted with another key, and if the
    /// keyring already holds another key (unless --force).
    Import {
        /// The file `key export` wrote.
        file: PathBuf,
        /// Replace another subscriber key the keyring holds.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Serialize)]
struct KeyJson {
    key_id: String,
    installation_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced: Option<String>,
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let workflows = open_workflows(globals).await?;
    match command {
        Command::Export { out } => {
            let passphrase = passphrase(true)?;
            let exported = workflows.export_subscriber_key(&out, passphrase).await?;
            if globals.json {
                return output::json(&KeyJson {
                    key_id: exported.key_id.to_string(),
                    installation_id: exported.installation_id,
                    path: Some(exported.path.display().to_string()),
                    replaced: None,
                });
            }
            output::line(format!(
                "wrote subscriber key {} of installation {} to {}",
                exported.key_id,
                exported.installation_id,
                exported.path.display()
            ))?;
            eprintln!("keep the file and its passphrase apart; `headend key import` takes it on another machine");
        }
        Command::Import { file, force } => {
            let passphrase = passphrase(false)?;
            let imported = workflows.import_subscriber_key(&file, passphrase, force).await?;
            if globals.json {
                return output::json(&KeyJson {
                    key_id: imported.key_id.to_string(),
                    installation_id: imported.exported_from,
                    path: None,
                    replaced: imported.replaced.map(|id| id.to_string()),
                });
            }
            let what = if imported.already_kept { "was already in the keyring" } else { "is now in the keyring" };
            output::line(format!(
                "subscriber key {} (exported from installation {}) {what}",
                imported.key_id, imported.exported_from
            ))?;
            if let Some(replaced) = imported.replaced {
                eprintln!("it replaced key {replaced}");
            }
        }
    }
    Ok(())
}

/// The passphrase: `HEADEND_KEY_PASSPHRASE`, or typed on the terminal
/// without echo (twice when `confirm`).
fn passphrase(confirm: bool) -> anyhow::Result<String> {
    if let Ok(from_env) = std::env::var(PASSPHRASE_VAR) {
        return Ok(from_env);
    }
    let typed = rpassword::prompt_password("Passphrase of the key file: ")
        .with_context(|| format!("reading the passphrase from the terminal (or set {PASSPHRASE_VAR})"))?;
    if confirm {
        let again = rpassword::prompt_password("The same passphrase again: ")
            .with_context(|| format!("reading the passphrase from the terminal (or set {PASSPHRASE_VAR})"))?;
        if again != typed {
            bail!("the two passphrases differ; nothing was written");
        }
    }
    Ok(typed)
}

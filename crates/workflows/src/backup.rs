//! Backups of the database and restoring one.
//!
//! A backup is the database as of one instant (`VACUUM INTO`, made while
//! the app and the agent keep working), without any secret: router and OLT
//! passwords are in the keyring, subscriber passwords are in it only
//! encrypted, with the key's id. The key itself must be kept apart
//! (`headend key export`).
//!
//! Restoring keeps the installation id of the backup by default: the
//! restored database is the same installation (this machine, or the one
//! that replaces it), so the routers' markers stay its own and its keyring
//! entries are found under the same scope. `as_copy` gives it a new id
//! instead, for a second copy running beside a still-running original: the
//! two then never claim each other's routers, but the copy's keyring scope
//! is new, so its router and OLT passwords must be entered again and the
//! subscriber key imported (`headend key import`).

use std::fs;
use std::path::{Path, PathBuf};

use headend_core::activity::{Actor, Subject};
use headend_core::backup::{MAX_KEEP_DAYS, daily_run};
use headend_store::{
    DataDir, DatabaseFacts, Store, assign_new_installation_id, inspect_database, latest_schema_version,
};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::files::{file_error, make_private, remove_if_present, temp_beside};
use crate::{WorkflowError, Workflows};

/// A backup written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
}

/// What a day's automatic backup did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailyBackup {
    pub made: Option<Backup>,
    pub pruned: Vec<PathBuf>,
}

/// How a restore may go.
#[derive(Debug, Clone, Copy, Default)]
pub struct RestoreOptions {
    /// Replace a database with later changes (or a newer schema) than the
    /// backup's.
    pub force: bool,
    /// The restored database is a second copy beside a running original:
    /// give it a new installation id.
    pub as_copy: bool,
}

/// A restore done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The installation id the database has now.
    pub installation_id: String,
    /// Whether that id is new (`as_copy`).
    pub new_installation: bool,
    /// Where the database it replaced was kept, if there was one.
    pub replaced: Option<PathBuf>,
}

impl Workflows {
    /// Writes a consistent copy of the database to `out` (mode 0600),
    /// through a temporary file beside it.
    pub async fn back_up(&self, out: &Path) -> Result<Backup, WorkflowError> {
        let temp = temp_beside(out);
        remove_if_present(&temp)?;
        let made = async {
            self.store.backup_into(&temp).await?;
            make_private(&temp)?;
            fs::rename(&temp, out).map_err(|err| file_error("write", out, &err))
        }
        .await;
        if let Err(err) = made {
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
        let bytes = fs::metadata(out).map_err(|err| file_error("read", out, &err))?.len();
        tracing::info!(path = %out.display(), bytes, "database backed up");
        Ok(Backup { path: out.to_path_buf(), bytes })
    }

    /// The day's automatic backup into `folder`: today's file if it is not
    /// there yet, and the daily files past the days kept removed
    /// (`headend_core::backup::daily_run`).
    pub async fn daily_backup(&self, folder: &Path, today: Date) -> Result<DailyBackup, WorkflowError> {
        let keep_days = self.store.backup_keep_days().await?;
        fs::create_dir_all(folder).map_err(|err| file_error("create", folder, &err))?;
        let names: Vec<String> = fs::read_dir(folder)
            .map_err(|err| file_error("read", folder, &err))?
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        let run = daily_run(today, keep_days, &names);
        let made = match run.make {
            Some(name) => Some(self.back_up(&folder.join(name)).await?),
            None => None,
        };
        let mut pruned = Vec::new();
        for name in run.prune {
            let path = folder.join(name);
            remove_if_present(&path)?;
            pruned.push(path);
        }
        Ok(DailyBackup { made, pruned })
    }

    /// How many days of daily backups are kept (0: none are made).
    pub async fn backup_keep_days(&self) -> Result<u16, WorkflowError> {
        Ok(self.store.backup_keep_days().await?)
    }

    pub async fn set_backup_keep_days(&self, actor: &Actor, days: u16) -> Result<(), WorkflowError> {
        if days > MAX_KEEP_DAYS {
            return Err(WorkflowError::invalid(
                "backup_keep_days",
                format!("daily backups are kept at most {MAX_KEEP_DAYS} days"),
            ));
        }
        self.store.set_backup_keep_days(days).await?;
        let detail = if days == 0 { "daily backups off".to_owned() } else { format!("daily backups kept {days} days") };
        self.log(actor, Subject::Policy, "backups-set", detail).await;
        Ok(())
    }
}

/// What the file at `from` holds, if it is a Headend database this build
/// can open.
pub async fn check_backup(from: &Path) -> Result<DatabaseFacts, WorkflowError> {
    if !from.is_file() {
        return Err(WorkflowError::invalid("file", format!("{} is not a file", from.display())));
    }
    let facts = inspect_database(from).await.map_err(|err| WorkflowError::invalid("file", err.to_string()))?;
    if facts.schema_version > latest_schema_version() {
        return Err(WorkflowError::invalid(
            "file",
            format!(
                "{} was made by a newer Headend (schema {}; this one knows up to {}): update Headend first",
                from.display(),
                facts.schema_version,
                latest_schema_version()
            ),
        ));
    }
    Ok(facts)
}

/// Replaces the database of `data_dir` with the backup at `from`.
///
/// The database must not be open elsewhere: an engine lease a live process
/// held in the last two minutes (the app, `headend agent`) refuses the
/// restore. A database with later changes than the backup's (or a newer
/// schema) is replaced only with `force`. The replaced database is kept
/// beside it as `headend.sqlite3.replaced-<now>`, and its stale `-wal` and
/// `-shm` files are removed.
pub async fn restore(
    data_dir: &DataDir,
    from: &Path,
    options: RestoreOptions,
    now: Timestamp,
) -> Result<Restored, WorkflowError> {
    let backup = check_backup(from).await?;
    let target = data_dir.database_path();
    let current = if target.exists() { Some(current_database(&target).await?) } else { None };
    if let Some(current) = &current
        && !options.force
    {
        refuse_newer(current, &backup)?;
    }

    let temp = temp_beside(&target);
    remove_if_present(&temp)?;
    fs::copy(from, &temp).map_err(|err| file_error("copy", from, &err))?;
    make_private(&temp)?;
    let installation_id = if options.as_copy {
        match assign_new_installation_id(&temp).await {
            Ok(id) => id,
            Err(err) => {
                let _ = fs::remove_file(&temp);
                return Err(err.into());
            }
        }
    } else {
        backup.installation_id.clone()
    };

    let replaced = match current {
        Some(_) => {
            let kept = kept_name(&target, now);
            fs::rename(&target, &kept).map_err(|err| file_error("move aside", &target, &err))?;
            Some(kept)
        }
        None => None,
    };
    for stale in ["-wal", "-shm"] {
        remove_if_present(&sibling(&target, stale))?;
    }
    fs::rename(&temp, &target).map_err(|err| file_error("put in place", &target, &err))?;
    tracing::info!(from = %from.display(), installation = %installation_id, replaced = ?replaced, "database restored");
    Ok(Restored { installation_id, new_installation: options.as_copy, replaced })
}

/// The facts of the database in place, once no engine works on it and its
/// write-ahead log is folded into the file (so the file kept aside is
/// whole).
async fn current_database(target: &Path) -> Result<DatabaseFacts, WorkflowError> {
    let store = Store::open(target).await?;
    let at_work = store.engines_at_work().await;
    let checkpoint = store.checkpoint().await;
    store.close().await;
    let at_work = at_work?;
    if !at_work.is_empty() {
        return Err(WorkflowError::invalid(
            "file",
            format!(
                "the database is in use by {}: quit the app (tray → Quit) and stop the agent \
                 (`headend agent uninstall`, or its service) before restoring",
                at_work.join(", ")
            ),
        ));
    }
    checkpoint?;
    Ok(inspect_database(target).await?)
}

fn refuse_newer(current: &DatabaseFacts, backup: &DatabaseFacts) -> Result<(), WorkflowError> {
    if current.schema_version > backup.schema_version {
        return Err(WorkflowError::invalid(
            "force",
            format!(
                "the database in place has a newer schema ({}) than the backup ({}); --force replaces it anyway \
                 (it is kept beside it)",
                current.schema_version, backup.schema_version
            ),
        ));
    }
    if let (Some(now), Some(then)) = (current.last_change, backup.last_change)
        && now > then
    {
        return Err(WorkflowError::invalid(
            "force",
            format!(
                "the database in place changed at {now}, after the backup's last change at {then}; --force \
                 replaces it anyway (it is kept beside it)"
            ),
        ));
    }
    if current.last_change.is_some() && backup.last_change.is_none() {
        return Err(WorkflowError::invalid(
            "force",
            "the database in place has changes and the backup has none; --force replaces it anyway".to_owned(),
        ));
    }
    Ok(())
}

/// `headend.sqlite3.replaced-20261206T064513Z`.
fn kept_name(target: &Path, now: Timestamp) -> PathBuf {
    sibling(target, &format!(".replaced-{}", now.strftime("%Y%m%dT%H%M%SZ")))
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Checks the backup at `from` and sets a copy aside to replace the
/// database at the app's next start ([`apply_pending_restore`]): the
/// database is not swapped under a running app.
pub async fn stage_restore(data_dir: &DataDir, from: &Path) -> Result<DatabaseFacts, WorkflowError> {
    let facts = check_backup(from).await?;
    let pending = data_dir.pending_restore_path();
    let temp = temp_beside(&pending);
    remove_if_present(&temp)?;
    let staged = fs::copy(from, &temp)
        .map_err(|err| file_error("copy", from, &err))
        .and_then(|_| make_private(&temp))
        .and_then(|()| fs::rename(&temp, &pending).map_err(|err| file_error("write", &pending, &err)));
    if let Err(err) = staged {
        let _ = fs::remove_file(&temp);
        return Err(err);
    }
    tracing::info!(from = %from.display(), "restore staged for the next start");
    Ok(facts)
}

/// Restores the backup [`stage_restore`] set aside, if there is one,
/// before the database is opened. The operator confirmed it in the
/// console, so a newer database is replaced (and kept beside it); the
/// installation id stays the backup's.
pub async fn apply_pending_restore(data_dir: &DataDir, now: Timestamp) -> Result<Option<Restored>, WorkflowError> {
    let pending = data_dir.pending_restore_path();
    if !pending.exists() {
        return Ok(None);
    }
    let restored = restore(data_dir, &pending, RestoreOptions { force: true, as_copy: false }, now).await?;
    remove_if_present(&pending)?;
    Ok(Some(restored))
}

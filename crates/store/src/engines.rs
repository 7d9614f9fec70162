//! What the engines sharing this database (the provisioning engine and the
//! OLT engine, in the app and in `headend agent`) agree on besides SQL: how
//! long a lease lasts, how often its holder renews it, and who holds one.
//!
//! A lease row is the rule: it is taken for [`LEASE_TTL`] and renewed by a
//! heartbeat every [`HEARTBEAT`] while its holder works, so a holder that
//! died, hung or lost the database loses it within [`LEASE_TTL`], on any
//! machine, in any PID namespace. A holder that finds its lease taken stops
//! writing.
//!
//! Waiting out [`LEASE_TTL`] after every crash would be slow, so each
//! engine process also holds an OS file lock ([`EngineHolder`]) next to the
//! database; the kernel drops it the instant the process dies, however it
//! dies. Another process on the same machine that can take that lock knows
//! the holder is gone and releases all of its leases at once. A holder whose lock
//! file it cannot see (another machine, a test holder without one) is never
//! judged gone: its lease runs out instead. Process ids are not used: they
//! mean nothing across PID namespaces and hosts.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::SignedDuration;

/// How long a lease lasts without a heartbeat.
pub const LEASE_TTL: SignedDuration = SignedDuration::from_secs(30);

/// How often a holder renews its lease while it works: three heartbeats
/// fit in a lease, so one late beat (a busy database) does not lose it.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

/// An engine process's name in the lease tables (`agent:5f3a9c...`), and
/// while it lives the OS lock that says it is alive. Cheap to clone; the
/// lock is released (and its file removed) when the last clone drops, and by
/// the kernel if the process dies first.
#[derive(Clone)]
pub struct EngineHolder {
    name: String,
    /// Held for its `Drop`: the lock lasts as long as the holder.
    _life: Option<Arc<LifeLock>>,
}

struct LifeLock {
    path: PathBuf,
    file: File,
}

impl Drop for LifeLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
        let _ = std::fs::remove_file(&self.path);
    }
}

impl fmt::Debug for EngineHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Display for EngineHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl EngineHolder {
    /// A holder with a plain name and no life lock (tests, benchmarks):
    /// nobody can tell it died, so its leases only expire.
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: name.into(), _life: None }
    }

    /// A new holder for `role` (`app`, `agent`, `cli`) of the database at
    /// `database`, alive while it is kept.
    pub(crate) fn claim(database: &Path, role: &str) -> std::io::Result<Self> {
        let role: String = role.chars().filter(char::is_ascii_alphanumeric).collect();
        let token = format!("{:016x}", RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now())));
        let dir = life_dir(database);
        crate::data_dir::create_private(&dir)?;
        let path = dir.join(format!("{role}-{token}.alive"));
        let file = OpenOptions::new().create(true).truncate(true).write(true).open(&path)?;
        file.try_lock().map_err(|e| match e {
            TryLockError::Error(e) => e,
            TryLockError::WouldBlock => std::io::Error::other("a new life lock is already held"),
        })?;
        Ok(Self { name: format!("{role}:{token}"), _life: Some(Arc::new(LifeLock { path, file })) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Where the life locks of the engines of `database` are.
fn life_dir(database: &Path) -> PathBuf {
    let mut dir = database.as_os_str().to_owned();
    dir.push(".engines");
    PathBuf::from(dir)
}

/// The life lock file of `holder` (a name read from a lease row), if the
/// name can be one of ours.
fn life_file(database: &Path, holder: &str) -> Option<PathBuf> {
    let (role, token) = holder.split_once(':')?;
    // Names come from the database: only ours can name a file.
    let plain = |s: &str| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric());
    (plain(role) && plain(token)).then(|| life_dir(database).join(format!("{role}-{token}.alive")))
}

/// Whether `holder` is an engine of this machine that is gone: its life
/// lock exists and nobody holds it. A holder of another machine, of an
/// older version, or without a lock is not known to be gone. The file
/// stays until [`forget`] (its leases are released first).
pub(crate) fn holder_is_gone(database: &Path, holder: &str) -> bool {
    let Some(path) = life_file(database, holder) else {
        return false;
    };
    let Ok(file) = OpenOptions::new().write(true).open(&path) else {
        return false;
    };
    file.try_lock().is_ok()
}

/// Removes the life lock file of a holder that is gone.
pub(crate) fn forget(database: &Path, holder: &str) {
    if let Some(path) = life_file(database, holder) {
        let _ = std::fs::remove_file(path);
    }
}

/// The engines of `database` on this machine: `(alive, gone)`, by the life
/// locks held and not held.
pub(crate) fn holders(database: &Path) -> (Vec<String>, Vec<String>) {
    let (mut alive, mut gone) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(life_dir(database)) else {
        return (alive, gone);
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some((role, token)) =
            file_name.to_str().and_then(|n| n.strip_suffix(".alive")).and_then(|n| n.split_once('-'))
        else {
            continue;
        };
        let holder = format!("{role}:{token}");
        if holder_is_gone(database, &holder) { gone.push(holder) } else { alive.push(holder) }
    }
    alive.sort();
    gone.sort();
    (alive, gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_gone_only_once_its_lock_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("headend.sqlite3");
        let agent = EngineHolder::claim(&db, "agent").unwrap();
        assert!(agent.name().starts_with("agent:"), "{agent}");
        assert!(!holder_is_gone(&db, agent.name()), "alive while kept");
        assert_eq!(holders(&db), (vec![agent.name().to_owned()], vec![]));
        let name = agent.name().to_owned();
        let path = agent._life.as_ref().unwrap().path.clone();
        // What a killed process leaves: the file, with no lock on it.
        agent._life.as_ref().unwrap().file.unlock().unwrap();
        assert!(holder_is_gone(&db, &name), "the lock is free: the holder is gone");
        assert_eq!(holders(&db), (vec![], vec![name.clone()]));
        forget(&db, &name);
        assert!(!path.exists(), "its file is cleared");
        assert!(!holder_is_gone(&db, &name), "and it is not judged twice");
    }

    #[test]
    fn a_process_id_or_a_foreign_name_is_never_judged_gone() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("headend.sqlite3");
        for name in ["agent:4194305", "app:1", "test", "agent:x", "../../etc:passwd", "a:..", ""] {
            assert!(!holder_is_gone(&db, name), "{name}");
        }
        assert_eq!(EngineHolder::named("bench").to_string(), "bench");
    }

    #[test]
    fn dropping_the_last_clone_removes_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("headend.sqlite3");
        let app = EngineHolder::claim(&db, "app").unwrap();
        let path = app._life.as_ref().unwrap().path.clone();
        let clone = app.clone();
        drop(app);
        assert!(path.exists());
        drop(clone);
        assert!(!path.exists());
    }
}

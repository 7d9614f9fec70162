//! Where Headend keeps its files. The desktop app, the CLI and (later) the
//! agent resolve it the same way, so they share one database.

use std::path::{Path, PathBuf};

/// The application identifier; also the name of the data folder, matching
/// Tauri's `app_data_dir()` for the desktop app.
pub const APP_IDENTIFIER: &str = "net.headend.console";

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "HEADEND_DATA_DIR";

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("this system has no application-data folder; pass --data-dir or set {DATA_DIR_ENV}")]
    NoPlatformDir,
    #[error("cannot create the data directory {path}: {source}")]
    Create { path: PathBuf, source: std::io::Error },
}

/// The data directory and the files in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// `explicit` (from `--data-dir`) wins, then `HEADEND_DATA_DIR`, then the
    /// platform's application-data folder (`~/.local/share/net.headend.console`
    /// on Linux, `~/Library/Application Support/…` on macOS, `%APPDATA%\…` on
    /// Windows). The folder is created if missing.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self, DataDirError> {
        let root = match explicit {
            Some(path) => path.to_path_buf(),
            None => match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
                Some(path) => PathBuf::from(path),
                None => dirs::data_dir().ok_or(DataDirError::NoPlatformDir)?.join(APP_IDENTIFIER),
            },
        };
        create_private(&root).map_err(|source| DataDirError::Create { path: root.clone(), source })?;
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn database_path(&self) -> PathBuf {
        self.root.join("headend.sqlite3")
    }

    /// Where the app's daily backups and "Back up now" go.
    pub fn backup_dir(&self) -> PathBuf {
        self.root.join("backups")
    }

    /// A backup the console staged for restoring at the next start.
    pub fn pending_restore_path(&self) -> PathBuf {
        self.root.join("restore-pending.sqlite3")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// The desktop app's preferences (a JSON file kept by tauri-plugin-store).
    pub fn settings_path(&self) -> PathBuf {
        self.root.join("settings.json")
    }
}

/// Creates `dir` (and its missing parents) readable by this user only:
/// it holds the database of every customer. A folder that exists already
/// keeps the permissions its owner gave it.
pub(crate) fn create_private(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins_and_is_created() {
        let tmp = tempfile::tempdir().unwrap();
        let wanted = tmp.path().join("a/b");
        let dir = DataDir::resolve(Some(&wanted)).unwrap();
        assert_eq!(dir.root(), wanted);
        assert!(wanted.is_dir());
        assert_eq!(dir.database_path(), wanted.join("headend.sqlite3"));
        assert_eq!(dir.log_dir(), wanted.join("logs"));
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_dir_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let wanted = tmp.path().join("a/b");
        DataDir::resolve(Some(&wanted)).unwrap();
        for dir in [tmp.path().join("a"), wanted] {
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", dir.display());
        }
    }

    #[test]
    fn uncreatable_dir_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        std::fs::write(&file, "").unwrap();
        let err = DataDir::resolve(Some(&file.join("sub"))).unwrap_err();
        assert!(err.to_string().starts_with("cannot create the data directory"), "{err}");
    }
}

//! Files a workflow writes for the operator (an exported key, a backup):
//! readable by the owner only, and never seen half-written under their
//! name.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::WorkflowError;

/// Where a file is made before it is renamed to `target`: beside it, so
/// the rename stays on one file system.
pub(crate) fn temp_beside(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Writes `bytes` to `target` with mode 0600 (on Unix): into a temporary
/// file beside it, then renamed over it.
pub(crate) fn write_private(target: &Path, bytes: &[u8]) -> Result<(), WorkflowError> {
    let temp = temp_beside(target);
    let written = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, target)
    })();
    written.map_err(|err| {
        let _ = fs::remove_file(&temp);
        file_error("write", target, &err)
    })
}

/// Makes `path` readable and writable by its owner only (on Unix).
pub(crate) fn make_private(path: &Path) -> Result<(), WorkflowError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|err| file_error("protect", path, &err))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Removes `path`; a file already gone is fine.
pub(crate) fn remove_if_present(path: &Path) -> Result<(), WorkflowError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(file_error("remove", path, &err)),
    }
}

/// A file that could not be read or written, said with its path.
pub(crate) fn file_error(verb: &str, path: &Path, err: &std::io::Error) -> WorkflowError {
    WorkflowError::File(format!("cannot {verb} {}: {err}", path.display()))
}

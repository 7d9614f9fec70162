//! The store itself and the choice of backend.

use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use crate::key::SERVICE;
use crate::{Backend, Secret, SecretError, SecretKey};

/// The one place Headend reads and writes passwords.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`: keep one in the Tauri
/// state or the CLI context and clone it where needed.
///
/// Every method **blocks** (D-Bus round trips, keychain calls, and possibly a
/// desktop unlock prompt). From async code call it through
/// `tokio::task::spawn_blocking`:
///
/// ```ignore
/// let s = store.clone();
/// let password = tokio::task::spawn_blocking(move || s.get(&SecretKey::router(42))).await??;
/// ```
#[derive(Clone)]
pub struct SecretStore {
    backend: Backend,
    store: Arc<CredentialStore>,
    /// Prefix of every account name, so two databases (two data
    /// directories, or a test's temporary one) never share entries.
    scope: Option<Arc<str>>,
}

impl fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretStore").field("backend", &self.backend).finish_non_exhaustive()
    }
}

/// The environment variable that forces a backend.
pub const BACKEND_VAR: &str = "HEADEND_SECRET_BACKEND";

impl SecretStore {
    /// Opens the best backend this machine offers.
    ///
    /// - macOS: the login Keychain. Windows: the Credential Manager.
    /// - Linux: the Secret Service if one answers on the session bus and has
    ///   a default collection; otherwise the kernel keyring, with a
    ///   `tracing::warn!` saying why and that passwords will not survive a
    ///   reboot.
    ///
    /// Logs the chosen backend (never a secret). Fails only when no backend
    /// works at all.
    ///
    /// `HEADEND_SECRET_BACKEND` (a [`Backend::name`], such as
    /// `kernel-keyring`) forces one backend instead, for a machine where
    /// the probe would pick the wrong one.
    pub fn open() -> Result<SecretStore, SecretError> {
        if let Some(forced) = std::env::var_os(BACKEND_VAR) {
            let backend: Backend = forced.to_string_lossy().parse()?;
            return Self::with_backend(backend);
        }
        let store = platform::open_best()?;
        tracing::info!(
            backend = store.backend.name(),
            persistent = store.backend.is_persistent(),
            "secrets are kept in the {}",
            store.backend
        );
        Ok(store)
    }

    /// Opens exactly `backend`, probing that it works here.
    ///
    /// Returns [`SecretError::Unsupported`] for a backend of another OS and
    /// [`SecretError::Unavailable`] when it does not answer on this machine.
    pub fn with_backend(backend: Backend) -> Result<SecretStore, SecretError> {
        let store = platform::open(backend)?;
        tracing::debug!(backend = backend.name(), "secret backend forced");
        Ok(store)
    }

    /// Keeps this handle's entries apart from any other scope's: accounts
    /// become `<scope>/<kind>:<id>`. Headend scopes by the database's
    /// installation id, since ids like `router:1` repeat across databases.
    #[must_use]
    pub fn scoped(mut self, scope: &str) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The backend in use (its `Display` is the name to show to people).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Stores `password` under `key`, replacing any previous value.
    ///
    /// An empty password is refused ([`SecretError::EmptySecret`]): "no
    /// password" is represented by having no entry (see [`delete`](Self::delete)).
    pub fn set(&self, key: &SecretKey, password: &str) -> Result<(), SecretError> {
        if password.is_empty() {
            return Err(SecretError::EmptySecret { key: key.to_string() });
        }
        let entry = self.entry(key)?;
        match entry.set_password(password) {
            Ok(()) => {}
            // Duplicates made by another program: replace them all with ours.
            Err(keyring_core::Error::Ambiguous(dups)) => {
                for dup in dups {
                    dup.delete_credential().or_else(ignore_missing).map_err(|e| self.err(key, e))?;
                }
                entry.set_password(password).map_err(|e| self.err(key, e))?;
            }
            Err(e) => return Err(self.err(key, e)),
        }
        tracing::debug!(backend = self.backend.name(), key = %key, "secret stored");
        Ok(())
    }

    /// Reads the password stored under `key`; `Ok(None)` if there is none.
    pub fn get(&self, key: &SecretKey) -> Result<Option<Secret>, SecretError> {
        let entry = self.entry(key)?;
        match entry.get_password() {
            Ok(password) => Ok(Some(Secret::new(password))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.err(key, e)),
        }
    }

    /// Deletes the password stored under `key`. Deleting a missing entry is
    /// not an error; duplicates are all deleted.
    pub fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        let entry = self.entry(key)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => {}
            Err(keyring_core::Error::Ambiguous(dups)) => {
                for dup in dups {
                    dup.delete_credential().or_else(ignore_missing).map_err(|e| self.err(key, e))?;
                }
            }
            Err(e) => return Err(self.err(key, e)),
        }
        tracing::debug!(backend = self.backend.name(), key = %key, "secret deleted");
        Ok(())
    }

    fn entry(&self, key: &SecretKey) -> Result<Entry, SecretError> {
        key.validate()?;
        let account = match &self.scope {
            Some(scope) => format!("{scope}/{}", key.account()),
            None => key.account(),
        };
        // What GNOME Keyring / KeePassXC / KWallet show for the item. The
        // other stores accept no label.
        let label = format!("Headend {account}");
        let modifiers = std::collections::HashMap::from([("label", label.as_str())]);
        let modifiers = (self.backend == Backend::SecretService).then_some(&modifiers);
        self.store.build(SERVICE, &account, modifiers).map_err(|e| self.err(key, e))
    }

    fn err(&self, key: &SecretKey, e: keyring_core::Error) -> SecretError {
        SecretError::from_keyring(self.backend, key, e)
    }
}

fn ignore_missing(e: keyring_core::Error) -> Result<(), keyring_core::Error> {
    match e {
        keyring_core::Error::NoEntry => Ok(()),
        e => Err(e),
    }
}

/// Checks that a freshly built store answers: looks up an entry that does not
/// exist and expects "no entry". Writes nothing.
#[cfg_attr(not(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android")))), allow(dead_code))]
fn probe_lookup(backend: Backend, store: &Arc<CredentialStore>) -> Result<(), SecretError> {
    let unavailable = |reason: String| SecretError::Unavailable { backend, reason };
    let probe = format!("probe:{}", std::process::id());
    let entry = store.build(SERVICE, &probe, None).map_err(|e| unavailable(e.to_string()))?;
    match entry.get_password() {
        Ok(mut unexpected) => {
            zeroize::Zeroize::zeroize(&mut unexpected);
            Ok(())
        }
        Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e.to_string())),
    }
}

fn make(backend: Backend, store: Arc<CredentialStore>) -> SecretStore {
    SecretStore { backend, store, scope: None }
}

/// Linux and the BSDs: Secret Service, then (Linux) the kernel keyring.
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use super::{SecretStore, make};
    use crate::{Backend, SecretError};

    pub(super) fn open(backend: Backend) -> Result<SecretStore, SecretError> {
        match backend {
            Backend::SecretService => open_secret_service(),
            #[cfg(target_os = "linux")]
            Backend::KernelKeyring => {
                let store = open_kernel_keyring()?;
                tracing::warn!(
                    backend = Backend::KernelKeyring.name(),
                    lifetime = %kernel_keyring_lifetime(),
                    "passwords are kept in the Linux kernel keyring, as asked: never written to \
                     disk, but LOST AT REBOOT"
                );
                Ok(store)
            }
            other => Err(SecretError::Unsupported { backend: other }),
        }
    }

    pub(super) fn open_best() -> Result<SecretStore, SecretError> {
        let why = match open_secret_service() {
            Ok(store) => return Ok(store),
            Err(e) => e,
        };
        #[cfg(target_os = "linux")]
        {
            match open_kernel_keyring() {
                Ok(store) => {
                    tracing::warn!(
                        backend = Backend::KernelKeyring.name(),
                        reason = %why,
                        lifetime = %kernel_keyring_lifetime(),
                        "no usable Secret Service, so passwords are kept in the Linux kernel \
                         keyring: never written to disk, but LOST AT REBOOT (they must then be \
                         entered again). To keep them, run a Secret Service in this user's D-Bus \
                         session (gnome-keyring-daemon, KeePassXC with Secret Service \
                         integration, KWallet) and restart Headend"
                    );
                    Ok(store)
                }
                Err(fallback) => Err(SecretError::Unavailable {
                    backend: Backend::SecretService,
                    reason: format!("{why}; and the fallback failed too: {fallback}"),
                }),
            }
        }
        #[cfg(not(target_os = "linux"))]
        Err(why)
    }

    /// Connects to the Secret Service and checks that it has a default
    /// collection to write into (the store creates items there).
    fn open_secret_service() -> Result<SecretStore, SecretError> {
        use secret_service::EncryptionType;
        use secret_service::blocking::SecretService;

        let backend = Backend::SecretService;
        let unavailable = |reason: String| SecretError::Unavailable { backend, reason };

        let ss = SecretService::connect(EncryptionType::Dh)
            .map_err(|e| unavailable(format!("cannot reach it on the D-Bus session bus: {e}")))?;
        let collection = ss
            .get_default_collection()
            .map_err(|e| unavailable(format!("it has no default collection (login keyring): {e}")))?;
        let locked =
            collection.is_locked().map_err(|e| unavailable(format!("cannot query its default collection: {e}")))?;
        if locked {
            // Unlock now rather than at the first password: on a desktop this
            // shows the unlock prompt at start-up; where no prompt can be shown
            // (headless, D-Bus-activated daemon) every later access would
            // fail, so this is a reason to fall back.
            tracing::info!(
                backend = backend.name(),
                "the default Secret Service collection is locked: asking to unlock it"
            );
            collection.unlock().map_err(|e| {
                unavailable(format!(
                    "its default collection is locked and was not unlocked (prompt dismissed \
                     or impossible): {e}"
                ))
            })?;
        }
        drop(collection);
        drop(ss);

        let store: Arc<CredentialStore> =
            zbus_secret_service_keyring_store::Store::new().map_err(|e| unavailable(e.to_string()))?;
        super::probe_lookup(backend, &store)?;
        Ok(make(backend, store))
    }

    /// How long kernel keyring entries last here, for the start-up warning.
    ///
    /// The store adds each key to the session keyring and links it into the
    /// user's persistent keyring (persistent-keyring(7)), which is what lets
    /// a later Headend process find it. Without one, keys live only as long
    /// as the session keyring.
    #[cfg(target_os = "linux")]
    fn kernel_keyring_lifetime() -> String {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        match KeyRing::get_persistent(KeyRingIdentifier::Session) {
            Ok(_) => {
                let expiry = std::fs::read_to_string("/proc/sys/kernel/keys/persistent_keyring_expiry")
                    .ok()
                    .and_then(|s| s.trim().parse::<u64>().ok());
                match expiry {
                    Some(secs) => format!(
                        "kept across restarts of Headend until reboot, or until this user's \
                         keys go unused for {} hours",
                        secs / 3600
                    ),
                    None => "kept across restarts of Headend until reboot".to_owned(),
                }
            }
            Err(e) => format!(
                "the per-user persistent keyring is unavailable ({e}): kept only as long as \
                 this login session"
            ),
        }
    }

    #[cfg(target_os = "linux")]
    fn open_kernel_keyring() -> Result<SecretStore, SecretError> {
        let backend = Backend::KernelKeyring;
        let store: Arc<CredentialStore> = linux_keyutils_keyring_store::Store::new()
            .map_err(|e| SecretError::Unavailable { backend, reason: e.to_string() })?;
        super::probe_lookup(backend, &store)?;
        Ok(make(backend, store))
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use super::{SecretStore, make};
    use crate::{Backend, SecretError};

    pub(super) fn open(backend: Backend) -> Result<SecretStore, SecretError> {
        if backend != Backend::MacKeychain {
            return Err(SecretError::Unsupported { backend });
        }
        let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()
            .map_err(|e| SecretError::Unavailable { backend, reason: e.to_string() })?;
        Ok(make(backend, store))
    }

    pub(super) fn open_best() -> Result<SecretStore, SecretError> {
        open(Backend::MacKeychain)
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use super::{SecretStore, make};
    use crate::{Backend, SecretError};

    pub(super) fn open(backend: Backend) -> Result<SecretStore, SecretError> {
        if backend != Backend::WindowsCredentialManager {
            return Err(SecretError::Unsupported { backend });
        }
        let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()
            .map_err(|e| SecretError::Unavailable { backend, reason: e.to_string() })?;
        Ok(make(backend, store))
    }

    pub(super) fn open_best() -> Result<SecretStore, SecretError> {
        open(Backend::WindowsCredentialManager)
    }
}

/// Anything else (iOS, Android, wasm...): no backend.
#[cfg(not(any(
    all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))),
    target_os = "macos",
    target_os = "windows"
)))]
mod platform {
    use super::SecretStore;
    use crate::{Backend, SecretError};

    pub(super) fn open(backend: Backend) -> Result<SecretStore, SecretError> {
        Err(SecretError::Unsupported { backend })
    }

    pub(super) fn open_best() -> Result<SecretStore, SecretError> {
        Err(SecretError::Unsupported { backend: Backend::SecretService })
    }
}

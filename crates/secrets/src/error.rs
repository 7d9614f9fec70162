//! What can go wrong. No message ever contains a secret: only backend names,
//! key names (`router:42`) and the platform's own error text.

use zeroize::Zeroize;

use crate::{Backend, KeyId, SecretKey};

/// An error from the [`SecretStore`](crate::SecretStore).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// This build of Headend has no such backend for this operating system.
    #[error("the {backend} is not available on this operating system")]
    Unsupported {
        /// The backend asked for.
        backend: Backend,
    },

    /// The backend exists for this OS but does not work on this machine
    /// (no D-Bus session, no Secret Service daemon, keyutils disabled...).
    #[error("the {backend} is not usable on this machine: {reason}")]
    Unavailable {
        /// The backend asked for.
        backend: Backend,
        /// Why it is not usable.
        reason: String,
    },

    /// The backend answered but refused access, usually because the keyring
    /// is locked and nobody could unlock it.
    #[error("access to `{key}` in the {backend} was refused (is the keyring locked?): {reason}")]
    AccessDenied {
        /// The backend in use.
        backend: Backend,
        /// The entry being accessed.
        key: String,
        /// The platform's explanation.
        reason: String,
    },

    /// The key cannot be used as a name in the backend.
    #[error("invalid secret key `{key}`: {reason}")]
    InvalidKey {
        /// The key, escaped.
        key: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Empty passwords are not stored (the kernel keyring cannot hold them).
    #[error("refusing to store an empty password for `{key}`: delete the entry instead")]
    EmptySecret {
        /// The entry being written.
        key: String,
    },

    /// What is stored is not UTF-8 text (something other than Headend wrote it).
    #[error("the secret stored for `{key}` in the {backend} is not valid UTF-8 text")]
    NotUtf8 {
        /// The backend in use.
        backend: Backend,
        /// The entry read.
        key: String,
    },

    /// Several entries match one key (another program created duplicates).
    #[error("{count} entries in the {backend} match `{key}`; delete the secret and set it again")]
    Ambiguous {
        /// The backend in use.
        backend: Backend,
        /// The entry read.
        key: String,
        /// How many matched.
        count: usize,
    },

    /// Any other failure of the platform store.
    #[error("the {backend} failed on `{key}`: {reason}")]
    Backend {
        /// The backend in use.
        backend: Backend,
        /// The entry being accessed.
        key: String,
        /// The platform's explanation.
        reason: String,
    },

    /// A subscriber password cannot be encrypted or decrypted: a wrong key
    /// (the keyring's subscriber key was replaced or lost), a damaged blob,
    /// or a malformed key in the keyring. Never contains the password.
    #[error("{0}")]
    Cipher(String),

    /// A subscriber password was encrypted with another key than the one
    /// at hand: nothing was tried, both keys are named.
    #[error(
        "a subscriber password was encrypted with key {blob}, but the subscriber key in use is {cipher}: \
         restore key {blob} (`headend key import FILE`) or enter the password again"
    )]
    OtherSubscriberKey {
        /// The key the blob names.
        blob: KeyId,
        /// The key of the cipher asked to decrypt it.
        cipher: KeyId,
    },

    /// The database needs a subscriber key the keyring does not hold, and
    /// a new one would leave its passwords unreadable, so none is made.
    #[error(
        "the key that encrypts subscriber passwords{} is not in the keyring, and the database {}: \
         Headend will not make a new key, which would leave them unreadable. Restore it with \
         `headend key import FILE` (a file made by `headend key export` where the key is), or run \
         Headend with the Secret Service that keeps it",
        recorded.map(|id| format!(" ({id})")).unwrap_or_default(),
        match encrypted {
            Some(n) => format!("holds {n} passwords encrypted with it"),
            None => "records that its passwords are encrypted with it".to_owned(),
        }
    )]
    SubscriberKeyMissing {
        /// The key id the database records, if it records one.
        recorded: Option<KeyId>,
        /// How many passwords are encrypted, when no id is recorded.
        encrypted: Option<u64>,
    },

    /// The keyring holds another subscriber key than the database records.
    #[error(
        "the keyring holds subscriber key {keyring}, but the database's passwords are encrypted with key \
         {recorded}: restore key {recorded} with `headend key import FILE --force`"
    )]
    SubscriberKeyMismatch {
        /// The key the keyring holds.
        keyring: KeyId,
        /// The key the database records.
        recorded: KeyId,
    },

    /// A key file (`headend key export`) that cannot be read: damaged,
    /// not a key file, or of an unknown format. Says which.
    #[error("{0}")]
    KeyFile(String),

    /// The passphrase does not open the key file (or the file was altered).
    #[error("the passphrase does not open this key file (or the file was altered)")]
    WrongPassphrase,

    /// A backend name that [`Backend::from_str`](std::str::FromStr) does not know.
    #[error(
        "unknown secret backend `{0}` (expected one of: secret-service, kernel-keyring, \
         mac-keychain, windows-credential-manager)"
    )]
    UnknownBackend(String),
}

impl SecretError {
    /// Converts a keyring-core error, wiping any secret bytes it carries.
    ///
    /// `NoEntry` is not special here: callers handle it before calling this.
    pub(crate) fn from_keyring(backend: Backend, key: &SecretKey, err: keyring_core::Error) -> Self {
        use keyring_core::Error as E;
        let key = key.to_string();
        match err {
            E::NoStorageAccess(e) => SecretError::AccessDenied { backend, key, reason: e.to_string() },
            E::BadEncoding(mut bytes) => {
                bytes.zeroize();
                SecretError::NotUtf8 { backend, key }
            }
            E::BadDataFormat(mut bytes, e) => {
                bytes.zeroize();
                SecretError::Backend { backend, key, reason: format!("the stored data is malformed: {e}") }
            }
            E::TooLong(what, limit) => SecretError::InvalidKey {
                key,
                reason: format!("its {what} is longer than the platform limit of {limit}"),
            },
            E::Ambiguous(entries) => SecretError::Ambiguous { backend, key, count: entries.len() },
            E::PlatformFailure(e) => SecretError::Backend { backend, key, reason: e.to_string() },
            // Invalid, BadStoreFormat, NoDefaultStore, NotSupportedByStore and
            // future variants: their Display carries no secret data.
            other => SecretError::Backend { backend, key, reason: other.to_string() },
        }
    }
}

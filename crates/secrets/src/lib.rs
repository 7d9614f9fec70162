//! Passwords in the OS keyring.
//!
//! [`SecretStore`] is the **only** place where Headend stores and reads
//! passwords: router API passwords, OLT SSH passwords, RADIUS database
//! passwords... The database and the config files hold at most a
//! [`SecretKey`] (`router:42`), never the password (subscriber passwords
//! are the one exception: encrypted with a key kept here, see below); no
//! log line or error
//! message ever contains one ([`Secret`] prints as `Secret(***)`).
//!
//! ```no_run
//! use headend_secrets::{SecretKey, SecretStore};
//!
//! # fn main() -> Result<(), headend_secrets::SecretError> {
//! let store = SecretStore::open()?;          // best backend for this machine
//! println!("passwords are kept in the {}", store.backend());
//! let key = SecretKey::router(42);
//! store.set(&key, "s3cret")?;
//! if let Some(pw) = store.get(&key)? {
//!     let _login = pw.expose();              // the only way to read it
//! }
//! store.delete(&key)?;                       // deleting twice is fine
//! # Ok(()) }
//! ```
//!
//! # Backends
//!
//! Entries are stored under service [`SERVICE`] (`net.headend.console`) and
//! account `"<kind>:<id>"`, through the `keyring-core` 1.x stores:
//!
//! | OS | [`Backend`] | store crate |
//! |---|---|---|
//! | macOS | [`Backend::MacKeychain`] (login keychain) | `apple-native-keyring-store` |
//! | Windows | [`Backend::WindowsCredentialManager`] | `windows-native-keyring-store` |
//! | Linux, BSD | [`Backend::SecretService`] (GNOME Keyring, KWallet, KeePassXC…) over D-Bus | `zbus-secret-service-keyring-store` |
//! | Linux fallback | [`Backend::KernelKeyring`] (keyutils) | `linux-keyutils-keyring-store` |
//!
//! Each OS compiles only its own stores.
//!
//! # The Linux fallback, and why
//!
//! A Secret Service is normally running in a desktop session. A headless
//! server, a container, an SSH session without a D-Bus session bus, or a
//! minimal desktop may have none. [`SecretStore::open`] really probes it: it
//! connects to the session bus, opens a Secret Service session and reads the
//! `default` collection (the login keyring, where new entries go). If any step
//! fails it falls back to the **Linux kernel keyring**, and says so with a
//! `tracing::warn!` naming the reason.
//!
//! We fall back to the kernel keyring rather than to a file because it never
//! writes a plaintext (or weakly obfuscated) secret to disk: keys live in
//! kernel memory, in the user's session keyring (linked to the user's
//! persistent keyring when the kernel provides one), readable only by that
//! user's processes.
//!
//! Another Headend process (a restart, the CLI) finds them through the
//! user's persistent keyring (persistent-keyring(7)), to which every key is
//! linked; where the kernel offers none, they last only as long as the login
//! session. The start-up warning says which case applies.
//!
//! **The price: kernel keyring entries do not survive a reboot** (and expire
//! once the user's keys go unused for
//! `/proc/sys/kernel/keys/persistent_keyring_expiry` seconds, 3 days by
//! default). After that, every router/OLT password must be entered again.
//! Operators who want their
//! passwords kept should run a Secret Service in the user's D-Bus session —
//! `gnome-keyring-daemon` (package `gnome-keyring`), KeePassXC with its
//! Secret Service integration enabled, or KWallet — and restart Headend. The
//! Settings page shows [`SecretStore::backend`], whose `Display` says
//! "not persistent across reboot" for the kernel keyring.
//!
//! If neither works (e.g. a container whose seccomp profile blocks the
//! `keyctl` system calls, as Docker's default one does), `open` fails with
//! [`SecretError::Unavailable`] giving both reasons: Headend then has nowhere
//! safe to keep passwords, and says so instead of writing them anywhere else.
//!
//! If the default collection is locked, `open` asks to unlock it right away:
//! a desktop shows its unlock prompt at start-up. If it stays locked (prompt
//! dismissed, or no prompt possible on a headless machine where D-Bus
//! activated the daemon) every later access would fail, so `open` falls back
//! too. [`SecretStore::with_backend`] forces a backend (tests), and so does
//! the environment variable [`BACKEND_VAR`] (`HEADEND_SECRET_BACKEND`, a
//! [`Backend::name`]) for every Headend program: see `FromStr`.
//!
//! # Subscriber passwords
//!
//! Subscriber PPPoE passwords must be pushed to the routers, so unlike the
//! others they are kept in the database, encrypted: [`SubscriberCipher`]
//! (XChaCha20-Poly1305, a random nonce per password) with one 32-byte key
//! per installation kept here under `subscriber-key:0`. The database
//! alone reveals no password; the keyring alone holds none.
//!
//! Every key has a [`KeyId`] (16 hex digits from SHA-256 of the key, not
//! secret). The database records the id of its key, and every encrypted
//! password carries it (blob format 2: `2 || key id || nonce ||
//! ciphertext`; format 1 blobs, without the id, are still read), so a
//! password encrypted with another key is refused naming both keys,
//! without trying to decrypt it.
//!
//! **A key is made only for a database that has none.** The caller reads
//! what the database knows ([`KeyExpectation`]: the recorded id, or how
//! many passwords are encrypted) and [`SecretStore::subscriber_cipher`]
//! answers with the keyring's key when it is the expected one, a new key
//! only when the database records no key id and holds no encrypted
//! password ([`SubscriberKey::Made`]: the caller records its id first, so
//! of two processes making one at once the first recorded wins, and only
//! then keeps it with [`SecretStore::keep_subscriber_key`]), and otherwise
//! an error ([`SecretError::SubscriberKeyMissing`],
//! [`SecretError::SubscriberKeyMismatch`]) saying what is missing and how
//! to restore it. So the key is never replaced silently: not after a
//! reboot on the kernel-keyring fallback, not by an agent started at boot
//! before the desktop's keyring is unlocked, not by the CLI over SSH.
//!
//! To move the key to another machine, or keep it beside a backup,
//! [`KeyFile`] seals it with a passphrase (Argon2id, then
//! XChaCha20-Poly1305), with the installation and key id in clear for
//! messages (`headend key export` / `headend key import`).
//!
//! # Blocking
//!
//! All calls block (D-Bus round trips, keychain calls, possibly an unlock
//! prompt). Async callers run them in `tokio::task::spawn_blocking`. The
//! store is `Clone + Send + Sync`; clones share the same connection.

#![forbid(unsafe_code)]

mod backend;
mod cipher;
mod error;
mod key;
mod key_file;
mod secret;
mod store;

pub use backend::Backend;
pub use cipher::{KEY_ID_LEN, KEY_LEN, KeyExpectation, KeyId, SubscriberCipher, SubscriberKey};
pub use error::SecretError;
pub use key::{MAX_ID_LEN, RADIUS_DB_KEY, SERVICE, SecretKey, SecretKind};
pub use key_file::{KeyFile, MIN_PASSPHRASE_LEN};
pub use secret::Secret;
pub use store::{BACKEND_VAR, SecretStore};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_shareable<T: Clone + Send + Sync + 'static>() {}

    #[test]
    fn store_is_shareable() {
        assert_shareable::<SecretStore>();
        assert_shareable::<Backend>();
        assert_shareable::<SecretKey>();
        assert_shareable::<SubscriberCipher>();
        assert_shareable::<KeyId>();
        fn send_sync<T: Send + Sync + 'static + std::error::Error>() {}
        send_sync::<SecretError>();
    }
}

//! Round trips against the real credential store of the machine the tests run
//! on (no mocks).
//!
//! Environment:
//! - Linux with a D-Bus session bus (`DBUS_SESSION_BUS_ADDRESS` set): a Secret
//!   Service with an unlocked default collection must answer on it, as under
//!   `cargo xtask test` (`dbus-run-session` + `gnome-keyring-daemon --unlock`).
//!   `open()` is expected to choose it.
//! - Linux without a session bus: `open()` is expected to fall back to the
//!   kernel keyring.
//! - `HEADEND_EXPECT_SECRET_BACKEND=<name>` overrides the expectation
//!   (`secret-service`, `kernel-keyring`, `mac-keychain`,
//!   `windows-credential-manager`).
//!
//! Every test uses ids unique to this process and deletes what it wrote,
//! even when it fails.

use std::time::{SystemTime, UNIX_EPOCH};

use headend_secrets::{Backend, SecretError, SecretKey, SecretKind, SecretStore};

/// Unique per process and per call site.
fn unique_id(tag: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("test-{}-{nanos}-{tag}", std::process::id())
}

/// Deletes the keys it holds when dropped, so a failed assertion leaves
/// nothing behind.
struct Cleanup<'a> {
    store: &'a SecretStore,
    keys: Vec<SecretKey>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for key in &self.keys {
            if let Err(e) = self.store.delete(key) {
                eprintln!("cleanup of {key} failed: {e}");
            }
        }
    }
}

fn expected_backend() -> Backend {
    if let Ok(name) = std::env::var("HEADEND_EXPECT_SECRET_BACKEND") {
        return name.parse().expect("HEADEND_EXPECT_SECRET_BACKEND");
    }
    if cfg!(target_os = "macos") {
        Backend::MacKeychain
    } else if cfg!(windows) {
        Backend::WindowsCredentialManager
    } else if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        Backend::SecretService
    } else {
        Backend::KernelKeyring
    }
}

/// set / get / overwrite / kinds kept apart / empty refused / delete /
/// delete again; and what one handle writes, a fresh handle reads.
fn round_trip(store: &SecretStore, tag: &str) {
    let id = unique_id(tag);
    let router = SecretKey::router(&id);
    let olt = SecretKey::new(SecretKind::Olt, &id);
    let _cleanup = Cleanup { store, keys: vec![router.clone(), olt.clone()] };

    assert!(store.get(&router).expect("get missing").is_none());

    let first = "pw-1 ünïcødé ✓ \"quoted\" 'single' ;|&$";
    store.set(&router, first).expect("set");
    let got = store.get(&router).expect("get").expect("present after set");
    assert_eq!(got.expose(), first);
    assert_eq!(format!("{got:?}"), "Secret(***)");

    let fresh = SecretStore::with_backend(store.backend()).expect("second handle");
    let again = fresh.get(&router).expect("get via fresh handle");
    assert_eq!(again.as_ref().map(|s| s.expose()), Some(first));

    store.set(&router, "pw-2").expect("overwrite");
    let got = store.get(&router).expect("get after overwrite");
    assert_eq!(got.as_ref().map(|s| s.expose()), Some("pw-2"));

    // Same id, other kind: a separate entry.
    assert!(store.get(&olt).expect("get olt").is_none());
    store.set(&olt, "olt-pw").expect("set olt");
    assert_eq!(store.get(&olt).expect("get olt").as_ref().map(|s| s.expose()), Some("olt-pw"));
    assert_eq!(store.get(&router).expect("router untouched").as_ref().map(|s| s.expose()), Some("pw-2"));

    let empty = store.set(&router, "");
    assert!(matches!(empty, Err(SecretError::EmptySecret { .. })), "{empty:?}");
    assert_eq!(
        store.get(&router).expect("get").as_ref().map(|s| s.expose()),
        Some("pw-2"),
        "a refused empty set must not touch the stored value"
    );

    store.delete(&router).expect("delete");
    assert!(store.get(&router).expect("get deleted").is_none());
    store.delete(&router).expect("deleting a missing entry is Ok");
    assert_eq!(store.get(&olt).expect("olt survives").as_ref().map(|s| s.expose()), Some("olt-pw"));
    store.delete(&olt).expect("delete olt");
    assert!(store.get(&olt).expect("get deleted olt").is_none());
}

#[test]
fn open_chooses_the_expected_backend_and_round_trips() {
    let store = SecretStore::open().expect("open the best backend");
    let expected = expected_backend();
    assert_eq!(
        store.backend(),
        expected,
        "open() chose {} but {} was expected (set HEADEND_EXPECT_SECRET_BACKEND to \
         override; see the header of this file)",
        store.backend(),
        expected
    );
    round_trip(&store, "open");
}

#[test]
fn invalid_keys_are_refused_before_reaching_the_backend() {
    let store = SecretStore::open().expect("open");
    for id in ["", "has space", "line\nbreak"] {
        let key = SecretKey::router(id);
        assert!(matches!(store.get(&key), Err(SecretError::InvalidKey { .. })));
        assert!(matches!(store.set(&key, "x"), Err(SecretError::InvalidKey { .. })));
        assert!(matches!(store.delete(&key), Err(SecretError::InvalidKey { .. })));
    }
}

#[test]
fn backends_of_other_systems_are_unsupported() {
    for backend in Backend::ALL.into_iter().filter(|b| !b.is_supported()) {
        let res = SecretStore::with_backend(backend);
        assert!(matches!(res, Err(SecretError::Unsupported { backend: b }) if b == backend), "{backend:?}: {res:?}");
    }
}

#[test]
fn clones_share_the_store_across_threads() {
    let store = SecretStore::open().expect("open");
    let key = SecretKey::radius_db(unique_id("threads"));
    let _cleanup = Cleanup { store: &store, keys: vec![key.clone()] };
    let writer = store.clone();
    let k = key.clone();
    std::thread::spawn(move || writer.set(&k, "from-thread")).join().expect("thread").expect("set in thread");
    assert_eq!(store.get(&key).expect("get").as_ref().map(|s| s.expose()), Some("from-thread"));
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;
    use std::process::Command;

    #[test]
    fn kernel_keyring_round_trips() {
        let store = SecretStore::with_backend(Backend::KernelKeyring).expect("kernel keyring");
        assert_eq!(store.backend(), Backend::KernelKeyring);
        assert!(!store.backend().is_persistent());
        round_trip(&store, "keyutils");
    }

    /// The kernel keyring is shared by the user's processes: what this
    /// process stores there, another one reads (and the child checks this
    /// while having no session bus at all).
    const CHILD_ENV: &str = "HEADEND_SECRETS_TEST_CHILD_KEY";
    const CHILD_SECRET: &str = "written-by-the-parent-7f3a";

    /// Runs this test binary again without any session bus, so `open()` must
    /// fall back to the kernel keyring, and checks the child's logs: the
    /// warning says why and that passwords are lost at reboot, and no secret
    /// appears in any log line (debug level included).
    #[test]
    fn without_session_bus_open_falls_back_to_kernel_keyring() {
        let kernel = SecretStore::with_backend(Backend::KernelKeyring).expect("kernel keyring");
        let key = SecretKey::router(unique_id("fallback"));
        let _cleanup = Cleanup { store: &kernel, keys: vec![key.clone()] };
        kernel.set(&key, CHILD_SECRET).expect("set for child");

        let exe = std::env::current_exe().expect("current exe");
        let child_args = ["--exact", "linux::fallback_child", "--nocapture", "--test-threads=1"];
        // `keyctl session -` runs the child in a new, empty session keyring:
        // like Headend started again later, it can only find the parent's
        // key through the user's persistent keyring.
        let mut cmd = if keyctl_available() {
            let mut c = Command::new("keyctl");
            c.args(["session", "-"]).arg(&exe).args(child_args);
            c
        } else {
            eprintln!(
                "keyctl not found (Debian package `keyutils`): the child shares this \
                 process's session keyring, so reading across sessions is not checked"
            );
            let mut c = Command::new(&exe);
            c.args(child_args);
            c
        };
        let out = cmd
            .env(CHILD_ENV, key.id())
            // A bus address that cannot work: no session bus, even on a
            // desktop where zbus would otherwise find $XDG_RUNTIME_DIR/bus.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/headend-secrets-test/bus")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("HEADEND_EXPECT_SECRET_BACKEND")
            .env("RUST_LOG", "trace")
            .output()
            .expect("run child test");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
        assert!(stdout.contains("1 passed"), "child test did not run:\n{stdout}");
        let logs = format!("{stdout}{stderr}");
        assert!(logs.contains("WARN"), "no warning logged:\n{logs}");
        assert!(logs.contains("LOST AT REBOOT"), "warning lacks the reboot caveat:\n{logs}");
        assert!(logs.contains("gnome-keyring"), "warning lacks the remedy:\n{logs}");
        assert!(logs.contains("kernel-keyring"), "warning lacks the backend:\n{logs}");
        assert!(logs.contains("until reboot"), "warning lacks the lifetime:\n{logs}");
        for secret in [CHILD_SECRET, CHILD_CHILD_SECRET] {
            assert!(!logs.contains(secret), "a secret leaked into the output:\n{logs}");
        }
    }

    fn keyctl_available() -> bool {
        Command::new("keyctl").arg("--version").output().is_ok_and(|o| o.status.success())
    }

    const CHILD_CHILD_SECRET: &str = "written-by-the-child-91c4";

    /// Only does something when started by the test above.
    #[test]
    fn fallback_child() {
        let Ok(id) = std::env::var(CHILD_ENV) else {
            return;
        };
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();

        let res = SecretStore::with_backend(Backend::SecretService);
        assert!(matches!(res, Err(SecretError::Unavailable { backend: Backend::SecretService, .. })), "{res:?}");

        let store = SecretStore::open().expect("open falls back");
        assert_eq!(store.backend(), Backend::KernelKeyring);

        let from_parent = store.get(&SecretKey::router(&id)).expect("get");
        assert_eq!(from_parent.as_ref().map(|s| s.expose()), Some(CHILD_SECRET));
        tracing::info!(secret = ?from_parent, "a Secret in a log line stays hidden");

        let key = SecretKey::olt(&id);
        let _cleanup = Cleanup { store: &store, keys: vec![key.clone()] };
        store.set(&key, CHILD_CHILD_SECRET).expect("set");
        assert_eq!(store.get(&key).expect("get").as_ref().map(|s| s.expose()), Some(CHILD_CHILD_SECRET));
        round_trip(&store, "child");
    }
}

#[test]
fn scoped_stores_keep_their_entries_apart() {
    let base = SecretStore::open().expect("open");
    let (a, b) = (base.clone().scoped(&unique_id("scope-a")), base.clone().scoped(&unique_id("scope-b")));
    let key = SecretKey::router(1);
    a.set(&key, "password of database a").expect("set in a");
    let _cleanup = Cleanup { store: &a, keys: vec![key.clone()] };
    assert!(b.get(&key).expect("get in b").is_none(), "another scope sees nothing");
    assert!(base.get(&key).expect("get unscoped").is_none_or(|s| s.expose() != "password of database a"));
    assert_eq!(a.get(&key).expect("get in a").as_ref().map(|s| s.expose()), Some("password of database a"));
}

/// The subscriber key is made only where nothing depends on one, kept
/// when the caller says so, and read back; once the database records it, a
/// lost key is a clear error and no new key is made in its place.
#[test]
fn subscriber_cipher_keeps_its_key_in_the_scope() {
    use headend_core::provision::Password;
    use headend_secrets::{KeyExpectation, SubscriberKey};

    let store = SecretStore::open().expect("open").scoped(&unique_id("subscriber"));
    let key = SecretKey::subscriber_key();
    let _cleanup = Cleanup { store: &store, keys: vec![key.clone()] };
    assert!(store.get(&key).expect("get").is_none());

    let SubscriberKey::Made(first) = store.subscriber_cipher(KeyExpectation::Nothing).expect("made") else {
        panic!("nothing anywhere: a new key");
    };
    assert!(store.get(&key).expect("get").is_none(), "not kept until the database recorded it");
    store.keep_subscriber_key(&first).expect("keep");
    let stored = store.get(&key).expect("get").expect("the key is in the keyring");
    assert_eq!(stored.expose().len(), 64, "32 bytes of hex");

    let blob = first.encrypt(&Password::new("pppoe-pw"));
    let again = store.subscriber_cipher(KeyExpectation::Recorded(first.key_id())).expect("read back");
    assert!(matches!(again, SubscriberKey::Recorded(_)));
    assert_eq!(again.cipher().decrypt(&blob).expect("same key").expose(), "pppoe-pw");

    // The key lost (a reboot on the kernel keyring): no new key is made,
    // and the error says how to restore it.
    store.delete(&key).expect("delete");
    let err = store.subscriber_cipher(KeyExpectation::Recorded(first.key_id())).expect_err("missing");
    assert!(matches!(err, SecretError::SubscriberKeyMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("headend key import"), "{err}");
    let err = store.subscriber_cipher(KeyExpectation::Unrecorded { encrypted: 1 }).expect_err("missing");
    assert!(matches!(err, SecretError::SubscriberKeyMissing { .. }), "{err:?}");
    assert!(store.get(&key).expect("get").is_none(), "still no key");

    // A key edited by hand is refused clearly.
    store.set(&key, "not hex").expect("set");
    let err = store.subscriber_cipher(KeyExpectation::Nothing).expect_err("malformed");
    assert!(err.to_string().contains("is not 32 bytes of hex"), "{err}");
}

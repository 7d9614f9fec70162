//! `headend key export` / `key import`, and the rule behind them: a new key
//! for subscriber passwords is never made once passwords are encrypted.
//!
//! Needs a keyring (`cargo xtask test`, or by hand: `dbus-run-session --
//! bash -c 'echo -n pw | gnome-keyring-daemon --unlock
//! --components=secrets >/dev/null; cargo test -p headend --test keys'`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::Password;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_secrets::{KeyFile, SecretKey, SecretStore, SubscriberCipher};
use headend_store::{NewCustomer, NewPlan, NewRouter, NewService, Store};
use rust_decimal::Decimal;

const PASSPHRASE: &str = "correct horse battery";

struct Lab {
    dir: tempfile::TempDir,
    store: Store,
    secrets: SecretStore,
}

impl Lab {
    /// A data directory with a router `core` and a plan `Home`.
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
        let scope = store.installation_id().await.unwrap();
        let secrets =
            SecretStore::open().expect("these tests need a keyring: run them with cargo xtask test").scoped(&scope);
        let router = store
            .add_router(&NewRouter {
                name: "core".into(),
                host: "127.0.0.1".into(),
                port: 8728,
                transport: Transport::Api,
                username: "admin".into(),
                pop: None,
                location: None,
            })
            .await
            .unwrap();
        secrets.set(&SecretKey::router(router), "admin").unwrap();
        store
            .add_plan(&NewPlan {
                name: "Home".into(),
                limits: RateLimit::from_parts("10M/20M", None, None, None).unwrap(),
                price: Decimal::new(2500, 2),
                cycle: BillingCycle::Monthly,
                tax_rate: None,
                session: Default::default(),
            })
            .await
            .unwrap();
        Self { dir, store, secrets }
    }

    fn headend(&self, args: &[&str], passphrase: &str, stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_headend"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("HEADEND_KEY_PASSPHRASE", passphrase)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    fn add_pppoe(&self, user: &str) -> Output {
        self.headend(
            &[
                "service",
                "add",
                "--customer",
                user,
                "--router",
                "core",
                "--plan",
                "Home",
                "--pppoe",
                user,
                "--password-stdin",
            ],
            "",
            "pppoe-pw",
        )
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn kept_key(&self) -> Option<SubscriberCipher> {
        self.secrets.kept_subscriber_key().unwrap()
    }

    async fn recorded_key(&self) -> Option<String> {
        self.store.subscriber_key_record().await.unwrap().key_id
    }

    fn forget_key(&self) {
        self.secrets.delete(&SecretKey::subscriber_key()).unwrap();
    }
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn refused(out: &Output) -> String {
    assert!(!out.status.success(), "expected a refusal: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The bug of issue 11: the keyring lost the key (a reboot on the kernel
/// keyring, an agent started before the desktop keyring) while the
/// database holds encrypted passwords. A new key used to be made at once,
/// leaving every stored password unreadable for good; now the command says
/// what is missing and how to restore it, and nothing is made.
#[tokio::test]
async fn a_new_key_is_never_made_over_encrypted_passwords() {
    let lab = Lab::new().await;
    let lost = SubscriberCipher::generate();
    let customer = lab
        .store
        .add_customer(&NewCustomer { name: "Ana".into(), phone: None, email: None, address: None, location: None })
        .await
        .unwrap();
    let (router, plan) = (lab.store.routers().await.unwrap()[0].id, lab.store.plans().await.unwrap()[0].id);
    lab.store
        .add_service(&NewService {
            customer,
            router,
            plan,
            access: Access::Pppoe { username: "ana".into(), address: None },
            status: ServiceStatus::Active,
            next_billing_date: None,
            grace_days: None,
            password: Some(lost.encrypt(&Password::new("ana-pw"))),
            adopt: false,
        })
        .await
        .unwrap();
    assert!(lab.kept_key().is_none());

    let err = refused(&lab.add_pppoe("bob"));
    assert!(err.contains("will not make a new key"), "{err}");
    assert!(err.contains("holds 1 passwords encrypted with it"), "{err}");
    assert!(err.contains("headend key import FILE"), "{err}");
    assert!(lab.kept_key().is_none(), "no key was made");
    assert_eq!(lab.recorded_key().await, None);

    // The operator brings the key back from the file exported earlier.
    let file = lab.file("key.headend-key");
    std::fs::write(&file, KeyFile::seal(&lost, "elsewhere", PASSPHRASE).unwrap()).unwrap();
    let out = ok(&lab.headend(&["key", "import", path(&file)], PASSPHRASE, ""));
    assert!(
        out.contains(&format!(
            "subscriber key {} (exported from installation elsewhere) is now in the keyring",
            lost.key_id()
        )),
        "{out}"
    );
    assert_eq!(lab.recorded_key().await, Some(lost.key_id().to_string()));
    ok(&lab.add_pppoe("bob"));
    assert_eq!(lab.kept_key().map(|k| k.key_id()), Some(lost.key_id()));
}

#[tokio::test]
async fn a_key_exported_with_a_passphrase_is_imported_with_it_only() {
    let lab = Lab::new().await;
    let file = lab.file("key.headend-key");
    // The first use of a fresh database makes its key and records its id.
    let out = ok(&lab.headend(&["key", "export", "--out", path(&file)], PASSPHRASE, ""));
    let recorded = lab.recorded_key().await.expect("the key id is recorded");
    let installation = lab.store.installation_id().await.unwrap();
    assert!(out.contains(&format!("wrote subscriber key {recorded} of installation {installation}")), "{out}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(&format!("key-id: {recorded}\n")) && text.contains(&format!("installation: {installation}\n"))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    ok(&lab.add_pppoe("ana"));

    // A new laptop: the keyring has nothing.
    lab.forget_key();
    let err = refused(&lab.add_pppoe("bob"));
    assert!(err.contains(&format!("({recorded}) is not in the keyring")), "{err}");

    let err = refused(&lab.headend(&["key", "import", path(&file)], "not the passphrase", ""));
    assert!(err.contains("the passphrase does not open this key file"), "{err}");
    let damaged = lab.file("damaged.headend-key");
    std::fs::write(&damaged, text.replace("sealed: ", "sealed: 00")).unwrap();
    let err = refused(&lab.headend(&["key", "import", path(&damaged)], PASSPHRASE, ""));
    assert!(err.contains("not a Headend key file, or it is damaged"), "{err}");
    let err = refused(&lab.headend(&["key", "import", path(&lab.file("missing"))], PASSPHRASE, ""));
    assert!(err.contains("cannot read"), "{err}");
    assert!(lab.kept_key().is_none());

    let out = ok(&lab.headend(&["--json", "key", "import", path(&file)], PASSPHRASE, ""));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["key_id"], recorded.as_str());
    assert_eq!(lab.kept_key().map(|k| k.key_id().to_string()), Some(recorded.clone()));
    ok(&lab.add_pppoe("bob"));
    let out = ok(&lab.headend(&["key", "import", path(&file)], PASSPHRASE, ""));
    assert!(out.contains("was already in the keyring"), "{out}");

    // Export refuses a short passphrase and writes nothing.
    let err = refused(&lab.headend(&["key", "export", "--out", path(&lab.file("short"))], "short", ""));
    assert!(err.contains("at least 8 characters"), "{err}");
    assert!(!lab.file("short").exists());
}

#[tokio::test]
async fn another_installations_key_is_refused() {
    let (a, b) = (Lab::new().await, Lab::new().await);
    let file = a.file("a.headend-key");
    ok(&a.headend(&["key", "export", "--out", path(&file)], PASSPHRASE, ""));
    ok(&b.headend(&["key", "export", "--out", path(&b.file("b.headend-key"))], PASSPHRASE, ""));
    let (key_a, key_b) = (a.recorded_key().await.unwrap(), b.recorded_key().await.unwrap());
    assert_ne!(key_a, key_b);

    let err = refused(&b.headend(&["key", "import", path(&file)], PASSPHRASE, ""));
    assert!(err.contains(&format!("holds subscriber key {key_a}")), "{err}");
    assert!(err.contains(&format!("encrypted with key {key_b}")), "{err}");
    assert_eq!(b.kept_key().map(|k| k.key_id().to_string()), Some(key_b));

    // A database that records no key yet, whose keyring holds another one:
    // replaced only with --force.
    let c = Lab::new().await;
    let other = SubscriberCipher::generate();
    c.secrets.keep_subscriber_key(&other).unwrap();
    let err = refused(&c.headend(&["key", "import", path(&file)], PASSPHRASE, ""));
    assert!(err.contains(&format!("already holds another subscriber key ({})", other.key_id())), "{err}");
    ok(&c.headend(&["key", "import", "--force", path(&file)], PASSPHRASE, ""));
    assert_eq!(c.kept_key().map(|k| k.key_id().to_string()), Some(key_a.clone()));
    assert_eq!(c.recorded_key().await, Some(key_a));
}

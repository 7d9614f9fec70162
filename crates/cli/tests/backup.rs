//! `headend backup` and `headend restore`, through the real binary.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use headend_core::RouterId;
use headend_core::router::Transport;
use headend_store::{NewRouter, Store, inspect_database};

fn headend(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headend")).arg("--data-dir").arg(dir).args(args).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn refused(out: &Output) -> String {
    assert!(!out.status.success(), "expected a refusal: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn plans(dir: &Path) -> Vec<String> {
    let out = ok(&headend(dir, &["--json", "plan", "list"]));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
}

fn add_plan(dir: &Path, name: &str) {
    ok(&headend(dir, &["plan", "add", name, "--rate", "5M/20M", "--price", "25.00"]));
}

#[tokio::test]
async fn a_backup_restores_and_a_newer_database_is_replaced_only_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    add_plan(&data, "Home");
    let installation = Store::open(&data.join("headend.sqlite3")).await.unwrap().installation_id().await.unwrap();

    let backup = dir.path().join("monday.sqlite3");
    let out = ok(&headend(&data, &["--json", "backup", "--out", backup.to_str().unwrap()]));
    let made: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(made["path"], backup.display().to_string());
    assert_eq!(made["bytes"].as_u64(), Some(std::fs::metadata(&backup).unwrap().len()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains("partial"))
    );

    // A change after the backup: restoring it would lose that.
    add_plan(&data, "Business");
    let err = refused(&headend(&data, &["restore", backup.to_str().unwrap()]));
    assert!(err.contains("after the backup's last change") && err.contains("--force"), "{err}");
    assert_eq!(plans(&data), ["Business", "Home"]);

    let out = ok(&headend(&data, &["restore", "--force", backup.to_str().unwrap()]));
    assert!(out.contains("the database it replaced is kept as"), "{out}");
    let kept: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("headend.sqlite3.replaced-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(!data.join("headend.sqlite3-wal").exists() && !data.join("headend.sqlite3-shm").exists());
    let replaced = inspect_database(&kept[0]).await.unwrap();
    assert_eq!(replaced.installation_id, installation);
    assert_eq!(plans(&data), ["Home"]);
    let restored = Store::open(&data.join("headend.sqlite3")).await.unwrap();
    assert_eq!(restored.installation_id().await.unwrap(), installation, "the same installation by default");
    restored.close().await;

    // The kept database can be restored back, and it is the newer one.
    let back = ok(&headend(&data, &["--json", "restore", kept[0].to_str().unwrap()]));
    assert!(back.contains(&installation), "{back}");
    assert_eq!(plans(&data), ["Business", "Home"]);

    // A second copy elsewhere gets its own installation id.
    let copy = dir.path().join("copy");
    let out = ok(&headend(&copy, &["--json", "restore", "--as-copy", backup.to_str().unwrap()]));
    let copied: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(copied["new_installation"], true);
    assert_ne!(copied["installation_id"], installation.as_str());
    assert_eq!(plans(&copy), ["Home"]);
}

#[tokio::test]
async fn restore_refuses_other_files_and_a_database_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    add_plan(&data, "Home");
    let notes = dir.path().join("notes.sqlite3");
    std::fs::write(&notes, "not a database").unwrap();
    let err = refused(&headend(&data, &["restore", notes.to_str().unwrap()]));
    assert!(err.contains("notes.sqlite3"), "{err}");
    let err = refused(&headend(&data, &["restore", dir.path().join("missing").to_str().unwrap()]));
    assert!(err.contains("is not a file"), "{err}");

    let backup = dir.path().join("b.sqlite3");
    ok(&headend(&data, &["backup", "--out", backup.to_str().unwrap()]));
    // An engine (this live process, as the app would) holds a router's lease.
    let store = Store::open(&data.join("headend.sqlite3")).await.unwrap();
    let router: RouterId = store
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
    let holder = format!("app:{}", std::process::id());
    store
        .acquire_router_lease(router, &holder, jiff::Timestamp::now(), jiff::SignedDuration::from_secs(30))
        .await
        .unwrap();
    let err = refused(&headend(&data, &["restore", "--force", backup.to_str().unwrap()]));
    assert!(err.contains(&format!("in use by {holder}")) && err.contains("quit the app"), "{err}");
    store.release_router_lease(router, &holder).await.unwrap();
    store.close().await;
    ok(&headend(&data, &["restore", "--force", backup.to_str().unwrap()]));
}

//! The real `headend` binary, run as a user would.

#![allow(clippy::unwrap_used)]

use std::process::Command;

fn headend() -> Command {
    Command::new(env!("CARGO_BIN_EXE_headend"))
}

#[test]
fn version_names_the_program() {
    let out = headend().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("headend {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn status_creates_and_describes_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = headend().arg("--data-dir").arg(dir.path()).arg("status").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("Database:        {}", dir.path().join("headend.sqlite3").display())), "{text}");
    assert!(text.contains(&format!("Schema version:  {}", headend_store::latest_schema_version())), "{text}");
    assert!(text.contains("Services:        0 (0 active, 0 suspended)"), "{text}");
}

#[test]
fn status_json_honours_the_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = headend().env("HEADEND_DATA_DIR", dir.path()).args(["status", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data_dir"], dir.path().display().to_string());
    assert_eq!(v["schema_version"], headend_store::latest_schema_version());
    assert_eq!(v["routers"], 0);
}

#[test]
fn unusable_data_dir_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = headend().arg("--data-dir").arg(file.join("sub")).arg("status").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("headend: cannot create the data directory"), "{err}");
}

#[test]
fn the_isp_policy_is_shown_changed_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| headend().arg("--data-dir").arg(dir.path()).args(args).output().unwrap();
    let set = run(&[
        "--json",
        "policy",
        "set",
        "--time-zone",
        "America/Sao_Paulo",
        "--grace-days",
        "5",
        "--suspension",
        "address-list",
    ]);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&run(&["--json", "policy", "show"]).stdout).unwrap();
    assert_eq!(shown["time_zone"], "America/Sao_Paulo");
    assert_eq!(shown["grace_days"], 5);
    assert_eq!(shown["suspension"], "address-list");
    assert_eq!(shown["max_attempts"], 8);
    let bad = run(&["policy", "set", "--time-zone", "Mars/Olympus"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown time zone \"Mars/Olympus\""));
    let bad = run(&["policy", "router", "nowhere", "remove"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no router named \"nowhere\""));
}

//! Generates the Tauri context from the root `tauri.conf.json`, and one
//! `allow-<command>` permission per command, so the window's capability
//! (capabilities/main.json) must grant each command it uses by name.

const COMMANDS: &[&str] = &[
    "app_info",
    "dashboard",
    "get_settings",
    "save_settings",
    "ui_ready",
    "get_backups",
    "set_backup_keep_days",
    "back_up_now",
    "stage_restore",
    "list_routers",
    "save_router",
    "remove_router",
    "test_router",
    "router_interfaces",
    "list_sessions",
    "kick_session",
    "start_demo",
    "stop_demo",
    "list_plans",
    "save_plan",
    "list_services",
    "get_service",
    "save_service",
    "set_service_status",
    "preview_payment",
    "record_payment",
    "retry_service",
    "list_activity",
    "list_failures",
    "list_queue",
    "retry_queue_entry",
    "dry_run",
    "sweep_now",
    "import_services",
    "list_olts",
    "save_olt",
    "remove_olt",
    "pin_olt_key",
    "pin_router_certificate",
    "sweep_olt",
    "olt_ports",
    "list_onus",
    "get_onu",
    "read_onu_optical",
    "reboot_onu",
    "deregister_onu",
    "list_unconfigured",
    "refresh_autofind",
    "authorize_draft",
    "authorize_onu",
    "olt_log",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        println!("cargo::error={err:#}");
    }
}

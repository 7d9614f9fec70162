//! Generates the Tauri context from the root `tauri.conf.json`, and one
//! `allow-<command>` permission per command, so the window's capability
//! (capabilities/main.json) must grant each command it uses by name.

const COMMANDS: &[&str] = &[
    "app_info",
    "dashboard",
    "get_settings",
    "save_settings",
    "list_routers",
    "list_plans",
    "list_services",
    "get_service",
    "list_activity",
    "list_failures",
    "dismiss_failures",
    "e2e_raise_provision_failed",
    "ui_ready",
    "save_router",
    "remove_router",
    "test_router",
    "router_interfaces",
    "list_sessions",
    "kick_session",
    "start_demo",
    "stop_demo",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        println!("cargo::error={err:#}");
    }
}

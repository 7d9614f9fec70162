//! The operator's preferences, kept by tauri-plugin-store in
//! `settings.json` in the data directory, one key per setting. A value that
//! cannot be read (edited by hand, from a newer version) falls back to its
//! default with a warning rather than stopping the app.

use std::path::Path;

use headend_core::settings::{Settings, Theme};
use headend_ipc::ThemeChoice;
use serde_json::{Value, json};
use tauri::{AppHandle, Manager, Runtime, WebviewWindow};
use tauri_plugin_store::StoreExt;

use crate::state::AppState;

const SWEEP_INTERVAL: &str = "sweep_interval_secs";
const NOTIFICATIONS: &str = "notifications";
const THEME: &str = "theme";

pub fn load<R: Runtime>(app: &AppHandle<R>, path: &Path) -> anyhow::Result<()> {
    let store = app.store(path)?;
    let mut settings = Settings::default();
    if let Some(value) = store.get(SWEEP_INTERVAL) {
        match value.as_u64().map(|secs| settings.set_sweep_interval_secs(secs)) {
            Some(Ok(())) => {}
            Some(Err(err)) => tracing::warn!("settings: {err}; using the default"),
            None => tracing::warn!("settings: {SWEEP_INTERVAL} is {value}, not a number; using the default"),
        }
    }
    if let Some(value) = store.get(NOTIFICATIONS) {
        match value {
            Value::Bool(on) => settings.notifications = on,
            other => tracing::warn!("settings: {NOTIFICATIONS} is {other}, not true/false; using the default"),
        }
    }
    if let Some(value) = store.get(THEME) {
        match value.as_str().map(str::parse::<Theme>) {
            Some(Ok(theme)) => settings.theme = theme,
            _ => tracing::warn!("settings: {THEME} is {value}; using the system theme"),
        }
    }
    app.state::<AppState>().set_settings(settings);
    Ok(())
}

pub fn save<R: Runtime>(app: &AppHandle<R>, settings: Settings) -> anyhow::Result<()> {
    let state = app.state::<AppState>();
    let store = app.store(state.data_dir.settings_path())?;
    store.set(SWEEP_INTERVAL, json!(settings.sweep_interval().as_secs()));
    store.set(NOTIFICATIONS, json!(settings.notifications));
    store.set(THEME, json!(settings.theme.as_str()));
    store.save()?;
    state.set_settings(settings);
    Ok(())
}

/// The native window follows the theme too, so its title bar matches.
pub fn apply_theme<R: Runtime>(window: &WebviewWindow<R>, theme: Theme) {
    let native = match theme {
        Theme::System => None,
        Theme::Light => Some(tauri::Theme::Light),
        Theme::Dark => Some(tauri::Theme::Dark),
    };
    if let Err(err) = window.set_theme(native) {
        tracing::warn!("cannot set the window theme: {err}");
    }
}

pub fn theme_to_dto(theme: Theme) -> ThemeChoice {
    match theme {
        Theme::System => ThemeChoice::System,
        Theme::Light => ThemeChoice::Light,
        Theme::Dark => ThemeChoice::Dark,
    }
}

pub fn theme_from_dto(theme: ThemeChoice) -> Theme {
    match theme {
        ThemeChoice::System => Theme::System,
        ThemeChoice::Light => Theme::Light,
        ThemeChoice::Dark => Theme::Dark,
    }
}

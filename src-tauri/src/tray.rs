//! The tray icon and its menu: Open Headend, the failed provisioning
//! actions (opens the queue), the failed messages (opens the outbox), the
//! OLT and ONU alerts (opens the OLTs page), Pause/Resume sweeps (routers
//! and OLTs), Quit. The icon turns to its alert variant while failed
//! actions wait in the durable queue, failed messages in the outbox, or
//! OLT alerts are open. The
//! app lives here while its window is closed: the engine keeps sweeping
//! until Quit.

use std::sync::atomic::{AtomicU64, Ordering};

use headend_ipc::{Navigate, SweepState, event};
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

const TRAY_ID: &str = "main";
const OPEN: &str = "open";
const FAILURES: &str = "failures";
const MESSAGES: &str = "failed-messages";
const OLT_ALERTS: &str = "olt-alerts";
const SWEEPS: &str = "sweeps";
const QUIT: &str = "quit";

const ICON: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_ALERT: &[u8] = include_bytes!("../../icons/tray-alert.png");

/// The menu entries whose text changes.
struct TrayItems<R: Runtime> {
    failures: MenuItem<R>,
    messages: MenuItem<R>,
    olt_alerts: MenuItem<R>,
    sweeps: MenuItem<R>,
}

/// What the icon stands for: the counts last shown in the menu.
#[derive(Default)]
struct Waiting {
    failures: AtomicU64,
    messages: AtomicU64,
    olt_alerts: AtomicU64,
}

fn sweeps_label(paused: bool) -> &'static str {
    if paused { "Resume sweeps" } else { "Pause sweeps" }
}

fn olt_alerts_label(open: u64) -> String {
    match open {
        0 => "No OLT or ONU alerts".to_owned(),
        1 => "1 OLT or ONU alert…".to_owned(),
        n => format!("{n} OLT or ONU alerts…"),
    }
}

fn failures_label(waiting: u64) -> String {
    match waiting {
        0 => "No failed provisioning actions".to_owned(),
        1 => "1 failed provisioning action…".to_owned(),
        n => format!("{n} failed provisioning actions…"),
    }
}

fn messages_label(failed: u64) -> String {
    match failed {
        0 => "No failed messages".to_owned(),
        1 => "1 failed message…".to_owned(),
        n => format!("{n} failed messages…"),
    }
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Headend", true, None::<&str>)?;
    let failures = MenuItem::with_id(app, FAILURES, failures_label(0), false, None::<&str>)?;
    let messages = MenuItem::with_id(app, MESSAGES, messages_label(0), false, None::<&str>)?;
    let olt_alerts = MenuItem::with_id(app, OLT_ALERTS, olt_alerts_label(0), false, None::<&str>)?;
    let paused = app.state::<AppState>().sweeps_paused();
    let sweeps = MenuItem::with_id(app, SWEEPS, sweeps_label(paused), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit Headend", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &failures,
            &messages,
            &olt_alerts,
            &PredefinedMenuItem::separator(app)?,
            &sweeps,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(ICON)?)
        .tooltip("Headend")
        .menu(&menu)
        .on_menu_event(on_menu_event)
        .build(app)?;
    app.manage(TrayItems { failures, messages, olt_alerts, sweeps });
    app.manage(Waiting::default());
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let result = match event.id().as_ref() {
        OPEN => {
            show_main_window(app);
            Ok(())
        }
        FAILURES => {
            show_main_window(app);
            app.emit(event::NAVIGATE, Navigate::Queue)
        }
        MESSAGES => {
            show_main_window(app);
            app.emit(event::NAVIGATE, Navigate::Messages)
        }
        OLT_ALERTS => {
            show_main_window(app);
            app.emit(event::NAVIGATE, Navigate::Olts)
        }
        SWEEPS => toggle_sweeps(app),
        QUIT => {
            crate::provisioning::quit(app);
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(err) = result {
        tracing::warn!("tray action failed: {err}");
    }
}

fn toggle_sweeps<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let paused = app.state::<AppState>().toggle_sweeps();
    tracing::info!(paused, "sweeps toggled from the tray");
    if let Some(items) = app.try_state::<TrayItems<R>>() {
        items.sweeps.set_text(sweeps_label(paused))?;
    }
    app.emit(event::SWEEP_STATE, SweepState { paused })
}

/// Brings the console to the front, un-minimizing and showing it if needed.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let shown = window.unminimize().and_then(|()| window.show()).and_then(|()| window.set_focus());
        if let Err(err) = shown {
            tracing::warn!("cannot bring the window to the front: {err}");
        }
    }
}

/// Shows how many provisioning failures wait, in the menu and the icon.
pub fn show_failures<R: Runtime>(app: &AppHandle<R>, waiting: u64) {
    let result = (|| -> tauri::Result<()> {
        if let Some(items) = app.try_state::<TrayItems<R>>() {
            items.failures.set_text(failures_label(waiting))?;
            items.failures.set_enabled(waiting > 0)?;
        }
        if let Some(counts) = app.try_state::<Waiting>() {
            counts.failures.store(waiting, Ordering::Relaxed);
        }
        show_icon(app)
    })();
    if let Err(err) = result {
        tracing::warn!("cannot update the tray: {err}");
    }
}

/// Shows how many messages to customers failed, in the menu and the icon.
pub fn show_failed_messages<R: Runtime>(app: &AppHandle<R>, failed: u64) {
    let result = (|| -> tauri::Result<()> {
        if let Some(items) = app.try_state::<TrayItems<R>>() {
            items.messages.set_text(messages_label(failed))?;
            items.messages.set_enabled(failed > 0)?;
        }
        if let Some(counts) = app.try_state::<Waiting>() {
            counts.messages.store(failed, Ordering::Relaxed);
        }
        show_icon(app)
    })();
    if let Err(err) = result {
        tracing::warn!("cannot update the tray: {err}");
    }
}

/// Shows how many OLT and ONU alerts are open, in the menu and the icon.
pub fn show_olt_alerts<R: Runtime>(app: &AppHandle<R>, open: u64) {
    let result = (|| -> tauri::Result<()> {
        if let Some(items) = app.try_state::<TrayItems<R>>() {
            items.olt_alerts.set_text(olt_alerts_label(open))?;
            items.olt_alerts.set_enabled(open > 0)?;
        }
        if let Some(counts) = app.try_state::<Waiting>() {
            counts.olt_alerts.store(open, Ordering::Relaxed);
        }
        show_icon(app)
    })();
    if let Err(err) = result {
        tracing::warn!("cannot update the tray: {err}");
    }
}

/// The alert icon while anything waits, and a tooltip saying what.
fn show_icon<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return Ok(()) };
    let (failures, messages, olt_alerts) = app
        .try_state::<Waiting>()
        .map(|c| {
            let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
            (load(&c.failures), load(&c.messages), load(&c.olt_alerts))
        })
        .unwrap_or_default();
    let mut what = Vec::new();
    if failures > 0 {
        what.push(failures_label(failures));
    }
    if messages > 0 {
        what.push(messages_label(messages));
    }
    if olt_alerts > 0 {
        what.push(olt_alerts_label(olt_alerts));
    }
    let (icon, tooltip) = if what.is_empty() {
        (ICON, "Headend".to_owned())
    } else {
        (ICON_ALERT, format!("Headend: {}", what.join(" ")))
    };
    tray.set_icon(Some(Image::from_bytes(icon)?))?;
    tray.set_tooltip(Some(tooltip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_well() {
        assert_eq!(failures_label(0), "No failed provisioning actions");
        assert_eq!(failures_label(1), "1 failed provisioning action…");
        assert_eq!(failures_label(3), "3 failed provisioning actions…");
        assert_eq!(messages_label(0), "No failed messages");
        assert_eq!(messages_label(2), "2 failed messages…");
        assert_eq!(olt_alerts_label(0), "No OLT or ONU alerts");
        assert_eq!(olt_alerts_label(2), "2 OLT or ONU alerts…");
        assert_eq!(sweeps_label(false), "Pause sweeps");
        assert_eq!(sweeps_label(true), "Resume sweeps");
    }
}

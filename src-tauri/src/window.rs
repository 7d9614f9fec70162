//! The window: closing it hides it to the tray (the engine keeps
//! enforcing payments and suspensions; Quit is in the tray menu), or ends
//! the demo ISP in a demo's window (nothing of it needs to run on), and its
//! size and position are remembered. tauri-plugin-window-state writes its
//! file only when the app exits normally; we also write it shortly after
//! the operator stops moving or resizing the window, so a crash, a kill or
//! a power cut does not lose it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};

use crate::state::AppState;
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// How long the window must stay still before its geometry is written.
const SETTLE: Duration = Duration::from_millis(500);

/// Counts geometry changes, so only the last of a burst writes the file.
#[derive(Default)]
pub struct GeometryChanges(AtomicU64);

pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    match event {
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => schedule_save(window.app_handle().clone()),
        WindowEvent::CloseRequested { .. } if window.app_handle().state::<AppState>().demo_isp.is_some() => {
            tracing::info!("demo ISP window closed");
            window.app_handle().exit(0);
        }
        WindowEvent::CloseRequested { api, .. } => {
            save(window.app_handle());
            api.prevent_close();
            if let Err(err) = window.hide() {
                tracing::warn!("cannot hide the window: {err}");
            }
            tracing::info!("window closed; still running in the tray");
        }
        _ => {}
    }
}

fn schedule_save<R: Runtime>(app: AppHandle<R>) {
    let Some(changes) = app.try_state::<GeometryChanges>() else {
        return;
    };
    let this_change = changes.0.fetch_add(1, Ordering::Relaxed) + 1;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        let latest = app.state::<GeometryChanges>().0.load(Ordering::Relaxed);
        if latest == this_change {
            save(&app);
        }
    });
}

fn save<R: Runtime>(app: &AppHandle<R>) {
    if let Err(err) = app.save_window_state(StateFlags::all()) {
        tracing::warn!("cannot save the window's size and position: {err}");
    }
}

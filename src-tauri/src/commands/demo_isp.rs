//! Going into the demo ISP and out of it (see `crate::demo_isp`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;

use headend_ipc::ErrorCode;
use tauri::{AppHandle, Manager, State};

use super::{Answer, error};
use crate::state::AppState;
use crate::tray;

/// What the demo ISP's process prints on its standard output once its
/// console is on screen: the operator's window hides then, not before, so
/// the operator is never left without a window while the demo starts.
pub const READY_LINE: &str = "headend demo ISP ready";

/// Starts this app again as the demo ISP and hides this window once the
/// demo's is on screen, until the demo's window is closed or left. One demo
/// at a time: asking again while one runs does nothing.
#[tauri::command]
pub fn explore_demo_isp(app: AppHandle, state: State<'_, AppState>) -> Answer<()> {
    if state.demo_isp.is_some() {
        return Err(error(ErrorCode::InvalidInput, "this window is already the demo ISP"));
    }
    if state.exploring_demo.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let started =
        std::env::current_exe().and_then(|exe| Command::new(exe).arg("--demo-isp").stdout(Stdio::piped()).spawn());
    let mut demo = match started {
        Ok(child) => child,
        Err(err) => {
            state.exploring_demo.store(false, Ordering::SeqCst);
            return Err(error(ErrorCode::Internal, format!("cannot start the demo ISP: {err}")));
        }
    };
    tracing::info!(pid = demo.id(), "demo ISP started");
    let output = demo.stdout.take();
    std::thread::spawn(move || {
        let mut lines = output.map(BufReader::new).into_iter().flat_map(BufRead::lines).map_while(Result::ok);
        if lines.any(|line| line == READY_LINE)
            && let Some(window) = app.get_webview_window("main")
            && let Err(err) = window.hide()
        {
            tracing::warn!("cannot hide the window for the demo: {err}");
        }
        // Read to the end, so the demo never blocks on a full pipe.
        lines.for_each(drop);
        match demo.wait() {
            Ok(status) => tracing::info!(%status, "demo ISP ended"),
            Err(err) => tracing::warn!("lost track of the demo ISP: {err}"),
        }
        app.state::<AppState>().exploring_demo.store(false, Ordering::SeqCst);
        tray::show_main_window(&app);
    });
    Ok(())
}

/// In the demo ISP's window: ends the demo; its data and devices go with it.
#[tauri::command]
pub fn leave_demo_isp(app: AppHandle, state: State<'_, AppState>) -> Answer<()> {
    if state.demo_isp.is_none() {
        return Err(error(ErrorCode::InvalidInput, "this window is not the demo ISP"));
    }
    tracing::info!("leaving the demo ISP");
    app.exit(0);
    Ok(())
}

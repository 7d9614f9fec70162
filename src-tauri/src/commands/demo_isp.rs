//! Going into the demo ISP and out of it (see `crate::demo_isp`).

use std::collections::VecDeque;
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

/// Lines of the demo's standard error kept to say why it did not start.
const STDERR_TAIL: usize = 5;

/// How a demo that was asked for began.
enum Start {
    /// Its console is on screen.
    Ready,
    /// It ended before: its exit status and last words.
    Failed(String),
}

/// Starts this app again as the demo ISP and answers once the demo's
/// window is on screen (this one then hides until the demo's window is
/// closed or left), or with why the demo did not start. One demo at a
/// time: asking again while one runs does nothing.
#[tauri::command]
pub async fn explore_demo_isp(app: AppHandle, state: State<'_, AppState>) -> Answer<()> {
    if state.demo_isp.is_some() {
        return Err(error(ErrorCode::InvalidInput, "this window is already the demo ISP"));
    }
    if state.exploring_demo.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let started = std::env::current_exe()
        .and_then(|exe| Command::new(exe).arg("--demo-isp").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn());
    let mut demo = match started {
        Ok(child) => child,
        Err(err) => {
            state.exploring_demo.store(false, Ordering::SeqCst);
            return Err(error(ErrorCode::Internal, format!("cannot start the demo ISP: {err}")));
        }
    };
    let pid = demo.id();
    tracing::info!(pid, "demo ISP started");
    let (output, errors) = (demo.stdout.take(), demo.stderr.take());
    let stderr_tail = std::thread::spawn(move || {
        let mut tail = VecDeque::with_capacity(STDERR_TAIL);
        for line in errors.map(BufReader::new).into_iter().flat_map(BufRead::lines).map_while(Result::ok) {
            if tail.len() == STDERR_TAIL {
                tail.pop_front();
            }
            tail.push_back(line);
        }
        Vec::from(tail).join("\n")
    });
    let (began, start) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut lines = output.map(BufReader::new).into_iter().flat_map(BufRead::lines).map_while(Result::ok);
        // Kept to say why, if the demo ends before its window opens.
        let not_started = if lines.any(|line| line == READY_LINE) {
            if let Some(window) = app.get_webview_window("main")
                && let Err(err) = window.hide()
            {
                tracing::warn!("cannot hide the window for the demo: {err}");
            }
            let _ = began.send(Start::Ready);
            None
        } else {
            Some(began)
        };
        // Read to the end, so the demo never blocks on a full pipe.
        lines.for_each(drop);
        let status = demo.wait();
        let last_words = stderr_tail.join().unwrap_or_default();
        match &status {
            Ok(status) => tracing::info!(%status, "demo ISP ended"),
            Err(err) => tracing::warn!("lost track of the demo ISP: {err}"),
        }
        if let Some(began) = not_started {
            // It never got to clean up after itself.
            let _ = std::fs::remove_dir_all(crate::demo_isp::data_dir(None, pid));
            let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
            let _ = began.send(Start::Failed(format!("{status}: {last_words}")));
        }
        app.state::<AppState>().exploring_demo.store(false, Ordering::SeqCst);
        tray::show_main_window(&app);
    });
    match start.await {
        Ok(Start::Ready) => Ok(()),
        Ok(Start::Failed(why)) => {
            Err(error(ErrorCode::Internal, format!("The demo ISP stopped before its window opened ({why}).")))
        }
        Err(_) => Err(error(ErrorCode::Internal, "lost track of the demo ISP while it started")),
    }
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

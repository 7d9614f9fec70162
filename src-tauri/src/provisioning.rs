//! The provisioning engine inside the app: it runs from start-up until
//! Quit, whether or not the window is open (closing the window hides it to
//! the tray), and its events reach the operator: failures through
//! `alerts`, sweeps as `provisioning-changed` (open pages reload) and as
//! the progress of an operator's "Sweep now".

use std::collections::HashSet;
use std::time::{Duration, Instant};

use headend_core::RouterId;
use headend_ipc::{ProvisioningChanged, SweepProgress, event};
use headend_provision::{EngineEvent, SweepMode};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::alerts;
use crate::state::{AppState, lock};

/// How long Quit waits for the sweeps in flight to finish their writes.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// A "Sweep now" gives up on routers that have not reported for this long.
const SWEEP_RUN_IDLE: Duration = Duration::from_secs(30);

/// Starts the engine and follows its events. Call once, after the
/// settings are loaded (they carry the sweep interval).
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let events = state.provisioner.subscribe();
    let engine = state.provisioner.clone();
    *lock(&state.engine) = Some(tauri::async_runtime::spawn(async move { engine.run().await }));
    tauri::async_runtime::spawn(follow(app.clone(), events));
    tauri::async_runtime::spawn(publish_at_start(app.clone()));
    tracing::info!("provisioning engine started");
}

/// Failures left from an earlier run light the badge and tray at once.
async fn publish_at_start<R: Runtime>(app: AppHandle<R>) {
    alerts::publish(&app).await;
}

async fn follow<R: Runtime>(app: AppHandle<R>, mut events: tokio::sync::broadcast::Receiver<EngineEvent>) {
    loop {
        // One event, then whatever else is already waiting: a sweep that
        // gave up on a hundred writes is one notification, not a hundred.
        let mut batch = match events.recv().await {
            Ok(ev) => vec![ev],
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "engine events missed");
                alerts::publish(&app).await;
                continue;
            }
            Err(RecvError::Closed) => break,
        };
        loop {
            match events.try_recv() {
                Ok(ev) => batch.push(ev),
                Err(TryRecvError::Lagged(missed)) => tracing::warn!(missed, "engine events missed"),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        handle(&app, batch).await;
    }
}

async fn handle<R: Runtime>(app: &AppHandle<R>, batch: Vec<EngineEvent>) {
    let mut failed = Vec::new();
    let mut swept = false;
    for ev in batch {
        match ev {
            EngineEvent::Swept(sweep) if sweep.mode == SweepMode::DryRun => {}
            EngineEvent::Swept(sweep) => {
                swept = true;
                progress(app, sweep.router, true);
                let writes = sweep.writes();
                if writes > 0 || !sweep.gave_up.is_empty() {
                    let changed = ProvisioningChanged {
                        router_id: sweep.router.0,
                        router_name: sweep.router_name.clone(),
                        writes: u32::try_from(writes).unwrap_or(u32::MAX),
                    };
                    if let Err(err) = app.emit(event::PROVISIONING_CHANGED, changed) {
                        tracing::warn!("cannot notify the UI: {err}");
                    }
                }
            }
            EngineEvent::ProvisionFailed(f) => failed.push(f),
            EngineEvent::Unreachable { router, name, error } => {
                tracing::warn!(router = %name, %error, "router unreachable");
                progress(app, router, false);
            }
            EngineEvent::LoginRefused { router, name, error } => {
                progress(app, router, false);
                alerts::login_refused(app, router, &name, &error).await;
            }
            EngineEvent::CertificateChanged(c) => {
                progress(app, c.router, false);
                let notice = c.notice();
                alerts::notify(app, &notice.title, &notice.body);
            }
            EngineEvent::SweepFailed { router, name, error } => {
                tracing::warn!(router = %name, %error, "sweep failed");
                progress(app, router, false);
            }
        }
    }
    if !failed.is_empty() {
        alerts::provision_failed(app, &failed).await;
    } else if swept {
        // A sweep may have cleared failed rows (a retry that worked, or an
        // action no longer needed).
        alerts::publish(app).await;
    }
}

/// An operator's "Sweep now": the routers asked for, and which answered.
pub struct SweepRun {
    pending: HashSet<RouterId>,
    total: u32,
    failed: u32,
    last_news: Instant,
}

impl SweepRun {
    fn progress(&self) -> SweepProgress {
        let pending = u32::try_from(self.pending.len()).unwrap_or(u32::MAX);
        SweepProgress { done: self.total - pending, total: self.total, failed: self.failed, running: pending > 0 }
    }
}

/// Asks the engine to sweep `routers` now and reports their progress as
/// `sweep-progress` events until each has been swept, could not be, or
/// said nothing for a while. A second call while one runs joins it.
pub fn sweep_now<R: Runtime>(app: &AppHandle<R>, routers: Vec<RouterId>) -> SweepProgress {
    let state = app.state::<AppState>();
    let progress = {
        let mut run = lock(&state.sweep_run);
        if let Some(running) = run.as_ref() {
            return running.progress();
        }
        let pending: HashSet<RouterId> = routers.iter().copied().collect();
        let started = SweepRun {
            total: u32::try_from(pending.len()).unwrap_or(u32::MAX),
            pending,
            failed: 0,
            last_news: Instant::now(),
        };
        let progress = started.progress();
        if progress.running {
            *run = Some(started);
        }
        progress
    };
    emit_progress(app, progress);
    for router in routers {
        state.provisioner.request(router);
    }
    if progress.running {
        tauri::async_runtime::spawn(watch_sweep_run(app.clone()));
    }
    progress
}

/// Gives up on routers that never report (a sweep that failed reading the
/// router, or another process holding its lease, raises no event).
async fn watch_sweep_run<R: Runtime>(app: AppHandle<R>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let state = app.state::<AppState>();
        let finished = {
            let mut run = lock(&state.sweep_run);
            match run.as_mut() {
                None => return,
                Some(r) if r.last_news.elapsed() >= SWEEP_RUN_IDLE => {
                    r.failed += u32::try_from(r.pending.len()).unwrap_or(u32::MAX);
                    r.pending.clear();
                    let progress = r.progress();
                    *run = None;
                    Some(progress)
                }
                Some(_) => None,
            }
        };
        if let Some(progress) = finished {
            emit_progress(&app, progress);
            return;
        }
    }
}

fn progress<R: Runtime>(app: &AppHandle<R>, router: RouterId, ok: bool) {
    let state = app.state::<AppState>();
    let progress = {
        let mut run = lock(&state.sweep_run);
        let Some(r) = run.as_mut() else { return };
        if !r.pending.remove(&router) {
            return;
        }
        if !ok {
            r.failed += 1;
        }
        r.last_news = Instant::now();
        let progress = r.progress();
        if !progress.running {
            *run = None;
        }
        progress
    };
    emit_progress(app, progress);
}

fn emit_progress<R: Runtime>(app: &AppHandle<R>, progress: SweepProgress) {
    if let Err(err) = app.emit(event::SWEEP_PROGRESS, progress) {
        tracing::warn!("cannot send the sweep's progress: {err}");
    }
}

/// Quits the app: the engine stops taking new work, the writes in flight
/// finish (up to a limit), then the process exits. The tray's Quit and
/// SIGTERM/SIGINT come here; closing the window does not.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    if !state.start_quitting() {
        return;
    }
    tracing::info!("quitting: letting the sweeps in flight finish");
    state.provisioner.shutdown();
    let engine = lock(&state.engine).take();
    let olts = crate::olts::shutdown(app);
    let messages = crate::messaging::shutdown(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(engine) = engine
            && tokio::time::timeout(SHUTDOWN_GRACE, engine).await.is_err()
        {
            tracing::warn!("sweeps still running after {SHUTDOWN_GRACE:?}; quitting anyway");
        }
        olts.await;
        messages.await;
        tracing::info!("bye");
        app.exit(0);
    });
}

/// SIGTERM (logout, shutdown, `kill`) and SIGINT quit like the tray's Quit.
#[cfg(unix)]
pub fn quit_on_signals<R: Runtime>(app: &AppHandle<R>) {
    use tokio::signal::unix::{SignalKind, signal};
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
            tracing::warn!("cannot listen for SIGTERM/SIGINT");
            return;
        };
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM"),
            _ = int.recv() => tracing::info!("SIGINT"),
        }
        quit(&app);
    });
}

#[cfg(not(unix))]
pub fn quit_on_signals<R: Runtime>(_app: &AppHandle<R>) {}

//! The OLT engine inside the app: `OltFleet::run` from start-up until Quit
//! (the signal sweep every few minutes, zero-touch every 30 s, pruning),
//! held by the tray's Pause sweeps like the provisioning engine, and its
//! events turned into what the operator sees, by the same path as a
//! provisioning failure: a desktop notification (`alerts::notify`, if
//! enabled) for a signal alert, a registration zero-touch gave up on, a
//! changed host key or a refused login; the tray's alert state (open ONU
//! alerts, failed registrations and changed host keys, from the database);
//! and `olts-changed`, so the open OLT pages reload.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use headend_core::OltId;
use headend_core::event::Notice;
use headend_core::olt::Olt;
use headend_core::optical::{AlertChange, OnuAlertEvent};
use headend_core::queue::QueueStatus;
use headend_ipc::olt::{OltsChanged, event};
use headend_olt::{OnuRef, RunState};
use headend_pon::OltEvent;
use headend_store::{Store, StoreError};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::state::{AppState, lock};
use crate::{alerts, tray};

/// How long Quit waits for the OLT work in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The engine's loop, and what the tray was last told.
#[derive(Default)]
pub struct OltEngine {
    task: Mutex<Option<JoinHandle<()>>>,
    told: Mutex<Option<u64>>,
}

/// Starts the OLT engine and follows its events. Call once, in setup.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let events = state.olts.subscribe();
    state.olts.set_paused(state.sweeps_paused());
    let fleet = state.olts.clone();
    let engine = OltEngine::default();
    *lock(&engine.task) = Some(tauri::async_runtime::spawn(async move { fleet.run().await }));
    app.manage(engine);
    tauri::async_runtime::spawn(follow(app.clone(), events));
    let app = app.clone();
    // Alerts left from an earlier run light the tray at once.
    tauri::async_runtime::spawn(async move { publish(&app).await });
    tracing::info!("OLT engine started");
}

/// Stops the OLT engine: returns what to await (the sweeps in flight, the
/// sessions closed, the command log written), bounded.
pub fn shutdown<R: Runtime>(app: &AppHandle<R>) -> impl Future<Output = ()> + Send + 'static {
    app.state::<AppState>().olts.shutdown();
    let task = app.try_state::<OltEngine>().and_then(|e| lock(&e.task).take());
    async move {
        if let Some(task) = task
            && tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err()
        {
            tracing::warn!("OLT work still running after {SHUTDOWN_GRACE:?}; quitting anyway");
        }
    }
}

/// Tells open OLT pages to reload.
pub fn changed<R: Runtime>(app: &AppHandle<R>, olt: Option<OltId>) {
    if let Err(err) = app.emit(event::OLTS_CHANGED, OltsChanged { olt_id: olt.map(|o| o.0) }) {
        tracing::warn!("cannot notify the UI: {err}");
    }
}

/// Sweeps an OLT in the background (a new or edited OLT, a pinned key):
/// its health and ONUs show up without waiting for the next round.
pub fn sweep_soon<R: Runtime>(app: &AppHandle<R>, olt: OltId) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(Some(olt)) = state.store.olt(olt).await else { return };
        if let Err(e) = state.olts.sweep_signals(&olt).await {
            tracing::info!(olt = %olt.name, error = %e, "first sweep of the OLT failed");
        }
        changed(&app, Some(olt.id));
    });
}

/// Reads an OLT's autofind in the background (a deregistered ONU shows up
/// in it again after a few seconds).
pub fn autofind_soon<R: Runtime>(app: &AppHandle<R>, olt: Olt) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let state = app.state::<AppState>();
        if let Err(e) = state.olts.autofind(&olt).await {
            tracing::info!(olt = %olt.name, error = %e, "cannot read the autofind");
        }
        changed(&app, Some(olt.id));
    });
}

/// Follows an ONU just registered or rebooted until it is online (or two
/// minutes passed): its port is listed again every few seconds, then its
/// levels are read, each step shown to the open pages. The autofind is
/// read once first, so a registered ONU leaves the unconfigured list.
pub fn follow_onu<R: Runtime>(app: &AppHandle<R>, olt: Olt, onu: OnuRef) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let fleet = app.state::<AppState>().olts.clone();
        if let Err(e) = fleet.autofind(&olt).await {
            tracing::info!(olt = %olt.name, error = %e, "cannot read the autofind");
        }
        let mut last = None;
        for wait in [2, 2, 3, 3, 5, 5, 10, 10, 20, 30, 30] {
            tokio::time::sleep(Duration::from_secs(wait)).await;
            let state = match fleet.onus(&olt, Some(onu.port)).await {
                Ok(onus) => onus.iter().find(|o| o.onu == onu).map(|o| o.state.clone()),
                Err(e) => {
                    tracing::info!(olt = %olt.name, %onu, error = %e, "cannot list the port");
                    continue;
                }
            };
            let Some(state) = state else { break };
            let online = state == RunState::Online;
            if last.as_ref() != Some(&state) {
                changed(&app, Some(olt.id));
                last = Some(state);
            }
            if online {
                if let Err(e) = fleet.optical(&olt, onu).await {
                    tracing::info!(olt = %olt.name, %onu, error = %e, "cannot read the new ONU's levels");
                }
                changed(&app, Some(olt.id));
                break;
            }
        }
    });
}

async fn follow<R: Runtime>(app: AppHandle<R>, mut events: tokio::sync::broadcast::Receiver<OltEvent>) {
    loop {
        // One event, then whatever else is already waiting: a sweep that
        // raised twenty alerts is one notification, not twenty.
        let mut batch = match events.recv().await {
            Ok(ev) => vec![ev],
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "OLT events missed");
                publish(&app).await;
                changed(&app, None);
                continue;
            }
            Err(RecvError::Closed) => break,
        };
        // Give a sweep's burst a moment to arrive whole.
        tokio::time::sleep(Duration::from_millis(200)).await;
        loop {
            match events.try_recv() {
                Ok(ev) => batch.push(ev),
                Err(TryRecvError::Lagged(missed)) => tracing::warn!(missed, "OLT events missed"),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        handle(&app, batch).await;
    }
}

async fn handle<R: Runtime>(app: &AppHandle<R>, batch: Vec<OltEvent>) {
    let state = app.state::<AppState>();
    let mut alerts = Vec::new();
    let mut olts: Vec<OltId> = Vec::new();
    for ev in batch {
        match ev {
            OltEvent::Swept(r) => olts.push(r.olt),
            OltEvent::Alert(a) => {
                olts.push(a.olt);
                alerts.push(a);
            }
            OltEvent::Authorized(a) => {
                olts.push(a.olt);
                let label = service_label(&state.store, a.service).await;
                alerts::notify(
                    app,
                    &format!("ONU registered: {label}"),
                    &format!("{} on {} as ONU {}", a.serial, a.port, a.onu_index),
                );
            }
            OltEvent::AuthorizeFailed(f) => {
                olts.extend(f.olt);
                let label = service_label(&state.store, f.service).await;
                let olt_name = match f.olt {
                    Some(id) => state.store.olt(id).await.ok().flatten().map(|o| o.name),
                    None => None,
                };
                let notice = f.notice(&label, olt_name.as_deref());
                tracing::warn!(service = %f.service, serial = %f.serial, error = %f.error, "zero-touch gave up");
                alerts::notify(app, &notice.title, &notice.body);
            }
            OltEvent::HostKeyChanged(h) => {
                olts.push(h.olt);
                tracing::error!(olt = %h.name, pinned = %h.pinned, presented = %h.presented, "OLT host key changed: not connecting");
                let notice = h.notice();
                alerts::notify(app, &notice.title, &notice.body);
            }
            OltEvent::LoginRefused { olt, name, error } => {
                olts.push(olt);
                tracing::error!(olt = %name, %error, "OLT login refused: tried again within the hour or once it is edited");
                alerts::notify(
                    app,
                    &format!("OLT {name} refused Headend's login"),
                    "Headend tries again within the hour, or at once after you edit the OLT's user or password.",
                );
            }
            OltEvent::Unreachable { olt, name, error } => {
                tracing::warn!(olt = %name, %error, "OLT unreachable");
                olts.push(olt);
            }
        }
    }
    if !alerts.is_empty() {
        notify_alerts(app, &state.store, &alerts).await;
    }
    publish(app).await;
    olts.sort();
    olts.dedup();
    changed(app, if let [only] = olts[..] { Some(only) } else { None });
}

async fn service_label(store: &Store, service: headend_core::ServiceId) -> String {
    match store.service(service).await {
        Ok(Some(s)) => s.label(),
        _ => format!("service {service}"),
    }
}

/// One notification for the alerts that came together: the alert itself
/// for one, how many were raised and cleared for several.
async fn notify_alerts<R: Runtime>(app: &AppHandle<R>, store: &Store, alerts: &[OnuAlertEvent]) {
    let notice = if let [only] = alerts {
        let who = match only.service {
            Some(s) => Some(service_label(store, s).await),
            None => None,
        };
        only.notice(who.as_deref())
    } else {
        let cleared = alerts.iter().filter(|a| matches!(a.change, AlertChange::Clear(_))).count();
        let raised = alerts.len() - cleared;
        let mut olts: Vec<&str> = alerts.iter().map(|a| a.olt_name.as_str()).collect();
        olts.sort_unstable();
        olts.dedup();
        let title = match (raised, cleared) {
            (0, n) => format!("{n} ONUs recovered"),
            (n, 0) => format!("{n} ONU signal alerts"),
            (r, c) => format!("{r} ONU signal alerts, {c} recovered"),
        };
        Notice { title, body: format!("On {}. Open Headend's OLTs & ONUs page for the details.", olts.join(", ")) }
    };
    alerts::notify(app, &notice.title, &notice.body);
}

/// What needs the operator on the OLTs: open ONU alerts, registrations
/// zero-touch gave up on, OLTs whose host key changed.
pub async fn trouble(store: &Store) -> Result<u64, StoreError> {
    let olts = store.olt_overviews().await?;
    let onus: u64 = olts.iter().map(|o| u64::from(o.warnings + o.criticals + o.los_alerts)).sum();
    let keys = olts.iter().filter(|o| o.health.presented_key.is_some()).count() as u64;
    let failed = store.olt_queue(Some(QueueStatus::Failed)).await?.len() as u64;
    Ok(onus + keys + failed)
}

/// Tells the tray how much OLT trouble waits, if that changed.
pub async fn publish<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let now = match trouble(&state.store).await {
        Ok(n) => n,
        Err(err) => {
            tracing::warn!("cannot count the OLT alerts: {err}");
            return;
        }
    };
    if let Some(engine) = app.try_state::<OltEngine>() {
        let mut told = lock(&engine.told);
        if *told == Some(now) {
            return;
        }
        *told = Some(now);
    }
    tray::show_olt_alerts(app, now);
}

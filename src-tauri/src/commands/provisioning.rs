//! The engine's side of the console: the durable queue, the failed
//! actions behind the badge, the dry run ("what will change") and "Sweep
//! now".

use std::str::FromStr;
use std::sync::Arc;

use headend_core::activity::Actor;
use headend_core::queue::QueueStatus;
use headend_ipc::{
    ConflictDto, ErrorCode, Failures, QueueCounts, QueuePage, QueueQueryDto, QueueRowDto, RouterPlanDto, StepDto,
    SweepProgress,
};
use headend_provision::{RouterSweep, StepStatus, SweepMode};
use headend_store::{QueueEntry, QueueQuery, Store, StoreError};
use tauri::{AppHandle, Manager, State};

use super::{Answer, db, error, instant, invalid, workflow_error};
use crate::state::AppState;
use crate::{alerts, provisioning};

/// Rows per page of the queue view.
const PAGE: u32 = 100;
/// Rows read to count a status (see `alerts`).
const COUNT_CAP: u32 = 10_000;

pub fn queue_row(e: &QueueEntry, router_name: String, label: Option<String>) -> QueueRowDto {
    QueueRowDto {
        id: e.id,
        router_id: e.router.0,
        router_name,
        service_id: e.service.map(|s| s.0),
        label: label.unwrap_or_else(|| "plan profile".to_owned()),
        action: e.action.to_string(),
        detail: e.detail.clone(),
        attempts: e.attempts,
        last_error: e.last_error.clone().unwrap_or_default(),
        status: e.status.to_string(),
        next_attempt_at: instant(e.next_attempt_at),
        updated_at: instant(e.updated_at),
    }
}

async fn count(store: &Store, status: QueueStatus) -> Result<u64, StoreError> {
    let rows = store.queue(&QueueQuery { status: Some(status), limit: COUNT_CAP, offset: 0 }).await?;
    Ok(rows.len() as u64)
}

#[tauri::command]
pub async fn list_failures(state: State<'_, AppState>) -> Answer<Failures> {
    alerts::failures(&state.store).await.map_err(db)
}

/// A page of the queue, oldest first, with how many rows each status has.
#[tauri::command]
pub async fn list_queue(state: State<'_, AppState>, query: QueueQueryDto) -> Answer<QueuePage> {
    let status = match query.status.trim() {
        "" => None,
        s => Some(QueueStatus::from_str(s).map_err(invalid)?),
    };
    let mut rows =
        state.store.queue(&QueueQuery { status, limit: PAGE + 1, offset: query.offset }).await.map_err(db)?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let counts = QueueCounts {
        pending: count(&state.store, QueueStatus::Pending).await.map_err(db)?,
        retrying: count(&state.store, QueueStatus::Retrying).await.map_err(db)?,
        failed: count(&state.store, QueueStatus::Failed).await.map_err(db)?,
    };
    Ok(QueuePage {
        rows: rows.iter().map(|r| queue_row(&r.entry, r.router_name.clone(), r.service_label.clone())).collect(),
        counts,
        more,
    })
}

/// Tries one queued action again now: its attempts start over and its
/// router is swept at once.
#[tauri::command]
pub async fn retry_queue_entry(app: AppHandle, id: i64) -> Answer<()> {
    let state = app.state::<AppState>();
    state.workflows.retry_queue_entry(&Actor::Operator, id).await.map_err(workflow_error)?;
    alerts::publish(&app).await;
    Ok(())
}

fn step_dto(s: &headend_provision::StepReport) -> StepDto {
    let (outcome, reason) = match &s.outcome {
        StepStatus::Planned => ("planned", String::new()),
        StepStatus::Held(why) => ("held", why.clone()),
        StepStatus::Applied => ("applied", String::new()),
        StepStatus::Failed(e) => ("failed", e.clone()),
    };
    StepDto {
        service_id: s.service.map(|id| id.0),
        kind: s.kind.to_owned(),
        text: s.text.clone(),
        outcome: outcome.to_owned(),
        reason,
    }
}

fn plan_dto(result: Result<Arc<RouterSweep>, (String, String)>) -> RouterPlanDto {
    match result {
        Ok(sweep) => RouterPlanDto {
            router_id: Some(sweep.router.0),
            router_name: sweep.router_name.clone(),
            error: String::new(),
            steps: sweep.steps.iter().map(step_dto).collect(),
            conflicts: sweep
                .conflicts
                .iter()
                .map(|c| ConflictDto { service_id: c.service.map(|s| s.0), message: c.message.clone() })
                .collect(),
        },
        Err((router_name, error)) => {
            RouterPlanDto { router_id: None, router_name, error, steps: Vec::new(), conflicts: Vec::new() }
        }
    }
}

/// What every router would be sent now, without sending it: each router is
/// read and diffed, nothing is written.
#[tauri::command]
pub async fn dry_run(state: State<'_, AppState>) -> Answer<Vec<RouterPlanDto>> {
    let mut plans: Vec<RouterPlanDto> =
        state.provisioner.sweep_all(SweepMode::DryRun).await.into_iter().map(plan_dto).collect();
    plans.sort_by(|a, b| a.router_name.cmp(&b.router_name));
    Ok(plans)
}

/// Sweeps every router now (except those whose login was refused); the
/// progress comes as `sweep-progress` events.
#[tauri::command]
pub async fn sweep_now(app: AppHandle) -> Answer<SweepProgress> {
    let state = app.state::<AppState>();
    if state.sweeps_paused() {
        return Err(error(ErrorCode::Paused, "Sweeps are paused. Resume them from Headend's tray menu first."));
    }
    let refused = state.refused();
    let routers: Vec<_> =
        state.store.routers().await.map_err(db)?.into_iter().map(|r| r.id).filter(|id| !refused.contains(id)).collect();
    if routers.is_empty() {
        return Err(invalid("There is no router to sweep (a router whose login was refused waits until you edit it)."));
    }
    state.workflows.sweep_requested(&Actor::Operator, &routers).await;
    Ok(provisioning::sweep_now(&app, routers))
}

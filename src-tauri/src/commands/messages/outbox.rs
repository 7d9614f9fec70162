//! The outbox: its messages with their counts, a customer's history, and
//! the operator's retry.

use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::messages::outbox::MessageStatus;
use headend_core::{CustomerId, MessageId};
use headend_ipc::ErrorDto;
use headend_ipc::messages::{MessageRow, OutboxPage, OutboxQueryDto};
use headend_store::MessageQuery;
use tauri::{AppHandle, State};

use super::{customer_pages, message_row};
use crate::commands::{Answer, workflow_error};
use crate::state::AppState;
use crate::{alerts, messaging};

/// The most rows the outbox shows: newest first, narrowed by the filters.
const LIST_LIMIT: u32 = 500;
/// The most rows of a customer's history.
const HISTORY_LIMIT: u32 = 100;

#[tauri::command]
pub async fn list_messages(state: State<'_, AppState>, query: OutboxQueryDto) -> Answer<OutboxPage> {
    let status = match query.status.trim() {
        "" => None,
        s => Some(MessageStatus::from_str(s).map_err(|e| ErrorDto::field("status", e.to_string()))?),
    };
    let q = MessageQuery { status, customer: query.customer_id.map(CustomerId), limit: LIST_LIMIT + 1 };
    let mut rows = state.workflows.messages(&q).await.map_err(workflow_error)?;
    let more = rows.len() > LIST_LIMIT as usize;
    rows.truncate(LIST_LIMIT as usize);
    let counts = state.workflows.message_counts().await.map_err(workflow_error)?;
    let pages = customer_pages(&state.store).await?;
    Ok(OutboxPage {
        rows: rows.iter().map(|m| message_row(m, &pages)).collect(),
        counts: messaging::counts(&counts),
        more,
    })
}

/// A customer's messages, newest first (the customer page's history).
#[tauri::command]
pub async fn customer_messages(state: State<'_, AppState>, id: i64) -> Answer<Vec<MessageRow>> {
    let q = MessageQuery { status: None, customer: Some(CustomerId(id)), limit: HISTORY_LIMIT };
    let rows = state.workflows.messages(&q).await.map_err(workflow_error)?;
    let pages = customer_pages(&state.store).await?;
    Ok(rows.iter().map(|m| message_row(m, &pages)).collect())
}

/// Queues a failed (or waiting) message again, due now; the badge and the
/// tray count it no more.
#[tauri::command]
pub async fn retry_message(app: AppHandle, state: State<'_, AppState>, id: i64) -> Answer<MessageRow> {
    let message = state.workflows.retry_message(&Actor::Operator, MessageId(id)).await.map_err(workflow_error)?;
    alerts::publish(&app).await;
    let pages = customer_pages(&state.store).await?;
    Ok(message_row(&message, &pages))
}

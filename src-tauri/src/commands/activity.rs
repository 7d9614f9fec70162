//! The activity log, filtered and paged newest first.

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_ipc::{ActivityPage, ActivityQueryDto, ActivityRow};
use headend_store::ActivityQuery;
use tauri::State;

use super::{Answer, db, instant, invalid};
use crate::state::AppState;

/// Entries per page of the Activity page.
const PAGE: u32 = 100;

pub fn activity_row((id, e): (i64, ActivityEntry)) -> ActivityRow {
    ActivityRow {
        id,
        at: instant(e.at),
        actor: e.actor.as_str().to_owned(),
        subject: e.subject.to_string(),
        action: e.action,
        detail: e.detail,
    }
}

#[tauri::command]
pub async fn list_activity(state: State<'_, AppState>, query: ActivityQueryDto) -> Answer<ActivityPage> {
    let actor = match query.actor.trim() {
        "" => None,
        a => Some(Actor::parse(a).ok_or_else(|| invalid(format!("unknown actor {a:?}: use operator, cli or engine")))?),
    };
    let subject = match query.subject.trim() {
        "" => None,
        // No entry is about a text that is not a subject (one being typed).
        s => match s.parse::<Subject>() {
            Ok(subject) => Some(subject),
            Err(_) => return Ok(ActivityPage { rows: Vec::new(), more: false }),
        },
    };
    let search = query.search.trim();
    // One more than a page tells whether older entries exist.
    let mut rows = state
        .store
        .activity(&ActivityQuery {
            subject,
            actor,
            search: (!search.is_empty()).then(|| search.to_owned()),
            before_id: query.before_id,
            limit: PAGE + 1,
        })
        .await
        .map_err(db)?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    Ok(ActivityPage { rows: rows.into_iter().map(activity_row).collect(), more })
}

//! Session history: a service's sessions and daily usage (the service
//! page's Sessions card) and the history's retention (Settings → Session
//! history). The CLI's `service sessions` and `service history-retention`.

use headend_core::ServiceId;
use headend_core::sessions::{DailyUsage, SessionRetention, SessionSource};
use headend_ipc::ErrorDto;
use headend_ipc::sessions::{DailyUsageDto, RetentionDto, RetentionForm, SessionDto};
use headend_store::ServiceSession;
use jiff::Timestamp;
use tauri::State;

use super::{Answer, instant, workflow_error};
use crate::state::AppState;

fn session_dto(s: ServiceSession, now: Timestamp) -> SessionDto {
    // A daily row sums sessions: it has no one duration.
    let duration_secs = (s.source != SessionSource::Daily)
        .then(|| s.stopped_at.unwrap_or(now).duration_since(s.started_at).as_secs().max(0).unsigned_abs());
    SessionDto {
        source: s.source.as_str().to_owned(),
        started_at: instant(s.started_at),
        stopped_at: s.stopped_at.map(instant).unwrap_or_default(),
        duration_secs,
        cause: s.cause.unwrap_or_default(),
        address: s.address.unwrap_or_default(),
        caller: s.caller.unwrap_or_default(),
        // The router counts from its side: what it received (in) is what
        // the subscriber sent.
        download_bytes: s.bytes_out,
        upload_bytes: s.bytes_in,
        sessions: s.sessions,
    }
}

fn usage_dto(u: DailyUsage) -> DailyUsageDto {
    DailyUsageDto { day: u.day.to_string(), download_bytes: u.bytes_out, upload_bytes: u.bytes_in }
}

fn retention_dto(detail_days: u16, keep_days: u16) -> RetentionDto {
    RetentionDto { detail_days, keep_days, min_days: SessionRetention::MIN_DAYS, max_days: SessionRetention::MAX_DAYS }
}

/// A number of days as typed, or the error at its field.
fn days(field: &'static str, text: &str) -> Answer<u16> {
    text.trim().parse().map_err(|_| {
        ErrorDto::field(
            field,
            format!(
                "Enter a whole number of days from {} to {}.",
                SessionRetention::MIN_DAYS,
                SessionRetention::MAX_DAYS
            ),
        )
    })
}

#[tauri::command]
pub async fn service_sessions(state: State<'_, AppState>, id: i64, limit: u32) -> Answer<Vec<SessionDto>> {
    let history = state.workflows.service_sessions(ServiceId(id), limit).await.map_err(workflow_error)?;
    let now = state.store.clock().now();
    Ok(history.into_iter().map(|s| session_dto(s, now)).collect())
}

#[tauri::command]
pub async fn service_usage(state: State<'_, AppState>, id: i64, days: u16) -> Answer<Vec<DailyUsageDto>> {
    let usage = state.workflows.service_usage(ServiceId(id), days).await.map_err(workflow_error)?;
    Ok(usage.into_iter().map(usage_dto).collect())
}

#[tauri::command]
pub async fn get_session_retention(state: State<'_, AppState>) -> Answer<RetentionDto> {
    let retention = state.workflows.session_retention().await.map_err(workflow_error)?;
    Ok(retention_dto(retention.detail_days(), retention.keep_days()))
}

/// Saves the retention (the next hourly pass applies it) and answers it
/// as saved.
#[tauri::command]
pub async fn set_session_retention(state: State<'_, AppState>, form: RetentionForm) -> Answer<RetentionDto> {
    let detail_days = days("detail_days", &form.detail_days)?;
    let keep_days = days("keep_days", &form.keep_days)?;
    state.workflows.set_session_retention(detail_days, keep_days).await.map_err(workflow_error)?;
    Ok(retention_dto(detail_days, keep_days))
}

#[cfg(test)]
mod tests {
    use headend_core::RouterId;

    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn session(source: SessionSource, stopped: Option<&str>) -> ServiceSession {
        ServiceSession {
            id: 7,
            router: Some(RouterId(1)),
            source,
            started_at: at("2030-03-10T08:00:00Z"),
            stopped_at: stopped.map(at),
            updated_at: at("2030-03-10T08:30:00Z"),
            cause: None,
            address: Some("100.64.0.2".into()),
            caller: None,
            bytes_in: 1_000,
            bytes_out: 9_000,
            sessions: 1,
        }
    }

    #[test]
    fn rows_read_from_the_subscribers_side() {
        let now = at("2030-03-10T09:00:00Z");
        let ended = session_dto(session(SessionSource::Radius, Some("2030-03-10T08:45:00Z")), now);
        assert_eq!((ended.download_bytes, ended.upload_bytes), (9_000, 1_000), "the router's out is the download");
        assert_eq!((ended.duration_secs, ended.source.as_str()), (Some(2_700), "radius"));
        assert_eq!((ended.cause.as_str(), ended.caller.as_str()), ("", ""), "unknown reads empty");
        let online = session_dto(session(SessionSource::Api, None), now);
        assert_eq!((online.stopped_at.as_str(), online.duration_secs), ("", Some(3_600)), "online up to now");
        let daily = session_dto(session(SessionSource::Daily, Some("2030-03-10T20:00:00Z")), now);
        assert_eq!(daily.duration_secs, None, "a day's sum has no one duration");
    }

    #[test]
    fn days_are_whole_numbers_refused_at_their_field() {
        assert_eq!(days("keep_days", " 365 ").ok(), Some(365));
        for typed in ["", "-1", "1.5", "70000"] {
            let refused = days("detail_days", typed).err();
            assert_eq!(refused.and_then(|e| e.field).as_deref(), Some("detail_days"), "{typed:?}");
        }
    }
}

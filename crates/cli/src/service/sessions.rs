//! `headend service sessions ID`: a service's session history, newest
//! first (from RADIUS accounting, or the sessions the app watched on an
//! API-mode router; older days summed per day).

use std::time::Duration;

use headend_core::ServiceId;
use headend_core::sessions::SessionSource;
use headend_store::ServiceSession;
use headend_workflows::Workflows;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::{Globals, output};

#[derive(Debug, clap::Args)]
pub struct SessionsArgs {
    /// The service's id.
    id: i64,
    /// At most this many rows.
    #[arg(long, value_name = "N", default_value_t = 50)]
    limit: u32,
}

/// A history row as `--json` prints it: instants in RFC 3339, bytes raw.
#[derive(Debug, Serialize)]
struct SessionJson {
    id: i64,
    router_id: Option<i64>,
    /// radius, api, or daily (one day of sessions summed).
    source: &'static str,
    started_at: String,
    /// Absent while the session is online.
    stopped_at: Option<String>,
    updated_at: String,
    duration_seconds: Option<i64>,
    cause: Option<String>,
    address: Option<String>,
    mac: Option<String>,
    /// As the router counts: in is what the subscriber sent.
    bytes_in: u64,
    bytes_out: u64,
    sessions: u32,
}

impl SessionJson {
    fn new(s: &ServiceSession, now: Timestamp) -> Self {
        let duration = (s.source != SessionSource::Daily)
            .then(|| s.stopped_at.unwrap_or(now).duration_since(s.started_at).as_secs().max(0));
        Self {
            id: s.id,
            router_id: s.router.map(|r| r.0),
            source: s.source.as_str(),
            started_at: s.started_at.to_string(),
            stopped_at: s.stopped_at.map(|t| t.to_string()),
            updated_at: s.updated_at.to_string(),
            duration_seconds: duration,
            cause: s.cause.clone(),
            address: s.address.clone(),
            mac: s.caller.clone(),
            bytes_in: s.bytes_in,
            bytes_out: s.bytes_out,
            sessions: s.sessions,
        }
    }
}

pub async fn sessions(globals: &Globals, w: &Workflows, args: SessionsArgs) -> anyhow::Result<()> {
    let history = w.service_sessions(ServiceId(args.id), args.limit).await?;
    let now = w.store().clock().now();
    if globals.json {
        let rows: Vec<SessionJson> = history.iter().map(|s| SessionJson::new(s, now)).collect();
        return output::json(&rows);
    }
    if history.is_empty() {
        eprintln!("No sessions recorded for service {} yet.", args.id);
        return Ok(());
    }
    let (policy, _) = w.today().await?;
    let zone = &policy.time_zone;
    let cells: Vec<Vec<String>> = history.iter().map(|s| row(s, now, zone)).collect();
    output::table(&["START", "STOP", "DURATION", "CAUSE", "ADDRESS", "MAC", "IN", "OUT"], &cells)?;
    Ok(())
}

/// A table row, instants in the ISP's zone.
fn row(s: &ServiceSession, now: Timestamp, zone: &TimeZone) -> Vec<String> {
    let local = |t: Timestamp, format: &str| t.to_zoned_datetime(zone.clone()).strftime(format).to_string();
    let (start, stop, duration, cause) = if s.source == SessionSource::Daily {
        let day = local(s.started_at, "%Y-%m-%d");
        (day, "-".to_owned(), "-".to_owned(), format!("{} sessions (daily total)", s.sessions))
    } else {
        let seconds = s.stopped_at.unwrap_or(now).duration_since(s.started_at).as_secs().max(0);
        (
            local(s.started_at, "%Y-%m-%d %H:%M"),
            s.stopped_at.map_or_else(|| "online".to_owned(), |t| local(t, "%Y-%m-%d %H:%M")),
            output::duration(Duration::from_secs(seconds.unsigned_abs())),
            output::or_dash(s.cause.as_deref().map(output::safe)),
        )
    };
    vec![
        start,
        stop,
        duration,
        cause,
        output::or_dash(s.address.as_deref().map(output::safe)),
        output::or_dash(s.caller.as_deref().map(output::safe)),
        output::bytes(s.bytes_in),
        output::bytes(s.bytes_out),
    ]
}

/// `service history-retention [--detail-days N --keep-days N]`: sets the
/// retention when given, then prints it.
pub async fn retention(globals: &Globals, w: &Workflows, set: Option<(u16, u16)>) -> anyhow::Result<()> {
    if let Some((detail, keep)) = set {
        w.set_session_retention(detail, keep).await?;
    }
    let retention = w.session_retention().await?;
    if globals.json {
        return output::json(&serde_json::json!({
            "detail_days": retention.detail_days(),
            "keep_days": retention.keep_days(),
        }));
    }
    output::line(format!(
        "Sessions kept one by one for {} days, then one row per service and day until {} days.",
        retention.detail_days(),
        retention.keep_days()
    ))?;
    Ok(())
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
            id: 1,
            router: Some(RouterId(2)),
            source,
            started_at: at("2030-03-10T08:00:00Z"),
            stopped_at: stopped.map(at),
            updated_at: at("2030-03-10T08:30:00Z"),
            cause: Some("Lost-Carrier".into()),
            address: Some("100.64.0.2".into()),
            caller: Some("AA:BB:CC:00:00:01".into()),
            bytes_in: 1536,
            bytes_out: 12,
            sessions: 3,
        }
    }

    #[test]
    fn rows_read_in_the_isps_zone_with_human_units() {
        let zone = TimeZone::get("America/Sao_Paulo").unwrap();
        let now = at("2030-03-10T09:00:00Z");
        let stopped = row(&session(SessionSource::Radius, Some("2030-03-10T08:45:30Z")), now, &zone);
        assert_eq!(
            stopped,
            [
                "2030-03-10 05:00",
                "2030-03-10 05:45",
                "45m30s",
                "Lost-Carrier",
                "100.64.0.2",
                "AA:BB:CC:00:00:01",
                "1.5 KiB",
                "12 B"
            ]
        );
        let online = row(&session(SessionSource::Api, None), now, &zone);
        assert_eq!((online[1].as_str(), online[2].as_str()), ("online", "1h"));
        let daily = row(&session(SessionSource::Daily, Some("2030-03-10T20:00:00Z")), now, &zone);
        assert_eq!(&daily[..4], ["2030-03-10", "-", "-", "3 sessions (daily total)"]);
        let json = SessionJson::new(&session(SessionSource::Api, None), now);
        assert_eq!((json.duration_seconds, json.stopped_at, json.bytes_in), (Some(3600), None, 1536));
    }
}

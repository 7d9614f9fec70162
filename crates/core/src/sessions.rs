//! Session history (issue 14): where a service's PPP sessions come from,
//! how long their detail is kept, and a service's usage per day for the
//! chart. Pure: instants, days and the ISP's time zone are passed in.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// Where a row of session history came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionSource {
    /// FreeRADIUS's `radacct` (routers in RADIUS mode).
    Radius,
    /// The router's `/ppp/active`, as the console watched it (API mode).
    Api,
    /// A local day of one service's sessions past the detail kept, summed.
    Daily,
}

impl SessionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionSource::Radius => "radius",
            SessionSource::Api => "api",
            SessionSource::Daily => "daily",
        }
    }
}

impl fmt::Display for SessionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown session source {0:?}")]
pub struct UnknownSource(pub String);

impl FromStr for SessionSource {
    type Err = UnknownSource;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "radius" => Ok(SessionSource::Radius),
            "api" => Ok(SessionSource::Api),
            "daily" => Ok(SessionSource::Daily),
            other => Err(UnknownSource(other.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("days of session detail must be from {min} to {max}, not {0}", min = SessionRetention::MIN_DAYS, max = SessionRetention::MAX_DAYS)]
    Detail(u16),
    #[error("days of session history must be from the days of detail ({detail}) to {max}, not {keep}", max = SessionRetention::MAX_DAYS)]
    Keep { detail: u16, keep: u16 },
}

/// How long session history is kept: every session for `detail_days`,
/// then one row per service and local day (its bytes and session count)
/// until `keep_days`, then nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRetention {
    detail_days: u16,
    keep_days: u16,
}

impl Default for SessionRetention {
    fn default() -> Self {
        Self { detail_days: Self::DETAIL_DEFAULT, keep_days: Self::KEEP_DEFAULT }
    }
}

impl SessionRetention {
    /// A quarter of sessions in detail: enough to answer "was I offline
    /// last month" with causes and addresses.
    pub const DETAIL_DEFAULT: u16 = 90;
    /// Two years of daily usage: year-on-year charts.
    pub const KEEP_DEFAULT: u16 = 730;
    pub const MIN_DAYS: u16 = 1;
    /// Ten years.
    pub const MAX_DAYS: u16 = 3650;

    pub fn new(detail_days: u16, keep_days: u16) -> Result<Self, RetentionError> {
        if !(Self::MIN_DAYS..=Self::MAX_DAYS).contains(&detail_days) {
            return Err(RetentionError::Detail(detail_days));
        }
        if !(detail_days..=Self::MAX_DAYS).contains(&keep_days) {
            return Err(RetentionError::Keep { detail: detail_days, keep: keep_days });
        }
        Ok(Self { detail_days, keep_days })
    }

    pub fn detail_days(&self) -> u16 {
        self.detail_days
    }

    pub fn keep_days(&self) -> u16 {
        self.keep_days
    }

    /// Sessions that started before this are summed into days.
    pub fn detail_cutoff(&self, now: Timestamp) -> Timestamp {
        days_before(now, self.detail_days)
    }

    /// Rows that started before this are deleted.
    pub fn keep_cutoff(&self, now: Timestamp) -> Timestamp {
        days_before(now, self.keep_days)
    }
}

/// `days` days of 24 hours before `now` (the start of time if that is
/// before it).
pub fn days_before(now: Timestamp, days: u16) -> Timestamp {
    now.checked_sub(SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(Timestamp::MIN)
}

/// The local day a session counts on: the day it started, in the ISP's
/// zone (a session over midnight counts whole on its first day, as the
/// router reports its bytes per session, not per day).
pub fn session_day(started: Timestamp, zone: &TimeZone) -> Date {
    started.to_zoned_datetime(zone.clone()).date()
}

/// The first instant of `day` in `zone`: where a day's summary row starts.
pub fn day_start(day: Date, zone: &TimeZone) -> Option<Timestamp> {
    day.to_zoned_datetime(zone.clone()).ok().map(|z| z.timestamp())
}

/// The first of the `days` days ending with `last`.
pub fn first_day(last: Date, days: u16) -> Date {
    last.checked_sub(i64::from(days.saturating_sub(1)).days()).unwrap_or(Date::MIN)
}

/// A service's session for [`online_by_hour`]: `stopped` is `None` while
/// it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSpan {
    pub service: crate::ServiceId,
    pub started: Timestamp,
    pub stopped: Option<Timestamp>,
}

/// For each of the `hours` hours ending at `end` (oldest first), how many
/// services had a session at some moment of it: the dashboard's "online"
/// chart. A service with several sessions in an hour counts once.
pub fn online_by_hour(spans: &[SessionSpan], end: Timestamp, hours: u32) -> Vec<u32> {
    (0..hours)
        .rev()
        .map(|back| {
            let to = end - SignedDuration::from_hours(i64::from(back));
            let from = to - SignedDuration::from_hours(1);
            let services: std::collections::HashSet<crate::ServiceId> = spans
                .iter()
                .filter(|s| s.started < to && s.stopped.is_none_or(|stopped| stopped >= from))
                .map(|s| s.service)
                .collect();
            u32::try_from(services.len()).unwrap_or(u32::MAX)
        })
        .collect()
}

/// One local day of a service's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyUsage {
    pub day: Date,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// The `days` local days ending with `last` (oldest first, every day
/// present, zero when nothing was used), summing each session's
/// `(started, bytes_in, bytes_out)` on its [`session_day`].
pub fn usage_by_day(
    sessions: impl IntoIterator<Item = (Timestamp, u64, u64)>,
    zone: &TimeZone,
    last: Date,
    days: u16,
) -> Vec<DailyUsage> {
    let first = first_day(last, days);
    let mut out: Vec<DailyUsage> = first
        .series(1.day())
        .take_while(|d| *d <= last)
        .take(usize::from(days))
        .map(|day| DailyUsage { day, bytes_in: 0, bytes_out: 0 })
        .collect();
    for (started, bytes_in, bytes_out) in sessions {
        let day = session_day(started, zone);
        let Ok(index) = out.binary_search_by_key(&day, |u| u.day) else { continue };
        out[index].bytes_in = out[index].bytes_in.saturating_add(bytes_in);
        out[index].bytes_out = out[index].bytes_out.saturating_add(bytes_out);
    }
    out
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn retention_bounds_and_cutoffs() {
        assert_eq!(SessionRetention::default(), SessionRetention::new(90, 730).unwrap());
        assert_eq!(SessionRetention::new(0, 10), Err(RetentionError::Detail(0)));
        assert_eq!(SessionRetention::new(30, 29), Err(RetentionError::Keep { detail: 30, keep: 29 }));
        assert_eq!(SessionRetention::new(30, 3651), Err(RetentionError::Keep { detail: 30, keep: 3651 }));
        let r = SessionRetention::new(2, 10).unwrap();
        let now = at("2030-03-10T12:00:00Z");
        assert_eq!(r.detail_cutoff(now), at("2030-03-08T12:00:00Z"));
        assert_eq!(r.keep_cutoff(now), at("2030-02-28T12:00:00Z"));
    }

    #[test]
    fn sources_round_trip_as_text() {
        for s in [SessionSource::Radius, SessionSource::Api, SessionSource::Daily] {
            assert_eq!(s.as_str().parse::<SessionSource>(), Ok(s));
        }
        assert!("pppoe".parse::<SessionSource>().is_err());
    }

    #[test]
    fn usage_counts_each_session_on_its_local_start_day() {
        let zone = TimeZone::get("America/Sao_Paulo").unwrap();
        let sessions = [
            // 23:30 local on the 1st (02:30 UTC on the 2nd).
            (at("2030-03-02T02:30:00Z"), 100, 1_000),
            (at("2030-03-02T13:00:00Z"), 5, 50),
            (at("2030-03-03T13:00:00Z"), 7, 70),
            // Before the first day shown.
            (at("2030-02-20T13:00:00Z"), 9, 90),
        ];
        let usage = usage_by_day(sessions, &zone, date(2030, 3, 3), 3);
        let expect = [(date(2030, 3, 1), 100, 1_000), (date(2030, 3, 2), 5, 50), (date(2030, 3, 3), 7, 70)];
        let got: Vec<_> = usage.iter().map(|u| (u.day, u.bytes_in, u.bytes_out)).collect();
        assert_eq!(got, expect);
        assert_eq!(usage_by_day([], &zone, date(2030, 3, 3), 0), Vec::new());
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let zone = TimeZone::get("Europe/Lisbon").unwrap();
        assert_eq!(day_start(date(2030, 7, 1), &zone), Some(at("2030-06-30T23:00:00Z")));
        assert_eq!(session_day(at("2030-06-30T23:30:00Z"), &zone), date(2030, 7, 1));
    }

    #[test]
    fn online_hour_by_hour() {
        let span = |service: i64, started: &str, stopped: Option<&str>| SessionSpan {
            service: crate::ServiceId(service),
            started: at(started),
            stopped: stopped.map(at),
        };
        let spans = [
            // All three hours.
            span(1, "2030-01-01T09:00:00Z", None),
            // The first hour only, twice (one service counts once).
            span(2, "2030-01-01T10:05:00Z", Some("2030-01-01T10:10:00Z")),
            span(2, "2030-01-01T10:20:00Z", Some("2030-01-01T10:30:00Z")),
            // Ends exactly as the last hour begins: counts in it.
            span(3, "2030-01-01T11:30:00Z", Some("2030-01-01T12:00:00Z")),
            // Starts after the window.
            span(4, "2030-01-01T13:00:00Z", None),
        ];
        assert_eq!(online_by_hour(&spans, at("2030-01-01T13:00:00Z"), 3), [2, 2, 2]);
        assert_eq!(online_by_hour(&spans, at("2030-01-01T11:00:00Z"), 1), [2]);
        assert_eq!(online_by_hour(&[], at("2030-01-01T11:00:00Z"), 24), [0; 24]);
    }
}

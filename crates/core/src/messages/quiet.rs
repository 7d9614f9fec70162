//! Quiet hours: the part of each night no SMS or WhatsApp message goes, in
//! the ISP's time zone.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::billing::settings::SettingError;

/// From `start` until `end`, local time; `21:00-08:00` spans midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: Time,
    pub end: Time,
}

impl QuietHours {
    fn contains(&self, t: Time) -> bool {
        if self.start <= self.end { self.start <= t && t < self.end } else { t >= self.start || t < self.end }
    }

    /// The first instant at or after `now` a message may go: `now` itself
    /// outside quiet hours, else the end of the quiet hours `now` is in.
    pub fn next_allowed(&self, now: Timestamp, tz: &TimeZone) -> Timestamp {
        let local = now.to_zoned_datetime(tz.clone());
        if !self.contains(local.time()) {
            return now;
        }
        let day = if local.time() < self.end { local.date() } else { local.date().saturating_add(1.day()) };
        // A gap (a spring-forward hour) or fold at the end moves it the way
        // clocks do; failing that, an hour from now is a safe wait.
        day.to_datetime(self.end)
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or_else(|_| now.saturating_add(1.hour()).unwrap_or(now))
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start.strftime("%H:%M"), self.end.strftime("%H:%M"))
    }
}

impl FromStr for QuietHours {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || SettingError::new("quiet-hours", format!("{s:?}: write them as HH:MM-HH:MM, e.g. 21:00-08:00"));
        let (start, end) = s.trim().split_once('-').ok_or_else(err)?;
        let time = |t: &str| Time::strptime("%H:%M", t.trim()).map_err(|_| err());
        let hours = QuietHours { start: time(start)?, end: time(end)? };
        if hours.start == hours.end {
            return Err(SettingError::new("quiet-hours", "the start and end are the same time".into()));
        }
        Ok(hours)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn at(tz: &TimeZone, y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        date(y, m, d).at(h, min, 0, 0).to_zoned_datetime(tz.clone()).expect("valid").timestamp()
    }

    #[test]
    fn overnight_hours_hold_until_morning() {
        let tz = TimeZone::get("Africa/Nairobi").expect("tzdb");
        let quiet: QuietHours = "21:00-08:00".parse().expect("valid");
        assert_eq!(quiet.to_string(), "21:00-08:00");
        let cases = [
            (at(&tz, 2026, 3, 1, 20, 59), at(&tz, 2026, 3, 1, 20, 59)),
            (at(&tz, 2026, 3, 1, 21, 0), at(&tz, 2026, 3, 2, 8, 0)),
            (at(&tz, 2026, 3, 1, 23, 30), at(&tz, 2026, 3, 2, 8, 0)),
            (at(&tz, 2026, 3, 2, 3, 0), at(&tz, 2026, 3, 2, 8, 0)),
            (at(&tz, 2026, 3, 2, 8, 0), at(&tz, 2026, 3, 2, 8, 0)),
        ];
        for (now, expected) in cases {
            assert_eq!(quiet.next_allowed(now, &tz), expected, "{now}");
        }
    }

    #[test]
    fn daytime_hours_and_a_clock_change() {
        let tz = TimeZone::get("America/Sao_Paulo").expect("tzdb");
        let lunch: QuietHours = "12:00-13:30".parse().expect("valid");
        assert_eq!(lunch.next_allowed(at(&tz, 2026, 5, 1, 12, 10), &tz), at(&tz, 2026, 5, 1, 13, 30));
        assert_eq!(lunch.next_allowed(at(&tz, 2026, 5, 1, 13, 30), &tz), at(&tz, 2026, 5, 1, 13, 30));
        // New York springs forward at 02:00 on 8 March 2026: a quiet end at
        // 02:30 that day does not exist, and the wait ends after the gap.
        let ny = TimeZone::get("America/New_York").expect("tzdb");
        let night: QuietHours = "22:00-02:30".parse().expect("valid");
        let end = night.next_allowed(at(&ny, 2026, 3, 7, 23, 0), &ny);
        assert_eq!(end.to_zoned_datetime(ny.clone()).time(), Time::constant(3, 30, 0, 0));
    }

    #[test]
    fn bad_hours_name_the_setting() {
        for bad in ["", "21:00", "25:00-08:00", "08:00-08:00", "9pm-8am"] {
            assert_eq!(bad.parse::<QuietHours>().expect_err(bad).setting, "quiet-hours");
        }
    }
}

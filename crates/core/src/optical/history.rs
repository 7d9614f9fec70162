//! How long ONU signal history is kept, and at what resolution: every
//! sweep's reading for a short raw window, then one row per ONU and hour
//! (its lowest, mean and highest readings) until the history kept, then
//! nothing. At 5-minute sweeps that is 288 raw rows per ONU and day
//! against 24 hourly ones.
//!
//! An hour is rolled up once and whole, so no mean ever has to be combined
//! with later readings: only readings before [`SignalRetention::raw_cutoff`]
//! are rolled up, and that cutoff is on the hour and at least a day behind
//! the sweeps (the raw window is at least a day), so no sweep adds a
//! reading to an hour already rolled up.

use jiff::Timestamp;

use crate::sessions::days_before;

/// An hour of history, in seconds.
pub const HOUR_SECONDS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalRetentionError {
    #[error("every reading is kept {min} to {max} days, not {0}", min = SignalRetention::MIN_DAYS, max = SignalRetention::RAW_MAX)]
    Raw(u16),
    #[error("signal history is kept from the days of every reading ({raw}) to {max} days, not {history}", max = SignalRetention::HISTORY_MAX)]
    History { raw: u16, history: u16 },
}

/// Every reading for `raw_days`, then hourly lowest, mean and highest
/// until `history_days`. `history_days` is the whole history a chart can
/// reach, the raw window included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalRetention {
    raw_days: u16,
    history_days: u16,
}

impl Default for SignalRetention {
    fn default() -> Self {
        Self { raw_days: Self::RAW_DEFAULT, history_days: Self::HISTORY_DEFAULT }
    }
}

impl SignalRetention {
    /// Two days of every reading: yesterday's flapping in full detail.
    pub const RAW_DEFAULT: u16 = 2;
    /// A quarter of hourly history: a fibre degrading over weeks shows.
    pub const HISTORY_DEFAULT: u16 = 90;
    /// A day at least, so the hour being rolled up is long finished.
    pub const MIN_DAYS: u16 = 1;
    /// Past a month, every reading of every ONU dwarfs the rest of the
    /// database (8,640 rows per ONU at 5-minute sweeps).
    pub const RAW_MAX: u16 = 30;
    pub const HISTORY_MAX: u16 = 400;

    pub fn new(raw_days: u16, history_days: u16) -> Result<Self, SignalRetentionError> {
        if !(Self::MIN_DAYS..=Self::RAW_MAX).contains(&raw_days) {
            return Err(SignalRetentionError::Raw(raw_days));
        }
        if !(raw_days..=Self::HISTORY_MAX).contains(&history_days) {
            return Err(SignalRetentionError::History { raw: raw_days, history: history_days });
        }
        Ok(Self { raw_days, history_days })
    }

    /// Days of every sweep's reading.
    pub fn raw_days(&self) -> u16 {
        self.raw_days
    }

    /// Days of history in all, hourly past the raw days.
    pub fn history_days(&self) -> u16 {
        self.history_days
    }

    /// Readings before this are rolled up into hours: the start of the
    /// hour the raw window begins in, so only whole hours are.
    pub fn raw_cutoff(&self, now: Timestamp) -> Timestamp {
        hour_start(days_before(now, self.raw_days))
    }

    /// History (raw or hourly) before this is deleted.
    pub fn history_cutoff(&self, now: Timestamp) -> Timestamp {
        days_before(now, self.history_days)
    }
}

/// The start of the hour `at` belongs to: Unix seconds floored to a
/// multiple of [`HOUR_SECONDS`] (a UTC hour, which is a local hour in every
/// zone but the few with a fractional offset). The database groups by the
/// same rule, `at - at % 3600`, equal to this for instants after 1970.
pub fn hour_start(at: Timestamp) -> Timestamp {
    let second = at.as_second();
    Timestamp::from_second(second - second.rem_euclid(HOUR_SECONDS)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn bounds() {
        assert_eq!(SignalRetention::default(), SignalRetention::new(2, 90).unwrap());
        // (raw, history, expected)
        let cases = [
            (1, 1, Ok(())),
            (30, 30, Ok(())),
            (1, 400, Ok(())),
            (0, 10, Err(SignalRetentionError::Raw(0))),
            (31, 400, Err(SignalRetentionError::Raw(31))),
            (7, 6, Err(SignalRetentionError::History { raw: 7, history: 6 })),
            (2, 401, Err(SignalRetentionError::History { raw: 2, history: 401 })),
        ];
        for (raw, history, want) in cases {
            let got = SignalRetention::new(raw, history);
            assert_eq!(got.as_ref().map(|_| ()), want.as_ref().map(|_| ()), "{raw} {history}");
            if let Ok(r) = got {
                assert_eq!((r.raw_days(), r.history_days()), (raw, history));
            }
        }
    }

    #[test]
    fn a_reading_belongs_to_the_hour_it_falls_in() {
        let cases = [
            ("2030-03-10T12:00:00Z", "2030-03-10T12:00:00Z"),
            ("2030-03-10T12:59:59Z", "2030-03-10T12:00:00Z"),
            ("2030-03-10T13:00:00Z", "2030-03-10T13:00:00Z"),
            ("2030-03-10T00:04:31.750Z", "2030-03-10T00:00:00Z"),
            ("1969-12-31T23:30:00Z", "1969-12-31T23:00:00Z"),
        ];
        for (reading, hour) in cases {
            assert_eq!(hour_start(at(reading)), at(hour), "{reading}");
        }
    }

    #[test]
    fn cutoffs_keep_whole_hours_raw() {
        let r = SignalRetention::new(2, 90).unwrap();
        // (now, rolled up before, deleted before)
        let cases = [
            ("2030-03-10T12:00:00Z", "2030-03-08T12:00:00Z", "2029-12-10T12:00:00Z"),
            ("2030-03-10T12:59:59Z", "2030-03-08T12:00:00Z", "2029-12-10T12:59:59Z"),
            ("2030-03-10T00:05:00Z", "2030-03-08T00:00:00Z", "2029-12-10T00:05:00Z"),
        ];
        for (now, raw, history) in cases {
            assert_eq!(r.raw_cutoff(at(now)), at(raw), "{now}");
            assert_eq!(r.history_cutoff(at(now)), at(history), "{now}");
        }
        // Never later than the raw window's start: a reading still in it
        // stays raw.
        let now = at("2030-03-10T12:34:56Z");
        assert!(r.raw_cutoff(now) <= days_before(now, 2));
    }
}

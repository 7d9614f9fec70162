//! ONU optical levels: the thresholds an operator sets, how a reading is
//! judged, and when an alert is raised, changed or cleared. Plain functions
//! over plain data; the engine's signal sweep feeds them what the OLTs
//! report and stores what they decide.
//!
//! The rules:
//! - an ONU the OLT reports in loss of signal is a `los` alert, whatever
//!   its last reading;
//! - an online ONU's received power (ONU Rx) below the critical threshold
//!   (−29 dBm by default) or above the overload one (−8 dBm) is
//!   `critical`, below the warning threshold (−27 dBm) `warning`;
//! - an ONU that is offline for another reason (power cut, rebooting) or
//!   gave no reading says nothing: an open alert stays as it is;
//! - an alert only steps down (critical → warning → cleared) once the
//!   reading is [`HYSTERESIS_DB`] past the threshold, so a level drifting
//!   around −27.0 does not raise and clear an alert every sweep. It steps
//!   up at once.

use std::fmt;
use std::str::FromStr;

use crate::event::Notice;
use crate::ids::{OltId, OnuId, ServiceId};
use crate::olt::OnuState;

mod history;

pub use history::{HOUR_SECONDS, SignalRetention, SignalRetentionError, hour_start};

/// How far past a threshold a reading must come back before an alert
/// steps down.
pub const HYSTERESIS_DB: f64 = 0.5;

/// No ONU reads outside this range: a threshold outside it is a typo.
const PLAUSIBLE_DBM: std::ops::RangeInclusive<f64> = -50.0..=10.0;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    #[error("the thresholds must be between -50 and 10 dBm")]
    OutOfRange,
    #[error(
        "the thresholds must be in order: critical-low ({critical_below} dBm) < warning ({warning_below} dBm) < critical-high ({critical_above} dBm)"
    )]
    Order { critical_below: f64, warning_below: f64, critical_above: f64 },
    #[error("the signal sweep runs every {min} to {max} minutes, not {0}", min = SignalPolicy::INTERVAL_MIN, max = SignalPolicy::INTERVAL_MAX)]
    Interval(u16),
    #[error("the OLT command log is kept {min} to {max} days, not {0}", min = SignalPolicy::RETENTION_MIN, max = SignalPolicy::RETENTION_MAX)]
    Retention(u16),
}

/// The ONU Rx levels that raise alerts, in dBm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    warning_below: f64,
    critical_below: f64,
    critical_above: f64,
}

impl Default for Thresholds {
    /// Below −27 dBm a warning, below −29 dBm or above −8 dBm critical
    /// (class B+ optics: the ONU's sensitivity is about −28 dBm and it
    /// overloads near −8 dBm).
    fn default() -> Self {
        Self { warning_below: -27.0, critical_below: -29.0, critical_above: -8.0 }
    }
}

impl Thresholds {
    pub fn new(warning_below: f64, critical_below: f64, critical_above: f64) -> Result<Self, ThresholdError> {
        let all = [warning_below, critical_below, critical_above];
        if !all.iter().all(|v| PLAUSIBLE_DBM.contains(v)) {
            return Err(ThresholdError::OutOfRange);
        }
        if !(critical_below < warning_below && warning_below < critical_above) {
            return Err(ThresholdError::Order { critical_below, warning_below, critical_above });
        }
        Ok(Self { warning_below, critical_below, critical_above })
    }

    /// Below this, a warning.
    pub fn warning_below(&self) -> f64 {
        self.warning_below
    }

    /// Below this, critical: the ONU is about to lose the link.
    pub fn critical_below(&self) -> f64 {
        self.critical_below
    }

    /// Above this, critical: the receiver is overloaded (a missing
    /// attenuator, a short fibre).
    pub fn critical_above(&self) -> f64 {
        self.critical_above
    }

    /// The band a reading falls in, for colouring it.
    pub fn band(&self, rx: f64) -> RxBand {
        self.band_with_margin(rx, 0.0)
    }

    /// The band with every threshold moved `margin` dB towards the good
    /// range: what a reading must reach to step an alert down.
    fn band_with_margin(&self, rx: f64, margin: f64) -> RxBand {
        if rx < self.critical_below + margin || rx > self.critical_above - margin {
            RxBand::Critical
        } else if rx < self.warning_below + margin {
            RxBand::Warning
        } else {
            RxBand::Good
        }
    }
}

/// Where a reading falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RxBand {
    Good,
    Warning,
    Critical,
}

impl RxBand {
    pub fn as_str(self) -> &'static str {
        match self {
            RxBand::Good => "good",
            RxBand::Warning => "warning",
            RxBand::Critical => "critical",
        }
    }

    fn alert(self) -> Option<AlertLevel> {
        match self {
            RxBand::Good => None,
            RxBand::Warning => Some(AlertLevel::Warning),
            RxBand::Critical => Some(AlertLevel::Critical),
        }
    }
}

/// How the signal sweep runs and judges readings; kept in the database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalPolicy {
    interval_minutes: u16,
    pub thresholds: Thresholds,
    pub retention: SignalRetention,
    command_log_days: u16,
}

impl Default for SignalPolicy {
    fn default() -> Self {
        Self {
            interval_minutes: Self::INTERVAL_DEFAULT,
            thresholds: Thresholds::default(),
            retention: SignalRetention::default(),
            command_log_days: Self::COMMAND_LOG_DEFAULT,
        }
    }
}

impl SignalPolicy {
    pub const INTERVAL_DEFAULT: u16 = 5;
    /// Faster than this, a large OLT's sweep would not finish in time.
    pub const INTERVAL_MIN: u16 = 1;
    /// Slower than this, a failing fibre is seen too late.
    pub const INTERVAL_MAX: u16 = 60;
    /// OLT command log kept, by default.
    pub const COMMAND_LOG_DEFAULT: u16 = 14;
    /// The OLT command log's bounds, in days.
    pub const RETENTION_MIN: u16 = 1;
    pub const RETENTION_MAX: u16 = 400;

    /// Minutes between two signal sweeps of every OLT.
    pub fn interval_minutes(&self) -> u16 {
        self.interval_minutes
    }

    pub fn interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.interval_minutes) * 60)
    }

    pub fn set_interval_minutes(&mut self, minutes: u16) -> Result<(), ThresholdError> {
        if !(Self::INTERVAL_MIN..=Self::INTERVAL_MAX).contains(&minutes) {
            return Err(ThresholdError::Interval(minutes));
        }
        self.interval_minutes = minutes;
        Ok(())
    }

    /// Days of OLT command log kept.
    pub fn command_log_days(&self) -> u16 {
        self.command_log_days
    }

    pub fn set_command_log_days(&mut self, days: u16) -> Result<(), ThresholdError> {
        self.command_log_days = Self::retention(days)?;
        Ok(())
    }

    fn retention(days: u16) -> Result<u16, ThresholdError> {
        if (Self::RETENTION_MIN..=Self::RETENTION_MAX).contains(&days) {
            Ok(days)
        } else {
            Err(ThresholdError::Retention(days))
        }
    }
}

/// How bad an alert is. Ordered: a `los` outranks a `critical`, which
/// outranks a `warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertLevel {
    Warning,
    Critical,
    Los,
}

impl AlertLevel {
    pub const ALL: [AlertLevel; 3] = [AlertLevel::Warning, AlertLevel::Critical, AlertLevel::Los];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::Warning => "warning",
            AlertLevel::Critical => "critical",
            AlertLevel::Los => "los",
        }
    }
}

impl fmt::Display for AlertLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown alert level {0:?}: use warning, critical or los")]
pub struct UnknownAlertLevel(pub String);

impl FromStr for AlertLevel {
    type Err = UnknownAlertLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlertLevel::ALL.into_iter().find(|l| l.as_str() == s).ok_or_else(|| UnknownAlertLevel(s.to_owned()))
    }
}

/// What one sweep says about one ONU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assessment {
    /// Nothing to judge by (offline for another reason, no reading): an
    /// open alert stays.
    Unknown,
    Healthy,
    Alert(AlertLevel),
}

/// Judges an ONU from its state and received power, given the alert open
/// on it (for the hysteresis).
pub fn assess(state: OnuState, rx: Option<f64>, thresholds: &Thresholds, open: Option<AlertLevel>) -> Assessment {
    if state == OnuState::Los {
        return Assessment::Alert(AlertLevel::Los);
    }
    let (OnuState::Online, Some(rx)) = (state, rx) else {
        return Assessment::Unknown;
    };
    if rx.is_nan() {
        return Assessment::Unknown;
    }
    let now = thresholds.band(rx).alert();
    let level = match open {
        // Stepping down from a level alert: only past the margin.
        Some(open @ (AlertLevel::Warning | AlertLevel::Critical)) if now < Some(open) => {
            let strict = thresholds.band_with_margin(rx, HYSTERESIS_DB).alert();
            strict.min(Some(open)).max(now)
        }
        _ => now,
    };
    level.map_or(Assessment::Healthy, Assessment::Alert)
}

/// What happens to an ONU's alerts after a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertChange {
    /// Nothing new.
    None,
    /// A new alert.
    Raise(AlertLevel),
    /// The open alert is closed and one of another level opened.
    Change { from: AlertLevel, to: AlertLevel },
    /// The open alert is closed: the ONU recovered.
    Clear(AlertLevel),
}

/// The change from the alert open on an ONU to what the sweep found.
pub fn alert_change(open: Option<AlertLevel>, now: Assessment) -> AlertChange {
    match (open, now) {
        (_, Assessment::Unknown) | (None, Assessment::Healthy) => AlertChange::None,
        (None, Assessment::Alert(level)) => AlertChange::Raise(level),
        (Some(from), Assessment::Healthy) => AlertChange::Clear(from),
        (Some(from), Assessment::Alert(to)) if from == to => AlertChange::None,
        (Some(from), Assessment::Alert(to)) => AlertChange::Change { from, to },
    }
}

/// An ONU's alert changed: what the tray and the console are told.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuAlertEvent {
    pub olt: OltId,
    pub olt_name: String,
    pub onu: OnuId,
    pub serial: String,
    /// `frame/slot/port` and the ONU's id on it.
    pub port: String,
    pub onu_index: u32,
    pub service: Option<ServiceId>,
    /// Never [`AlertChange::None`].
    pub change: AlertChange,
    /// The ONU Rx power that decided it, when there was one.
    pub rx: Option<f64>,
}

impl OnuAlertEvent {
    /// The notification; `who` names the subscriber (a service label) when
    /// the ONU is linked to one.
    pub fn notice(&self, who: Option<&str>) -> Notice {
        let onu = match who {
            Some(who) => format!("{who} ({})", self.serial),
            None => self.serial.clone(),
        };
        let level = |l: AlertLevel| match l {
            AlertLevel::Warning => "weak signal",
            AlertLevel::Critical => "critical signal",
            AlertLevel::Los => "loss of signal",
        };
        let title = match self.change {
            AlertChange::Raise(l) | AlertChange::Change { to: l, .. } => format!("ONU {}: {onu}", level(l)),
            AlertChange::Clear(_) | AlertChange::None => format!("ONU recovered: {onu}"),
        };
        let rx = self.rx.map(|rx| format!(", Rx {rx:.2} dBm")).unwrap_or_default();
        Notice { title, body: format!("{} {}:{}{rx}", self.olt_name, self.port, self.onu_index) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use AlertLevel::{Critical, Los, Warning};
    use OnuState::{DyingGasp, Offline, Online};

    #[test]
    fn defaults_and_validation() {
        let t = Thresholds::default();
        assert_eq!((t.warning_below(), t.critical_below(), t.critical_above()), (-27.0, -29.0, -8.0));
        assert_eq!(Thresholds::new(-27.0, -29.0, -8.0), Ok(t));
        assert!(matches!(Thresholds::new(-29.0, -27.0, -8.0), Err(ThresholdError::Order { .. })));
        assert!(matches!(Thresholds::new(-27.0, -29.0, -30.0), Err(ThresholdError::Order { .. })));
        assert_eq!(Thresholds::new(-27.0, -60.0, -8.0), Err(ThresholdError::OutOfRange));
        assert_eq!(Thresholds::new(f64::NAN, -29.0, -8.0), Err(ThresholdError::OutOfRange));
    }

    #[test]
    fn policy_bounds() {
        let mut p = SignalPolicy::default();
        assert_eq!(p.interval_minutes(), 5);
        assert_eq!(p.interval(), std::time::Duration::from_secs(300));
        assert_eq!(p.set_interval_minutes(0), Err(ThresholdError::Interval(0)));
        assert_eq!(p.set_interval_minutes(61), Err(ThresholdError::Interval(61)));
        p.set_interval_minutes(60).unwrap();
        p.set_interval_minutes(1).unwrap();
        assert_eq!(p.interval_minutes(), 1);
        assert_eq!(p.set_command_log_days(0), Err(ThresholdError::Retention(0)));
        assert_eq!(p.set_command_log_days(401), Err(ThresholdError::Retention(401)));
        p.set_command_log_days(400).unwrap();
        assert_eq!(p.command_log_days(), 400);
        assert_eq!(p.retention, SignalRetention::default());
    }

    #[test]
    fn bands() {
        let t = Thresholds::default();
        let cases = [
            (-20.0, RxBand::Good),
            (-27.0, RxBand::Good),
            (-27.01, RxBand::Warning),
            (-29.0, RxBand::Warning),
            (-29.01, RxBand::Critical),
            (-8.0, RxBand::Good),
            (-7.99, RxBand::Critical),
            (-40.0, RxBand::Critical),
        ];
        for (rx, band) in cases {
            assert_eq!(t.band(rx), band, "{rx}");
        }
    }

    #[test]
    fn assessments() {
        let t = Thresholds::default();
        // (state, rx, open alert, expected)
        let cases: &[(OnuState, Option<f64>, Option<AlertLevel>, Assessment)] = &[
            (Online, Some(-20.0), None, Assessment::Healthy),
            (Online, Some(-27.5), None, Assessment::Alert(Warning)),
            (Online, Some(-29.5), None, Assessment::Alert(Critical)),
            (Online, Some(-7.0), None, Assessment::Alert(Critical)),
            (Online, None, None, Assessment::Unknown),
            (Online, Some(f64::NAN), Some(Warning), Assessment::Unknown),
            (OnuState::Los, None, None, Assessment::Alert(Los)),
            (OnuState::Los, Some(-20.0), Some(Warning), Assessment::Alert(Los)),
            (Offline, None, Some(Critical), Assessment::Unknown),
            (DyingGasp, None, None, Assessment::Unknown),
            (OnuState::Other, Some(-30.0), None, Assessment::Unknown),
            // Hysteresis: a warning stays until -26.5, then clears.
            (Online, Some(-26.8), Some(Warning), Assessment::Alert(Warning)),
            (Online, Some(-26.5), Some(Warning), Assessment::Healthy),
            (Online, Some(-26.8), None, Assessment::Healthy),
            // A critical steps down to warning only past -28.5 ...
            (Online, Some(-28.8), Some(Critical), Assessment::Alert(Critical)),
            (Online, Some(-28.4), Some(Critical), Assessment::Alert(Warning)),
            // ... and clears straight away past -26.5.
            (Online, Some(-20.0), Some(Critical), Assessment::Healthy),
            // Overload steps down below -8.5.
            (Online, Some(-8.2), Some(Critical), Assessment::Alert(Critical)),
            (Online, Some(-8.6), Some(Critical), Assessment::Healthy),
            // Stepping up is immediate.
            (Online, Some(-29.1), Some(Warning), Assessment::Alert(Critical)),
            // A LOS that ends judges the reading as it is.
            (Online, Some(-26.8), Some(Los), Assessment::Healthy),
            (Online, Some(-27.2), Some(Los), Assessment::Alert(Warning)),
        ];
        for &(state, rx, open, want) in cases {
            assert_eq!(assess(state, rx, &t, open), want, "{state} {rx:?} open {open:?}");
        }
    }

    #[test]
    fn changes() {
        let cases = [
            (None, Assessment::Unknown, AlertChange::None),
            (None, Assessment::Healthy, AlertChange::None),
            (None, Assessment::Alert(Warning), AlertChange::Raise(Warning)),
            (Some(Warning), Assessment::Unknown, AlertChange::None),
            (Some(Warning), Assessment::Alert(Warning), AlertChange::None),
            (Some(Warning), Assessment::Alert(Critical), AlertChange::Change { from: Warning, to: Critical }),
            (Some(Los), Assessment::Alert(Warning), AlertChange::Change { from: Los, to: Warning }),
            (Some(Critical), Assessment::Healthy, AlertChange::Clear(Critical)),
        ];
        for (open, now, want) in cases {
            assert_eq!(alert_change(open, now), want, "{open:?} {now:?}");
        }
    }

    #[test]
    fn levels_round_trip_and_rank() {
        for l in AlertLevel::ALL {
            assert_eq!(l.as_str().parse(), Ok(l));
        }
        assert!(Warning < Critical && Critical < Los);
    }

    #[test]
    fn notices() {
        let mut e = OnuAlertEvent {
            olt: OltId(1),
            olt_name: "olt-north".into(),
            onu: OnuId(9),
            serial: "HWTC0B086EA9".into(),
            port: "0/1/0".into(),
            onu_index: 12,
            service: None,
            change: AlertChange::Raise(Critical),
            rx: Some(-29.4),
        };
        let n = e.notice(Some("ana (Ana Silva)"));
        assert_eq!(n.title, "ONU critical signal: ana (Ana Silva) (HWTC0B086EA9)");
        assert_eq!(n.body, "olt-north 0/1/0:12, Rx -29.40 dBm");
        e.change = AlertChange::Clear(Los);
        e.rx = None;
        let n = e.notice(None);
        assert_eq!(n.title, "ONU recovered: HWTC0B086EA9");
        assert_eq!(n.body, "olt-north 0/1/0:12");
    }
}

//! The operator's preferences and their limits.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Which colour scheme the console uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow the operating system's light or dark setting.
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Theme {
    type Err = SettingsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| SettingsError::Theme(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("the sweep interval must be between {min} and {max} seconds, not {0}", min = Settings::SWEEP_MIN_SECS, max = Settings::SWEEP_MAX_SECS)]
    SweepInterval(u64),
    #[error("unknown theme {0:?}: use system, light or dark")]
    Theme(String),
}

/// Preferences kept between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    sweep_interval: Duration,
    pub notifications: bool,
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sweep_interval: Duration::from_secs(Self::SWEEP_DEFAULT_SECS),
            notifications: true,
            theme: Theme::System,
        }
    }
}

impl Settings {
    pub const SWEEP_DEFAULT_SECS: u64 = 15;
    /// Faster than this, sweeps of a large network overlap.
    pub const SWEEP_MIN_SECS: u64 = 5;
    /// Slower than this, a missed change waits too long to be corrected.
    pub const SWEEP_MAX_SECS: u64 = 3600;

    pub fn sweep_interval(&self) -> Duration {
        self.sweep_interval
    }

    pub fn set_sweep_interval_secs(&mut self, secs: u64) -> Result<(), SettingsError> {
        if !(Self::SWEEP_MIN_SECS..=Self::SWEEP_MAX_SECS).contains(&secs) {
            return Err(SettingsError::SweepInterval(secs));
        }
        self.sweep_interval = Duration::from_secs(secs);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_fifteen_seconds_notifications_on_system_theme() {
        let s = Settings::default();
        assert_eq!(s.sweep_interval(), Duration::from_secs(15));
        assert!(s.notifications);
        assert_eq!(s.theme, Theme::System);
    }

    #[test]
    fn sweep_interval_is_bounded() {
        let mut s = Settings::default();
        assert_eq!(s.set_sweep_interval_secs(4), Err(SettingsError::SweepInterval(4)));
        assert_eq!(s.set_sweep_interval_secs(3601), Err(SettingsError::SweepInterval(3601)));
        assert_eq!(s.sweep_interval(), Duration::from_secs(15));
        s.set_sweep_interval_secs(60).unwrap();
        assert_eq!(s.sweep_interval(), Duration::from_secs(60));
    }

    #[test]
    fn themes_round_trip() {
        for t in Theme::ALL {
            assert_eq!(t.as_str().parse(), Ok(t));
        }
        assert_eq!("blue".parse::<Theme>(), Err(SettingsError::Theme("blue".into())));
    }
}

//! Where "now" comes from.
//!
//! This crate's functions never ask: time is passed in. The trait lives
//! here, beside the domain, so that every edge (the store's timestamps, the
//! engines' schedules, the shells) shares one injectable clock, and a test
//! moves time for all of them at once. [`SystemClock`] is the only
//! implementation that reads the operating system's clock.

use std::sync::{Arc, Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};

/// A source of the current instant.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that moves only when told: tests set it to cross a backoff or a
/// midnight without waiting. Clones share one instant.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn at(start: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn set(&self, to: Timestamp) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    /// Moves the clock by `by`; an instant past jiff's range stays where it
    /// was.
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_its_clones_follow() {
        let start: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let clock = ManualClock::at(start);
        let shared = clock.clone();
        assert_eq!(shared.now(), start);
        clock.advance(SignedDuration::from_secs(90));
        assert_eq!(shared.now(), "2026-11-25T12:01:30Z".parse().unwrap());
        clock.set(start);
        assert_eq!(shared.now(), start);
    }
}

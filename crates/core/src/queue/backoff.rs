//! When a failed action is tried again: exponential backoff with jitter,
//! capped, so a broken router or OLT is not hammered and many failures do
//! not retry in lockstep.

use jiff::{SignedDuration, Timestamp};

/// The first retry waits about this long.
pub const FIRST_DELAY: SignedDuration = SignedDuration::from_secs(15);
/// No retry waits longer than this.
pub const MAX_DELAY: SignedDuration = SignedDuration::from_secs(3600);

/// The delay before attempt `attempts + 1`, for `attempts >= 1` failures so
/// far: 15 s, 30 s, 60 s … up to an hour, scaled by `jitter` in
/// `[0.5, 1.0]` (pass a random number in `[0, 1)`; the caller owns the
/// randomness so this stays a plain function).
pub fn delay(attempts: u32, jitter: f64) -> SignedDuration {
    let doublings = attempts.saturating_sub(1).min(16);
    let base = FIRST_DELAY.as_secs().saturating_mul(1_i64 << doublings).min(MAX_DELAY.as_secs());
    let jitter = if jitter.is_nan() { 0.0 } else { jitter.clamp(0.0, 1.0) };
    let scale = 0.5 + 0.5 * jitter;
    // Whole milliseconds: the product is at most an hour, far inside f64's
    // exact integers.
    #[allow(clippy::cast_possible_truncation)]
    let millis = (base as f64 * 1000.0 * scale) as i64;
    SignedDuration::from_millis(millis)
}

/// The instant of the next attempt.
pub fn next_attempt(attempts: u32, now: Timestamp, jitter: f64) -> Timestamp {
    now.checked_add(delay(attempts, jitter)).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_fifteen_seconds_to_an_hour() {
        let full: Vec<i64> = (1..=10).map(|a| delay(a, 1.0).as_secs()).collect();
        assert_eq!(full, [15, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(delay(u32::MAX, 1.0), MAX_DELAY);
    }

    #[test]
    fn jitter_spreads_between_half_and_full() {
        assert_eq!(delay(1, 0.0).as_millis(), 7_500);
        assert_eq!(delay(1, 0.5).as_millis(), 11_250);
        assert_eq!(delay(1, 7.0), delay(1, 1.0));
        assert_eq!(delay(1, f64::NAN).as_millis(), 7_500);
    }
}

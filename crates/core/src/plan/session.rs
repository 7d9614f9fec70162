//! How a plan's sessions are held, beyond their rate: how long one may
//! last, how long it may sit idle, and which address pool it draws from.
//! On an API router they are the plan's PPP profile's `session-timeout`,
//! `idle-timeout` and `remote-address`; in FreeRADIUS, the plan group's
//! `Session-Timeout`, `Idle-Timeout` and `Framed-Pool`. Each is optional:
//! none means the router's default (no limit, the profile's or the PPPoE
//! server's pool).

use std::fmt;
use std::str::FromStr;

/// A session limit in whole seconds, from one second to a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timeout(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a time limit: write it like RouterOS, such as 1d, 12h, 30m, 1h30m or 90s (at most 365d)")]
pub struct TimeoutError(pub String);

impl Timeout {
    /// A year: longer is a typo for "no limit".
    pub const MAX_SECONDS: u32 = 365 * 86_400;

    pub fn from_seconds(seconds: u32) -> Option<Self> {
        (1..=Self::MAX_SECONDS).contains(&seconds).then_some(Timeout(seconds))
    }

    pub fn seconds(self) -> u32 {
        self.0
    }
}

const UNITS: [(char, u32); 5] = [('w', 604_800), ('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// RouterOS's notation: units `w d h m s` in that order (`1d12h`), plain
/// seconds (`3600`), or a clock (`01:30:00`, as RouterOS 6 prints it).
impl FromStr for Timeout {
    type Err = TimeoutError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TimeoutError(s.to_owned());
        let text = s.trim();
        let seconds: u64 = if text.contains(':') {
            let parts: Vec<&str> = text.split(':').collect();
            let [h, m, sec] = parts.as_slice() else { return Err(err()) };
            let number = |p: &str| -> Result<u64, TimeoutError> {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                p.parse().map_err(|_| err())
            };
            let (h, m, sec) = (number(h)?, number(m)?, number(sec)?);
            if m >= 60 || sec >= 60 {
                return Err(err());
            }
            h * 3_600 + m * 60 + sec
        } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse().map_err(|_| err())?
        } else {
            let mut total: u64 = 0;
            let mut digits = String::new();
            let mut next_unit = 0;
            for c in text.chars() {
                if c.is_ascii_digit() {
                    digits.push(c);
                    continue;
                }
                let at = UNITS.iter().position(|(u, _)| *u == c).filter(|at| *at >= next_unit).ok_or_else(err)?;
                if digits.is_empty() || digits.len() > 9 {
                    return Err(err());
                }
                let n: u64 = digits.parse().map_err(|_| err())?;
                total += n * u64::from(UNITS[at].1);
                digits.clear();
                next_unit = at + 1;
            }
            if !digits.is_empty() || next_unit == 0 {
                return Err(err());
            }
            total
        };
        u32::try_from(seconds).ok().and_then(Timeout::from_seconds).ok_or_else(err)
    }
}

/// The shortest RouterOS notation in days, hours, minutes and seconds
/// (`1d12h`), the form a profile prints.
impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut left = self.0;
        for (unit, size) in &UNITS[1..] {
            if left >= *size {
                write!(f, "{}{unit}", left / size)?;
                left %= size;
            }
        }
        Ok(())
    }
}

/// The name of an IP pool on the routers (`/ip pool`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a pool name: use up to 63 letters, digits, dots, dashes and underscores, as in /ip pool, such as \
     pool-home"
)]
pub struct PoolNameError(pub String);

impl PoolName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name safe in any RouterOS menu and in a RADIUS attribute.
impl FromStr for PoolName {
    type Err = PoolNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= 63
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok { Ok(PoolName(s.to_owned())) } else { Err(PoolNameError(s.to_owned())) }
    }
}

impl fmt::Display for PoolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A plan's session limits and pool; all `None` by default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SessionLimits {
    /// The longest a session lasts; the router then ends it and the
    /// customer's equipment dials again.
    pub session_timeout: Option<Timeout>,
    /// How long a session may pass no traffic before the router ends it.
    pub idle_timeout: Option<Timeout>,
    /// Where the customer's address comes from.
    pub address_pool: Option<PoolName>,
}

impl SessionLimits {
    pub fn is_empty(&self) -> bool {
        *self == SessionLimits::default()
    }
}

/// `session-timeout 1d, idle-timeout 30m, pool pool-home`, or empty.
impl fmt::Display for SessionLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(t) = self.session_timeout {
            parts.push(format!("session-timeout {t}"));
        }
        if let Some(t) = self.idle_timeout {
            parts.push(format!("idle-timeout {t}"));
        }
        if let Some(p) = &self.address_pool {
            parts.push(format!("pool {p}"));
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Result<u32, TimeoutError> {
        text.parse::<Timeout>().map(Timeout::seconds)
    }

    #[test]
    fn timeouts_read_routeros_notation() {
        assert_eq!(secs("1d"), Ok(86_400));
        assert_eq!(secs("1h30m"), Ok(5_400));
        assert_eq!(secs("1w2d"), Ok(9 * 86_400));
        assert_eq!(secs("90s"), Ok(90));
        assert_eq!(secs("3600"), Ok(3_600));
        assert_eq!(secs("01:30:00"), Ok(5_400));
        assert_eq!(secs(" 30m "), Ok(1_800));
        for bad in ["", "0", "0s", "1x", "m", "30m1h", "1h1h", "1d1", "366d", "1:60:00", "1::", "-5m", "99999999999s"] {
            assert!(bad.parse::<Timeout>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn timeouts_print_shortest_and_round_trip() {
        for (seconds, text) in [(86_400, "1d"), (5_400, "1h30m"), (90, "1m30s"), (9 * 86_400, "9d"), (1, "1s")] {
            let t = Timeout::from_seconds(seconds).unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(text.parse::<Timeout>(), Ok(t));
        }
    }

    #[test]
    fn pool_names_are_routeros_safe() {
        assert_eq!("pool-home_1.a".parse::<PoolName>().unwrap().as_str(), "pool-home_1.a");
        for bad in ["", "two words", "p\"q", "x;y", &"p".repeat(64)] {
            assert!(bad.parse::<PoolName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limits_describe_only_what_is_set() {
        assert_eq!(SessionLimits::default().to_string(), "");
        assert!(SessionLimits::default().is_empty());
        let limits = SessionLimits {
            session_timeout: Timeout::from_seconds(86_400),
            idle_timeout: None,
            address_pool: "pool-home".parse().ok(),
        };
        assert_eq!(limits.to_string(), "session-timeout 1d, pool pool-home");
    }
}

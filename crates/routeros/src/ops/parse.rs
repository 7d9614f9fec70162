//! Reading typed values out of [`Attributes`].

use std::time::Duration;

use crate::client::ClientError;
use crate::{Attributes, Value};

use super::ItemId;

pub(crate) fn id(attrs: &Attributes) -> Result<ItemId, ClientError> {
    attrs.get(".id").cloned().map(ItemId::new).ok_or_else(|| ClientError::UnexpectedReply("an item without .id".into()))
}

pub(crate) fn value(attrs: &Attributes, name: &str) -> Option<Value> {
    attrs.get(name).cloned()
}

/// A property that is absent or empty is `None`.
pub(crate) fn non_empty(attrs: &Attributes, name: &str) -> Option<Value> {
    attrs.get(name).filter(|v| !v.is_empty()).cloned()
}

pub(crate) fn text(attrs: &Attributes, name: &str) -> Value {
    attrs.get(name).cloned().unwrap_or_default()
}

/// `true`/`yes` are true; anything else, or absence, is false.
pub(crate) fn flag(attrs: &Attributes, name: &str) -> bool {
    matches!(attrs.get(name).map(Value::as_bytes), Some(b"true" | b"yes"))
}

pub(crate) fn number<T: std::str::FromStr>(attrs: &Attributes, name: &str) -> Option<T> {
    attrs.get_str(name)?.trim().parse().ok()
}

pub(crate) fn duration(attrs: &Attributes, name: &str) -> Option<Duration> {
    parse_duration(attrs.get_str(name)?)
}

/// A RouterOS duration: `1w2d3h4m5s`, `150ms`, `3d02:04:05`, `02:04:05`
/// (with optional fractions of a second). `None` for anything else.
#[must_use]
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    // Leading units (`1w2d` before a clock, or the whole thing).
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        if after.starts_with(':') {
            break; // a clock follows: hh:mm:ss
        }
        let unit_len = after.find(|c: char| c.is_ascii_digit()).unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let secs = match unit {
            "w" => 604_800.0,
            "d" => 86_400.0,
            "h" => 3_600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" => 0.000_001,
            _ => return None,
        };
        let n: f64 = number.parse().ok()?;
        total = total.checked_add(Duration::try_from_secs_f64(n * secs).ok()?)?;
        rest = next;
    }
    if !rest.is_empty() {
        let mut parts = rest.split(':');
        let h: u64 = parts.next()?.parse().ok()?;
        let m: u64 = parts.next()?.parse().ok()?;
        let s: f64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || m > 59 || s >= 60.0 {
            return None;
        }
        let clock = Duration::from_secs(h.checked_mul(3600)?.checked_add(m * 60)?)
            .checked_add(Duration::try_from_secs_f64(s).ok()?)?;
        total = total.checked_add(clock)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let s = Duration::from_secs;
        assert_eq!(parse_duration("0s"), Some(s(0)));
        assert_eq!(parse_duration("1m5s"), Some(s(65)));
        assert_eq!(parse_duration("1w2d3h4m5s"), Some(s(604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5)));
        assert_eq!(parse_duration("150ms"), Some(Duration::from_millis(150)));
        assert_eq!(parse_duration("02:04:05"), Some(s(2 * 3600 + 4 * 60 + 5)));
        assert_eq!(parse_duration("3d02:04:05"), Some(s(3 * 86_400 + 2 * 3600 + 4 * 60 + 5)));
        for bad in ["", "x", "5", "1y", "1:2", "00:61:00", "1h:"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}

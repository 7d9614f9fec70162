//! The `--faults` SPEC of `headend simulate`: comma-separated faults, each
//! a name or `name=value`.
//!
//! | item | meaning |
//! |---|---|
//! | `latency=20ms` (or `1s`, `1.5s`) | wait this long before each batch of replies |
//! | `trap-every=10` | refuse every 10th write with `!trap` |
//! | `refuse` | accept connections and close them at once |
//! | `stall` | after login, read commands and answer nothing |
//! | `close-mid-reply` | after login, send half of the next replies and hang up |
//!
//! `none` (or an empty SPEC) is no fault. Each fault may appear once.

use std::time::Duration;

use headend_simlab::Faults;

/// What is wrong with a SPEC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultSpecError {
    #[error("unknown fault {0:?}; known: latency=DURATION, trap-every=N, refuse, stall, close-mid-reply (or none)")]
    Unknown(String),
    #[error("an empty item in the fault list (two commas in a row, or one at an end?)")]
    Empty,
    #[error("{0} takes no value: write just `{0}`")]
    NoValueExpected(&'static str),
    #[error("{0} needs a value, such as {0}={1}")]
    ValueExpected(&'static str, &'static str),
    #[error("latency {0:?} is not a duration: write it like 20ms, 2s or 1.5s")]
    Duration(String),
    #[error("trap-every {0:?} is not a whole number of writes from 1 up")]
    Count(String),
    #[error("{0} is given twice")]
    Twice(&'static str),
}

/// Parses a SPEC (see the module documentation).
pub fn parse(spec: &str) -> Result<Faults, FaultSpecError> {
    let mut faults = Faults::default();
    let spec = spec.trim();
    if spec.is_empty() || spec == "none" {
        return Ok(faults);
    }
    let mut seen: Vec<&'static str> = Vec::new();
    for item in spec.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(FaultSpecError::Empty);
        }
        let (name, value) = match item.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim())),
            None => (item, None),
        };
        let key: &'static str = match name {
            "latency" => {
                let value = value.ok_or(FaultSpecError::ValueExpected("latency", "20ms"))?;
                faults.latency = duration(value)?;
                "latency"
            }
            "trap-every" => {
                let value = value.ok_or(FaultSpecError::ValueExpected("trap-every", "10"))?;
                let n = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| FaultSpecError::Count(value.to_owned()))?;
                faults.trap_every_nth_write = Some(n);
                "trap-every"
            }
            "refuse" => flag("refuse", value, &mut faults.refuse_connections)?,
            "stall" => flag("stall", value, &mut faults.stall)?,
            "close-mid-reply" => flag("close-mid-reply", value, &mut faults.close_mid_reply)?,
            other => return Err(FaultSpecError::Unknown(other.to_owned())),
        };
        if seen.contains(&key) {
            return Err(FaultSpecError::Twice(key));
        }
        seen.push(key);
    }
    Ok(faults)
}

fn flag(name: &'static str, value: Option<&str>, field: &mut bool) -> Result<&'static str, FaultSpecError> {
    if value.is_some() {
        return Err(FaultSpecError::NoValueExpected(name));
    }
    *field = true;
    Ok(name)
}

/// `20ms`, `2s`, `1.5s`: a unit is required (is `20` milliseconds or seconds?).
fn duration(text: &str) -> Result<Duration, FaultSpecError> {
    let bad = || FaultSpecError::Duration(text.to_owned());
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(bad());
    };
    let number: f64 = number.trim().parse().map_err(|_| bad())?;
    // Up to an hour: more is a typo, not a latency.
    if !number.is_finite() || number < 0.0 || number * scale > 3_600.0 {
        return Err(bad());
    }
    Duration::try_from_secs_f64(number * scale).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_parses() {
        let faults = parse("latency=20ms, trap-every=10,refuse,stall,close-mid-reply").unwrap_or_default();
        assert_eq!(faults.latency, Duration::from_millis(20));
        assert_eq!(faults.trap_every_nth_write, Some(10));
        assert!(faults.refuse_connections && faults.stall && faults.close_mid_reply, "{faults:?}");
        assert_eq!(parse("latency=1.5s").map(|f| f.latency), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("latency=0ms").map(|f| f.latency), Ok(Duration::ZERO));
        assert_eq!(parse(""), Ok(Faults::default()));
        assert_eq!(parse("none"), Ok(Faults::default()));
    }

    #[test]
    fn mistakes_are_named() {
        use FaultSpecError as E;
        assert_eq!(parse("latncy=20ms"), Err(E::Unknown("latncy".into())));
        assert_eq!(parse("latency=20"), Err(E::Duration("20".into())));
        assert_eq!(parse("latency=fast"), Err(E::Duration("fast".into())));
        assert_eq!(parse("latency=-5ms"), Err(E::Duration("-5ms".into())));
        assert_eq!(parse("latency=2h"), Err(E::Duration("2h".into())));
        assert_eq!(parse("latency"), Err(E::ValueExpected("latency", "20ms")));
        assert_eq!(parse("trap-every=0"), Err(E::Count("0".into())));
        assert_eq!(parse("trap-every=x"), Err(E::Count("x".into())));
        assert_eq!(parse("stall=yes"), Err(E::NoValueExpected("stall")));
        assert_eq!(parse("stall,,refuse"), Err(E::Empty));
        assert_eq!(parse("stall,"), Err(E::Empty));
        assert_eq!(parse("stall,stall"), Err(E::Twice("stall")));
        assert_eq!(
            parse("bogus").map_err(|e| e.to_string()),
            Err("unknown fault \"bogus\"; known: latency=DURATION, trap-every=N, refuse, stall, close-mid-reply (or none)".into())
        );
    }
}

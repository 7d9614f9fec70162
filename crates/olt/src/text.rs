//! Reading helpers every vendor parser shares: numbers with units, `-` and
//! `N/A` for "no value", key/value lines, table rules, OLT dates, interface
//! names, and telling an error reply from an answer.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

use crate::error::ParseError;
use crate::types::{Celsius, Dbm, DeviceTime, MilliAmps, OpticalReading, PonPort, RunState, Volts};

/// `-----`, `=====`, `------- ------` (a rule, possibly broken).
pub(crate) fn is_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '=' | ' ' | '+'))
}

/// A line a row parser does not need (a summary such as VSOL's `pon: 1
/// total: 57 working: 52`, a banner, a command echo): skipped, not a
/// reason to refuse a reply whose rows read fine, and said at debug level
/// so a list shorter than expected can be explained.
pub(crate) fn skipped(what: &'static str, line: usize, text: &str) {
    tracing::debug!(reply = what, line, text = %crate::log::redact_reply(text), "skipped a line the parser does not need");
}

/// The OLT's ways of saying "no value".
pub(crate) fn is_blank_value(v: &str) -> bool {
    let v = v.trim();
    v.is_empty()
        || v.chars().all(|c| c == '-')
        || v.eq_ignore_ascii_case("n/a")
        || v.eq_ignore_ascii_case("na")
        || v.eq_ignore_ascii_case("none")
        || v == "-/-"
}

/// The first number in `v` (`-16.676(dbm)`, `3.30(V)`, `-23.54, out of
/// range[...]`, `3703m`); `Ok(None)` for the blank values; an error when
/// there is something else.
pub(crate) fn number(what: &'static str, v: &str) -> Result<Option<f64>, ParseError> {
    let v = v.trim();
    if is_blank_value(v) {
        return Ok(None);
    }
    let start =
        v.char_indices().find(|(_, c)| c.is_ascii_digit() || *c == '-' || *c == '+' || *c == '.').map(|(i, _)| i);
    let Some(start) = start else {
        return Err(ParseError::new(what, format!("{v:?} is not a number")));
    };
    // Only a unit or a note may come before the number: `Rx :-20.2` has been
    // split already, so anything but spaces before it means it is not ours.
    if !v.get(..start).is_some_and(|p| p.trim().is_empty()) {
        return Err(ParseError::new(what, format!("{v:?} is not a number")));
    }
    let rest = v.get(start..).unwrap_or("");
    let end =
        rest.char_indices().skip(1).find(|(_, c)| !(c.is_ascii_digit() || *c == '.')).map_or(rest.len(), |(i, _)| i);
    let text = rest.get(..end).unwrap_or("");
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => {
            if text == "-" {
                Ok(None)
            } else {
                Err(ParseError::new(what, format!("{v:?} is not a number")))
            }
        }
    }
}

pub(crate) fn dbm(what: &'static str, v: &str) -> Result<Option<Dbm>, ParseError> {
    Ok(number(what, v)?.map(Dbm))
}

/// `key : value` lines as (1-based line number, key, value). The key is
/// the text before the first `:`, collapsed and lower-cased.
pub(crate) fn key_values(reply: &str) -> Vec<(usize, String, String)> {
    reply
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (k, v) = line.split_once(':')?;
            let key = k.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
            (!key.is_empty()).then(|| (i + 1, key, v.trim().to_owned()))
        })
        .collect()
}

/// A date and time as OLTs print them: `2024-03-12 02:33:42-04:00`,
/// `2000-01-01 00:00:00+00:00`, `2022-09-05 14:04:42`, `1/1/2000 00:00:00`
/// (day/month/year on the Huawei that printed it; month/day is ambiguous
/// and taken as day/month). `0000-00-00 00:00:00` and `-` are `None`, as is
/// any date or clock that does not read; an offset after a clock that
/// reads but is not one (`+99999999:00`) is an error.
pub(crate) fn device_time(what: &'static str, date: &str, time: &str) -> Result<Option<DeviceTime>, ParseError> {
    let Some(date) = parse_date(date.trim()) else {
        return Ok(None);
    };
    let (clock, offset) = split_offset(time.trim());
    let Some(t) = parse_clock(clock) else {
        return Ok(None);
    };
    let offset = offset.map(|o| parse_offset(what, o)).transpose()?;
    Ok(Some(DeviceTime { civil: DateTime::from_parts(date, t), offset }))
}

/// `date time` in one string, or `-`.
pub(crate) fn device_time_joined(what: &'static str, s: &str) -> Result<Option<DeviceTime>, ParseError> {
    let mut it = s.split_whitespace();
    match (it.next(), it.next()) {
        (Some(d), Some(t)) => device_time(what, d, t),
        _ => Ok(None),
    }
}

fn parse_clock(clock: &str) -> Option<Time> {
    let mut parts = clock.split(':');
    let h: i8 = parts.next()?.parse().ok()?;
    let m: i8 = parts.next()?.parse().ok()?;
    let s: i8 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Time::new(h, m, s, 0).ok()
}

fn parse_date(s: &str) -> Option<Date> {
    if let Some((y, rest)) = s.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
    }
    let mut it = s.split('/');
    let a: i8 = it.next()?.parse().ok()?;
    let b: i8 = it.next()?.parse().ok()?;
    let y: i16 = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    Date::new(y, b, a).ok().or_else(|| Date::new(y, a, b).ok())
}

fn split_offset(t: &str) -> (&str, Option<&str>) {
    // `02:33:42-04:00` / `02:33:42+08:00` / `02:33:42Z`.
    if let Some(i) = t.rfind(['+', '-'])
        && i > 0
    {
        return (t.get(..i).unwrap_or(t), t.get(i..));
    }
    if let Some(c) = t.strip_suffix('Z') {
        return (c, Some("+00:00"));
    }
    (t, None)
}

/// `+hh:mm`, `-hh:mm`, `+hhmm` or `+hh`. The numbers come from the OLT, so
/// the arithmetic is checked: a huge hour count is an error, not an
/// overflow.
fn parse_offset(what: &'static str, o: &str) -> Result<Offset, ParseError> {
    let bad = || ParseError::new(what, format!("{o:?} is not a UTC offset"));
    let body = o.get(1..).ok_or_else(bad)?;
    let (h, m) = match body.split_once(':') {
        Some(hm) => hm,
        None if body.len() == 4 && body.bytes().all(|b| b.is_ascii_digit()) => body.split_at(2),
        None => (body, "0"),
    };
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    let secs = h.checked_mul(3600).zip(m.checked_mul(60)).and_then(|(h, m)| h.checked_add(m)).ok_or_else(bad)?;
    let secs = if o.starts_with('-') { secs.checked_neg().ok_or_else(bad)? } else { secs };
    Offset::from_seconds(secs).map_err(|_| bad())
}

/// An interface name as ZTE and VSOL print it, reduced to its numbers:
/// `gpon-onu_1/1/1:5`, `gpon_onu-1/1/1:5`, `gpon-olt_1/2/1`,
/// `gpon_olt-1/1/5`, `GPON0/1:1`, `1/2/1:4`, `0/1:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IfName {
    pub nums: Vec<u16>,
    pub onu: Option<u32>,
}

pub(crate) fn if_name(token: &str) -> Option<IfName> {
    let lower = token.trim().to_ascii_lowercase();
    let body = ["gpon-onu_", "gpon_onu-", "gpon-olt_", "gpon_olt-", "gpon", "pon_", "pon"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    let (path, onu) = match body.split_once(':') {
        Some((p, o)) => (p, Some(o.parse::<u32>().ok()?)),
        None => (body, None),
    };
    let nums = path.split('/').map(|n| n.parse::<u16>().ok()).collect::<Option<Vec<u16>>>()?;
    if !(2..=3).contains(&nums.len()) {
        return None;
    }
    Some(IfName { nums, onu })
}

impl IfName {
    /// ZTE numbering: `shelf/slot/port` (three numbers).
    pub fn zte_port(&self) -> Option<PonPort> {
        match self.nums.as_slice() {
            [a, b, c] => Some(PonPort::new(*a, *b, *c)),
            _ => None,
        }
    }

    /// VSOL numbering: the port is the last number (`GPON0/1`, `1/1/1`).
    pub fn vsol_port(&self) -> Option<PonPort> {
        self.nums.last().map(|p| PonPort::vsol(*p))
    }
}

/// A phase or run state word, from any vendor.
pub(crate) fn run_state(word: &str) -> RunState {
    let w: String = word.trim().chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    match w.as_str() {
        "working" | "online" | "up" => RunState::Online,
        "los" | "losi" | "lobi" => RunState::Los,
        "dyinggasp" => RunState::DyingGasp,
        "offline" | "down" => RunState::Offline,
        _ => RunState::Other(word.trim().to_owned()),
    }
}

/// If the reply is the OLT saying no, its message. The prefixes are those
/// of Huawei (`Failure:`, `% Unknown command`, `% Parameter error`), ZTE
/// (`%Code 32310-GPONSRV : ...`, `%Error 20203: ...`, `% Invalid input`)
/// and VSOL (`% Unknown command.`, `Error: ...`).
pub fn refusal(reply: &str) -> Option<String> {
    for line in reply.lines() {
        let t = line.trim();
        let lower = t.to_ascii_lowercase();
        let refused = lower.starts_with("failure:")
            || lower.starts_with("failure ")
            || lower.starts_with("error:")
            || lower.starts_with("error ")
            || lower.starts_with("%error")
            || lower.starts_with("%code")
            || lower.starts_with("% ")
            || lower.contains("unknown command")
            || lower.contains("invalid input")
            || lower.contains("incomplete command")
            || lower.contains("parameter error")
            || lower.contains("too many parameters");
        if refused {
            return Some(t.trim_start_matches('%').trim().to_owned());
        }
    }
    None
}

/// `%Code 32310-GPONSRV : No related information to show.` and friends: an
/// empty list, not an error.
pub(crate) fn says_nothing_to_show(reply: &str) -> bool {
    let lower = reply.to_ascii_lowercase();
    lower.contains("no related information") || lower.contains("there is no") || lower.contains("do not exist")
}

/// The optical-level block ZTE (`show gpon remote-onu interface pon`) and
/// VSOL (`show onu N optical_info`) print: `Rx optical level`, `Tx optical
/// level`, `Power feed voltage`, `Laser bias current`, `Temperature`, as
/// `key: value` or (some VSOL firmware) the key and the value on two lines.
/// An ONU that is not up prints `N/A` and zeros: those are `None`.
pub(crate) fn optical_levels(what: &'static str, reply: &str) -> Result<OpticalReading, ParseError> {
    let mut pairs: Vec<(usize, String, String)> = Vec::new();
    let lines: Vec<&str> = reply.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines.get(i).copied().unwrap_or("");
        if let Some((k, v)) = line.split_once(':') {
            let key = k.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
            let mut value = v.trim().to_owned();
            if value.is_empty() {
                // The split layout: the value is the next line.
                if let Some(next) = lines.get(i + 1)
                    && !next.contains(':')
                {
                    value = next.trim().to_owned();
                    i += 1;
                }
            }
            pairs.push((i + 1, key, value));
        }
        i += 1;
    }
    let find = |names: &[&str]| {
        pairs
            .iter()
            .find(|(_, k, _)| {
                let k = k.replace("(onu)", "");
                let k = k.trim();
                names.contains(&k)
            })
            .map(|(l, _, v)| (*l, v.as_str()))
    };
    let num = |names: &[&str]| -> Result<Option<f64>, ParseError> {
        match find(names) {
            Some((line, v)) => number(what, v).map_err(|e| ParseError::at(what, line, e.reason)),
            None => Ok(None),
        }
    };
    let rx_key = find(&["rx optical level", "rx optical power(dbm)", "rx power"]);
    let tx_key = find(&["tx optical level", "tx optical power(dbm)", "tx power"]);
    if rx_key.is_none() && tx_key.is_none() {
        return Err(ParseError::new(what, "no Rx or Tx optical level in the reply"));
    }
    let rx = num(&["rx optical level", "rx optical power(dbm)", "rx power"])?;
    let tx = num(&["tx optical level", "tx optical power(dbm)", "tx power"])?;
    let mut voltage = num(&["power feed voltage", "voltage", "voltage(v)"])?;
    let mut bias = num(&["laser bias current", "bias current"])?;
    let mut temp = num(&["temperature", "temperature(c)"])?;
    if rx.is_none() && tx.is_none() {
        // Not up: the zeros are no reading.
        for v in [&mut voltage, &mut bias, &mut temp] {
            if *v == Some(0.0) {
                *v = None;
            }
        }
    }
    if voltage == Some(0.0) {
        voltage = None;
    }
    Ok(OpticalReading {
        onu_rx: rx.map(Dbm),
        onu_tx: tx.map(Dbm),
        temperature: temp.map(Celsius),
        voltage: voltage.map(Volts),
        bias_current: bias.map(MilliAmps),
        ..OpticalReading::default()
    })
}

/// Columns of a table header separated by two or more blanks, lower-cased:
/// `OnuIndex   Admin State  OMCC State` gives `onuindex`, `admin state`,
/// `omcc state`.
pub(crate) fn header_columns(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_units_and_blanks() {
        assert_eq!(number("t", "-16.676(dbm)"), Ok(Some(-16.676)));
        assert_eq!(number("t", "3.30(V)"), Ok(Some(3.3)));
        assert_eq!(number("t", " -23.54, out of range[-30.00, -11.00]"), Ok(Some(-23.54)));
        assert_eq!(number("t", "3703m"), Ok(Some(3703.0)));
        assert_eq!(number("t", "+2.5"), Ok(Some(2.5)));
        for blank in ["-", "--", "N/A", "n/a", "", "-/-"] {
            assert_eq!(number("t", blank), Ok(None), "{blank}");
        }
        assert!(number("t", "abc").is_err());
        assert!(number("t", "x-1").is_err());
        assert!(number("t", "-.").is_err());
    }

    #[test]
    fn dates_as_olts_print_them() {
        let time = |d: &str, t: &str| device_time("t", d, t).unwrap();
        let compact = time("2024-03-12", "02:33:42+0800").unwrap();
        assert_eq!(compact.timestamp().map(|ts| ts.to_string()), Some("2024-03-11T18:33:42Z".into()));
        let t = time("2024-03-12", "02:33:42-04:00").unwrap();
        assert_eq!(t.civil.to_string(), "2024-03-12T02:33:42");
        assert_eq!(t.timestamp().map(|ts| ts.to_string()), Some("2024-03-12T06:33:42Z".into()));
        assert!(time("2000-01-01", "00:00:00").unwrap().offset.is_none());
        assert_eq!(time("1/1/2000", "00:00:00").unwrap().civil.to_string(), "2000-01-01T00:00:00");
        assert_eq!(time("13/02/2001", "10:00:00").unwrap().civil.to_string(), "2001-02-13T10:00:00");
        assert!(time("0000-00-00", "00:00:00").is_none());
        assert!(time("-", "-").is_none());
        assert!(time("2000-01-01", "25:00:00").is_none());
        assert_eq!(
            device_time_joined("t", "2000-01-01 00:00:00+00:00").unwrap().map(|t| t.offset.is_some()),
            Some(true)
        );
        assert_eq!(device_time_joined("t", "-"), Ok(None));
    }

    #[test]
    fn offsets_out_of_range_are_errors_not_overflows() {
        for time in [
            "14:04:42+99999999:00",
            "14:04:42-2147483647:00",
            "14:04:42+00:99999999",
            "14:04:42+596523:14",
            "14:04:42+26:00",
            "14:04:42+x",
            "14:04:42+",
        ] {
            let err = device_time("t", "2022-09-05", time).unwrap_err();
            assert!(err.reason.ends_with("is not a UTC offset"), "{time}: {err}");
        }
        assert_eq!(
            device_time("t", "2022-09-05", "14:04:42-25:59").unwrap().and_then(|t| t.offset).map(|o| o.seconds()),
            Some(-93540)
        );
    }

    #[test]
    fn interface_names() {
        let n = if_name("gpon-onu_1/1/1:5").unwrap();
        assert_eq!((n.zte_port(), n.onu), (Some(PonPort::new(1, 1, 1)), Some(5)));
        assert_eq!(if_name("gpon_olt-1/2/16").unwrap().zte_port(), Some(PonPort::new(1, 2, 16)));
        assert_eq!(if_name("GPON0/3:7").unwrap().vsol_port(), Some(PonPort::vsol(3)));
        assert_eq!(if_name("1/1/2:1").unwrap().vsol_port(), Some(PonPort::vsol(2)));
        assert!(if_name("OnuIndex").is_none());
        assert!(if_name("1/2/3/4:1").is_none());
        assert!(if_name("gpon-onu_1/1/1:x").is_none());
    }

    #[test]
    fn refusals_of_every_vendor() {
        for (reply, msg) in [
            ("  Failure: SN already exists", "Failure: SN already exists"),
            (
                "%Code 32310-GPONSRV : The ONU is already registered.",
                "Code 32310-GPONSRV : The ONU is already registered.",
            ),
            ("                    ^\n% Invalid input detected at '^' marker.", "Invalid input detected at '^' marker."),
            ("% Unknown command.", "Unknown command."),
            ("  % Unknown command, the error locates at '^'", "Unknown command, the error locates at '^'"),
            ("%Error 20203: Incomplete command.", "Error 20203: Incomplete command."),
            ("Error: this command is not supported", "Error: this command is not supported"),
        ] {
            assert_eq!(refusal(reply).as_deref(), Some(msg), "{reply}");
        }
        assert_eq!(refusal("  Number of ONTs that can be added: 1, success: 1"), None);
        assert_eq!(refusal(""), None);
    }

    #[test]
    fn run_states() {
        assert_eq!(run_state("working"), RunState::Online);
        assert_eq!(run_state("LOS"), RunState::Los);
        assert_eq!(run_state("DyingGasp"), RunState::DyingGasp);
        assert_eq!(run_state("dying_gasp"), RunState::DyingGasp);
        assert_eq!(run_state("OffLine"), RunState::Offline);
        assert_eq!(run_state("syncMib"), RunState::Other("syncMib".into()));
    }
}

//! ZTE replies (C300/C320 ZXAN and C600 TITAN), as the fixtures under
//! `tests/fixtures/zte/` show them. Pure functions of the reply text. Rows
//! are found by their interface name, headers by their column titles, so a
//! firmware that adds a column (`O7 State`, `Channel`, `Speed mode`) or
//! drops a prefix (`gpon-onu_1/1/1:1` or `1/1/1:1`) reads the same. A line
//! that is neither (a summary, a banner) is skipped, not refused.

use crate::error::ParseError;
use crate::text::{
    IfName, dbm, header_columns, if_name, is_blank_value, is_rule, optical_levels, says_nothing_to_show, skipped,
};
use crate::types::{AutofindOnu, Dbm, OnuRef, OpticalReading, RunState, SerialNumber};

/// One row of `show gpon onu state`.
#[derive(Debug, Clone, PartialEq)]
pub struct StateRow {
    pub onu: OnuRef,
    pub admin_enabled: bool,
    pub state: RunState,
}

/// One row of `show gpon onu baseinfo`.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseInfoRow {
    pub onu: OnuRef,
    pub onu_type: Option<String>,
    pub serial: Option<SerialNumber>,
}

fn is_noise(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    t.is_empty() || is_rule(t) || lower.starts_with("onu number") || lower.starts_with("total")
}

/// `show gpon onu uncfg` (C300/C320: `gpon-onu_1/1/1:1  SN  State`) and
/// `show pon onu uncfg` (C600: `gpon_olt-1/1/5  Model  SN  PW`, or
/// `OnuIndex OnuType OnuSn State`). The serial is the first cell after the
/// interface that reads as one. `No related information to show` is none.
pub fn uncfg(reply: &str) -> Result<Vec<AutofindOnu>, ParseError> {
    const WHAT: &str = "zte uncfg";
    if says_nothing_to_show(reply) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut header = false;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if is_noise(t) {
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(name) = tokens.first().and_then(|n| if_name(n)) else {
            let lower = t.to_ascii_lowercase();
            if lower.starts_with("onuindex") || lower.starts_with("oltindex") {
                header = true;
            } else {
                skipped(WHAT, line, t);
            }
            continue;
        };
        let port = name
            .zte_port()
            .ok_or_else(|| ParseError::at(WHAT, line, format!("{:?} is not shelf/slot/port", tokens.first())))?;
        let Some((at, serial)) =
            tokens.iter().enumerate().skip(1).find_map(|(i, s)| SerialNumber::parse(s).ok().map(|sn| (i, sn)))
        else {
            return Err(ParseError::at(WHAT, line, "no serial number in the row"));
        };
        let equipment_id =
            (at == 2).then(|| tokens.get(1).copied()).flatten().filter(|m| !is_blank_value(m)).map(str::to_owned);
        out.push(AutofindOnu {
            port,
            vendor_id: serial.vendor_id().to_owned(),
            serial,
            equipment_id,
            software_version: None,
            found_at: None,
            proposed_id: name.onu,
        });
    }
    if out.is_empty() && !header && reply.lines().any(|l| !is_noise(l.trim())) {
        return Err(ParseError::new(WHAT, "neither rows nor a header"));
    }
    Ok(out)
}

/// `show gpon onu state [gpon-olt_1/1/1]`: index, admin, OMCC, (O7), phase,
/// (channel or speed mode). The phase column is found by its title; with
/// no header the first known phase word in the row is taken.
pub fn onu_state(reply: &str) -> Result<Vec<StateRow>, ParseError> {
    state_rows("zte onu state", reply, IfName::zte_port)
}

pub(crate) fn state_rows(
    what: &'static str,
    reply: &str,
    port_of: impl Fn(&IfName) -> Option<crate::types::PonPort>,
) -> Result<Vec<StateRow>, ParseError> {
    let mut out = Vec::new();
    let mut phase_col: Option<usize> = None;
    let mut admin_col: Option<usize> = None;
    let mut header = false;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if is_noise(t) {
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(name) = tokens.first().and_then(|n| if_name(n)) else {
            if t.to_ascii_lowercase().starts_with("onuindex") {
                let cols = header_columns(t);
                phase_col = cols.iter().position(|c| c.starts_with("phase"));
                admin_col = cols.iter().position(|c| c.starts_with("admin"));
                header = true;
            } else {
                skipped(what, line, t);
            }
            continue;
        };
        let (Some(port), Some(id)) = (port_of(&name), name.onu) else {
            return Err(ParseError::at(what, line, format!("{:?} is not an ONU", tokens.first())));
        };
        let phase = phase_col
            .and_then(|c| tokens.get(c).copied())
            .or_else(|| tokens.iter().skip(1).copied().find(|w| is_phase_word(w)))
            .or_else(|| tokens.get(3).copied())
            .ok_or_else(|| ParseError::at(what, line, "no phase state in the row"))?;
        let admin = admin_col.and_then(|c| tokens.get(c)).or_else(|| tokens.get(1)).copied().unwrap_or("");
        out.push(StateRow {
            onu: OnuRef::new(port, id),
            admin_enabled: admin.eq_ignore_ascii_case("enable"),
            state: crate::text::run_state(phase),
        });
    }
    if out.is_empty() && !header && reply.lines().any(|l| !is_noise(l.trim())) && !says_nothing_to_show(reply) {
        return Err(ParseError::new(what, "neither rows nor a header"));
    }
    Ok(out)
}

fn is_phase_word(w: &str) -> bool {
    matches!(
        w.to_ascii_lowercase().as_str(),
        "working"
            | "los"
            | "dyinggasp"
            | "dying_gasp"
            | "offline"
            | "syncmib"
            | "logging"
            | "authpass"
            | "initial"
            | "standby"
    )
}

/// `show gpon onu baseinfo gpon-olt_1/1/1`: index, type, mode, `SN:...`,
/// (state).
pub fn baseinfo(reply: &str) -> Result<Vec<BaseInfoRow>, ParseError> {
    const WHAT: &str = "zte onu baseinfo";
    let mut out = Vec::new();
    let mut header = false;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if is_noise(t) {
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(name) = tokens.first().and_then(|n| if_name(n)) else {
            if t.to_ascii_lowercase().starts_with("onuindex") {
                header = true;
            } else {
                skipped(WHAT, line, t);
            }
            continue;
        };
        let (Some(port), Some(id)) = (name.zte_port(), name.onu) else {
            return Err(ParseError::at(WHAT, line, format!("{:?} is not an ONU", tokens.first())));
        };
        let serial = tokens.iter().skip(1).find_map(|tok| {
            let s = tok.split_once(':').map_or(*tok, |(_, v)| v);
            SerialNumber::parse(s).ok()
        });
        out.push(BaseInfoRow {
            onu: OnuRef::new(port, id),
            onu_type: tokens.get(1).filter(|v| !is_blank_value(v)).map(|s| (*s).to_owned()),
            serial,
        });
    }
    if out.is_empty() && !header && reply.lines().any(|l| !is_noise(l.trim())) && !says_nothing_to_show(reply) {
        return Err(ParseError::new(WHAT, "neither rows nor a header"));
    }
    Ok(out)
}

/// `show pon power attenuation gpon-onu_1/1/1:1`: the `up` line (OLT Rx,
/// ONU Tx) and the `down` line (OLT Tx, ONU Rx).
pub fn attenuation(reply: &str) -> Result<OpticalReading, ParseError> {
    const WHAT: &str = "zte power attenuation";
    let mut up: Option<(Option<Dbm>, Option<Dbm>)> = None;
    let mut down: Option<(Option<Dbm>, Option<Dbm>)> = None;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        let lower = t.to_ascii_lowercase();
        let dir_up = lower.starts_with("up");
        if !(dir_up || lower.starts_with("down")) {
            continue;
        }
        // `Rx :-20.241(dbm)` / `Tx:2.423(dbm)`: glue the colons.
        let glued = lower.replace(" :", ":").replace(": ", ":");
        let values: Vec<&str> =
            glued.split_whitespace().filter_map(|w| w.strip_prefix("rx:").or_else(|| w.strip_prefix("tx:"))).collect();
        let (Some(a), Some(b)) = (values.first(), values.get(1)) else {
            return Err(ParseError::at(WHAT, line, format!("expected Rx and Tx in {t:?}")));
        };
        let a = dbm(WHAT, a).map_err(|e| ParseError::at(WHAT, line, e.reason))?;
        let b = dbm(WHAT, b).map_err(|e| ParseError::at(WHAT, line, e.reason))?;
        if dir_up {
            up = Some((a, b));
        } else {
            down = Some((a, b));
        }
    }
    let (Some((olt_rx, onu_tx)), Some((olt_tx, onu_rx))) = (up, down) else {
        return Err(ParseError::new(WHAT, "expected an `up` and a `down` line"));
    };
    Ok(OpticalReading { onu_rx, onu_tx, olt_rx, olt_tx, ..OpticalReading::default() })
}

/// `show gpon remote-onu interface pon gpon-onu_1/1/1:1`: the ONU's own
/// optical module (levels, voltage, bias, temperature).
pub fn remote_onu_pon(reply: &str) -> Result<OpticalReading, ParseError> {
    optical_levels("zte remote-onu interface pon", reply)
}

/// `show pon power onu-rx gpon-olt_1/1/1`: what each ONU receives.
pub fn onu_rx(reply: &str) -> Result<Vec<(OnuRef, Option<Dbm>)>, ParseError> {
    const WHAT: &str = "zte power onu-rx";
    let mut out = Vec::new();
    let mut header = false;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if is_noise(t) {
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(name) = tokens.first().and_then(|n| if_name(n)) else {
            if t.to_ascii_lowercase().starts_with("onu") {
                header = true;
            } else {
                skipped(WHAT, line, t);
            }
            continue;
        };
        let (Some(port), Some(id)) = (name.zte_port(), name.onu) else {
            return Err(ParseError::at(WHAT, line, format!("{:?} is not an ONU", tokens.first())));
        };
        let value = tokens.get(1).copied().unwrap_or("");
        let rx = dbm(WHAT, value).map_err(|e| ParseError::at(WHAT, line, e.reason))?;
        out.push((OnuRef::new(port, id), rx));
    }
    if out.is_empty() && !header && reply.lines().any(|l| !is_noise(l.trim())) && !says_nothing_to_show(reply) {
        return Err(ParseError::new(WHAT, "neither rows nor a header"));
    }
    Ok(out)
}

/// `show gpon onu detail-info gpon-onu_1/1/1:1`: what the state table does
/// not say (name, description, distance, the up/down history).
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub onu: OnuRef,
    pub name: Option<String>,
    pub description: Option<String>,
    pub onu_type: Option<String>,
    pub serial: Option<SerialNumber>,
    pub state: RunState,
    pub distance: Option<crate::types::Meters>,
    pub last_up: Option<crate::types::DeviceTime>,
    pub last_down: Option<crate::types::DeviceTime>,
    pub last_down_cause: Option<String>,
}

pub fn detail_info(reply: &str) -> Result<Detail, ParseError> {
    const WHAT: &str = "zte onu detail-info";
    let kv = crate::text::key_values(reply);
    let get =
        |k: &str| kv.iter().find(|(_, key, _)| key == k).map(|(_, _, v)| v.as_str()).filter(|v| !is_blank_value(v));
    let iface = get("onu interface").ok_or_else(|| ParseError::new(WHAT, "no `ONU interface:` line"))?;
    let name = if_name(iface).ok_or_else(|| ParseError::new(WHAT, format!("{iface:?} is not an ONU")))?;
    let (Some(port), Some(id)) = (name.zte_port(), name.onu) else {
        return Err(ParseError::new(WHAT, format!("{iface:?} is not an ONU")));
    };
    let distance = match get("onu distance") {
        Some(d) => crate::text::number(WHAT, d)?.map(crate::types::Meters),
        None => None,
    };
    // History rows: `n  authpass-date time  offline-date time  [cause]`.
    let mut last_up = None;
    let mut last_down: Option<(crate::types::DeviceTime, Option<String>)> = None;
    for (i, line) in reply.lines().enumerate() {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let [n, up_date, up_time, down_date, down_time, rest @ ..] = tokens.as_slice() else {
            continue;
        };
        if n.parse::<u32>().is_err() {
            continue;
        }
        let at_line = |e: ParseError| ParseError::at(WHAT, i + 1, e.reason);
        let up = crate::text::device_time(WHAT, up_date, up_time).map_err(at_line)?;
        let down = crate::text::device_time(WHAT, down_date, down_time).map_err(at_line)?;
        let cause = Some(rest.join(" ")).filter(|c| !c.is_empty());
        if let Some(up) = up
            && last_up.is_none_or(|l: crate::types::DeviceTime| up.civil > l.civil)
        {
            last_up = Some(up);
        }
        if let Some(down) = down
            && last_down.as_ref().is_none_or(|(l, _)| down.civil > l.civil)
        {
            last_down = Some((down, cause));
        }
    }
    let (last_down, last_down_cause) = match last_down {
        Some((t, c)) => (Some(t), c),
        None => (None, None),
    };
    Ok(Detail {
        onu: OnuRef::new(port, id),
        name: get("name").map(str::to_owned),
        description: get("description").map(str::to_owned),
        onu_type: get("type").map(str::to_owned),
        serial: get("serial number").and_then(|s| SerialNumber::parse(s).ok()),
        state: get("phase state").map_or(RunState::Other("unknown".into()), crate::text::run_state),
        distance,
        last_up,
        last_down,
        last_down_cause,
    })
}

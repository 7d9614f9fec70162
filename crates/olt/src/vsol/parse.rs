//! VSOL V1600G replies (commands run inside `interface gpon 0/n`), as the
//! fixtures under `tests/fixtures/vsol/` show them. Pure functions of the
//! reply text. The ONU index is printed `GPON0/1:1` by some commands and
//! `1/1/1:1` by others; the port is its last number either way. A line that
//! is neither a row nor a header (the `pon: 1 total: 57 working: 52`
//! summary) is skipped, not refused.

use crate::error::ParseError;
use crate::text::{IfName, if_name, is_blank_value, is_rule, optical_levels, says_nothing_to_show, skipped};
use crate::types::{AutofindOnu, OnuRef, OpticalReading, PonPort, SerialNumber};
use crate::zte::parse::{StateRow, state_rows};

/// One row of `show onu info`.
#[derive(Debug, Clone, PartialEq)]
pub struct InfoRow {
    pub onu: OnuRef,
    pub model: Option<String>,
    pub profile: Option<String>,
    pub serial: Option<SerialNumber>,
}

fn is_noise(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    t.is_empty() || is_rule(t) || lower.starts_with("onu number") || lower.starts_with("total")
}

fn port_of(name: &IfName) -> Option<PonPort> {
    name.vsol_port()
}

/// `show onu auto-find`: `GPON0/1:1  GPON002E64F8  unknow`.
pub fn autofind(reply: &str) -> Result<Vec<AutofindOnu>, ParseError> {
    const WHAT: &str = "vsol onu auto-find";
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
            if t.to_ascii_lowercase().starts_with("onuindex") {
                header = true;
            } else {
                skipped(WHAT, line, t);
            }
            continue;
        };
        let port = port_of(&name).ok_or_else(|| ParseError::at(WHAT, line, "no port in the index"))?;
        let serial = tokens
            .get(1)
            .ok_or_else(|| ParseError::at(WHAT, line, "no serial number in the row"))
            .and_then(|s| SerialNumber::parse(s).map_err(|e| ParseError::at(WHAT, line, e.to_string())))?;
        out.push(AutofindOnu {
            port,
            vendor_id: serial.vendor_id().to_owned(),
            serial,
            equipment_id: None,
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

/// `show onu info`: index, model, profile, mode, auth info (the serial).
pub fn onu_info(reply: &str) -> Result<Vec<InfoRow>, ParseError> {
    const WHAT: &str = "vsol onu info";
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
        let (Some(port), Some(id)) = (port_of(&name), name.onu) else {
            return Err(ParseError::at(WHAT, line, format!("{:?} is not an ONU", tokens.first())));
        };
        let cell = |n: usize| {
            tokens.get(n).filter(|v| !is_blank_value(v) && !v.eq_ignore_ascii_case("unknown")).map(|s| (*s).to_owned())
        };
        let serial = tokens.iter().skip(4).find_map(|s| {
            let s = s.split_once(':').map_or(*s, |(_, v)| v);
            SerialNumber::parse(s).ok()
        });
        out.push(InfoRow { onu: OnuRef::new(port, id), model: cell(1), profile: cell(2), serial });
    }
    if out.is_empty() && !header && reply.lines().any(|l| !is_noise(l.trim())) && !says_nothing_to_show(reply) {
        return Err(ParseError::new(WHAT, "neither rows nor a header"));
    }
    Ok(out)
}

/// `show onu state`: the same table as ZTE's `show gpon onu state`.
pub fn onu_state(reply: &str) -> Result<Vec<StateRow>, ParseError> {
    state_rows("vsol onu state", reply, port_of)
}

/// `show onu N optical_info`.
pub fn optical(reply: &str) -> Result<OpticalReading, ParseError> {
    optical_levels("vsol onu optical_info", reply)
}

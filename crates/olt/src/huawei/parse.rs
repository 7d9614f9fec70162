//! Huawei SmartAX (MA5600T, MA5800) replies, as the fixtures under
//! `tests/fixtures/huawei/` show them. Pure functions of the reply text.
//! In tables, a line that is not a row (a banner, the MA5800's command
//! echo) is skipped, not refused.

use std::collections::BTreeMap;

use crate::error::ParseError;
use crate::text::{
    dbm, device_time, device_time_joined, is_blank_value, is_rule, key_values, number, says_nothing_to_show, skipped,
};
use crate::types::{
    AutofindOnu, Celsius, DeviceTime, Meters, MilliAmps, Onu, OnuRef, OpticalReading, PonPort, RunState, SerialNumber,
    Volts,
};

/// `display ont autofind all`: one block of `key : value` lines per ONT,
/// opened by `Number`. `Failure: The automatically found ONTs do not exist`
/// is an empty list. When the OLT prints its total (`The number of GPON
/// autofind ONT is N`) and fewer blocks were read, the reply was cut (a
/// pager gone wrong) and that is an error, not a short list.
pub fn autofind(reply: &str) -> Result<Vec<AutofindOnu>, ParseError> {
    const WHAT: &str = "huawei autofind";
    if reply.to_ascii_lowercase().contains("failure") && says_nothing_to_show(reply) {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut current: Option<Block> = None;
    let mut total: Option<usize> = None;
    for (line, key, value) in key_values(reply) {
        match key.as_str() {
            "number" => {
                if let Some(block) = current.take() {
                    found.push(block.finish(WHAT)?);
                }
                current = Some(Block { line, ..Block::default() });
            }
            "f/s/p" => {
                if let Some(b) = current.as_mut() {
                    b.port = Some(value.parse::<PonPort>().map_err(|e| ParseError::at(WHAT, line, e.to_string()))?);
                }
            }
            "ont sn" | "sn" => {
                if let Some(b) = current.as_mut() {
                    let first = value.split_whitespace().next().unwrap_or("");
                    b.serial = Some(SerialNumber::parse(first).map_err(|e| ParseError::at(WHAT, line, e.to_string()))?);
                }
            }
            "vendorid" => set(&mut current, |b| b.vendor = Some(value)),
            "ont equipmentid" => set(&mut current, |b| b.equipment = Some(value)),
            "ont softwareversion" => set(&mut current, |b| b.software = Some(value)),
            "ont autofind time" => {
                let found = device_time_joined(WHAT, &value).map_err(|e| ParseError::at(WHAT, line, e.reason))?;
                set(&mut current, |b| b.found = found);
            }
            _ => {}
        }
    }
    for line in reply.lines() {
        let lower = line.trim().to_ascii_lowercase();
        if let Some(n) = lower.strip_prefix("the number of gpon autofind ont is") {
            total = n.trim().parse().ok();
        }
    }
    if let Some(block) = current.take() {
        found.push(block.finish(WHAT)?);
    }
    if let Some(total) = total
        && total != found.len()
    {
        return Err(ParseError::new(WHAT, format!("the OLT counts {total} ONTs but {} were read", found.len())));
    }
    if found.is_empty() && reply.lines().any(|l| !l.trim().is_empty() && !is_rule(l)) {
        return Err(ParseError::new(WHAT, "no `Number :` block in the reply"));
    }
    Ok(found)
}

fn set(current: &mut Option<Block>, f: impl FnOnce(&mut Block)) {
    if let Some(b) = current.as_mut() {
        f(b);
    }
}

#[derive(Default)]
struct Block {
    line: usize,
    port: Option<PonPort>,
    serial: Option<SerialNumber>,
    vendor: Option<String>,
    equipment: Option<String>,
    software: Option<String>,
    found: Option<DeviceTime>,
}

impl Block {
    fn finish(self, what: &'static str) -> Result<AutofindOnu, ParseError> {
        let port = self.port.ok_or_else(|| ParseError::at(what, self.line, "block without F/S/P"))?;
        let serial = self.serial.ok_or_else(|| ParseError::at(what, self.line, "block without Ont SN"))?;
        let vendor_id = self.vendor.filter(|v| !is_blank_value(v)).unwrap_or_else(|| serial.vendor_id().to_owned());
        Ok(AutofindOnu {
            port,
            serial,
            vendor_id,
            equipment_id: self.equipment.filter(|v| !is_blank_value(v)),
            software_version: self.software.filter(|v| !is_blank_value(v)),
            found_at: self.found,
            proposed_id: None,
        })
    }
}

/// `display ont info summary F/S/P`: the port line, a state table (id, run
/// state, last up, last down, last down cause) and an inventory table (id,
/// SN, type, distance, Rx/Tx, description), joined by id.
pub fn ont_summary(reply: &str) -> Result<Vec<Onu>, ParseError> {
    const WHAT: &str = "huawei ont summary";
    let mut port: Option<PonPort> = None;
    let mut total: Option<usize> = None;
    let mut states: BTreeMap<u32, StateRow> = BTreeMap::new();
    let mut inventory: BTreeMap<u32, InventoryRow> = BTreeMap::new();
    #[derive(PartialEq)]
    enum Table {
        None,
        State,
        Inventory,
    }
    let mut table = Table::None;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("in port ") {
            let (p, counts) = rest.split_once(',').unwrap_or((rest, ""));
            port =
                Some(p.trim().parse().map_err(|e: crate::types::BadPort| ParseError::at(WHAT, line, e.to_string()))?);
            total = counts.split(':').nth(1).and_then(|n| n.split(',').next()).and_then(|n| n.trim().parse().ok());
            continue;
        }
        if lower.starts_with("ont") && lower.contains("run") {
            table = Table::State;
            continue;
        }
        if lower.starts_with("ont") && lower.contains("sn") {
            table = Table::Inventory;
            continue;
        }
        if t.is_empty() || is_rule(t) || lower.starts_with("id ") || lower == "id" {
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(id) = tokens.first().and_then(|s| s.parse::<u32>().ok()) else {
            if !(lower.contains("please wait") || lower.starts_with("command")) {
                skipped(WHAT, line, t);
            }
            continue;
        };
        match table {
            Table::State => {
                let state_word = tokens.get(1).copied().unwrap_or("");
                let mut rest = tokens.get(2..).unwrap_or(&[]).iter().copied();
                let at_line = |e: ParseError| ParseError::at(WHAT, line, e.reason);
                let up = take_time(WHAT, &mut rest).map_err(at_line)?;
                let down = take_time(WHAT, &mut rest).map_err(at_line)?;
                let cause: Vec<&str> = rest.collect();
                let cause = cause.join(" ");
                let cause = (!is_blank_value(&cause)).then_some(cause);
                let state = match crate::text::run_state(state_word) {
                    RunState::Offline => offline_state(cause.as_deref()),
                    s => s,
                };
                states.insert(id, (state, up, down, cause));
            }
            Table::Inventory => {
                let serial = tokens.get(1).and_then(|s| SerialNumber::parse(s).ok());
                let kind = tokens.get(2).filter(|v| !is_blank_value(v)).map(|s| (*s).to_owned());
                let desc = tokens.get(5..).map(|d| d.join(" ")).filter(|d| !d.is_empty());
                inventory.insert(id, (serial, kind, desc));
            }
            Table::None => return Err(ParseError::at(WHAT, line, "a row before any table header")),
        }
    }
    let port = port.ok_or_else(|| ParseError::new(WHAT, "no `In port F/S/P` line"))?;
    if let Some(total) = total
        && states.len() < total
    {
        return Err(ParseError::new(WHAT, format!("the OLT counts {total} ONTs but {} rows were read", states.len())));
    }
    Ok(states
        .into_iter()
        .map(|(id, (state, last_up, last_down, cause))| {
            let (serial, equipment_id, description) = inventory.remove(&id).unwrap_or((None, None, None));
            Onu {
                onu: OnuRef::new(port, id),
                serial,
                equipment_id,
                description,
                state,
                last_up,
                last_down,
                last_down_cause: cause,
            }
        })
        .collect())
}

/// Run state, last up, last down, last down cause.
type StateRow = (RunState, Option<DeviceTime>, Option<DeviceTime>, Option<String>);
/// Serial, type, description.
type InventoryRow = (Option<SerialNumber>, Option<String>, Option<String>);

fn take_time<'a>(what: &'static str, it: &mut impl Iterator<Item = &'a str>) -> Result<Option<DeviceTime>, ParseError> {
    let Some(first) = it.next().filter(|f| !is_blank_value(f)) else {
        return Ok(None);
    };
    match it.next() {
        Some(second) => device_time(what, first, second),
        None => Ok(None),
    }
}

/// Huawei says `offline`; the last down cause says why.
fn offline_state(cause: Option<&str>) -> RunState {
    let Some(c) = cause.map(str::to_ascii_lowercase) else {
        return RunState::Offline;
    };
    if c.contains("dying") {
        RunState::DyingGasp
    } else if c.contains("los") {
        RunState::Los
    } else {
        RunState::Offline
    }
}

/// `display ont info 0 all` (or `... F S P all`): per port, a state table
/// (F/S/P, id, SN, control flag, run state, config, match, protect side), a
/// description table, and the port's total. No last up/down here.
pub fn ont_info(reply: &str) -> Result<Vec<Onu>, ParseError> {
    const WHAT: &str = "huawei ont info";
    let mut onus: BTreeMap<OnuRef, Onu> = BTreeMap::new();
    let mut counted: BTreeMap<PonPort, usize> = BTreeMap::new();
    #[derive(PartialEq)]
    enum Table {
        None,
        State,
        Description,
    }
    let mut table = Table::None;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        let lower = t.to_ascii_lowercase();
        if t.is_empty() || is_rule(t) {
            continue;
        }
        if lower.starts_with("f/s/p") {
            table = if lower.contains("description") { Table::Description } else { Table::State };
            continue;
        }
        if let Some(rest) = lower.strip_prefix("in port ") {
            let (p, counts) = rest.split_once(',').unwrap_or((rest, ""));
            let p: PonPort =
                p.trim().parse().map_err(|e: crate::types::BadPort| ParseError::at(WHAT, line, e.to_string()))?;
            if let Some(n) =
                counts.split(':').nth(1).and_then(|n| n.split(',').next()).and_then(|n| n.trim().parse().ok())
            {
                counted.insert(p, n);
            }
            continue;
        }
        // `0/ 2/0    0  SN ...`: Huawei pads the slot with a blank.
        let joined = t.replace("/ ", "/");
        let tokens: Vec<&str> = joined.split_whitespace().collect();
        let parsed = tokens
            .first()
            .and_then(|p| p.parse::<PonPort>().ok())
            .zip(tokens.get(1).and_then(|n| n.parse::<u32>().ok()));
        let Some((port, id)) = parsed else {
            if !(tokens.first().is_some_and(|w| w.eq_ignore_ascii_case("id")) || lower.starts_with("command")) {
                skipped(WHAT, line, t);
            }
            continue;
        };
        let key = OnuRef::new(port, id);
        match table {
            Table::State => {
                let run = tokens.get(4).copied().unwrap_or("");
                onus.insert(
                    key,
                    Onu {
                        onu: key,
                        serial: tokens.get(2).and_then(|s| SerialNumber::parse(s).ok()),
                        equipment_id: None,
                        description: None,
                        state: crate::text::run_state(run),
                        last_up: None,
                        last_down: None,
                        last_down_cause: None,
                    },
                );
            }
            Table::Description => {
                let desc = tokens.get(2..).map(|d| d.join(" ")).filter(|d| !d.is_empty());
                match onus.get_mut(&key) {
                    Some(onu) => onu.description = desc,
                    None => {
                        return Err(ParseError::at(WHAT, line, format!("description of {key} which has no state row")));
                    }
                }
            }
            Table::None => return Err(ParseError::at(WHAT, line, "a row before any table header")),
        }
    }
    for (port, n) in counted {
        let read = onus.keys().filter(|k| k.port == port).count();
        if read < n {
            return Err(ParseError::new(
                WHAT,
                format!("port {port}: the OLT counts {n} ONTs but {read} rows were read"),
            ));
        }
    }
    if onus.is_empty() && reply.lines().any(|l| !l.trim().is_empty() && !is_rule(l)) && !says_nothing_to_show(reply) {
        return Err(ParseError::new(WHAT, "no ONT rows in the reply"));
    }
    Ok(onus.into_values().collect())
}

/// `display ont optical-info P all` (in `interface gpon F/S`): one row per
/// ONT: id, Rx, Tx, OLT Rx, temperature, voltage, current, distance. Extra
/// columns after these are ignored; `-` is no reading.
pub fn optical_port(reply: &str) -> Result<Vec<(u32, OpticalReading)>, ParseError> {
    const WHAT: &str = "huawei optical-info table";
    let mut rows = Vec::new();
    let mut header = false;
    for (i, raw) in reply.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        let lower = t.to_ascii_lowercase();
        if t.is_empty() || is_rule(t) {
            continue;
        }
        if lower.starts_with("ont") && lower.contains("rx") {
            header = true;
            continue;
        }
        if lower.starts_with("id") || lower.starts_with("command") {
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(id) = tokens.first().and_then(|s| s.parse::<u32>().ok()) else {
            skipped(WHAT, line, t);
            continue;
        };
        if !header {
            return Err(ParseError::at(WHAT, line, "a row before the table header"));
        }
        if tokens.len() < 4 {
            return Err(ParseError::at(WHAT, line, format!("{} columns, expected at least 4", tokens.len())));
        }
        let col = |n: usize| -> Result<Option<f64>, ParseError> {
            match tokens.get(n) {
                Some(v) => number(WHAT, v).map_err(|e| ParseError::at(WHAT, line, e.reason)),
                None => Ok(None),
            }
        };
        rows.push((
            id,
            OpticalReading {
                onu_rx: col(1)?.map(crate::types::Dbm),
                onu_tx: col(2)?.map(crate::types::Dbm),
                olt_rx: col(3)?.map(crate::types::Dbm),
                olt_tx: None,
                temperature: col(4)?.map(Celsius),
                voltage: col(5)?.map(Volts),
                bias_current: col(6)?.map(MilliAmps),
                distance: col(7)?.map(Meters),
            },
        ));
    }
    if !header {
        return Err(ParseError::new(WHAT, "no `ONT Rx power Tx power ...` header"));
    }
    Ok(rows)
}

/// `display ont optical-info P ID` (in `interface gpon F/S`): `key : value`
/// lines; thresholds are ignored.
pub fn optical_ont(reply: &str) -> Result<OpticalReading, ParseError> {
    const WHAT: &str = "huawei optical-info";
    let kv = key_values(reply);
    let get = |key: &str| kv.iter().find(|(_, k, _)| k == key).map(|(l, _, v)| (*l, v.as_str()));
    let num = |key: &str| -> Result<Option<f64>, ParseError> {
        match get(key) {
            Some((line, v)) => number(WHAT, v).map_err(|e| ParseError::at(WHAT, line, e.reason)),
            None => Ok(None),
        }
    };
    if get("rx optical power(dbm)").is_none() {
        return Err(ParseError::new(WHAT, "no `Rx optical power(dBm)` line"));
    }
    Ok(OpticalReading {
        onu_rx: num("rx optical power(dbm)")?.map(crate::types::Dbm),
        onu_tx: num("tx optical power(dbm)")?.map(crate::types::Dbm),
        olt_rx: match get("olt rx ont optical power(dbm)") {
            Some((line, v)) => dbm(WHAT, v).map_err(|e| ParseError::at(WHAT, line, e.reason))?,
            None => None,
        },
        olt_tx: None,
        temperature: num("temperature(c)")?.map(Celsius),
        voltage: num("voltage(v)")?.map(Volts),
        bias_current: num("laser bias current(ma)")?.map(MilliAmps),
        distance: num("ont distance(m)")?.map(Meters),
    })
}

/// `ont add ...`: `Number of ONTs that can be added: 1, success: 1` and
/// `PortID :0, ONTID :5`; the id the OLT gave.
pub fn ont_added(reply: &str) -> Result<u32, ParseError> {
    const WHAT: &str = "huawei ont add";
    let compact: String = reply.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    if let Some(rest) = compact.split("success:").nth(1) {
        let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if n == "0" {
            return Err(ParseError::new(WHAT, "the OLT added no ONT (success: 0)"));
        }
    }
    let id = compact
        .split("ontid:")
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .and_then(|n| n.parse::<u32>().ok());
    id.ok_or_else(|| ParseError::new(WHAT, "no `ONTID :` in the reply"))
}

//! ZTE C300 / C320 (ZXAN): the commands `headend-olt` sends and the
//! layouts of `crates/olt/tests/fixtures/zte/` (captured from real OLTs).

use std::fmt::Write as _;

use tokio::time::Instant;

use super::cli::{Mode, Reply, Shell, Token, timestamp, tokenize};
use super::config::PonPort;
use super::state::{AddError, DownCause, OLT_TX_DBM, Onu, OnuState, Port, State, parse_serial};

const NO_INFO: &str = "%Code 32310-GPONSRV : No related information to show.";
const NO_ONU: &str = "%Code 32310-GPONSRV : The ONU does not exist.";

pub(crate) fn run(shell: &mut Shell, line: &str, state: &mut State, now: Instant) -> Reply {
    let tokens = tokenize(line);
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let at = |i: usize| tokens.get(i).map_or(line.len(), |t| t.at);
    let mode = shell.mode;
    match words.as_slice() {
        [] | ["enable"] => Reply::empty(),
        ["terminal", "length", _] if state.faults.ignore_pager_off => shell.unknown(at(0)),
        ["terminal", "length", n] => match n.parse::<usize>() {
            Ok(0) => {
                shell.page = None;
                Reply::empty()
            }
            Ok(n) if n <= 512 => {
                shell.page = Some(n);
                Reply::empty()
            }
            _ => shell.bad_parameter(at(2)),
        },
        ["show", rest @ ..] => show(shell, rest, &tokens, state, now),
        ["configure", "terminal"] if mode == Mode::ZteExec => {
            shell.mode = Mode::ZteConfig;
            Reply::line("%Info 20272: Enter configuration commands, one per line. End with CTRL/Z.")
        }
        ["end"] => {
            shell.mode = Mode::ZteExec;
            Reply::empty()
        }
        ["exit"] => match mode {
            Mode::ZteExec => Reply::close(Vec::new()),
            Mode::ZteConfig => {
                shell.mode = Mode::ZteExec;
                Reply::empty()
            }
            _ => {
                shell.mode = Mode::ZteConfig;
                Reply::empty()
            }
        },
        ["interface", name] if mode == Mode::ZteConfig => {
            if let Some(port) = olt_name(name, state) {
                shell.mode = Mode::ZteOlt(port);
                return Reply::empty();
            }
            match onu_name(name, state) {
                Some((port, id)) if state.port(port).is_some_and(|p| p.onus.contains_key(&id)) => {
                    shell.mode = Mode::ZteOnu(port, id);
                    Reply::empty()
                }
                Some(_) => Reply::line(NO_ONU),
                None => shell.bad_parameter(at(1)),
            }
        }
        ["pon-onu-mng", name] if mode == Mode::ZteConfig => match onu_name(name, state) {
            Some((port, id)) if state.port(port).is_some_and(|p| p.onus.contains_key(&id)) => {
                shell.mode = Mode::ZteOnuMng(port, id);
                Reply::empty()
            }
            Some(_) => Reply::line(NO_ONU),
            None => shell.bad_parameter(at(1)),
        },
        ["onu", id, "type", kind, "sn", serial] => {
            let Mode::ZteOlt(port) = mode else {
                return shell.unknown(at(0));
            };
            let id = match id.parse::<u16>() {
                Ok(id) if (1..=128).contains(&id) => id,
                _ => return shell.bad_parameter(at(1)),
            };
            let Some(serial) = parse_serial(serial) else {
                return shell.bad_parameter(at(5));
            };
            match state.add_onu(port, Some(id), &serial, Some(kind), None, (0, 0), now) {
                Ok(_) => Reply::empty(),
                Err(AddError::SerialExists) => Reply::line("%Code 32310-GPONSRV : The ONU is already registered."),
                Err(AddError::IdExists | AddError::PortFull) => {
                    Reply::line("%Code 32310-GPONSRV : The ONU ID is already in use.")
                }
            }
        }
        ["no", "onu", id] => {
            let Mode::ZteOlt(port) = mode else {
                return shell.unknown(at(0));
            };
            match id.parse::<u16>() {
                Ok(id) if state.delete_onu(port, id, now) => Reply::empty(),
                Ok(_) => Reply::line(NO_ONU),
                Err(_) => shell.bad_parameter(at(2)),
            }
        }
        ["description" | "name", ..] if matches!(mode, Mode::ZteOnu(..)) => {
            if let (Mode::ZteOnu(port, id), Some(text)) = (mode, tokens.get(1)) {
                let text = line.get(text.at..).unwrap_or_default().trim().trim_matches('"');
                if let Some(onu) = state.onu_mut(port, id) {
                    text.clone_into(&mut onu.description);
                }
            }
            Reply::empty()
        }
        ["tcont", ..] | ["gemport", ..] if matches!(mode, Mode::ZteOnu(..)) => Reply::empty(),
        ["service-port", ..] if matches!(mode, Mode::ZteOnu(..)) => set_vlan(mode, &words, state),
        ["service", ..] if matches!(mode, Mode::ZteOnuMng(..)) => set_vlan(mode, &words, state),
        ["reboot"] => match mode {
            Mode::ZteOnuMng(port, id) => {
                state.reboot_onu(port, id, now);
                Reply::empty()
            }
            _ => shell.unknown(at(0)),
        },
        _ => shell.unknown(at(0)),
    }
}

/// The VLAN after the last `vlan` word of `service-port ...` or
/// `service ...`.
fn set_vlan(mode: Mode, words: &[&str], state: &mut State) -> Reply {
    let (Mode::ZteOnu(port, id) | Mode::ZteOnuMng(port, id)) = mode else {
        return Reply::empty();
    };
    let vlan =
        words.iter().rposition(|w| *w == "vlan").and_then(|i| words.get(i + 1)).and_then(|v| v.parse::<u16>().ok());
    if let (Some(vlan), Some(onu)) = (vlan, state.onu_mut(port, id)) {
        onu.vlan = Some(vlan);
    }
    Reply::empty()
}

fn parse_port(text: &str) -> Option<PonPort> {
    let mut parts = text.split('/').map(str::parse::<u8>);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(Ok(f)), Some(Ok(s)), Some(Ok(p)), None) => Some(PonPort::new(f, s, p)),
        _ => None,
    }
}

/// `gpon-olt_1/1/1`, if that port exists.
fn olt_name(name: &str, state: &State) -> Option<PonPort> {
    let port = parse_port(name.strip_prefix("gpon-olt_")?)?;
    state.port(port).map(|p| p.addr)
}

/// `gpon-onu_1/1/1:5` on an existing port.
fn onu_name(name: &str, state: &State) -> Option<(PonPort, u16)> {
    let (port, id) = name.strip_prefix("gpon-onu_")?.split_once(':')?;
    let port = parse_port(port)?;
    state.port(port)?;
    Some((port, id.parse().ok()?))
}

fn show(shell: &Shell, rest: &[&str], tokens: &[Token], state: &State, now: Instant) -> Reply {
    let at = |i: usize| tokens.get(i + 1).map_or(0, |t| t.at);
    let ports = |name: Option<&&str>| -> Result<Vec<&Port>, ()> {
        match name {
            None => Ok(state.ports.iter().collect()),
            Some(name) => olt_name(name, state).and_then(|p| state.port(p)).map(|p| vec![p]).ok_or(()),
        }
    };
    let onu = |name: &str| -> Result<(&Port, Option<&Onu>), ()> {
        let (port, id) = onu_name(name, state).ok_or(())?;
        let port = state.port(port).ok_or(())?;
        Ok((port, port.onus.get(&id)))
    };
    match rest {
        ["gpon", "onu", "uncfg", name @ ..] if name.len() <= 1 => match ports(name.first()) {
            Ok(ports) => uncfg(&ports),
            Err(()) => shell.bad_parameter(at(3)),
        },
        ["gpon", "onu", "state", name @ ..] if name.len() <= 1 => match ports(name.first()) {
            Ok(ports) => Reply::paged(onu_state(&ports)),
            Err(()) => shell.bad_parameter(at(3)),
        },
        ["gpon", "onu", "baseinfo", name @ ..] if name.len() <= 1 => match ports(name.first()) {
            Ok(ports) => baseinfo(&ports),
            Err(()) => shell.bad_parameter(at(3)),
        },
        ["gpon", "onu", "detail-info", name] => match onu(name) {
            Ok((port, Some(o))) => Reply::paged(detail(state, port.addr, o, now)),
            Ok((_, None)) => Reply::line(NO_ONU),
            Err(()) => shell.bad_parameter(at(3)),
        },
        ["pon", "power", "attenuation", name] => match onu(name) {
            Ok((_, Some(o))) => Reply::lines(attenuation(state, o, now)),
            Ok((_, None)) => Reply::line(NO_ONU),
            Err(()) => shell.bad_parameter(at(3)),
        },
        ["pon", "power", "onu-rx", name] => {
            if let Ok((port, o)) = onu(name) {
                return match o {
                    Some(o) => Reply::lines(onu_rx(state, port.addr, [o].into_iter(), now)),
                    None => Reply::line(NO_ONU),
                };
            }
            match ports(Some(name)) {
                Ok(ports) => {
                    Reply::paged(ports.iter().flat_map(|p| onu_rx(state, p.addr, p.onus.values(), now)).collect())
                }
                Err(()) => shell.bad_parameter(at(3)),
            }
        }
        ["gpon", "remote-onu", "interface", "pon", name] => match onu(name) {
            Ok((_, Some(o))) => Reply::lines(remote_pon(state, o, now)),
            Ok((_, None)) => Reply::line(NO_ONU),
            Err(()) => shell.bad_parameter(at(4)),
        },
        _ => shell.unknown(tokens.get(1).map_or(0, |t| t.at)),
    }
}

fn uncfg(ports: &[&Port]) -> Reply {
    let mut lines = vec!["OnuIndex                 Sn                  State".to_owned(), "-".repeat(69)];
    for port in ports {
        for (i, found) in port.autofind.iter().enumerate() {
            let index = format!("gpon-onu_{}:{}", port.addr, i + 1);
            lines.push(format!("{index:<25}{:<20}unknown", found.serial));
        }
    }
    if lines.len() == 2 {
        return Reply::line(NO_INFO);
    }
    Reply::paged(lines)
}

fn phase(onu: &Onu) -> &'static str {
    match onu.state {
        OnuState::Online => "working",
        OnuState::Offline => "OffLine",
        OnuState::Los => "LOS",
        OnuState::DyingGasp => "DyingGasp",
    }
}

fn onu_state(ports: &[&Port]) -> Vec<String> {
    let mut lines = vec!["OnuIndex   Admin State  OMCC State  Phase State  Channel".to_owned(), "-".repeat(62)];
    let (mut total, mut working) = (0, 0);
    let mut row = String::new();
    for port in ports {
        for onu in port.onus.values() {
            total += 1;
            let online = onu.state == OnuState::Online;
            working += usize::from(online);
            row.clear();
            let _ = write!(row, "{}:{}", port.addr, onu.id);
            let omcc = if online { "enable" } else { "disable" };
            lines.push(format!("{row:<12}{:<13}{omcc:<12}{:<13}1(GPON)", "enable", phase(onu)));
        }
    }
    lines.push(format!("ONU Number: {working}/{total}"));
    lines
}

fn baseinfo(ports: &[&Port]) -> Reply {
    let mut lines = vec!["OnuIndex                 Type                Mode    AuthInfo".to_owned(), "-".repeat(64)];
    for port in ports {
        for onu in port.onus.values() {
            let index = format!("gpon-onu_{}:{}", port.addr, onu.id);
            lines.push(format!("{index:<25}{:<20}{:<8}SN:{}", onu.equipment, "sn", onu.serial));
        }
    }
    if lines.len() == 2 {
        return Reply::line(NO_INFO);
    }
    Reply::paged(lines)
}

fn dbm(value: Option<f64>) -> String {
    value.map_or("N/A".to_owned(), |v| format!("{v:.3}(dbm)"))
}

fn attenuation(state: &State, onu: &Onu, now: Instant) -> Vec<String> {
    let o = state.optics(onu, now);
    let loss = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{:.3}(dB)", a - b),
        _ => "N/A".to_owned(),
    };
    let olt_rx = o.map(|o| o.olt_rx_dbm);
    let onu_tx = o.map(|o| o.onu_tx_dbm);
    let onu_rx = o.map(|o| o.onu_rx_dbm);
    vec![
        "           OLT                  ONU              Attenuation".to_owned(),
        "-".repeat(74),
        format!(
            " up      {:<22}{:<21}{}",
            format!("Rx :{}", dbm(olt_rx)),
            format!("Tx:{}", dbm(onu_tx)),
            loss(onu_tx, olt_rx)
        ),
        String::new(),
        format!(
            " down    {:<22}{:<21}{}",
            format!("Tx :{}", dbm(Some(OLT_TX_DBM))),
            format!("Rx:{}", dbm(onu_rx)),
            loss(Some(OLT_TX_DBM), onu_rx)
        ),
    ]
}

/// `show pon power onu-rx`: the bulk sweep's command, one row an ONU.
fn onu_rx<'a>(state: &State, port: PonPort, onus: impl Iterator<Item = &'a Onu>, now: Instant) -> Vec<String> {
    let mut lines = vec!["Onu                 Rx power".to_owned(), "-".repeat(36)];
    let mut index = String::new();
    for onu in onus {
        index.clear();
        let _ = write!(index, "gpon-onu_{port}:{}", onu.id);
        let rx = state.optics(onu, now).map(|o| o.onu_rx_dbm);
        lines.push(format!("{index:<20}{}", dbm(rx)));
    }
    lines
}

fn remote_pon(state: &State, onu: &Onu, now: Instant) -> Vec<String> {
    let o = state.optics(onu, now);
    let fields: [(&str, String); 19] = [
        ("Interface", "pon_0/1".into()),
        ("GEM blocklen", "48 (bytes)".into()),
        ("SF threshold", "5".into()),
        ("SD threshold", "9".into()),
        ("Alarm", "enable".into()),
        ("Alarm disable interval", "0".into()),
        ("Total T-CONT number", "8".into()),
        ("Piggyback DBA rpt mode", "not support".into()),
        ("Whole ONU DBA rpt mode", "N/A".into()),
        ("Rx optical level", dbm(o.map(|o| o.onu_rx_dbm))),
        ("Lower rx optical threshold", "ont internal policy".into()),
        ("Upper rx optical threshold", "ont internal policy".into()),
        ("Tx optical level", dbm(o.map(|o| o.onu_tx_dbm))),
        ("Lower tx optical threshold", "ont internal policy".into()),
        ("Upper tx optical threshold", "ont internal policy".into()),
        ("ONU response time", "0(ns)".into()),
        ("Power feed voltage", format!("{:.2}(V)", o.map_or(0.0, |o| o.voltage_v))),
        ("Laser bias current", format!("{:.3}(mA)", o.map_or(0.0, |o| o.bias_ma))),
        ("Temperature", format!("{:.3}(C)", o.map_or(0.0, |o| o.temperature_c))),
    ];
    fields.into_iter().map(|(k, v)| format!("{:<29}{v}", format!("{k}:"))).collect()
}

fn detail(state: &State, port: PonPort, onu: &Onu, now: Instant) -> Vec<String> {
    let o = state.optics(onu, now);
    let online = onu.state == OnuState::Online;
    let duration = onu.last_up.filter(|_| online).map_or("0h 0m 0s".to_owned(), |t| {
        let s = now.saturating_duration_since(t).as_secs();
        format!("{}h {}m {}s", s / 3600, s / 60 % 60, s % 60)
    });
    let fields: [(&str, String); 23] = [
        ("Name", onu.description.clone()),
        ("Type", onu.equipment.clone()),
        ("State", if online { "ready" } else { "offline" }.into()),
        ("Admin state", "enable".into()),
        ("Phase state", phase(onu).into()),
        ("Authentication mode", "sn".into()),
        ("SN Bind", "enable with SN check".into()),
        ("Serial number", onu.serial.clone()),
        ("Password", String::new()),
        ("Device ID", String::new()),
        ("Description", onu.description.clone()),
        ("Vport mode", "gemport".into()),
        ("DBA Mode", "Hybrid".into()),
        ("ONU Status", "enable".into()),
        ("OMCI BW Profile", "enable".into()),
        ("Line Profile", "N/A".into()),
        ("Service Profile", "N/A".into()),
        ("Alarm Profile", "N/A".into()),
        ("Performance Profile", "N/A".into()),
        ("ONU Distance", o.map_or("N/A".to_owned(), |o| format!("{}m", o.distance_m))),
        ("Online Duration", duration),
        ("FEC", "none".into()),
        ("1PPS+ToD", "disable".into()),
    ];
    let mut lines = vec![format!("ONU interface:         gpon-onu_{port}:{}", onu.id)];
    for (k, v) in fields {
        let label = format!("{k}:");
        if v.is_empty() {
            lines.push(format!("  {label}"));
        } else {
            lines.push(format!("  {label:<21}{v}"));
        }
    }
    lines.push("-".repeat(42));
    lines.push("       Authpass Time          OfflineTime             Cause".to_owned());
    let zero = "0000-00-00 00:00:00";
    let time = |at: Option<Instant>| at.map_or(zero.to_owned(), |t| timestamp(state.unix_seconds(t), false));
    let cause = match (onu.last_down, onu.down_cause) {
        (Some(_), Some(DownCause::Los)) => "LOSi",
        (Some(_), Some(DownCause::DyingGasp)) => "DyingGasp",
        (Some(_), Some(DownCause::Reset)) => "Reboot",
        _ => "",
    };
    let first = format!("   1   {}    {}", time(onu.last_up), time(onu.last_down));
    lines.push(if cause.is_empty() { first } else { format!("{first}    {cause}") });
    for n in 2..=10 {
        lines.push(format!("{n:>4}   {zero}    {zero}"));
    }
    lines
}

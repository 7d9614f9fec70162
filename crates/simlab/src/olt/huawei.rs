//! Huawei MA5600T / MA5800: the commands `headend-olt` sends and the
//! layouts of `crates/olt/tests/fixtures/huawei/` (captured from real
//! OLTs).

use std::fmt::Write as _;

use tokio::time::Instant;

use super::cli::{Mode, Reply, Shell, Token, Waiting, timestamp, tokenize};
use super::config::PonPort;
use super::state::{AddError, DownCause, Onu, OnuState, Port, State, parse_serial, serial_hex};

const RULE: &str = "  -----------------------------------------------------------------------------";
const WIDE_RULE: &str = "  ------------------------------------------------------------------------------";
const FIND_RULE: &str = "   ----------------------------------------------------------------------------";
const DISPLAY_HINT: &str = "{ <cr>||<K> }:";
const ADD_HINT: &str = "{ <cr>|ont-type<K> }:";
const LOG_OUT: &str = "  Check whether system data has been changed. Please save data before logout.\r\n  Are you sure to log out? (y/n)[n]:";
const NO_ONT: &str = "  Failure: The ONT does not exist";
const NOT_ONLINE: &str = "  Failure: The ONT is not online";

pub(crate) fn run(shell: &mut Shell, line: &str, state: &mut State, now: Instant) -> Reply {
    match shell.waiting.take() {
        Some(waiting) => answer(shell, waiting, line, state, now),
        None => command(shell, line, state, now, false),
    }
}

fn yes(line: &str) -> bool {
    line.trim().eq_ignore_ascii_case("y")
}

fn answer(shell: &mut Shell, waiting: Waiting, line: &str, state: &mut State, now: Instant) -> Reply {
    match waiting {
        Waiting::Hint(cmd) => {
            let extra = line.trim();
            let full = if extra.is_empty() { cmd } else { format!("{cmd} {extra}") };
            let mut reply = command(shell, &full, state, now, true);
            let mut lines = vec![String::new(), "  Command:".to_owned(), format!("          {full}")];
            lines.append(&mut reply.lines);
            reply.lines = lines;
            reply
        }
        Waiting::LogOut if yes(line) => Reply::close(Vec::new()),
        Waiting::ResetOnt(port, id) if yes(line) => {
            if state.reboot_onu(port, id, now) {
                Reply::empty()
            } else {
                Reply::line(NO_ONT)
            }
        }
        Waiting::ReleaseServicePort(port, id) if yes(line) => {
            if let Some(onu) = state.onu_mut(port, id) {
                onu.vlan = None;
            }
            Reply::empty()
        }
        Waiting::LogOut | Waiting::ResetOnt(..) | Waiting::ReleaseServicePort(..) => Reply::empty(),
    }
}

/// `{ <cr>||<K> }:` before a command runs, in smart mode.
fn hint(shell: &mut Shell, line: &str, confirmed: bool, text: &'static str) -> Option<Reply> {
    (shell.smart && !confirmed).then(|| {
        shell.waiting = Some(Waiting::Hint(line.trim().to_owned()));
        Reply::ask(text)
    })
}

fn parse_fsp(text: &str) -> Option<PonPort> {
    let mut parts = text.split('/').map(str::parse::<u8>);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(Ok(f)), Some(Ok(s)), Some(Ok(p)), None) => Some(PonPort::new(f, s, p)),
        _ => None,
    }
}

fn parse_fs(text: &str) -> Option<(u8, u8)> {
    let (f, s) = text.split_once('/')?;
    Some((f.parse().ok()?, s.parse().ok()?))
}

#[allow(clippy::too_many_lines)] // one table of commands
fn command(shell: &mut Shell, line: &str, state: &mut State, now: Instant, confirmed: bool) -> Reply {
    let mut tokens = tokenize(line);
    // `| no-more` (and any other filter) ends the command.
    let mut no_more = false;
    if let Some(bar) = tokens.iter().position(|t| t.text == "|") {
        no_more = tokens.get(bar + 1).is_some_and(|t| t.text == "no-more");
        tokens.truncate(bar);
    }
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let at = |i: usize| tokens.get(i).map_or(line.len(), |t| t.at);
    let page = |lines: Vec<String>| {
        if no_more { Reply::lines(lines) } else { Reply::paged(lines) }
    };
    let mode = shell.mode;
    let gpon = match mode {
        Mode::HwGpon(f, s) => Some((f, s)),
        _ => None,
    };
    let shown = mode != Mode::HwUser;
    match words.as_slice() {
        [] => Reply::empty(),
        ["undo", "smart"] => {
            shell.smart = false;
            Reply::empty()
        }
        ["smart"] => {
            shell.smart = true;
            Reply::empty()
        }
        ["scroll", ..] if state.faults.ignore_pager_off => unknown(shell, &tokens),
        ["scroll"] => {
            shell.page = None;
            Reply::empty()
        }
        ["scroll", n] => match n.parse::<usize>() {
            Ok(n) if (10..=512).contains(&n) => {
                shell.page = Some(n);
                Reply::empty()
            }
            _ => shell.bad_parameter(at(1)),
        },
        ["enable"] if mode == Mode::HwUser => {
            shell.mode = Mode::HwPrivileged;
            Reply::empty()
        }
        ["enable"] if mode == Mode::HwPrivileged => Reply::empty(),
        ["quit"] => match mode {
            Mode::HwUser | Mode::HwPrivileged => {
                shell.waiting = Some(Waiting::LogOut);
                Reply::ask(LOG_OUT)
            }
            Mode::HwConfig => {
                shell.mode = Mode::HwPrivileged;
                Reply::empty()
            }
            _ => {
                shell.mode = Mode::HwConfig;
                Reply::empty()
            }
        },
        ["return"] if matches!(mode, Mode::HwConfig | Mode::HwGpon(..)) => {
            shell.mode = Mode::HwPrivileged;
            Reply::empty()
        }
        ["config"] if mode == Mode::HwPrivileged => {
            shell.mode = Mode::HwConfig;
            Reply::empty()
        }
        ["interface", "gpon", fs] if mode == Mode::HwConfig => match parse_fs(fs) {
            Some((f, s)) if state.ports.iter().any(|p| p.addr.frame == f && p.addr.slot == s) => {
                shell.mode = Mode::HwGpon(f, s);
                Reply::empty()
            }
            _ => shell.bad_parameter(at(2)),
        },
        ["display", "ont", "autofind", "all"] if shown => {
            if let Some(r) = hint(shell, line, confirmed, DISPLAY_HINT) {
                return r;
            }
            page(autofind(state, None))
        }
        ["display", "ont", "autofind", p] if gpon.is_some() => {
            let Some(port) = gpon_port(gpon, p, state) else {
                return shell.bad_parameter(at(3));
            };
            if let Some(r) = hint(shell, line, confirmed, DISPLAY_HINT) {
                return r;
            }
            page(autofind(state, Some(port)))
        }
        ["display", "ont", "info", "summary", fsp] if shown => {
            let Some(port) = parse_fsp(fsp).and_then(|p| state.port(p)) else {
                return shell.bad_parameter(at(4));
            };
            if let Some(r) = hint(shell, line, confirmed, DISPLAY_HINT) {
                return r;
            }
            page(summary(state, port, now))
        }
        ["display", "ont", "info", frame, "all"] if shown && gpon.is_none() => {
            let Ok(frame) = frame.parse::<u8>() else {
                return shell.bad_parameter(at(3));
            };
            if let Some(r) = hint(shell, line, confirmed, DISPLAY_HINT) {
                return r;
            }
            let ports: Vec<&Port> =
                state.ports.iter().filter(|p| p.addr.frame == frame && !p.onus.is_empty()).collect();
            if ports.is_empty() {
                return Reply::line(NO_ONT);
            }
            let mut lines = Vec::new();
            for (i, port) in ports.into_iter().enumerate() {
                if i > 0 {
                    lines.push(String::new());
                }
                lines.extend(info_table(port));
            }
            page(lines)
        }
        ["display", "ont", "info", f, s, p, which] if shown => {
            let port = match (f.parse(), s.parse(), p.parse()) {
                (Ok(f), Ok(s), Ok(p)) => state.port(PonPort::new(f, s, p)),
                _ => None,
            };
            let Some(port) = port else {
                return shell.bad_parameter(at(3));
            };
            if let Some(r) = hint(shell, line, confirmed, DISPLAY_HINT) {
                return r;
            }
            ont_info(state, port, which, now, page)
        }
        ["display", "ont", "info", p, which] if gpon.is_some() => {
            let Some(port) = gpon_port(gpon, p, state).and_then(|p| state.port(p)) else {
                return shell.bad_parameter(at(3));
            };
            if let Some(r) = hint(shell, line, confirmed, DISPLAY_HINT) {
                return r;
            }
            ont_info(state, port, which, now, page)
        }
        ["display", "ont", "optical-info", p, which] if gpon.is_some() => {
            let Some(port) = gpon_port(gpon, p, state).and_then(|p| state.port(p)) else {
                return shell.bad_parameter(at(3));
            };
            if let Some(r) = hint(shell, line, confirmed, DISPLAY_HINT) {
                return r;
            }
            if *which == "all" {
                return page(optical_table(state, port, now));
            }
            let Ok(id) = which.parse::<u16>() else {
                return shell.bad_parameter(at(4));
            };
            match port.onus.get(&id) {
                None => Reply::line(NO_ONT),
                Some(onu) => match state.optics(onu, now) {
                    None => Reply::line(NOT_ONLINE),
                    Some(o) => page(optical_one(&o)),
                },
            }
        }
        ["ont", "add", rest @ ..] if gpon.is_some() => {
            let add = match parse_add(gpon, rest, state) {
                Ok(add) => add,
                Err(bad) => return shell.bad_parameter(at(2 + bad)),
            };
            if let Some(r) = hint(shell, line, confirmed, ADD_HINT) {
                return r;
            }
            let profiles = (add.line_profile, add.srv_profile);
            let added = state.add_onu(add.port, add.id, &add.serial, None, add.description.as_deref(), profiles, now);
            match added {
                Ok(id) => Reply::lines(vec![
                    "  Number of ONTs that can be added: 1, success: 1".to_owned(),
                    format!("  PortID :{}, ONTID :{id}", add.port.port),
                ]),
                Err(AddError::SerialExists) => Reply::line("  Failure: SN already exists"),
                Err(AddError::IdExists) => Reply::line("  Failure: The ONT ID has already existed"),
                Err(AddError::PortFull) => {
                    Reply::line("  Failure: The number of ONTs on the port reaches the upper limit")
                }
            }
        }
        ["ont", "delete", p, id] if gpon.is_some() => {
            let (Some(port), Ok(id)) = (gpon_port(gpon, p, state), id.parse::<u16>()) else {
                return shell.bad_parameter(at(2));
            };
            if state.delete_onu(port, id, now) {
                Reply::line("  Number of ONTs that can be deleted: 1, success: 1")
            } else {
                Reply::line(NO_ONT)
            }
        }
        ["ont", "reset", p, id] if gpon.is_some() => {
            let (Some(port), Ok(id)) = (gpon_port(gpon, p, state), id.parse::<u16>()) else {
                return shell.bad_parameter(at(2));
            };
            if state.onu_mut(port, id).is_none() {
                return Reply::line(NO_ONT);
            }
            shell.waiting = Some(Waiting::ResetOnt(port, id));
            Reply::ask("  Are you sure to reset the ONT(s)? (y/n)[n]:")
        }
        ["service-port", rest @ ..] if mode == Mode::HwConfig => {
            let after = |key: &str| rest.iter().position(|w| *w == key).and_then(|i| rest.get(i + 1));
            let vlan = after("vlan").and_then(|v| v.parse::<u16>().ok());
            let port = after("gpon").and_then(|p| parse_fsp(p));
            let id = after("ont").and_then(|i| i.parse::<u16>().ok());
            let (Some(vlan), Some(port), Some(id)) = (vlan, port, id) else {
                return shell.bad_parameter(at(1));
            };
            match state.onu_mut(port, id) {
                Some(onu) => {
                    onu.vlan = Some(vlan);
                    Reply::empty()
                }
                None => Reply::line(NO_ONT),
            }
        }
        ["undo", "service-port", "port", fsp, "ont", id] if mode == Mode::HwConfig => {
            let (Some(port), Ok(id)) = (parse_fsp(fsp), id.parse::<u16>()) else {
                return shell.bad_parameter(at(3));
            };
            if state.onu_mut(port, id).is_some_and(|o| o.vlan.is_some()) {
                shell.waiting = Some(Waiting::ReleaseServicePort(port, id));
                Reply::ask("  Are you sure to release service virtual port(s)? (y/n)[n]:")
            } else {
                Reply::line("  Failure: No service virtual port can be operated")
            }
        }
        _ => unknown(shell, &tokens),
    }
}

/// The caret goes under the first word no command of this shape starts
/// with; for a known verb, under its last word.
fn unknown(shell: &Shell, tokens: &[Token]) -> Reply {
    const VERBS: [&str; 9] =
        ["display", "ont", "interface", "service-port", "undo", "scroll", "config", "enable", "quit"];
    let known = tokens.first().is_some_and(|t| VERBS.contains(&t.text.as_str()));
    let at = if known { tokens.last().map_or(0, |t| t.at) } else { tokens.first().map_or(0, |t| t.at) };
    shell.unknown(at)
}

/// A port number typed in `interface gpon F/S`, if that port exists.
fn gpon_port(gpon: Option<(u8, u8)>, p: &str, state: &State) -> Option<PonPort> {
    let (f, s) = gpon?;
    let port = PonPort::new(f, s, p.parse().ok()?);
    state.port(port).map(|p| p.addr)
}

struct Add {
    port: PonPort,
    id: Option<u16>,
    serial: String,
    line_profile: u16,
    srv_profile: u16,
    description: Option<String>,
}

/// `ont add P [ID] sn-auth SN omci ont-lineprofile-id N
/// ont-srvprofile-id N [desc "X"]` (`-name S` for either profile). The
/// error is the index of the bad word in `rest`.
fn parse_add(gpon: Option<(u8, u8)>, rest: &[&str], state: &State) -> Result<Add, usize> {
    let port = rest.first().and_then(|p| gpon_port(gpon, p, state)).ok_or(0_usize)?;
    let mut i = 1;
    let id = match rest.get(1).map(|w| w.parse::<u16>()) {
        Some(Ok(id)) if id < 128 => {
            i = 2;
            Some(id)
        }
        Some(Ok(_)) => return Err(1),
        _ => None,
    };
    if rest.get(i) != Some(&"sn-auth") {
        return Err(i);
    }
    let serial = rest.get(i + 1).and_then(|s| parse_serial(s)).ok_or(i + 1)?;
    if rest.get(i + 2) != Some(&"omci") {
        return Err(i + 2);
    }
    let mut add = Add { port, id, serial, line_profile: 0, srv_profile: 0, description: None };
    let (mut line, mut srv) = (false, false);
    let mut k = i + 3;
    while k < rest.len() {
        let value = rest.get(k + 1).ok_or(k)?;
        match rest.get(k).copied() {
            Some("ont-lineprofile-id") => {
                add.line_profile = value.parse().map_err(|_| k + 1)?;
                line = true;
            }
            Some("ont-srvprofile-id") => {
                add.srv_profile = value.parse().map_err(|_| k + 1)?;
                srv = true;
            }
            Some("ont-lineprofile-name") => line = true,
            Some("ont-srvprofile-name") => srv = true,
            Some("desc") => add.description = Some((*value).to_owned()),
            _ => return Err(k),
        }
        k += 2;
    }
    if line && srv { Ok(add) } else { Err(rest.len()) }
}

fn fsp_spaced(p: PonPort) -> String {
    format!("{}/{:>2}/{:<2}", p.frame, p.slot, p.port)
}

fn hex_and_name(serial: &str) -> String {
    let (vendor, rest) = serial.split_at(serial.len().min(4));
    format!("{} ({vendor}-{rest})", serial_hex(serial))
}

fn autofind(state: &State, only: Option<PonPort>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut n = 0;
    for port in &state.ports {
        if only.is_some_and(|o| o != port.addr) {
            continue;
        }
        for found in &port.autofind {
            n += 1;
            let serial = &found.serial;
            let (vendor, rest) = serial.split_at(serial.len().min(4));
            let mac = rest.get(..8).unwrap_or(rest);
            let fields: [(&str, String); 16] = [
                ("Number", n.to_string()),
                ("F/S/P", port.addr.to_string()),
                ("ONT NNI type", "2.5G/1.25G".into()),
                ("Ont SN", hex_and_name(serial)),
                ("Password", "0x00000000000000000000".into()),
                ("Loid", String::new()),
                ("Checkcode", String::new()),
                ("VendorID", vendor.to_owned()),
                ("Ont Version", "159D.A".into()),
                ("Ont SoftwareVersion", "V5R019C10S385".into()),
                ("Ont EquipmentID", found.equipment.clone()),
                ("Ont Customized Info", "COMMON".into()),
                ("Ont MAC", format!("E813-{}-{}", mac.get(..4).unwrap_or("0000"), mac.get(4..).unwrap_or("0000"))),
                ("Ont Equipment SN", "-".into()),
                ("Ont autofind time", timestamp(state.unix_seconds(found.found), true)),
                ("Multi channel", "-".into()),
            ];
            lines.push(FIND_RULE.to_owned());
            for (label, value) in fields {
                if value.is_empty() {
                    lines.push(format!("   {label:<20}:"));
                } else {
                    lines.push(format!("   {label:<20}: {value}"));
                }
            }
        }
    }
    if n == 0 {
        return vec!["  Failure: The automatically found ONTs do not exist".to_owned()];
    }
    lines.push(FIND_RULE.to_owned());
    lines.push(format!("   The number of GPON autofind ONT is {n}"));
    lines
}

fn states(onu: &Onu) -> (&'static str, &'static str, &'static str) {
    if onu.state == OnuState::Online { ("online", "normal", "match") } else { ("offline", "initial", "initial") }
}

fn info_table(port: &Port) -> Vec<String> {
    let p = fsp_spaced(port.addr);
    let mut lines = vec![
        RULE.to_owned(),
        "  F/S/P   ONT         SN         Control     Run      Config   Match    Protect".to_owned(),
        "          ID                     flag        state    state    state    side ".to_owned(),
        RULE.to_owned(),
    ];
    let mut online = 0;
    for onu in port.onus.values() {
        let (run, config, matched) = states(onu);
        online += usize::from(onu.state == OnuState::Online);
        lines.push(format!(
            "  {p}{:>4}  {}  {:<12}{run:<9}{config:<9}{matched:<9}no ",
            onu.id,
            serial_hex(&onu.serial),
            "active"
        ));
    }
    lines.push(RULE.to_owned());
    lines.push("  F/S/P   ONT-ID   Description".to_owned());
    lines.push(RULE.to_owned());
    for onu in port.onus.values() {
        lines.push(format!("  {p}{:>7}   {}", onu.id, onu.description));
    }
    lines.push(RULE.to_owned());
    lines.push(format!("  In port {p}, the total of ONTs are: {}, online: {online}", port.onus.len()));
    lines.push(RULE.to_owned());
    lines
}

fn cause_text(cause: Option<DownCause>) -> &'static str {
    match cause {
        None => "-",
        Some(DownCause::Los) => "LOSi/LOBi",
        Some(DownCause::DyingGasp) => "dying-gasp",
        Some(DownCause::Reset) => "ONT is reset by ONT command",
    }
}

/// `1 day(s), 18 hour(s), 22 minute(s), 52 second(s)`
fn duration_text(secs: u64) -> String {
    format!(
        "{} day(s), {} hour(s), {} minute(s), {} second(s)",
        secs / 86_400,
        secs / 3_600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

fn ont_info(state: &State, port: &Port, which: &str, now: Instant, page: impl Fn(Vec<String>) -> Reply) -> Reply {
    if which == "all" {
        if port.onus.is_empty() {
            return Reply::line(NO_ONT);
        }
        return page(info_table(port));
    }
    let Some(onu) = which.parse::<u16>().ok().and_then(|id| port.onus.get(&id)) else {
        return Reply::line(NO_ONT);
    };
    let optics = state.optics(onu, now);
    let (run, config, matched) = states(onu);
    let time = |at: Option<Instant>| at.map_or("-".to_owned(), |t| timestamp(state.unix_seconds(t), true));
    let up_for = onu
        .last_up
        .filter(|_| onu.state == OnuState::Online)
        .map_or("-".to_owned(), |t| duration_text(now.saturating_duration_since(t).as_secs()));
    let dying = onu.last_down.filter(|_| onu.down_cause == Some(DownCause::DyingGasp));
    let fields: Vec<(&str, String)> = vec![
        ("F/S/P", port.addr.to_string()),
        ("ONT-ID", onu.id.to_string()),
        ("Control flag", "active".into()),
        ("Run state", run.into()),
        ("Config state", config.into()),
        ("Match state", matched.into()),
        ("DBA type", "SR".into()),
        ("ONT distance(m)", optics.map_or("-".to_owned(), |o| o.distance_m.to_string())),
        ("ONT last distance(m)", "-".into()),
        ("ONT battery state", "not support".into()),
        ("ONT power type", "-".into()),
        ("Memory occupation", optics.map_or("-".into(), |_| "37%".into())),
        ("CPU occupation", optics.map_or("-".into(), |_| "4%".into())),
        ("Temperature", optics.map_or("-".into(), |o| format!("{:.0}(C)", o.temperature_c))),
        ("Authentic type", "SN-auth".into()),
        ("SN", hex_and_name(&onu.serial)),
        ("Management mode", "OMCI".into()),
        ("Software work mode", "normal".into()),
        ("Isolation state", "normal".into()),
        ("ONT IP 0 address/mask", "-".into()),
        ("Description", onu.description.clone()),
        ("Last down cause", cause_text(onu.down_cause).into()),
        ("Last up time", time(onu.last_up)),
        ("Last down time", time(onu.last_down)),
        ("Last dying gasp time", time(dying)),
        ("ONT online duration", up_for.clone()),
        ("ONT system up duration", up_for),
        ("Type C support", "Not support".into()),
        ("Interoperability-mode", "ITU-T".into()),
        ("Power reduction status", "-".into()),
        ("FEC upstream state", "use-profile-config".into()),
        ("VS-ID", "0".into()),
        ("VS name", "admin-vs".into()),
        ("Global ONT-ID", onu.id.to_string()),
    ];
    let mut lines = vec![RULE.to_owned()];
    lines.extend(fields.into_iter().map(|(k, v)| format!("  {k:<24}: {v}")));
    lines.extend([
        RULE.to_owned(),
        "  VoIP configure method   : Default".to_owned(),
        RULE.to_owned(),
        format!("  Line profile ID      : {}", onu.line_profile),
        format!("  Line profile name    : line-profile_{}", onu.line_profile),
        RULE.to_owned(),
        format!("  Service profile ID   : {}", onu.srv_profile),
        format!("  Service profile name : srv-profile_{}", onu.srv_profile),
        RULE.to_owned(),
    ]);
    page(lines)
}

fn summary(state: &State, port: &Port, now: Instant) -> Vec<String> {
    let online = port.onus.values().filter(|o| o.state == OnuState::Online).count();
    let time = |at: Option<Instant>| at.map_or("-".to_owned(), |t| timestamp(state.unix_seconds(t), false));
    let mut lines = vec![
        WIDE_RULE.to_owned(),
        format!("  In port {}, the total of ONTs are: {}, online: {online}", port.addr, port.onus.len()),
        WIDE_RULE.to_owned(),
        "  ONT  Run     Last                Last                Last".to_owned(),
        "  ID   State   UpTime              DownTime            DownCause".to_owned(),
        WIDE_RULE.to_owned(),
    ];
    for onu in port.onus.values() {
        let cause: String =
            if onu.last_down.is_some() { cause_text(onu.down_cause).chars().take(25).collect() } else { "-".into() };
        lines.push(format!(
            "  {:<5}{:<8}{:<20}{:<20}{cause}",
            onu.id,
            states(onu).0,
            time(onu.last_up),
            time(onu.last_down)
        ));
    }
    lines.extend([
        WIDE_RULE.to_owned(),
        "  ONT        SN        Type          Distance Rx/Tx power  Description".to_owned(),
        "  ID                                    (m)      (dBm)".to_owned(),
        WIDE_RULE.to_owned(),
    ]);
    for onu in port.onus.values() {
        let (distance, power) = match state.optics(onu, now) {
            Some(o) => (o.distance_m.to_string(), format!("{:.2}/{:.2}", o.onu_rx_dbm, o.onu_tx_dbm)),
            None => ("-".to_owned(), "-/-".to_owned()),
        };
        lines.push(format!(
            "  {:<4}{:<17}{:<17}{distance:<6}{power:<13}{}",
            onu.id,
            serial_hex(&onu.serial),
            onu.equipment,
            onu.description
        ));
    }
    lines.push(WIDE_RULE.to_owned());
    lines
}

/// `display ont optical-info P all`: online ONTs only. Built in one
/// buffer: this is the bulk sweep's command.
fn optical_table(state: &State, port: &Port, now: Instant) -> Vec<String> {
    let mut lines = Vec::with_capacity(port.onus.len() + 5);
    lines.push(format!("{RULE} "));
    lines.push("  ONT  Rx power  Tx power  OLT Rx ONT  Temperature  Voltage  Current  Distance  ".to_owned());
    lines.push("  ID   (dBm)     (dBm)     power(dBm)  (C)          (V)      (mA)     (m)       ".to_owned());
    lines.push(format!("{RULE} "));
    let mut row = String::new();
    for onu in port.onus.values() {
        let Some(o) = state.optics(onu, now) else {
            continue;
        };
        row.clear();
        let _ = write!(
            row,
            "{:>5}  {:<10}{:<10}{:<12}{:<13}{:<9}{:<9}{:<8}",
            onu.id,
            format!("{:.2}", o.onu_rx_dbm),
            format!("{:.2}", o.onu_tx_dbm),
            format!("{:.2}", o.olt_rx_dbm),
            format!("{:.0}", o.temperature_c),
            format!("{:.3}", o.voltage_v),
            format!("{:.0}", o.bias_ma),
            o.distance_m
        );
        lines.push(row.clone());
    }
    lines.push(RULE.to_owned());
    lines
}

fn optical_one(o: &super::state::Optics) -> Vec<String> {
    let fields: [(&str, String); 29] = [
        ("ONU NNI port ID", "0".into()),
        ("Module type", "GPON".into()),
        ("Module sub-type", "CLASS B+".into()),
        ("Used type", "ONU".into()),
        ("Encapsulation Type", "BOSA ON BOARD".into()),
        ("Optical power precision(dBm)", "3.0".into()),
        ("Vendor name", "HUAWEI          ".into()),
        ("Vendor rev", "-".into()),
        ("Vendor PN", "HW-BOB-0007     ".into()),
        ("Vendor SN", "1943WJ830108S   ".into()),
        ("Date Code", "19-12-22".into()),
        ("Rx optical power(dBm)", format!("{:.2}", o.onu_rx_dbm)),
        ("Rx power current warning threshold(dBm)", "[-,-]".into()),
        ("Rx power current alarm threshold(dBm)", "[-29.0,-7.0]".into()),
        ("Tx optical power(dBm)", format!("{:.2}", o.onu_tx_dbm)),
        ("Tx power current warning threshold(dBm)", "[-,-]".into()),
        ("Tx power current alarm threshold(dBm)", "[0.0,5.0]".into()),
        ("Laser bias current(mA)", format!("{:.0}", o.bias_ma)),
        ("Tx bias current warning threshold(mA)", "[-,-]".into()),
        ("Tx bias current alarm threshold(mA)", "[2.000,100.000]".into()),
        ("Temperature(C)", format!("{:.0}", o.temperature_c)),
        ("Temperature warning threshold(C)", "[-,-]".into()),
        ("Temperature alarm threshold(C)", "[-61,95]".into()),
        ("Voltage(V)", format!("{:.3}", o.voltage_v)),
        ("Supply voltage warning threshold(V)", "[-,-]".into()),
        ("Supply voltage alarm threshold(V)", "[3.000,3.600]".into()),
        ("OLT Rx ONT optical power(dBm)", format!("{:.2}", o.olt_rx_dbm)),
        ("CATV Rx optical power(dBm)", "-".into()),
        ("CATV Rx power alarm threshold(dBm)", "[-,-]".into()),
    ];
    let mut lines = vec![RULE.to_owned()];
    lines.extend(fields.into_iter().map(|(k, v)| format!("  {k:<39}: {v}")));
    lines.push(RULE.to_owned());
    lines
}

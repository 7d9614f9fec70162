//! Huawei parsers against captured MA5600T/MA5800 output.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixture, through_terminal, with_huawei_pager};
use headend_olt::huawei::parse;
use headend_olt::{Dbm, OnuRef, PonPort, RunState, SerialNumber};

fn sn(s: &str) -> SerialNumber {
    SerialNumber::parse(s).unwrap()
}

#[test]
fn autofind_ma5600t_two_onts() {
    let found = parse::autofind(&fixture("huawei/autofind_ma5600t.txt")).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].port, PonPort::new(0, 1, 0));
    assert_eq!(found[0].serial, sn("HWTC11E70E9A"));
    assert_eq!(found[0].vendor_id, "HWTC");
    assert_eq!(found[0].equipment_id.as_deref(), Some("245H"));
    assert_eq!(found[0].software_version.as_deref(), Some("V3R015C10S150"));
    assert_eq!(found[1].serial, sn("48575443DE135E2D"));
    let t = found[0].found_at.unwrap();
    assert_eq!(t.civil.to_string(), "2000-01-01T00:00:00");
    assert!(t.offset.is_some());
}

#[test]
fn autofind_ma5800_with_hint_echo_and_total() {
    let found = parse::autofind(&fixture("huawei/autofind_ma5800.txt")).unwrap();
    assert_eq!(found.len(), 5);
    assert_eq!(found[1].port, PonPort::new(0, 1, 4));
    assert_eq!(found[1].equipment_id.as_deref(), Some("EG8141A5"));
    assert_eq!(found[4].vendor_id, "BDCM");
    assert_eq!(found[4].port, PonPort::new(0, 11, 9));
    let ts = found[0].found_at.unwrap().timestamp().unwrap();
    assert_eq!(ts.to_string(), "2024-03-12T06:33:42Z");
}

#[test]
fn autofind_none_found_is_empty() {
    assert!(parse::autofind(&fixture("huawei/autofind_empty.txt")).unwrap().is_empty());
    assert!(parse::autofind("").unwrap().is_empty());
}

#[test]
fn autofind_cut_short_is_an_error() {
    let text = fixture("huawei/autofind_ma5800.txt");
    let cut: String = text.lines().filter(|l| !l.contains("Number              : 3")).collect::<Vec<_>>().join("\n");
    // Block 3's lines now belong to block 2: a serial twice is still one block,
    // but the total no longer matches.
    let err = parse::autofind(&cut).unwrap_err();
    assert!(err.reason.contains("counts 5"), "{err}");
}

#[test]
fn autofind_garbage_is_an_error() {
    assert!(parse::autofind("% Unknown command, the error locates at '^'").is_err());
    assert!(parse::autofind("   Number : 1\n   F/S/P : 0/1/0\n").is_err());
    assert!(parse::autofind("   Number : 1\n   F/S/P : x\n   Ont SN : HWTC11E70E9A").is_err());
}

#[test]
fn autofind_through_the_terminal_with_pagers_and_crlf() {
    let raw = with_huawei_pager(&fixture("huawei/autofind_ma5800.txt"), 7);
    for chunk in [1, 3, 64, 4096] {
        let reply = through_terminal("MARLLM01(config)#", &raw, chunk);
        assert_eq!(parse::autofind(&reply).unwrap().len(), 5, "chunk {chunk}");
    }
}

#[test]
fn summary_of_a_full_port() {
    let onus = parse::ont_summary(&fixture("huawei/ont_summary_23.txt")).unwrap();
    assert_eq!(onus.len(), 23);
    assert!(onus.iter().all(|o| o.state == RunState::Online));
    assert_eq!(onus[18].onu, OnuRef::new(PonPort::new(0, 1, 0), 18));
    assert_eq!(onus[18].last_down_cause.as_deref(), Some("ONT is reset by ONT comma"));
    assert_eq!(onus[0].equipment_id.as_deref(), Some("AB1234C5"));
    assert_eq!(onus[0].description.as_deref(), Some("AB12"));
    assert_eq!(onus[0].last_up.unwrap().civil.to_string(), "2000-01-01T00:00:00");
    // The capture's serials are anonymised and are not real GPON serials.
    assert_eq!(onus[0].serial, None);
}

#[test]
fn summary_offline_with_dashes_and_dmy_dates() {
    let onus = parse::ont_summary(&fixture("huawei/ont_summary_offline.txt")).unwrap();
    assert_eq!(onus.len(), 2);
    assert_eq!(onus[0].state, RunState::Online);
    assert_eq!(onus[0].last_down, None);
    assert_eq!(onus[0].last_down_cause, None);
    assert_eq!(onus[1].state, RunState::Los);
    assert_eq!(onus[1].last_down.unwrap().civil.to_string(), "2000-01-01T00:00:00");
    assert_eq!(onus[1].equipment_id.as_deref(), Some("P871E-G"));
    assert_eq!(onus[1].description.as_deref(), Some("P871E"));
}

#[test]
fn summary_with_please_wait() {
    let onus = parse::ont_summary(&fixture("huawei/ont_summary_wait.txt")).unwrap();
    assert_eq!(onus.len(), 1);
    assert_eq!(onus[0].onu.port, PonPort::new(0, 2, 11));
    assert_eq!(onus[0].description.as_deref(), Some("huawei_ont_0"));
}

#[test]
fn summary_after_the_ma5800_hint_and_command_echo() {
    let onus = parse::ont_summary(&fixture("huawei/ont_summary_command_echo.txt")).unwrap();
    assert_eq!(onus, parse::ont_summary(&fixture("huawei/ont_summary_offline.txt")).unwrap());
    assert_eq!(onus.len(), 2);
}

#[test]
fn summary_dying_gasp_cause() {
    let text = fixture("huawei/ont_summary_offline.txt").replace("LOSi/LOBi", "dying-gasp");
    let onus = parse::ont_summary(&text).unwrap();
    assert_eq!(onus[1].state, RunState::DyingGasp);
}

#[test]
fn summary_missing_rows_is_an_error() {
    let text = fixture("huawei/ont_summary_23.txt");
    let cut: String = text.lines().filter(|l| !l.starts_with("  7    online")).collect::<Vec<_>>().join("\n");
    assert!(parse::ont_summary(&cut).is_err());
    assert!(parse::ont_summary("nothing to see").is_err());
}

#[test]
fn summary_through_the_terminal_with_pagers() {
    let raw = with_huawei_pager(&fixture("huawei/ont_summary_23.txt"), 10);
    let reply = through_terminal("MA5600T(config)#", &raw, 17);
    assert_eq!(parse::ont_summary(&reply).unwrap().len(), 23);
}

#[test]
fn ont_info_port_with_padded_slot() {
    let onus = parse::ont_info(&fixture("huawei/ont_info_port.txt")).unwrap();
    assert_eq!(onus.len(), 16);
    assert_eq!(onus[0].onu, OnuRef::new(PonPort::new(0, 2, 0), 0));
    assert_eq!(onus[0].state, RunState::Offline);
    assert_eq!(onus[1].state, RunState::Online);
    assert_eq!(onus[15].description.as_deref(), Some("The acrid shallot extends."));
    assert_eq!(onus.iter().filter(|o| o.state == RunState::Online).count(), 8);
}

#[test]
fn ont_info_two_ports() {
    let onus = parse::ont_info(&fixture("huawei/ont_info_two_ports.txt")).unwrap();
    assert_eq!(onus.len(), 2);
    assert_eq!(onus[1].onu.port, PonPort::new(0, 1, 2));
    assert_eq!(onus[1].serial, None);
    assert_eq!(onus[1].description.as_deref(), Some("ONT_NO_DESCRIPTION"));
}

#[test]
fn ont_info_short_count_is_an_error() {
    let text = fixture("huawei/ont_info_port.txt");
    let cut: String = text.lines().filter(|l| !l.contains("  15  1OJNON01PVSX1ZV3")).collect::<Vec<_>>().join("\n");
    assert!(parse::ont_info(&cut).is_err());
}

#[test]
fn optical_port_table() {
    let rows = parse::optical_port(&fixture("huawei/optical_port.txt")).unwrap();
    assert_eq!(rows.len(), 10);
    let (id, r) = &rows[0];
    assert_eq!(*id, 0);
    assert_eq!(r.onu_rx, Some(Dbm(-24.68)));
    assert_eq!(r.onu_tx, Some(Dbm(3.68)));
    assert_eq!(r.olt_rx, Some(Dbm(-22.68)));
    assert_eq!(r.temperature.map(|t| t.0), Some(38.0));
    assert_eq!(r.voltage.map(|v| v.0), Some(3.2));
    assert_eq!(r.bias_current.map(|c| c.0), Some(6.0));
    assert_eq!(r.distance.map(|d| d.0), Some(171.0));
}

#[test]
fn optical_port_after_the_ma5800_hint_and_command_echo() {
    let rows = parse::optical_port(&fixture("huawei/optical_port_command_echo.txt")).unwrap();
    assert_eq!(rows, parse::optical_port(&fixture("huawei/optical_port.txt")).unwrap());
    assert_eq!(rows.len(), 10);
}

#[test]
fn optical_port_dashes_and_extra_columns() {
    let text = fixture("huawei/optical_port.txt").replace(
        "    3  -25.37    3.91      -22.45      31           3.180    7        170",
        "    3  -         -         -           -            -        -        -         extra",
    );
    let rows = parse::optical_port(&text).unwrap();
    assert!(rows[3].1.is_empty());
    assert!(parse::optical_port("    0  -24.68  abc  -22.68").is_err());
    assert!(parse::optical_port("Failure: The port does not exist").is_err());
}

#[test]
fn optical_one_ont_ma5800() {
    let r = parse::optical_ont(&fixture("huawei/optical_ont_ma5800.txt")).unwrap();
    assert_eq!(r.onu_rx, Some(Dbm(-18.18)));
    assert_eq!(r.onu_tx, Some(Dbm(2.27)));
    assert_eq!(r.olt_rx, Some(Dbm(-22.22)));
    assert_eq!(r.temperature.map(|t| t.0), Some(58.0));
    assert_eq!(r.voltage.map(|v| v.0), Some(3.36));
    assert_eq!(r.bias_current.map(|c| c.0), Some(16.0));
    assert_eq!(r.distance, None);
}

#[test]
fn optical_one_ont_out_of_range_note() {
    let text = fixture("huawei/optical_ont_ma5800.txt").replace(": -22.22", ": -23.54, out of range[-30.00, -11.00]");
    assert_eq!(parse::optical_ont(&text).unwrap().olt_rx, Some(Dbm(-23.54)));
}

#[test]
fn optical_one_ont_offline_is_not_a_reading() {
    assert!(parse::optical_ont(&fixture("huawei/optical_ont_offline.txt")).is_err());
}

#[test]
fn ont_add_reply() {
    assert_eq!(parse::ont_added(&fixture("huawei/ont_add_ok.txt")).unwrap(), 5);
    assert!(parse::ont_added("  Number of ONTs that can be added: 1, success: 0").is_err());
    assert!(parse::ont_added(&fixture("huawei/ont_add_sn_exists.txt")).is_err());
}

#[test]
fn autofind_time_with_an_offset_too_large_is_an_error_not_a_panic() {
    let text = fixture("huawei/autofind_ma5800.txt").replace("02:33:42-04:00", "02:33:42-99999999:00");
    let err = parse::autofind(&text).unwrap_err();
    assert_eq!(err.line, Some(20), "{err}");
    assert!(err.reason.contains("-99999999:00"), "{err}");
}

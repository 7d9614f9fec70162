//! VSOL parsers against captured V1600G output.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixture, through_terminal};
use headend_olt::vsol::parse;
use headend_olt::{Dbm, OnuRef, PonPort, RunState, SerialNumber, refusal};

#[test]
fn autofind_rows() {
    let found = parse::autofind(&fixture("vsol/autofind.txt")).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].port, PonPort::vsol(1));
    assert_eq!(found[0].serial, SerialNumber::parse("GPON002E64F8").unwrap());
    assert_eq!(found[0].proposed_id, Some(1));
    assert_eq!(found[1].vendor_id, "HWTC");
}

#[test]
fn autofind_aligned_with_cursor_forward() {
    // VSOL pads its columns with ESC[nC, not blanks.
    let raw = "OnuIndex\x1b[17CSn\x1b[23CState\n---------\nGPON0/1:1\x1b[16CGPON002E64F8\x1b[13Cunknow";
    let reply = through_terminal("OLT(config-pon-0/1)#", raw, 5);
    let found = parse::autofind(&reply).unwrap();
    assert_eq!(found.len(), 1);
}

#[test]
fn autofind_header_only_is_empty() {
    assert!(parse::autofind("OnuIndex    Sn    State\n-----------").unwrap().is_empty());
    assert!(parse::autofind("").unwrap().is_empty());
    assert!(parse::autofind("bogus text").is_err());
}

#[test]
fn onu_info_rows() {
    let rows = parse::onu_info(&fixture("vsol/onu_info.txt")).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].onu, OnuRef::new(PonPort::vsol(1), 1));
    assert_eq!(rows[0].model, None);
    assert_eq!(rows[1].model.as_deref(), Some("HG6143D"));
    assert_eq!(rows[1].profile.as_deref(), Some("AN5506-04-F1"));
    assert_eq!(rows[2].serial, Some(SerialNumber::parse("GPON0049BA70").unwrap()));
}

#[test]
fn onu_state_rows() {
    let rows = parse::onu_state(&fixture("vsol/onu_state.txt")).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].onu, OnuRef::new(PonPort::vsol(1), 1));
    assert_eq!(rows[0].state, RunState::Online);
    assert_eq!(rows[1].state, RunState::Other("syncMib".into()));
    assert_eq!(rows[2].state, RunState::DyingGasp);
}

#[test]
fn onu_state_with_the_summary_line_of_a_real_v1600g() {
    // The V1600G ends `show onu state` with `pon: 1 total: 3 working: 1`.
    let rows = parse::onu_state(&fixture("vsol/onu_state_summary.txt")).unwrap();
    assert_eq!(rows, parse::onu_state(&fixture("vsol/onu_state.txt")).unwrap());
    assert_eq!(rows.len(), 3);
}

#[test]
fn optical_key_value() {
    let r = parse::optical(&fixture("vsol/optical_info.txt")).unwrap();
    assert_eq!(r.onu_rx, Some(Dbm(-22.93)));
    assert_eq!(r.onu_tx, Some(Dbm(2.38)));
    assert_eq!(r.voltage.map(|v| v.0), Some(3.3));
    assert_eq!(r.bias_current.map(|v| v.0), Some(8.976));
    assert_eq!(r.temperature.map(|v| v.0), Some(52.199));
    assert_eq!(r.olt_rx, None);
}

#[test]
fn optical_split_lines() {
    let r = parse::optical(&fixture("vsol/optical_info_split.txt")).unwrap();
    assert_eq!(r.onu_rx, Some(Dbm(-24.202)));
    assert_eq!(r.onu_tx, Some(Dbm(1.888)));
    assert_eq!(r.voltage.map(|v| v.0), Some(3.38));
    assert_eq!(r.temperature.map(|v| v.0), Some(29.25));
}

#[test]
fn optical_garbage_is_an_error() {
    assert!(parse::optical("nothing here").is_err());
    assert!(parse::optical("Rx optical level: lots").is_err());
}

#[test]
fn unknown_command_is_a_refusal() {
    assert_eq!(refusal(&fixture("vsol/unknown_command.txt")).as_deref(), Some("Unknown command."));
}

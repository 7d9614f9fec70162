//! ZTE parsers against captured C300/C320 and C600 output.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixture, through_terminal, with_zte_pager};
use headend_olt::zte::parse;
use headend_olt::{Dbm, OnuRef, PonPort, RunState, SerialNumber, refusal};

fn sn(s: &str) -> SerialNumber {
    SerialNumber::parse(s).unwrap()
}

#[test]
fn uncfg_c320() {
    let found = parse::uncfg(&fixture("zte/c320_uncfg.txt")).unwrap();
    assert_eq!(found.len(), 3);
    assert_eq!(found[0].port, PonPort::new(1, 1, 1));
    assert_eq!(found[0].serial, sn("HWTC1F14CAAD"));
    assert_eq!(found[0].vendor_id, "HWTC");
    assert_eq!(found[2].proposed_id, Some(3));
    assert_eq!(found[2].equipment_id, None);
}

#[test]
fn uncfg_c300_two_ports() {
    let found = parse::uncfg(&fixture("zte/c300_uncfg_two_ports.txt")).unwrap();
    assert_eq!(found[0].port, PonPort::new(1, 3, 16));
    assert_eq!(found[0].proposed_id, Some(8));
    assert_eq!(found[1].serial, sn("ZTEGD5D42874"));
}

#[test]
fn uncfg_empty_code_32310() {
    assert!(parse::uncfg(&fixture("zte/c320_uncfg_empty.txt")).unwrap().is_empty());
}

#[test]
fn uncfg_c600_with_model_column() {
    let found = parse::uncfg(&fixture("zte/c600_uncfg.txt")).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].port, PonPort::new(1, 1, 5));
    assert_eq!(found[0].equipment_id.as_deref(), Some("F670LV9.0"));
    assert_eq!(found[0].serial, sn("ZTEGDC79F447"));
    assert_eq!(found[0].proposed_id, None);
    assert_eq!(found[1].equipment_id, None);
}

#[test]
fn uncfg_row_without_serial_or_garbage_is_an_error() {
    assert!(parse::uncfg("gpon-onu_1/1/1:1  ????  unknown").is_err());
    assert!(parse::uncfg("something else entirely").is_err());
}

#[test]
fn state_with_o7_column() {
    let rows = parse::onu_state(&fixture("zte/c320_onu_state_o7.txt")).unwrap();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0].onu, OnuRef::new(PonPort::new(1, 1, 1), 1));
    assert_eq!(rows[0].state, RunState::Online);
    assert_eq!(rows[2].state, RunState::Los);
    assert_eq!(rows[6].state, RunState::DyingGasp);
    assert!(rows.iter().all(|r| r.admin_enabled));
}

#[test]
fn state_with_channel_column_and_total() {
    let rows = parse::onu_state(&fixture("zte/c320_onu_state_channel.txt")).unwrap();
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[0].onu, OnuRef::new(PonPort::new(1, 2, 1), 1));
    assert_eq!(rows[0].state, RunState::Offline);
    assert_eq!(rows[3].state, RunState::Online);
    assert_eq!(rows[10].state, RunState::DyingGasp);
}

#[test]
fn state_c600_speed_mode() {
    let rows = parse::onu_state(&fixture("zte/c600_onu_state.txt")).unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[2].onu.id, 12);
    assert_eq!(rows[2].state, RunState::DyingGasp);
    assert_eq!(rows[4].state, RunState::Los);
}

#[test]
fn state_without_header_finds_the_phase_word() {
    let rows = parse::onu_state("1/1/1:7  enable  disable  LOS  1(GPON)\n").unwrap();
    assert_eq!(rows[0].state, RunState::Los);
}

#[test]
fn state_through_the_terminal_with_more() {
    let raw = with_zte_pager(&fixture("zte/c320_onu_state_o7.txt"), 5);
    for chunk in [1, 7, 1000] {
        let reply = through_terminal("ZXAN#", &raw, chunk);
        assert_eq!(parse::onu_state(&reply).unwrap().len(), 12, "chunk {chunk}");
    }
}

#[test]
fn baseinfo_c320_and_c600() {
    let rows = parse::baseinfo(&fixture("zte/c320_baseinfo.txt")).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].onu, OnuRef::new(PonPort::new(1, 1, 9), 1));
    assert_eq!(rows[0].onu_type.as_deref(), Some("ZTE-F670"));
    assert_eq!(rows[1].serial, Some(sn("ITBSCF8F197E")));
    let rows = parse::baseinfo(&fixture("zte/c600_baseinfo.txt")).unwrap();
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[8].onu.id, 41);
    assert_eq!(rows[8].onu_type.as_deref(), Some("LD420-10R"));
    assert_eq!(rows[8].serial, Some(sn("FRKW11756D49")));
}

#[test]
fn baseinfo_skips_a_blank_line_and_a_summary() {
    let rows = parse::baseinfo(&fixture("zte/c320_baseinfo_summary.txt")).unwrap();
    assert_eq!(rows, parse::baseinfo(&fixture("zte/c320_baseinfo.txt")).unwrap());
    assert_eq!(rows.len(), 3);
}

#[test]
fn attenuation_up_and_down() {
    let r = parse::attenuation(&fixture("zte/c320_power_attenuation.txt")).unwrap();
    assert_eq!(r.olt_rx, Some(Dbm(-20.241)));
    assert_eq!(r.onu_tx, Some(Dbm(2.423)));
    assert_eq!(r.olt_tx, Some(Dbm(5.369)));
    assert_eq!(r.onu_rx, Some(Dbm(-16.676)));
}

#[test]
fn attenuation_offline_is_none() {
    let text = " up      Rx :N/A      Tx:N/A        N/A\n\n down    Tx :5.369(dbm)        Rx:N/A      N/A";
    let r = parse::attenuation(text).unwrap();
    assert_eq!(r.onu_rx, None);
    assert_eq!(r.olt_rx, None);
    assert_eq!(r.olt_tx, Some(Dbm(5.369)));
    assert!(parse::attenuation(" up  Rx :-1(dbm)").is_err());
}

#[test]
fn remote_onu_pon_offline_zeros_are_no_reading() {
    let r = parse::remote_onu_pon(&fixture("zte/c320_remote_onu_pon_offline.txt")).unwrap();
    assert!(r.is_empty(), "{r:?}");
}

#[test]
fn remote_onu_pon_online() {
    let text = fixture("zte/c320_remote_onu_pon_offline.txt")
        .replace("Rx optical level:            N/A", "Rx optical level:            -19.586(dbm)")
        .replace("Tx optical level:            N/A", "Tx optical level:            2.238(dbm)")
        .replace("0.00(V)", "3.28(V)")
        .replace("0.000(mA)", "11.200(mA)")
        .replace("0.000(C)", "41.500(C)");
    let r = parse::remote_onu_pon(&text).unwrap();
    assert_eq!(r.onu_rx, Some(Dbm(-19.586)));
    assert_eq!(r.voltage.map(|v| v.0), Some(3.28));
    assert_eq!(r.bias_current.map(|v| v.0), Some(11.2));
    assert_eq!(r.temperature.map(|v| v.0), Some(41.5));
}

#[test]
fn onu_rx_per_port() {
    let rows = parse::onu_rx(&fixture("zte/c320_power_onu_rx.txt")).unwrap();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0], (OnuRef::new(PonPort::new(1, 1, 1), 1), Some(Dbm(-16.676))));
    assert_eq!(rows[2].1, None);
    assert_eq!(rows[11].0.id, 14);
}

#[test]
fn error_replies_are_refusals() {
    assert!(refusal(&fixture("zte/onu_already_registered.txt")).unwrap().contains("already registered"));
    assert!(refusal(&fixture("zte/invalid_input.txt")).unwrap().contains("Invalid input"));
}

#[test]
fn detail_info_gives_description_and_history() {
    let d = parse::detail_info(&fixture("zte/c320_detail_info.txt")).unwrap();
    assert_eq!(d.onu, OnuRef::new(PonPort::new(1, 1, 1), 1));
    assert_eq!(d.name.as_deref(), Some("Client"));
    assert_eq!(d.description.as_deref(), Some("ONU-1:1"));
    assert_eq!(d.onu_type.as_deref(), Some("F609"));
    assert_eq!(d.serial, Some(sn("ZTEGC0FFEE01")));
    assert_eq!(d.state, RunState::Online);
    assert_eq!(d.distance.map(|m| m.0), Some(3703.0));
    assert_eq!(d.last_up.unwrap().civil.to_string(), "2022-09-05T14:04:42");
    assert_eq!(d.last_down, None);
}

#[test]
fn detail_info_with_a_cause() {
    let text = fixture("zte/c320_detail_info.txt").replace(
        "   2   0000-00-00 00:00:00    0000-00-00 00:00:00",
        "   2   2022-09-01 10:00:00    2022-09-05 13:59:02     DyingGasp",
    );
    let d = parse::detail_info(&text).unwrap();
    assert_eq!(d.last_down.unwrap().civil.to_string(), "2022-09-05T13:59:02");
    assert_eq!(d.last_down_cause.as_deref(), Some("DyingGasp"));
    assert!(parse::detail_info("Name: x").is_err());
}

#[test]
fn detail_info_with_an_offset_too_large_is_an_error_not_a_panic() {
    // `h * 3600` on these overflowed an i32.
    for offset in ["+99999999:00", "-2147483647:00", "+00:99999999", "+26:00"] {
        let text = fixture("zte/c320_detail_info.txt")
            .replace("   1   2022-09-05 14:04:42 ", &format!("   1   2022-09-05 14:04:42{offset} "));
        let err = parse::detail_info(&text).unwrap_err();
        assert_eq!(err.line, Some(27), "{offset}: {err}");
        assert!(err.reason.contains(offset), "{err}");
    }
}

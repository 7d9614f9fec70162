//! Each vendor's operations over a scripted CLI: the exact command lines
//! sent, in order, and what comes back, with replies from the fixtures.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::VecDeque;

use common::fixture;
use headend_core::olt::OltVendor;
use headend_olt::terminal::{Mode, Prompt};
use headend_olt::{
    AuthorizeFailure, AuthorizeRequest, Cli, Dbm, Leftover, OltError, OnuProfile, OnuRef, Operations, PonPort,
    ProfileRef, Reply, RunState, SerialNumber, Vlan,
};

/// Expects these commands in this order; answers each with its reply and
/// prompt mode.
struct Script {
    host: &'static str,
    steps: VecDeque<(String, String, Mode)>,
    sent: Vec<String>,
    /// Commands whose answer never comes.
    dead: Vec<String>,
}

impl Script {
    fn new(host: &'static str) -> Self {
        Script { host, steps: VecDeque::new(), sent: Vec::new(), dead: Vec::new() }
    }

    fn then(mut self, cmd: &str, reply: &str, mode: Mode) -> Self {
        self.steps.push_back((cmd.to_owned(), reply.to_owned(), mode));
        self
    }

    /// Expects `cmd`, and the session dies instead of answering.
    fn fail(mut self, cmd: &str) -> Self {
        self.steps.push_back((cmd.to_owned(), String::new(), Mode::User));
        self.dead.push(cmd.to_owned());
        self
    }

    fn done(&self) {
        assert!(
            self.steps.is_empty(),
            "commands never sent: {:?}",
            self.steps.iter().map(|s| &s.0).collect::<Vec<_>>()
        );
    }
}

impl Cli for Script {
    async fn run(&mut self, command: &str) -> Result<Reply, OltError> {
        self.sent.push(command.to_owned());
        let Some((expected, text, mode)) = self.steps.pop_front() else {
            panic!("unexpected command {command:?} after the script ended; sent: {:?}", self.sent);
        };
        assert_eq!(command, expected, "sent so far: {:?}", self.sent);
        if self.dead.contains(&expected) {
            return Err(OltError::Closed("the script hung up".into()));
        }
        Ok(Reply { text, prompt: Prompt { host: self.host.into(), mode } })
    }
}

fn cfg() -> Mode {
    Mode::Config
}
fn sub(s: &str) -> Mode {
    Mode::Sub(s.into())
}
fn sn(s: &str) -> SerialNumber {
    SerialNumber::parse(s).unwrap()
}

// ---------------------------------------------------------------- Huawei

fn huawei() -> Operations {
    Operations::new(OltVendor::Huawei)
}

fn hw_req() -> AuthorizeRequest {
    AuthorizeRequest {
        port: PonPort::new(0, 1, 0),
        serial: sn("HWTC0B086EA9"),
        onu_id: None,
        profile: OnuProfile {
            line: Some(ProfileRef::Id(10)),
            service: Some(ProfileRef::Id(10)),
            ..OnuProfile::default()
        },
        vlan: Vlan::new(100),
        description: Some("Maria Lopez".into()),
    }
}

#[tokio::test]
async fn huawei_prepare_from_user_mode() {
    let mut s = Script::new("MA5600T")
        .then("enable", "", Mode::Privileged)
        .then("undo smart", "", Mode::Privileged)
        .then("scroll", "% Unknown command, the error locates at '^'", Mode::Privileged)
        .then("screen-length 0 temporary", "", Mode::Privileged)
        .then("config", "", cfg());
    huawei().prepare(&mut s, &Mode::User).await.unwrap();
    s.done();
}

#[tokio::test]
async fn huawei_autofind_and_nothing_found() {
    let mut s = Script::new("MA5800").then("display ont autofind all", &fixture("huawei/autofind_ma5800.txt"), cfg());
    assert_eq!(huawei().autofind(&mut s).await.unwrap().len(), 5);
    let mut s = Script::new("MA5800").then("display ont autofind all", &fixture("huawei/autofind_empty.txt"), cfg());
    assert!(huawei().autofind(&mut s).await.unwrap().is_empty());
}

#[tokio::test]
async fn huawei_onus_of_a_port_and_of_all() {
    let mut s = Script::new("MA5600T").then(
        "display ont info summary 0/1/0",
        &fixture("huawei/ont_summary_offline.txt"),
        cfg(),
    );
    let onus = huawei().onus(&mut s, Some(PonPort::new(0, 1, 0))).await.unwrap();
    assert_eq!(onus[1].state, RunState::Los);
    let mut s = Script::new("MA5600T").then("display ont info 0 all", &fixture("huawei/ont_info_two_ports.txt"), cfg());
    assert_eq!(huawei().onus(&mut s, None).await.unwrap().len(), 2);
    // No ONT registered anywhere: an empty list, not a refusal.
    let mut s = Script::new("MA5600T").then("display ont info 0 all", &fixture("huawei/ont_delete_missing.txt"), cfg());
    assert!(huawei().onus(&mut s, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn huawei_optical_enters_and_leaves_the_interface() {
    let onu = OnuRef::new(PonPort::new(0, 1, 2), 0);
    let mut s = Script::new("MARLLM01")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("display ont optical-info 2 0", &fixture("huawei/optical_ont_ma5800.txt"), sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    let r = huawei().optical(&mut s, onu).await.unwrap();
    assert_eq!(r.onu_rx, Some(Dbm(-18.18)));
    s.done();
}

#[tokio::test]
async fn huawei_optical_of_an_offline_ont_is_empty() {
    let onu = OnuRef::new(PonPort::new(0, 1, 2), 9);
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("display ont optical-info 2 9", &fixture("huawei/optical_ont_offline.txt"), sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    assert!(huawei().optical(&mut s, onu).await.unwrap().is_empty());
}

#[tokio::test]
async fn huawei_optical_port_quits_even_when_the_reply_is_bad() {
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("display ont optical-info 0 all", "something unexpected", sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    let err = huawei().optical_port(&mut s, PonPort::new(0, 1, 0)).await.unwrap_err();
    assert!(matches!(err, OltError::Parse { .. }), "{err}");
    s.done();
}

#[tokio::test]
async fn huawei_optical_port_rows() {
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("display ont optical-info 0 all", &fixture("huawei/optical_port.txt"), sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    let rows = huawei().optical_port(&mut s, PonPort::new(0, 1, 0)).await.unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[9].onu, OnuRef::new(PonPort::new(0, 1, 0), 9));
}

#[tokio::test]
async fn huawei_authorize_with_vlan() {
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then(
            "ont add 0 sn-auth 485754430B086EA9 omci ont-lineprofile-id 10 ont-srvprofile-id 10 desc \"Maria Lopez\"",
            &fixture("huawei/ont_add_ok.txt"),
            sub("config-if-gpon-0/1"),
        )
        .then("quit", "", cfg())
        .then(
            "service-port vlan 100 gpon 0/1/0 ont 5 gemport 1 multi-service user-vlan 100 tag-transform translate",
            "",
            cfg(),
        );
    let onu = huawei().authorize(&mut s, &hw_req()).await.unwrap();
    assert_eq!(onu, OnuRef::new(PonPort::new(0, 1, 0), 5));
    s.done();
}

#[tokio::test]
async fn huawei_authorize_refused_sn_exists() {
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then(
            "ont add 0 sn-auth 485754430B086EA9 omci ont-lineprofile-id 10 ont-srvprofile-id 10 desc \"Maria Lopez\"",
            &fixture("huawei/ont_add_sn_exists.txt"),
            sub("config-if-gpon-0/1"),
        )
        .then("quit", "", cfg());
    // Refused at `ont add`: nothing was registered (and the ONT that has
    // the serial already is not this request's to remove).
    match huawei().authorize(&mut s, &hw_req()).await {
        Err(AuthorizeFailure { error: OltError::Refused { message, .. }, leftover: None }) => {
            assert_eq!(message, "Failure: SN already exists")
        }
        other => panic!("{other:?}"),
    }
    s.done();
}

#[tokio::test]
async fn huawei_authorize_reports_the_ont_left_when_the_service_port_fails() {
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then(
            "ont add 0 sn-auth 485754430B086EA9 omci ont-lineprofile-id 10 ont-srvprofile-id 10 desc \"Maria Lopez\"",
            &fixture("huawei/ont_add_ok.txt"),
            sub("config-if-gpon-0/1"),
        )
        .then("quit", "", cfg())
        .then(
            "service-port vlan 100 gpon 0/1/0 ont 5 gemport 1 multi-service user-vlan 100 tag-transform translate",
            "  Failure: The VLAN does not exist",
            cfg(),
        );
    // Not undone on this session: the caller does it on another one.
    let failure = huawei().authorize(&mut s, &hw_req()).await.unwrap_err();
    assert!(matches!(failure.error, OltError::Refused { .. }));
    let left = failure.leftover.unwrap();
    assert_eq!((left.port, left.serial, left.id), (PonPort::new(0, 1, 0), sn("HWTC0B086EA9"), Some(5)));
    s.done();
}

#[tokio::test]
async fn huawei_authorize_without_the_ont_add_reply_leaves_an_ont_of_unknown_id() {
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .fail("ont add 0 sn-auth 485754430B086EA9 omci ont-lineprofile-id 10 ont-srvprofile-id 10 desc \"Maria Lopez\"")
        .fail("quit");
    let failure = huawei().authorize(&mut s, &hw_req()).await.unwrap_err();
    assert!(matches!(failure.error, OltError::Closed(_)));
    assert_eq!(failure.leftover.map(|l| l.id), Some(None));
    s.done();
}

#[tokio::test]
async fn huawei_leftover_is_found_by_serial_and_removed() {
    // `ont_summary_offline.txt` with the serials made different.
    let summary = fixture("huawei/ont_summary_offline.txt")
        .replacen("AAAAAAAAAAAAAAAA", "4857544300C0FFEE", 1)
        .replacen("AAAAAAAAAAAAAAAA", "485754430B086EA9", 1);
    let left = Leftover { port: PonPort::new(0, 1, 0), serial: sn("HWTC0B086EA9"), id: None };
    let mut s = Script::new("MA5600T")
        .then("display ont info summary 0/1/0", &summary, cfg())
        .then("undo service-port port 0/1/0 ont 1", "", cfg())
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("ont delete 0 1", "", sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    assert!(huawei().remove_leftover(&mut s, &left).await.unwrap());
    s.done();
    // Not there (the OLT never applied the `ont add`), or another ONT at
    // the id: nothing is removed.
    for left in [Leftover { serial: sn("HWTC0BADBEEF"), ..left.clone() }, Leftover { id: Some(0), ..left }] {
        let mut s = Script::new("MA5600T").then("display ont info summary 0/1/0", &summary, cfg());
        assert!(!huawei().remove_leftover(&mut s, &left).await.unwrap());
        s.done();
    }
}

#[tokio::test]
async fn huawei_invalid_request_sends_nothing() {
    let mut req = hw_req();
    req.profile.service = None;
    let mut s = Script::new("MA5600T");
    assert!(matches!(
        huawei().authorize(&mut s, &req).await,
        Err(AuthorizeFailure { error: OltError::InvalidRequest(_), leftover: None })
    ));
    assert!(s.sent.is_empty());
}

#[tokio::test]
async fn huawei_deregister_and_reboot() {
    let onu = OnuRef::new(PonPort::new(0, 1, 0), 5);
    let mut s = Script::new("MA5600T")
        .then("undo service-port port 0/1/0 ont 5", "  Failure: No service virtual port can be operated", cfg())
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("ont delete 0 5", "  Number of ONTs that can be deleted: 1, success: 1", sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    huawei().deregister(&mut s, onu).await.unwrap();
    s.done();
    let mut s = Script::new("MA5600T")
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("ont reset 0 5", "  Are you sure to reset the ONT(s)? (y/n)[n]:\ny", sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    huawei().reboot(&mut s, onu).await.unwrap();
    s.done();
}

#[tokio::test]
async fn huawei_deregister_missing_ont_is_refused() {
    let onu = OnuRef::new(PonPort::new(0, 1, 0), 99);
    let mut s = Script::new("MA5600T")
        .then("undo service-port port 0/1/0 ont 99", "", cfg())
        .then("interface gpon 0/1", "", sub("config-if-gpon-0/1"))
        .then("ont delete 0 99", &fixture("huawei/ont_delete_missing.txt"), sub("config-if-gpon-0/1"))
        .then("quit", "", cfg());
    match huawei().deregister(&mut s, onu).await {
        Err(OltError::Refused { command, message }) => {
            assert_eq!(command, "ont delete 0 99");
            assert_eq!(message, "Failure: The ONT does not exist");
        }
        other => panic!("{other:?}"),
    }
    s.done();
}

// ---------------------------------------------------------------- ZTE

fn zte_req(vlan: Option<u16>) -> AuthorizeRequest {
    AuthorizeRequest {
        port: PonPort::new(1, 1, 1),
        serial: sn("ZTEGD824CDF3"),
        onu_id: None,
        profile: OnuProfile {
            onu_type: Some("ZTE-F660".into()),
            tcont_profile: Some("UP-100M".into()),
            ..OnuProfile::default()
        },
        vlan: vlan.and_then(Vlan::new),
        description: None,
    }
}

#[tokio::test]
async fn zte_prepare() {
    let mut s = Script::new("ZXAN").then("terminal length 0", "", Mode::Privileged);
    Operations::new(OltVendor::Zte).prepare(&mut s, &Mode::Privileged).await.unwrap();
    s.done();
}

#[tokio::test]
async fn zte_autofind_both_families() {
    let mut s = Script::new("ZXAN").then("show gpon onu uncfg", &fixture("zte/c320_uncfg.txt"), Mode::Privileged);
    assert_eq!(Operations::new(OltVendor::Zte).autofind(&mut s).await.unwrap().len(), 3);
    let mut s = Script::new("ZXAN").then("show gpon onu uncfg", &fixture("zte/c320_uncfg_empty.txt"), Mode::Privileged);
    assert!(Operations::new(OltVendor::Zte).autofind(&mut s).await.unwrap().is_empty());
    let mut s = Script::new("ZXAN").then("show pon onu uncfg", &fixture("zte/c600_uncfg.txt"), Mode::Privileged);
    assert_eq!(Operations::new(OltVendor::ZteTitan).autofind(&mut s).await.unwrap().len(), 2);
}

#[tokio::test]
async fn zte_onus_join_state_and_baseinfo() {
    let mut s = Script::new("ZXAN")
        .then("show gpon onu state gpon_olt-1/1/1", &fixture("zte/c600_onu_state.txt"), Mode::Privileged)
        .then("show gpon onu baseinfo gpon_olt-1/1/1", &fixture("zte/c600_baseinfo.txt"), Mode::Privileged);
    let onus = Operations::new(OltVendor::ZteTitan).onus(&mut s, Some(PonPort::new(1, 1, 1))).await.unwrap();
    assert_eq!(onus.len(), 6);
    assert_eq!(onus[2].onu.id, 12);
    assert_eq!(onus[2].state, RunState::DyingGasp);
    assert_eq!(onus[2].serial, Some(sn("FRKW2782EC6E")));
    assert_eq!(onus[2].equipment_id.as_deref(), Some("630-10B"));
    s.done();
}

#[tokio::test]
async fn zte_onus_of_all_ports_asks_baseinfo_per_port() {
    let mut s =
        Script::new("ZXAN").then("show gpon onu state", &fixture("zte/c320_onu_state_o7.txt"), Mode::Privileged).then(
            "show gpon onu baseinfo gpon-olt_1/1/1",
            "%Code 32310-GPONSRV : No related information to show.",
            Mode::Privileged,
        );
    let onus = Operations::new(OltVendor::Zte).onus(&mut s, None).await.unwrap();
    assert_eq!(onus.len(), 12);
    assert_eq!(onus[0].serial, None);
    s.done();
}

#[tokio::test]
async fn zte_optical_combines_attenuation_and_the_onu_module() {
    let onu = OnuRef::new(PonPort::new(1, 1, 1), 1);
    let module = fixture("zte/c320_remote_onu_pon_offline.txt")
        .replace("0.00(V)", "3.28(V)")
        .replace("0.000(C)", "41.500(C)")
        .replace("0.000(mA)", "11.2(mA)");
    let mut s = Script::new("ZXAN")
        .then(
            "show pon power attenuation gpon-onu_1/1/1:1",
            &fixture("zte/c320_power_attenuation.txt"),
            Mode::Privileged,
        )
        .then("show gpon remote-onu interface pon gpon-onu_1/1/1:1", &module, Mode::Privileged);
    let r = Operations::new(OltVendor::Zte).optical(&mut s, onu).await.unwrap();
    assert_eq!(r.onu_rx, Some(Dbm(-16.676)));
    assert_eq!(r.olt_rx, Some(Dbm(-20.241)));
    assert_eq!(r.olt_tx, Some(Dbm(5.369)));
    assert_eq!(r.temperature.map(|t| t.0), Some(41.5));
    s.done();
}

#[tokio::test]
async fn zte_optical_of_a_dark_onu_is_empty_even_with_the_port_tx() {
    // The `down` line can still print the OLT's own transmit level for an
    // ONU that is not up; that is not a reading of this ONU.
    let onu = OnuRef::new(PonPort::new(1, 1, 2), 1);
    let dark = fixture("zte/c320_power_attenuation.txt")
        .replace("Rx :-20.241(dbm)", "Rx :N/A")
        .replace("Tx:2.423(dbm)", "Tx:N/A")
        .replace("Rx:-16.676(dbm)", "Rx:N/A")
        .replace("22.664(dB)", "N/A")
        .replace("22.045(dB)", "N/A");
    assert!(dark.contains("Tx :5.369(dbm)"));
    let mut s = Script::new("ZXAN").then("show pon power attenuation gpon-onu_1/1/2:1", &dark, Mode::Privileged).then(
        "show gpon remote-onu interface pon gpon-onu_1/1/2:1",
        &fixture("zte/c320_remote_onu_pon_offline.txt"),
        Mode::Privileged,
    );
    let r = Operations::new(OltVendor::Zte).optical(&mut s, onu).await.unwrap();
    assert!(r.is_empty(), "{r:?}");
    s.done();
}

#[tokio::test]
async fn zte_optical_port() {
    let mut s = Script::new("ZXAN").then(
        "show pon power onu-rx gpon-olt_1/1/1",
        &fixture("zte/c320_power_onu_rx.txt"),
        Mode::Privileged,
    );
    let rows = Operations::new(OltVendor::Zte).optical_port(&mut s, PonPort::new(1, 1, 1)).await.unwrap();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[2].reading.onu_rx, None);
}

#[tokio::test]
async fn zte_authorize_picks_the_lowest_free_id() {
    let p = Mode::Privileged;
    let mut s = Script::new("ZXAN")
        .then("show gpon onu state gpon-olt_1/1/1", &fixture("zte/c320_onu_state_o7.txt"), p.clone())
        .then("configure terminal", "", cfg())
        .then("interface gpon-olt_1/1/1", "", sub("config-if"))
        .then("onu 4 type ZTE-F660 sn ZTEGD824CDF3", "", sub("config-if"))
        .then("exit", "", cfg())
        .then("interface gpon-onu_1/1/1:4", "", sub("config-if"))
        .then("tcont 1 profile UP-100M", "", sub("config-if"))
        .then("gemport 1 tcont 1", "", sub("config-if"))
        .then("service-port 1 vport 1 user-vlan 100 vlan 100", "", sub("config-if"))
        .then("exit", "", cfg())
        .then("pon-onu-mng gpon-onu_1/1/1:4", "", sub("gpon-onu-mng"))
        .then("service internet gemport 1 vlan 100", "", sub("gpon-onu-mng"))
        .then("exit", "", cfg())
        .then("end", "", p.clone());
    let onu = Operations::new(OltVendor::Zte).authorize(&mut s, &zte_req(Some(100))).await.unwrap();
    assert_eq!(onu, OnuRef::new(PonPort::new(1, 1, 1), 4));
    s.done();
}

#[tokio::test]
async fn zte_authorize_already_registered_ends_config() {
    let mut req = zte_req(None);
    req.onu_id = Some(3);
    let mut s = Script::new("ZXAN")
        .then("configure terminal", "", cfg())
        .then("interface gpon-olt_1/1/1", "", sub("config-if"))
        .then("onu 3 type ZTE-F660 sn ZTEGD824CDF3", &fixture("zte/onu_already_registered.txt"), sub("config-if"))
        .then("end", "", Mode::Privileged);
    match Operations::new(OltVendor::Zte).authorize(&mut s, &req).await {
        Err(AuthorizeFailure { error: OltError::Refused { message, .. }, leftover: None }) => {
            assert!(message.contains("already registered"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    s.done();
}

#[tokio::test]
async fn zte_authorize_half_done_reports_the_onu_left() {
    let mut req = zte_req(None);
    req.onu_id = Some(3);
    let mut s = Script::new("ZXAN")
        .then("configure terminal", "", cfg())
        .then("interface gpon-olt_1/1/1", "", sub("config-if"))
        .then("onu 3 type ZTE-F660 sn ZTEGD824CDF3", "", sub("config-if"))
        .then("exit", "", cfg())
        .then("interface gpon-onu_1/1/1:3", "", sub("config-if"))
        .then("tcont 1 profile UP-100M", &fixture("zte/invalid_input.txt"), sub("config-if"))
        .then("end", "", Mode::Privileged);
    let failure = Operations::new(OltVendor::Zte).authorize(&mut s, &req).await.unwrap_err();
    assert!(matches!(failure.error, OltError::Refused { .. }));
    assert_eq!(failure.leftover.and_then(|l| l.id), Some(3));
    s.done();
}

#[tokio::test]
async fn zte_authorize_timed_out_at_the_onu_command_may_have_left_it() {
    let mut req = zte_req(None);
    req.onu_id = Some(3);
    let mut s = Script::new("ZXAN")
        .then("configure terminal", "", cfg())
        .then("interface gpon-olt_1/1/1", "", sub("config-if"))
        .fail("onu 3 type ZTE-F660 sn ZTEGD824CDF3");
    let failure = Operations::new(OltVendor::Zte).authorize(&mut s, &req).await.unwrap_err();
    assert!(matches!(failure.error, OltError::Closed(_)));
    let left = failure.leftover.unwrap();
    assert_eq!((left.port, left.serial, left.id), (PonPort::new(1, 1, 1), sn("ZTEGD824CDF3"), Some(3)));
    s.done();
}

#[tokio::test]
async fn zte_deregister_and_reboot() {
    let onu = OnuRef::new(PonPort::new(1, 2, 1), 7);
    let mut s = Script::new("ZXAN")
        .then("configure terminal", "", cfg())
        .then("interface gpon_olt-1/2/1", "", sub("config-if"))
        .then("no onu 7", "", sub("config-if"))
        .then("end", "", Mode::Privileged);
    Operations::new(OltVendor::ZteTitan).deregister(&mut s, onu).await.unwrap();
    s.done();
    let mut s = Script::new("ZXAN")
        .then("configure terminal", "", cfg())
        .then("pon-onu-mng gpon-onu_1/2/1:7", "", sub("gpon-onu-mng"))
        .then("reboot", "Confirm to reboot? [yes/no]:yes", sub("gpon-onu-mng"))
        .then("end", "", Mode::Privileged);
    Operations::new(OltVendor::Zte).reboot(&mut s, onu).await.unwrap();
    s.done();
}

// ---------------------------------------------------------------- VSOL

fn vsol() -> Operations {
    Operations { vendor: OltVendor::Vsol, pon_ports: 2 }
}

fn pon(n: u16) -> Mode {
    sub(&format!("config-pon-0/{n}"))
}

#[tokio::test]
async fn vsol_prepare() {
    let mut s = Script::new("OLT")
        .then("enable", "", Mode::Privileged)
        .then("terminal length 0", "% Unknown command.", Mode::Privileged)
        .then("configure terminal", "", cfg());
    vsol().prepare(&mut s, &Mode::User).await.unwrap();
    s.done();
}

#[tokio::test]
async fn vsol_autofind_walks_the_ports() {
    let mut s = Script::new("OLT")
        .then("interface gpon 0/1", "", pon(1))
        .then("show onu auto-find", &fixture("vsol/autofind.txt"), pon(1))
        .then("exit", "", cfg())
        .then("interface gpon 0/2", "", pon(2))
        .then("show onu auto-find", "", pon(2))
        .then("exit", "", cfg());
    let found = vsol().autofind(&mut s).await.unwrap();
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|f| f.port == PonPort::vsol(1)));
    s.done();
}

#[tokio::test]
async fn vsol_onus_join_info_and_state() {
    let mut s = Script::new("OLT")
        .then("interface gpon 0/1", "", pon(1))
        .then("show onu info", &fixture("vsol/onu_info.txt"), pon(1))
        .then("show onu state", &fixture("vsol/onu_state.txt"), pon(1))
        .then("exit", "", cfg());
    let onus = vsol().onus(&mut s, Some(PonPort::vsol(1))).await.unwrap();
    assert_eq!(onus.len(), 3);
    assert_eq!(onus[2].state, RunState::DyingGasp);
    assert_eq!(onus[1].equipment_id.as_deref(), Some("HG6143D"));
    s.done();
}

#[tokio::test]
async fn vsol_onus_with_the_state_summary_line() {
    let mut s = Script::new("OLT")
        .then("interface gpon 0/1", "", pon(1))
        .then("show onu info", &fixture("vsol/onu_info.txt"), pon(1))
        .then("show onu state", &fixture("vsol/onu_state_summary.txt"), pon(1))
        .then("exit", "", cfg());
    let onus = vsol().onus(&mut s, Some(PonPort::vsol(1))).await.unwrap();
    assert_eq!(onus.len(), 3);
    assert_eq!(onus[0].state, RunState::Online);
    s.done();
}

#[tokio::test]
async fn vsol_optical_port_reads_only_working_onus() {
    let mut s = Script::new("OLT")
        .then("interface gpon 0/1", "", pon(1))
        .then("show onu state", &fixture("vsol/onu_state.txt"), pon(1))
        .then("show onu 1 optical_info", &fixture("vsol/optical_info.txt"), pon(1))
        .then("exit", "", cfg());
    let rows = vsol().optical_port(&mut s, PonPort::vsol(1)).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].reading.onu_rx, Some(Dbm(-22.93)));
    assert!(rows[1].reading.is_empty());
    s.done();
}

#[tokio::test]
async fn vsol_authorize_and_its_leftover() {
    let req = AuthorizeRequest {
        port: PonPort::vsol(1),
        serial: sn("HWTC10EA4BAB"),
        onu_id: None,
        profile: OnuProfile {
            onu_type: Some("default".into()),
            line: Some(ProfileRef::Name("line_VLAN1010".into())),
            service: Some(ProfileRef::Name("srv_VLAN1010".into())),
            ..OnuProfile::default()
        },
        vlan: None,
        description: Some("Juan Perez".into()),
    };
    let mut s = Script::new("OLT")
        .then("interface gpon 0/1", "", pon(1))
        .then("show onu info", &fixture("vsol/onu_info.txt"), pon(1))
        .then("onu add 4 profile default sn HWTC10EA4BAB", "", pon(1))
        .then("onu 4 desc Juan_Perez", "", pon(1))
        .then("onu 4 profile line name line_VLAN1010", "", pon(1))
        .then("onu 4 profile srv name srv_VLAN1010", "", pon(1))
        .then("exit", "", cfg());
    assert_eq!(vsol().authorize(&mut s, &req).await.unwrap(), OnuRef::new(PonPort::vsol(1), 4));
    s.done();

    let mut s = Script::new("OLT")
        .then("interface gpon 0/1", "", pon(1))
        .then("show onu info", &fixture("vsol/onu_info.txt"), pon(1))
        .then("onu add 4 profile default sn HWTC10EA4BAB", "", pon(1))
        .then("onu 4 desc Juan_Perez", "", pon(1))
        .then("onu 4 profile line name line_VLAN1010", &fixture("vsol/unknown_command.txt"), pon(1))
        .then("exit", "", cfg());
    let failure = vsol().authorize(&mut s, &req).await.unwrap_err();
    assert!(matches!(failure.error, OltError::Refused { .. }));
    assert_eq!(failure.leftover.and_then(|l| l.id), Some(4));
    s.done();
}

#[tokio::test]
async fn vsol_deregister_and_reboot() {
    let onu = OnuRef::new(PonPort::vsol(2), 3);
    let mut s =
        Script::new("OLT").then("interface gpon 0/2", "", pon(2)).then("no onu 3", "", pon(2)).then("exit", "", cfg());
    vsol().deregister(&mut s, onu).await.unwrap();
    let mut s = Script::new("OLT").then("interface gpon 0/2", "", pon(2)).then("onu 3 reboot", "", pon(2)).then(
        "exit",
        "",
        cfg(),
    );
    vsol().reboot(&mut s, onu).await.unwrap();
    s.done();
}

//! The simulated OLTs driven over real SSH by a russh client, as the OLT
//! drivers will drive them.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use headend_core::olt::OltVendor;
use headend_simlab::olt::{OltFaults, OnuState, PonPort, SimOlt, SimOltConfig, SimOltHandle};
use russh::client;
use russh::keys::{HashAlg, PublicKeyOrCertificate};
use russh::{Channel, ChannelMsg};

/// Accepts any host key and remembers its fingerprint.
struct Client {
    seen: Arc<Mutex<Option<String>>>,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        if let PublicKeyOrCertificate::PublicKey { key, .. } = key {
            *self.seen.lock().unwrap() = Some(key.fingerprint(HashAlg::Sha256).to_string());
        }
        Ok(true)
    }
}

/// A shell on the OLT: send lines, read until a prompt.
struct Term {
    channel: Channel<client::Msg>,
    _session: client::Handle<Client>,
    buf: String,
    fingerprint: String,
}

async fn login(olt: &SimOltHandle, user: &str, password: &str) -> Result<Term, String> {
    let seen = Arc::new(Mutex::new(None));
    let handler = Client { seen: seen.clone() };
    let config = Arc::new(client::Config::default());
    let mut session = client::connect(config, olt.addr(), handler).await.map_err(|e| e.to_string())?;
    let auth = session.authenticate_password(user, password).await.map_err(|e| e.to_string())?;
    if !auth.success() {
        return Err("login refused".into());
    }
    let channel = session.channel_open_session().await.unwrap();
    channel.request_pty(false, "vt100", 200, 50, 0, 0, &[]).await.unwrap();
    channel.request_shell(false).await.unwrap();
    let fingerprint = seen.lock().unwrap().clone().unwrap();
    Ok(Term { channel, _session: session, buf: String::new(), fingerprint })
}

async fn connect(olt: &SimOltHandle, first_prompt: &str) -> Term {
    let mut term = login(olt, "admin", "admin").await.unwrap();
    term.until(first_prompt).await;
    term
}

impl Term {
    async fn send(&self, text: &str) {
        self.channel.data(text.as_bytes()).await.unwrap();
    }

    /// Read until the output ends with `end`; return it (echo included)
    /// and consume it.
    async fn until(&mut self, end: &str) -> String {
        self.try_until(end).await.unwrap_or_else(|| {
            panic!("no {end:?} in time; got {:?}", self.buf);
        })
    }

    /// `None` when the channel closes or 10 s pass first.
    async fn try_until(&mut self, end: &str) -> Option<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !self.buf.ends_with(end) {
            let msg = tokio::time::timeout_at(deadline, self.channel.wait()).await.ok()??;
            match msg {
                ChannelMsg::Data { data } => self.buf.push_str(&String::from_utf8_lossy(&data)),
                ChannelMsg::Eof | ChannelMsg::Close => return None,
                _ => {}
            }
        }
        Some(std::mem::take(&mut self.buf))
    }

    /// Whether the server closes the channel within 10 s (output before
    /// that is kept in `buf`).
    async fn closed(&mut self) -> bool {
        self.try_until("\u{0}never").await.is_none()
    }

    /// Send a line, return what came back up to and including `prompt`.
    async fn cmd(&mut self, line: &str, prompt: &str) -> String {
        self.send(&format!("{line}\n")).await;
        self.until(prompt).await
    }
}

fn huawei(config: SimOltConfig) -> SimOltConfig {
    SimOltConfig { vendor: OltVendor::Huawei, online_delay: Duration::from_millis(200), ..config }
}

fn zte(config: SimOltConfig) -> SimOltConfig {
    SimOltConfig { vendor: OltVendor::Zte, online_delay: Duration::from_millis(200), ..config }
}

async fn start(config: SimOltConfig) -> SimOltHandle {
    SimOlt::start(config).await.unwrap()
}

/// Poll a condition for up to 5 s.
async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..500 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition never held");
}

#[tokio::test]
async fn huawei_prompts_modes_and_errors() {
    let olt = start(huawei(SimOltConfig::default())).await;
    let mut t = connect(&olt, "MA5600T>").await;
    assert!(t.cmd("enable", "MA5600T#").await.ends_with("enable\r\n\r\nMA5600T#"));
    t.cmd("config", "MA5600T(config)#").await;
    t.cmd("interface gpon 0/1", "MA5600T(config-if-gpon-0/1)#").await;
    t.cmd("quit", "MA5600T(config)#").await;
    let out = t.cmd("exit", "MA5600T(config)#").await;
    assert!(out.contains("\r\n                ^\r\n  % Unknown command, the error locates at '^'\r\n"), "{out:?}");
    let out = t.cmd("interface gpon 0/9", "MA5600T(config)#").await;
    assert!(out.contains("% Parameter error"), "{out:?}");
    // Backspace rubs out what was typed.
    t.send("quix\x7ft\n").await;
    let out = t.until("MA5600T#").await;
    assert!(out.starts_with("quix\x08 \x08t\r\n\r\nMA5600T#"), "{out:?}");
    t.send("quit\n").await;
    t.until("Are you sure to log out? (y/n)[n]:").await;
    t.send("y\n").await;
    assert!(t.closed().await);
    assert_eq!(olt.stats().logins, 1);
    assert!(olt.stats().commands_run >= 7);
}

#[tokio::test]
async fn zte_prompts_modes_and_errors() {
    let olt = start(zte(SimOltConfig::default())).await;
    let mut t = connect(&olt, "ZXAN#").await;
    let out = t.cmd("configure terminal", "ZXAN(config)#").await;
    assert!(out.contains("%Info 20272: Enter configuration commands"), "{out:?}");
    t.cmd("interface gpon-olt_1/1/1", "ZXAN(config-if)#").await;
    t.cmd("exit", "ZXAN(config)#").await;
    t.cmd("pon-onu-mng gpon-onu_1/1/1:1", "ZXAN(gpon-onu-mng)#").await;
    t.cmd("end", "ZXAN#").await;
    let out = t.cmd("show gpon onu bogus", "ZXAN#").await;
    assert!(out.contains("% Invalid input detected at '^' marker."), "{out:?}");
    let out = t.cmd("show gpon onu state gpon-olt_1/1/1", "ZXAN#").await;
    assert!(out.contains("1/1/1:1     enable       enable      working      1(GPON)\r\n"), "{out:?}");
    assert!(out.contains("ONU Number: 4/4\r\nZXAN#"), "{out:?}");
    t.send("exit\n").await;
    assert!(t.closed().await);
}

#[tokio::test]
async fn huawei_pager_and_hints() {
    let config = huawei(SimOltConfig { pon_ports: 1, onus_per_port: 40, page_lines: 24, ..SimOltConfig::default() });
    let olt = start(config).await;
    let mut t = connect(&olt, "MA5600T>").await;
    t.cmd("enable", "MA5600T#").await;
    t.cmd("config", "MA5600T(config)#").await;
    let hint = t.cmd("display ont info 0 1 0 all", "{ <cr>||<K> }:").await;
    assert!(hint.ends_with("all\r\n{ <cr>||<K> }:"), "{hint:?}");
    let more = "---- More ( Press 'Q' to break ) ----";
    let page1 = t.cmd("", more).await;
    assert!(page1.starts_with("\r\n\r\n  Command:\r\n          display ont info 0 1 0 all\r\n"), "{page1:?}");
    let mut all = page1;
    t.send(" ").await;
    all.push_str(&t.until(more).await);
    t.send(" ").await;
    all.push_str(&t.until(more).await);
    t.send(" ").await;
    let last = t.until("MA5600T(config)#").await;
    assert!(last.starts_with("\x1b[37D"), "{last:?}");
    all.push_str(&last);
    assert!(all.contains("  0/ 1/0   39  "), "{all:?}");
    assert!(all.contains("In port 0/ 1/0 , the total of ONTs are: 40, online: 40"));
    // Q stops the listing.
    t.send("display ont info 0 1 0 all\n\n").await;
    t.until(more).await;
    t.send("q").await;
    t.until("\r\nMA5600T(config)#").await;
    // Without hints and pager, one reply.
    t.cmd("undo smart", "MA5600T(config)#").await;
    t.cmd("scroll", "MA5600T(config)#").await;
    let out = t.cmd("display ont info 0 1 0 all", "MA5600T(config)#").await;
    assert!(!out.contains("More") && !out.contains("Command:"), "{out:?}");
    assert!(out.contains("  0/ 1/0   39  "));
    // `screen-length` is not a Huawei OLT command.
    let out = t.cmd("screen-length 0 temporary", "MA5600T(config)#").await;
    assert!(out.contains("% Unknown command"));
}

#[tokio::test]
async fn zte_pager_and_terminal_length() {
    let config = zte(SimOltConfig { pon_ports: 1, onus_per_port: 30, page_lines: 24, ..SimOltConfig::default() });
    let olt = start(config).await;
    let mut t = connect(&olt, "ZXAN#").await;
    t.cmd("show gpon onu state gpon-olt_1/1/1", "--More--").await;
    t.send(" ").await;
    let rest = t.until("ZXAN#").await;
    assert!(rest.starts_with(&"\x08 \x08".repeat(8)), "{rest:?}");
    assert!(rest.contains("1/1/1:30    enable"), "{rest:?}");
    assert_eq!(olt.stats().pager_waits, 1);
    t.cmd("terminal length 0", "ZXAN#").await;
    let out = t.cmd("show pon power onu-rx gpon-olt_1/1/1", "ZXAN#").await;
    assert!(!out.contains("--More--"));
    assert_eq!(out.matches("(dbm)\r\n").count(), 30, "{out:?}");
    assert_eq!(olt.stats().pager_waits, 1);
}

#[tokio::test]
async fn a_pager_that_cannot_be_turned_off() {
    let olt = start(zte(SimOltConfig {
        pon_ports: 1,
        onus_per_port: 30,
        page_lines: 10,
        faults: OltFaults { ignore_pager_off: true, ..OltFaults::default() },
        ..SimOltConfig::default()
    }))
    .await;
    let mut t = connect(&olt, "ZXAN#").await;
    let out = t.cmd("terminal length 0", "ZXAN#").await;
    assert!(out.contains("% Invalid input detected"), "{out:?}");
    t.cmd("show pon power onu-rx gpon-olt_1/1/1", "--More--").await;
    for _ in 0..2 {
        t.send(" ").await;
        t.until("--More--").await;
    }
    t.send(" ").await;
    t.until("ZXAN#").await;
    assert_eq!(olt.stats().pager_waits, 3);

    let olt = start(huawei(SimOltConfig {
        pon_ports: 1,
        onus_per_port: 30,
        faults: OltFaults { ignore_pager_off: true, ..OltFaults::default() },
        ..SimOltConfig::default()
    }))
    .await;
    let mut t = connect(&olt, "MA5600T>").await;
    t.cmd("enable", "MA5600T#").await;
    let out = t.cmd("scroll", "MA5600T#").await;
    assert!(out.contains("% Unknown command"), "{out:?}");
    t.cmd("undo smart", "MA5600T#").await;
    t.cmd("display ont info 0 1 0 all", "---- More ( Press 'Q' to break ) ----").await;
    assert_eq!(olt.stats().pager_waits, 1);
}

#[tokio::test]
async fn huawei_autofind_authorize_optical_delete() {
    let olt = start(huawei(SimOltConfig::default())).await;
    let port = PonPort::new(0, 1, 0);
    assert!(olt.add_autofind_onu(port, "HWTC0B086EA9", "EG8010Hv6"));
    let mut t = connect(&olt, "MA5600T>").await;
    for (line, prompt) in
        [("enable", "MA5600T#"), ("undo smart", "MA5600T#"), ("scroll", "MA5600T#"), ("config", "MA5600T(config)#")]
    {
        t.cmd(line, prompt).await;
    }
    let out = t.cmd("display ont autofind all", "MA5600T(config)#").await;
    assert!(out.contains("   Ont SN              : 485754430B086EA9 (HWTC-0B086EA9)\r\n"), "{out:?}");
    assert!(out.contains("   Ont EquipmentID     : EG8010Hv6\r\n"));
    assert!(out.contains("   The number of GPON autofind ONT is 3\r\n"), "{out:?}");

    let p = "MA5600T(config-if-gpon-0/1)#";
    t.cmd("interface gpon 0/1", p).await;
    let add = "ont add 0 sn-auth 485754430B086EA9 omci ont-lineprofile-id 10 ont-srvprofile-id 10 desc \"cust one\"";
    let out = t.cmd(add, p).await;
    assert!(
        out.contains("\r\n  Number of ONTs that can be added: 1, success: 1\r\n  PortID :0, ONTID :4\r\n"),
        "{out:?}"
    );
    let out = t.cmd(add, p).await;
    assert!(out.contains("  Failure: SN already exists\r\n"), "{out:?}");
    assert!(!olt.autofind().iter().any(|f| f.serial == "HWTC0B086EA9"));
    let out = t.cmd("display ont optical-info 0 4", p).await;
    assert!(out.contains("  Failure: The ONT is not online\r\n"), "{out:?}");

    eventually(|| olt.onu(port, 4).is_some_and(|o| o.state == OnuState::Online)).await;
    let out = t.cmd("display ont optical-info 0 4", p).await;
    assert!(out.contains("  Rx optical power(dBm)                  : -"), "{out:?}");
    assert!(out.contains("  OLT Rx ONT optical power(dBm)          : -"));
    let out = t.cmd("display ont optical-info 0 all", p).await;
    assert!(out.contains("  ONT  Rx power  Tx power  OLT Rx ONT  Temperature  Voltage  Current  Distance  \r\n"));
    assert_eq!(out.lines().filter(|l| l.starts_with("    ")).count(), 5, "{out:?}");
    let out = t.cmd("display ont info 0 4", p).await;
    assert!(out.contains("  Description             : cust one\r\n"), "{out:?}");
    assert!(out.contains("  Run state               : online\r\n"));

    // A fibre cut: `-` for the readings in the summary.
    assert!(olt.set_onu_state(port, 4, OnuState::Los));
    t.cmd("quit", "MA5600T(config)#").await;
    let out = t.cmd("display ont info summary 0/1/0", "MA5600T(config)#").await;
    assert!(out.contains("  In port 0/1/0, the total of ONTs are: 5, online: 4\r\n"), "{out:?}");
    assert!(out.contains("  4   485754430B086EA9 EG8010Hv6        -     -/-          cust one\r\n"), "{out:?}");
    assert!(out.contains("  4    offline "), "{out:?}");

    t.cmd("interface gpon 0/1", p).await;
    t.send("ont reset 0 4\n").await;
    t.until("Are you sure to reset the ONT(s)? (y/n)[n]:").await;
    t.cmd("y", p).await;
    assert_eq!(olt.onu(port, 4).unwrap().state, OnuState::Offline);
    let out = t.cmd("ont delete 0 4", p).await;
    assert!(out.contains("  Number of ONTs that can be deleted: 1, success: 1\r\n"), "{out:?}");
    let out = t.cmd("ont delete 0 4", p).await;
    assert!(out.contains("  Failure: The ONT does not exist\r\n"), "{out:?}");
    assert!(olt.onu(port, 4).is_none());
}

#[tokio::test]
async fn zte_autofind_authorize_optical_delete() {
    let olt = start(zte(SimOltConfig { autofind: 0, ..SimOltConfig::default() })).await;
    let port = PonPort::new(1, 1, 1);
    let mut t = connect(&olt, "ZXAN#").await;
    t.cmd("terminal length 0", "ZXAN#").await;
    let out = t.cmd("show gpon onu uncfg", "ZXAN#").await;
    assert!(out.contains("%Code 32310-GPONSRV : No related information to show.\r\n"), "{out:?}");
    assert!(olt.add_autofind_onu(port, "ZTEG12345678", "ZTE-F660"));
    let out = t.cmd("show gpon onu uncfg", "ZXAN#").await;
    assert!(out.contains("gpon-onu_1/1/1:1         ZTEG12345678        unknown\r\n"), "{out:?}");

    t.cmd("configure terminal", "ZXAN(config)#").await;
    t.cmd("interface gpon-olt_1/1/1", "ZXAN(config-if)#").await;
    let out = t.cmd("onu 5 type ZTE-F660 sn ZTEG12345678", "ZXAN(config-if)#").await;
    assert_eq!(out, "onu 5 type ZTE-F660 sn ZTEG12345678\r\nZXAN(config-if)#");
    let out = t.cmd("onu 6 type ZTE-F660 sn ZTEG12345678", "ZXAN(config-if)#").await;
    assert!(out.contains("%Code 32310-GPONSRV : The ONU is already registered.\r\n"), "{out:?}");
    t.cmd("exit", "ZXAN(config)#").await;
    t.cmd("interface gpon-onu_1/1/1:5", "ZXAN(config-if)#").await;
    t.cmd("description home 5", "ZXAN(config-if)#").await;
    t.cmd("service-port 1 vport 1 user-vlan 100 vlan 100", "ZXAN(config-if)#").await;
    t.cmd("end", "ZXAN#").await;
    let onu = olt.onu(port, 5).unwrap();
    assert_eq!((onu.description.as_str(), onu.vlan), ("home 5", Some(100)));
    let out = t.cmd("show pon power attenuation gpon-onu_1/1/1:5", "ZXAN#").await;
    assert!(out.contains(" up      Rx :N/A"), "{out:?}");

    eventually(|| olt.onu(port, 5).is_some_and(|o| o.state == OnuState::Online)).await;
    let out = t.cmd("show pon power attenuation gpon-onu_1/1/1:5", "ZXAN#").await;
    assert!(out.contains(" up      Rx :-") && out.contains("(dB)\r\n\r\n down    Tx :5.200(dbm)"), "{out:?}");
    let out = t.cmd("show gpon onu baseinfo gpon-olt_1/1/1", "ZXAN#").await;
    assert!(out.contains("gpon-onu_1/1/1:5         ZTE-F660            sn      SN:ZTEG12345678\r\n"), "{out:?}");
    let out = t.cmd("show gpon onu detail-info gpon-onu_1/1/1:5", "ZXAN#").await;
    assert!(out.contains("  Phase state:         working\r\n"), "{out:?}");

    assert!(olt.set_onu_state(port, 1, OnuState::DyingGasp));
    let out = t.cmd("show pon power onu-rx gpon-olt_1/1/1", "ZXAN#").await;
    assert!(out.contains("gpon-onu_1/1/1:1    N/A\r\n"), "{out:?}");
    let out = t.cmd("show gpon onu state gpon-olt_1/1/1", "ZXAN#").await;
    assert!(out.contains("1/1/1:1     enable       disable     DyingGasp    1(GPON)"), "{out:?}");

    t.cmd("configure terminal", "ZXAN(config)#").await;
    t.cmd("pon-onu-mng gpon-onu_1/1/1:5", "ZXAN(gpon-onu-mng)#").await;
    t.cmd("reboot", "ZXAN(gpon-onu-mng)#").await;
    assert_eq!(olt.onu(port, 5).unwrap().state, OnuState::Offline);
    t.cmd("exit", "ZXAN(config)#").await;
    t.cmd("interface gpon-olt_1/1/1", "ZXAN(config-if)#").await;
    assert_eq!(t.cmd("no onu 5", "ZXAN(config-if)#").await, "no onu 5\r\nZXAN(config-if)#");
    let out = t.cmd("no onu 5", "ZXAN(config-if)#").await;
    assert!(out.contains("%Code 32310-GPONSRV : The ONU does not exist.\r\n"), "{out:?}");
}

#[tokio::test]
async fn vty_limit_refuses_and_sessions_are_counted() {
    let olt = start(huawei(SimOltConfig { max_vty_sessions: 2, ..SimOltConfig::default() })).await;
    let a = connect(&olt, "MA5600T>").await;
    let b = connect(&olt, "MA5600T>").await;
    let mut c = login(&olt, "admin", "admin").await.unwrap();
    assert!(c.closed().await);
    assert!(c.buf.contains("The number of online users has reached the upper limit."), "{:?}", c.buf);
    let stats = olt.stats();
    assert_eq!((stats.vty_refused, stats.max_sessions_open), (1, 3));
    eventually(|| olt.stats().sessions_open_now == 2).await;
    drop((a, b, c));
    eventually(|| olt.stats().sessions_open_now == 0).await;
    // A line is free again.
    connect(&olt, "MA5600T>").await;
    assert_eq!(olt.stats().max_sessions_open, 3);
}

#[tokio::test]
async fn host_key_is_seeded_and_can_change() {
    let one = start(huawei(SimOltConfig { seed: 7, ..SimOltConfig::default() })).await;
    let two = start(huawei(SimOltConfig { seed: 7, ..SimOltConfig::default() })).await;
    let other = start(huawei(SimOltConfig { seed: 8, ..SimOltConfig::default() })).await;
    assert_eq!(one.host_key_fingerprint(), two.host_key_fingerprint());
    assert_ne!(one.host_key_fingerprint(), other.host_key_fingerprint());
    assert!(one.host_key_fingerprint().starts_with("SHA256:"));
    let t = connect(&one, "MA5600T>").await;
    assert_eq!(t.fingerprint, one.host_key_fingerprint());
    let new = one.regenerate_host_key();
    assert_ne!(new, t.fingerprint);
    let t2 = connect(&one, "MA5600T>").await;
    assert_eq!(t2.fingerprint, new);
}

#[tokio::test]
async fn faults_refuse_login_and_close_mid_reply() {
    let olt = start(zte(SimOltConfig::default())).await;
    assert_eq!(login(&olt, "admin", "wrong").await.err().as_deref(), Some("login refused"));
    olt.set_faults(OltFaults { refuse_login: true, ..OltFaults::default() });
    assert!(login(&olt, "admin", "admin").await.is_err());
    assert_eq!(olt.stats().failed_logins, 2);
    olt.set_faults(OltFaults::default());
    let mut t = connect(&olt, "ZXAN#").await;
    olt.set_faults(OltFaults { close_mid_reply: true, ..OltFaults::default() });
    t.send("show gpon onu state\n").await;
    assert!(t.closed().await);
    assert!(t.buf.contains("OnuIndex") && !t.buf.contains("ONU Number"), "{:?}", t.buf);
}

#[tokio::test(start_paused = true)]
async fn latency_and_online_delay_follow_tokio_time() {
    let olt = start(zte(SimOltConfig { online_delay: Duration::from_secs(30), ..SimOltConfig::default() })).await;
    let mut t = connect(&olt, "ZXAN#").await;
    olt.set_faults(OltFaults { latency: Duration::from_secs(2), ..OltFaults::default() });
    let before = tokio::time::Instant::now();
    t.cmd("configure terminal", "ZXAN(config)#").await;
    assert!(before.elapsed() >= Duration::from_secs(2));
    olt.set_faults(OltFaults::default());
    t.cmd("interface gpon-olt_1/1/2", "ZXAN(config-if)#").await;
    t.cmd("onu 9 type ZTE-F660 sn ZTEG0000AAAA", "ZXAN(config-if)#").await;
    let port = PonPort::new(1, 1, 2);
    assert_eq!(olt.onu(port, 9).unwrap().state, OnuState::Offline);
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(olt.onu(port, 9).unwrap().state, OnuState::Online);
}

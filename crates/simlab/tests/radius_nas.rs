//! The simulated router in RADIUS mode, against a tiny RADIUS server made
//! from the codec: logins, accounting, the CoA port and its faults, the
//! RADIUS menus, and FreeRADIUS' `radclient` kicking a session.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::{connect, router_with};
use headend_radius::attribute::{self, typ};
use headend_radius::{
    AcctStatusType, Attribute, Code, Packet, SessionSelector, TerminateCause, coa_request, disconnect_request, reply,
    verify_reply, verify_request,
};
use headend_routeros::Command;
use headend_simlab::{CoaFault, DialOutcome, SimConfig, SimRadius, SimRouterHandle};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::timeout;

const SECRET: &str = "nas-test-secret";

/// A RADIUS server on one UDP port: accepts `ana`/`secret1` with
/// Mikrotik-Rate-Limit 10M/20M, rejects everyone else, and answers (and
/// hands over) every Accounting-Request.
async fn radius_server() -> (SocketAddr, mpsc::UnboundedReceiver<Packet>) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = socket.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let (n, peer) = socket.recv_from(&mut buf).await.unwrap();
            let Ok(request) = verify_request(&buf[..n], SECRET.as_bytes()) else { continue };
            let (code, attributes) = match request.code {
                Code::AccessRequest => {
                    let user = request.find(typ::USER_NAME).unwrap().as_text().unwrap().to_owned();
                    let hidden = &request.find(typ::USER_PASSWORD).unwrap().value;
                    let password =
                        attribute::unhide_password(hidden, SECRET.as_bytes(), &request.authenticator).unwrap();
                    if user == "ana" && password.as_bytes() == b"secret1" {
                        (Code::AccessAccept, vec![Attribute::mikrotik_rate_limit("10M/20M")])
                    } else {
                        (Code::AccessReject, vec![Attribute::bytes(typ::REPLY_MESSAGE, b"wrong password")])
                    }
                }
                Code::AccountingRequest => {
                    let _ = tx.send(request.clone());
                    (Code::AccountingResponse, Vec::new())
                }
                _ => continue,
            };
            let bytes = reply(&request, code, attributes, SECRET.as_bytes()).unwrap();
            socket.send_to(&bytes, peer).await.unwrap();
        }
    });
    (addr, rx)
}

async fn nas_with(interim: Option<Duration>) -> (SimRouterHandle, mpsc::UnboundedReceiver<Packet>) {
    let (server, accounting) = radius_server().await;
    let radius = SimRadius {
        auth: server,
        accounting: server,
        secret: SECRET.into(),
        nas_identifier: "sim-nas".into(),
        interim,
    };
    let sim = router_with(SimConfig { radius: Some(radius), tls: false, rest: false, ..SimConfig::default() }).await;
    (sim, accounting)
}

async fn nas() -> (SimRouterHandle, mpsc::UnboundedReceiver<Packet>) {
    nas_with(None).await
}

async fn next(accounting: &mut mpsc::UnboundedReceiver<Packet>) -> Packet {
    timeout(Duration::from_secs(5), accounting.recv()).await.unwrap().unwrap()
}

fn status(p: &Packet) -> AcctStatusType {
    AcctStatusType::from_u32(p.find(typ::ACCT_STATUS_TYPE).unwrap().as_u32().unwrap()).unwrap()
}

fn cause(p: &Packet) -> TerminateCause {
    TerminateCause::from_u32(p.find(typ::ACCT_TERMINATE_CAUSE).unwrap().as_u32().unwrap()).unwrap()
}

fn text(p: &Packet, t: u8) -> String {
    p.find(t).unwrap().as_text().unwrap().to_owned()
}

/// Dials `ana` in and takes her Start; returns her Acct-Session-Id.
async fn ana_online(sim: &SimRouterHandle, accounting: &mut mpsc::UnboundedReceiver<Packet>) -> String {
    let DialOutcome::Accepted { acct_session_id, .. } = sim.dial("ana", "secret1").await.unwrap() else {
        panic!("ana was rejected");
    };
    assert_eq!(status(&next(accounting).await), AcctStatusType::Start);
    acct_session_id
}

/// Sends a request to the CoA port; the verified answer, or `None` after
/// half a second of silence.
async fn kick(sim: &SimRouterHandle, request: &headend_radius::Built, secret: &str) -> Option<Packet> {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    socket.send_to(&request.bytes, sim.coa_addr().unwrap()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = timeout(Duration::from_millis(500), socket.recv(&mut buf)).await.ok()?.unwrap();
    Some(verify_reply(&request.packet, &buf[..n], secret.as_bytes()).unwrap())
}

fn by_user(user: &str) -> SessionSelector<'_> {
    SessionSelector { user_name: Some(user), ..Default::default() }
}

#[tokio::test]
async fn an_accepted_dial_starts_a_radius_session_and_its_accounting() {
    let (sim, mut accounting) = nas().await;
    let outcome = sim.dial("ana", "secret1").await.unwrap();
    let DialOutcome::Accepted { id, acct_session_id, address } = outcome else { panic!("{outcome:?}") };
    let sessions = sim.active_sessions();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s.get(".id").unwrap(), id.as_str());
    assert_eq!(s.get("name").unwrap(), "ana");
    assert_eq!(s.get("service").unwrap(), "pppoe");
    assert_eq!(s.get("radius").unwrap(), "true");
    assert_eq!(s.get("address").unwrap(), address.to_string().as_str());
    assert_eq!(s.get("session-id").unwrap(), format!("0x{acct_session_id}").as_str());
    let granted = sim.radius_session("ana").unwrap();
    assert_eq!(granted.rate_limit.as_deref(), Some("10M/20M"));
    assert_eq!(granted.address_list, None);

    let start = next(&mut accounting).await;
    assert_eq!(status(&start), AcctStatusType::Start);
    assert_eq!(text(&start, typ::USER_NAME), "ana");
    assert_eq!(text(&start, typ::ACCT_SESSION_ID), acct_session_id);
    assert_eq!(text(&start, typ::NAS_IDENTIFIER), "sim-nas");
    assert_eq!(text(&start, typ::CALLING_STATION_ID), s.get("caller-id").unwrap().to_string());
    assert_eq!(start.find(typ::FRAMED_IP_ADDRESS).unwrap().as_ipv4().unwrap(), address);
}

#[tokio::test]
async fn a_rejected_dial_starts_nothing() {
    let (sim, mut accounting) = nas().await;
    let outcome = sim.dial("ana", "wrong").await.unwrap();
    assert_eq!(outcome, DialOutcome::Rejected { reply_message: Some("wrong password".into()) });
    assert_eq!(sim.dial("bob", "secret1").await.unwrap(), outcome);
    assert_eq!(sim.active_count(), 0);
    assert!(accounting.try_recv().is_err());
}

#[tokio::test]
async fn dialing_without_radius_mode_or_a_server_fails() {
    let plain = router_with(SimConfig { tls: false, rest: false, ..SimConfig::default() }).await;
    assert!(plain.coa_addr().is_none());
    assert!(matches!(plain.dial("ana", "secret1").await, Err(headend_simlab::SimError::NotRadius)));

    // A port nobody answers on: three one-second tries, then a timeout.
    let silent = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = silent.local_addr().unwrap();
    let radius =
        SimRadius { auth: addr, accounting: addr, secret: SECRET.into(), nas_identifier: "n".into(), interim: None };
    let sim = router_with(SimConfig { radius: Some(radius), tls: false, rest: false, ..SimConfig::default() }).await;
    let err = sim.dial("ana", "secret1").await.unwrap_err();
    assert!(matches!(err, headend_simlab::SimError::RadiusTimeout(a) if a == addr), "{err}");
    assert!(!format!("{:?}", SimConfig { radius: sim_radius(addr), ..SimConfig::default() }).contains(SECRET));
}

fn sim_radius(addr: SocketAddr) -> Option<SimRadius> {
    Some(SimRadius { auth: addr, accounting: addr, secret: SECRET.into(), nas_identifier: "n".into(), interim: None })
}

#[tokio::test]
async fn hanging_up_sends_stop_user_request() {
    let (sim, mut accounting) = nas().await;
    let acct = ana_online(&sim, &mut accounting).await;
    assert!(sim.hang_up("ana").await);
    let stop = next(&mut accounting).await;
    assert_eq!((status(&stop), cause(&stop)), (AcctStatusType::Stop, TerminateCause::UserRequest));
    assert_eq!(text(&stop, typ::ACCT_SESSION_ID), acct);
    assert!(stop.find(typ::ACCT_SESSION_TIME).is_some());
    assert_eq!(sim.active_count(), 0);
    assert!(!sim.hang_up("ana").await);
}

#[tokio::test]
async fn removing_a_session_over_the_api_sends_stop_admin_reset() {
    let (sim, mut accounting) = nas().await;
    ana_online(&sim, &mut accounting).await;
    let client = connect(&sim).await;
    client.call(Command::new("/ppp/active/remove").attr(".id", "ana")).await.unwrap();
    let stop = next(&mut accounting).await;
    assert_eq!((status(&stop), cause(&stop)), (AcctStatusType::Stop, TerminateCause::AdminReset));
    assert_eq!(sim.active_count(), 0);
}

#[tokio::test]
async fn interim_updates_report_growing_counters() {
    let (sim, mut accounting) = nas_with(Some(Duration::from_millis(150))).await;
    ana_online(&sim, &mut accounting).await;
    let first = next(&mut accounting).await;
    let second = next(&mut accounting).await;
    for p in [&first, &second] {
        assert_eq!(status(p), AcctStatusType::InterimUpdate);
    }
    let input = |p: &Packet| p.counter64(typ::ACCT_INPUT_OCTETS, typ::ACCT_INPUT_GIGAWORDS).unwrap();
    let output = |p: &Packet| p.counter64(typ::ACCT_OUTPUT_OCTETS, typ::ACCT_OUTPUT_GIGAWORDS).unwrap();
    assert!(input(&second) > input(&first), "{} then {}", input(&first), input(&second));
    assert!(output(&second) > output(&first));
}

#[tokio::test]
async fn disconnect_ack_drops_the_session_and_sends_stop() {
    let (sim, mut accounting) = nas().await;
    let acct = ana_online(&sim, &mut accounting).await;
    let selector = SessionSelector { acct_session_id: Some(&acct), ..Default::default() };
    let request = disconnect_request(1, &selector, SECRET.as_bytes()).unwrap();
    let answer = kick(&sim, &request, SECRET).await.unwrap();
    assert_eq!(answer.code, Code::DisconnectAck);
    assert_eq!(sim.active_count(), 0);
    let stop = next(&mut accounting).await;
    assert_eq!((status(&stop), cause(&stop)), (AcctStatusType::Stop, TerminateCause::AdminReset));
    assert_eq!(sim.stats().disconnects_received, 1);

    // Now nobody matches: NAK with Error-Cause 503.
    let again = disconnect_request(2, &by_user("ana"), SECRET.as_bytes()).unwrap();
    let answer = kick(&sim, &again, SECRET).await.unwrap();
    assert_eq!(answer.code, Code::DisconnectNak);
    assert_eq!(answer.find(typ::ERROR_CAUSE).unwrap().as_u32().unwrap(), 503);
}

#[tokio::test]
async fn a_disconnect_matches_by_framed_ip_and_every_attribute_given() {
    let (sim, mut accounting) = nas().await;
    ana_online(&sim, &mut accounting).await;
    let address: Ipv4Addr = sim.active_sessions()[0].get("address").unwrap().to_string().parse().unwrap();
    let wrong = SessionSelector { user_name: Some("bob"), framed_ip_address: Some(address), ..Default::default() };
    let answer = kick(&sim, &disconnect_request(1, &wrong, SECRET.as_bytes()).unwrap(), SECRET).await.unwrap();
    assert_eq!(answer.code, Code::DisconnectNak);
    let right = SessionSelector { framed_ip_address: Some(address), ..Default::default() };
    let answer = kick(&sim, &disconnect_request(2, &right, SECRET.as_bytes()).unwrap(), SECRET).await.unwrap();
    assert_eq!(answer.code, Code::DisconnectAck);
    assert_eq!(sim.active_count(), 0);
}

#[tokio::test]
async fn a_disconnect_with_the_wrong_secret_is_dropped() {
    let (sim, mut accounting) = nas().await;
    ana_online(&sim, &mut accounting).await;
    let request = disconnect_request(1, &by_user("ana"), b"not-the-secret").unwrap();
    assert!(kick(&sim, &request, "not-the-secret").await.is_none());
    assert_eq!(sim.active_count(), 1);
    assert_eq!(sim.stats().disconnects_received, 0);
}

#[tokio::test]
async fn coa_faults_nak_silence_and_ack_without_drop() {
    let (sim, mut accounting) = nas().await;
    ana_online(&sim, &mut accounting).await;
    let request = disconnect_request(1, &by_user("ana"), SECRET.as_bytes()).unwrap();

    sim.set_coa_fault(CoaFault::Nak);
    let answer = kick(&sim, &request, SECRET).await.unwrap();
    assert_eq!(answer.code, Code::DisconnectNak);
    assert_eq!(sim.active_count(), 1);

    sim.set_coa_fault(CoaFault::Silence);
    assert!(kick(&sim, &request, SECRET).await.is_none());
    assert_eq!(sim.active_count(), 1);

    sim.set_coa_fault(CoaFault::AckWithoutDrop);
    assert_eq!(kick(&sim, &request, SECRET).await.unwrap().code, Code::DisconnectAck);
    assert_eq!(sim.active_count(), 1);
    let coa = coa_request(2, &by_user("ana"), "1M/1M", SECRET.as_bytes()).unwrap();
    assert_eq!(kick(&sim, &coa, SECRET).await.unwrap().code, Code::CoaAck);
    assert_eq!(sim.radius_session("ana").unwrap().rate_limit.as_deref(), Some("10M/20M"));

    assert_eq!((sim.stats().disconnects_received, sim.stats().coa_received), (3, 1));
    assert!(accounting.try_recv().is_err(), "no Stop for a session that stayed");
}

#[tokio::test]
async fn coa_changes_the_rate_limit() {
    let (sim, mut accounting) = nas().await;
    ana_online(&sim, &mut accounting).await;
    let coa = coa_request(1, &by_user("ana"), "2M/4M", SECRET.as_bytes()).unwrap();
    assert_eq!(kick(&sim, &coa, SECRET).await.unwrap().code, Code::CoaAck);
    assert_eq!(sim.radius_session("ana").unwrap().rate_limit.as_deref(), Some("2M/4M"));
    assert_eq!(sim.active_count(), 1);

    let nobody = coa_request(2, &by_user("bob"), "2M/4M", SECRET.as_bytes()).unwrap();
    let answer = kick(&sim, &nobody, SECRET).await.unwrap();
    assert_eq!(answer.code, Code::CoaNak);
    assert_eq!(answer.find(typ::ERROR_CAUSE).unwrap().as_u32().unwrap(), 503);
    assert_eq!(sim.stats().coa_received, 2);
}

#[tokio::test]
async fn radius_menus_print_and_set() {
    let (sim, _accounting) = nas().await;
    let client = connect(&sim).await;
    let add = Command::new("/radius/add")
        .attr("service", "ppp")
        .attr("address", "127.0.0.1")
        .attr("secret", "r4d1us")
        .attr("timeout", "1s");
    client.call(add).await.unwrap();
    let servers = client.call(Command::new("/radius/print")).await.unwrap();
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0].get("authentication-port").unwrap(), "1812");
    assert_eq!(servers[0].get("accounting-port").unwrap(), "1813");
    assert!(!format!("{servers:?}").contains("r4d1us"));
    assert!(client.call(Command::new("/radius/add").attr("service", "ppp")).await.is_err());

    let aaa = client.call(Command::new("/ppp/aaa/print")).await.unwrap();
    assert_eq!(aaa[0].get("use-radius").unwrap(), "false");
    assert!(aaa[0].get(".id").is_none());
    let set = Command::new("/ppp/aaa/set").attr("use-radius", "yes").attr("interim-update", "5m");
    client.call(set).await.unwrap();
    let aaa = client.call(Command::new("/ppp/aaa/print")).await.unwrap();
    assert_eq!(aaa[0].get("use-radius").unwrap(), "true");
    assert_eq!(aaa[0].get("interim-update").unwrap(), "5m");
    assert!(client.call(Command::new("/ppp/aaa/set").attr("bogus", "1")).await.is_err());
    assert!(client.call(Command::new("/ppp/aaa/add")).await.is_err());

    client.call(Command::new("/radius/incoming/set").attr("accept", "yes")).await.unwrap();
    let incoming = client.call(Command::new("/radius/incoming/print")).await.unwrap();
    assert_eq!(incoming[0].get("accept").unwrap(), "true");
    assert_eq!(incoming[0].get("port").unwrap(), "3799");
}

/// FreeRADIUS' radclient kicks a session through the CoA port with a
/// Message-Authenticator, and takes our Disconnect-ACK.
#[tokio::test]
async fn radclient_disconnects_a_session() {
    if std::process::Command::new("radclient").arg("-v").output().is_err() {
        eprintln!("radclient not installed: skipped");
        return;
    }
    let (sim, mut accounting) = nas().await;
    ana_online(&sim, &mut accounting).await;
    let coa = sim.coa_addr().unwrap().to_string();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new("radclient")
            .args(["-x", "-r", "1", "-t", "3", &coa, "disconnect", SECRET])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"User-Name = \"ana\", Message-Authenticator = 0x00\n").unwrap();
        let output = child.wait_with_output().unwrap();
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
    })
    .await
    .unwrap();
    assert!(out.contains("Received Disconnect-ACK"), "{out}");
    assert_eq!(sim.active_count(), 0);
    let stop = next(&mut accounting).await;
    assert_eq!(cause(&stop), TerminateCause::AdminReset);
}

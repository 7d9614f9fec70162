//! Interop with FreeRADIUS' own client: `radclient` sends Disconnect-,
//! CoA- and Accounting-Requests with a Message-Authenticator to a UDP
//! listener that checks them with [`verify_request`] and answers with
//! [`reply`]; radclient then checks our answer. This settles the order of
//! the two signatures on computed requests (the Message-Authenticator over
//! a zeroed authenticator field, then the Request Authenticator over the
//! packet carrying it) and the authenticator a reply's
//! Message-Authenticator covers. Skipped when radclient is not installed.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use headend_radius::attribute::typ;
use headend_radius::auth::{self, MessageAuth};
use headend_radius::{
    Attribute, Code, ErrorCause, Packet, RequestError, SessionSelector, disconnect_request, reply, verify_request,
};

const SECRET: &str = "interop-secret";

fn radclient_present() -> bool {
    Command::new("radclient").arg("-v").output().is_ok_and(|o| o.status.success())
}

/// What radclient's request verified to, its bytes, and radclient's output.
type Exchange = (Result<Packet, RequestError>, Vec<u8>, String);

/// Our answer with `code` and `attributes`, signed by [`reply`].
fn answer(code: Code, attributes: Vec<Attribute>) -> impl FnOnce(&Packet) -> Vec<u8> + Send + 'static {
    move |request| reply(request, code, attributes, SECRET.as_bytes()).unwrap()
}

/// A reply whose Message-Authenticator covers `covered` instead of what
/// [`reply`] picks, with a correct Response Authenticator: radclient must
/// refuse it if it checks the Message-Authenticator the way we do.
fn answer_covering(code: Code, covered: [u8; 16]) -> impl FnOnce(&Packet) -> Vec<u8> + Send + 'static {
    move |request| {
        let stand_in = Packet::new(Code::AccessRequest, request.identifier, covered);
        let mut packet =
            Packet::new(code, request.identifier, [0; 16]).with(Attribute::message_authenticator_placeholder());
        let mut bytes = auth::sign_reply(&mut packet, &stand_in, SECRET.as_bytes()).unwrap();
        let right = auth::response_authenticator(&bytes, &request.authenticator, SECRET.as_bytes()).unwrap();
        bytes[4..20].copy_from_slice(&right);
        bytes
    }
}

/// Serves one radclient request with `respond`'s bytes.
fn exchange(kind: &str, attributes: &str, respond: impl FnOnce(&Packet) -> Vec<u8> + Send + 'static) -> Exchange {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = socket.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let (n, peer) = socket.recv_from(&mut buf).unwrap();
        let bytes = buf[..n].to_vec();
        let verified = verify_request(&bytes, SECRET.as_bytes());
        if let Ok(request) = &verified {
            socket.send_to(&respond(request), peer).unwrap();
        }
        (verified, bytes)
    });
    let mut child = Command::new("radclient")
        .args(["-x", "-r", "1", "-t", "3", &format!("127.0.0.1:{port}"), kind, SECRET])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(attributes.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let (verified, bytes) = server.join().unwrap();
    (verified, bytes, text)
}

#[test]
fn radclient_disconnect_with_message_authenticator_is_verified_and_our_ack_accepted() {
    if !radclient_present() {
        eprintln!("radclient not installed: skipped");
        return;
    }
    let (verified, bytes, out) = exchange(
        "disconnect",
        "User-Name = \"ana\", Acct-Session-Id = \"81000001\", Message-Authenticator = 0x00\n",
        answer(Code::DisconnectAck, Vec::new()),
    );
    let request = verified.unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(request.code, Code::DisconnectRequest);
    assert_eq!(request.find(typ::USER_NAME).unwrap().as_text().unwrap(), "ana");
    assert_eq!(auth::verify_message_authenticator(&bytes, &[0; 16], SECRET.as_bytes()), Ok(MessageAuth::Valid));
    assert!(out.contains("Received Disconnect-ACK"), "{out}");

    // Our own builder signs exactly like radclient: the same checks pass,
    // and with the same attributes in the same order the bytes are equal.
    let ours = disconnect_request(
        request.identifier,
        &SessionSelector { user_name: Some("ana"), acct_session_id: Some("81000001"), framed_ip_address: None },
        SECRET.as_bytes(),
    )
    .unwrap();
    assert_eq!(verify_request(&ours.bytes, SECRET.as_bytes()), Ok(ours.packet.clone()));
    assert_eq!(ours.bytes, bytes, "our Disconnect-Request differs from radclient's");
}

#[test]
fn radclient_accepts_our_disconnect_nak_with_error_cause() {
    if !radclient_present() {
        return;
    }
    let (verified, _, out) = exchange(
        "disconnect",
        "Framed-IP-Address = 100.64.0.9, Message-Authenticator = 0x00\n",
        answer(Code::DisconnectNak, vec![Attribute::error_cause(ErrorCause::SessionContextNotFound)]),
    );
    verified.unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(out.contains("Received Disconnect-NAK"), "{out}");
    assert!(out.contains("Session-Context-Not-Found"), "{out}");
}

#[test]
fn radclient_coa_is_verified_and_our_ack_accepted() {
    if !radclient_present() {
        return;
    }
    let (verified, _, out) = exchange(
        "coa",
        "User-Name = \"ana\", Mikrotik-Rate-Limit = \"5M/5M\", Message-Authenticator = 0x00\n",
        answer(Code::CoaAck, Vec::new()),
    );
    let request = verified.unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(headend_radius::Authorization::read(&request).rate_limit.as_deref(), Some("5M/5M"));
    assert!(out.contains("Received CoA-ACK"), "{out}");
}

#[test]
fn radclient_accounting_is_verified_and_our_response_accepted() {
    if !radclient_present() {
        return;
    }
    let (verified, _, out) = exchange(
        "acct",
        "Acct-Status-Type = Start, User-Name = \"ana\", Acct-Session-Id = \"81000001\", NAS-Identifier = \"sim\", Message-Authenticator = 0x00\n",
        answer(Code::AccountingResponse, Vec::new()),
    );
    verified.unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(out.contains("Received Accounting-Response"), "{out}");
}

#[test]
fn radclient_refuses_an_ack_whose_message_authenticator_covers_zeros() {
    if !radclient_present() {
        return;
    }
    let (_, _, out) = exchange(
        "disconnect",
        "User-Name = \"ana\", Message-Authenticator = 0x00\n",
        answer_covering(Code::DisconnectAck, [0; 16]),
    );
    assert!(!out.contains("Received Disconnect-ACK"), "{out}");
    assert!(out.contains("invalid Message-Authenticator"), "{out}");
}

#[test]
fn radclient_refuses_an_accounting_response_whose_message_authenticator_covers_the_request_authenticator() {
    if !radclient_present() {
        return;
    }
    let (verified, _, out) = exchange(
        "acct",
        "Acct-Status-Type = Stop, User-Name = \"ana\", Acct-Session-Id = \"1\", NAS-Identifier = \"sim\", Message-Authenticator = 0x00\n",
        |request: &Packet| {
            let authenticator = request.authenticator;
            answer_covering(Code::AccountingResponse, authenticator)(request)
        },
    );
    verified.unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(out.contains("invalid Message-Authenticator"), "{out}");
}

#[test]
fn a_request_signed_with_another_secret_is_refused() {
    let ours =
        disconnect_request(7, &SessionSelector { user_name: Some("ana"), ..Default::default() }, b"other").unwrap();
    assert_eq!(verify_request(&ours.bytes, SECRET.as_bytes()), Err(RequestError::BadRequestAuthenticator));
}

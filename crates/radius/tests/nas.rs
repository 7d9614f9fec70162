//! The NAS side: accounting, incoming Disconnect/CoA and their answers,
//! and what an Access-Accept grants.
#![allow(clippy::unwrap_used)]

use std::net::Ipv4Addr;

use headend_radius::attribute::typ;
use headend_radius::auth::{self, MessageAuthError};
use headend_radius::{
    AccountingRequest, AcctStatusType, AnswerError, Attribute, Authorization, BuildError, Code, ErrorCause, Packet,
    PapRequest, RequestError, SessionSelector, TerminateCause, access_request_pap, accounting_request, coa_request,
    decode, disconnect_request, reply, status_server, verify_reply, verify_request,
};

const SECRET: &[u8] = b"nas-secret";

fn stop() -> AccountingRequest<'static> {
    AccountingRequest {
        nas_identifier: Some("sim-nas"),
        nas_ip_address: Some(Ipv4Addr::new(10, 0, 0, 1)),
        framed_ip_address: Some(Ipv4Addr::new(100, 64, 0, 2)),
        calling_station_id: Some("02:00:00:00:00:01"),
        input_octets: Some((5 << 32) + 7),
        output_octets: Some(9),
        session_time: Some(3600),
        terminate_cause: Some(TerminateCause::AdminReset),
        ..AccountingRequest::new(3, AcctStatusType::Stop, "ana", "81000001")
    }
}

#[test]
fn accounting_stop_carries_everything_and_verifies() {
    let built = accounting_request(&stop(), SECRET).unwrap();
    let p = verify_request(&built.bytes, SECRET).unwrap();
    assert_eq!(p, built.packet);
    assert_eq!((p.code, p.identifier), (Code::AccountingRequest, 3));
    assert_eq!(p.find(typ::ACCT_STATUS_TYPE).unwrap().as_u32().unwrap(), 2);
    assert_eq!(p.find(typ::USER_NAME).unwrap().as_text().unwrap(), "ana");
    assert_eq!(p.find(typ::ACCT_SESSION_ID).unwrap().as_text().unwrap(), "81000001");
    assert_eq!(p.find(typ::NAS_IDENTIFIER).unwrap().as_text().unwrap(), "sim-nas");
    assert_eq!(p.find(typ::NAS_IP_ADDRESS).unwrap().as_ipv4().unwrap(), Ipv4Addr::new(10, 0, 0, 1));
    assert_eq!(p.find(typ::FRAMED_IP_ADDRESS).unwrap().as_ipv4().unwrap(), Ipv4Addr::new(100, 64, 0, 2));
    assert_eq!(p.find(typ::CALLING_STATION_ID).unwrap().as_text().unwrap(), "02:00:00:00:00:01");
    assert_eq!(p.counter64(typ::ACCT_INPUT_OCTETS, typ::ACCT_INPUT_GIGAWORDS), Some((5 << 32) + 7));
    assert_eq!(p.counter64(typ::ACCT_OUTPUT_OCTETS, typ::ACCT_OUTPUT_GIGAWORDS), Some(9));
    assert_eq!(p.find(typ::ACCT_SESSION_TIME).unwrap().as_u32().unwrap(), 3600);
    let cause = p.find(typ::ACCT_TERMINATE_CAUSE).unwrap().as_u32().unwrap();
    assert_eq!(TerminateCause::from_u32(cause), Some(TerminateCause::AdminReset));
    assert!(p.find(typ::MESSAGE_AUTHENTICATOR).is_none());
    // RFC 2866 §3: MD5 over the packet with a zeroed authenticator field.
    assert_eq!(p.authenticator, auth::request_authenticator(&built.bytes, SECRET).unwrap());
}

#[test]
fn accounting_start_has_only_what_was_given_and_needs_a_nas_identity() {
    let start = AccountingRequest {
        nas_identifier: Some("sim-nas"),
        ..AccountingRequest::new(1, AcctStatusType::Start, "ana", "s1")
    };
    let p = accounting_request(&start, SECRET).unwrap().packet;
    let types: Vec<u8> = p.attributes.iter().map(|a| a.typ).collect();
    assert_eq!(types, [typ::ACCT_STATUS_TYPE, typ::USER_NAME, typ::ACCT_SESSION_ID, typ::NAS_IDENTIFIER]);
    let anonymous = AccountingRequest::new(1, AcctStatusType::InterimUpdate, "ana", "s1");
    assert_eq!(accounting_request(&anonymous, SECRET), Err(BuildError::NoNasIdentity));
}

#[test]
fn enumerated_values_match_the_rfcs() {
    let status: Vec<(u32, &str)> = AcctStatusType::ALL.iter().map(|s| (s.to_u32(), s.name())).collect();
    assert_eq!(status[..3], [(1, "Start"), (2, "Stop"), (3, "Interim-Update")]);
    for (cause, value) in [
        (TerminateCause::UserRequest, 1),
        (TerminateCause::LostCarrier, 2),
        (TerminateCause::IdleTimeout, 4),
        (TerminateCause::SessionTimeout, 5),
        (TerminateCause::AdminReset, 6),
        (TerminateCause::NasRequest, 10),
    ] {
        assert_eq!(cause.to_u32(), value);
        assert_eq!(TerminateCause::from_u32(value), Some(cause));
    }
    assert_eq!(TerminateCause::from_u32(0), None);
    assert_eq!(ErrorCause::SessionContextNotFound.to_u32(), 503);
    assert_eq!(ErrorCause::from_u32(503).map(ErrorCause::name), Some("Session-Context-Not-Found"));
}

fn session() -> SessionSelector<'static> {
    SessionSelector { user_name: Some("ana"), ..Default::default() }
}

#[test]
fn incoming_disconnect_and_coa_verify_and_wrong_ones_are_refused() {
    let kick = disconnect_request(5, &session(), SECRET).unwrap();
    assert_eq!(verify_request(&kick.bytes, SECRET), Ok(kick.packet.clone()));
    assert_eq!(verify_request(&kick.bytes, b"wrong"), Err(RequestError::BadRequestAuthenticator));
    let coa = coa_request(6, &session(), "1M/1M", SECRET).unwrap();
    assert_eq!(verify_request(&coa.bytes, SECRET).unwrap().code, Code::CoaRequest);

    // An altered Message-Authenticator with a Request Authenticator made
    // over it: only the HMAC gives it away.
    let mut forged = kick.packet.clone();
    let at = forged.attributes.iter().position(|a| a.typ == typ::MESSAGE_AUTHENTICATOR).unwrap();
    forged.attributes[at] = Attribute::new(typ::MESSAGE_AUTHENTICATOR, vec![1; 16]);
    forged.authenticator = [0; 16];
    let mut bytes = forged.encode().unwrap();
    let computed = auth::request_authenticator(&bytes, SECRET).unwrap();
    bytes[4..20].copy_from_slice(&computed);
    assert_eq!(verify_request(&bytes, SECRET), Err(RequestError::BadMessageAuthenticator(MessageAuthError::Mismatch)));
}

#[test]
fn replies_and_junk_are_not_requests() {
    let kick = disconnect_request(5, &session(), SECRET).unwrap();
    let ack = reply(&kick.packet, Code::DisconnectAck, Vec::new(), SECRET).unwrap();
    assert_eq!(verify_request(&ack, SECRET), Err(RequestError::NotARequest("Disconnect-ACK")));
    assert!(matches!(verify_request(&[1, 2, 3], SECRET), Err(RequestError::Decode(_))));
}

#[test]
fn access_request_and_status_server_check_their_message_authenticator() {
    let pap = PapRequest { identifier: 1, user_name: "ana", password: b"secret1", nas_identifier: "sim" };
    let built = access_request_pap(&pap, SECRET, [4; 16]).unwrap();
    assert_eq!(verify_request(&built.bytes, SECRET), Ok(built.packet));
    assert!(matches!(verify_request(&built.bytes, b"wrong"), Err(RequestError::BadMessageAuthenticator(_))));
    let probe = status_server(2, None, SECRET, [5; 16]).unwrap();
    assert!(verify_request(&probe.bytes, SECRET).is_ok());
    let bare = Packet::new(Code::StatusServer, 2, [5; 16]).encode().unwrap();
    assert_eq!(verify_request(&bare, SECRET), Err(RequestError::MissingMessageAuthenticator));
}

#[test]
fn answers_verify_on_the_requesting_side() {
    let kick = disconnect_request(5, &session(), SECRET).unwrap();
    let nak = reply(
        &kick.packet,
        Code::DisconnectNak,
        vec![Attribute::error_cause(ErrorCause::SessionContextNotFound)],
        SECRET,
    )
    .unwrap();
    let got = verify_reply(&kick.packet, &nak, SECRET).unwrap();
    assert_eq!(got.code, Code::DisconnectNak);
    assert_eq!(got.attributes[0].typ, typ::MESSAGE_AUTHENTICATOR);
    assert_eq!(got.find(typ::ERROR_CAUSE).unwrap().as_u32().unwrap(), 503);
    assert!(verify_reply(&kick.packet, &nak, b"wrong").is_err());

    let coa = coa_request(6, &session(), "1M/1M", SECRET).unwrap();
    let ack = reply(&coa.packet, Code::CoaAck, Vec::new(), SECRET).unwrap();
    assert_eq!(verify_reply(&coa.packet, &ack, SECRET).unwrap().code, Code::CoaAck);

    let acct = accounting_request(&stop(), SECRET).unwrap();
    let response = reply(&acct.packet, Code::AccountingResponse, Vec::new(), SECRET).unwrap();
    assert_eq!(verify_reply(&acct.packet, &response, SECRET).unwrap().code, Code::AccountingResponse);
    // FreeRADIUS' rule: that Message-Authenticator covers zeros.
    assert!(auth::verify_message_authenticator(&response, &[0; 16], SECRET).is_ok());

    assert_eq!(
        reply(&kick.packet, Code::CoaAck, Vec::new(), SECRET),
        Err(AnswerError::NotAnAnswer { request: "Disconnect-Request", reply: "CoA-ACK" })
    );
}

#[test]
fn an_access_accept_is_read_into_plain_fields() {
    let pap = PapRequest { identifier: 1, user_name: "ana", password: b"secret1", nas_identifier: "sim" };
    let request = access_request_pap(&pap, SECRET, [4; 16]).unwrap().packet;
    let accept = reply(
        &request,
        Code::AccessAccept,
        vec![
            Attribute::mikrotik_rate_limit("10M/20M"),
            Attribute::mikrotik_address_list("suspended"),
            Attribute::framed_ip_address(Ipv4Addr::new(100, 64, 1, 1)),
            Attribute::integer(typ::SESSION_TIMEOUT, 86_400),
            Attribute::integer(typ::IDLE_TIMEOUT, 300),
            Attribute::bytes(typ::FRAMED_POOL, b"pool-a"),
            Attribute::bytes(typ::REPLY_MESSAGE, b"Welcome, "),
            Attribute::bytes(typ::REPLY_MESSAGE, b"ana"),
        ],
        SECRET,
    )
    .unwrap();
    let got = Authorization::read(&verify_reply(&request, &accept, SECRET).unwrap());
    assert_eq!(
        got,
        Authorization {
            rate_limit: Some("10M/20M".into()),
            address_list: Some("suspended".into()),
            framed_ip_address: Some(Ipv4Addr::new(100, 64, 1, 1)),
            session_timeout: Some(86_400),
            idle_timeout: Some(300),
            framed_pool: Some("pool-a".into()),
            reply_message: Some("Welcome, ana".into()),
        }
    );
    // Malformed values are skipped, not errors.
    let odd = Packet::new(Code::AccessAccept, 1, [0; 16])
        .with(Attribute::bytes(typ::SESSION_TIMEOUT, b"xx"))
        .with(Attribute::bytes(typ::FRAMED_IP_ADDRESS, b"\x01"))
        .with(Attribute::bytes(typ::VENDOR_SPECIFIC, b"\x00"));
    assert_eq!(Authorization::read(&odd), Authorization::default());
    assert_eq!(Authorization::read(&decode(&accept).unwrap()).rate_limit.as_deref(), Some("10M/20M"));
}

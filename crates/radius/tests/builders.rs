//! The requests Headend sends, and replies checked against them.
#![allow(clippy::unwrap_used)]

use std::net::Ipv4Addr;

use headend_radius::attribute::{self, mikrotik, typ};
use headend_radius::auth::{self, MessageAuth, MessageAuthError};
use headend_radius::{
    Attribute, BuildError, Code, DecodeError, Packet, PapRequest, ReplyError, SessionSelector, Vsa, access_request_pap,
    coa_request, decode, disconnect_request, status_server, verify_reply,
};

const SECRET: &[u8] = b"s3cret-shared";
const RANDOM: [u8; 16] = [7; 16];

fn pap() -> PapRequest<'static> {
    PapRequest { identifier: 42, user_name: "alice", password: b"hunter2-hunter2-hunter2", nas_identifier: "headend" }
}

fn session() -> SessionSelector<'static> {
    SessionSelector {
        user_name: Some("alice"),
        acct_session_id: Some("81a0000b"),
        framed_ip_address: Some(Ipv4Addr::new(100, 64, 0, 9)),
    }
}

/// A reply to `request`, signed the way a server would.
fn reply_to(request: &Packet, code: Code, attributes: Vec<Attribute>, secret: &[u8]) -> Vec<u8> {
    let mut reply = Packet::new(code, request.identifier, [0; 16]);
    reply.attributes = attributes;
    auth::sign_reply(&mut reply, request, secret).unwrap()
}

#[test]
fn pap_request_is_signed_and_hides_the_password() {
    let built = access_request_pap(&pap(), SECRET, RANDOM).unwrap();
    let p = decode(&built.bytes).unwrap();
    assert_eq!(p, built.packet);
    assert_eq!((p.code, p.identifier, p.authenticator), (Code::AccessRequest, 42, RANDOM));
    assert_eq!(p.attributes[0].typ, typ::MESSAGE_AUTHENTICATOR);
    assert_eq!(auth::verify_message_authenticator(&built.bytes, &RANDOM, SECRET), Ok(MessageAuth::Valid));
    assert_eq!(auth::verify_message_authenticator(&built.bytes, &RANDOM, b"other"), Err(MessageAuthError::Mismatch));
    let hidden = &p.find(typ::USER_PASSWORD).unwrap().value;
    assert_eq!(hidden.len(), 32);
    let clear = attribute::unhide_password(hidden, SECRET, &RANDOM).unwrap();
    assert_eq!(clear.as_bytes(), pap().password);
    assert_eq!(p.find(typ::NAS_IDENTIFIER).unwrap().as_text().unwrap(), "headend");
}

#[test]
fn secrets_stay_out_of_debug() {
    let debug = format!("{:?}", pap());
    assert!(!debug.contains("hunter2"), "{debug}");
    let clear =
        attribute::unhide_password(&attribute::hide_password(b"hunter2", SECRET, &RANDOM).unwrap(), SECRET, &RANDOM)
            .unwrap();
    assert_eq!(format!("{clear:?}"), "Password(..)");
    let built = access_request_pap(&pap(), SECRET, RANDOM).unwrap();
    let debug = format!("{built:?}");
    assert!(!debug.contains("hunter2") && !debug.contains("s3cret"));
}

#[test]
fn pap_password_too_long_is_refused() {
    let long = [b'x'; 129];
    let request = PapRequest { password: &long, ..pap() };
    assert_eq!(
        access_request_pap(&request, SECRET, RANDOM),
        Err(BuildError::Password(attribute::PasswordError::TooLong(129)))
    );
}

#[test]
fn access_reply_kinds_are_verified() {
    let built = access_request_pap(&pap(), SECRET, RANDOM).unwrap();
    let rate = Attribute::mikrotik_rate_limit("10M/20M");
    for (code, with_ma) in [
        (Code::AccessAccept, true),
        (Code::AccessAccept, false),
        (Code::AccessReject, true),
        (Code::AccessChallenge, false),
    ] {
        let mut attrs = vec![rate.clone()];
        if with_ma {
            attrs.insert(0, Attribute::message_authenticator_placeholder());
        }
        let bytes = reply_to(&built.packet, code, attrs, SECRET);
        let reply = verify_reply(&built.packet, &bytes, SECRET).unwrap();
        assert_eq!(reply.code, code);
        assert_eq!(Vsa::find(&reply.attributes, mikrotik::VENDOR_ID, mikrotik::RATE_LIMIT).unwrap(), b"10M/20M");
    }
}

#[test]
fn bad_replies_are_refused() {
    let built = access_request_pap(&pap(), SECRET, RANDOM).unwrap();
    let request = &built.packet;
    let good = reply_to(request, Code::AccessAccept, vec![Attribute::message_authenticator_placeholder()], SECRET);

    let mut wrong_id = request.clone();
    wrong_id.identifier = 43;
    assert_eq!(verify_reply(&wrong_id, &good, SECRET), Err(ReplyError::IdentifierMismatch { expected: 43, got: 42 }));
    let coa_ack = reply_to(request, Code::CoaAck, vec![], SECRET);
    assert_eq!(
        verify_reply(request, &coa_ack, SECRET),
        Err(ReplyError::UnexpectedCode { request: "Access-Request", got: "CoA-ACK" })
    );
    assert_eq!(verify_reply(request, &good, b"wrong"), Err(ReplyError::BadResponseAuthenticator));
    // Any flipped byte after the code breaks the Response Authenticator (or
    // the frame, or the identifier).
    for i in 1..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        assert!(verify_reply(request, &bad, SECRET).is_err(), "byte {i}");
    }
    assert!(matches!(verify_reply(request, &good[..19], SECRET), Err(ReplyError::Decode(_))));
    assert_eq!(verify_reply(request, &[], SECRET), Err(ReplyError::Decode(DecodeError::ShortHeader { got: 0 })));
}

#[test]
fn message_authenticator_mismatch_is_reported_even_with_a_good_response_authenticator() {
    let built = access_request_pap(&pap(), SECRET, RANDOM).unwrap();
    // The server signs the Response Authenticator over a bogus HMAC value.
    let mut reply = Packet::new(Code::AccessAccept, 42, built.packet.authenticator)
        .with(Attribute::new(typ::MESSAGE_AUTHENTICATOR, vec![9; 16]));
    let bytes = reply.encode().unwrap();
    reply.authenticator = auth::response_authenticator(&bytes, &RANDOM, SECRET).unwrap();
    let bytes = reply.encode().unwrap();
    assert_eq!(
        verify_reply(&built.packet, &bytes, SECRET),
        Err(ReplyError::BadMessageAuthenticator(MessageAuthError::Mismatch))
    );
    // And one of the wrong size.
    let mut reply =
        Packet::new(Code::AccessAccept, 42, RANDOM).with(Attribute::new(typ::MESSAGE_AUTHENTICATOR, vec![0; 4]));
    let bytes = reply.encode().unwrap();
    reply.authenticator = auth::response_authenticator(&bytes, &RANDOM, SECRET).unwrap();
    assert_eq!(
        verify_reply(&built.packet, &reply.encode().unwrap(), SECRET),
        Err(ReplyError::BadMessageAuthenticator(MessageAuthError::BadLength(4)))
    );
}

#[test]
fn status_server_sends_a_message_authenticator_and_takes_replies_with_or_without() {
    let built = status_server(1, Some("headend"), SECRET, RANDOM).unwrap();
    assert_eq!(built.packet.code, Code::StatusServer);
    assert_eq!(auth::verify_message_authenticator(&built.bytes, &RANDOM, SECRET), Ok(MessageAuth::Valid));
    for code in [Code::AccessAccept, Code::AccountingResponse] {
        let ok = reply_to(&built.packet, code, vec![Attribute::message_authenticator_placeholder()], SECRET);
        assert_eq!(verify_reply(&built.packet, &ok, SECRET).unwrap().code, code);
    }
    // FreeRADIUS 3.2.1's own answer has none; its Response Authenticator
    // still has to match.
    let bare = reply_to(&built.packet, Code::AccessAccept, vec![], SECRET);
    assert_eq!(verify_reply(&built.packet, &bare, SECRET).unwrap().code, Code::AccessAccept);
    assert_eq!(verify_reply(&built.packet, &bare, b"other"), Err(ReplyError::BadResponseAuthenticator));
    let plain = status_server(2, None, SECRET, RANDOM).unwrap();
    assert_eq!(plain.packet.attributes.len(), 1);
}

#[test]
fn disconnect_request_has_a_computed_authenticator() {
    let built = disconnect_request(5, &session(), SECRET).unwrap();
    let p = decode(&built.bytes).unwrap();
    assert_eq!(p.code, Code::DisconnectRequest);
    assert!(auth::check_request_authenticator(&built.bytes, SECRET).unwrap());
    assert!(!auth::check_request_authenticator(&built.bytes, b"other").unwrap());
    assert_eq!(auth::verify_message_authenticator(&built.bytes, &[0; 16], SECRET), Ok(MessageAuth::Valid));
    assert_eq!(p.find(typ::ACCT_SESSION_ID).unwrap().as_text().unwrap(), "81a0000b");
    assert_eq!(p.find(typ::FRAMED_IP_ADDRESS).unwrap().as_ipv4().unwrap(), Ipv4Addr::new(100, 64, 0, 9));
    for (code, error_cause) in [(Code::DisconnectAck, None), (Code::DisconnectNak, Some(503))] {
        let attrs = error_cause.map(|c| Attribute::integer(typ::ERROR_CAUSE, c)).into_iter().collect();
        let bytes = reply_to(&built.packet, code, attrs, SECRET);
        let reply = verify_reply(&built.packet, &bytes, SECRET).unwrap();
        assert_eq!(reply.code, code);
        assert_eq!(reply.find(typ::ERROR_CAUSE).map(|a| a.as_u32().unwrap()), error_cause);
    }
}

#[test]
fn coa_request_carries_the_rate_limit() {
    let only_ip = SessionSelector { framed_ip_address: Some(Ipv4Addr::new(10, 0, 0, 1)), ..Default::default() };
    let built = coa_request(6, &only_ip, "5M/10M", SECRET).unwrap();
    assert!(auth::check_request_authenticator(&built.bytes, SECRET).unwrap());
    let p = decode(&built.bytes).unwrap();
    assert_eq!(p.code, Code::CoaRequest);
    assert_eq!(Vsa::find(&p.attributes, mikrotik::VENDOR_ID, mikrotik::RATE_LIMIT).unwrap(), b"5M/10M");
    let nak = reply_to(&built.packet, Code::CoaNak, vec![], SECRET);
    assert_eq!(verify_reply(&built.packet, &nak, SECRET).unwrap().code, Code::CoaNak);
    let disconnect_ack = reply_to(&built.packet, Code::DisconnectAck, vec![], SECRET);
    assert!(matches!(verify_reply(&built.packet, &disconnect_ack, SECRET), Err(ReplyError::UnexpectedCode { .. })));
}

#[test]
fn session_requests_need_an_identity_and_fit() {
    let none = SessionSelector::default();
    assert_eq!(disconnect_request(1, &none, SECRET), Err(BuildError::NoSessionIdentity));
    assert_eq!(coa_request(1, &none, "1M/1M", SECRET), Err(BuildError::NoSessionIdentity));
    let long = "x".repeat(300);
    let selector = SessionSelector { user_name: Some(&long), ..Default::default() };
    assert!(matches!(disconnect_request(1, &selector, SECRET), Err(BuildError::Encode(_))));
}

#[test]
fn long_secrets_work_for_every_authenticator() {
    // Over HMAC's 64-byte block: the key is hashed first (RFC 2104 §2).
    let secret = [b'k'; 100];
    let built = disconnect_request(9, &session(), &secret).unwrap();
    assert!(auth::check_request_authenticator(&built.bytes, &secret).unwrap());
    assert_eq!(auth::verify_message_authenticator(&built.bytes, &[0; 16], &secret), Ok(MessageAuth::Valid));
    assert_eq!(
        auth::verify_message_authenticator(&built.bytes, &[0; 16], &secret[..64]),
        Err(MessageAuthError::Mismatch)
    );
}

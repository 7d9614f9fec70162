//! Known answers from RFC 2865 §7: the bytes printed in the RFC.
#![allow(clippy::unwrap_used)]

use std::net::Ipv4Addr;

use headend_radius::attribute::{self, typ};
use headend_radius::auth;
use headend_radius::{Attribute, Code, Packet, ReplyError, decode, verify_reply};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

const SECRET: &[u8] = b"xyzzy5461";
const REQUEST_AUTH: [u8; 16] =
    [0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57, 0xbd, 0x83, 0xd5, 0xcb, 0x98, 0xf4, 0x22, 0x7a];
// §7.1 "User Telnet to Specified Host": Access-Request and Access-Accept.
const ACCESS_REQUEST: &str = "01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
    98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d 93 d4 13 ce 31 96 e4 3f
    78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03";
const ACCESS_ACCEPT: &str = "02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
    9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00 0e 06 c0 a8 01 03";
// §7.3 "User with Challenge-Response card": the Access-Challenge.
const ACCESS_CHALLENGE: &str = "0b 02 00 4e 36 f3 c8 76 4a e8 c7 11 57 40 3c 0c
    71 ff 9c 45 12 30 43 68 61 6c 6c 65 6e 67 65 20 33 32 37 36 39 34 33 30
    2e 20 20 45 6e 74 65 72 20 72 65 73 70 6f 6e 73 65 20 61 74 20 70 72 6f
    6d 70 74 2e 18 0a 33 32 37 36 39 34 33 30";
const HIDDEN: &str = "0d be 70 8d 93 d4 13 ce 31 96 e4 3f 78 2a 0a ee";

#[test]
fn rfc2865_7_1_password_is_hidden_as_printed() {
    let hidden = attribute::hide_password(b"arctangent", SECRET, &REQUEST_AUTH).unwrap();
    assert_eq!(hidden, hex(HIDDEN));
    let clear = attribute::unhide_password(&hidden, SECRET, &REQUEST_AUTH).unwrap();
    assert_eq!(clear.as_bytes(), b"arctangent");
}

#[test]
fn rfc2865_7_1_request_decodes_and_reencodes_byte_for_byte() {
    let bytes = hex(ACCESS_REQUEST);
    let p = decode(&bytes).unwrap();
    assert_eq!((p.code, p.identifier, p.authenticator), (Code::AccessRequest, 0, REQUEST_AUTH));
    assert_eq!(p.find(typ::USER_NAME).unwrap().as_text().unwrap(), "nemo");
    assert_eq!(p.find(typ::NAS_IP_ADDRESS).unwrap().as_ipv4().unwrap(), Ipv4Addr::new(192, 168, 1, 16));
    assert_eq!(p.find(typ::NAS_PORT).unwrap().as_u32().unwrap(), 3);
    assert_eq!(p.encode().unwrap(), bytes);
}

#[test]
fn rfc2865_7_1_request_built_from_parts() {
    let hidden = attribute::hide_password(b"arctangent", SECRET, &REQUEST_AUTH).unwrap();
    let p = Packet::new(Code::AccessRequest, 0, REQUEST_AUTH)
        .with(Attribute::user_name("nemo"))
        .with(Attribute::new(typ::USER_PASSWORD, hidden))
        .with(Attribute::ipv4(typ::NAS_IP_ADDRESS, Ipv4Addr::new(192, 168, 1, 16)))
        .with(Attribute::integer(typ::NAS_PORT, 3));
    assert_eq!(p.encode().unwrap(), hex(ACCESS_REQUEST));
}

#[test]
fn rfc2865_7_1_accept_response_authenticator_checks() {
    let accept = hex(ACCESS_ACCEPT);
    assert!(auth::check_response_authenticator(&accept, &REQUEST_AUTH, SECRET).unwrap());
    assert!(!auth::check_response_authenticator(&accept, &REQUEST_AUTH, b"xyzzy5462").unwrap());
    let request = decode(&hex(ACCESS_REQUEST)).unwrap();
    let reply = verify_reply(&request, &accept, SECRET).unwrap();
    assert_eq!(reply.code, Code::AccessAccept);
    assert_eq!(reply.find(typ::SERVICE_TYPE).unwrap().as_u32().unwrap(), 1);
    assert_eq!(verify_reply(&request, &accept, b"wrong"), Err(ReplyError::BadResponseAuthenticator));
}

#[test]
fn rfc2865_7_1_accept_signed_by_us_matches_the_rfc() {
    let mut reply = Packet::new(Code::AccessAccept, 0, [0; 16])
        .with(Attribute::integer(typ::SERVICE_TYPE, 1))
        .with(Attribute::integer(15, 0))
        .with(Attribute::ipv4(14, Ipv4Addr::new(192, 168, 1, 3)));
    let bytes = auth::sign_reply(&mut reply, &Packet::new(Code::AccessRequest, 0, REQUEST_AUTH), SECRET).unwrap();
    assert_eq!(bytes, hex(ACCESS_ACCEPT));
}

#[test]
fn rfc2865_7_3_challenge_round_trips() {
    let bytes = hex(ACCESS_CHALLENGE);
    let p = decode(&bytes).unwrap();
    assert_eq!((p.code, p.identifier), (Code::AccessChallenge, 2));
    assert_eq!(
        p.find(typ::REPLY_MESSAGE).unwrap().as_text().unwrap(),
        "Challenge 32769430.  Enter response at prompt."
    );
    assert_eq!(p.find(typ::STATE).unwrap().value, b"32769430");
    assert_eq!(p.encode().unwrap(), bytes);
}

#[test]
fn every_truncated_prefix_is_refused() {
    for vector in [ACCESS_REQUEST, ACCESS_ACCEPT, ACCESS_CHALLENGE] {
        let bytes = hex(vector);
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "{n} bytes of {vector}");
        }
    }
}

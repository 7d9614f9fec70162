//! Typed attribute values, vendor attributes and password hiding.
#![allow(clippy::unwrap_used)]

use std::net::Ipv4Addr;

use headend_radius::attribute::{self, PasswordError, ValueError, VsaError, mikrotik, typ};
use headend_radius::{Attribute, Code, EncodeError, Packet, Vsa};

#[test]
fn typed_values_read_back() {
    assert_eq!(Attribute::integer(typ::SESSION_TIMEOUT, 3600).as_u32(), Ok(3600));
    assert_eq!(Attribute::integer(typ::SESSION_TIMEOUT, 3600).value, [0, 0, 0x0e, 0x10]);
    let ip = Ipv4Addr::new(10, 1, 2, 3);
    assert_eq!(Attribute::framed_ip_address(ip).as_ipv4(), Ok(ip));
    assert_eq!(Attribute::user_name("bob").as_text(), Ok("bob"));
    let cases: Vec<(Attribute, ValueError)> = vec![
        (Attribute::new(27, vec![1, 2, 3]), ValueError::Length { typ: 27, expected: 4, got: 3 }),
        (Attribute::new(27, vec![0; 5]), ValueError::Length { typ: 27, expected: 4, got: 5 }),
    ];
    for (a, e) in cases {
        assert_eq!(a.as_u32(), Err(e.clone()));
        assert!(a.as_ipv4().is_err());
    }
    assert_eq!(Attribute::new(1, vec![0xff]).as_text(), Err(ValueError::NotText { typ: 1 }));
}

#[test]
fn names_cover_the_attributes_headend_uses() {
    for (t, n) in [
        (typ::USER_NAME, "User-Name"),
        (typ::FRAMED_POOL, "Framed-Pool"),
        (typ::ERROR_CAUSE, "Error-Cause"),
        (typ::ACCT_OUTPUT_GIGAWORDS, "Acct-Output-Gigawords"),
        (typ::MESSAGE_AUTHENTICATOR, "Message-Authenticator"),
    ] {
        assert_eq!(attribute::name(t), Some(n));
    }
    assert_eq!(attribute::name(200), None);
}

#[test]
fn counters_combine_gigawords() {
    let p = Packet::new(Code::AccountingRequest, 1, [0; 16])
        .with(Attribute::integer(typ::ACCT_INPUT_OCTETS, 5))
        .with(Attribute::integer(typ::ACCT_INPUT_GIGAWORDS, 2))
        .with(Attribute::integer(typ::ACCT_OUTPUT_OCTETS, 7));
    assert_eq!(p.counter64(typ::ACCT_INPUT_OCTETS, typ::ACCT_INPUT_GIGAWORDS), Some((2 << 32) + 5));
    assert_eq!(p.counter64(typ::ACCT_OUTPUT_OCTETS, typ::ACCT_OUTPUT_GIGAWORDS), Some(7));
    assert_eq!(p.counter64(typ::ACCT_SESSION_TIME, 0), None);
}

#[test]
fn mikrotik_vsas_have_the_documented_layout() {
    let a = Attribute::mikrotik_rate_limit("10M/20M");
    assert_eq!(a.typ, typ::VENDOR_SPECIFIC);
    // Vendor 14988 = 0x3a8c, type 8, length 2 + 7.
    assert_eq!(a.value[..6], [0, 0, 0x3a, 0x8c, 8, 9]);
    assert_eq!(&a.value[6..], b"10M/20M");
    let list = Attribute::mikrotik_address_list("suspended");
    let vsas = Vsa::parse_all(&list.value).unwrap();
    assert_eq!(vsas, [Vsa::new(mikrotik::VENDOR_ID, mikrotik::ADDRESS_LIST, b"suspended")]);
}

#[test]
fn vsa_parsing_table() {
    let cases: Vec<(&str, Vec<u8>, Result<usize, VsaError>)> = vec![
        ("two sub-attributes", vec![0, 0, 0x3a, 0x8c, 8, 3, b'a', 19, 2], Ok(2)),
        ("vendor id only", vec![0, 0, 0, 9], Ok(0)),
        ("short", vec![0, 0, 9], Err(VsaError::Short(3))),
        ("length 1", vec![0, 0, 0, 9, 1, 1], Err(VsaError::BadLength { offset: 4, length: 1 })),
        ("overrun", vec![0, 0, 0, 9, 1, 5, 0], Err(VsaError::BadLength { offset: 4, length: 5 })),
        ("lone type byte", vec![0, 0, 0, 9, 1], Err(VsaError::BadLength { offset: 4, length: 0 })),
    ];
    for (name, value, expected) in cases {
        assert_eq!(Vsa::parse_all(&value).map(|v| v.len()), expected, "{name}");
    }
    // A malformed Vendor-Specific is skipped, not fatal.
    let attrs = [Attribute::new(typ::VENDOR_SPECIFIC, vec![1]), Attribute::mikrotik_rate_limit("1M/1M")];
    assert_eq!(Vsa::all_in(&attrs).len(), 1);
    assert_eq!(Vsa::find(&attrs, 9, 8), None);
}

#[test]
fn password_lengths_round_trip() {
    let auth = [0x5a; 16];
    for (len, hidden_len) in [(0, 16), (1, 16), (15, 16), (16, 16), (17, 32), (100, 112), (128, 128)] {
        let password: Vec<u8> = (1..=len).map(|i| i as u8).collect();
        let hidden = attribute::hide_password(&password, b"k", &auth).unwrap();
        assert_eq!(hidden.len(), hidden_len, "{len}");
        assert_eq!(attribute::unhide_password(&hidden, b"k", &auth).unwrap().as_bytes(), password);
    }
    assert_eq!(attribute::hide_password(&[1; 129], b"k", &auth), Err(PasswordError::TooLong(129)));
    for bad in [0, 15, 17, 144] {
        assert_eq!(attribute::unhide_password(&vec![0; bad], b"k", &auth), Err(PasswordError::BadHiddenLength(bad)));
    }
}

#[test]
fn encode_refuses_what_does_not_fit() {
    let p = Packet::new(Code::AccessAccept, 0, [0; 16]).with(Attribute::new(18, vec![0; 254]));
    assert_eq!(p.encode(), Err(EncodeError::AttributeTooLong { typ: 18, len: 254 }));
    let mut p = Packet::new(Code::AccessAccept, 0, [0; 16]);
    for _ in 0..17 {
        p.attributes.push(Attribute::new(18, vec![0; 253]));
    }
    assert_eq!(p.encode(), Err(EncodeError::PacketTooLong { len: 20 + 17 * 255 }));
    let too_long_vsa = Vsa::new(1, 1, &[0; 250]).to_attribute();
    assert!(Packet::new(Code::CoaRequest, 0, [0; 16]).with(too_long_vsa).encode().is_err());
}

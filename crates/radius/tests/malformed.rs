//! Every malformed length is refused with an error naming it, never a panic.
#![allow(clippy::unwrap_used)]

use headend_radius::{Code, DecodeError, decode};

/// A header with `declared` length, then `body`.
fn packet(code: u8, declared: u16, body: &[u8]) -> Vec<u8> {
    let mut out = vec![code, 7];
    out.extend_from_slice(&declared.to_be_bytes());
    out.extend_from_slice(&[0xAA; 16]);
    out.extend_from_slice(body);
    out
}

#[test]
fn malformed_packets_are_refused() {
    use DecodeError::*;
    let cases: Vec<(&str, Vec<u8>, DecodeError)> = vec![
        ("empty", vec![], ShortHeader { got: 0 }),
        ("three bytes", vec![1, 0, 0], ShortHeader { got: 3 }),
        ("19 bytes", packet(1, 20, &[])[..19].to_vec(), ShortHeader { got: 19 }),
        ("length 0", packet(1, 0, &[]), LengthBelowHeader { declared: 0 }),
        ("length 19", packet(1, 19, &[]), LengthBelowHeader { declared: 19 }),
        ("length 4097", packet(1, 4097, &[]), LengthAboveMax { declared: 4097 }),
        ("length 65535", packet(1, 65535, &[]), LengthAboveMax { declared: 65535 }),
        ("length past buffer", packet(1, 22, &[]), Truncated { declared: 22, got: 20 }),
        ("unknown code 0", packet(0, 20, &[]), UnknownCode(0)),
        ("unknown code 13", packet(13, 20, &[]), UnknownCode(13)),
        ("attribute cut", packet(1, 21, &[1]), AttributeHeaderCut { offset: 20 }),
        ("attribute length 0", packet(1, 22, &[1, 0]), AttributeTooShort { offset: 20, length: 0 }),
        ("attribute length 1", packet(1, 22, &[1, 1]), AttributeTooShort { offset: 20, length: 1 }),
        ("attribute overrun", packet(1, 23, &[1, 4, 0]), AttributeOverrun { offset: 20, length: 4 }),
        ("second attribute overrun", packet(1, 26, &[1, 3, b'a', 2, 9, 0]), AttributeOverrun { offset: 23, length: 9 }),
        (
            "attribute past declared length but inside buffer",
            packet(1, 22, &[1, 3, b'a']),
            AttributeOverrun { offset: 20, length: 3 },
        ),
    ];
    for (name, bytes, expected) in cases {
        assert_eq!(decode(&bytes), Err(expected.clone()), "{name}");
        assert!(!expected.to_string().is_empty());
    }
}

#[test]
fn trailing_bytes_past_the_declared_length_are_ignored() {
    let mut bytes = packet(2, 23, &[18, 3, b'x']);
    bytes.extend_from_slice(&[0xFF; 100]);
    let p = decode(&bytes).unwrap();
    assert_eq!(p.code, Code::AccessAccept);
    assert_eq!(p.attributes.len(), 1);
    assert_eq!(p.encode().unwrap(), bytes[..23]);
}

#[test]
fn empty_attribute_and_exact_maximum_are_accepted() {
    let p = decode(&packet(1, 22, &[1, 2])).unwrap();
    assert_eq!(p.attributes[0].value, b"");
    // 4096 bytes: 20 header, then 15 attributes of 255 and one of 251.
    let mut body = Vec::new();
    for _ in 0..15 {
        body.extend_from_slice(&[26, 255]);
        body.extend_from_slice(&[0; 253]);
    }
    body.extend_from_slice(&[25, 251]);
    body.extend_from_slice(&[0; 249]);
    let bytes = packet(2, 4096, &body);
    assert_eq!(bytes.len(), 4096);
    let p = decode(&bytes).unwrap();
    assert_eq!(p.attributes.len(), 16);
    assert_eq!(p.encode().unwrap(), bytes);
}

#[test]
fn every_code_round_trips_and_no_other_decodes() {
    for value in 0..=255u8 {
        match Code::from_u8(value) {
            Some(code) => {
                assert_eq!(code.to_u8(), value);
                assert!(!code.name().is_empty());
                assert_eq!(decode(&packet(value, 20, &[])).unwrap().code, code);
            }
            None => assert_eq!(decode(&packet(value, 20, &[])), Err(DecodeError::UnknownCode(value))),
        }
    }
    assert_eq!(Code::ALL.len(), 13);
}

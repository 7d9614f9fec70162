//! Properties over arbitrary input: nothing panics, encode and decode agree.
#![allow(clippy::unwrap_used)]

use headend_radius::attribute;
use headend_radius::auth;
use headend_radius::{
    Attribute, Code, MAX_PACKET_LEN, Packet, PapRequest, Vsa, access_request_pap, decode, verify_reply,
};
use proptest::prelude::*;

fn any_packet() -> impl Strategy<Value = Packet> {
    (
        prop::sample::select(Code::ALL.to_vec()),
        any::<u8>(),
        any::<[u8; 16]>(),
        prop::collection::vec((any::<u8>(), prop::collection::vec(any::<u8>(), 0..=253)), 0..12),
    )
        .prop_map(|(code, identifier, authenticator, attrs)| Packet {
            code,
            identifier,
            authenticator,
            attributes: attrs.into_iter().map(|(t, v)| Attribute::new(t, v)).collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..5000)) {
        if let Ok(p) = decode(&bytes) {
            let again = p.encode().unwrap();
            prop_assert!(again.len() <= MAX_PACKET_LEN);
            prop_assert_eq!(&again[..], &bytes[..again.len()]);
        }
    }

    #[test]
    fn decode_never_panics_on_plausible_headers(
        code in prop::sample::select(Code::ALL.to_vec()),
        len in 0u16..4200,
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = vec![code.to_u8(), 1];
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(&[0; 16]);
        bytes.extend_from_slice(&body);
        let _ = decode(&bytes);
    }

    #[test]
    fn encode_then_decode_round_trips(p in any_packet()) {
        match p.encode() {
            Ok(bytes) => prop_assert_eq!(decode(&bytes).unwrap(), p),
            Err(_) => prop_assert!(p.encoded_len().is_err()),
        }
    }

    #[test]
    fn verify_reply_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600), id in any::<u8>()) {
        let request = PapRequest { identifier: id, user_name: "u", password: b"p", nas_identifier: "n" };
        let built = access_request_pap(&request, b"secret", [3; 16]).unwrap();
        let _ = verify_reply(&built.packet, &bytes, b"secret");
        let _ = auth::verify_message_authenticator(&bytes, &[0; 16], b"secret");
        let _ = auth::check_request_authenticator(&bytes, b"secret");
    }

    #[test]
    fn signed_replies_verify(attrs in prop::collection::vec((1u8..=79, prop::collection::vec(any::<u8>(), 0..40)), 0..8)) {
        let request = PapRequest { identifier: 9, user_name: "u", password: b"p", nas_identifier: "n" };
        let built = access_request_pap(&request, b"secret", [3; 16]).unwrap();
        let mut reply = Packet::new(Code::AccessAccept, 9, [0; 16])
            .with(Attribute::message_authenticator_placeholder());
        reply.attributes.extend(attrs.into_iter().map(|(t, v)| Attribute::new(t, v)));
        let bytes = auth::sign_reply(&mut reply, &built.packet, b"secret").unwrap();
        prop_assert_eq!(verify_reply(&built.packet, &bytes, b"secret").unwrap(), reply);
    }

    #[test]
    fn vsa_and_password_parsers_never_panic(value in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Vsa::parse_all(&value);
        let _ = attribute::unhide_password(&value, b"k", &[0; 16]);
    }

    #[test]
    fn passwords_round_trip(password in prop::collection::vec(1u8..=255, 0..=128), auth in any::<[u8; 16]>()) {
        let hidden = attribute::hide_password(&password, b"k", &auth).unwrap();
        let clear = attribute::unhide_password(&hidden, b"k", &auth).unwrap();
        prop_assert_eq!(clear.as_bytes(), &password[..]);
    }
}

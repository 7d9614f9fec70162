//! Arbitrary bytes as a RADIUS datagram (and, as text, as the RADIUS
//! database's address the operator types): decoding must return a packet or
//! an error, never panic; what decodes must re-encode to the same bytes;
//! checking it as a reply to a fixed request, or as an incoming request
//! (and answering it, and reading it as an Access-Accept), must not panic
//! either.

#![no_main]

use headend_core::radius::database::DatabaseUrl;
use headend_radius::auth;
use headend_radius::{
    Authorization, Code, PapRequest, SessionSelector, Vsa, access_request_pap, decode, disconnect_request, reply,
    verify_reply, verify_request,
};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzz-secret";

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(url) = text.parse::<DatabaseUrl>()
    {
        assert_eq!(url.to_string().parse::<DatabaseUrl>().as_ref(), Ok(&url), "an address prints back");
    }
    if let Ok(packet) = decode(data) {
        let bytes = packet.encode().expect("a decoded packet re-encodes");
        assert_eq!(bytes[..], data[..bytes.len()]);
        assert_eq!(decode(&bytes).as_ref(), Ok(&packet));
        for a in &packet.attributes {
            let _ = Vsa::parse_all(&a.value);
        }
        let _ = format!("{packet:?}");
        let _ = Authorization::read(&packet);
    }
    if let Ok(request) = verify_request(data, SECRET) {
        for code in Code::ALL {
            let _ = reply(&request, code, Vec::new(), SECRET);
        }
    }
    let request = PapRequest {
        identifier: data.get(1).copied().unwrap_or(0),
        user_name: "u",
        password: b"p",
        nas_identifier: "n",
    };
    if let Ok(built) = access_request_pap(&request, SECRET, [9; 16]) {
        if let Err(e) = verify_reply(&built.packet, data, SECRET) {
            let _ = e.to_string();
        }
    }
    let session = SessionSelector { acct_session_id: Some("s"), ..Default::default() };
    if let Ok(built) = disconnect_request(data.get(1).copied().unwrap_or(0), &session, SECRET) {
        let _ = verify_reply(&built.packet, data, SECRET);
    }
    let _ = auth::verify_message_authenticator(data, &[0; 16], SECRET);
    let _ = auth::check_request_authenticator(data, SECRET);
});

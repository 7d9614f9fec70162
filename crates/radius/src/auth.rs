//! Authenticators: what proves a packet came from someone holding the shared
//! secret and was not altered.
//!
//! - Response Authenticator (RFC 2865 §3): MD5(Code + ID + Length + Request
//!   Authenticator + Attributes + Secret).
//! - Request Authenticator of Accounting-, CoA- and Disconnect-Requests
//!   (RFC 2866 §3, RFC 5176 §2.3): the same MD5 with 16 zero bytes in place
//!   of the authenticator.
//! - Message-Authenticator (RFC 3579 §3.2, RFC 5176 §3.1, RFC 5997 for
//!   Status-Server): HMAC-MD5 keyed with the secret over the packet with the
//!   attribute's value zeroed and an authenticator field that depends on
//!   the packet: an Access-Request or Status-Server its own; Accounting-,
//!   CoA- and Disconnect-Requests zeros, the HMAC made first and the Request
//!   Authenticator then computed over the packet carrying it; replies the
//!   request's authenticator, except an Accounting-Response to an
//!   Accounting-Request, which uses zeros. FreeRADIUS 3.2's `radclient`
//!   agrees on every case (the `radclient` integration test).
//!
//! The byte-level functions take a packet's wire bytes (trailing padding is
//! ignored); comparisons are constant-time.

use hmac::digest::{Key, KeyInit};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};

use crate::attribute::{Attribute, typ};
use crate::packet::{self, Code, DecodeError, EncodeError, HEADER_LEN, Packet};

type HmacMd5 = Hmac<Md5>;

/// Why a Message-Authenticator is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageAuthError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("Message-Authenticator is {0} bytes, not 16")]
    BadLength(usize),
    #[error("Message-Authenticator does not match: wrong secret or altered packet")]
    Mismatch,
}

/// Whether a packet carried a Message-Authenticator (which then matched).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAuth {
    Absent,
    Valid,
}

/// Compares in time independent of where the bytes differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// MD5 over the framed packet with `authenticator` in the authenticator
/// field, then the secret.
fn md5_over(packet: &[u8], authenticator: &[u8; 16], secret: &[u8]) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(packet.get(..4).unwrap_or_default());
    md5.update(authenticator);
    md5.update(packet.get(HEADER_LEN..).unwrap_or_default());
    md5.update(secret);
    md5.finalize().into()
}

/// The authenticator field of framed bytes.
fn authenticator_of(packet: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (o, b) in out.iter_mut().zip(packet.get(4..HEADER_LEN).unwrap_or_default()) {
        *o = *b;
    }
    out
}

/// The Response Authenticator a reply's bytes should carry, given the
/// request's authenticator.
pub fn response_authenticator(
    reply: &[u8],
    request_authenticator: &[u8; 16],
    secret: &[u8],
) -> Result<[u8; 16], DecodeError> {
    let reply = packet::frame(reply)?;
    Ok(md5_over(reply, request_authenticator, secret))
}

/// Whether a reply's Response Authenticator is right.
pub fn check_response_authenticator(
    reply: &[u8],
    request_authenticator: &[u8; 16],
    secret: &[u8],
) -> Result<bool, DecodeError> {
    let expected = response_authenticator(reply, request_authenticator, secret)?;
    Ok(constant_time_eq(&expected, &authenticator_of(reply)))
}

/// The Request Authenticator of an Accounting-, CoA- or Disconnect-Request.
pub fn request_authenticator(request: &[u8], secret: &[u8]) -> Result<[u8; 16], DecodeError> {
    let request = packet::frame(request)?;
    Ok(md5_over(request, &[0; 16], secret))
}

/// Whether an Accounting-, CoA- or Disconnect-Request's authenticator is
/// right (what the router checks on our CoA).
pub fn check_request_authenticator(request: &[u8], secret: &[u8]) -> Result<bool, DecodeError> {
    let expected = request_authenticator(request, secret)?;
    Ok(constant_time_eq(&expected, &authenticator_of(request)))
}

/// HMAC-MD5 keyed with the secret. HMAC zero-pads keys up to the block
/// size and hashes longer ones first (RFC 2104 §2), so the key block is
/// built here and the constructor cannot fail.
fn hmac(secret: &[u8]) -> HmacMd5 {
    let mut key = Key::<HmacMd5>::default();
    let hashed;
    let source: &[u8] = if secret.len() > key.len() {
        hashed = Md5::digest(secret);
        &hashed
    } else {
        secret
    };
    for (k, s) in key.iter_mut().zip(source) {
        *k = *s;
    }
    <HmacMd5 as KeyInit>::new(&key)
}

/// The offset of the first Message-Authenticator attribute in framed bytes.
fn find_message_authenticator(packet: &[u8]) -> Result<Option<(usize, usize)>, DecodeError> {
    for item in packet::attributes(packet) {
        let (offset, t, value) = item?;
        if t == typ::MESSAGE_AUTHENTICATOR {
            return Ok(Some((offset, value.len())));
        }
    }
    Ok(None)
}

/// HMAC over framed bytes with `authenticator` in the header and the
/// Message-Authenticator value at `offset` zeroed.
fn hmac_over(packet: &[u8], authenticator: &[u8; 16], offset: usize, secret: &[u8]) -> [u8; 16] {
    let mut mac = hmac(secret);
    mac.update(packet.get(..4).unwrap_or_default());
    mac.update(authenticator);
    mac.update(packet.get(HEADER_LEN..offset + 2).unwrap_or_default());
    mac.update(&[0; 16]);
    mac.update(packet.get(offset + 18..).unwrap_or_default());
    mac.finalize().into_bytes().into()
}

/// Checks the Message-Authenticator in a packet's bytes, if there is one.
/// `authenticator` is what the HMAC covers: the request's authenticator for
/// a reply, zeros for an Accounting/CoA/Disconnect-Request, the packet's own
/// for an Access-Request or Status-Server.
pub fn verify_message_authenticator(
    packet: &[u8],
    authenticator: &[u8; 16],
    secret: &[u8],
) -> Result<MessageAuth, MessageAuthError> {
    let packet = packet::frame(packet)?;
    let Some((offset, len)) = find_message_authenticator(packet)? else {
        return Ok(MessageAuth::Absent);
    };
    if len != 16 {
        return Err(MessageAuthError::BadLength(len));
    }
    let expected = hmac_over(packet, authenticator, offset, secret);
    let got = packet.get(offset + 2..offset + 18).unwrap_or_default();
    if constant_time_eq(&expected, got) { Ok(MessageAuth::Valid) } else { Err(MessageAuthError::Mismatch) }
}

/// Fills the first Message-Authenticator of `packet` (if any) with the HMAC
/// over its encoding, the header carrying `authenticator`.
fn sign_message_authenticator(packet: &mut Packet, authenticator: &[u8; 16], secret: &[u8]) -> Result<(), EncodeError> {
    let Some(index) = packet.attributes.iter().position(|a| a.typ == typ::MESSAGE_AUTHENTICATOR) else {
        return Ok(());
    };
    packet.attributes[index] = Attribute::message_authenticator_placeholder();
    let offset = packet.attributes[..index].iter().map(|a| 2 + a.value.len()).sum::<usize>() + HEADER_LEN;
    let bytes = packet.encode()?;
    let mac = hmac_over(&bytes, authenticator, offset, secret);
    packet.attributes[index] = Attribute::new(typ::MESSAGE_AUTHENTICATOR, mac.to_vec());
    Ok(())
}

/// Makes a request ready to send and returns its bytes: fills the
/// Message-Authenticator if the packet has one, and for Accounting-, CoA-
/// and Disconnect-Requests computes the Request Authenticator (an
/// Access-Request or Status-Server keeps the random one it was given).
pub fn sign_request(packet: &mut Packet, secret: &[u8]) -> Result<Vec<u8>, EncodeError> {
    if packet.code.has_computed_request_authenticator() {
        packet.authenticator = [0; 16];
        sign_message_authenticator(packet, &[0; 16], secret)?;
        let bytes = packet.encode()?;
        packet.authenticator = md5_over(&bytes, &[0; 16], secret);
    } else {
        let own = packet.authenticator;
        sign_message_authenticator(packet, &own, secret)?;
    }
    packet.encode()
}

/// Makes a reply to `request` ready to send (a server's or the simulated
/// NAS's side): the Message-Authenticator if present, then the Response
/// Authenticator.
pub fn sign_reply(reply: &mut Packet, request: &Packet, secret: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let covered = hmac_authenticator_for_reply(request, reply.code);
    sign_message_authenticator(reply, &covered, secret)?;
    reply.authenticator = request.authenticator;
    let bytes = reply.encode()?;
    reply.authenticator = md5_over(&bytes, &request.authenticator, secret);
    reply.encode()
}

/// The authenticator a request's Message-Authenticator covers.
pub fn hmac_authenticator_for_request(request: &Packet) -> [u8; 16] {
    if request.code.has_computed_request_authenticator() { [0; 16] } else { request.authenticator }
}

/// The authenticator a reply's Message-Authenticator covers: the
/// request's, but zeros for an Accounting-Response to an
/// Accounting-Request (what FreeRADIUS signs and checks; RFC 3579 only
/// defines the Access replies).
pub fn hmac_authenticator_for_reply(request: &Packet, reply: Code) -> [u8; 16] {
    if request.code == Code::AccountingRequest && reply == Code::AccountingResponse {
        [0; 16]
    } else {
        request.authenticator
    }
}

/// Whether a code is a reply (its authenticators depend on the request).
pub fn is_reply(code: Code) -> bool {
    !matches!(
        code,
        Code::AccessRequest | Code::AccountingRequest | Code::StatusServer | Code::DisconnectRequest | Code::CoaRequest
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn key_block_hmac_equals_the_crates_own_key_handling() {
        for len in [0, 1, 16, 63, 64, 65, 200] {
            let secret = vec![0x4b; len];
            let mut ours = hmac(&secret);
            let mut theirs = <HmacMd5 as KeyInit>::new_from_slice(&secret).unwrap();
            ours.update(b"radius");
            theirs.update(b"radius");
            assert_eq!(ours.finalize().into_bytes(), theirs.finalize().into_bytes(), "{len}");
        }
    }

    #[test]
    fn rfc2202_hmac_md5_case_2() {
        // RFC 2202 §2, test case 2: key "Jefe".
        let mut mac = hmac(b"Jefe");
        mac.update(b"what do ya want for nothing?");
        let expected = [0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03, 0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d, 0xb7, 0x38];
        assert_eq!(mac.finalize().into_bytes().as_slice(), expected);
    }

    #[test]
    fn constant_time_eq_table() {
        for (a, b, eq) in
            [(&b""[..], &b""[..], true), (b"abc", b"abc", true), (b"abc", b"abd", false), (b"abc", b"ab", false)]
        {
            assert_eq!(constant_time_eq(a, b), eq);
        }
    }

    #[test]
    fn replies_and_requests_are_told_apart() {
        assert!(is_reply(Code::CoaNak) && is_reply(Code::AccessChallenge));
        assert!(!is_reply(Code::StatusServer) && !is_reply(Code::DisconnectRequest));
        let p = Packet::new(Code::CoaRequest, 0, [1; 16]);
        assert_eq!(hmac_authenticator_for_request(&p), [0; 16]);
        let p = Packet::new(Code::AccessRequest, 0, [1; 16]);
        assert_eq!(hmac_authenticator_for_request(&p), [1; 16]);
    }
}

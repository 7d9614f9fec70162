//! `/login`: the plain login of RouterOS 6.43+ and 7, and the MD5
//! challenge of older 6.x.
//!
//! 1. The client sends `/login =name=U =password=P`.
//! 2. A 6.43+ router answers `!done` (logged in) or `!trap =message=...`
//!    (refused).
//! 3. An older router ignores the attributes and answers `!done
//!    =ret=<32 hex digits>`: a 16-byte challenge. The client then sends
//!    `/login =name=U =response=00<hex md5(0x00, password, challenge)>`
//!    and gets `!done` or `!trap`.
//!
//! The first step sends the password in the clear, as RouterOS itself
//! requires since 6.43: use TLS (8729) where the network is not trusted.

use md5::{Digest, Md5};
use tracing::debug;

use super::connection::{Handshake, HandshakeOutcome};
use super::{ClientError, Password};
use crate::{Command, Value};

/// Which login the router accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMethod {
    /// `=name=` and `=password=` in one sentence (RouterOS 6.43 and later).
    Plain,
    /// The MD5 challenge of RouterOS before 6.43.
    Challenge,
}

/// The `=response=` of the legacy login: `00` followed by the hex MD5 of a
/// zero byte, the password and the challenge bytes.
#[must_use]
pub fn challenge_response(password: &[u8], challenge: &[u8]) -> String {
    let mut md5 = Md5::new();
    md5.update([0_u8]);
    md5.update(password);
    md5.update(challenge);
    let digest = md5.finalize();
    let mut out = String::with_capacity(34);
    out.push_str("00");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Decode the hex challenge of `=ret=`.
pub(crate) fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| {
            let digit = |b: u8| char::from(b).to_digit(16);
            let hi = digit(*pair.first()?)?;
            let lo = digit(*pair.get(1)?)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

fn refused(outcome: &HandshakeOutcome) -> Option<ClientError> {
    outcome
        .trap
        .as_ref()
        .map(|message| ClientError::LoginFailed { message: message.to_string_lossy_cp1252().into_owned() })
}

/// Log in on a fresh connection.
pub(crate) async fn login(io: &mut Handshake, name: &Value, password: &Password) -> Result<LoginMethod, ClientError> {
    let plain = Command::new("/login").attr("name", name.clone()).attr("password", password.expose().clone());
    let outcome = io.exchange(&plain).await?;
    if let Some(err) = refused(&outcome) {
        return Err(err);
    }
    let Some(ret) = outcome.ret else {
        debug!("logged in (plain login)");
        return Ok(LoginMethod::Plain);
    };

    let challenge = decode_hex(ret.as_bytes())
        .ok_or_else(|| ClientError::UnexpectedReply("the login challenge is not hexadecimal".into()))?;
    let response = challenge_response(password.expose().as_bytes(), &challenge);
    let legacy = Command::new("/login").attr("name", name.clone()).attr("response", response);
    let outcome = io.exchange(&legacy).await?;
    if let Some(err) = refused(&outcome) {
        return Err(err);
    }
    debug!("logged in (challenge login)");
    Ok(LoginMethod::Challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_matches_mikrotik_documentation() {
        // The example of MikroTik's API manual: user admin, empty password.
        let challenge = decode_hex(b"856780b7411eefd3abadee2058c149a3").unwrap();
        assert_eq!(challenge_response(b"", &challenge), "005062f7a5ef124d34675bf3e81f56c556");
        assert_eq!(challenge_response(b"secret", &challenge), "009622e621f0892961a28bcf7a0cea13e4");
    }

    #[test]
    fn hex_decoding_rejects_junk() {
        assert_eq!(decode_hex(b"0aFF"), Some(vec![0x0A, 0xFF]));
        assert_eq!(decode_hex(b"0"), None);
        assert_eq!(decode_hex(b"zz"), None);
        assert_eq!(decode_hex(b""), Some(vec![]));
    }
}

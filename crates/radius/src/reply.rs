//! Reading a reply to a request we sent: the right kind, the same
//! identifier, and both authenticators proving the server holds the secret.

use crate::auth::{self, MessageAuth, MessageAuthError};
use crate::packet::{self, Code, DecodeError, Packet};

/// Why a datagram is not a trustworthy reply to our request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("reply is malformed: {0}")]
    Decode(#[from] DecodeError),
    #[error("reply identifier {got} does not match the request's {expected}")]
    IdentifierMismatch { expected: u8, got: u8 },
    #[error("{got} is not a reply to {request}")]
    UnexpectedCode { request: &'static str, got: &'static str },
    #[error("Response Authenticator does not match: wrong secret or altered reply")]
    BadResponseAuthenticator,
    #[error("Message-Authenticator is wrong: {0}")]
    BadMessageAuthenticator(MessageAuthError),
}

/// The reply codes a request may get.
pub(crate) fn answers(request: Code, reply: Code) -> bool {
    match request {
        Code::AccessRequest => matches!(reply, Code::AccessAccept | Code::AccessReject | Code::AccessChallenge),
        Code::AccountingRequest => reply == Code::AccountingResponse,
        // RFC 5997 §3: an authentication server answers Access-Accept, an
        // accounting server Accounting-Response.
        Code::StatusServer => matches!(reply, Code::AccessAccept | Code::AccountingResponse),
        Code::DisconnectRequest => matches!(reply, Code::DisconnectAck | Code::DisconnectNak),
        Code::CoaRequest => matches!(reply, Code::CoaAck | Code::CoaNak),
        _ => false,
    }
}

/// Decodes `reply_bytes` and checks it answers `request` (the packet as
/// sent, authenticator included): identifier, code, Response Authenticator,
/// and the Message-Authenticator when present.
pub fn verify_reply(request: &Packet, reply_bytes: &[u8], secret: &[u8]) -> Result<Packet, ReplyError> {
    let reply = packet::decode(reply_bytes)?;
    if reply.identifier != request.identifier {
        return Err(ReplyError::IdentifierMismatch { expected: request.identifier, got: reply.identifier });
    }
    if !answers(request.code, reply.code) {
        return Err(ReplyError::UnexpectedCode { request: request.code.name(), got: reply.code.name() });
    }
    if !auth::check_response_authenticator(reply_bytes, &request.authenticator, secret)? {
        return Err(ReplyError::BadResponseAuthenticator);
    }
    let covered = auth::hmac_authenticator_for_reply(request, reply.code);
    match auth::verify_message_authenticator(reply_bytes, &covered, secret) {
        // RFC 5997 wants one on a Status-Server reply too, but FreeRADIUS
        // 3.2.1 answers without it (seen in the tests): the Response
        // Authenticator, checked above, proves the secret anyway.
        Ok(MessageAuth::Valid | MessageAuth::Absent) => {}
        Err(e) => return Err(ReplyError::BadMessageAuthenticator(e)),
    }
    Ok(reply)
}

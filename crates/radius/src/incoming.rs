//! The receiving side: checking a request that arrived (what a NAS does with
//! a Disconnect or CoA, what a server does with accounting) and signing the
//! answer to it.

use crate::attribute::{Attribute, typ};
use crate::auth::{self, MessageAuth, MessageAuthError};
use crate::packet::{self, Code, DecodeError, EncodeError, Packet};
use crate::reply::answers;

/// Why a datagram is not a trustworthy request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("request is malformed: {0}")]
    Decode(#[from] DecodeError),
    #[error("{0} is not a request")]
    NotARequest(&'static str),
    #[error("Request Authenticator does not match: wrong secret or altered request")]
    BadRequestAuthenticator,
    #[error("Status-Server has no Message-Authenticator (RFC 5997 requires it)")]
    MissingMessageAuthenticator,
    #[error("Message-Authenticator is wrong: {0}")]
    BadMessageAuthenticator(MessageAuthError),
}

/// Decodes a request and checks what proves its sender holds the secret:
/// for Accounting-, CoA- and Disconnect-Requests the computed Request
/// Authenticator, and for every request the Message-Authenticator when
/// present (required on Status-Server). An Access-Request's authenticator
/// is random, so only its Message-Authenticator can be checked.
pub fn verify_request(bytes: &[u8], secret: &[u8]) -> Result<Packet, RequestError> {
    let request = packet::decode(bytes)?;
    if auth::is_reply(request.code) {
        return Err(RequestError::NotARequest(request.code.name()));
    }
    if request.code.has_computed_request_authenticator() && !auth::check_request_authenticator(bytes, secret)? {
        return Err(RequestError::BadRequestAuthenticator);
    }
    let covered = auth::hmac_authenticator_for_request(&request);
    match auth::verify_message_authenticator(bytes, &covered, secret) {
        Ok(MessageAuth::Valid) => Ok(request),
        Ok(MessageAuth::Absent) if request.code == Code::StatusServer => Err(RequestError::MissingMessageAuthenticator),
        Ok(MessageAuth::Absent) => Ok(request),
        Err(e) => Err(RequestError::BadMessageAuthenticator(e)),
    }
}

/// Why an answer cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("{reply} does not answer {request}")]
    NotAnAnswer { request: &'static str, reply: &'static str },
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The bytes of the answer `code` to `request` (as decoded by
/// [`verify_request`]): same identifier, `attributes`, a
/// Message-Authenticator first (unless `attributes` has one) and the
/// Response Authenticator. `code` must answer the request's code, e.g.
/// Disconnect-ACK or -NAK (with an [`crate::ErrorCause`]) to a
/// Disconnect-Request, Accounting-Response to an Accounting-Request.
pub fn reply(request: &Packet, code: Code, attributes: Vec<Attribute>, secret: &[u8]) -> Result<Vec<u8>, AnswerError> {
    if !answers(request.code, code) {
        return Err(AnswerError::NotAnAnswer { request: request.code.name(), reply: code.name() });
    }
    let mut answer = Packet::new(code, request.identifier, request.authenticator);
    if !attributes.iter().any(|a| a.typ == typ::MESSAGE_AUTHENTICATOR) {
        answer.attributes.push(Attribute::message_authenticator_placeholder());
    }
    answer.attributes.extend(attributes);
    Ok(auth::sign_reply(&mut answer, request, secret)?)
}

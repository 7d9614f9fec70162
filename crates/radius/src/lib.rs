//! RADIUS on the wire: a sans-IO codec for the packets Headend's RADIUS mode
//! sends and reads (Access-Request with PAP, Status-Server, CoA and
//! Disconnect, and their replies), and for the NAS side the simulated router
//! plays (accounting, checking and answering incoming Disconnect and CoA,
//! reading an Access-Accept).
//!
//! Bytes in, bytes out: no sockets, no clock, no randomness (callers pass the
//! 16 random bytes of a request authenticator), so a thin UDP layer
//! ([`client`], the one module that does IO) or a test can drive it. No input makes it panic, and nothing is allocated beyond a
//! packet's declared length (at most 4096 bytes, RFC 2865 §3). Shared
//! secrets and passwords never appear in errors or `Debug` output.

#![forbid(unsafe_code)]

pub mod accept;
pub mod attribute;
pub mod auth;
pub mod build;
pub mod client;
pub mod incoming;
pub mod packet;
pub mod reply;

pub use accept::Authorization;
pub use attribute::{
    AcctStatusType, Attribute, ErrorCause, Password, PasswordError, TerminateCause, ValueError, Vsa, VsaError,
};
pub use build::{
    AccountingRequest, BuildError, Built, PapRequest, SessionSelector, access_request_pap, accounting_request,
    coa_request, disconnect_request, status_server,
};
pub use incoming::{AnswerError, RequestError, reply, verify_request};
pub use packet::{Code, DecodeError, EncodeError, HEADER_LEN, MAX_PACKET_LEN, Packet, decode};
pub use reply::{ReplyError, verify_reply};

//! RADIUS on the wire: a sans-IO codec for the packets Headend's RADIUS mode
//! sends and reads (Access-Request with PAP, Status-Server, CoA and
//! Disconnect, and their replies).
//!
//! Bytes in, bytes out: no sockets, no clock, no randomness (callers pass the
//! 16 random bytes of a request authenticator), so a thin UDP layer or a test
//! can drive it. No input makes it panic, and nothing is allocated beyond a
//! packet's declared length (at most 4096 bytes, RFC 2865 §3). Shared
//! secrets and passwords never appear in errors or `Debug` output.

#![forbid(unsafe_code)]

pub mod attribute;
pub mod auth;
pub mod build;
pub mod packet;
pub mod reply;

pub use attribute::{Attribute, Password, PasswordError, ValueError, Vsa, VsaError};
pub use build::{
    BuildError, Built, PapRequest, SessionSelector, access_request_pap, coa_request, disconnect_request, status_server,
};
pub use packet::{Code, DecodeError, EncodeError, HEADER_LEN, MAX_PACKET_LEN, Packet, decode};
pub use reply::{ReplyError, verify_reply};

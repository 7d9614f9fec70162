//! The requests Headend sends, ready for the wire: a PAP test login, a
//! Status-Server probe, and the Disconnect/CoA kicks. Each carries a
//! Message-Authenticator, which RFC 5997 requires on Status-Server and
//! servers patched for BlastRADIUS (CVE-2024-3596) expect on the rest.

use std::fmt;
use std::net::Ipv4Addr;

use crate::attribute::{self, Attribute, PasswordError, typ};
use crate::auth;
use crate::packet::{Code, EncodeError, Packet};

/// A request and its bytes; keep the packet to check the reply with
/// [`crate::verify_reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub packet: Packet,
    pub bytes: Vec<u8>,
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error("a Disconnect or CoA request needs a User-Name, Acct-Session-Id or Framed-IP-Address")]
    NoSessionIdentity,
}

/// What a PAP test login sends. `Debug` hides the password.
#[derive(Clone)]
pub struct PapRequest<'a> {
    pub identifier: u8,
    pub user_name: &'a str,
    pub password: &'a [u8],
    pub nas_identifier: &'a str,
}

impl fmt::Debug for PapRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PapRequest")
            .field("identifier", &self.identifier)
            .field("user_name", &self.user_name)
            .field("password", &"..")
            .field("nas_identifier", &self.nas_identifier)
            .finish()
    }
}

/// An Access-Request with PAP. `random` is the Request Authenticator: 16
/// bytes from a CSPRNG, fresh for every request (RFC 2865 §3), passed in so
/// the codec stays pure. The Message-Authenticator goes first, as the
/// BlastRADIUS advisory recommends.
pub fn access_request_pap(request: &PapRequest<'_>, secret: &[u8], random: [u8; 16]) -> Result<Built, BuildError> {
    let hidden = attribute::hide_password(request.password, secret, &random)?;
    let mut packet = Packet::new(Code::AccessRequest, request.identifier, random)
        .with(Attribute::message_authenticator_placeholder())
        .with(Attribute::user_name(request.user_name))
        .with(Attribute::new(typ::USER_PASSWORD, hidden))
        .with(Attribute::nas_identifier(request.nas_identifier));
    let bytes = auth::sign_request(&mut packet, secret)?;
    Ok(Built { packet, bytes })
}

/// A Status-Server probe (RFC 5997 §3): the Message-Authenticator is
/// mandatory; a NAS-Identifier helps the server's log say who asked.
pub fn status_server(
    identifier: u8,
    nas_identifier: Option<&str>,
    secret: &[u8],
    random: [u8; 16],
) -> Result<Built, BuildError> {
    let mut packet =
        Packet::new(Code::StatusServer, identifier, random).with(Attribute::message_authenticator_placeholder());
    if let Some(id) = nas_identifier {
        packet.attributes.push(Attribute::nas_identifier(id));
    }
    let bytes = auth::sign_request(&mut packet, secret)?;
    Ok(Built { packet, bytes })
}

/// Which session a Disconnect or CoA applies to (RFC 5176 §3: the NAS
/// matches on these). At least one must be set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSelector<'a> {
    pub user_name: Option<&'a str>,
    pub acct_session_id: Option<&'a str>,
    pub framed_ip_address: Option<Ipv4Addr>,
}

impl SessionSelector<'_> {
    fn attributes(&self) -> Result<Vec<Attribute>, BuildError> {
        let mut out = Vec::new();
        if let Some(name) = self.user_name {
            out.push(Attribute::user_name(name));
        }
        if let Some(id) = self.acct_session_id {
            out.push(Attribute::acct_session_id(id));
        }
        if let Some(ip) = self.framed_ip_address {
            out.push(Attribute::framed_ip_address(ip));
        }
        if out.is_empty() {
            return Err(BuildError::NoSessionIdentity);
        }
        Ok(out)
    }
}

fn session_request(
    code: Code,
    identifier: u8,
    session: &SessionSelector<'_>,
    extra: Option<Attribute>,
    secret: &[u8],
) -> Result<Built, BuildError> {
    let mut packet = Packet::new(code, identifier, [0; 16]);
    packet.attributes = session.attributes()?;
    packet.attributes.extend(extra);
    packet.attributes.push(Attribute::message_authenticator_placeholder());
    let bytes = auth::sign_request(&mut packet, secret)?;
    Ok(Built { packet, bytes })
}

/// A Disconnect-Request (RFC 5176 §2.1) to drop one session.
pub fn disconnect_request(identifier: u8, session: &SessionSelector<'_>, secret: &[u8]) -> Result<Built, BuildError> {
    session_request(Code::DisconnectRequest, identifier, session, None, secret)
}

/// A CoA-Request (RFC 5176 §2.2) changing a session's `Mikrotik-Rate-Limit`
/// without dropping it.
pub fn coa_request(
    identifier: u8,
    session: &SessionSelector<'_>,
    rate_limit: &str,
    secret: &[u8],
) -> Result<Built, BuildError> {
    let rate = Attribute::mikrotik_rate_limit(rate_limit);
    session_request(Code::CoaRequest, identifier, session, Some(rate), secret)
}

//! The requests Headend sends, ready for the wire: a PAP test login, a
//! Status-Server probe, and the Disconnect/CoA kicks. Each carries a
//! Message-Authenticator, which RFC 5997 requires on Status-Server and
//! servers patched for BlastRADIUS (CVE-2024-3596) expect on the rest.
//! Also the Accounting-Requests a NAS sends (the simulated router's side),
//! which, like MikroTik's, carry none: the Request Authenticator already
//! covers the whole packet.

use std::fmt;
use std::net::Ipv4Addr;

use crate::attribute::{self, AcctStatusType, Attribute, PasswordError, TerminateCause, typ};
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
    #[error("an Accounting-Request needs a NAS-IP-Address or NAS-Identifier")]
    NoNasIdentity,
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

/// What an Accounting-Request (RFC 2866) reports about one session. The
/// counters are 64-bit: the low 32 bits go in `Acct-*-Octets`, the high in
/// `Acct-*-Gigawords` (RFC 2869 §5.1), both always sent when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountingRequest<'a> {
    pub identifier: u8,
    pub status: AcctStatusType,
    pub user_name: &'a str,
    pub acct_session_id: &'a str,
    pub nas_ip_address: Option<Ipv4Addr>,
    pub nas_identifier: Option<&'a str>,
    pub framed_ip_address: Option<Ipv4Addr>,
    /// The subscriber's MAC, e.g. `02:00:00:00:00:01`.
    pub calling_station_id: Option<&'a str>,
    pub input_octets: Option<u64>,
    pub output_octets: Option<u64>,
    /// Seconds since the session started.
    pub session_time: Option<u32>,
    /// Only meaningful on a Stop.
    pub terminate_cause: Option<TerminateCause>,
}

impl<'a> AccountingRequest<'a> {
    /// A report with only the required parts; set the rest by field.
    pub fn new(
        identifier: u8,
        status: AcctStatusType,
        user_name: &'a str,
        acct_session_id: &'a str,
    ) -> AccountingRequest<'a> {
        AccountingRequest {
            identifier,
            status,
            user_name,
            acct_session_id,
            nas_ip_address: None,
            nas_identifier: None,
            framed_ip_address: None,
            calling_station_id: None,
            input_octets: None,
            output_octets: None,
            session_time: None,
            terminate_cause: None,
        }
    }
}

/// The two halves of a 64-bit counter: (Gigawords, Octets).
fn split_counter(n: u64) -> (u32, u32) {
    (u32::try_from(n >> 32).unwrap_or(u32::MAX), u32::try_from(n & 0xFFFF_FFFF).unwrap_or(u32::MAX))
}

/// An Accounting-Request with its computed Request Authenticator (RFC 2866
/// §3). RFC 2866 §5 wants the NAS named, by address or identifier.
pub fn accounting_request(request: &AccountingRequest<'_>, secret: &[u8]) -> Result<Built, BuildError> {
    if request.nas_ip_address.is_none() && request.nas_identifier.is_none() {
        return Err(BuildError::NoNasIdentity);
    }
    let mut packet = Packet::new(Code::AccountingRequest, request.identifier, [0; 16])
        .with(Attribute::acct_status_type(request.status))
        .with(Attribute::user_name(request.user_name))
        .with(Attribute::acct_session_id(request.acct_session_id));
    let a = &mut packet.attributes;
    a.extend(request.nas_ip_address.map(|ip| Attribute::ipv4(typ::NAS_IP_ADDRESS, ip)));
    a.extend(request.nas_identifier.map(Attribute::nas_identifier));
    a.extend(request.framed_ip_address.map(Attribute::framed_ip_address));
    a.extend(request.calling_station_id.map(Attribute::calling_station_id));
    for (count, low, high) in [
        (request.input_octets, typ::ACCT_INPUT_OCTETS, typ::ACCT_INPUT_GIGAWORDS),
        (request.output_octets, typ::ACCT_OUTPUT_OCTETS, typ::ACCT_OUTPUT_GIGAWORDS),
    ] {
        if let Some(n) = count {
            let (gigawords, octets) = split_counter(n);
            a.push(Attribute::integer(low, octets));
            a.push(Attribute::integer(high, gigawords));
        }
    }
    a.extend(request.session_time.map(|t| Attribute::integer(typ::ACCT_SESSION_TIME, t)));
    a.extend(request.terminate_cause.map(Attribute::acct_terminate_cause));
    let bytes = auth::sign_request(&mut packet, secret)?;
    Ok(Built { packet, bytes })
}

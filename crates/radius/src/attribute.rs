//! Attributes (RFC 2865 §5): type, length, value. Values stay bytes; typed
//! helpers read and write the kinds Headend uses, including User-Password
//! hiding (§5.2) and Vendor-Specific sub-attributes (§5.26).

use std::fmt;
use std::net::Ipv4Addr;

use md5::{Digest, Md5};

/// Attribute type numbers Headend reads or writes.
pub mod typ {
    pub const USER_NAME: u8 = 1;
    pub const USER_PASSWORD: u8 = 2;
    pub const NAS_IP_ADDRESS: u8 = 4;
    pub const NAS_PORT: u8 = 5;
    pub const SERVICE_TYPE: u8 = 6;
    pub const FRAMED_PROTOCOL: u8 = 7;
    pub const FRAMED_IP_ADDRESS: u8 = 8;
    pub const REPLY_MESSAGE: u8 = 18;
    pub const STATE: u8 = 24;
    pub const CLASS: u8 = 25;
    pub const VENDOR_SPECIFIC: u8 = 26;
    pub const SESSION_TIMEOUT: u8 = 27;
    pub const IDLE_TIMEOUT: u8 = 28;
    pub const CALLING_STATION_ID: u8 = 31;
    pub const NAS_IDENTIFIER: u8 = 32;
    pub const ACCT_STATUS_TYPE: u8 = 40;
    pub const ACCT_INPUT_OCTETS: u8 = 42;
    pub const ACCT_OUTPUT_OCTETS: u8 = 43;
    pub const ACCT_SESSION_ID: u8 = 44;
    pub const ACCT_SESSION_TIME: u8 = 46;
    pub const ACCT_TERMINATE_CAUSE: u8 = 49;
    pub const ACCT_INPUT_GIGAWORDS: u8 = 52;
    pub const ACCT_OUTPUT_GIGAWORDS: u8 = 53;
    pub const EVENT_TIMESTAMP: u8 = 55;
    pub const MESSAGE_AUTHENTICATOR: u8 = 80;
    pub const FRAMED_POOL: u8 = 88;
    pub const ERROR_CAUSE: u8 = 101;
}

/// MikroTik's vendor id and the sub-attributes Headend's plans use.
pub mod mikrotik {
    pub const VENDOR_ID: u32 = 14988;
    /// `rx/tx` in the PPP profile notation, e.g. `10M/20M`.
    pub const RATE_LIMIT: u8 = 8;
    /// The address list a suspended customer is put in.
    pub const ADDRESS_LIST: u8 = 19;
}

/// Declares a closed set of `integer` attribute values: the enum, its wire
/// value, the RFC's name, and the reverse lookup.
macro_rules! enumerated {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $value:literal, $text:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            /// Every value, for tables and tests.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The wire value.
            pub fn to_u32(self) -> u32 {
                match self {
                    $($name::$variant => $value,)+
                }
            }

            /// The value for a wire number, if it is one we know.
            pub fn from_u32(value: u32) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.to_u32() == value)
            }

            /// The RFC's name, for logs.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }
    };
}

enumerated! {
    /// `Acct-Status-Type` (RFC 2866 §5.1): what an Accounting-Request reports.
    AcctStatusType {
        Start = 1, "Start";
        Stop = 2, "Stop";
        InterimUpdate = 3, "Interim-Update";
        AccountingOn = 7, "Accounting-On";
        AccountingOff = 8, "Accounting-Off";
    }
}

enumerated! {
    /// `Acct-Terminate-Cause` (RFC 2866 §5.10): why a session ended.
    TerminateCause {
        UserRequest = 1, "User-Request";
        LostCarrier = 2, "Lost-Carrier";
        LostService = 3, "Lost-Service";
        IdleTimeout = 4, "Idle-Timeout";
        SessionTimeout = 5, "Session-Timeout";
        AdminReset = 6, "Admin-Reset";
        AdminReboot = 7, "Admin-Reboot";
        PortError = 8, "Port-Error";
        NasError = 9, "NAS-Error";
        NasRequest = 10, "NAS-Request";
        NasReboot = 11, "NAS-Reboot";
        PortUnneeded = 12, "Port-Unneeded";
        PortPreempted = 13, "Port-Preempted";
        PortSuspended = 14, "Port-Suspended";
        ServiceUnavailable = 15, "Service-Unavailable";
        Callback = 16, "Callback";
        UserError = 17, "User-Error";
        HostRequest = 18, "Host-Request";
    }
}

enumerated! {
    /// `Error-Cause` (RFC 5176 §3.5): why a NAS refused a Disconnect or CoA
    /// (or, for 201, what an ACK did besides).
    ErrorCause {
        ResidualSessionContextRemoved = 201, "Residual-Session-Context-Removed";
        InvalidEapPacket = 202, "Invalid-EAP-Packet";
        UnsupportedAttribute = 401, "Unsupported-Attribute";
        MissingAttribute = 402, "Missing-Attribute";
        NasIdentificationMismatch = 403, "NAS-Identification-Mismatch";
        InvalidRequest = 404, "Invalid-Request";
        UnsupportedService = 405, "Unsupported-Service";
        UnsupportedExtension = 406, "Unsupported-Extension";
        InvalidAttributeValue = 407, "Invalid-Attribute-Value";
        AdministrativelyProhibited = 501, "Administratively-Prohibited";
        RequestNotRoutable = 502, "Request-Not-Routable";
        SessionContextNotFound = 503, "Session-Context-Not-Found";
        SessionContextNotRemovable = 504, "Session-Context-Not-Removable";
        OtherProxyProcessingError = 505, "Other-Proxy-Processing-Error";
        ResourcesUnavailable = 506, "Resources-Unavailable";
        RequestInitiated = 507, "Request-Initiated";
        MultipleSessionSelectionUnsupported = 508, "Multiple-Session-Selection-Unsupported";
    }
}

/// The name of a type Headend knows, for showing reply attributes.
pub fn name(typ: u8) -> Option<&'static str> {
    Some(match typ {
        typ::USER_NAME => "User-Name",
        typ::USER_PASSWORD => "User-Password",
        typ::NAS_IP_ADDRESS => "NAS-IP-Address",
        typ::NAS_PORT => "NAS-Port",
        typ::SERVICE_TYPE => "Service-Type",
        typ::FRAMED_PROTOCOL => "Framed-Protocol",
        typ::FRAMED_IP_ADDRESS => "Framed-IP-Address",
        typ::REPLY_MESSAGE => "Reply-Message",
        typ::STATE => "State",
        typ::CLASS => "Class",
        typ::VENDOR_SPECIFIC => "Vendor-Specific",
        typ::SESSION_TIMEOUT => "Session-Timeout",
        typ::IDLE_TIMEOUT => "Idle-Timeout",
        typ::CALLING_STATION_ID => "Calling-Station-Id",
        typ::NAS_IDENTIFIER => "NAS-Identifier",
        typ::ACCT_STATUS_TYPE => "Acct-Status-Type",
        typ::ACCT_INPUT_OCTETS => "Acct-Input-Octets",
        typ::ACCT_OUTPUT_OCTETS => "Acct-Output-Octets",
        typ::ACCT_SESSION_ID => "Acct-Session-Id",
        typ::ACCT_SESSION_TIME => "Acct-Session-Time",
        typ::ACCT_TERMINATE_CAUSE => "Acct-Terminate-Cause",
        typ::ACCT_INPUT_GIGAWORDS => "Acct-Input-Gigawords",
        typ::ACCT_OUTPUT_GIGAWORDS => "Acct-Output-Gigawords",
        typ::EVENT_TIMESTAMP => "Event-Timestamp",
        typ::MESSAGE_AUTHENTICATOR => "Message-Authenticator",
        typ::FRAMED_POOL => "Framed-Pool",
        typ::ERROR_CAUSE => "Error-Cause",
        _ => return None,
    })
}

/// One attribute as on the wire (the length byte is implied by `value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub typ: u8,
    pub value: Vec<u8>,
}

/// Why an attribute's value is not of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("attribute {typ}: expected {expected} bytes, got {got}")]
    Length { typ: u8, expected: usize, got: usize },
    #[error("attribute {typ} is not UTF-8 text")]
    NotText { typ: u8 },
}

impl Attribute {
    /// A value's largest size: the length byte counts itself and the type.
    pub const MAX_VALUE_LEN: usize = 253;

    pub fn new(typ: u8, value: Vec<u8>) -> Attribute {
        Attribute { typ, value }
    }

    /// A `text` or `string` attribute.
    pub fn bytes(typ: u8, value: &[u8]) -> Attribute {
        Attribute::new(typ, value.to_vec())
    }

    /// An `integer`, `enum` or `time` attribute (4 bytes, big-endian).
    pub fn integer(typ: u8, value: u32) -> Attribute {
        Attribute::new(typ, value.to_be_bytes().to_vec())
    }

    /// An `address` attribute.
    pub fn ipv4(typ: u8, address: Ipv4Addr) -> Attribute {
        Attribute::new(typ, address.octets().to_vec())
    }

    pub fn user_name(name: &str) -> Attribute {
        Attribute::bytes(typ::USER_NAME, name.as_bytes())
    }

    pub fn nas_identifier(id: &str) -> Attribute {
        Attribute::bytes(typ::NAS_IDENTIFIER, id.as_bytes())
    }

    pub fn acct_session_id(id: &str) -> Attribute {
        Attribute::bytes(typ::ACCT_SESSION_ID, id.as_bytes())
    }

    pub fn framed_ip_address(address: Ipv4Addr) -> Attribute {
        Attribute::ipv4(typ::FRAMED_IP_ADDRESS, address)
    }

    pub fn calling_station_id(id: &str) -> Attribute {
        Attribute::bytes(typ::CALLING_STATION_ID, id.as_bytes())
    }

    pub fn acct_status_type(status: AcctStatusType) -> Attribute {
        Attribute::integer(typ::ACCT_STATUS_TYPE, status.to_u32())
    }

    pub fn acct_terminate_cause(cause: TerminateCause) -> Attribute {
        Attribute::integer(typ::ACCT_TERMINATE_CAUSE, cause.to_u32())
    }

    pub fn error_cause(cause: ErrorCause) -> Attribute {
        Attribute::integer(typ::ERROR_CAUSE, cause.to_u32())
    }

    /// A Message-Authenticator of zeros: `auth` fills it in last, because
    /// the HMAC covers the whole packet.
    pub fn message_authenticator_placeholder() -> Attribute {
        Attribute::new(typ::MESSAGE_AUTHENTICATOR, vec![0; 16])
    }

    /// A MikroTik `Mikrotik-Rate-Limit` inside a Vendor-Specific attribute.
    pub fn mikrotik_rate_limit(rate: &str) -> Attribute {
        Vsa::new(mikrotik::VENDOR_ID, mikrotik::RATE_LIMIT, rate.as_bytes()).to_attribute()
    }

    /// A MikroTik `Mikrotik-Address-List` inside a Vendor-Specific attribute.
    pub fn mikrotik_address_list(list: &str) -> Attribute {
        Vsa::new(mikrotik::VENDOR_ID, mikrotik::ADDRESS_LIST, list.as_bytes()).to_attribute()
    }

    /// The value as a 32-bit integer (`integer`, `enum`, `time`).
    pub fn as_u32(&self) -> Result<u32, ValueError> {
        let bytes: [u8; 4] = self.value.as_slice().try_into().map_err(|_| self.length(4))?;
        Ok(u32::from_be_bytes(bytes))
    }

    /// The value as an IPv4 address.
    pub fn as_ipv4(&self) -> Result<Ipv4Addr, ValueError> {
        let bytes: [u8; 4] = self.value.as_slice().try_into().map_err(|_| self.length(4))?;
        Ok(Ipv4Addr::from(bytes))
    }

    /// The value as UTF-8 text.
    pub fn as_text(&self) -> Result<&str, ValueError> {
        std::str::from_utf8(&self.value).map_err(|_| ValueError::NotText { typ: self.typ })
    }

    fn length(&self, expected: usize) -> ValueError {
        ValueError::Length { typ: self.typ, expected, got: self.value.len() }
    }
}

/// One vendor sub-attribute (RFC 2865 §5.26, the suggested format: vendor
/// type, vendor length, value), e.g. `Mikrotik-Rate-Limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vsa {
    pub vendor_id: u32,
    pub vendor_type: u8,
    pub value: Vec<u8>,
}

/// Why a Vendor-Specific attribute's contents cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VsaError {
    #[error("Vendor-Specific attribute is {0} bytes, too short for a vendor id")]
    Short(usize),
    #[error("vendor sub-attribute at offset {offset} has length {length}, below 2 or past the end")]
    BadLength { offset: usize, length: usize },
}

impl Vsa {
    pub fn new(vendor_id: u32, vendor_type: u8, value: &[u8]) -> Vsa {
        Vsa { vendor_id, vendor_type, value: value.to_vec() }
    }

    /// The Vendor-Specific attribute carrying this one sub-attribute. A
    /// value too long to fit makes an attribute `Packet::encode` refuses.
    pub fn to_attribute(&self) -> Attribute {
        let mut value = Vec::with_capacity(6 + self.value.len());
        value.extend_from_slice(&self.vendor_id.to_be_bytes());
        value.push(self.vendor_type);
        value.push(u8::try_from(self.value.len() + 2).unwrap_or(u8::MAX));
        value.extend_from_slice(&self.value);
        Attribute::new(typ::VENDOR_SPECIFIC, value)
    }

    /// Every sub-attribute in a Vendor-Specific attribute's value (one
    /// attribute may carry several of the same vendor).
    pub fn parse_all(value: &[u8]) -> Result<Vec<Vsa>, VsaError> {
        let Some((id, mut rest)) = value.split_first_chunk::<4>() else {
            return Err(VsaError::Short(value.len()));
        };
        let vendor_id = u32::from_be_bytes(*id);
        let mut out = Vec::new();
        let mut offset = 4;
        while let [vendor_type, len, tail @ ..] = rest {
            let length = usize::from(*len);
            let Some(v) = length.checked_sub(2).and_then(|n| tail.get(..n)) else {
                return Err(VsaError::BadLength { offset, length });
            };
            out.push(Vsa::new(vendor_id, *vendor_type, v));
            rest = tail.get(v.len()..).unwrap_or_default();
            offset += length;
        }
        if !rest.is_empty() {
            return Err(VsaError::BadLength { offset, length: 0 });
        }
        Ok(out)
    }

    /// Every well-formed vendor sub-attribute in a packet's attributes;
    /// malformed Vendor-Specific attributes are skipped, as RFC 2865 §5.26
    /// lets a client ignore what it cannot read.
    pub fn all_in(attributes: &[Attribute]) -> Vec<Vsa> {
        attributes
            .iter()
            .filter(|a| a.typ == typ::VENDOR_SPECIFIC)
            .filter_map(|a| Vsa::parse_all(&a.value).ok())
            .flatten()
            .collect()
    }

    /// The first value of one vendor's sub-attribute in a packet.
    pub fn find(attributes: &[Attribute], vendor_id: u32, vendor_type: u8) -> Option<Vec<u8>> {
        Vsa::all_in(attributes)
            .into_iter()
            .find(|v| v.vendor_id == vendor_id && v.vendor_type == vendor_type)
            .map(|v| v.value)
    }
}

/// A PAP password in clear. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Vec<u8>);

impl Password {
    pub fn new(bytes: &[u8]) -> Password {
        Password(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Why a User-Password cannot be hidden or revealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password is {0} bytes, RADIUS allows at most 128")]
    TooLong(usize),
    #[error("hidden User-Password is {0} bytes, not a multiple of 16 between 16 and 128")]
    BadHiddenLength(usize),
}

/// The longest password User-Password carries (RFC 2865 §5.2).
pub const MAX_PASSWORD_LEN: usize = 128;

/// One block's key stream: MD5(secret + previous), RFC 2865 §5.2.
fn keystream(secret: &[u8], previous: &[u8]) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(secret);
    md5.update(previous);
    md5.finalize().into()
}

/// Hides a password as RFC 2865 §5.2 says: NUL-padded to a multiple of 16,
/// each block XORed with MD5(secret + the previous hidden block, the request
/// authenticator for the first).
pub fn hide_password(
    password: &[u8],
    secret: &[u8],
    request_authenticator: &[u8; 16],
) -> Result<Vec<u8>, PasswordError> {
    if password.len() > MAX_PASSWORD_LEN {
        return Err(PasswordError::TooLong(password.len()));
    }
    let blocks = password.len().div_ceil(16).max(1);
    let mut out = vec![0u8; blocks * 16];
    for (o, p) in out.iter_mut().zip(password) {
        *o = *p;
    }
    let mut previous = *request_authenticator;
    for block in out.chunks_mut(16) {
        let key = keystream(secret, &previous);
        for (b, k) in block.iter_mut().zip(key) {
            *b ^= k;
        }
        for (p, b) in previous.iter_mut().zip(block.iter()) {
            *p = *b;
        }
    }
    Ok(out)
}

/// Reveals a hidden User-Password (what a server or the simulator does);
/// trailing NUL padding is removed.
pub fn unhide_password(
    hidden: &[u8],
    secret: &[u8],
    request_authenticator: &[u8; 16],
) -> Result<Password, PasswordError> {
    if hidden.is_empty() || !hidden.len().is_multiple_of(16) || hidden.len() > MAX_PASSWORD_LEN {
        return Err(PasswordError::BadHiddenLength(hidden.len()));
    }
    let mut out = Vec::with_capacity(hidden.len());
    let mut previous: &[u8] = request_authenticator;
    for block in hidden.chunks(16) {
        let key = keystream(secret, previous);
        out.extend(block.iter().zip(key).map(|(b, k)| b ^ k));
        previous = block;
    }
    while out.last() == Some(&0) {
        out.pop();
    }
    Ok(Password(out))
}

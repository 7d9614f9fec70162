//! The packet frame (RFC 2865 §3): code, identifier, length, authenticator,
//! then attributes.

use crate::attribute::Attribute;

/// Code, identifier, length and authenticator.
pub const HEADER_LEN: usize = 20;
/// The largest packet RFC 2865 §3 allows; nothing longer is read or written.
pub const MAX_PACKET_LEN: usize = 4096;

/// The packet kinds Headend sends or reads. Other codes are refused on
/// decode: a client has no use for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    AccessRequest,
    AccessAccept,
    AccessReject,
    AccountingRequest,
    AccountingResponse,
    AccessChallenge,
    StatusServer,
    DisconnectRequest,
    DisconnectAck,
    DisconnectNak,
    CoaRequest,
    CoaAck,
    CoaNak,
}

impl Code {
    /// Every known code, for tables and tests.
    pub const ALL: [Code; 13] = [
        Code::AccessRequest,
        Code::AccessAccept,
        Code::AccessReject,
        Code::AccountingRequest,
        Code::AccountingResponse,
        Code::AccessChallenge,
        Code::StatusServer,
        Code::DisconnectRequest,
        Code::DisconnectAck,
        Code::DisconnectNak,
        Code::CoaRequest,
        Code::CoaAck,
        Code::CoaNak,
    ];

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            Code::AccessRequest => 1,
            Code::AccessAccept => 2,
            Code::AccessReject => 3,
            Code::AccountingRequest => 4,
            Code::AccountingResponse => 5,
            Code::AccessChallenge => 11,
            Code::StatusServer => 12,
            Code::DisconnectRequest => 40,
            Code::DisconnectAck => 41,
            Code::DisconnectNak => 42,
            Code::CoaRequest => 43,
            Code::CoaAck => 44,
            Code::CoaNak => 45,
        }
    }

    /// The code for a wire value, if it is one we know.
    pub fn from_u8(value: u8) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.to_u8() == value)
    }

    /// The RFC's name, for logs and the "test login" result.
    pub fn name(self) -> &'static str {
        match self {
            Code::AccessRequest => "Access-Request",
            Code::AccessAccept => "Access-Accept",
            Code::AccessReject => "Access-Reject",
            Code::AccountingRequest => "Accounting-Request",
            Code::AccountingResponse => "Accounting-Response",
            Code::AccessChallenge => "Access-Challenge",
            Code::StatusServer => "Status-Server",
            Code::DisconnectRequest => "Disconnect-Request",
            Code::DisconnectAck => "Disconnect-ACK",
            Code::DisconnectNak => "Disconnect-NAK",
            Code::CoaRequest => "CoA-Request",
            Code::CoaAck => "CoA-ACK",
            Code::CoaNak => "CoA-NAK",
        }
    }

    /// Requests whose authenticator is an MD5 over the packet (RFC 2866 §3,
    /// RFC 5176 §2.3) rather than 16 random bytes.
    pub fn has_computed_request_authenticator(self) -> bool {
        matches!(self, Code::AccountingRequest | Code::DisconnectRequest | Code::CoaRequest)
    }
}

/// One RADIUS packet, decoded. The authenticator is kept as read or set: the
/// `auth` module computes and checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub code: Code,
    pub identifier: u8,
    pub authenticator: [u8; 16],
    pub attributes: Vec<Attribute>,
}

/// Why bytes are not a RADIUS packet. Offsets count from the packet's start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("packet too short: {got} bytes, a RADIUS header is 20")]
    ShortHeader { got: usize },
    #[error("declared length {declared} is below the 20-byte header")]
    LengthBelowHeader { declared: usize },
    #[error("declared length {declared} is above the 4096-byte maximum")]
    LengthAboveMax { declared: usize },
    #[error("declared length {declared} but only {got} bytes arrived")]
    Truncated { declared: usize, got: usize },
    #[error("unknown packet code {0}")]
    UnknownCode(u8),
    #[error("attribute at offset {offset} has no length byte")]
    AttributeHeaderCut { offset: usize },
    #[error("attribute at offset {offset} has length {length}, below 2")]
    AttributeTooShort { offset: usize, length: usize },
    #[error("attribute at offset {offset} has length {length}, past the packet's end")]
    AttributeOverrun { offset: usize, length: usize },
}

/// Why a packet cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("attribute {typ} value is {len} bytes, at most 253 fit")]
    AttributeTooLong { typ: u8, len: usize },
    #[error("packet would be {len} bytes, above the 4096-byte maximum")]
    PacketTooLong { len: usize },
}

/// The bytes of the packet proper: the header checked and trailing bytes past
/// the declared length dropped (RFC 2865 §3 says they are padding).
pub fn frame(bytes: &[u8]) -> Result<&[u8], DecodeError> {
    let (Some(&hi), Some(&lo)) = (bytes.get(2), bytes.get(3)) else {
        return Err(DecodeError::ShortHeader { got: bytes.len() });
    };
    if bytes.len() < HEADER_LEN {
        return Err(DecodeError::ShortHeader { got: bytes.len() });
    }
    let declared = usize::from(u16::from_be_bytes([hi, lo]));
    if declared < HEADER_LEN {
        return Err(DecodeError::LengthBelowHeader { declared });
    }
    if declared > MAX_PACKET_LEN {
        return Err(DecodeError::LengthAboveMax { declared });
    }
    bytes.get(..declared).ok_or(DecodeError::Truncated { declared, got: bytes.len() })
}

/// Walks the attributes of a framed packet: `(offset, type, value)`, or the
/// first malformed one.
pub(crate) fn attributes(packet: &[u8]) -> impl Iterator<Item = Result<(usize, u8, &[u8]), DecodeError>> {
    let mut offset = HEADER_LEN;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || offset >= packet.len() {
            return None;
        }
        let start = offset;
        let item = (|| {
            let typ = *packet.get(start)?;
            let Some(&len) = packet.get(start + 1) else {
                return Some(Err(DecodeError::AttributeHeaderCut { offset: start }));
            };
            let length = usize::from(len);
            if length < 2 {
                return Some(Err(DecodeError::AttributeTooShort { offset: start, length }));
            }
            let Some(value) = packet.get(start + 2..start + length) else {
                return Some(Err(DecodeError::AttributeOverrun { offset: start, length }));
            };
            Some(Ok((start, typ, value)))
        })();
        match &item {
            Some(Ok((_, _, value))) => offset = start + 2 + value.len(),
            _ => failed = true,
        }
        item
    })
}

/// Decodes one packet from a datagram.
pub fn decode(bytes: &[u8]) -> Result<Packet, DecodeError> {
    let packet = frame(bytes)?;
    let mut head = [0u8; HEADER_LEN];
    for (h, b) in head.iter_mut().zip(packet) {
        *h = *b;
    }
    let code = Code::from_u8(head[0]).ok_or(DecodeError::UnknownCode(head[0]))?;
    let mut authenticator = [0u8; 16];
    authenticator.copy_from_slice(&head[4..HEADER_LEN]);
    let attributes = attributes(packet)
        .map(|item| item.map(|(_, typ, value)| Attribute::new(typ, value.to_vec())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Packet { code, identifier: head[1], authenticator, attributes })
}

impl Packet {
    /// A packet with no attributes yet.
    pub fn new(code: Code, identifier: u8, authenticator: [u8; 16]) -> Packet {
        Packet { code, identifier, authenticator, attributes: Vec::new() }
    }

    /// The encoded length, or why it would be too long.
    pub fn encoded_len(&self) -> Result<usize, EncodeError> {
        let mut len = HEADER_LEN;
        for a in &self.attributes {
            if a.value.len() > Attribute::MAX_VALUE_LEN {
                return Err(EncodeError::AttributeTooLong { typ: a.typ, len: a.value.len() });
            }
            len += 2 + a.value.len();
        }
        if len > MAX_PACKET_LEN {
            return Err(EncodeError::PacketTooLong { len });
        }
        Ok(len)
    }

    /// The wire bytes, with the authenticator as it stands.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let len = self.encoded_len()?;
        let mut out = Vec::with_capacity(len);
        out.push(self.code.to_u8());
        out.push(self.identifier);
        // `encoded_len` keeps `len` at or below 4096.
        out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(&self.authenticator);
        for a in &self.attributes {
            out.push(a.typ);
            out.push(u8::try_from(a.value.len() + 2).unwrap_or(u8::MAX));
            out.extend_from_slice(&a.value);
        }
        Ok(out)
    }

    /// The first attribute of a type.
    pub fn find(&self, typ: u8) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.typ == typ)
    }

    /// Every attribute of a type, in order.
    pub fn find_all(&self, typ: u8) -> impl Iterator<Item = &Attribute> {
        self.attributes.iter().filter(move |a| a.typ == typ)
    }

    /// Appends an attribute (builder style).
    pub fn with(mut self, attribute: Attribute) -> Packet {
        self.attributes.push(attribute);
        self
    }

    /// A 64-bit counter from its low 32 bits and its Gigawords attribute
    /// (RFC 2869 §5.1), e.g. `Acct-Input-Octets` + `Acct-Input-Gigawords`.
    /// `None` when the low attribute is missing or malformed.
    pub fn counter64(&self, low: u8, gigawords: u8) -> Option<u64> {
        let low = self.find(low)?.as_u32().ok()?;
        let high = match self.find(gigawords) {
            Some(a) => a.as_u32().ok()?,
            None => 0,
        };
        Some((u64::from(high) << 32) | u64::from(low))
    }
}

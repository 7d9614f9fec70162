//! Command tags.

use std::fmt;

use crate::ProtocolError;
use crate::error::quote;

/// The `.tag` that pairs replies with the command that asked for them.
///
/// RouterOS echoes any tag text; this codec only ever sends decimal numbers,
/// so a reply whose tag is not one is a protocol error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

impl Tag {
    /// Parse the decimal digits after `.tag=`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ProtocolError> {
        let invalid = || ProtocolError::InvalidTag(quote(bytes, 16));
        if bytes.is_empty() {
            return Err(invalid());
        }
        bytes
            .iter()
            .try_fold(0_u32, |acc, &b| {
                let digit = u32::from(b.checked_sub(b'0').filter(|d| *d <= 9)?);
                acc.checked_mul(10)?.checked_add(digit)
            })
            .map(Tag)
            .ok_or_else(invalid)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_u32() {
        assert_eq!(Tag::parse(b"0"), Ok(Tag(0)));
        assert_eq!(Tag::parse(b"42"), Ok(Tag(42)));
        assert_eq!(Tag::parse(b"007"), Ok(Tag(7)));
        assert_eq!(Tag::parse(b"4294967295"), Ok(Tag(u32::MAX)));
    }

    #[test]
    fn rejects_anything_else() {
        for bad in [&b""[..], b"4294967296", b"-1", b"1a", b" 1", b"\xE9"] {
            assert!(matches!(Tag::parse(bad), Err(ProtocolError::InvalidTag(_))), "{bad:?}");
        }
    }
}

//! Byte strings: [`Word`] (one word of a sentence) and [`Value`] (an
//! attribute name or value, a trap message, a fatal reason).
//!
//! Both are bytes, not `String`: routers hand out names and comments in
//! Windows-1252 as often as in UTF-8, and an ISP's customer named "José"
//! must come back to the router exactly as it was read. Text is only made
//! at the edges: [`Value::to_str`] when the bytes are UTF-8, and
//! [`Value::to_string_lossy_cp1252`] for display.

use std::borrow::Cow;
use std::fmt;

use bytes::{BufMut, Bytes};

use crate::ProtocolError;
use crate::cp1252::to_string_lossy_cp1252;
use crate::length::{encode_length, encoded_length_len};

/// Accessors and conversions shared by [`Word`] and [`Value`].
macro_rules! byte_text {
    ($ty:ident) => {
        impl $ty {
            /// The raw bytes.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// The bytes as `&str` when they are valid UTF-8.
            #[must_use]
            pub fn to_str(&self) -> Option<&str> {
                std::str::from_utf8(&self.0).ok()
            }

            /// Text for display: UTF-8 when valid, else Windows-1252. Lossy:
            /// send [`Self::as_bytes`] back to a router, never this.
            #[must_use]
            pub fn to_string_lossy_cp1252(&self) -> Cow<'_, str> {
                to_string_lossy_cp1252(&self.0)
            }

            /// The underlying [`Bytes`] (cheap: reference counted).
            #[must_use]
            pub fn into_bytes(self) -> Bytes {
                self.0
            }
        }

        impl AsRef<[u8]> for $ty {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }

        impl PartialEq<[u8]> for $ty {
            fn eq(&self, other: &[u8]) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&[u8]> for $ty {
            fn eq(&self, other: &&[u8]) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.0 == other.as_bytes()
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.0 == other.as_bytes()
            }
        }

        /// `"text"` when the bytes are UTF-8, else `b"escaped bytes"`.
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.to_str() {
                    Some(s) => write!(f, "{s:?}"),
                    None => write!(f, "b\"{}\"", self.0.escape_ascii()),
                }
            }
        }

        /// Display text, see [`Self::to_string_lossy_cp1252`].
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_string_lossy_cp1252())
            }
        }
    };
}

/// An attribute name or value, a trap message, a fatal reason: any bytes,
/// possibly empty.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(Bytes);

byte_text!(Value);

impl Value {
    /// A value holding `bytes`.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self(bytes.into())
    }

    /// A value from a `'static` byte string, without allocating.
    #[must_use]
    pub const fn from_static(bytes: &'static [u8]) -> Self {
        Self(Bytes::from_static(bytes))
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value has no bytes (`=comment=` gives an empty comment).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self(Bytes::from(s))
    }
}

impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Self {
        Self(Bytes::copy_from_slice(b))
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Self(Bytes::from(b))
    }
}

impl From<Bytes> for Value {
    fn from(b: Bytes) -> Self {
        Self(b)
    }
}

impl From<Word> for Value {
    fn from(w: Word) -> Self {
        Self(w.0)
    }
}

/// One word of a sentence.
///
/// Invariant: 1 to `u32::MAX` bytes. An empty word cannot be part of a
/// sentence (it is the sentence terminator) and a longer one has no length
/// encoding.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word(Bytes);

byte_text!(Word);

impl Word {
    /// A word holding `bytes`; fails when they are empty or longer than
    /// `u32::MAX` bytes.
    pub fn new(bytes: impl Into<Bytes>) -> Result<Self, ProtocolError> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(ProtocolError::EmptyWord);
        }
        if u32::try_from(bytes.len()).is_err() {
            return Err(ProtocolError::WordTooLong {
                len: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
                max: u64::from(u32::MAX),
            });
        }
        Ok(Self(bytes))
    }

    /// A word from a `'static` byte string; fails like [`Word::new`].
    pub fn from_static(bytes: &'static [u8]) -> Result<Self, ProtocolError> {
        Self::new(Bytes::from_static(bytes))
    }

    /// Length in bytes, never zero.
    #[must_use]
    #[allow(clippy::len_without_is_empty)] // a word is never empty
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// A zero-copy sub-slice of the word, as a [`Value`].
    pub(crate) fn value(&self, range: std::ops::Range<usize>) -> Option<Value> {
        if range.start > range.end || range.end > self.0.len() {
            return None;
        }
        Some(Value(self.0.slice(range)))
    }

    /// The length of the prefix the invariant guarantees fits in `u32`.
    fn len_u32(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    /// Bytes this word takes on the wire, prefix included.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        encoded_length_len(self.len_u32()).saturating_add(self.0.len())
    }

    /// Append the length prefix and the bytes to `out`.
    pub fn encode(&self, out: &mut impl BufMut) {
        encode_length(self.len_u32(), out);
        out.put_slice(&self.0);
    }
}

impl TryFrom<&str> for Word {
    type Error = ProtocolError;
    fn try_from(s: &str) -> Result<Self, ProtocolError> {
        Self::new(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl TryFrom<&[u8]> for Word {
    type Error = ProtocolError;
    fn try_from(b: &[u8]) -> Result<Self, ProtocolError> {
        Self::new(Bytes::copy_from_slice(b))
    }
}

impl TryFrom<Vec<u8>> for Word {
    type Error = ProtocolError;
    fn try_from(b: Vec<u8>) -> Result<Self, ProtocolError> {
        Self::new(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_word_is_rejected() {
        assert_eq!(Word::new(Bytes::new()), Err(ProtocolError::EmptyWord));
    }

    #[test]
    fn word_encodes_prefix_then_bytes() {
        let mut out = Vec::new();
        let w = Word::try_from("!done").unwrap();
        w.encode(&mut out);
        assert_eq!(out, b"\x05!done");
        assert_eq!(w.encoded_len(), 6);
    }

    #[test]
    fn debug_and_display_show_non_utf8_honestly() {
        let v = Value::from(&b"Jos\xE9"[..]);
        assert_eq!(format!("{v:?}"), r#"b"Jos\xe9""#);
        assert_eq!(v.to_string(), "José");
        assert_eq!(v.to_str(), None);
        assert_eq!(v.as_bytes(), b"Jos\xE9");
        let u = Value::from("José");
        assert_eq!(format!("{u:?}"), r#""José""#);
        assert_eq!(u.to_str(), Some("José"));
    }

    #[test]
    fn value_slices_stay_in_bounds() {
        let w = Word::try_from("=a=b").unwrap();
        assert_eq!(w.value(1..2).unwrap(), "a");
        assert_eq!(w.value(3..4).unwrap(), "b");
        assert_eq!(w.value(4..4).unwrap(), "");
        assert!(w.value(3..5).is_none());
        #[allow(clippy::reversed_empty_ranges)]
        let backwards = 3..2;
        assert!(w.value(backwards).is_none());
    }
}

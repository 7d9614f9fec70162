//! Word length prefixes.
//!
//! | length              | bytes | encoding                         |
//! |---------------------|-------|----------------------------------|
//! | `< 0x80`            | 1     | `len`                            |
//! | `< 0x4000`          | 2     | `len \| 0x8000`, big endian      |
//! | `< 0x20_0000`       | 3     | `len \| 0xC0_0000`, big endian   |
//! | `< 0x1000_0000`     | 4     | `len \| 0xE000_0000`, big endian |
//! | otherwise           | 5     | `0xF0`, then `len` big endian    |
//!
//! A first byte in `0xF8..=0xFF` is a reserved control byte; `0xF1..=0xF7`
//! encodes nothing. Both are protocol errors here. Decoding accepts
//! non-minimal prefixes (a 2-byte prefix for a length of 5): they are
//! unambiguous and cost nothing to accept; encoding always picks the
//! shortest form.

use bytes::BufMut;

use crate::ProtocolError;

/// Longest length prefix, in bytes.
pub const MAX_PREFIX_LEN: usize = 5;

/// Number of bytes [`encode_length`] writes for `len`.
#[must_use]
pub const fn encoded_length_len(len: u32) -> usize {
    if len < 0x80 {
        1
    } else if len < 0x4000 {
        2
    } else if len < 0x20_0000 {
        3
    } else if len < 0x1000_0000 {
        4
    } else {
        5
    }
}

/// Append the length prefix of a word of `len` bytes to `out`.
pub fn encode_length(len: u32, out: &mut impl BufMut) {
    let be = len.to_be_bytes();
    let [b0, b1, b2, b3] = be;
    match encoded_length_len(len) {
        1 => out.put_u8(b3),
        2 => out.put_slice(&[b2 | 0x80, b3]),
        3 => out.put_slice(&[b1 | 0xC0, b2, b3]),
        4 => out.put_slice(&[b0 | 0xE0, b1, b2, b3]),
        _ => out.put_slice(&[0xF0, b0, b1, b2, b3]),
    }
}

/// A length prefix decoded from the front of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodedLength {
    /// Length of the word that follows, in bytes.
    pub len: u32,
    /// Length of the prefix itself, in bytes (1 to 5).
    pub prefix_len: usize,
}

/// Decode the length prefix at the start of `buf`.
///
/// Returns `Ok(None)` until every byte of the prefix is in `buf`; a reserved
/// or malformed first byte is reported as soon as it is seen.
pub fn decode_length(buf: &[u8]) -> Result<Option<DecodedLength>, ProtocolError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    // Number of bytes after the first one, and the bits of the first byte
    // that belong to the length.
    let (extra, first_bits) = match first {
        0x00..=0x7F => (0, first),
        0x80..=0xBF => (1, first & 0x3F),
        0xC0..=0xDF => (2, first & 0x1F),
        0xE0..=0xEF => (3, first & 0x0F),
        0xF0 => (4, 0),
        0xF1..=0xF7 => return Err(ProtocolError::MalformedLengthPrefix(first)),
        0xF8..=0xFF => return Err(ProtocolError::ReservedControlByte(first)),
    };
    let prefix_len = extra + 1;
    let Some(rest) = buf.get(1..prefix_len) else {
        return Ok(None);
    };
    // At most 4 bytes of 8 bits each, plus at most 6 bits from the first
    // byte when there are at most 3 of them: always fits a u32.
    let len = rest.iter().fold(u32::from(first_bits), |acc, &b| (acc << 8) | u32::from(b));
    Ok(Some(DecodedLength { len, prefix_len }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(len: u32) -> Vec<u8> {
        let mut out = Vec::new();
        encode_length(len, &mut out);
        assert_eq!(out.len(), encoded_length_len(len));
        out
    }

    fn dec(buf: &[u8]) -> (u32, usize) {
        let d = decode_length(buf).unwrap().unwrap();
        (d.len, d.prefix_len)
    }

    #[test]
    fn every_boundary_encodes_to_exact_bytes_and_back() {
        let cases: &[(u32, &[u8])] = &[
            (0, &[0x00]),
            (1, &[0x01]),
            (0x7F, &[0x7F]),
            (0x80, &[0x80, 0x80]),
            (0x3FFF, &[0xBF, 0xFF]),
            (0x4000, &[0xC0, 0x40, 0x00]),
            (0x1F_FFFF, &[0xDF, 0xFF, 0xFF]),
            (0x20_0000, &[0xE0, 0x20, 0x00, 0x00]),
            (0x0FFF_FFFF, &[0xEF, 0xFF, 0xFF, 0xFF]),
            (0x1000_0000, &[0xF0, 0x10, 0x00, 0x00, 0x00]),
            (u32::MAX, &[0xF0, 0xFF, 0xFF, 0xFF, 0xFF]),
        ];
        for &(len, bytes) in cases {
            assert_eq!(enc(len), bytes, "encoding {len:#x}");
            assert_eq!(dec(bytes), (len, bytes.len()), "decoding {len:#x}");
        }
    }

    #[test]
    fn reserved_control_bytes_are_rejected() {
        for b in 0xF8..=0xFF_u8 {
            assert_eq!(decode_length(&[b]), Err(ProtocolError::ReservedControlByte(b)));
        }
        for b in 0xF1..=0xF7_u8 {
            assert_eq!(decode_length(&[b, 0, 0, 0, 0]), Err(ProtocolError::MalformedLengthPrefix(b)));
        }
    }

    #[test]
    fn incomplete_prefix_waits_for_more_bytes() {
        assert_eq!(decode_length(&[]), Ok(None));
        let full = enc(0x1000_0000);
        for cut in 1..full.len() {
            assert_eq!(decode_length(&full[..cut]), Ok(None), "cut at {cut}");
        }
        // Trailing bytes after the prefix are not part of it.
        assert_eq!(dec(&[0x80, 0x80, 0xAA, 0xBB]), (0x80, 2));
    }

    #[test]
    fn non_minimal_prefixes_are_accepted() {
        assert_eq!(dec(&[0x80, 0x05]), (5, 2));
        assert_eq!(dec(&[0xF0, 0x00, 0x00, 0x00, 0x05]), (5, 5));
    }
}

//! Display-only decoding of router text.
//!
//! RouterOS stores names and comments as raw bytes in whatever code page the
//! operator's WinBox used: UTF-8 on recent setups, Windows-1252 (a superset
//! of Latin-1 for printable text) on many older ones. The codec keeps the
//! bytes; this module only turns them into something a person can read.

use std::borrow::Cow;

/// Windows-1252 code points for the bytes `0x80..=0x9F`; the five bytes that
/// code page leaves undefined map to U+FFFD. Every other byte is the Unicode
/// code point of the same number (ASCII and Latin-1).
const HIGH_CONTROLS: [char; 32] = [
    '\u{20AC}', '\u{FFFD}', '\u{201A}', '\u{0192}', // 80 € . ‚ ƒ
    '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', // 84 „ … † ‡
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', // 88 ˆ ‰ Š ‹
    '\u{0152}', '\u{FFFD}', '\u{017D}', '\u{FFFD}', // 8C Œ . Ž .
    '\u{FFFD}', '\u{2018}', '\u{2019}', '\u{201C}', // 90 . ‘ ’ “
    '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', // 94 ” • – —
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', // 98 ˜ ™ š ›
    '\u{0153}', '\u{FFFD}', '\u{017E}', '\u{0178}', // 9C œ . ž Ÿ
];

/// The character Windows-1252 assigns to `b` (U+FFFD for the five undefined
/// bytes).
#[must_use]
pub fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => HIGH_CONTROLS.get(usize::from(b - 0x80)).copied().unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(b),
    }
}

/// Text for display: the bytes as they are when they are valid UTF-8,
/// otherwise decoded as Windows-1252.
///
/// Lossy by design (five bytes have no character): never feed the result
/// back to a router, send the original bytes instead.
#[must_use]
pub fn to_string_lossy_cp1252(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().copied().map(cp1252_char).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept_as_is() {
        assert!(matches!(to_string_lossy_cp1252("José ñandú".as_bytes()), Cow::Borrowed("José ñandú")));
    }

    #[test]
    fn latin1_and_cp1252_bytes_are_mapped() {
        // "José" in Latin-1, then the euro sign, curly quotes and an em dash
        // in Windows-1252.
        let bytes = b"Jos\xE9 \x80 \x93hi\x94 \x97 \x9F";
        assert_eq!(to_string_lossy_cp1252(bytes), "José € \u{201C}hi\u{201D} \u{2014} Ÿ");
    }

    #[test]
    fn undefined_bytes_become_replacement_characters() {
        assert_eq!(to_string_lossy_cp1252(b"\x81\x8D\x8F\x90\x9D"), "\u{FFFD}".repeat(5));
    }

    #[test]
    fn table_covers_every_high_control() {
        let decoded: String = (0x80..=0x9F_u8).map(cp1252_char).collect();
        assert_eq!(decoded, "€\u{FFFD}‚ƒ„…†‡ˆ‰Š‹Œ\u{FFFD}Ž\u{FFFD}\u{FFFD}‘’“”•–—˜™š›œ\u{FFFD}žŸ");
    }
}

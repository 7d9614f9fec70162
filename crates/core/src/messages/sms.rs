//! How long a text message is, and how many SMS it is billed as.
//!
//! A text that fits the GSM 03.38 default alphabet goes as 7-bit septets;
//! one character outside it sends the whole message as UCS-2, at less than
//! half the characters per SMS. Gateways charge per segment, so the console
//! shows both before an operator saves a template.

/// How the message's characters go over the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEncoding {
    /// The GSM 7-bit default alphabet and its extension table.
    Gsm7,
    /// UTF-16: any character, 2 bytes each (4 outside the BMP, an emoji).
    Ucs2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets for GSM 7-bit (an extension character is 2), UTF-16 code
    /// units for UCS-2.
    pub units: usize,
    /// How many SMS the message is sent (and billed) as.
    pub segments: usize,
}

/// What one SMS holds alone, and what each part of a longer one holds once
/// the concatenation header took its share.
const GSM7_SINGLE: usize = 160;
const GSM7_PART: usize = 153;
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

/// The GSM 03.38 basic character set, in the table's order (`ESC`, 0x1B,
/// left out: it introduces the extension table and is not text).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: an escape septet and the character's own.
const GSM7_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// The septets `c` takes in the GSM 7-bit alphabet, `None` if it has none.
fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding, units and segments of `text` (an empty text is 0 segments).
pub fn length(text: &str) -> SmsLength {
    let septets: Option<usize> = text.chars().map(gsm7_septets).sum();
    let (encoding, units, single, part) = match septets {
        Some(units) => (SmsEncoding::Gsm7, units, GSM7_SINGLE, GSM7_PART),
        None => (SmsEncoding::Ucs2, text.encode_utf16().count(), UCS2_SINGLE, UCS2_PART),
    };
    let segments = match units {
        0 => 0,
        u if u <= single => 1,
        u => u.div_ceil(part),
    };
    SmsLength { encoding, units, segments }
}

#[cfg(test)]
mod tests {
    use super::SmsEncoding::{Gsm7, Ucs2};
    use super::*;

    fn check(text: &str, encoding: SmsEncoding, units: usize, segments: usize) {
        assert_eq!(length(text), SmsLength { encoding, units, segments }, "{text:?}");
    }

    #[test]
    fn characters_pick_the_encoding() {
        let cases = [
            ("", Gsm7, 0, 0),
            ("Hello", Gsm7, 5, 1),
            ("é ñ ü Ä à ø Ç É Ø Å ß", Gsm7, 21, 1),
            ("¿Dónde?", Ucs2, 7, 1),
            ("ça", Ucs2, 2, 1),
            ("Ça", Gsm7, 2, 1),
            ("á", Ucs2, 1, 1),
            ("ã õ ê", Ucs2, 5, 1),
            ("ΔΦΓΛΩΠΨΣΘΞ", Gsm7, 10, 1),
            ("@£$¥¤§¡¿_", Gsm7, 9, 1),
            ("line\nbreak\r", Gsm7, 11, 1),
            ("tab\t", Ucs2, 4, 1),
            ("escape\u{1B}", Ucs2, 7, 1),
            ("😀", Ucs2, 2, 1),
            ("a😀b", Ucs2, 4, 1),
            ("€", Gsm7, 2, 1),
            ("^{}\\[~]|\u{0C}", Gsm7, 18, 1),
            ("€ and ç", Ucs2, 7, 1),
        ];
        for (text, encoding, units, segments) in cases {
            check(text, encoding, units, segments);
        }
    }

    #[test]
    fn segments_at_the_boundaries() {
        let a = |n: usize| "a".repeat(n);
        let u = |n: usize| "ç".repeat(n);
        let cases = [
            (a(1), Gsm7, 1, 1),
            (a(160), Gsm7, 160, 1),
            (a(161), Gsm7, 161, 2),
            (a(306), Gsm7, 306, 2),
            (a(307), Gsm7, 307, 3),
            (a(459), Gsm7, 459, 3),
            (a(460), Gsm7, 460, 4),
            (format!("{}€", a(158)), Gsm7, 160, 1),
            (format!("{}€", a(159)), Gsm7, 161, 2),
            (u(70), Ucs2, 70, 1),
            (u(71), Ucs2, 71, 2),
            (u(134), Ucs2, 134, 2),
            (u(135), Ucs2, 135, 3),
            (format!("{}😀", u(68)), Ucs2, 70, 1),
            (format!("{}😀", u(69)), Ucs2, 71, 2),
        ];
        for (text, encoding, units, segments) in cases {
            check(&text, encoding, units, segments);
        }
    }
}

//! Phone numbers in E.164 (`+254712345678`), the form every SMS gateway and
//! the WhatsApp Cloud API take.
//!
//! Customers' numbers are typed the way people write them locally
//! (`0712 345 678`, `(11) 91234-5678`); the ISP's default country says
//! which country such a number is in. Which lengths and prefixes are valid
//! in each country comes from libphonenumber's metadata (the `phonenumber`
//! crate).

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber};

use crate::billing::settings::SettingError;

/// A country, as its ISO 3166-1 alpha-2 code in capitals (`KE`), that the
/// phone number metadata knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country([u8; 2]);

impl Default for Country {
    fn default() -> Self {
        Country(*b"US")
    }
}

impl Country {
    pub fn as_str(&self) -> &str {
        // `from_str` and `default` store two ASCII capitals: the fallback
        // is never taken.
        std::str::from_utf8(&self.0).unwrap_or("US")
    }

    /// The metadata's id of the country (always there: `from_str` checked).
    fn id(self) -> Option<Id> {
        self.as_str().parse().ok()
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Country {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || {
            SettingError::new(
                "default-country",
                format!("unknown country {s:?}: use its two-letter ISO code, such as KE, BR, ID, NG or US"),
            )
        };
        let code: [u8; 2] = s.trim().to_ascii_uppercase().into_bytes().try_into().map_err(|_| err())?;
        let country = Country(code);
        let known = code.iter().all(u8::is_ascii_uppercase)
            && country.id().is_some()
            && DATABASE.by_id(country.as_str()).is_some();
        if known { Ok(country) } else { Err(err()) }
    }
}

/// A phone number in E.164: `+`, the country code and the national
/// number, digits only. Only [`normalize`] makes one, so it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct E164(String);

impl E164 {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneProblem {
    #[error("it is empty")]
    Empty,
    #[error("it is longer than {MAX_LEN} characters")]
    TooLong,
    #[error(
        "{0:?} does not belong in a phone number: write digits (spaces, dashes, dots and brackets are fine), with + or 00 before a country code"
    )]
    Character(char),
    #[error("a + goes only at the start, before the country code")]
    MisplacedPlus,
    #[error("it is not a valid number in {0}: check the digits, or write the country code after + or 00")]
    NotInCountry(Country),
    #[error("it is not a valid number: check the country code and the digits")]
    NotValid,
}

/// A number that is not one messages can be sent to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{raw:?} is not a valid phone number: {problem}")]
pub struct PhoneError {
    /// The number as written (its first [`MAX_LEN`] characters, then `…`).
    pub raw: String,
    pub problem: PhoneProblem,
}

/// The longest number [`normalize`] reads: the longest E.164 number is 16
/// characters, and room is left for separators.
pub const MAX_LEN: usize = 64;

/// The characters people put between digits.
const SEPARATORS: &[char] = &[' ', '-', '.', '(', ')', '/', '\u{A0}'];

/// `raw` in E.164. A number with `+` or `00` in front is international;
/// any other is in `default_country`. Letters (an extension, `tel:`) are
/// refused rather than read, so only digits reach the metadata.
pub fn normalize(raw: &str, default_country: Country) -> Result<E164, PhoneError> {
    let fail = |problem| {
        let mut shown: String = raw.chars().take(MAX_LEN).collect();
        if shown.len() < raw.len() {
            shown.push('…');
        }
        PhoneError { raw: shown, problem }
    };
    if raw.chars().nth(MAX_LEN).is_some() {
        return Err(fail(PhoneProblem::TooLong));
    }
    let mut digits = String::with_capacity(raw.len());
    let mut international = false;
    for c in raw.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() && !international => international = true,
            '+' => return Err(fail(PhoneProblem::MisplacedPlus)),
            c if SEPARATORS.contains(&c) => {}
            c => return Err(fail(PhoneProblem::Character(c))),
        }
    }
    if digits.is_empty() {
        return Err(fail(if international { PhoneProblem::NotValid } else { PhoneProblem::Empty }));
    }
    let digits = match digits.strip_prefix("00") {
        Some(rest) if !international => {
            international = true;
            rest.to_owned()
        }
        _ => digits,
    };
    // An international number is read without the default country: given
    // one, `phonenumber` strips that country's trunk prefix from the
    // other's digits (`+55 11…` read in the US loses its `1`).
    let (region, text, invalid) = if international {
        (None, format!("+{digits}"), PhoneProblem::NotValid)
    } else {
        (default_country.id(), digits, PhoneProblem::NotInCountry(default_country))
    };
    let number: PhoneNumber = phonenumber::parse(region, &text).map_err(|_| fail(invalid.clone()))?;
    if !phonenumber::is_valid(&number) {
        return Err(fail(invalid));
    }
    Ok(E164(number.format().mode(Mode::E164).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> Country {
        code.parse().expect("known country")
    }

    #[test]
    fn countries_are_known_codes_in_capitals() {
        assert_eq!(country("ke").as_str(), "KE");
        assert_eq!(country(" Br ").to_string(), "BR");
        assert_eq!(Country::default().as_str(), "US");
        for bad in ["", "K", "KEN", "XX", "ZZ", "1A", "é", "ÉÉ", "k e"] {
            assert_eq!(bad.parse::<Country>().expect_err(bad).setting, "default-country", "{bad:?}");
        }
    }

    #[test]
    fn local_and_international_numbers_become_e164() {
        let cases = [
            ("0712 345 678", "KE", "+254712345678"),
            ("0712-345-678", "KE", "+254712345678"),
            ("+254 712 345 678", "KE", "+254712345678"),
            ("00254712345678", "KE", "+254712345678"),
            ("(11) 91234-5678", "BR", "+5511912345678"),
            ("+55 11 91234 5678", "BR", "+5511912345678"),
            ("0812-3456-7890", "ID", "+6281234567890"),
            ("0803 123 4567", "NG", "+2348031234567"),
            ("(201) 555-0123", "US", "+12015550123"),
            ("1-201-555-0123", "US", "+12015550123"),
            ("201.555.0123", "US", "+12015550123"),
            ("+1 201 555 0123", "KE", "+12015550123"),
            ("00 55 11 91234-5678", "US", "+5511912345678"),
            ("+254712345678", "BR", "+254712345678"),
        ];
        for (raw, default, expected) in cases {
            assert_eq!(normalize(raw, country(default)).map(|n| n.to_string()), Ok(expected.to_owned()), "{raw}");
        }
    }

    #[test]
    fn refusals_say_why() {
        let ke = country("KE");
        let long = "1".repeat(MAX_LEN + 1);
        let cases = [
            ("", PhoneProblem::Empty),
            ("  - ", PhoneProblem::Empty),
            (long.as_str(), PhoneProblem::TooLong),
            ("0712 345 678 ext 5", PhoneProblem::Character('e')),
            ("tel:+254712345678", PhoneProblem::Character('t')),
            ("٠٧١٢٣٤٥٦٧٨", PhoneProblem::Character('٠')),
            ("0712+345", PhoneProblem::MisplacedPlus),
            ("++254712345678", PhoneProblem::MisplacedPlus),
            ("+", PhoneProblem::NotValid),
            ("0712 34", PhoneProblem::NotInCountry(ke)),
            ("12345678901234567890", PhoneProblem::NotInCountry(ke)),
            ("+999 123 456", PhoneProblem::NotValid),
            ("+254 12", PhoneProblem::NotValid),
            ("0000", PhoneProblem::NotValid),
        ];
        for (raw, problem) in cases {
            assert_eq!(normalize(raw, ke).map_err(|e| e.problem), Err(problem), "{raw:?}");
        }
    }

    #[test]
    fn the_message_names_the_number() {
        let err = normalize("0712 34", country("KE")).expect_err("too short");
        assert_eq!(
            err.to_string(),
            "\"0712 34\" is not a valid phone number: it is not a valid number in KE: check the digits, or write the country code after + or 00"
        );
        let long = "9".repeat(1000);
        assert_eq!(normalize(&long, country("KE")).expect_err("long").raw.chars().count(), MAX_LEN + 1);
    }

    #[test]
    fn garbage_never_panics() {
        let garbage = [
            "\0",
            "+\u{1F4A9}",
            ";phone-context=",
            "+;phone-context=é",
            "((((((((",
            "+0",
            "+00",
            "0",
            "00",
            "000000000000000000000000000000000000000000000000000000000000000",
            "+9999999999999999999999999999999999999999999999999999999999999",
            "\u{FEFF}0712345678",
            "0712\u{200B}345678",
        ];
        for raw in garbage {
            for code in ["KE", "US", "BR"] {
                assert!(normalize(raw, country(code)).is_err(), "{raw:?}");
            }
        }
    }
}

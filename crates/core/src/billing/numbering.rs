//! Document numbers: one gapless series each for invoices, credit notes
//! and receipts.
//!
//! A number is the series' prefix, the issue year and a sequence:
//! `INV-2026-000123`. The sequence never resets (a new year does not start
//! again at 1), so a number is unique even if the prefix changes, and it is
//! taken in the same transaction that stores the document: a document that
//! fails to be written gives its number back, and no number is ever skipped,
//! reused or deleted.

use std::fmt;

use jiff::civil::Date;

/// The three number series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Series {
    Invoice,
    CreditNote,
    Receipt,
}

impl Series {
    /// The series' key in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Series::Invoice => "invoice",
            Series::CreditNote => "credit-note",
            Series::Receipt => "receipt",
        }
    }

    pub fn default_prefix(self) -> &'static str {
        match self {
            Series::Invoice => "INV-",
            Series::CreditNote => "CN-",
            Series::Receipt => "RCT-",
        }
    }
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The digits the sequence is padded to.
pub const SEQUENCE_DIGITS: usize = 6;

/// The longest prefix: it must fit on a receipt printer's line with the rest.
pub const MAX_PREFIX_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a number prefix is up to {MAX_PREFIX_LEN} letters, digits, '-', '/' or '_' ({0:?} is not)")]
pub struct BadPrefix(pub String);

/// `prefix` if it can start a document number.
pub fn checked_prefix(prefix: &str) -> Result<String, BadPrefix> {
    let ok = prefix.chars().count() <= MAX_PREFIX_LEN
        && prefix.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '_'));
    if ok { Ok(prefix.to_owned()) } else { Err(BadPrefix(prefix.to_owned())) }
}

/// The number of the `sequence`th document of a series issued on `issued`.
pub fn format_number(prefix: &str, issued: Date, sequence: u64) -> String {
    format!("{prefix}{}-{sequence:0width$}", issued.year(), width = SEQUENCE_DIGITS)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn numbers_carry_prefix_year_and_a_padded_sequence() {
        assert_eq!(format_number("INV-", date(2026, 12, 6), 123), "INV-2026-000123");
        assert_eq!(format_number("", date(2027, 1, 1), 1), "2027-000001");
        assert_eq!(format_number("R/", date(2027, 1, 1), 1_234_567), "R/2027-1234567");
    }

    #[test]
    fn prefixes_are_short_and_plain() {
        assert!(checked_prefix("INV-").is_ok());
        assert!(checked_prefix("FAT_2026/").is_ok());
        assert!(checked_prefix("").is_ok());
        assert!(checked_prefix("INV 1").is_err());
        assert!(checked_prefix("a".repeat(17).as_str()).is_err());
        assert!(checked_prefix("<script>").is_err());
    }
}

//! Amounts of money: the currency's minor unit and the one rounding rule.
//!
//! Every printed figure is rounded once, per line, to the currency's minor
//! unit, **half away from zero** ("commercial" rounding: 0.125 → 0.13,
//! −0.125 → −0.13), the rule customers check with a pocket calculator and
//! tax offices expect on invoices. Totals are sums of rounded lines, never
//! rounded sums, so every column adds up to its total.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// The largest amount Headend accepts in one figure: a typo guard (an ISP's
/// invoice of a trillion is a stuck key), far inside `Decimal`'s range so
/// sums of a million lines cannot overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// A currency: its ISO 4217 code and how many decimals its minor unit has.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Currency {
    code: String,
    minor_digits: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a currency code: write its three capital letters, such as USD, EUR or BRL")]
pub struct UnknownCurrency(pub String);

impl Currency {
    /// The code's minor unit: ISO 4217's exponent for the currencies whose
    /// unit is not cents (0 or 3 decimals), 2 for every other code.
    pub fn new(code: &str) -> Result<Self, UnknownCurrency> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(UnknownCurrency(code.to_owned()));
        }
        let minor_digits = match code {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "VND" | "VUV"
            | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        };
        Ok(Self { code: code.to_owned(), minor_digits })
    }

    /// US dollars: the default until the ISP picks its currency.
    pub fn usd() -> Self {
        Self { code: "USD".to_owned(), minor_digits: 2 }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn minor_digits(&self) -> u32 {
        self.minor_digits
    }

    /// `amount` rounded to the minor unit, half away from zero.
    pub fn round(&self, amount: Decimal) -> Decimal {
        let mut rounded = amount.round_dp_with_strategy(self.minor_digits, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(self.minor_digits);
        rounded
    }

    /// Parses an amount an operator typed: a plain decimal (`25`, `25.5`,
    /// `1234.50`), not negative, with no more decimals than the minor unit
    /// and no more than [`MAX_AMOUNT`]. The result has exactly the minor
    /// unit's decimals (`25` → `25.00`).
    pub fn parse_amount(&self, text: &str) -> Result<Decimal, AmountError> {
        let trimmed = text.trim();
        let plain = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        let amount = Decimal::from_str(trimmed)
            .ok()
            .filter(|_| plain)
            .ok_or_else(|| AmountError::NotANumber(text.to_owned()))?;
        self.check_amount(amount)
    }

    /// `amount` if it is one Headend accepts (see [`Currency::parse_amount`]),
    /// rescaled to the minor unit.
    pub fn check_amount(&self, amount: Decimal) -> Result<Decimal, AmountError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(AmountError::Negative(amount));
        }
        if amount.normalize().scale() > self.minor_digits {
            return Err(AmountError::TooPrecise { amount, currency: self.code.clone(), digits: self.minor_digits });
        }
        if amount > MAX_AMOUNT {
            return Err(AmountError::TooLarge(amount));
        }
        Ok(self.round(amount.abs()))
    }

    /// The amount as the documents and JSON write it: the minor unit's
    /// decimals, no thousands separator (`1234.50`).
    pub fn format(&self, amount: Decimal) -> String {
        self.round(amount).to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

/// Why a typed amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("{0:?} is not an amount: write a number such as 25 or 25.50")]
    NotANumber(String),
    #[error("an amount cannot be negative ({0})")]
    Negative(Decimal),
    #[error("{amount} has more decimals than {currency} has ({digits})")]
    TooPrecise { amount: Decimal, currency: String, digits: u32 },
    #[error("{0} is larger than Headend accepts in one figure (1,000,000,000)")]
    TooLarge(Decimal),
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero_to_the_minor_unit() {
        let usd = Currency::new("USD").unwrap();
        for (amount, rounded) in [
            ("0.125", "0.13"),
            ("0.135", "0.14"),
            ("0.124999", "0.12"),
            ("-0.125", "-0.13"),
            ("2.5", "2.50"),
            ("10", "10.00"),
            ("1.005", "1.01"),
        ] {
            assert_eq!(usd.round(d(amount)).to_string(), rounded, "{amount}");
        }
        let jpy = Currency::new("JPY").unwrap();
        assert_eq!(jpy.round(d("1234.5")).to_string(), "1235");
        let kwd = Currency::new("KWD").unwrap();
        assert_eq!(kwd.round(d("1.2345")).to_string(), "1.235");
    }

    #[test]
    fn currency_codes_are_three_capitals() {
        assert!(Currency::new("usd").is_err());
        assert!(Currency::new("US").is_err());
        assert!(Currency::new("USDT").is_err());
        assert_eq!(Currency::new("BRL").unwrap().minor_digits(), 2);
        assert_eq!("EUR".parse::<Currency>().unwrap().to_string(), "EUR");
    }

    #[test]
    fn typed_amounts_are_checked() {
        let usd = Currency::new("USD").unwrap();
        assert_eq!(usd.parse_amount("25").unwrap().to_string(), "25.00");
        assert_eq!(usd.parse_amount(" 25.5 ").unwrap().to_string(), "25.50");
        assert_eq!(usd.parse_amount("0").unwrap().to_string(), "0.00");
        assert!(matches!(usd.parse_amount("-5"), Err(AmountError::Negative(_))));
        assert!(matches!(usd.parse_amount("25.001"), Err(AmountError::TooPrecise { .. })));
        assert!(matches!(usd.parse_amount("1e5"), Err(AmountError::NotANumber(_))));
        assert!(matches!(usd.parse_amount("12,50"), Err(AmountError::NotANumber(_))));
        assert!(matches!(usd.parse_amount(""), Err(AmountError::NotANumber(_))));
        assert!(matches!(usd.parse_amount("NaN"), Err(AmountError::NotANumber(_))));
        assert!(matches!(usd.parse_amount("1000000001"), Err(AmountError::TooLarge(_))));
        assert!(matches!(Currency::new("JPY").unwrap().parse_amount("10.5"), Err(AmountError::TooPrecise { .. })));
        // Trailing zeros are not extra precision.
        assert_eq!(usd.parse_amount("25.500").unwrap().to_string(), "25.50");
    }
}

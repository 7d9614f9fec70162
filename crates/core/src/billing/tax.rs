//! Tax on a line: one ISP rate (a plan may override it), inclusive or
//! exclusive.
//!
//! Each line is split into net, tax and gross, each rounded to the minor
//! unit, with `net + tax = gross` exactly:
//! - **exclusive** (prices before tax): `net` is the price, `tax` is
//!   `round(net × rate)`, `gross = net + tax`;
//! - **inclusive** (VAT countries: the price is what the customer pays):
//!   `gross` is the price, `tax` is `round(gross × rate / (1 + rate))`,
//!   `net = gross − tax`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::money::Currency;

/// A tax rate in percent, from 0 to 100, with at most 4 decimals (`16`,
/// `7.5`, `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TaxRate(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a tax rate: write a percentage from 0 to 100, such as 16 or 7.5")]
pub struct BadTaxRate(pub String);

impl TaxRate {
    pub const ZERO: TaxRate = TaxRate(Decimal::ZERO);

    pub fn percent(rate: Decimal) -> Result<Self, BadTaxRate> {
        let ok = !rate.is_sign_negative() && rate <= Decimal::ONE_HUNDRED && rate.normalize().scale() <= 4;
        if ok { Ok(Self(rate.normalize())) } else { Err(BadTaxRate(rate.to_string())) }
    }

    pub fn as_percent(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for TaxRate {
    type Err = BadTaxRate;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim().trim_end_matches('%');
        let plain = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let rate = Decimal::from_str(text).ok().filter(|_| plain).ok_or_else(|| BadTaxRate(s.to_owned()))?;
        TaxRate::percent(rate).map_err(|_| BadTaxRate(s.to_owned()))
    }
}

/// Whether prices include the tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TaxMode {
    /// Prices are before tax; the tax is added on top.
    #[default]
    Exclusive,
    /// Prices are what the customer pays; the tax is inside them.
    Inclusive,
}

impl TaxMode {
    /// As the database stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxMode::Exclusive => "exclusive",
            TaxMode::Inclusive => "inclusive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tax mode {0:?}: use inclusive or exclusive")]
pub struct UnknownTaxMode(pub String);

impl FromStr for TaxMode {
    type Err = UnknownTaxMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [TaxMode::Exclusive, TaxMode::Inclusive]
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownTaxMode(s.to_owned()))
    }
}

/// One line's figures, each rounded to the minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amounts {
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
}

impl std::ops::Add for Amounts {
    type Output = Amounts;

    fn add(self, other: Amounts) -> Amounts {
        Amounts { net: self.net + other.net, tax: self.tax + other.tax, gross: self.gross + other.gross }
    }
}

/// Splits a line's `price` (net when exclusive, gross when inclusive; may
/// be negative for a discount or a credit) into its rounded figures.
pub fn split(price: Decimal, rate: TaxRate, mode: TaxMode, currency: &Currency) -> Amounts {
    let price = currency.round(price);
    let r = rate.0 / Decimal::ONE_HUNDRED;
    match mode {
        TaxMode::Exclusive => {
            let tax = currency.round(price * r);
            Amounts { net: price, tax, gross: price + tax }
        }
        TaxMode::Inclusive => {
            let tax = currency.round(price * r / (Decimal::ONE + r));
            Amounts { net: price - tax, tax, gross: price }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn splits_exclusive_and_inclusive_prices() {
        let usd = Currency::new("USD").unwrap();
        // (price, rate, mode, net, tax, gross)
        let table = [
            ("25.00", "16", TaxMode::Exclusive, "25.00", "4.00", "29.00"),
            ("25.00", "16", TaxMode::Inclusive, "21.55", "3.45", "25.00"),
            ("19.99", "7.5", TaxMode::Exclusive, "19.99", "1.50", "21.49"),
            ("19.99", "20", TaxMode::Inclusive, "16.66", "3.33", "19.99"),
            ("10.00", "0", TaxMode::Exclusive, "10.00", "0.00", "10.00"),
            ("10.00", "0", TaxMode::Inclusive, "10.00", "0.00", "10.00"),
            // A discount is split the same way, its signs negative.
            ("-5.00", "16", TaxMode::Exclusive, "-5.00", "-0.80", "-5.80"),
            ("-5.00", "16", TaxMode::Inclusive, "-4.31", "-0.69", "-5.00"),
            // A prorated price is rounded first: 0.125 → 0.13.
            ("0.125", "10", TaxMode::Exclusive, "0.13", "0.01", "0.14"),
        ];
        for (price, rate, mode, net, tax, gross) in table {
            let a = split(d(price), rate.parse().unwrap(), mode, &usd);
            assert_eq!(
                (a.net.to_string(), a.tax.to_string(), a.gross.to_string()),
                (net.to_owned(), tax.to_owned(), gross.to_owned()),
                "{price} at {rate}% {mode:?}"
            );
            assert_eq!(a.net + a.tax, a.gross);
        }
    }

    #[test]
    fn tax_modes_round_trip() {
        for m in [TaxMode::Exclusive, TaxMode::Inclusive] {
            assert_eq!(m.as_str().parse(), Ok(m));
        }
        assert!("included".parse::<TaxMode>().is_err());
    }

    #[test]
    fn rates_are_percentages_from_0_to_100() {
        assert_eq!("16".parse::<TaxRate>().unwrap().as_percent(), d("16"));
        assert_eq!("7.5%".parse::<TaxRate>().unwrap().to_string(), "7.5");
        assert!("-1".parse::<TaxRate>().is_err());
        assert!("101".parse::<TaxRate>().is_err());
        assert!("abc".parse::<TaxRate>().is_err());
        assert!("1.00001".parse::<TaxRate>().is_err());
    }
}

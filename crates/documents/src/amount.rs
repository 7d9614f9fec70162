//! How amounts are spelled: grouped for people, plain for machines.

use rust_decimal::{Decimal, RoundingStrategy};

/// `1234.5` with 2 minor digits → `"1,234.50"`; `-0.5` with 0 → `"-1"`.
pub(crate) fn grouped(amount: Decimal, minor_digits: u32) -> String {
    let mut fixed = amount.round_dp_with_strategy(minor_digits, RoundingStrategy::MidpointAwayFromZero);
    fixed.rescale(minor_digits);
    let digits = fixed.abs().to_string();
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut out = String::with_capacity(digits.len() + whole.len() / 3 + 1);
    if fixed.is_sign_negative() && !fixed.is_zero() {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// `1234.5` → `"1234.50"`: at least two decimals, never fewer than the amount
/// carries, so an export loses nothing and reads like money.
pub(crate) fn plain(amount: Decimal) -> String {
    let mut fixed = amount;
    if fixed.scale() < 2 {
        fixed.rescale(2);
    }
    fixed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn grouped_amounts() {
        assert_eq!(grouped(d("1234.5"), 2), "1,234.50");
        assert_eq!(grouped(d("0"), 2), "0.00");
        assert_eq!(grouped(d("999.999"), 2), "1,000.00");
        assert_eq!(grouped(d("-1234567.891"), 2), "-1,234,567.89");
        assert_eq!(grouped(d("123456"), 0), "123,456");
        assert_eq!(grouped(d("-0.001"), 2), "0.00");
        assert_eq!(grouped(d("12.5"), 3), "12.500");
    }

    #[test]
    fn plain_amounts() {
        assert_eq!(plain(d("1234.5")), "1234.50");
        assert_eq!(plain(d("1234")), "1234.00");
        assert_eq!(plain(d("-3.125")), "-3.125");
    }
}

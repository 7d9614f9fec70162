//! Service plans (packages): rates, price and billing cycle.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ids::PlanId;

/// A data rate in bits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a rate: write a whole number with an optional k, M or G suffix, such as 512k or 20M")]
pub struct RateError(pub String);

impl Rate {
    pub const fn bits_per_second(bps: u64) -> Self {
        Self(bps)
    }

    pub fn bps(self) -> u64 {
        self.0
    }
}

/// RouterOS's own notation: `512k`, `20M`, `1G`, or plain bits per second.
impl FromStr for Rate {
    type Err = RateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || RateError(s.to_owned());
        let (digits, multiplier) = match s.char_indices().last() {
            Some((i, 'k' | 'K')) => (&s[..i], 1_000),
            Some((i, 'M')) => (&s[..i], 1_000_000),
            Some((i, 'G')) => (&s[..i], 1_000_000_000),
            Some(_) => (s, 1),
            None => return Err(err()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let n: u64 = digits.parse().map_err(|_| err())?;
        n.checked_mul(multiplier).map(Rate).ok_or_else(err)
    }
}

/// The shortest exact RouterOS notation.
impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        match n {
            0 => f.write_str("0"),
            _ if n.is_multiple_of(1_000_000_000) => write!(f, "{}G", n / 1_000_000_000),
            _ if n.is_multiple_of(1_000_000) => write!(f, "{}M", n / 1_000_000),
            _ if n.is_multiple_of(1_000) => write!(f, "{}k", n / 1_000),
            _ => write!(f, "{n}"),
        }
    }
}

/// How often a service on the plan is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BillingCycle {
    Monthly,
    Quarterly,
    Yearly,
}

impl BillingCycle {
    pub const ALL: [BillingCycle; 3] = [
        BillingCycle::Monthly,
        BillingCycle::Quarterly,
        BillingCycle::Yearly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BillingCycle::Monthly => "monthly",
            BillingCycle::Quarterly => "quarterly",
            BillingCycle::Yearly => "yearly",
        }
    }

    pub fn months(self) -> i8 {
        match self {
            BillingCycle::Monthly => 1,
            BillingCycle::Quarterly => 3,
            BillingCycle::Yearly => 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown billing cycle {0:?}: use monthly, quarterly or yearly")]
pub struct UnknownBillingCycle(pub String);

impl FromStr for BillingCycle {
    type Err = UnknownBillingCycle;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BillingCycle::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownBillingCycle(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    pub download: Rate,
    pub upload: Rate,
    pub price: Decimal,
    pub cycle: BillingCycle,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_routeros_rates() {
        assert_eq!("512k".parse(), Ok(Rate(512_000)));
        assert_eq!("20M".parse(), Ok(Rate(20_000_000)));
        assert_eq!("1G".parse(), Ok(Rate(1_000_000_000)));
        assert_eq!("64000".parse(), Ok(Rate(64_000)));
    }

    #[test]
    fn rejects_bad_rates_without_panicking() {
        for bad in ["", "M", "-1M", "1.5M", "20 M", "20m", "99999999999999999999G", "é"] {
            assert_eq!(bad.parse::<Rate>(), Err(RateError(bad.into())), "{bad}");
        }
    }

    #[test]
    fn displays_shortest_exact_form() {
        for (bps, text) in [(0, "0"), (1_500, "1500"), (2_000, "2k"), (10_000_000, "10M"), (2_000_000_000, "2G")] {
            assert_eq!(Rate(bps).to_string(), text);
            assert_eq!(text.parse(), Ok(Rate(bps)));
        }
    }

    #[test]
    fn billing_cycles_round_trip() {
        for c in BillingCycle::ALL {
            assert_eq!(c.as_str().parse(), Ok(c));
        }
        assert!("weekly".parse::<BillingCycle>().is_err());
    }
}

//! Service plans (packages): rates, price and billing cycle.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ids::PlanId;

mod session;

pub use session::{PoolName, PoolNameError, SessionLimits, Timeout, TimeoutError};

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

/// How often a service on the plan is billed: calendar months (anchored
/// to the service's billing day) or a number of days (prepaid packages of
/// 1, 7 or 30 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BillingCycle {
    Monthly,
    Quarterly,
    Yearly,
    /// `n` days, 1 to [`BillingCycle::MAX_DAYS`]; written `7d`.
    Days(u16),
}

impl BillingCycle {
    /// The month-based cycles, as forms list them (a day cycle is typed).
    pub const ALL: [BillingCycle; 3] = [BillingCycle::Monthly, BillingCycle::Quarterly, BillingCycle::Yearly];
    /// A day cycle longer than a year is a typo.
    pub const MAX_DAYS: u16 = 366;
}

/// `monthly`, `quarterly`, `yearly` or `<n>d`: the form the database, the
/// CLI and the console share.
impl fmt::Display for BillingCycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BillingCycle::Monthly => f.write_str("monthly"),
            BillingCycle::Quarterly => f.write_str("quarterly"),
            BillingCycle::Yearly => f.write_str("yearly"),
            BillingCycle::Days(n) => write!(f, "{n}d"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown billing cycle {0:?}: use monthly, quarterly, yearly or a number of days from 1 to 366 such as 7d")]
pub struct UnknownBillingCycle(pub String);

impl FromStr for BillingCycle {
    type Err = UnknownBillingCycle;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownBillingCycle(s.to_owned());
        match s {
            "monthly" => Ok(BillingCycle::Monthly),
            "quarterly" => Ok(BillingCycle::Quarterly),
            "yearly" => Ok(BillingCycle::Yearly),
            _ => {
                let digits = s.strip_suffix('d').filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                let days: u16 = digits.and_then(|d| d.parse().ok()).ok_or_else(unknown)?;
                if (1..=BillingCycle::MAX_DAYS).contains(&days) && !digits.is_some_and(|d| d.starts_with('0')) {
                    Ok(BillingCycle::Days(days))
                } else {
                    Err(unknown())
                }
            }
        }
    }
}

/// A plan: what the customer buys. On the routers it is a PPP profile
/// named [`Plan::profile`] whose `rate-limit` is [`Plan::rate_limit`].
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    /// The router profile's name, fixed when the plan is created (see
    /// [`profile_name`]) so renaming a plan never orphans its profile.
    pub profile: String,
    pub limits: RateLimit,
    pub price: Decimal,
    pub cycle: BillingCycle,
    /// Its own tax rate; `None` uses the ISP's (billing settings).
    pub tax_rate: Option<crate::billing::tax::TaxRate>,
    pub session: SessionLimits,
}

impl Plan {
    pub fn download(&self) -> Rate {
        self.limits.download
    }

    pub fn upload(&self) -> Rate {
        self.limits.upload
    }
}

/// The PPP profile name of a new plan: `hd-<id>-<slug of the name>`, at most
/// 48 characters of `[a-z0-9-]`. The id makes it unique, the slug makes it
/// readable in Winbox, and the character set is safe in any RouterOS menu
/// and script.
pub fn profile_name(id: PlanId, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut out = format!("hd-{id}");
    let room = 48usize.saturating_sub(out.len() + 1);
    let slug = slug.trim_end_matches('-');
    if !slug.is_empty() && room > 0 {
        out.push('-');
        out.push_str(slug[..slug.len().min(room)].trim_end_matches('-'));
    }
    out
}

/// A pair in RouterOS's `upload/download` order (the router's rx/tx: what
/// it receives from the customer, then what it sends to them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pair<T> {
    pub upload: T,
    pub download: T,
}

/// A plan's speeds in RouterOS's `rate-limit` notation:
/// `rx/tx [burst-rx/burst-tx threshold-rx/threshold-tx time-rx/time-tx]`,
/// upload first. Burst times are whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    pub upload: Rate,
    pub download: Rate,
    pub burst: Option<Burst>,
}

/// Short bursts above the plan's rate while the average stays under the
/// threshold (RouterOS's burst algorithm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Burst {
    pub rate: Pair<Rate>,
    pub threshold: Pair<Rate>,
    /// Seconds over which the average is taken.
    pub time: Pair<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateLimitError {
    #[error("{0:?} is not a rate pair: write UPLOAD/DOWNLOAD, such as 10M/20M")]
    Pair(String),
    #[error(transparent)]
    Rate(#[from] RateError),
    #[error("{0:?} is not a burst time: write seconds, such as 16s/16s or 16/16")]
    Time(String),
    #[error("a burst needs its rate, threshold and time together")]
    IncompleteBurst,
    #[error("the burst rate {burst} must be above the plan's rate {rate}")]
    BurstBelowRate { rate: Rate, burst: Rate },
    #[error("the burst threshold {threshold} must be at most the plan's rate {rate}")]
    ThresholdAboveRate { rate: Rate, threshold: Rate },
    #[error("{0:?} is not a RouterOS rate-limit")]
    Text(String),
}

fn split_pair(s: &str) -> Result<(&str, &str), RateLimitError> {
    match s.split_once('/') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a, b)),
        None if !s.is_empty() => Ok((s, s)),
        _ => Err(RateLimitError::Pair(s.to_owned())),
    }
}

impl Pair<Rate> {
    /// `10M/20M` (upload/download), or `10M` for both.
    pub fn parse(s: &str) -> Result<Self, RateLimitError> {
        let (up, down) = split_pair(s)?;
        Ok(Pair { upload: up.parse()?, download: down.parse()? })
    }
}

impl Pair<u32> {
    /// `16s/16s`, `16/16` or `16s` for both.
    pub fn parse_seconds(s: &str) -> Result<Self, RateLimitError> {
        let err = || RateLimitError::Time(s.to_owned());
        let (up, down) = split_pair(s).map_err(|_| err())?;
        let secs = |t: &str| -> Result<u32, RateLimitError> {
            let digits = t.strip_suffix('s').unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            digits.parse().map_err(|_| err())
        };
        Ok(Pair { upload: secs(up)?, download: secs(down)? })
    }
}

impl RateLimit {
    pub fn new(rate: Pair<Rate>, burst: Option<Burst>) -> Result<Self, RateLimitError> {
        if let Some(b) = burst {
            for (r, br, th) in [
                (rate.upload, b.rate.upload, b.threshold.upload),
                (rate.download, b.rate.download, b.threshold.download),
            ] {
                if br <= r {
                    return Err(RateLimitError::BurstBelowRate { rate: r, burst: br });
                }
                if th > r {
                    return Err(RateLimitError::ThresholdAboveRate { rate: r, threshold: th });
                }
            }
        }
        Ok(Self { upload: rate.upload, download: rate.download, burst })
    }

    /// From the operator's words: `--rate 10M/20M [--burst 20M/40M
    /// --burst-threshold 8M/16M --burst-time 16s/16s]`.
    pub fn from_parts(
        rate: &str,
        burst: Option<&str>,
        threshold: Option<&str>,
        time: Option<&str>,
    ) -> Result<Self, RateLimitError> {
        let rate = Pair::parse(rate)?;
        let burst = match (burst, threshold, time) {
            (None, None, None) => None,
            (Some(b), Some(th), Some(t)) => {
                Some(Burst { rate: Pair::parse(b)?, threshold: Pair::parse(th)?, time: Pair::parse_seconds(t)? })
            }
            _ => return Err(RateLimitError::IncompleteBurst),
        };
        Self::new(rate, burst)
    }

    /// Reads a `rate-limit` as a router prints it. RouterOS also allows a
    /// priority and minimum rates after the burst time; Headend never
    /// writes them, so a profile carrying them reads as different and is
    /// rewritten.
    pub fn parse_routeros(s: &str) -> Result<Self, RateLimitError> {
        let parts: Vec<&str> = s.split_whitespace().collect();
        let text = || RateLimitError::Text(s.to_owned());
        match parts.as_slice() {
            [rate] => Ok(Self { burst: None, ..Self::rate_only(Pair::parse(rate)?) }),
            [rate, burst, threshold, time] => Ok(Self {
                burst: Some(Burst {
                    rate: Pair::parse(burst)?,
                    threshold: Pair::parse(threshold)?,
                    time: Pair::parse_seconds(time)?,
                }),
                ..Self::rate_only(Pair::parse(rate)?)
            }),
            _ => Err(text()),
        }
    }

    fn rate_only(rate: Pair<Rate>) -> Self {
        Self { upload: rate.upload, download: rate.download, burst: None }
    }
}

/// RouterOS's notation, upload first: `10M/20M` or
/// `10M/20M 20M/40M 8M/16M 16/16`.
impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.upload, self.download)?;
        if let Some(b) = &self.burst {
            write!(
                f,
                " {}/{} {}/{} {}/{}",
                b.rate.upload,
                b.rate.download,
                b.threshold.upload,
                b.threshold.download,
                b.time.upload,
                b.time.download
            )?;
        }
        Ok(())
    }
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

    fn limit(rate: &str, burst: Option<(&str, &str, &str)>) -> Result<RateLimit, RateLimitError> {
        RateLimit::from_parts(rate, burst.map(|b| b.0), burst.map(|b| b.1), burst.map(|b| b.2))
    }

    #[test]
    fn rate_limits_are_written_upload_first_in_routeros_notation() {
        assert_eq!(limit("10M/20M", None).unwrap().to_string(), "10M/20M");
        assert_eq!(limit("5M", None).unwrap().to_string(), "5M/5M");
        let with_burst = limit("10M/20M", Some(("20M/40M", "8M/16M", "16s/16s"))).unwrap();
        assert_eq!(with_burst.to_string(), "10M/20M 20M/40M 8M/16M 16/16");
        assert_eq!(RateLimit::parse_routeros(&with_burst.to_string()), Ok(with_burst));
    }

    #[test]
    fn router_text_compares_by_meaning() {
        assert_eq!(RateLimit::parse_routeros("10000k/20M"), limit("10M/20M", None));
        assert_eq!(
            RateLimit::parse_routeros("10M/20M 20M/40M 8M/16M 16s/16s"),
            limit("10M/20M", Some(("20M/40M", "8M/16M", "16/16")))
        );
        for bad in ["", "10M/", "10M/20M 20M/40M", "10M/20M 1/1 1/1 1/1 8 1M/1M", "x/y"] {
            assert!(RateLimit::parse_routeros(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bursts_must_make_sense() {
        assert_eq!(limit("10M/20M", Some(("20M/40M", "8M/16M", ""))), Err(RateLimitError::Time(String::new())));
        assert_eq!(RateLimit::from_parts("10M/20M", Some("20M/40M"), None, None), Err(RateLimitError::IncompleteBurst));
        assert!(matches!(
            limit("10M/20M", Some(("10M/40M", "8M/16M", "16/16"))),
            Err(RateLimitError::BurstBelowRate { .. })
        ));
        assert!(matches!(
            limit("10M/20M", Some(("20M/40M", "12M/16M", "16/16"))),
            Err(RateLimitError::ThresholdAboveRate { .. })
        ));
    }

    #[test]
    fn profile_names_are_unique_readable_and_routeros_safe() {
        assert_eq!(profile_name(PlanId(7), "Home 20 Mbps"), "hd-7-home-20-mbps");
        assert_eq!(profile_name(PlanId(8), "  Fibra ÚLTRA!! "), "hd-8-fibra-ltra");
        assert_eq!(profile_name(PlanId(9), "***"), "hd-9");
        let long = profile_name(PlanId(10), &"x".repeat(200));
        assert!(long.len() <= 48 && long.starts_with("hd-10-xxx"), "{long}");
        assert!(
            profile_name(PlanId(11), "a b c d e f g h i j k l m n o p q r s t u v w x")
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
    }

    #[test]
    fn billing_cycles_round_trip() {
        for c in
            BillingCycle::ALL.into_iter().chain([BillingCycle::Days(1), BillingCycle::Days(7), BillingCycle::Days(366)])
        {
            assert_eq!(c.to_string().parse(), Ok(c));
        }
        for bad in ["weekly", "0d", "367d", "07d", "d", "7", "-7d", "7 d"] {
            assert!(bad.parse::<BillingCycle>().is_err(), "{bad}");
        }
    }
}

//! The one place that knows how RouterOS 6.4x and 7.x differ in what the
//! reconciler reads and writes, keyed on `/system/resource` `version`.
//!
//! Today both take the forms Headend writes (`rate-limit` with burst times
//! in bare seconds, `yes`/`no`, `.id` addressing), and the reconciler
//! compares what it reads by meaning
//! ([`RateLimit::parse_routeros`](headend_core::plan::RateLimit::parse_routeros)),
//! so `10000k/20M` on one router and `10M/20M` on another, or `16s` and
//! `16`, are the same. The protocol-level differences (the pre-6.43 MD5
//! login, v7's `!empty`) are the client's business. A difference found on
//! a real router goes here, with a test for each persona.

use headend_core::plan::RateLimit;

/// The RouterOS generation of a router, from `/system/resource` `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    V6,
    V7,
}

impl Dialect {
    /// `6.49.10 (long-term)` → V6; anything unreadable is taken as current
    /// (V7), whose forms v6 routers accept too.
    pub fn from_version(version: &str) -> Dialect {
        match version.split('.').next().map(str::trim) {
            Some("6") | Some("5") => Dialect::V6,
            _ => Dialect::V7,
        }
    }

    /// The `rate-limit` text to write.
    pub fn rate_limit(self, limit: &RateLimit) -> String {
        limit.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(Dialect::from_version("6.42.12 (long-term)"), Dialect::V6);
        assert_eq!(Dialect::from_version("6.49.10"), Dialect::V6);
        assert_eq!(Dialect::from_version("7.18.2 (stable)"), Dialect::V7);
        assert_eq!(Dialect::from_version(""), Dialect::V7);
    }

    #[test]
    fn both_dialects_write_bare_seconds() {
        let limit = RateLimit::from_parts("10M/20M", Some("20M/40M"), Some("8M/16M"), Some("16s/16s")).unwrap();
        for d in [Dialect::V6, Dialect::V7] {
            assert_eq!(d.rate_limit(&limit), "10M/20M 20M/40M 8M/16M 16/16");
        }
    }
}

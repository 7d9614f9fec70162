//! Revenue at a glance: aging of what is owed.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// Days overdue, as the aging report buckets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgingBucket {
    UpTo30,
    From31To60,
    From61To90,
    Over90,
}

impl AgingBucket {
    pub const ALL: [AgingBucket; 4] =
        [AgingBucket::UpTo30, AgingBucket::From31To60, AgingBucket::From61To90, AgingBucket::Over90];

    pub fn label(self) -> &'static str {
        match self {
            AgingBucket::UpTo30 => "0-30",
            AgingBucket::From31To60 => "31-60",
            AgingBucket::From61To90 => "61-90",
            AgingBucket::Over90 => "90+",
        }
    }

    /// The bucket of an invoice due on `due`, on `today` (`None`: not
    /// overdue).
    pub fn of(due: Date, today: Date) -> Option<Self> {
        if due >= today {
            return None;
        }
        let days = (today - due).get_days();
        Some(match days {
            ..=30 => AgingBucket::UpTo30,
            31..=60 => AgingBucket::From31To60,
            61..=90 => AgingBucket::From61To90,
            _ => AgingBucket::Over90,
        })
    }
}

/// Overdue invoices in one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Aged {
    pub count: u64,
    pub amount: Decimal,
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn buckets_by_days_overdue() {
        let today = date(2026, 12, 31);
        assert_eq!(AgingBucket::of(date(2026, 12, 31), today), None);
        assert_eq!(AgingBucket::of(date(2026, 12, 30), today), Some(AgingBucket::UpTo30));
        assert_eq!(AgingBucket::of(date(2026, 12, 1), today), Some(AgingBucket::UpTo30));
        assert_eq!(AgingBucket::of(date(2026, 11, 30), today), Some(AgingBucket::From31To60));
        assert_eq!(AgingBucket::of(date(2026, 10, 2), today), Some(AgingBucket::From61To90));
        assert_eq!(AgingBucket::of(date(2026, 10, 1), today), Some(AgingBucket::Over90));
        assert_eq!(AgingBucket::of(date(2026, 9, 30), today), Some(AgingBucket::Over90));
    }
}

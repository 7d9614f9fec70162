//! Billing periods on the calendar, anchored to a service's billing day.
//!
//! A month-based service is billed on its **billing day** (1 to 31). A
//! month without that day bills on its last day, and the next month goes
//! back to the billing day: a service billed on the 31st is due 31 January,
//! 28 February (29 in a leap year), 31 March, 30 April... never drifting to
//! the 28th. A day-based plan (`7d`) simply adds its days.
//!
//! A period is half-open: it starts on its first day and ends where the
//! next one starts (`until`), so periods tile the calendar with no gap and
//! no overlap; documents print its last day (`until − 1 day`).

use jiff::ToSpan;
use jiff::civil::Date;

use crate::plan::BillingCycle;

/// The day of the month a month-based service is billed on, 1 to 31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BillingDay(u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a billing day is a day of the month from 1 to 31, not {0}")]
pub struct BadBillingDay(pub i64);

impl BillingDay {
    pub fn new(day: i64) -> Result<Self, BadBillingDay> {
        u8::try_from(day).ok().filter(|d| (1..=31).contains(d)).map(Self).ok_or(BadBillingDay(day))
    }

    /// The billing day a period starting on `date` keeps.
    pub fn of(date: Date) -> Self {
        // A civil date's day is always 1 to 31.
        Self(date.day().unsigned_abs())
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// This billing day in `date`'s month, clamped to the month's last day.
    pub fn in_month_of(self, date: Date) -> Date {
        let last = date.last_of_month().day();
        date.with().day(i8::try_from(self.0).unwrap_or(31).min(last)).build().unwrap_or(date)
    }
}

/// `from` moved by `months` months, landing on `day` (clamped to the end of
/// shorter months); the far end of the calendar saturates.
pub fn add_months(from: Date, months: i32, day: BillingDay) -> Date {
    let Ok(first) = from.first_of_month().checked_add(months.months()) else {
        return if months < 0 { Date::MIN } else { Date::MAX };
    };
    day.in_month_of(first)
}

/// A billing period: `from` (first day) to `until` (the first day of the
/// next period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub from: Date,
    pub until: Date,
}

impl Period {
    /// The period of `cycle` that starts on `from`, for a service billed on
    /// `day` (day cycles ignore it).
    pub fn starting(from: Date, cycle: BillingCycle, day: BillingDay) -> Self {
        let until = match cycle {
            BillingCycle::Monthly => add_months(from, 1, day),
            BillingCycle::Quarterly => add_months(from, 3, day),
            BillingCycle::Yearly => add_months(from, 12, day),
            BillingCycle::Days(n) => from.checked_add(i32::from(n).days()).unwrap_or(Date::MAX),
        };
        Period { from, until }
    }

    /// The last day in the period, as documents print it.
    pub fn last_day(self) -> Date {
        self.until.yesterday().unwrap_or(self.until)
    }

    /// Days in the period.
    pub fn days(self) -> i64 {
        i64::from((self.until - self.from).get_days())
    }

    /// Whether `date` falls in the period.
    pub fn contains(self, date: Date) -> bool {
        self.from <= date && date < self.until
    }
}

/// How many whole periods of `cycle` lie between `from` and `until`
/// (`until` not included), counting a started one; 0 when `until <= from`.
/// Bounded: stops counting at `limit`.
pub fn periods_between(from: Date, until: Date, cycle: BillingCycle, day: BillingDay, limit: u32) -> u32 {
    let mut n = 0;
    let mut start = from;
    while start < until && n < limit {
        let next = Period::starting(start, cycle, day).until;
        if next <= start {
            break;
        }
        start = next;
        n += 1;
    }
    n
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn day(d: i64) -> BillingDay {
        BillingDay::new(d).unwrap()
    }

    #[test]
    fn the_31st_stays_the_31st_across_short_months() {
        let d31 = day(31);
        let mut due = date(2027, 1, 31);
        let mut seen = vec![];
        for _ in 0..4 {
            due = Period::starting(due, BillingCycle::Monthly, d31).until;
            seen.push(due);
        }
        assert_eq!(seen, [date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]);
        // A leap year's February has its 29th.
        assert_eq!(Period::starting(date(2028, 1, 31), BillingCycle::Monthly, d31).until, date(2028, 2, 29));
        // The 30th and the 29th likewise.
        assert_eq!(add_months(date(2027, 2, 28), 1, day(30)), date(2027, 3, 30));
        assert_eq!(add_months(date(2027, 2, 28), 12, day(29)), date(2028, 2, 29));
    }

    #[test]
    fn quarterly_yearly_and_day_cycles() {
        let p = Period::starting(date(2026, 11, 30), BillingCycle::Quarterly, day(30));
        assert_eq!(p.until, date(2027, 2, 28));
        assert_eq!(Period::starting(p.until, BillingCycle::Quarterly, day(30)).until, date(2027, 5, 30));
        assert_eq!(Period::starting(date(2028, 2, 29), BillingCycle::Yearly, day(29)).until, date(2029, 2, 28));
        let week = Period::starting(date(2026, 12, 28), BillingCycle::Days(7), day(28));
        assert_eq!(week.until, date(2027, 1, 4));
        assert_eq!(week.days(), 7);
        assert_eq!(week.last_day(), date(2027, 1, 3));
        assert!(week.contains(date(2027, 1, 3)) && !week.contains(date(2027, 1, 4)));
    }

    #[test]
    fn period_lengths_follow_the_calendar() {
        for (from, days) in [
            (date(2027, 2, 1), 28),
            (date(2028, 2, 1), 29),
            (date(2026, 4, 1), 30),
            (date(2026, 12, 1), 31),
            (date(2026, 1, 31), 28),
        ] {
            assert_eq!(Period::starting(from, BillingCycle::Monthly, BillingDay::of(from)).days(), days, "{from}");
        }
    }

    #[test]
    fn billing_days_are_1_to_31_and_dates_saturate() {
        assert!(BillingDay::new(0).is_err() && BillingDay::new(32).is_err() && BillingDay::new(-1).is_err());
        assert_eq!(add_months(date(9999, 12, 15), 1, day(15)), Date::MAX);
        assert_eq!(Period::starting(date(9999, 12, 30), BillingCycle::Days(7), day(30)).until, Date::MAX);
    }

    #[test]
    fn counts_periods_between_two_dates() {
        let d5 = day(5);
        assert_eq!(periods_between(date(2026, 1, 5), date(2026, 4, 5), BillingCycle::Monthly, d5, 100), 3);
        assert_eq!(periods_between(date(2026, 1, 5), date(2026, 4, 6), BillingCycle::Monthly, d5, 100), 4);
        assert_eq!(periods_between(date(2026, 4, 5), date(2026, 1, 5), BillingCycle::Monthly, d5, 100), 0);
        assert_eq!(periods_between(date(2026, 1, 1), date(2030, 1, 1), BillingCycle::Days(1), d5, 10), 10);
    }
}

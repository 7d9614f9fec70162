//! Prepaid payments: a number of months paid at once, without invoices,
//! and what they do to a service's due date.

use super::calendar::{BillingDay, add_months};
use jiff::civil::Date;

/// The most months one payment may cover (three years).
pub const MAX_MONTHS: u8 = 36;

/// The due date after paying `months` months.
///
/// The date moves forward from the current due date, as the seeds do, even
/// when the service is long overdue: a payment pays the oldest unpaid month
/// first, so a customer cut off since March who pays one month in June is
/// paid through April and stays off. That keeps the books honest (nothing
/// owed is forgiven by accident); to restart a lapsed customer, record as
/// many months as they owe, or set the due date explicitly
/// (`headend service set-due`). A service without a due date is due from
/// `today`.
///
/// Months are calendar months landing on the service's billing `day`
/// (see [`super::calendar`]): a day that does not exist in the target
/// month is its last day (31 January + 1 month = 28 or 29 February), and
/// the next payment goes back to the 31st. Without a billing day, the due
/// date's own day is the anchor.
///
/// `months` is at least 1 (0 is treated as 1) and at most [`MAX_MONTHS`]
/// (more is treated as [`MAX_MONTHS`]); the far end of the calendar
/// (9999-12-31) is the latest date it returns.
pub fn advance_due(current: Option<Date>, today: Date, months: u8, day: Option<BillingDay>) -> Date {
    let from = current.unwrap_or(today);
    let months = months.clamp(1, MAX_MONTHS);
    add_months(from, i32::from(months), day.unwrap_or_else(|| BillingDay::of(from)))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn moves_from_the_current_due_date() {
        let today = date(2026, 11, 25);
        assert_eq!(advance_due(Some(date(2026, 12, 5)), today, 1, None), date(2027, 1, 5));
        assert_eq!(advance_due(Some(date(2026, 12, 5)), today, 12, None), date(2027, 12, 5));
        // Overdue: arrears first.
        assert_eq!(advance_due(Some(date(2026, 3, 10)), today, 1, None), date(2026, 4, 10));
    }

    #[test]
    fn no_due_date_counts_from_today() {
        assert_eq!(advance_due(None, date(2026, 11, 25), 1, None), date(2026, 12, 25));
        assert_eq!(advance_due(None, date(2026, 11, 25), 3, None), date(2027, 2, 25));
    }

    #[test]
    fn clamps_to_the_end_of_shorter_months_then_returns_to_the_billing_day() {
        let today = date(2026, 1, 1);
        let d31 = BillingDay::new(31).unwrap();
        assert_eq!(advance_due(Some(date(2027, 2, 28)), today, 1, Some(d31)), date(2027, 3, 31));
        assert_eq!(advance_due(Some(date(2027, 1, 31)), today, 2, Some(d31)), date(2027, 3, 31));
        assert_eq!(advance_due(Some(date(2026, 1, 31)), today, 1, None), date(2026, 2, 28));
        assert_eq!(advance_due(Some(date(2027, 1, 31)), today, 1, None), date(2027, 2, 28));
        assert_eq!(advance_due(Some(date(2028, 1, 31)), today, 1, None), date(2028, 2, 29));
        assert_eq!(advance_due(Some(date(2026, 3, 31)), today, 1, None), date(2026, 4, 30));
        assert_eq!(advance_due(Some(date(2026, 8, 31)), today, 6, None), date(2027, 2, 28));
        assert_eq!(advance_due(Some(date(2026, 12, 31)), today, 2, None), date(2027, 2, 28));
    }

    #[test]
    fn months_are_bounded_and_dates_saturate() {
        let today = date(2026, 1, 15);
        assert_eq!(advance_due(None, today, 0, None), date(2026, 2, 15));
        assert_eq!(advance_due(None, today, 200, None), date(2029, 1, 15));
        assert_eq!(advance_due(Some(date(9999, 12, 1)), today, 1, None), Date::MAX);
    }
}

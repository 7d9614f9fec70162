//! Payments and what they do to a service's due date.

use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::activity::Actor;
use crate::ids::ServiceId;

/// The most months one payment may cover (three years).
pub const MAX_MONTHS: u8 = 36;

/// A recorded payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    pub service: ServiceId,
    pub amount: Decimal,
    pub months: u8,
    pub paid_at: Timestamp,
    /// Who recorded it.
    pub actor: Actor,
    /// The due date before the payment (`None`: the service had none).
    pub previous_due: Option<Date>,
    pub new_due: Date,
}

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
/// Months are calendar months; a day that does not exist in the target
/// month is clamped to its last day (31 January + 1 month = 28 or 29
/// February). The clamp sticks: the next payment continues from the 28th.
///
/// `months` is at least 1 (0 is treated as 1) and at most [`MAX_MONTHS`]
/// (more is treated as [`MAX_MONTHS`]); the far end of the calendar
/// (9999-12-31) is the latest date it returns.
pub fn advance_due(current: Option<Date>, today: Date, months: u8) -> Date {
    let from = current.unwrap_or(today);
    let months = months.clamp(1, MAX_MONTHS);
    from.checked_add(i32::from(months).months()).unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn moves_from_the_current_due_date() {
        let today = date(2026, 11, 25);
        assert_eq!(advance_due(Some(date(2026, 12, 5)), today, 1), date(2027, 1, 5));
        assert_eq!(advance_due(Some(date(2026, 12, 5)), today, 12), date(2027, 12, 5));
        // Overdue: arrears first.
        assert_eq!(advance_due(Some(date(2026, 3, 10)), today, 1), date(2026, 4, 10));
    }

    #[test]
    fn no_due_date_counts_from_today() {
        assert_eq!(advance_due(None, date(2026, 11, 25), 1), date(2026, 12, 25));
        assert_eq!(advance_due(None, date(2026, 11, 25), 3), date(2027, 2, 25));
    }

    #[test]
    fn clamps_to_the_end_of_shorter_months() {
        let today = date(2026, 1, 1);
        assert_eq!(advance_due(Some(date(2026, 1, 31)), today, 1), date(2026, 2, 28));
        assert_eq!(advance_due(Some(date(2027, 1, 31)), today, 1), date(2027, 2, 28));
        assert_eq!(advance_due(Some(date(2028, 1, 31)), today, 1), date(2028, 2, 29));
        assert_eq!(advance_due(Some(date(2026, 3, 31)), today, 1), date(2026, 4, 30));
        assert_eq!(advance_due(Some(date(2026, 8, 31)), today, 6), date(2027, 2, 28));
        assert_eq!(advance_due(Some(date(2026, 12, 31)), today, 2), date(2027, 2, 28));
    }

    #[test]
    fn months_are_bounded_and_dates_saturate() {
        let today = date(2026, 1, 15);
        assert_eq!(advance_due(None, today, 0), date(2026, 2, 15));
        assert_eq!(advance_due(None, today, 200), date(2029, 1, 15));
        assert_eq!(advance_due(Some(date(9999, 12, 1)), today, 1), Date::MAX);
    }
}

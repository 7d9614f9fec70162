//! Which period a service is invoiced for next, and what paying it does.
//!
//! The rules, each chosen to match what an ISP's customers expect:
//! - A period is invoiced once: the next one starts where the last
//!   invoiced one ended, or where the service is paid through if a prepaid
//!   payment (`--months`) went further.
//! - **First invoice**: from the activation date (which becomes the
//!   billing day), or, with [`FirstInvoice::ProrateTo`], from activation to
//!   the ISP's billing day, prorated by days.
//! - **Reactivation**: a period that ended before today was never used
//!   (the service was off for it: nobody paid for it), so it is not billed;
//!   the next invoice starts today, and today becomes the billing day. A
//!   customer back after months away gets one invoice, not a burst.
//! - **Cut off for non-payment** (status suspended, or the grace ended):
//!   the debt stays, but at most `invoices_while_suspended` more periods
//!   are invoiced beyond the first unpaid one.
//! - **Paused on request** (status inactive): nothing is invoiced; on
//!   resume, the paid-through and invoiced-through dates move by the days
//!   paused ([`resume_after_pause`]).
//! - **In arrears** (postpaid), a period is invoiced when it ends; if
//!   several ended since the last invoice, only the latest is billed.
//! - Day-cycle plans are invoiced at most one period ahead: the lead time
//!   is shortened to less than the cycle, so a `1d` package is invoiced on
//!   its day.

use jiff::ToSpan;
use jiff::civil::Date;

use super::calendar::{BillingDay, Period, add_months, periods_between};
use super::settings::{BillingSettings, FirstInvoice, InvoiceTiming};
use crate::ids::{CustomerId, ServiceId};
use crate::plan::BillingCycle;
use crate::service::ServiceStatus;

/// How far the in-arrears catch-up walks (a daily plan off for 30 years).
const MAX_SKIPPED_PERIODS: u32 = 11_000;

/// What the invoice run knows of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillingState {
    pub service: ServiceId,
    pub customer: CustomerId,
    pub status: ServiceStatus,
    /// Its grace has ended (`IspPolicy::standing`): it is off its router
    /// for not paying.
    pub cut_off: bool,
    pub cycle: BillingCycle,
    pub billing_day: Option<BillingDay>,
    /// `next_billing_date`: the first day not paid for.
    pub paid_through: Option<Date>,
    /// The end of the last invoiced period.
    pub invoiced_through: Option<Date>,
    /// The day it was activated (its first period starts there).
    pub activated_on: Date,
}

/// A period to invoice now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuePeriod {
    pub period: Period,
    /// The whole period `period` is part of, when it is prorated (a first
    /// invoice to the billing day); `None` when it is whole.
    pub prorated_of: Option<Period>,
    /// The billing day from now on.
    pub billing_day: BillingDay,
    /// When the invoice is due.
    pub due_on: Date,
}

/// The period `state` is to be invoiced for on `today`, if any.
pub fn next_period(state: &BillingState, settings: &BillingSettings, today: Date) -> Option<DuePeriod> {
    if !matches!(state.status, ServiceStatus::Active | ServiceStatus::Suspended) {
        return None;
    }
    // In advance, a prepaid payment may have gone past the invoices; in
    // arrears the paid-through date runs a period ahead of them.
    let resumed = match (settings.timing, state.invoiced_through, state.paid_through) {
        (InvoiceTiming::InArrears, invoiced, _) => invoiced,
        (InvoiceTiming::InAdvance, Some(a), Some(b)) => Some(a.max(b)),
        (InvoiceTiming::InAdvance, a, b) => a.or(b),
    };
    let (mut period, mut prorated_of, mut day) = match resumed {
        Some(start) => {
            let day = state.billing_day.unwrap_or_else(|| BillingDay::of(start));
            (Period::starting(start, state.cycle, day), None, day)
        }
        None => first_period(state, settings.first_invoice),
    };

    if state.status == ServiceStatus::Suspended || state.cut_off {
        let unpaid_from = state.paid_through.unwrap_or(period.from);
        let unpaid = periods_between(unpaid_from, period.from, state.cycle, day, u32::MAX);
        if unpaid > u32::from(settings.invoices_while_suspended) {
            return None;
        }
    }

    let lead = match state.cycle {
        BillingCycle::Days(n) => settings.lead_days.min(n - 1),
        _ => settings.lead_days,
    };
    match settings.timing {
        InvoiceTiming::InAdvance => {
            if period.until <= today {
                // Reactivation: nothing of that period was used.
                day = BillingDay::of(today);
                period = Period::starting(today, state.cycle, day);
                prorated_of = None;
            }
            let issue_from = period.from.checked_sub(i32::from(lead).days()).unwrap_or(Date::MIN);
            let due_on = period.from.max(today);
            (issue_from <= today).then_some(DuePeriod { period, prorated_of, billing_day: day, due_on })
        }
        InvoiceTiming::InArrears => {
            if period.until > today {
                return None;
            }
            // Periods more than one behind were off (cut off or never
            // reconnected): only the latest period that ended is billed.
            for _ in 0..MAX_SKIPPED_PERIODS {
                let next = Period::starting(period.until, state.cycle, day);
                if next.until > today || next.until <= next.from {
                    break;
                }
                period = next;
                prorated_of = None;
            }
            let due_on = today.checked_add(i32::from(settings.payment_terms_days).days()).unwrap_or(Date::MAX);
            Some(DuePeriod { period, prorated_of, billing_day: day, due_on })
        }
    }
}

fn first_period(state: &BillingState, rule: FirstInvoice) -> (Period, Option<Period>, BillingDay) {
    let start = state.activated_on;
    match rule {
        FirstInvoice::ProrateTo(day)
            if !matches!(state.cycle, BillingCycle::Days(_)) && day != BillingDay::of(start) =>
        {
            // The billing day on or after activation ends the first period.
            let this_month = day.in_month_of(start);
            let until = if this_month > start { this_month } else { add_months(start, 1, day) };
            let whole_from = add_months(until, -1, day);
            let whole = Period::starting(whole_from, BillingCycle::Monthly, day);
            let part = Period { from: start, until };
            (part, Some(whole), day)
        }
        _ => {
            let day = BillingDay::of(start);
            (Period::starting(start, state.cycle, day), None, day)
        }
    }
}

/// The service's paid-through date once the invoice for `period` is fully
/// paid: the period's end (in advance), or the end of the period after it
/// (in arrears, where the invoice comes after its period). Never earlier
/// than `current`.
pub fn paid_through_after(
    current: Option<Date>,
    period: Period,
    timing: InvoiceTiming,
    cycle: BillingCycle,
    day: BillingDay,
) -> Date {
    let covered = match timing {
        InvoiceTiming::InAdvance => period.until,
        InvoiceTiming::InArrears => Period::starting(period.until, cycle, day).until,
    };
    current.map_or(covered, |c| c.max(covered))
}

/// A partial payment's "promise to pay": the paid-through date that keeps
/// the service on `promise_days` from `today`, never past the end of the
/// period being paid and never earlier than `current`. `None`: no promise
/// (0 days).
pub fn promise_until(current: Option<Date>, today: Date, promise_days: u16, period_end: Date) -> Option<Date> {
    if promise_days == 0 {
        return None;
    }
    let promised = today.checked_add(i32::from(promise_days).days()).unwrap_or(Date::MAX).min(period_end);
    Some(current.map_or(promised, |c| c.max(promised)))
}

/// Paid-through and invoiced-through after a pause from `paused_on` to
/// `today`: both move by the days paused, so the customer does not pay for
/// days they asked to be off.
pub fn resume_after_pause(
    paid_through: Option<Date>,
    invoiced_through: Option<Date>,
    paused_on: Date,
    today: Date,
) -> (Option<Date>, Option<Date>) {
    let days = (today - paused_on).get_days().max(0);
    let shift = |d: Date| d.checked_add(days.days()).unwrap_or(Date::MAX);
    (paid_through.map(shift), invoiced_through.map(shift))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn state(status: ServiceStatus, paid: Option<Date>, invoiced: Option<Date>) -> BillingState {
        BillingState {
            service: ServiceId(1),
            customer: CustomerId(1),
            status,
            cut_off: false,
            cycle: BillingCycle::Monthly,
            billing_day: None,
            paid_through: paid,
            invoiced_through: invoiced,
            activated_on: date(2026, 11, 10),
        }
    }

    /// Runs the invoice run daily from `from` to `to` (inclusive), applying
    /// each issued period to the state as the store does; returns the
    /// periods issued with their issue day.
    fn run_daily(mut s: BillingState, settings: &BillingSettings, from: Date, to: Date) -> Vec<(Date, Period)> {
        let mut issued = vec![];
        let mut today = from;
        while today <= to {
            while let Some(due) = next_period(&s, settings, today) {
                issued.push((today, due.period));
                s.invoiced_through = Some(due.period.until);
                s.billing_day = Some(due.billing_day);
            }
            today = today.tomorrow().unwrap();
        }
        issued
    }

    #[test]
    fn a_service_due_on_the_31st_is_invoiced_for_periods_anchored_on_the_31st() {
        let mut s = state(ServiceStatus::Active, Some(date(2027, 1, 31)), None);
        s.billing_day = Some(BillingDay::new(31).unwrap());
        let settings = BillingSettings::default();
        let issued = run_daily(s, &settings, date(2027, 1, 20), date(2027, 5, 1));
        let starts: Vec<_> = issued.iter().map(|(_, p)| p.from).collect();
        assert_eq!(starts, [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]);
        // Each issued once, 7 days ahead.
        assert_eq!(issued[1].0, date(2027, 2, 21));
        assert_eq!(issued[2].1.until, date(2027, 4, 30));
    }

    #[test]
    fn running_again_the_same_day_issues_nothing_new() {
        let s = state(ServiceStatus::Active, Some(date(2026, 12, 10)), None);
        let settings = BillingSettings::default();
        let due = next_period(&s, &settings, date(2026, 12, 3)).unwrap();
        assert_eq!(due.period, Period { from: date(2026, 12, 10), until: date(2027, 1, 10) });
        assert_eq!(due.due_on, date(2026, 12, 10));
        let after = BillingState { invoiced_through: Some(due.period.until), ..s };
        assert_eq!(next_period(&after, &settings, date(2026, 12, 3)), None);
        // Outside the lead time: nothing yet.
        assert_eq!(next_period(&s, &settings, date(2026, 12, 2)), None);
    }

    #[test]
    fn a_new_customer_is_invoiced_from_activation_or_prorated_to_the_billing_day() {
        let s = state(ServiceStatus::Active, None, None);
        let settings = BillingSettings::default();
        let due = next_period(&s, &settings, date(2026, 11, 10)).unwrap();
        assert_eq!(due.period, Period { from: date(2026, 11, 10), until: date(2026, 12, 10) });
        assert_eq!(due.prorated_of, None);
        assert_eq!(due.billing_day.get(), 10);

        let prorate =
            BillingSettings { first_invoice: FirstInvoice::ProrateTo(BillingDay::new(1).unwrap()), ..settings.clone() };
        let due = next_period(&s, &prorate, date(2026, 11, 10)).unwrap();
        assert_eq!(due.period, Period { from: date(2026, 11, 10), until: date(2026, 12, 1) });
        assert_eq!(due.prorated_of, Some(Period { from: date(2026, 11, 1), until: date(2026, 12, 1) }));
        assert_eq!(due.billing_day.get(), 1);
        // Activated on the billing day itself: a whole period.
        let on_day = BillingState { activated_on: date(2026, 11, 1), ..s };
        assert_eq!(next_period(&on_day, &prorate, date(2026, 11, 1)).unwrap().prorated_of, None);
        // Billing day later in the month: until that day this month.
        let day25 =
            BillingSettings { first_invoice: FirstInvoice::ProrateTo(BillingDay::new(25).unwrap()), ..settings };
        let due = next_period(&s, &day25, date(2026, 11, 10)).unwrap();
        assert_eq!(due.period.until, date(2026, 11, 25));
        assert_eq!(due.prorated_of.unwrap().days(), 31);
        // Prepaid day packages are never prorated.
        let week = BillingState { cycle: BillingCycle::Days(7), ..s };
        assert_eq!(next_period(&week, &prorate, date(2026, 11, 10)).unwrap().period.days(), 7);
    }

    #[test]
    fn pending_paused_and_terminated_services_are_not_invoiced() {
        let settings = BillingSettings::default();
        for status in [ServiceStatus::Pending, ServiceStatus::Inactive, ServiceStatus::Terminated] {
            let s = state(status, Some(date(2026, 12, 10)), None);
            assert_eq!(next_period(&s, &settings, date(2026, 12, 9)), None, "{status}");
        }
    }

    #[test]
    fn a_cut_off_service_gets_at_most_n_more_invoices() {
        // Paid through 5 Jan; invoiced through 5 Feb (one unpaid period).
        let mut s = state(ServiceStatus::Active, Some(date(2027, 1, 5)), Some(date(2027, 2, 5)));
        s.cut_off = true;
        let settings = BillingSettings::default(); // one more while suspended
        let issued = run_daily(s, &settings, date(2027, 1, 20), date(2027, 6, 1));
        assert_eq!(issued.iter().map(|(_, p)| p.from).collect::<Vec<_>>(), [date(2027, 2, 5)]);
        let none = BillingSettings { invoices_while_suspended: 0, ..BillingSettings::default() };
        assert!(run_daily(s, &none, date(2027, 1, 20), date(2027, 6, 1)).is_empty());
        let suspended = BillingState { status: ServiceStatus::Suspended, cut_off: false, ..s };
        assert_eq!(run_daily(suspended, &settings, date(2027, 1, 20), date(2027, 6, 1)).len(), 1);
    }

    #[test]
    fn reactivation_after_months_away_issues_one_invoice_from_today() {
        // Paid and invoiced through 5 April; back (paid its debt) in August.
        let s = state(ServiceStatus::Active, Some(date(2026, 4, 5)), Some(date(2026, 4, 5)));
        let settings = BillingSettings::default();
        let issued = run_daily(s, &settings, date(2026, 8, 17), date(2026, 8, 17));
        assert_eq!(issued, [(date(2026, 8, 17), Period { from: date(2026, 8, 17), until: date(2026, 9, 17) })]);
    }

    #[test]
    fn a_prepaid_payment_beyond_the_invoices_moves_the_next_period() {
        let s = state(ServiceStatus::Active, Some(date(2027, 3, 10)), Some(date(2027, 1, 10)));
        let due = next_period(&s, &BillingSettings::default(), date(2027, 3, 3)).unwrap();
        assert_eq!(due.period.from, date(2027, 3, 10));
    }

    #[test]
    fn day_packages_are_invoiced_one_period_at_a_time() {
        let mut s = state(ServiceStatus::Active, Some(date(2026, 12, 6)), None);
        s.cycle = BillingCycle::Days(1);
        let settings = BillingSettings::default();
        let issued = run_daily(s, &settings, date(2026, 12, 6), date(2026, 12, 8));
        assert_eq!(
            issued.iter().map(|(d, p)| (*d, p.from)).collect::<Vec<_>>(),
            [
                (date(2026, 12, 6), date(2026, 12, 6)),
                (date(2026, 12, 7), date(2026, 12, 7)),
                (date(2026, 12, 8), date(2026, 12, 8))
            ]
        );
        s.cycle = BillingCycle::Days(7);
        let issued = run_daily(s, &settings, date(2026, 12, 1), date(2026, 12, 14));
        assert_eq!(
            issued.iter().map(|(d, p)| (*d, p.from)).collect::<Vec<_>>(),
            [
                (date(2026, 12, 1), date(2026, 12, 6)),
                (date(2026, 12, 7), date(2026, 12, 13)),
                (date(2026, 12, 14), date(2026, 12, 20))
            ]
        );
    }

    #[test]
    fn in_arrears_a_period_is_invoiced_when_it_ends_and_only_the_latest_after_a_gap() {
        let settings = BillingSettings { timing: InvoiceTiming::InArrears, ..BillingSettings::default() };
        let s = state(ServiceStatus::Active, Some(date(2026, 12, 10)), Some(date(2026, 11, 10)));
        assert_eq!(next_period(&s, &settings, date(2026, 12, 9)), None);
        let due = next_period(&s, &settings, date(2026, 12, 10)).unwrap();
        assert_eq!(due.period, Period { from: date(2026, 11, 10), until: date(2026, 12, 10) });
        assert_eq!(due.due_on, date(2026, 12, 24));
        let behind = next_period(&s, &settings, date(2027, 3, 15)).unwrap();
        assert_eq!(behind.period, Period { from: date(2027, 2, 10), until: date(2027, 3, 10) });
    }

    #[test]
    fn paying_moves_the_paid_through_date_to_the_period_end() {
        let p = Period { from: date(2027, 1, 31), until: date(2027, 2, 28) };
        let d31 = BillingDay::new(31).unwrap();
        let c = BillingCycle::Monthly;
        assert_eq!(paid_through_after(Some(date(2027, 1, 31)), p, InvoiceTiming::InAdvance, c, d31), date(2027, 2, 28));
        assert_eq!(paid_through_after(Some(date(2027, 3, 31)), p, InvoiceTiming::InAdvance, c, d31), date(2027, 3, 31));
        assert_eq!(paid_through_after(None, p, InvoiceTiming::InArrears, c, d31), date(2027, 3, 31));
    }

    #[test]
    fn a_promise_to_pay_lasts_n_days_within_the_period() {
        let today = date(2027, 1, 10);
        assert_eq!(promise_until(Some(date(2027, 1, 5)), today, 0, date(2027, 2, 5)), None);
        assert_eq!(promise_until(Some(date(2027, 1, 5)), today, 5, date(2027, 2, 5)), Some(date(2027, 1, 15)));
        assert_eq!(promise_until(Some(date(2027, 1, 5)), today, 60, date(2027, 2, 5)), Some(date(2027, 2, 5)));
        assert_eq!(promise_until(Some(date(2027, 1, 20)), today, 5, date(2027, 2, 5)), Some(date(2027, 1, 20)));
    }

    #[test]
    fn a_pause_moves_the_dates_by_the_days_paused() {
        let (paid, invoiced) =
            resume_after_pause(Some(date(2027, 1, 31)), Some(date(2027, 1, 31)), date(2027, 1, 10), date(2027, 2, 9));
        assert_eq!(paid, Some(date(2027, 3, 2)));
        assert_eq!(invoiced, Some(date(2027, 3, 2)));
        assert_eq!(resume_after_pause(None, None, date(2027, 1, 10), date(2027, 1, 10)), (None, None));
    }
}

//! Invoices and credit notes: their lines, totals and status.
//!
//! An invoice is built from draft lines (a price each, as the ISP enters
//! prices: before tax when tax is exclusive, after when inclusive). Each line
//! is split and rounded on its own ([`super::tax::split`]); the invoice's
//! net, tax and gross are the sums of its lines, so the printed columns
//! always add up.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::calendar::Period;
use super::money::Currency;
use super::tax::{Amounts, TaxMode, TaxRate, split};
use crate::ids::ServiceId;

/// An invoice, or a credit note (its own number series) that takes money
/// off one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit-note",
        }
    }
}

impl FromStr for DocumentKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [DocumentKind::Invoice, DocumentKind::CreditNote]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownName { what: "document kind", name: s.to_owned() })
    }
}

/// What a line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// A service's plan for one billing period.
    Service,
    /// A plan change mid-period: the unused part of the old plan (negative)
    /// or the rest of the period on the new one.
    Proration,
    /// A one-off charge: installation, equipment sold, a manual charge.
    Charge,
    /// A discount or coupon (negative).
    Discount,
    /// A credit note's line (positive: the amount credited).
    Credit,
}

impl LineKind {
    pub const ALL: [LineKind; 5] =
        [LineKind::Service, LineKind::Proration, LineKind::Charge, LineKind::Discount, LineKind::Credit];

    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Service => "service",
            LineKind::Proration => "proration",
            LineKind::Charge => "charge",
            LineKind::Discount => "discount",
            LineKind::Credit => "credit",
        }
    }
}

impl FromStr for LineKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LineKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownName { what: "line kind", name: s.to_owned() })
    }
}

/// A name a billing enum does not know (from the database: corruption).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {name:?}")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
}

/// A line before tax is split: what the ISP's price list says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub kind: LineKind,
    pub service: Option<ServiceId>,
    pub description: String,
    pub period: Option<Period>,
    /// Net when tax is exclusive, gross when inclusive; negative for a
    /// discount or the credit of a plan change. Not yet rounded.
    pub price: Decimal,
    pub tax_rate: TaxRate,
}

/// A priced line, as it is stored and printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub service: Option<ServiceId>,
    pub description: String,
    pub period: Option<Period>,
    pub tax_rate: TaxRate,
    pub amounts: Amounts,
}

/// Prices every line and sums them.
pub fn price_lines(drafts: Vec<DraftLine>, mode: TaxMode, currency: &Currency) -> (Vec<Line>, Amounts) {
    let mut total = Amounts { net: currency.round(Decimal::ZERO), ..Default::default() };
    total.tax = total.net;
    total.gross = total.net;
    let lines: Vec<Line> = drafts
        .into_iter()
        .map(|d| {
            let amounts = split(d.price, d.tax_rate, mode, currency);
            total = total + amounts;
            Line {
                kind: d.kind,
                service: d.service,
                description: d.description,
                period: d.period,
                tax_rate: d.tax_rate,
                amounts,
            }
        })
        .collect();
    (lines, total)
}

/// `price` for `part` of `whole`, by days (not yet rounded): a plan change
/// on the 10th of a 30-day period that ends on the 1st leaves 21 of 30 days.
pub fn prorate(price: Decimal, part: Period, whole: Period) -> Decimal {
    let whole_days = whole.days();
    if whole_days <= 0 {
        return Decimal::ZERO;
    }
    let part_days = part.days().clamp(0, whole_days);
    price * Decimal::from(part_days) / Decimal::from(whole_days)
}

/// The two lines of a plan change on `on` within `period`: the unused days
/// of the old plan credited (negative), the same days of the new plan
/// charged. Days are counted from `on` (included) to the period's end; a
/// change outside the period gives no lines.
pub fn plan_change_lines(
    service: ServiceId,
    period: Period,
    on: Date,
    old: (&str, Decimal, TaxRate),
    new: (&str, Decimal, TaxRate),
) -> Vec<DraftLine> {
    if !period.contains(on) {
        return Vec::new();
    }
    let rest = Period { from: on, until: period.until };
    let line = |name: &str, price: Decimal, rate: TaxRate, sign: Decimal, what: &str| DraftLine {
        kind: LineKind::Proration,
        service: Some(service),
        description: format!("{name}: {what} {} of {} days", rest.days(), period.days()),
        period: Some(rest),
        price: sign * prorate(price, rest, period),
        tax_rate: rate,
    };
    vec![
        line(old.0, old.1, old.2, Decimal::NEGATIVE_ONE, "unused"),
        line(new.0, new.1, new.2, Decimal::ONE, "remaining"),
    ]
}

/// A discount on a service's line: a coupon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// This much off the line's price.
    Amount(Decimal),
    /// This percentage (0 to 100) off the line's price.
    Percent(Decimal),
}

impl Discount {
    /// The discount line for `line` (negative, never more than the line).
    pub fn line_for(self, line: &DraftLine, description: &str) -> DraftLine {
        let off = match self {
            Discount::Amount(a) => a,
            Discount::Percent(p) => line.price * p / Decimal::ONE_HUNDRED,
        };
        let off = off.clamp(Decimal::ZERO, line.price.max(Decimal::ZERO));
        DraftLine {
            kind: LineKind::Discount,
            service: line.service,
            description: description.to_owned(),
            period: line.period,
            price: -off,
            tax_rate: line.tax_rate,
        }
    }
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Money is due and its due date has not passed.
    Open,
    /// Settled by payments and credits.
    Paid,
    /// Money is due and its due date has passed.
    Overdue,
    /// Cancelled: it keeps its number and shows VOID.
    Void,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 4] =
        [InvoiceStatus::Open, InvoiceStatus::Paid, InvoiceStatus::Overdue, InvoiceStatus::Void];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Void => "void",
        }
    }

    /// An invoice's status on `today`: `settled` is what payments and
    /// credit notes have put on it.
    pub fn of(gross: Decimal, settled: Decimal, due: Date, void: bool, today: Date) -> Self {
        if void {
            InvoiceStatus::Void
        } else if settled >= gross {
            InvoiceStatus::Paid
        } else if due < today {
            InvoiceStatus::Overdue
        } else {
            InvoiceStatus::Open
        }
    }
}

impl fmt::Display for InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown invoice status {0:?}: use open, paid, overdue or void")]
pub struct UnknownInvoiceStatus(pub String);

impl FromStr for InvoiceStatus {
    type Err = UnknownInvoiceStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InvoiceStatus::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| UnknownInvoiceStatus(s.to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::billing::calendar::BillingDay;
    use crate::plan::BillingCycle;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn draft(price: &str, rate: &str) -> DraftLine {
        DraftLine {
            kind: LineKind::Service,
            service: Some(ServiceId(1)),
            description: "Fiber 50".into(),
            period: None,
            price: d(price),
            tax_rate: rate.parse().unwrap(),
        }
    }

    #[test]
    fn totals_are_sums_of_rounded_lines() {
        let usd = Currency::new("USD").unwrap();
        // Three lines of 0.125 tax each: rounded per line to 0.13, so the
        // total tax is 0.39 (not round(0.375) = 0.38).
        let drafts = vec![draft("1.25", "10"), draft("1.25", "10"), draft("1.25", "10")];
        let (lines, total) = price_lines(drafts, TaxMode::Exclusive, &usd);
        assert!(lines.iter().all(|l| l.amounts.tax == d("0.13")));
        assert_eq!((total.net, total.tax, total.gross), (d("3.75"), d("0.39"), d("4.14")));
        let (_, empty) = price_lines(vec![], TaxMode::Inclusive, &usd);
        assert_eq!(empty.gross.to_string(), "0.00");
    }

    #[test]
    fn mixed_rates_inclusive() {
        let usd = Currency::new("USD").unwrap();
        let (lines, total) = price_lines(
            vec![draft("30.00", "16"), draft("100.00", "0"), draft("-5.00", "16")],
            TaxMode::Inclusive,
            &usd,
        );
        assert_eq!(lines[0].amounts.tax, d("4.14"));
        assert_eq!(lines[2].amounts.tax, d("-0.69"));
        assert_eq!((total.net, total.tax, total.gross), (d("121.55"), d("3.45"), d("125.00")));
    }

    #[test]
    fn proration_by_days_over_months_of_28_to_31_days_and_leap_years() {
        let monthly = |from| Period::starting(from, BillingCycle::Monthly, BillingDay::of(from));
        // (period start, change day, days used of the new plan, period days)
        for (from, on, rest, days) in [
            (date(2027, 2, 1), date(2027, 2, 15), 14, 28),
            (date(2028, 2, 1), date(2028, 2, 15), 15, 29),
            (date(2026, 4, 1), date(2026, 4, 16), 15, 30),
            (date(2026, 12, 1), date(2026, 12, 17), 15, 31),
            (date(2026, 12, 1), date(2026, 12, 1), 31, 31),
            (date(2026, 12, 1), date(2026, 12, 31), 1, 31),
        ] {
            let period = monthly(from);
            assert_eq!(period.days(), days);
            let lines = plan_change_lines(
                ServiceId(7),
                period,
                on,
                ("Fiber 20", d("31.00"), TaxRate::ZERO),
                ("Fiber 50", d("62.00"), TaxRate::ZERO),
            );
            let expected_old = -d("31.00") * Decimal::from(rest) / Decimal::from(days);
            assert_eq!(lines[0].price, expected_old, "{from} {on}");
            assert_eq!(lines[1].price, -expected_old * Decimal::TWO, "{from} {on}");
            assert_eq!(lines[1].period, Some(Period { from: on, until: period.until }));
        }
        // A change outside the period is not prorated.
        let period = monthly(date(2026, 12, 1));
        assert!(
            plan_change_lines(
                ServiceId(7),
                period,
                date(2027, 1, 1),
                ("a", d("1"), TaxRate::ZERO),
                ("b", d("2"), TaxRate::ZERO)
            )
            .is_empty()
        );
    }

    #[test]
    fn a_prorated_31_day_month_rounds_once_per_line() {
        let usd = Currency::new("USD").unwrap();
        let period = Period { from: date(2026, 12, 1), until: date(2027, 1, 1) };
        let lines = plan_change_lines(
            ServiceId(7),
            period,
            date(2026, 12, 11),
            ("Fiber 20", d("25.00"), "16".parse().unwrap()),
            ("Fiber 50", d("40.00"), "16".parse().unwrap()),
        );
        let (priced, total) = price_lines(lines, TaxMode::Exclusive, &usd);
        // 21 of 31 days: −16.935… → −16.94; 27.096… → 27.10.
        assert_eq!(priced[0].amounts.net, d("-16.94"));
        assert_eq!(priced[1].amounts.net, d("27.10"));
        assert_eq!(total.net, d("10.16"));
        assert_eq!(total.net + total.tax, total.gross);
    }

    #[test]
    fn coupons_take_an_amount_or_a_percentage_never_more_than_the_line() {
        let line = draft("40.00", "16");
        assert_eq!(Discount::Percent(d("25")).line_for(&line, "Welcome").price, d("-10.00"));
        assert_eq!(Discount::Amount(d("5")).line_for(&line, "Loyalty").price, d("-5"));
        assert_eq!(Discount::Amount(d("50")).line_for(&line, "Too much").price, d("-40.00"));
        assert_eq!(Discount::Percent(d("10")).line_for(&line, "x").kind, LineKind::Discount);
    }

    #[test]
    fn status_follows_settlement_due_date_and_void() {
        let due = date(2026, 12, 5);
        assert_eq!(InvoiceStatus::of(d("10"), d("0"), due, false, date(2026, 12, 5)), InvoiceStatus::Open);
        assert_eq!(InvoiceStatus::of(d("10"), d("4"), due, false, date(2026, 12, 6)), InvoiceStatus::Overdue);
        assert_eq!(InvoiceStatus::of(d("10"), d("10"), due, false, date(2027, 1, 1)), InvoiceStatus::Paid);
        assert_eq!(InvoiceStatus::of(d("10"), d("10"), due, true, date(2027, 1, 1)), InvoiceStatus::Void);
        for s in InvoiceStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
    }
}

//! Arbitrary text as what an operator types for billing (an amount, a
//! currency, a tax rate, a billing cycle, a first-invoice rule, a plan's
//! session timeout and address pool): each is
//! accepted or refused with an error, never a panic; an accepted amount
//! has the currency's decimals and is not negative, and what is accepted
//! is priced, rounded and allocated without a panic either.

#![no_main]

use headend_core::billing::calendar::{BillingDay, Period};
use headend_core::billing::invoice::{Discount, DraftLine, LineKind, price_lines};
use headend_core::billing::ledger::{OpenInvoice, allocate};
use headend_core::billing::money::Currency;
use headend_core::billing::settings::FirstInvoice;
use headend_core::billing::tax::{TaxMode, TaxRate};
use headend_core::plan::{BillingCycle, PoolName, Timeout};
use headend_core::{InvoiceId, ServiceId};
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('|');
    let (amount, code, rate, cycle, rule) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let currency = Currency::new(code).unwrap_or_else(|_| Currency::usd());
    let _ = rule.parse::<FirstInvoice>();
    // An accepted timeout prints as what parses back to it.
    if let Ok(timeout) = text.parse::<Timeout>() {
        assert_eq!(timeout.to_string().parse::<Timeout>(), Ok(timeout));
    }
    let _ = text.parse::<PoolName>();
    let Ok(amount) = currency.parse_amount(amount) else { return };
    assert!(!amount.is_sign_negative() && amount.scale() == currency.minor_digits());
    let rate = rate.parse::<TaxRate>().unwrap_or(TaxRate::ZERO);
    let cycle = cycle.parse::<BillingCycle>().unwrap_or(BillingCycle::Monthly);
    let from = date(2028, 1, 31);
    let period = Period::starting(from, cycle, BillingDay::of(from));
    assert!(period.until > period.from);
    let line = DraftLine {
        kind: LineKind::Service,
        service: Some(ServiceId(1)),
        description: String::new(),
        period: Some(period),
        price: amount,
        tax_rate: rate,
    };
    let discount = Discount::Percent(rate.as_percent()).line_for(&line, "");
    for mode in [TaxMode::Exclusive, TaxMode::Inclusive] {
        let (lines, total) = price_lines(vec![line.clone(), discount.clone()], mode, &currency);
        assert_eq!(total.net + total.tax, total.gross);
        assert_eq!(lines.iter().map(|l| l.amounts.gross).sum::<rust_decimal::Decimal>(), total.gross);
    }
    let open = [OpenInvoice { id: InvoiceId(1), issue_date: from, due: amount }];
    let a = allocate(&open, amount);
    assert_eq!(a.parts.iter().map(|p| p.1).sum::<rust_decimal::Decimal>() + a.left, amount);
});

//! A customer's ledger: what they were invoiced, what they paid, what was
//! credited, and how payments settle invoices.
//!
//! The balance is invoices − payments − credit notes (void documents count
//! for nothing): positive means the customer owes. Money received is
//! allocated to the oldest open invoices first (by issue date, then
//! number); what is left over is a credit that the next invoice uses.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::activity::Actor;
use crate::ids::{CustomerId, InvoiceId, PaymentId, ServiceId};

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaymentMethod {
    #[default]
    Cash,
    BankTransfer,
    MobileMoney,
    Card,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::Cash,
        PaymentMethod::BankTransfer,
        PaymentMethod::MobileMoney,
        PaymentMethod::Card,
        PaymentMethod::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::BankTransfer => "bank-transfer",
            PaymentMethod::MobileMoney => "mobile-money",
            PaymentMethod::Card => "card",
            PaymentMethod::Other => "other",
        }
    }

    /// As a receipt prints it.
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::BankTransfer => "Bank transfer",
            PaymentMethod::MobileMoney => "Mobile money",
            PaymentMethod::Card => "Card",
            PaymentMethod::Other => "Other",
        }
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown payment method {0:?}: use cash, bank-transfer, mobile-money, card or other")]
pub struct UnknownPaymentMethod(pub String);

impl FromStr for PaymentMethod {
    type Err = UnknownPaymentMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| UnknownPaymentMethod(s.to_owned()))
    }
}

/// The longest payment reference kept (a bank's or a mobile-money
/// transaction id fits with room to spare).
pub const MAX_REFERENCE_LEN: usize = 120;

/// A recorded payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    /// Its receipt's number (the receipt series).
    pub receipt: String,
    pub customer: CustomerId,
    /// The service it was recorded against (`payment add SERVICE_ID`).
    pub service: ServiceId,
    pub amount: Decimal,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    /// The day the money was received, in the ISP's time zone.
    pub paid_on: Date,
    pub recorded_at: Timestamp,
    /// Who recorded it.
    pub actor: Actor,
    /// Months prepaid without an invoice (`--months`), if it was such a
    /// payment.
    pub months: Option<u8>,
    /// The service's paid-through date before and after the payment.
    pub previous_due: Option<Date>,
    pub new_due: Option<Date>,
}

/// An invoice with money still due, as allocation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenInvoice {
    pub id: InvoiceId,
    pub issue_date: Date,
    /// What is still due on it (gross − settled), positive.
    pub due: Decimal,
}

/// How an amount settles open invoices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allocation {
    /// Invoice and the part of the amount it takes, oldest first.
    pub parts: Vec<(InvoiceId, Decimal)>,
    /// What no invoice took: the customer's credit.
    pub left: Decimal,
}

/// Allocates `amount` to `open` invoices, oldest first (by issue date then
/// id, whatever order they come in), each up to what is due on it.
pub fn allocate(open: &[OpenInvoice], amount: Decimal) -> Allocation {
    let mut open: Vec<&OpenInvoice> = open.iter().filter(|i| i.due > Decimal::ZERO).collect();
    open.sort_by_key(|i| (i.issue_date, i.id));
    let mut left = amount.max(Decimal::ZERO);
    let mut parts = Vec::new();
    for invoice in open {
        if left <= Decimal::ZERO {
            break;
        }
        let take = invoice.due.min(left);
        parts.push((invoice.id, take));
        left -= take;
    }
    Allocation { parts, left }
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementEntry {
    pub date: Date,
    pub kind: EntryKind,
    /// The invoice's, credit note's or receipt's number.
    pub number: String,
    pub description: String,
    /// What the customer owes more: an invoice's gross.
    pub debit: Decimal,
    /// What they owe less: a payment or a credit note.
    pub credit: Decimal,
    /// The balance after this entry.
    pub balance: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    Invoice,
    CreditNote,
    Payment,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Invoice => "invoice",
            EntryKind::CreditNote => "credit-note",
            EntryKind::Payment => "payment",
        }
    }
}

/// Orders `entries` by date (invoices before payments on the same day, so
/// a payment never seems to precede what it pays) and fills in the running
/// balance from `opening`.
pub fn running_balance(mut entries: Vec<StatementEntry>, opening: Decimal) -> Vec<StatementEntry> {
    let rank = |k: EntryKind| match k {
        EntryKind::Invoice => 0,
        EntryKind::CreditNote => 1,
        EntryKind::Payment => 2,
    };
    entries.sort_by(|a, b| (a.date, rank(a.kind), &a.number).cmp(&(b.date, rank(b.kind), &b.number)));
    let mut balance = opening;
    for e in &mut entries {
        balance += e.debit - e.credit;
        e.balance = balance;
    }
    entries
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn open(id: i64, day: i8, due: &str) -> OpenInvoice {
        OpenInvoice { id: InvoiceId(id), issue_date: date(2026, 12, day), due: d(due) }
    }

    #[test]
    fn allocation_pays_the_oldest_invoices_first() {
        let invoices = [open(3, 20, "30.00"), open(1, 1, "25.00"), open(2, 10, "25.00")];
        // (amount, parts, left)
        type Case<'a> = (&'a str, &'a [(i64, &'a str)], &'a str);
        let table: [Case; 6] = [
            ("10.00", &[(1, "10.00")], "0.00"),
            ("25.00", &[(1, "25.00")], "0.00"),
            ("40.00", &[(1, "25.00"), (2, "15.00")], "0.00"),
            ("80.00", &[(1, "25.00"), (2, "25.00"), (3, "30.00")], "0.00"),
            // An overpayment leaves a credit.
            ("100.00", &[(1, "25.00"), (2, "25.00"), (3, "30.00")], "20.00"),
            ("0.00", &[], "0.00"),
        ];
        for (amount, parts, left) in table {
            let a = allocate(&invoices, d(amount));
            let expected: Vec<_> = parts.iter().map(|(id, x)| (InvoiceId(*id), d(x))).collect();
            assert_eq!(a.parts, expected, "{amount}");
            assert_eq!(a.left, d(left), "{amount}");
        }
    }

    #[test]
    fn same_day_invoices_go_by_id_and_settled_ones_are_skipped() {
        let invoices = [open(9, 1, "5.00"), open(4, 1, "5.00"), open(2, 1, "0.00")];
        let a = allocate(&invoices, d("7.00"));
        assert_eq!(a.parts, vec![(InvoiceId(4), d("5.00")), (InvoiceId(9), d("2.00"))]);
        assert_eq!(allocate(&[], d("12.50")).left, d("12.50"));
        assert_eq!(allocate(&invoices, d("-3")).parts, vec![]);
    }

    #[test]
    fn statement_runs_the_balance_in_date_order() {
        let entry = |day, kind, number: &str, debit: &str, credit: &str| StatementEntry {
            date: date(2026, 12, day),
            kind,
            number: number.into(),
            description: String::new(),
            debit: d(debit),
            credit: d(credit),
            balance: Decimal::ZERO,
        };
        let entries = vec![
            entry(5, EntryKind::Payment, "RCT-2026-000001", "0", "30.00"),
            entry(1, EntryKind::Invoice, "INV-2026-000001", "25.00", "0"),
            entry(5, EntryKind::Invoice, "INV-2026-000002", "25.00", "0"),
            entry(6, EntryKind::CreditNote, "CN-2026-000001", "0", "5.00"),
        ];
        let s = running_balance(entries, d("0"));
        let got: Vec<_> = s.iter().map(|e| (e.number.as_str(), e.balance.to_string())).collect();
        assert_eq!(
            got,
            [
                ("INV-2026-000001", "25.00".to_owned()),
                ("INV-2026-000002", "50.00".to_owned()),
                ("RCT-2026-000001", "20.00".to_owned()),
                ("CN-2026-000001", "15.00".to_owned()),
            ]
        );
    }

    #[test]
    fn methods_round_trip() {
        for m in PaymentMethod::ALL {
            assert_eq!(m.as_str().parse(), Ok(m));
        }
        assert!("cheque".parse::<PaymentMethod>().is_err());
    }
}

//! A customer's ledger: balance, credit and statement.

use headend_core::CustomerId;
use headend_core::billing::ledger::{EntryKind, StatementEntry, running_balance};
use headend_core::billing::money::Currency;
use rust_decimal::Decimal;
use sqlx::{Row, SqliteConnection};

use super::{currency, from_minor};
use crate::error::StoreError;
use crate::store::{Store, parse_date};

/// A customer's statement: every document and payment with the running
/// balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub customer: CustomerId,
    pub customer_name: String,
    pub currency: Currency,
    pub entries: Vec<StatementEntry>,
    /// Positive: the customer owes; negative: their credit.
    pub balance: Decimal,
}

/// A customer's balance: invoices − credit notes − payments (void
/// documents and prepaid payments count for nothing; a prepaid payment
/// pays service time, not an invoice).
/// The SQL of the balance, in the currency's minor unit, of the customer
/// whose id is the expression `customer` (`?1`, `c.id`).
pub(in crate::store) fn balance_sql(customer: &str) -> String {
    format!(
        "(coalesce((SELECT sum(CASE kind WHEN 'invoice' THEN gross_minor ELSE -gross_minor END)
                    FROM invoices WHERE customer_id = {customer} AND voided_at IS NULL), 0)
          - coalesce((SELECT sum(amount_minor) FROM payments WHERE customer_id = {customer} AND months IS NULL), 0))"
    )
}

pub(super) async fn balance(
    conn: &mut SqliteConnection,
    customer: CustomerId,
    c: &Currency,
) -> Result<Decimal, StoreError> {
    let minor: i64 =
        sqlx::query_scalar(&format!("SELECT {}", balance_sql("?1"))).bind(customer.0).fetch_one(&mut *conn).await?;
    Ok(from_minor(minor, c))
}

impl Store {
    /// A customer's balance in the ISP's currency.
    pub async fn customer_balance(&self, customer: CustomerId, c: &Currency) -> Result<Decimal, StoreError> {
        let mut conn = self.pool.acquire().await?;
        balance(&mut conn, customer, c).await
    }

    /// A customer's statement, oldest first.
    pub async fn statement(&self, customer: CustomerId, c: &Currency) -> Result<Statement, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let name: String = sqlx::query_scalar("SELECT name FROM customers WHERE id = ?")
            .bind(customer.0)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("customer {customer}")))?;
        let docs = sqlx::query(
            "SELECT number, kind, issue_date, currency, gross_minor, voided_at, void_reason, reason,
                    (SELECT number FROM invoices x WHERE x.id = i.credits_invoice_id) AS credits
             FROM invoices i WHERE customer_id = ? ORDER BY issue_date, id",
        )
        .bind(customer.0)
        .fetch_all(&mut *conn)
        .await?;
        let mut entries = Vec::with_capacity(docs.len());
        for row in docs {
            let code: String = row.try_get("currency")?;
            let dc = currency("invoices", &code)?;
            let gross = from_minor(row.try_get("gross_minor")?, &dc);
            let void: Option<String> = row.try_get("void_reason")?;
            let kind: String = row.try_get("kind")?;
            let credit_note = kind == "credit-note";
            let (debit, credit) = match (void.is_some(), credit_note) {
                (true, _) => (Decimal::ZERO, Decimal::ZERO),
                (false, false) => (gross, Decimal::ZERO),
                (false, true) => (Decimal::ZERO, gross),
            };
            let description = match (&void, credit_note) {
                (Some(reason), _) => format!("VOID ({reason}), was {gross}"),
                (None, true) => format!(
                    "Credit note on {}: {}",
                    row.try_get::<Option<String>, _>("credits")?.unwrap_or_default(),
                    row.try_get::<Option<String>, _>("reason")?.unwrap_or_default()
                ),
                (None, false) => "Invoice".to_owned(),
            };
            entries.push(StatementEntry {
                date: parse_date("invoices", row.try_get("issue_date")?)?,
                kind: if credit_note { EntryKind::CreditNote } else { EntryKind::Invoice },
                number: row.try_get("number")?,
                description,
                debit,
                credit,
                balance: Decimal::ZERO,
            });
        }
        let payments = sqlx::query(
            "SELECT receipt_number, paid_on, currency, amount_minor, method, reference, months FROM payments
             WHERE customer_id = ? ORDER BY paid_on, id",
        )
        .bind(customer.0)
        .fetch_all(&mut *conn)
        .await?;
        for row in payments {
            let code: String = row.try_get("currency")?;
            let pc = currency("payments", &code)?;
            let amount = from_minor(row.try_get("amount_minor")?, &pc);
            let months: Option<i64> = row.try_get("months")?;
            let method: String = row.try_get("method")?;
            let reference: Option<String> = row.try_get("reference")?;
            let by = match reference {
                Some(r) => format!("{method}, ref {r}"),
                None => method,
            };
            // A prepaid payment paid service time, not an invoice: it shows
            // as both the sale and the payment, leaving the balance as is.
            let (debit, description) = match months {
                Some(m) => (amount, format!("Prepaid {m} month(s), {by}")),
                None => (Decimal::ZERO, format!("Payment, {by}")),
            };
            entries.push(StatementEntry {
                date: parse_date("payments", row.try_get("paid_on")?)?,
                kind: EntryKind::Payment,
                number: row.try_get("receipt_number")?,
                description,
                debit,
                credit: amount,
                balance: Decimal::ZERO,
            });
        }
        let entries = running_balance(entries, c.round(Decimal::ZERO));
        let balance = balance(&mut conn, customer, c).await?;
        Ok(Statement { customer, customer_name: name, currency: c.clone(), entries, balance })
    }
}

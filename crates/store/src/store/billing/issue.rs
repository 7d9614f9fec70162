//! Issuing the invoice run's invoices: in batches of multi-row statements,
//! because a run issues thousands at once and each statement is a round
//! trip to SQLite's worker thread (one invoice at a time took 6 s for
//! 10,000). The run holds the write lock (`BEGIN IMMEDIATE`), so numbers
//! and ids are taken for the whole batch at once and stay gapless.

use std::collections::{BTreeSet, HashMap};

use headend_core::activity::Actor;
use headend_core::billing::numbering::{Series, format_number};
use headend_core::billing::settings::BillingSettings;
use headend_core::{CustomerId, InvoiceId};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::invoices::{IssuedInvoice, NewInvoice, apply_credit, settle_services};
use super::{from_minor, minor};
use crate::error::StoreError;
use crate::store::write::Write;
use crate::store::{corrupt, ts};

/// Rows per statement: well under SQLite's 32,766 bound parameters.
const CHUNK: usize = 200;

impl Write {
    /// Issues the invoices: takes their numbers (in order), stores them
    /// with their lines, marks their charges billed and counts their
    /// coupons down, moves their services' invoiced-through dates, applies
    /// each customer's unused credit (a settled invoice moves its services'
    /// paid-through dates), and logs each on its customer.
    pub async fn issue_invoices(
        &mut self,
        new: &[NewInvoice],
        settings: &BillingSettings,
        actor: &Actor,
    ) -> Result<Vec<IssuedInvoice>, StoreError> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now;
        let conn = &mut *self.tx;
        let c = &settings.currency;
        let count = i64::try_from(new.len()).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let last: i64 = sqlx::query_scalar("UPDATE number_series SET last = last + ? WHERE series = ? RETURNING last")
            .bind(count)
            .bind(Series::Invoice.as_str())
            .fetch_one(&mut *conn)
            .await?;
        let first_id: i64 =
            sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM invoices").fetch_one(&mut *conn).await?;
        let mut numbered = Vec::with_capacity(new.len());
        for (offset, invoice) in (0_i64..).zip(new) {
            let sequence = u64::try_from(last - count + 1 + offset).map_err(|e| corrupt("number_series", e))?;
            let number = format_number(&settings.invoice_prefix, invoice.issue_date, sequence);
            numbered.push((InvoiceId(first_id + offset), number, invoice));
        }

        for chunk in numbered.chunks(CHUNK) {
            let mut rows = Vec::with_capacity(chunk.len());
            for (id, number, inv) in chunk {
                let t = inv.totals;
                rows.push((id.0, number, inv, minor(t.net, c)?, minor(t.tax, c)?, minor(t.gross, c)?));
            }
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO invoices (id, number, kind, customer_id, issue_date, due_date, currency, tax_mode,
                                       net_minor, tax_minor, gross_minor, issued_at, actor) ",
            );
            q.push_values(rows, |mut b, (id, number, inv, net, tax, gross)| {
                b.push_bind(id)
                    .push_bind(number.clone())
                    .push_bind("invoice")
                    .push_bind(inv.customer.0)
                    .push_bind(inv.issue_date.to_string())
                    .push_bind(inv.due_date.to_string())
                    .push_bind(c.code().to_owned())
                    .push_bind(settings.tax_mode.as_str())
                    .push_bind(net)
                    .push_bind(tax)
                    .push_bind(gross)
                    .push_bind(ts(now))
                    .push_bind(actor.as_str());
            });
            q.build().execute(&mut *conn).await?;
        }

        let mut lines = Vec::new();
        for (id, _, inv) in &numbered {
            for (position, line) in (0_i64..).zip(&inv.lines) {
                let a = line.amounts;
                lines.push((id.0, position, line, minor(a.net, c)?, minor(a.tax, c)?, minor(a.gross, c)?));
            }
        }
        for chunk in lines.chunks(CHUNK) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO invoice_lines (invoice_id, position, kind, service_id, description, period_from,
                                            period_until, tax_rate, net_minor, tax_minor, gross_minor) ",
            );
            q.push_values(chunk, |mut b, (id, position, line, net, tax, gross)| {
                b.push_bind(*id)
                    .push_bind(*position)
                    .push_bind(line.kind.as_str())
                    .push_bind(line.service.map(|s| s.0))
                    .push_bind(line.description.clone())
                    .push_bind(line.period.map(|p| p.from.to_string()))
                    .push_bind(line.period.map(|p| p.until.to_string()))
                    .push_bind(line.tax_rate.to_string())
                    .push_bind(*net)
                    .push_bind(*tax)
                    .push_bind(*gross);
            });
            q.build().execute(&mut *conn).await?;
        }

        // Charges and coupons are few: one statement each.
        for (id, _, inv) in &numbered {
            for charge in &inv.charges {
                sqlx::query("UPDATE pending_charges SET invoice_id = ? WHERE id = ? AND invoice_id IS NULL")
                    .bind(id.0)
                    .bind(charge)
                    .execute(&mut *conn)
                    .await?;
            }
            for coupon in &inv.coupons {
                sqlx::query("UPDATE discounts SET cycles_left = cycles_left - 1 WHERE id = ? AND cycles_left > 0")
                    .bind(coupon)
                    .execute(&mut *conn)
                    .await?;
            }
        }

        let billed: Vec<_> = new.iter().flat_map(|inv| &inv.services).collect();
        for chunk in billed.chunks(CHUNK) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "UPDATE services SET invoiced_through = v.column2, billing_day = v.column3
                 FROM (",
            );
            q.push_values(chunk, |mut b, s| {
                b.push_bind(s.service.0)
                    .push_bind(s.invoiced_through.to_string())
                    .push_bind(i64::from(s.billing_day.get()));
            });
            q.push(") AS v WHERE services.id = v.column1");
            q.build().execute(&mut *conn).await?;
        }

        // Unused credit: only the customers that have some are looked at.
        let customers: BTreeSet<CustomerId> = new.iter().map(|inv| inv.customer).collect();
        let mut settled_ids = BTreeSet::new();
        for customer in customers_with_credit(conn).await?.intersection(&customers) {
            let settled = apply_credit(conn, *customer).await?;
            settle_services(conn, &settled, settings.timing, now).await?;
            settled_ids.insert(*customer);
        }
        let mut settled_minor: HashMap<InvoiceId, i64> = HashMap::new();
        for (id, _, inv) in &numbered {
            if settled_ids.contains(&inv.customer) {
                let s: i64 = sqlx::query_scalar("SELECT settled_minor FROM invoices WHERE id = ?")
                    .bind(id.0)
                    .fetch_one(&mut *conn)
                    .await?;
                settled_minor.insert(*id, s);
            }
        }

        let names = customer_names(conn, &customers).await?;
        for chunk in numbered.chunks(CHUNK) {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO activity_log (at, actor, subject, action, detail) ");
            q.push_values(chunk, |mut b, (_, number, inv)| {
                b.push_bind(ts(now))
                    .push_bind(actor.as_str())
                    .push_bind(format!("customer:{}", inv.customer))
                    .push_bind("invoice issued")
                    .push_bind(format!("{number}: {} {c}", inv.totals.gross));
            });
            q.build().execute(&mut *conn).await?;
        }
        Ok(numbered
            .into_iter()
            .map(|(id, number, inv)| IssuedInvoice {
                id,
                number,
                customer: inv.customer,
                customer_name: names.get(&inv.customer).cloned().unwrap_or_default(),
                gross: inv.totals.gross,
                due_date: inv.due_date,
                settled: from_minor(settled_minor.get(&id).copied().unwrap_or(0), c),
            })
            .collect())
    }
}

/// Customers with money received (not prepaid) or credited that no
/// invoice has used up.
async fn customers_with_credit(conn: &mut SqliteConnection) -> Result<BTreeSet<CustomerId>, StoreError> {
    let rows = sqlx::query(
        "SELECT customer_id FROM payments p WHERE p.months IS NULL
           AND p.amount_minor > coalesce((SELECT sum(amount_minor) FROM allocations a WHERE a.payment_id = p.id), 0)
         UNION
         SELECT customer_id FROM invoices i WHERE i.kind = 'credit-note' AND i.voided_at IS NULL
           AND i.gross_minor > coalesce((SELECT sum(amount_minor) FROM allocations a WHERE a.credit_note_id = i.id), 0)",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(CustomerId(r.try_get(0)?))).collect()
}

async fn customer_names(
    conn: &mut SqliteConnection,
    customers: &BTreeSet<CustomerId>,
) -> Result<HashMap<CustomerId, String>, StoreError> {
    let ids: Vec<CustomerId> = customers.iter().copied().collect();
    let mut names = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT id, name FROM customers WHERE id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(id.0);
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            names.insert(CustomerId(row.try_get("id")?), row.try_get("name")?);
        }
    }
    Ok(names)
}

//! Payments: recorded, and the service's due date moved, in one
//! transaction.

use std::str::FromStr;

use headend_core::ServiceId;
use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::billing::{MAX_MONTHS, Payment, advance_due};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::activity::insert_activity;
use super::{Store, corrupt, opt_date, parse_date, parse_ts, sweep_router, ts};
use crate::error::StoreError;

impl Store {
    /// Records a payment of `months` months (1 to 36) for `service`: inserts
    /// it, moves the service's next billing date with
    /// [`advance_due`] (from its current due date, or `today`), writes the
    /// activity entry `service:<id>` "payment", and asks the service's
    /// router to sweep, all in one transaction.
    pub async fn add_payment(
        &self,
        service: ServiceId,
        amount: Decimal,
        months: u8,
        at: Timestamp,
        today: Date,
        actor: &Actor,
    ) -> Result<Payment, StoreError> {
        if !(1..=MAX_MONTHS).contains(&months) {
            return Err(StoreError::Invalid(format!("a payment covers 1 to {MAX_MONTHS} months, not {months}")));
        }
        if amount.is_sign_negative() {
            return Err(StoreError::Invalid(format!("a payment cannot be negative ({amount})")));
        }
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT router_id, next_billing_date FROM services WHERE id = ?")
            .bind(service.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("service {service}")))?;
        let router = headend_core::RouterId(row.try_get("router_id")?);
        let previous_due = opt_date("services", row.try_get("next_billing_date")?)?;
        let new_due = advance_due(previous_due, today, months);
        let paid_at = ts(at);

        let id: i64 = sqlx::query(
            "INSERT INTO payments (service_id, amount, months, paid_at, actor, previous_due, new_due)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(service.0)
        .bind(amount.to_string())
        .bind(months)
        .bind(&paid_at)
        .bind(actor.as_str())
        .bind(previous_due.map(|d| d.to_string()))
        .bind(new_due.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        sqlx::query("UPDATE services SET next_billing_date = ?, updated_at = ? WHERE id = ?")
            .bind(new_due.to_string())
            .bind(&paid_at)
            .bind(service.0)
            .execute(&mut *tx)
            .await?;
        let from = previous_due.map_or_else(|| "none".to_owned(), |d| d.to_string());
        let entry = ActivityEntry {
            at,
            actor: actor.clone(),
            subject: Subject::Service(service),
            action: "payment".into(),
            detail: format!("{amount} for {months} month(s); due date {from} -> {new_due}"),
        };
        insert_activity(&mut tx, &entry).await?;
        sweep_router(&mut tx, router, self.now()).await?;
        tx.commit().await?;
        Ok(Payment { id, service, amount, months, paid_at: at, actor: actor.clone(), previous_due, new_due })
    }

    /// A service's payments, newest first.
    pub async fn payments(&self, service: ServiceId) -> Result<Vec<Payment>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, service_id, amount, months, paid_at, actor, previous_due, new_due
             FROM payments WHERE service_id = ? ORDER BY id DESC",
        )
        .bind(service.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(payment_row).collect()
    }
}

fn payment_row(row: &SqliteRow) -> Result<Payment, StoreError> {
    let amount: &str = row.try_get("amount")?;
    let months: i64 = row.try_get("months")?;
    let actor: &str = row.try_get("actor")?;
    let new_due: &str = row.try_get("new_due")?;
    Ok(Payment {
        id: row.try_get("id")?,
        service: ServiceId(row.try_get("service_id")?),
        amount: Decimal::from_str(amount).map_err(|e| corrupt("payments", e))?,
        months: u8::try_from(months).map_err(|e| corrupt("payments", e))?,
        paid_at: parse_ts("payments", row.try_get("paid_at")?)?,
        actor: Actor::parse(actor).ok_or_else(|| corrupt("payments", format!("unknown actor {actor:?}")))?,
        previous_due: opt_date("payments", row.try_get("previous_due")?)?,
        new_due: parse_date("payments", new_due)?,
    })
}

//! What the invoice run reads, inside its write unit so two runs (the
//! app's daily one and a `headend invoice run`) never issue the same
//! period twice: the second waits for the first and then sees its
//! invoiced-through dates.

use std::str::FromStr;

use headend_core::billing::calendar::{BillingDay, Period};
use headend_core::billing::invoice::{Discount, DraftLine, LineKind};
use headend_core::billing::tax::TaxRate;
use headend_core::plan::BillingCycle;
use headend_core::service::Service;
use headend_core::{CustomerId, ServiceId};
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::Row;

use crate::error::StoreError;
use crate::store::services::{SERVICE_COLUMNS, service_row};
use crate::store::write::Write;
use crate::store::{corrupt, opt_date, parse_date};

/// A service as the invoice run sees it, with its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRow {
    pub service: Service,
    pub plan_name: String,
    pub price: Decimal,
    pub cycle: BillingCycle,
    /// The plan's own rate; `None`: the ISP's.
    pub tax_rate: Option<TaxRate>,
    pub billing_day: Option<BillingDay>,
    pub invoiced_through: Option<Date>,
    pub activated_on: Date,
}

/// A line waiting for the customer's next invoice: a one-off charge, or
/// one side of a plan change mid-period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCharge {
    pub id: i64,
    pub customer: CustomerId,
    pub kind: LineKind,
    pub service: Option<ServiceId>,
    pub description: String,
    pub amount: Decimal,
    /// `None`: the ISP's rate.
    pub tax_rate: Option<TaxRate>,
    pub period: Option<Period>,
}

/// A coupon with cycles left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coupon {
    pub id: i64,
    pub service: ServiceId,
    pub description: String,
    pub discount: Discount,
}

impl Write {
    /// Every service that may be invoiced (active or suspended), with its
    /// plan, in customer then service order.
    pub async fn billing_rows(&mut self) -> Result<Vec<BillingRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SERVICE_COLUMNS}, p.name AS plan_name, p.price, p.billing_cycle, p.tax_rate AS plan_tax_rate,
                    s.billing_day, s.invoiced_through, coalesce(s.activated_on, substr(s.created_at, 1, 10)) AS activated_on
             FROM services s JOIN plans p ON p.id = s.plan_id
             WHERE s.status IN ('active', 'suspended')
             ORDER BY s.customer_id, s.id"
        ))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                let t = "services";
                let price: String = row.try_get("price")?;
                let cycle: String = row.try_get("billing_cycle")?;
                let rate: Option<String> = row.try_get("plan_tax_rate")?;
                Ok(BillingRow {
                    service: service_row(row)?,
                    plan_name: row.try_get("plan_name")?,
                    price: Decimal::from_str(&price).map_err(|e| corrupt("plans", e))?,
                    cycle: BillingCycle::from_str(&cycle).map_err(|e| corrupt("plans", e))?,
                    tax_rate: rate.map(|r| TaxRate::from_str(&r).map_err(|e| corrupt("plans", e))).transpose()?,
                    billing_day: row
                        .try_get::<Option<i64>, _>("billing_day")?
                        .map(|d| BillingDay::new(d).map_err(|e| corrupt(t, e)))
                        .transpose()?,
                    invoiced_through: opt_date(t, row.try_get("invoiced_through")?)?,
                    activated_on: parse_date(t, row.try_get("activated_on")?)?,
                })
            })
            .collect()
    }

    /// One-off charges not yet on an invoice.
    pub async fn pending_charges(&mut self) -> Result<Vec<PendingCharge>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, customer_id, kind, service_id, description, amount, tax_rate, period_from, period_until
             FROM pending_charges WHERE invoice_id IS NULL ORDER BY id",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                let t = "pending_charges";
                let amount: String = row.try_get("amount")?;
                let kind: String = row.try_get("kind")?;
                let rate: Option<String> = row.try_get("tax_rate")?;
                let period =
                    match (opt_date(t, row.try_get("period_from")?)?, opt_date(t, row.try_get("period_until")?)?) {
                        (Some(from), Some(until)) => Some(Period { from, until }),
                        _ => None,
                    };
                Ok(PendingCharge {
                    id: row.try_get("id")?,
                    customer: CustomerId(row.try_get("customer_id")?),
                    kind: LineKind::from_str(&kind).map_err(|e| corrupt(t, e))?,
                    service: row.try_get::<Option<i64>, _>("service_id")?.map(ServiceId),
                    description: row.try_get("description")?,
                    amount: Decimal::from_str(&amount).map_err(|e| corrupt(t, e))?,
                    tax_rate: rate.map(|r| TaxRate::from_str(&r).map_err(|e| corrupt(t, e))).transpose()?,
                    period,
                })
            })
            .collect()
    }

    /// Coupons with cycles left (or without an end).
    pub async fn coupons(&mut self) -> Result<Vec<Coupon>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, service_id, description, kind, value FROM discounts
             WHERE cycles_left IS NULL OR cycles_left > 0 ORDER BY id",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                let value: String = row.try_get("value")?;
                let value = Decimal::from_str(&value).map_err(|e| corrupt("discounts", e))?;
                let kind: String = row.try_get("kind")?;
                let discount = match kind.as_str() {
                    "amount" => Discount::Amount(value),
                    "percent" => Discount::Percent(value),
                    other => return Err(corrupt("discounts", format!("unknown kind {other:?}"))),
                };
                Ok(Coupon {
                    id: row.try_get("id")?,
                    service: ServiceId(row.try_get("service_id")?),
                    description: row.try_get("description")?,
                    discount,
                })
            })
            .collect()
    }

    /// Adds a coupon to a service for `cycles` invoices (`None`: all).
    pub async fn add_coupon(
        &mut self,
        service: ServiceId,
        description: &str,
        discount: Discount,
        cycles: Option<u16>,
    ) -> Result<i64, StoreError> {
        let (kind, value) = match discount {
            Discount::Amount(a) => ("amount", a),
            Discount::Percent(p) => ("percent", p),
        };
        Ok(sqlx::query_scalar(
            "INSERT INTO discounts (service_id, description, kind, value, cycles_left, created_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(service.0)
        .bind(description)
        .bind(kind)
        .bind(value.to_string())
        .bind(cycles.map(i64::from))
        .bind(crate::store::ts(self.now))
        .fetch_one(&mut *self.tx)
        .await?)
    }
}

/// A service's billing dates, for a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillingDates {
    pub paid_through: Option<Date>,
    pub invoiced_through: Option<Date>,
    pub paused_on: Option<Date>,
}

impl Write {
    /// The last period a service was invoiced for (on an invoice not void).
    pub async fn last_billed_period(&mut self, service: ServiceId) -> Result<Option<Period>, StoreError> {
        let row = sqlx::query(
            "SELECT l.period_from, l.period_until FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
             WHERE l.service_id = ? AND l.kind = 'service' AND i.voided_at IS NULL AND l.period_from IS NOT NULL
             ORDER BY l.period_until DESC LIMIT 1",
        )
        .bind(service.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let t = "invoice_lines";
        Ok(Some(Period {
            from: parse_date(t, row.try_get("period_from")?)?,
            until: parse_date(t, row.try_get("period_until")?)?,
        }))
    }

    /// Puts lines on a customer's next invoice (a plan change's proration).
    pub async fn add_pending_lines(
        &mut self,
        customer: CustomerId,
        lines: &[DraftLine],
        actor: &headend_core::activity::Actor,
    ) -> Result<(), StoreError> {
        for line in lines {
            sqlx::query(
                "INSERT INTO pending_charges (customer_id, kind, service_id, description, amount, tax_rate,
                                              period_from, period_until, added_at, actor)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(customer.0)
            .bind(line.kind.as_str())
            .bind(line.service.map(|s| s.0))
            .bind(&line.description)
            .bind(line.price.to_string())
            .bind(line.tax_rate.to_string())
            .bind(line.period.map(|p| p.from.to_string()))
            .bind(line.period.map(|p| p.until.to_string()))
            .bind(crate::store::ts(self.now))
            .bind(actor.as_str())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    pub async fn billing_dates(&mut self, service: ServiceId) -> Result<BillingDates, StoreError> {
        let row = sqlx::query("SELECT next_billing_date, invoiced_through, paused_on FROM services WHERE id = ?")
            .bind(service.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("service {service}")))?;
        let t = "services";
        Ok(BillingDates {
            paid_through: opt_date(t, row.try_get("next_billing_date")?)?,
            invoiced_through: opt_date(t, row.try_get("invoiced_through")?)?,
            paused_on: opt_date(t, row.try_get("paused_on")?)?,
        })
    }

    /// Writes a service's billing dates (after a pause ends, or starts).
    pub async fn set_billing_dates(&mut self, service: ServiceId, dates: BillingDates) -> Result<(), StoreError> {
        sqlx::query("UPDATE services SET next_billing_date = ?, invoiced_through = ?, paused_on = ? WHERE id = ?")
            .bind(dates.paid_through.map(|d| d.to_string()))
            .bind(dates.invoiced_through.map(|d| d.to_string()))
            .bind(dates.paused_on.map(|d| d.to_string()))
            .bind(service.0)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// The day a service's first period starts.
    pub async fn set_activated_on(&mut self, service: ServiceId, day: Date) -> Result<(), StoreError> {
        sqlx::query("UPDATE services SET activated_on = ? WHERE id = ?")
            .bind(day.to_string())
            .bind(service.0)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

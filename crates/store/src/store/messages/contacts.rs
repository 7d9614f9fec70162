//! How each customer is written to: their language, preferred channel and
//! opt-outs, and what a message to them says about them (plans, balance);
//! and the customers a blast's filter picks.

use headend_core::messages::{Channel, Language};
use headend_core::service::ServiceStatus;
use headend_core::{CustomerId, OltId, PlanId, PopId, RouterId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::error::StoreError;
use crate::store::billing::balance_sql;
use crate::store::{Store, Write, corrupt, ts};

/// How a customer wants to be written to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactPrefs {
    /// `None`: the ISP's default language.
    pub language: Option<Language>,
    /// `None`: the first channel that reaches them.
    pub preferred: Option<Channel>,
    pub opted_out: Vec<Channel>,
}

/// A customer as a message sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub customer: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub prefs: ContactPrefs,
    /// Their services' plans (not terminated), by name.
    pub plans: Vec<String>,
    /// What they owe in all, in the currency's minor unit (negative: credit).
    pub balance_minor: i64,
}

/// The customers of a blast: those with a service (not terminated) that
/// matches every criterion given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlastFilter {
    pub router: Option<RouterId>,
    pub pop: Option<PopId>,
    pub plan: Option<PlanId>,
    pub status: Option<ServiceStatus>,
    /// An OLT, or one of its PON ports (by name, `0/1/0`): an outage.
    pub olt: Option<(OltId, Option<String>)>,
}

/// The `SELECT` of contacts, before its `WHERE`.
fn contact_select() -> String {
    format!(
        "SELECT c.id, c.name, c.email, c.phone, c.language, c.preferred_channel,
            (SELECT group_concat(channel) FROM customer_opt_outs o WHERE o.customer_id = c.id) AS opted_out,
            (SELECT group_concat(name, char(31)) FROM (SELECT DISTINCT p.name FROM services s
                JOIN plans p ON p.id = s.plan_id
                WHERE s.customer_id = c.id AND s.status <> 'terminated' ORDER BY p.name)) AS plans,
            {} AS balance
        FROM customers c",
        balance_sql("c.id")
    )
}

/// The contacts of `customers` (each once, in no particular order).
pub(in crate::store) async fn contacts(
    conn: &mut SqliteConnection,
    customers: &[CustomerId],
) -> Result<Vec<Contact>, StoreError> {
    let ids = format!("[{}]", customers.iter().map(|c| c.0.to_string()).collect::<Vec<_>>().join(","));
    let sql = format!("{} WHERE c.id IN (SELECT value FROM json_each(?))", contact_select());
    let rows = sqlx::query(&sql).bind(ids).fetch_all(conn).await?;
    rows.iter().map(contact_row).collect()
}

fn contact_row(row: &SqliteRow) -> Result<Contact, StoreError> {
    let bad = |e: String| corrupt("customers", e);
    let language: Option<&str> = row.try_get("language")?;
    let preferred: Option<&str> = row.try_get("preferred_channel")?;
    let opted_out: Option<&str> = row.try_get("opted_out")?;
    let plans: Option<&str> = row.try_get("plans")?;
    Ok(Contact {
        customer: CustomerId(row.try_get("id")?),
        name: row.try_get("name")?,
        email: row.try_get::<Option<String>, _>("email")?.filter(|e| !e.trim().is_empty()),
        phone: row.try_get::<Option<String>, _>("phone")?.filter(|p| !p.trim().is_empty()),
        prefs: ContactPrefs {
            language: language.map(str::parse).transpose().map_err(|e| bad(format!("{e}")))?,
            preferred: preferred.map(str::parse).transpose().map_err(|e| bad(format!("{e}")))?,
            opted_out: opted_out
                .map(|o| o.split(',').map(str::parse).collect::<Result<Vec<Channel>, _>>())
                .transpose()
                .map_err(|e| bad(format!("{e}")))?
                .unwrap_or_default(),
        },
        plans: plans.map(|p| p.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default(),
        balance_minor: row.try_get("balance")?,
    })
}

impl Store {
    /// [`contacts`] of these customers.
    pub async fn contacts(&self, customers: &[CustomerId]) -> Result<Vec<Contact>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        contacts(&mut conn, customers).await
    }

    /// The customers `filter` picks, by name.
    pub async fn blast_recipients(&self, filter: &BlastFilter) -> Result<Vec<Contact>, StoreError> {
        let mut sql = format!(
            "{} WHERE c.id IN (SELECT s.customer_id FROM services s JOIN routers r ON r.id = s.router_id
                 LEFT JOIN onus u ON u.service_id = s.id LEFT JOIN pon_ports pp ON pp.id = u.port_id
                 WHERE s.status <> 'terminated'",
            contact_select()
        );
        if filter.router.is_some() {
            sql.push_str(" AND s.router_id = ?");
        }
        if filter.pop.is_some() {
            sql.push_str(" AND r.pop_id = ?");
        }
        if filter.plan.is_some() {
            sql.push_str(" AND s.plan_id = ?");
        }
        if filter.status.is_some() {
            sql.push_str(" AND s.status = ?");
        }
        if let Some((_, port)) = &filter.olt {
            sql.push_str(" AND u.olt_id = ?");
            if port.is_some() {
                sql.push_str(" AND pp.name = ?");
            }
        }
        sql.push_str(") ORDER BY c.name, c.id");
        let mut query = sqlx::query(&sql);
        if let Some(r) = filter.router {
            query = query.bind(r.0);
        }
        if let Some(p) = filter.pop {
            query = query.bind(p.0);
        }
        if let Some(p) = filter.plan {
            query = query.bind(p.0);
        }
        if let Some(s) = filter.status {
            query = query.bind(s.as_str());
        }
        if let Some((olt, port)) = &filter.olt {
            query = query.bind(olt.0);
            if let Some(port) = port {
                query = query.bind(port.as_str());
            }
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(contact_row).collect()
    }
}

impl Write {
    /// Sets how a customer wants to be written to.
    pub async fn set_contact_prefs(&mut self, customer: CustomerId, prefs: &ContactPrefs) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE customers SET language = ?, preferred_channel = ? WHERE id = ?")
            .bind(prefs.language.as_ref().map(Language::as_str))
            .bind(prefs.preferred.map(Channel::as_str))
            .bind(customer.0)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("customer {customer}")));
        }
        sqlx::query("DELETE FROM customer_opt_outs WHERE customer_id = ?")
            .bind(customer.0)
            .execute(&mut *self.tx)
            .await?;
        for channel in &prefs.opted_out {
            sqlx::query("INSERT INTO customer_opt_outs (customer_id, channel, created_at) VALUES (?, ?, ?)")
                .bind(customer.0)
                .bind(channel.as_str())
                .bind(ts(self.now))
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// [`Store::contacts`], seeing this unit's writes (a payment's new
    /// balance).
    pub async fn contacts(&mut self, customers: &[CustomerId]) -> Result<Vec<Contact>, StoreError> {
        contacts(&mut self.tx, customers).await
    }
}

//! Services: their rows, what the engine needs to provision them, and the
//! pages the console and the CLI list.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::str::FromStr;

use headend_core::service::{Access, Service, ServiceStatus};
use headend_core::{CustomerId, PlanId, RouterId, ServiceId};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{BATCH_ROWS, Store, WriteTx, contains_pattern, corrupt, opt_date, opt_ts, sweep_router, ts, values};
use crate::error::StoreError;
use crate::records::{NewService, ServiceOverview};

/// One service as the engine provisions it: the row, its encrypted PPPoE
/// password (decrypt with `headend_secrets::SubscriberCipher`), and whether
/// to adopt a matching unmarked secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisioningRow {
    pub service: Service,
    pub password: Option<Vec<u8>>,
    pub adopt: bool,
    /// What the last sweep confirmed (see `mark_provisioned`).
    pub router_provisioned: bool,
}

/// Which services a page lists. Rows come in id order (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceQuery {
    pub status: Option<ServiceStatus>,
    pub router: Option<RouterId>,
    /// Part of the customer's name, phone or address, the PPPoE user name
    /// or the static address; case-insensitive for ASCII letters.
    pub search: Option<String>,
    /// Only these services (a list a workflow worked out, such as the
    /// ones that went off today); `None` for all.
    pub only: Option<Vec<ServiceId>>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for ServiceQuery {
    fn default() -> Self {
        Self { status: None, router: None, search: None, only: None, limit: 50, offset: 0 }
    }
}

/// One page of services and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicesPage {
    pub total: u64,
    pub rows: Vec<ServiceOverview>,
}

pub(super) const SERVICE_COLUMNS: &str =
    "s.id, s.customer_id, s.router_id, s.plan_id, s.kind, s.username, s.ip_address,
    s.status, s.next_billing_date, s.grace_days";

const OVERVIEW_COLUMNS: &str = "s.id, s.customer_id, c.name AS customer_name, c.phone AS customer_phone,
    s.router_id, r.name AS router_name, s.plan_id, p.name AS plan_name, s.kind, s.username, s.ip_address,
    s.status, s.next_billing_date, s.grace_days, s.adopt, s.router_provisioned, s.provisioned_at";

const OVERVIEW_JOINS: &str = "FROM services s
    JOIN customers c ON c.id = s.customer_id
    JOIN routers r ON r.id = s.router_id
    JOIN plans p ON p.id = s.plan_id";

/// The user name and address columns of an access.
fn access_columns(access: &Access) -> (Option<&str>, Option<String>) {
    match access {
        Access::Pppoe { username, address } => (Some(username.as_str()), address.map(|a| a.to_string())),
        Access::StaticIp { address } => (None, Some(address.to_string())),
    }
}

/// A unique violation on (router, user name) as the clear message; any
/// other error as it is.
async fn user_conflict(
    conn: &mut SqliteConnection,
    err: sqlx::Error,
    router: RouterId,
    user: Option<&str>,
) -> StoreError {
    match (&err, user) {
        (sqlx::Error::Database(db), Some(user)) if db.is_unique_violation() => {
            let name = sqlx::query("SELECT name FROM routers WHERE id = ?")
                .bind(router.0)
                .fetch_optional(conn)
                .await
                .ok()
                .flatten()
                .and_then(|row| row.try_get::<String, _>(0).ok())
                .unwrap_or_else(|| router.to_string());
            StoreError::DuplicateUser { user: user.to_owned(), router: name }
        }
        _ => StoreError::Sql(err),
    }
}

/// Inserts a service; the caller asks its router to sweep.
pub(super) async fn insert_service(
    conn: &mut SqliteConnection,
    new: &NewService,
    now: Timestamp,
) -> Result<ServiceId, StoreError> {
    let (username, address) = access_columns(&new.access);
    let stamp = ts(now);
    let inserted = sqlx::query(
        "INSERT INTO services (customer_id, router_id, plan_id, kind, username, ip_address, status,
                               next_billing_date, grace_days, password, adopt, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.customer.0)
    .bind(new.router.0)
    .bind(new.plan.0)
    .bind(new.access.kind())
    .bind(username)
    .bind(address)
    .bind(new.status.as_str())
    .bind(new.next_billing_date.map(|d| d.to_string()))
    .bind(new.grace_days)
    .bind(new.password.as_deref())
    .bind(new.adopt)
    .bind(&stamp)
    .bind(&stamp)
    .fetch_one(&mut *conn)
    .await;
    let id = match inserted {
        Ok(row) => row.try_get(0)?,
        Err(err) => return Err(user_conflict(conn, err, new.router, username).await),
    };
    Ok(ServiceId(id))
}

/// [`Store::set_service_status`] inside the caller's transaction.
pub(super) async fn set_status_row(
    conn: &mut SqliteConnection,
    id: ServiceId,
    status: ServiceStatus,
    now: Timestamp,
) -> Result<(), StoreError> {
    let row = sqlx::query("UPDATE services SET status = ?, updated_at = ? WHERE id = ? RETURNING router_id")
        .bind(status.as_str())
        .bind(ts(now))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    sweep_service_router(conn, id, row, now).await
}

/// [`Store::set_service_due`] inside the caller's transaction.
pub(super) async fn set_due_row(
    conn: &mut SqliteConnection,
    id: ServiceId,
    due: Option<Date>,
    now: Timestamp,
) -> Result<(), StoreError> {
    // A due date set by hand is the service's new billing day.
    let row = sqlx::query(
        "UPDATE services SET next_billing_date = ?, billing_day = ?, updated_at = ? WHERE id = ? RETURNING router_id",
    )
    .bind(due.map(|d| d.to_string()))
    .bind(due.map(|d| i64::from(d.day())))
    .bind(ts(now))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    sweep_service_router(conn, id, row, now).await
}

/// The sweep request for the router an update of service `id` returned
/// (`None`: there is no such service).
async fn sweep_service_router(
    conn: &mut SqliteConnection,
    id: ServiceId,
    row: Option<SqliteRow>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let row = row.ok_or_else(|| StoreError::NotFound(format!("service {id}")))?;
    sweep_router(conn, RouterId(row.try_get(0)?), now).await
}

/// [`Store::update_service`] inside the caller's transaction.
pub(super) async fn update_service_row(
    conn: &mut SqliteConnection,
    id: ServiceId,
    new: &NewService,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (username, address) = access_columns(&new.access);
    let old_router: i64 = sqlx::query("SELECT router_id FROM services WHERE id = ?")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("service {id}")))?
        .try_get(0)?;
    let (replace_password, password) = match (&new.access, &new.password) {
        (Access::StaticIp { .. }, _) => (true, None),
        (Access::Pppoe { .. }, Some(p)) => (true, Some(p.as_slice())),
        (Access::Pppoe { .. }, None) => (false, None),
    };
    let updated = sqlx::query(
        "UPDATE services SET customer_id = ?, router_id = ?, plan_id = ?, kind = ?, username = ?,
                ip_address = ?, status = ?, next_billing_date = ?, grace_days = ?, adopt = ?,
                password = CASE WHEN ? THEN ? ELSE password END,
                router_provisioned = CASE WHEN router_id = ? THEN router_provisioned ELSE 0 END,
                updated_at = ?
         WHERE id = ?",
    )
    .bind(new.customer.0)
    .bind(new.router.0)
    .bind(new.plan.0)
    .bind(new.access.kind())
    .bind(username)
    .bind(address)
    .bind(new.status.as_str())
    .bind(new.next_billing_date.map(|d| d.to_string()))
    .bind(new.grace_days)
    .bind(new.adopt)
    .bind(replace_password)
    .bind(password)
    .bind(new.router.0)
    .bind(ts(now))
    .bind(id.0)
    .execute(&mut *conn)
    .await;
    if let Err(err) = updated {
        return Err(user_conflict(conn, err, new.router, username).await);
    }
    sweep_router(conn, RouterId(old_router), now).await?;
    if new.router.0 != old_router {
        sweep_router(conn, new.router, now).await?;
    }
    Ok(())
}

impl Store {
    /// Adds a service and asks its router to sweep. A PPPoE user name
    /// already used on the router is [`StoreError::DuplicateUser`].
    pub async fn add_service(&self, new: &NewService) -> Result<ServiceId, StoreError> {
        let mut tx = self.write().await?;
        let now = self.now();
        let id = insert_service(&mut tx, new, now).await?;
        sweep_router(&mut tx, new.router, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a service's fields. `password: None` keeps the stored
    /// password (an edit form never sees it); use
    /// [`Store::set_service_password`] to clear it. A static service keeps
    /// none. Moving to another router asks both routers to sweep (the old
    /// one removes what it held) and forgets "provisioned".
    pub async fn update_service(&self, id: ServiceId, new: &NewService) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        update_service_row(&mut tx, id, new, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_service_status(&self, id: ServiceId, status: ServiceStatus) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        set_status_row(&mut tx, id, status, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or clears, with `None`) the next billing date.
    pub async fn set_service_due(&self, id: ServiceId, due: Option<Date>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        set_due_row(&mut tx, id, due, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or clears) the encrypted PPPoE password.
    pub async fn set_service_password(&self, id: ServiceId, password: Option<Vec<u8>>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let now = self.now();
        let row = sqlx::query("UPDATE services SET password = ?, updated_at = ? WHERE id = ? RETURNING router_id")
            .bind(password)
            .bind(ts(now))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        finish_service_write(tx, id, row, now).await
    }

    pub async fn set_service_adopt(&self, id: ServiceId, adopt: bool) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let now = self.now();
        let row = sqlx::query("UPDATE services SET adopt = ?, updated_at = ? WHERE id = ? RETURNING router_id")
            .bind(adopt)
            .bind(ts(now))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        finish_service_write(tx, id, row, now).await
    }

    /// What the router confirmed: the service is on it (`true`) or off it,
    /// as of `at`. Does not ask for a sweep (the engine calls it after
    /// one). A service that no longer exists is ignored.
    pub async fn mark_provisioned(&self, id: ServiceId, on_router: bool, at: Timestamp) -> Result<(), StoreError> {
        self.mark_provisioned_many(&[(id, on_router)], at).await
    }

    /// [`Store::mark_provisioned`] for many services in one transaction
    /// (a cold sweep confirms hundreds at once).
    pub async fn mark_provisioned_many(&self, marks: &[(ServiceId, bool)], at: Timestamp) -> Result<(), StoreError> {
        if marks.is_empty() {
            return Ok(());
        }
        let at = ts(at);
        let mut tx = self.write().await?;
        for chunk in marks.chunks(BATCH_ROWS) {
            let sql = format!(
                "UPDATE services SET router_provisioned = v.column2, provisioned_at = ?
                 FROM (VALUES {}) AS v WHERE services.id = v.column1",
                values(chunk.len(), 2)
            );
            let mut update = sqlx::query(&sql).bind(&at);
            for (id, on_router) in chunk {
                update = update.bind(id.0).bind(on_router);
            }
            update.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every service of `router`, whatever its status, by id.
    pub async fn provisioning_rows(&self, router: RouterId) -> Result<Vec<ProvisioningRow>, StoreError> {
        let sql = format!(
            "SELECT {SERVICE_COLUMNS}, s.password, s.adopt, s.router_provisioned FROM services s WHERE s.router_id = ? ORDER BY s.id"
        );
        let rows = sqlx::query(&sql).bind(router.0).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(ProvisioningRow {
                    service: service_row(row)?,
                    password: row.try_get(10)?,
                    adopt: row.try_get(11)?,
                    router_provisioned: row.try_get("router_provisioned")?,
                })
            })
            .collect()
    }

    /// Every service, by id (for the next midnight cutoff).
    pub async fn all_services(&self) -> Result<Vec<Service>, StoreError> {
        let sql = format!("SELECT {SERVICE_COLUMNS} FROM services s ORDER BY s.id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(service_row).collect()
    }

    /// The earliest last paid day (`next_billing_date` + grace, the
    /// service's or `default_grace_days`) on or after `from` among active
    /// services: what `IspPolicy::next_cutoff` finds, computed in SQL
    /// (tens of milliseconds at 100,000 services, where reading every
    /// service takes hundreds). The cutoff is the start of the next day in
    /// the ISP's time zone; pass `from` = the ISP's today.
    pub async fn earliest_paid_through(&self, default_grace_days: u16, from: Date) -> Result<Option<Date>, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(paid) FROM (
                 SELECT date(next_billing_date, '+' || IFNULL(grace_days, ?1) || ' days') AS paid
                 FROM services WHERE status = 'active' AND next_billing_date IS NOT NULL
             ) WHERE paid >= ?2",
        )
        .bind(i64::from(default_grace_days))
        .bind(from.to_string())
        .fetch_one(&self.pool)
        .await?;
        opt_date("services", row.try_get(0)?)
    }

    /// Which of `ids` are services of this database (the others were made
    /// by another installation, or are long gone).
    pub async fn existing_service_ids(&self, ids: &[ServiceId]) -> Result<BTreeSet<ServiceId>, StoreError> {
        let mut found = BTreeSet::new();
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT id FROM services WHERE id IN ({})", vec!["?"; chunk.len()].join(", "));
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.0);
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(ServiceId(row.try_get(0)?));
            }
        }
        Ok(found)
    }

    /// The service, other than a terminated one, that has `address` on
    /// `router` (a static IP, or a PPPoE user's fixed address): the router
    /// can give an address to one customer only.
    pub async fn service_with_address(
        &self,
        router: RouterId,
        address: IpAddr,
    ) -> Result<Option<ServiceId>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM services WHERE router_id = ? AND ip_address = ? AND status <> 'terminated' LIMIT 1",
        )
        .bind(router.0)
        .bind(address.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(ServiceId))
    }

    /// The service using PPPoE user name `username` on `router`, if any.
    pub async fn pppoe_user(&self, router: RouterId, username: &str) -> Result<Option<ServiceId>, StoreError> {
        let row = sqlx::query("SELECT id FROM services WHERE router_id = ? AND username = ?")
            .bind(router.0)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0).map(ServiceId)).transpose()?)
    }

    /// All services with their customer, router and plan names, by customer
    /// name. For small lists; pages of a large one: [`Store::services_page`].
    pub async fn services(&self) -> Result<Vec<ServiceOverview>, StoreError> {
        let sql = format!("SELECT {OVERVIEW_COLUMNS} {OVERVIEW_JOINS} ORDER BY c.name, s.id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(service_overview).collect()
    }

    pub async fn service(&self, id: ServiceId) -> Result<Option<ServiceOverview>, StoreError> {
        let sql = format!("SELECT {OVERVIEW_COLUMNS} {OVERVIEW_JOINS} WHERE s.id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(service_overview).transpose()
    }

    /// One page of the services matching `query`, oldest first, and how
    /// many match in all.
    pub async fn services_page(&self, query: &ServiceQuery) -> Result<ServicesPage, StoreError> {
        let mut filters = Vec::new();
        if query.status.is_some() {
            filters.push("s.status = ?");
        }
        if query.router.is_some() {
            filters.push("s.router_id = ?");
        }
        // One JSON array bound, however many ids: no limit on parameters.
        let only = query.only.as_ref().map(|ids| {
            let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
            serde_json::Value::from(ids).to_string()
        });
        if only.is_some() {
            filters.push("s.id IN (SELECT value FROM json_each(?))");
        }
        let search = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        // Three characters or more: the trigram index; shorter: a scan.
        let (indexed, pattern) = match search {
            Some(text) if text.chars().count() >= 3 => (Some(fts_phrase(text)), None),
            Some(text) => (None, Some(contains_pattern(text))),
            None => (None, None),
        };
        if indexed.is_some() {
            filters.push("s.id IN (SELECT rowid FROM service_search WHERE service_search MATCH ?)");
        }
        if pattern.is_some() {
            filters.push(
                "(c.name LIKE ? ESCAPE '\\' OR c.phone LIKE ? ESCAPE '\\' OR c.address LIKE ? ESCAPE '\\'
                  OR s.username LIKE ? ESCAPE '\\' OR s.ip_address LIKE ? ESCAPE '\\')",
            );
        }
        let filter = if filters.is_empty() { String::new() } else { format!("WHERE {}", filters.join(" AND ")) };
        // Without a search or a list, the total is a sum over the counts the
        // triggers keep (a few rows), not a count of the services.
        let count_sql = if search.is_some() || only.is_some() {
            format!("SELECT COUNT(*) FROM services s JOIN customers c ON c.id = s.customer_id {filter}")
        } else {
            let filter = filter.replace("s.status", "status").replace("s.router_id", "router_id");
            format!("SELECT IFNULL(SUM(n), 0) FROM service_counts {filter}")
        };
        // The offset is walked on the narrow id index first; only the page's
        // rows are joined to their names.
        let customers = if pattern.is_some() { "JOIN customers c ON c.id = s.customer_id" } else { "" };
        let page_sql = format!(
            "SELECT {OVERVIEW_COLUMNS} {OVERVIEW_JOINS}
             WHERE s.id IN (SELECT s.id FROM services s {customers} {filter} ORDER BY s.id LIMIT ? OFFSET ?)
             ORDER BY s.id"
        );

        let mut count = sqlx::query(&count_sql);
        let mut page = sqlx::query(&page_sql);
        if let Some(status) = query.status {
            count = count.bind(status.as_str());
            page = page.bind(status.as_str());
        }
        if let Some(router) = query.router {
            count = count.bind(router.0);
            page = page.bind(router.0);
        }
        if let Some(only) = &only {
            count = count.bind(only.clone());
            page = page.bind(only.clone());
        }
        if let Some(phrase) = &indexed {
            count = count.bind(phrase.clone());
            page = page.bind(phrase.clone());
        }
        if let Some(pattern) = &pattern {
            for _ in 0..5 {
                count = count.bind(pattern.clone());
                page = page.bind(pattern.clone());
            }
        }
        page = page.bind(query.limit).bind(query.offset);

        let mut conn = self.pool.acquire().await?;
        let total: i64 = count.fetch_one(&mut *conn).await?.try_get(0)?;
        let rows = page.fetch_all(&mut *conn).await?;
        Ok(ServicesPage {
            total: u64::try_from(total).unwrap_or(0),
            rows: rows.iter().map(service_overview).collect::<Result<_, _>>()?,
        })
    }
}

/// `text` as one FTS5 phrase: a substring match on the trigram index
/// (quotes doubled, so nothing the operator types is query syntax).
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Ends a one-service write made at `now`: not found, or sweep its router
/// and commit.
async fn finish_service_write(
    mut tx: WriteTx,
    id: ServiceId,
    row: Option<SqliteRow>,
    now: Timestamp,
) -> Result<(), StoreError> {
    sweep_service_router(&mut tx, id, row, now).await?;
    tx.commit().await?;
    Ok(())
}

fn access_row(row: &SqliteRow) -> Result<Access, StoreError> {
    access(row.try_get("kind")?, row.try_get("username")?, row.try_get("ip_address")?)
}

/// The access of a service's `kind`, `username` and `ip_address` columns
/// (a PPPoE service's fixed address is its `ip_address`).
fn access(kind: &str, username: Option<String>, ip: Option<&str>) -> Result<Access, StoreError> {
    let address = |ip: &str| IpAddr::from_str(ip).map_err(|e| corrupt("services", format!("{ip:?}: {e}")));
    match kind {
        "pppoe" => Ok(Access::Pppoe {
            username: username.ok_or_else(|| corrupt("services", "a PPPoE service without a user name"))?,
            address: ip.map(address).transpose()?,
        }),
        "static" => {
            let ip = ip.ok_or_else(|| corrupt("services", "a static service without an address"))?;
            Ok(Access::StaticIp { address: address(ip)? })
        }
        other => Err(corrupt("services", format!("unknown kind {other:?}"))),
    }
}

fn status_row(row: &SqliteRow) -> Result<ServiceStatus, StoreError> {
    let status: &str = row.try_get("status")?;
    ServiceStatus::from_str(status).map_err(|e| corrupt("services", e))
}

fn grace_row(row: &SqliteRow) -> Result<Option<u16>, StoreError> {
    let grace: Option<i64> = row.try_get("grace_days")?;
    grace.map(|g| u16::try_from(g).map_err(|e| corrupt("services", e))).transpose()
}

/// A row of [`SERVICE_COLUMNS`], read by position: the engine reads every
/// service, and looking columns up by name doubled the time.
pub(super) fn service_row(row: &SqliteRow) -> Result<Service, StoreError> {
    let access = access(row.try_get(4)?, row.try_get(5)?, row.try_get(6)?)?;
    let status: &str = row.try_get(7)?;
    let due: Option<&str> = row.try_get(8)?;
    let grace: Option<i64> = row.try_get(9)?;
    Ok(Service {
        id: ServiceId(row.try_get(0)?),
        customer: CustomerId(row.try_get(1)?),
        router: RouterId(row.try_get(2)?),
        plan: PlanId(row.try_get(3)?),
        access,
        status: ServiceStatus::from_str(status).map_err(|e| corrupt("services", e))?,
        next_billing_date: due.map(|d| super::parse_date("services", d)).transpose()?,
        grace_days: grace.map(|g| u16::try_from(g).map_err(|e| corrupt("services", e))).transpose()?,
    })
}

fn service_overview(row: &SqliteRow) -> Result<ServiceOverview, StoreError> {
    Ok(ServiceOverview {
        id: ServiceId(row.try_get("id")?),
        customer: CustomerId(row.try_get("customer_id")?),
        customer_name: row.try_get("customer_name")?,
        customer_phone: row.try_get("customer_phone")?,
        router: RouterId(row.try_get("router_id")?),
        router_name: row.try_get("router_name")?,
        plan: PlanId(row.try_get("plan_id")?),
        plan_name: row.try_get("plan_name")?,
        access: access_row(row)?,
        status: status_row(row)?,
        next_billing_date: opt_date("services", row.try_get("next_billing_date")?)?,
        grace_days: grace_row(row)?,
        adopt: row.try_get("adopt")?,
        router_provisioned: row.try_get("router_provisioned")?,
        provisioned_at: opt_ts("services", row.try_get("provisioned_at")?)?,
    })
}

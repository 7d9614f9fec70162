//! Importing many services at once (`headend import services`): all of
//! them or none, in one transaction of a few statements per few hundred
//! rows (one statement per row would cost a thread hop each in sqlx's
//! SQLite driver: half a minute for 100,000 services).

use std::collections::{BTreeSet, HashMap, HashSet};

use headend_core::activity::{Actor, Subject};
use headend_core::geo::GeoPoint;
use headend_core::import::{ImportRow, RowError, parse_services_with};
use headend_core::service::{Access, ServiceStatus};
use headend_core::{CustomerId, PlanId, RouterId, ServiceId};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{Row, SqliteConnection};

use super::{Store, next_id, sweep_router, ts, values};
use crate::error::StoreError;

/// An import file checked against the database: the good rows with their
/// router and plan resolved, and every problem by line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckedImport {
    pub rows: Vec<CheckedRow>,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRow {
    pub row: ImportRow,
    pub router: RouterId,
    pub plan: PlanId,
    /// No customer of that exact name and phone exists yet (the first row
    /// that names one says so; later rows reuse it).
    pub new_customer: bool,
}

/// One service to import, its router and plan already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportService {
    /// Found by exact name and phone, or created.
    pub customer_name: String,
    pub customer_phone: Option<String>,
    /// A new customer's street address and place on the map (an existing
    /// customer keeps theirs).
    pub customer_address: Option<String>,
    pub customer_location: Option<GeoPoint>,
    pub router: RouterId,
    pub plan: PlanId,
    pub access: Access,
    /// Already encrypted (`headend_secrets::SubscriberCipher`).
    pub password: Option<Vec<u8>>,
    pub status: ServiceStatus,
    pub next_billing_date: Option<Date>,
    /// Take over the router's existing secret of the same name (marking it
    /// as Headend's) instead of reporting a conflict.
    pub adopt: bool,
}

impl ImportService {
    /// The service of a checked row; `password` is the row's password
    /// already encrypted.
    pub fn from_checked(checked: &CheckedRow, password: Option<Vec<u8>>) -> Self {
        let row = &checked.row;
        Self {
            customer_name: row.customer.clone(),
            customer_phone: row.phone.clone(),
            customer_address: row.address.clone(),
            customer_location: row.location,
            router: checked.router,
            plan: checked.plan,
            access: row.access.clone(),
            password,
            status: row.status,
            next_billing_date: row.next_billing_date,
            adopt: false,
        }
    }
}

/// Rows per statement: 13 parameters each stays far below SQLite's
/// limit of 32,766.
const CHUNK: usize = 400;

async fn router_name(conn: &mut SqliteConnection, router: RouterId) -> String {
    sqlx::query("SELECT name FROM routers WHERE id = ?")
        .bind(router.0)
        .fetch_optional(conn)
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get::<String, _>(0).ok())
        .unwrap_or_else(|| router.to_string())
}

impl Store {
    /// Reads an import file (see `headend_core::import`) and checks it
    /// against the database: unknown routers and plans, and PPPoE user
    /// names already on their router, are errors on their lines. Writes
    /// nothing; [`Store::import_services`] does, with the good rows.
    pub async fn check_import(&self, bytes: &[u8]) -> Result<CheckedImport, StoreError> {
        let routers: HashMap<String, RouterId> = self.routers().await?.into_iter().map(|r| (r.name, r.id)).collect();
        let plans: HashMap<String, PlanId> = self.plans().await?.into_iter().map(|p| (p.name, p.id)).collect();
        let parsed = parse_services_with(bytes, &|name| routers.contains_key(name), &|name| plans.contains_key(name));
        let mut checked = CheckedImport { rows: Vec::new(), errors: parsed.errors };
        let mut seen = HashSet::new();
        for row in parsed.rows {
            let (Some(&router), Some(&plan)) = (routers.get(&row.router), plans.get(&row.plan)) else { continue };
            if let Access::Pppoe { username, .. } = &row.access
                && self.pppoe_user(router, username).await?.is_some()
            {
                checked.errors.push(RowError::new(
                    row.line,
                    format!("a PPPoE user named {username:?} already exists on router {:?}", row.router),
                ));
                continue;
            }
            let key = (row.customer.clone(), row.phone.clone());
            let new_customer =
                seen.insert(key.clone()) && self.customer_by_name_and_phone(&key.0, key.1.as_deref()).await?.is_none();
            checked.rows.push(CheckedRow { row, router, plan, new_customer });
        }
        checked.errors.sort_by_key(|e| e.line);
        Ok(checked)
    }

    /// Imports `services` in one transaction: each customer is found by
    /// exact name and phone (the oldest such) or created once, each service
    /// created, one activity entry (`service:<id>` "imported", by `actor`
    /// at `at`) written per service, and every router involved asked to
    /// sweep. A PPPoE user name already on the router, or twice in
    /// `services`, is [`StoreError::DuplicateUser`]; on any error nothing
    /// is written. Returns the new ids in the order of `services`.
    pub async fn import_services(
        &self,
        services: &[ImportService],
        at: Timestamp,
        actor: &Actor,
    ) -> Result<Vec<ServiceId>, StoreError> {
        let mut tx = self.write().await?;

        // User names: twice in the list, or already on the router.
        let mut users = HashSet::new();
        for s in services {
            if let Access::Pppoe { username, .. } = &s.access
                && !users.insert((s.router, username.as_str()))
            {
                let router = router_name(&mut tx, s.router).await;
                return Err(StoreError::DuplicateUser { user: username.clone(), router });
            }
        }
        let names: Vec<&str> = users.iter().map(|(_, u)| *u).collect::<BTreeSet<_>>().into_iter().collect();
        for chunk in names.chunks(CHUNK) {
            let sql = format!(
                "SELECT router_id, username FROM services WHERE username IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut select = sqlx::query(&sql);
            for name in chunk {
                select = select.bind(*name);
            }
            for row in select.fetch_all(&mut *tx).await? {
                let router = RouterId(row.try_get(0)?);
                let user: String = row.try_get(1)?;
                if users.contains(&(router, user.as_str())) {
                    let router = router_name(&mut tx, router).await;
                    return Err(StoreError::DuplicateUser { user, router });
                }
            }
        }

        // Customers: the existing ones by name, then the missing ones made.
        type Key = (String, Option<String>);
        let key = |s: &ImportService| -> Key { (s.customer_name.clone(), s.customer_phone.clone()) };
        let wanted: HashSet<Key> = services.iter().map(key).collect();
        let names: Vec<&str> = wanted.iter().map(|(n, _)| n.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
        let mut customers: HashMap<Key, CustomerId> = HashMap::new();
        for chunk in names.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, name, phone FROM customers WHERE name IN ({}) ORDER BY id",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut select = sqlx::query(&sql);
            for name in chunk {
                select = select.bind(*name);
            }
            for row in select.fetch_all(&mut *tx).await? {
                let found: Key = (row.try_get("name")?, row.try_get("phone")?);
                if wanted.contains(&found) {
                    let id = CustomerId(row.try_get("id")?);
                    customers.entry(found).or_insert(id);
                }
            }
        }
        let mut missing = Vec::new();
        let mut listed = HashSet::new();
        for s in services {
            let k = key(s);
            if !customers.contains_key(&k) && listed.insert(k.clone()) {
                missing.push((k, s));
            }
        }
        // The write lock is ours: ids after the largest are free.
        let mut id = next_id(&mut tx, "customers").await?;
        let now = self.now();
        let stamp = ts(now);
        for chunk in missing.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO customers (id, name, phone, address, latitude, longitude, created_at) VALUES {}",
                values(chunk.len(), 7)
            );
            let mut insert = sqlx::query(&sql);
            for ((name, phone), first) in chunk {
                insert = insert
                    .bind(id)
                    .bind(name.as_str())
                    .bind(phone.as_deref())
                    .bind(first.customer_address.as_deref())
                    .bind(first.customer_location.map(|l| l.lat()))
                    .bind(first.customer_location.map(|l| l.lon()))
                    .bind(&stamp);
                customers.insert((name.clone(), phone.clone()), CustomerId(id));
                id += 1;
            }
            insert.execute(&mut *tx).await?;
        }

        // Services, then one activity entry each.
        let first = next_id(&mut tx, "services").await?;
        let ids: Vec<ServiceId> = (first..).take(services.len()).map(ServiceId).collect();
        for (chunk, chunk_ids) in services.chunks(CHUNK).zip(ids.chunks(CHUNK)) {
            let sql = format!(
                "INSERT INTO services (id, customer_id, router_id, plan_id, kind, username, ip_address, status,
                                       next_billing_date, password, adopt, created_at, updated_at)
                 VALUES {}",
                values(chunk.len(), 13)
            );
            let mut insert = sqlx::query(&sql);
            for (s, id) in chunk.iter().zip(chunk_ids) {
                let customer = customers
                    .get(&key(s))
                    .copied()
                    .ok_or_else(|| StoreError::NotFound(format!("customer {:?}", s.customer_name)))?;
                let (username, address) = match &s.access {
                    Access::Pppoe { username, address } => (Some(username.clone()), address.map(|a| a.to_string())),
                    Access::StaticIp { address } => (None, Some(address.to_string())),
                };
                insert = insert
                    .bind(id.0)
                    .bind(customer.0)
                    .bind(s.router.0)
                    .bind(s.plan.0)
                    .bind(s.access.kind())
                    .bind(username)
                    .bind(address)
                    .bind(s.status.as_str())
                    .bind(s.next_billing_date.map(|d| d.to_string()))
                    .bind(s.password.clone())
                    .bind(s.adopt)
                    .bind(&stamp)
                    .bind(&stamp);
            }
            insert.execute(&mut *tx).await?;

            let sql = format!(
                "INSERT INTO activity_log (at, actor, subject, action, detail) VALUES {}",
                values(chunk.len(), 5)
            );
            let mut insert = sqlx::query(&sql);
            for (s, id) in chunk.iter().zip(chunk_ids) {
                let login = match &s.access {
                    Access::Pppoe { username, .. } => format!("PPPoE {username}"),
                    Access::StaticIp { address } => format!("static {address}"),
                };
                let due = s.next_billing_date.map_or_else(|| "no due date".to_owned(), |d| format!("due {d}"));
                insert = insert
                    .bind(ts(at))
                    .bind(actor.as_str())
                    .bind(Subject::Service(*id).to_string())
                    .bind("imported")
                    .bind(format!("{login} for {}, {}, {due}", s.customer_name, s.status));
            }
            insert.execute(&mut *tx).await?;
        }

        let routers: BTreeSet<RouterId> = services.iter().map(|s| s.router).collect();
        for router in routers {
            sweep_router(&mut tx, router, now).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }
}

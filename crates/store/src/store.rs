use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use headend_core::activity::{ActivityEntry, Actor};
use headend_core::plan::{BillingCycle, Plan, Rate};
use headend_core::router::{Pop, Router, Transport};
use headend_core::service::{Access, ServiceStatus};
use headend_core::geo::GeoPoint;
use headend_core::{CustomerId, PlanId, PopId, RouterId, ServiceId};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::error::StoreError;
use crate::records::{NewCustomer, NewPlan, NewPop, NewRouter, NewService, ServiceOverview, StoreStatus};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// The database. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

fn corrupt(table: &'static str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

/// Maps a unique-constraint violation to a clear "already exists" error.
fn unique_violation(what: &'static str, value: &str) -> impl FnOnce(sqlx::Error) -> StoreError {
    let value = value.to_owned();
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate { what, value },
        _ => StoreError::Sql(err),
    }
}

fn now() -> String {
    Timestamp::now().to_string()
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` in WAL mode
    /// with foreign keys enforced, and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // The app, the CLI and the agent share the file: wait for a
            // writer rather than fail at once.
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        MIGRATOR.run(&pool).await?;
        tracing::debug!(path = %path.display(), "database open");
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A random name for this database, made by its first migration. It
    /// scopes the database's passwords in the OS keyring.
    pub async fn installation_id(&self) -> Result<String, StoreError> {
        Ok(sqlx::query("SELECT value FROM meta WHERE key = 'installation_id'")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    pub async fn status(&self) -> Result<StoreStatus, StoreError> {
        let row = sqlx::query(
            "SELECT
                (SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success) AS schema_version,
                (SELECT COUNT(*) FROM pops) AS pops,
                (SELECT COUNT(*) FROM routers) AS routers,
                (SELECT COUNT(*) FROM plans) AS plans,
                (SELECT COUNT(*) FROM customers) AS customers,
                (SELECT COUNT(*) FROM services) AS services,
                (SELECT COUNT(*) FROM services WHERE status = 'active') AS active_services,
                (SELECT COUNT(*) FROM services WHERE status = 'suspended') AS suspended_services",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(StoreStatus {
            schema_version: row.try_get("schema_version")?,
            pops: row.try_get("pops")?,
            routers: row.try_get("routers")?,
            plans: row.try_get("plans")?,
            customers: row.try_get("customers")?,
            services: row.try_get("services")?,
            active_services: row.try_get("active_services")?,
            suspended_services: row.try_get("suspended_services")?,
        })
    }

    pub async fn add_router(&self, new: &NewRouter) -> Result<RouterId, StoreError> {
        let id = sqlx::query(
            "INSERT INTO routers (name, host, port, transport, username, pop_id, latitude, longitude, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(&new.host)
        .bind(new.port)
        .bind(new.transport.as_str())
        .bind(&new.username)
        .bind(new.pop.map(|p| p.0))
        .bind(new.location.map(|l| l.lat()))
        .bind(new.location.map(|l| l.lon()))
        .bind(now())
        .fetch_one(&self.pool)
        .await
        .map_err(unique_violation("a router named", &new.name))?
        .try_get(0)?;
        Ok(RouterId(id))
    }

    const ROUTER_COLUMNS: &str = "id, name, host, port, transport, username, pop_id, latitude, longitude, tls_pin";

    pub async fn routers(&self) -> Result<Vec<Router>, StoreError> {
        let sql = format!("SELECT {} FROM routers ORDER BY name", Self::ROUTER_COLUMNS);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(router_row).collect()
    }

    pub async fn router(&self, id: RouterId) -> Result<Option<Router>, StoreError> {
        let sql = format!("SELECT {} FROM routers WHERE id = ?", Self::ROUTER_COLUMNS);
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(router_row).transpose()
    }

    pub async fn router_by_name(&self, name: &str) -> Result<Option<Router>, StoreError> {
        let sql = format!("SELECT {} FROM routers WHERE name = ?", Self::ROUTER_COLUMNS);
        let row = sqlx::query(&sql).bind(name).fetch_optional(&self.pool).await?;
        row.as_ref().map(router_row).transpose()
    }

    /// Changes how a router is reached. A new host or transport forgets the
    /// pinned certificate: it belonged to the old endpoint.
    pub async fn update_router(&self, id: RouterId, new: &NewRouter) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE routers SET name = ?, host = ?, port = ?, transport = ?, username = ?, pop_id = ?,
                    latitude = ?, longitude = ?,
                    tls_pin = CASE WHEN host = ? AND port = ? AND transport = ? THEN tls_pin END
             WHERE id = ?",
        )
        .bind(&new.name)
        .bind(&new.host)
        .bind(new.port)
        .bind(new.transport.as_str())
        .bind(&new.username)
        .bind(new.pop.map(|p| p.0))
        .bind(new.location.map(|l| l.lat()))
        .bind(new.location.map(|l| l.lon()))
        .bind(&new.host)
        .bind(new.port)
        .bind(new.transport.as_str())
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(unique_violation("a router named", &new.name))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("router {id}")));
        }
        Ok(())
    }

    pub async fn set_router_tls_pin(&self, id: RouterId, pin: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("UPDATE routers SET tls_pin = ? WHERE id = ?")
            .bind(pin)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes a router that no service uses.
    pub async fn remove_router(&self, id: RouterId) -> Result<(), StoreError> {
        let users: i64 = sqlx::query("SELECT COUNT(*) FROM services WHERE router_id = ?")
            .bind(id.0)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if users > 0 {
            return Err(StoreError::InUse {
                what: format!("router {id}"),
                users: format!("{users} service(s); move or remove them first"),
            });
        }
        let done = sqlx::query("DELETE FROM routers WHERE id = ?").bind(id.0).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("router {id}")));
        }
        Ok(())
    }

    pub async fn add_pop(&self, new: &NewPop) -> Result<PopId, StoreError> {
        let id = sqlx::query(
            "INSERT INTO pops (name, latitude, longitude, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.location.map(|l| l.lat()))
        .bind(new.location.map(|l| l.lon()))
        .bind(now())
        .fetch_one(&self.pool)
        .await
        .map_err(unique_violation("a POP named", &new.name))?
        .try_get(0)?;
        Ok(PopId(id))
    }

    /// The POP named `name`, added (without a location) if there is none.
    /// Also says whether it was added, so a caller whose next step fails
    /// can take it back with [`Store::remove_pop`].
    pub async fn find_or_add_pop(&self, name: &str) -> Result<(PopId, bool), StoreError> {
        let added = sqlx::query(
            "INSERT INTO pops (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = added {
            return Ok((PopId(row.try_get(0)?), true));
        }
        self.pop_by_name(name)
            .await?
            .map(|pop| (pop.id, false))
            // Removed between the two statements by another process.
            .ok_or_else(|| StoreError::NotFound(format!("POP {name:?}")))
    }

    const POP_COLUMNS: &str = "id, name, latitude, longitude";

    /// Every POP, by name.
    pub async fn pops(&self) -> Result<Vec<Pop>, StoreError> {
        let sql = format!("SELECT {} FROM pops ORDER BY name", Self::POP_COLUMNS);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(pop_row).collect()
    }

    pub async fn pop(&self, id: PopId) -> Result<Option<Pop>, StoreError> {
        let sql = format!("SELECT {} FROM pops WHERE id = ?", Self::POP_COLUMNS);
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(pop_row).transpose()
    }

    pub async fn pop_by_name(&self, name: &str) -> Result<Option<Pop>, StoreError> {
        let sql = format!("SELECT {} FROM pops WHERE name = ?", Self::POP_COLUMNS);
        let row = sqlx::query(&sql).bind(name).fetch_optional(&self.pool).await?;
        row.as_ref().map(pop_row).transpose()
    }

    /// Removes a POP; its routers stay, without a POP.
    pub async fn remove_pop(&self, id: PopId) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM pops WHERE id = ?").bind(id.0).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("POP {id}")));
        }
        Ok(())
    }

    pub async fn add_plan(&self, new: &NewPlan) -> Result<PlanId, StoreError> {
        let id = sqlx::query(
            "INSERT INTO plans (name, download_bps, upload_bps, price, billing_cycle, created_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(i64::try_from(new.download.bps()).unwrap_or(i64::MAX))
        .bind(i64::try_from(new.upload.bps()).unwrap_or(i64::MAX))
        .bind(new.price.to_string())
        .bind(new.cycle.as_str())
        .bind(now())
        .fetch_one(&self.pool)
        .await
        .map_err(unique_violation("a plan named", &new.name))?
        .try_get(0)?;
        Ok(PlanId(id))
    }

    pub async fn plans(&self) -> Result<Vec<Plan>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, download_bps, upload_bps, price, billing_cycle FROM plans ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let rate = |col: &str| -> Result<Rate, StoreError> {
                    let bps: i64 = row.try_get(col)?;
                    u64::try_from(bps)
                        .map(Rate::bits_per_second)
                        .map_err(|e| corrupt("plans", e))
                };
                let price: String = row.try_get("price")?;
                let cycle: String = row.try_get("billing_cycle")?;
                Ok(Plan {
                    id: PlanId(row.try_get("id")?),
                    name: row.try_get("name")?,
                    download: rate("download_bps")?,
                    upload: rate("upload_bps")?,
                    price: Decimal::from_str(&price).map_err(|e| corrupt("plans", e))?,
                    cycle: BillingCycle::from_str(&cycle).map_err(|e| corrupt("plans", e))?,
                })
            })
            .collect()
    }

    pub async fn add_customer(&self, new: &NewCustomer) -> Result<CustomerId, StoreError> {
        let id = sqlx::query(
            "INSERT INTO customers (name, phone, email, address, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(&new.phone)
        .bind(&new.email)
        .bind(&new.address)
        .bind(now())
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(CustomerId(id))
    }

    pub async fn add_service(&self, new: &NewService) -> Result<ServiceId, StoreError> {
        let (username, address) = match &new.access {
            Access::Pppoe { username } => (Some(username.as_str()), None),
            Access::StaticIp { address } => (None, Some(address.to_string())),
        };
        let id = sqlx::query(
            "INSERT INTO services (customer_id, router_id, plan_id, kind, username, ip_address, status,
                                   next_billing_date, grace_days, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        .bind(now())
        .fetch_one(&self.pool)
        .await
        .map_err(unique_violation("a PPPoE user on this router named", username.unwrap_or_default()))?
        .try_get(0)?;
        Ok(ServiceId(id))
    }

    const SERVICE_OVERVIEW: &str = "SELECT s.id, s.customer_id, c.name AS customer_name, s.router_id,
               r.name AS router_name, p.name AS plan_name, s.kind, s.username, s.ip_address,
               s.status, s.next_billing_date
        FROM services s
        JOIN customers c ON c.id = s.customer_id
        JOIN routers r ON r.id = s.router_id
        JOIN plans p ON p.id = s.plan_id";

    /// All services with their customer, router and plan names, by customer name.
    pub async fn services(&self) -> Result<Vec<ServiceOverview>, StoreError> {
        let sql = format!("{} ORDER BY c.name, s.id", Self::SERVICE_OVERVIEW);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(service_overview).collect()
    }

    pub async fn service(&self, id: ServiceId) -> Result<Option<ServiceOverview>, StoreError> {
        let sql = format!("{} WHERE s.id = ?", Self::SERVICE_OVERVIEW);
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(service_overview).transpose()
    }

    pub async fn log_activity(&self, entry: &ActivityEntry) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO activity_log (at, actor, subject, action, detail) VALUES (?, ?, ?, ?, ?)")
            .bind(entry.at.to_string())
            .bind(entry.actor.as_str())
            .bind(&entry.subject)
            .bind(&entry.action)
            .bind(&entry.detail)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub async fn recent_activity(&self, limit: u32) -> Result<Vec<ActivityEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, subject, action, detail FROM activity_log ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at: String = row.try_get("at")?;
                let actor: String = row.try_get("actor")?;
                Ok(ActivityEntry {
                    at: Timestamp::from_str(&at).map_err(|e| corrupt("activity_log", e))?,
                    actor: Actor::parse(&actor)
                        .ok_or_else(|| corrupt("activity_log", format!("unknown actor {actor:?}")))?,
                    subject: row.try_get("subject")?,
                    action: row.try_get("action")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }
}

fn router_row(row: &sqlx::sqlite::SqliteRow) -> Result<Router, StoreError> {
    let transport: String = row.try_get("transport")?;
    let port: i64 = row.try_get("port")?;
    let lat: Option<f64> = row.try_get("latitude")?;
    let lon: Option<f64> = row.try_get("longitude")?;
    let location = match (lat, lon) {
        (Some(lat), Some(lon)) => Some(GeoPoint::new(lat, lon).map_err(|e| corrupt("routers", e))?),
        _ => None,
    };
    Ok(Router {
        id: RouterId(row.try_get("id")?),
        name: row.try_get("name")?,
        host: row.try_get("host")?,
        port: u16::try_from(port).map_err(|e| corrupt("routers", e))?,
        transport: Transport::from_str(&transport).map_err(|e| corrupt("routers", e))?,
        username: row.try_get("username")?,
        pop: row.try_get::<Option<i64>, _>("pop_id")?.map(PopId),
        location,
        tls_pin: row.try_get("tls_pin")?,
    })
}

fn location(table: &'static str, lat: Option<f64>, lon: Option<f64>) -> Result<Option<GeoPoint>, StoreError> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).map(Some).map_err(|e| corrupt(table, e)),
        _ => Ok(None),
    }
}

fn pop_row(row: &sqlx::sqlite::SqliteRow) -> Result<Pop, StoreError> {
    Ok(Pop {
        id: PopId(row.try_get("id")?),
        name: row.try_get("name")?,
        location: location("pops", row.try_get("latitude")?, row.try_get("longitude")?)?,
    })
}

fn service_overview(row: &sqlx::sqlite::SqliteRow) -> Result<ServiceOverview, StoreError> {
    let kind: String = row.try_get("kind")?;
    let access = match kind.as_str() {
        "pppoe" => Access::Pppoe {
            username: row
                .try_get::<Option<String>, _>("username")?
                .ok_or_else(|| corrupt("services", "a PPPoE service without a user name"))?,
        },
        "static" => {
            let ip: Option<String> = row.try_get("ip_address")?;
            let ip = ip.ok_or_else(|| corrupt("services", "a static service without an address"))?;
            Access::StaticIp {
                address: IpAddr::from_str(&ip).map_err(|e| corrupt("services", format!("{ip:?}: {e}")))?,
            }
        }
        other => return Err(corrupt("services", format!("unknown kind {other:?}"))),
    };
    let status: String = row.try_get("status")?;
    let due: Option<String> = row.try_get("next_billing_date")?;
    Ok(ServiceOverview {
        id: ServiceId(row.try_get("id")?),
        customer: CustomerId(row.try_get("customer_id")?),
        customer_name: row.try_get("customer_name")?,
        router: RouterId(row.try_get("router_id")?),
        router_name: row.try_get("router_name")?,
        plan_name: row.try_get("plan_name")?,
        access,
        status: ServiceStatus::from_str(&status).map_err(|e| corrupt("services", e))?,
        next_billing_date: due
            .map(|d| Date::from_str(&d).map_err(|e| corrupt("services", format!("{d:?}: {e}"))))
            .transpose()?,
    })
}

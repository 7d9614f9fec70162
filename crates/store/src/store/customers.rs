//! Customers (subscribers).

use headend_core::CustomerId;
use headend_core::customer::Customer;
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::routers::location;
use super::{Store, ts};
use crate::error::StoreError;
use crate::records::NewCustomer;

const CUSTOMER_COLUMNS: &str = "id, name, phone, email, address, latitude, longitude";

impl Store {
    pub async fn add_customer(&self, new: &NewCustomer) -> Result<CustomerId, StoreError> {
        let mut tx = self.write().await?;
        let id = insert_customer(&mut tx, new, self.now()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every customer, by name.
    pub async fn customers(&self) -> Result<Vec<Customer>, StoreError> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers ORDER BY name, id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(customer_row).collect()
    }

    pub async fn customer(&self, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(customer_row).transpose()
    }

    /// The customer with exactly this name and phone (`None` matches only
    /// customers without a phone), the oldest if several.
    pub async fn customer_by_name_and_phone(
        &self,
        name: &str,
        phone: Option<&str>,
    ) -> Result<Option<CustomerId>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        find_customer(&mut conn, name, phone).await
    }

    pub async fn update_customer(&self, id: CustomerId, new: &NewCustomer) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        update_customer_row(&mut tx, id, new).await?;
        Ok(tx.commit().await?)
    }
}

pub(super) async fn insert_customer(
    conn: &mut SqliteConnection,
    new: &NewCustomer,
    now: Timestamp,
) -> Result<CustomerId, StoreError> {
    let id = sqlx::query(
        "INSERT INTO customers (name, phone, email, address, latitude, longitude, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&new.name)
    .bind(&new.phone)
    .bind(&new.email)
    .bind(&new.address)
    .bind(new.location.map(|l| l.lat()))
    .bind(new.location.map(|l| l.lon()))
    .bind(ts(now))
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(CustomerId(id))
}

pub(super) async fn find_customer(
    conn: &mut SqliteConnection,
    name: &str,
    phone: Option<&str>,
) -> Result<Option<CustomerId>, StoreError> {
    let row = sqlx::query("SELECT id FROM customers WHERE name = ? AND phone IS ? ORDER BY id LIMIT 1")
        .bind(name)
        .bind(phone)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0).map(CustomerId)).transpose()?)
}

pub(super) async fn update_customer_row(
    conn: &mut SqliteConnection,
    id: CustomerId,
    new: &NewCustomer,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE customers SET name = ?, phone = ?, email = ?, address = ?, latitude = ?, longitude = ? WHERE id = ?",
    )
    .bind(&new.name)
    .bind(&new.phone)
    .bind(&new.email)
    .bind(&new.address)
    .bind(new.location.map(|l| l.lat()))
    .bind(new.location.map(|l| l.lon()))
    .bind(id.0)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("customer {id}")));
    }
    Ok(())
}

fn customer_row(row: &SqliteRow) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: CustomerId(row.try_get("id")?),
        name: row.try_get("name")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        address: row.try_get("address")?,
        location: location("customers", row.try_get("latitude")?, row.try_get("longitude")?)?,
    })
}

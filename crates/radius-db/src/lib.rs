//! FreeRADIUS's SQL database, PostgreSQL or MySQL/MariaDB, as Headend's
//! RADIUS mode uses it: the schema ([`schema`]), the user and group rows
//! Headend keeps there ([`users`]), the `nas` rows of its routers ([`nas`])
//! and `radacct` read incrementally ([`accounting`]).
//!
//! What the rows should be is decided in `headend_core::radius`; this crate
//! only reads and writes them. One pool type serves both servers (sqlx's
//! Any driver); the few statements that differ are chosen by [`Dialect`].
//!
//! The database's password comes from the keyring and goes only into the
//! connection: never into an error, a log line or the address Headend
//! stores.

pub mod accounting;
pub mod nas;
pub mod schema;
pub mod users;

use std::time::Duration;

use headend_core::radius::database::{DatabaseUrl, Dialect};
use headend_secrets::Secret;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

#[derive(Debug, thiserror::Error)]
pub enum RadiusDbError {
    #[error("cannot reach the RADIUS database at {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("the RADIUS database refused {what}: {detail}")]
    Query { what: &'static str, detail: String },
    #[error(
        "the RADIUS database lacks FreeRADIUS's tables ({0}); create them with `headend radius set … --create-schema`"
    )]
    MissingTables(String),
    #[error("the RADIUS database holds a {table} row Headend cannot read: {detail}")]
    Corrupt { table: &'static str, detail: String },
}

/// Characters a password may not carry into a URL's user-info unescaped.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A connection pool to FreeRADIUS's database.
#[derive(Debug, Clone)]
pub struct RadiusDb {
    pool: AnyPool,
    dialect: Dialect,
    url: DatabaseUrl,
}

impl RadiusDb {
    /// Connects (and checks the connection with one round trip). A few
    /// connections are enough: syncs of one process run one at a time per
    /// router and write in one transaction.
    pub async fn connect(url: &DatabaseUrl, password: &Secret) -> Result<Self, RadiusDbError> {
        sqlx::any::install_default_drivers();
        let scheme = match url.dialect {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        };
        let host = if url.host.contains(':') { format!("[{}]", url.host) } else { url.host.clone() };
        let connect_url = format!(
            "{scheme}://{}:{}@{host}:{}/{}",
            url.user,
            utf8_percent_encode(password.expose(), USERINFO),
            url.port,
            url.database
        );
        let failed =
            |detail: String| RadiusDbError::Connect { url: url.to_string(), detail: redact(&detail, password) };
        let options: AnyConnectOptions = connect_url.parse().map_err(|e: sqlx::Error| failed(e.to_string()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| failed(e.to_string()))?;
        sqlx::query("SELECT 1").execute(&pool).await.map_err(|e| failed(e.to_string()))?;
        Ok(Self { pool, dialect: url.dialect, url: url.clone() })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The address, without the password.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The `n`th (1-based) bind placeholder of this dialect.
    pub(crate) fn placeholder(&self, n: usize) -> String {
        match self.dialect {
            Dialect::Postgres => format!("${n}"),
            Dialect::Mysql => "?".to_owned(),
        }
    }

    /// `count` placeholders from `first`, comma-separated: `$3, $4, $5`.
    pub(crate) fn placeholders(&self, first: usize, count: usize) -> String {
        (first..first + count).map(|n| self.placeholder(n)).collect::<Vec<_>>().join(", ")
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A query's error, worded for the operator.
pub(crate) fn query_error(what: &'static str) -> impl Fn(sqlx::Error) -> RadiusDbError {
    move |e| RadiusDbError::Query { what, detail: e.to_string() }
}

/// Drivers sometimes echo what they were given; the password never leaves.
fn redact(text: &str, password: &Secret) -> String {
    let secret = password.expose();
    let mut out = text.to_owned();
    if !secret.is_empty() {
        out = out.replace(secret, "***");
        let escaped = utf8_percent_encode(secret, USERINFO).to_string();
        out = out.replace(&escaped, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_redacted_plain_and_escaped() {
        let password = Secret::new("p@ss word".into());
        let text = "error at postgres://radius:p%40ss%20word@h/db: bad password p@ss word";
        assert_eq!(redact(text, &password), "error at postgres://radius:***@h/db: bad password ***");
    }
}

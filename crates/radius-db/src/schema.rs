//! FreeRADIUS's tables: whether they are there, which FreeRADIUS they
//! look like, and creating the missing ones in an empty database.

use headend_core::radius::database::Dialect;
use sqlx::Row;

use crate::{RadiusDb, RadiusDbError, query_error};

/// The tables FreeRADIUS's SQL module reads and writes.
pub const TABLES: [&str; 9] = [
    "radcheck",
    "radreply",
    "radgroupcheck",
    "radgroupreply",
    "radusergroup",
    "radacct",
    "radpostauth",
    "nas",
    "nasreload",
];

/// The tables Headend writes or reads; without them it cannot work.
const NEEDED: [&str; 6] = ["radcheck", "radreply", "radgroupreply", "radusergroup", "radacct", "nas"];

/// What the database holds of FreeRADIUS's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// FreeRADIUS's tables that are missing.
    pub missing: Vec<&'static str>,
    /// The FreeRADIUS release the `radacct` columns match: "3.2" (has
    /// `class`), "3.0" (has `acctupdatetime`), "2.x", or none without
    /// `radacct`.
    pub version: Option<&'static str>,
}

impl Schema {
    /// Whether Headend can sync into it.
    pub fn usable(&self) -> bool {
        NEEDED.iter().all(|t| !self.missing.contains(t))
    }
}

impl RadiusDb {
    /// Reads which of FreeRADIUS's tables and `radacct` columns exist.
    pub async fn schema(&self) -> Result<Schema, RadiusDbError> {
        // information_schema's own name types are not plain text to sqlx.
        let (scope, table, column) = match self.dialect() {
            Dialect::Postgres => ("table_schema = current_schema()", "table_name::text", "column_name::text"),
            Dialect::Mysql => {
                ("table_schema = DATABASE()", "CAST(table_name AS CHAR(64))", "CAST(column_name AS CHAR(64))")
            }
        };
        let sql = format!("SELECT {table} FROM information_schema.tables WHERE {scope}");
        let present: Vec<String> = sqlx::query(&sql)
            .fetch_all(self.pool())
            .await
            .map_err(query_error("reading its tables"))?
            .iter()
            .filter_map(|row| row.try_get::<String, _>(0).ok())
            .map(|name| name.to_ascii_lowercase())
            .collect();
        let missing = TABLES.into_iter().filter(|t| !present.iter().any(|p| p == t)).collect::<Vec<_>>();
        let version = if missing.contains(&"radacct") {
            None
        } else {
            let sql =
                format!("SELECT {column} FROM information_schema.columns WHERE {scope} AND table_name = 'radacct'");
            let columns: Vec<String> = sqlx::query(&sql)
                .fetch_all(self.pool())
                .await
                .map_err(query_error("reading radacct's columns"))?
                .iter()
                .filter_map(|row| row.try_get::<String, _>(0).ok())
                .map(|name| name.to_ascii_lowercase())
                .collect();
            let has = |c: &str| columns.iter().any(|x| x == c);
            Some(if has("class") {
                "3.2"
            } else if has("acctupdatetime") {
                "3.0"
            } else {
                "2.x"
            })
        };
        Ok(Schema { missing, version })
    }

    /// Creates FreeRADIUS's missing tables (and their indexes); existing
    /// tables and their rows are left as they are. One statement at a
    /// time: MySQL's protocol runs one per query.
    pub async fn create_schema(&self) -> Result<(), RadiusDbError> {
        let ddl = match self.dialect() {
            Dialect::Postgres => include_str!("schema/postgres.sql"),
            Dialect::Mysql => include_str!("schema/mysql.sql"),
        };
        for statement in statements(ddl) {
            sqlx::query(&statement).execute(self.pool()).await.map_err(query_error("creating FreeRADIUS's tables"))?;
        }
        Ok(())
    }

    /// Fails with what is missing unless Headend can sync into it.
    pub async fn require_schema(&self) -> Result<Schema, RadiusDbError> {
        let schema = self.schema().await?;
        if !schema.usable() {
            return Err(RadiusDbError::MissingTables(schema.missing.join(", ")));
        }
        Ok(schema)
    }
}

/// The statements of a DDL file: comments dropped, split at `;`.
fn statements(ddl: &str) -> Vec<String> {
    let text: String =
        ddl.lines().map(|line| line.split_once("--").map_or(line, |(code, _)| code)).collect::<Vec<_>>().join("\n");
    text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ddl_files_create_every_table() {
        for ddl in [include_str!("schema/postgres.sql"), include_str!("schema/mysql.sql")] {
            let statements = statements(ddl);
            for table in TABLES {
                let create = format!("CREATE TABLE IF NOT EXISTS {table} (");
                assert_eq!(statements.iter().filter(|s| s.starts_with(&create)).count(), 1, "{table}");
            }
            assert!(statements.iter().all(|s| !s.contains("--")));
        }
    }
}

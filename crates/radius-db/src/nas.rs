//! The `nas` rows of Headend's RADIUS routers: how FreeRADIUS (with
//! `read_clients = yes`) knows a router and its shared secret. Headend's
//! rows carry `headend:router=<id>` in `description`; every other row is
//! the operator's and is left alone.

use std::collections::BTreeMap;

use headend_core::RouterId;

use crate::users::get;
use crate::{RadiusDb, RadiusDbError, query_error};

const MARK: &str = "headend:router=";

/// One router as FreeRADIUS's `nas` table holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct NasRow {
    pub router: RouterId,
    /// The router's address, as its requests come from.
    pub nasname: String,
    /// The router's name (FreeRADIUS's MySQL schema keeps 32 characters).
    pub shortname: String,
    pub secret: String,
}

impl std::fmt::Debug for NasRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NasRow")
            .field("router", &self.router)
            .field("nasname", &self.nasname)
            .field("shortname", &self.shortname)
            .field("secret", &"***")
            .finish()
    }
}

impl RadiusDb {
    /// Makes `router`'s `nas` row `wanted` (or removes it); returns how
    /// many rows were written. Other routers' rows are not touched.
    pub async fn sync_nas(&self, router: RouterId, wanted: Option<&NasRow>) -> Result<usize, RadiusDbError> {
        let sql = format!(
            "SELECT id, nasname, shortname, secret, description FROM nas WHERE description = {}",
            self.placeholder(1)
        );
        let rows = sqlx::query(&sql)
            .bind(format!("{MARK}{router}"))
            .fetch_all(self.pool())
            .await
            .map_err(query_error("reading nas"))?;
        let mut have: BTreeMap<RouterId, Vec<(i64, NasRow)>> = BTreeMap::new();
        for row in rows {
            let description: String = get(&row, 4, "nas")?;
            let Some(router) = description.strip_prefix(MARK).and_then(|id| id.parse().ok()).map(RouterId) else {
                continue;
            };
            let id: i64 = get::<i32>(&row, 0, "nas").map(i64::from).or_else(|_| get::<i64>(&row, 0, "nas"))?;
            let current = NasRow {
                router,
                nasname: get(&row, 1, "nas")?,
                shortname: get::<Option<String>>(&row, 2, "nas")?.unwrap_or_default(),
                secret: get(&row, 3, "nas")?,
            };
            have.entry(router).or_default().push((id, current));
        }
        let mut tx = self.pool().begin().await.map_err(query_error("starting a transaction"))?;
        let mut written = 0;
        if let Some(want) = wanted.filter(|w| w.router == router) {
            let mut rows = have.remove(&want.router).unwrap_or_default().into_iter();
            match rows.next() {
                None => {
                    let sql = format!(
                        "INSERT INTO nas (nasname, shortname, type, secret, description) VALUES ({})",
                        self.placeholders(1, 5)
                    );
                    sqlx::query(&sql)
                        .bind(want.nasname.as_str())
                        .bind(short(&want.shortname))
                        .bind("other")
                        .bind(want.secret.as_str())
                        .bind(format!("{MARK}{}", want.router))
                        .execute(&mut *tx)
                        .await
                        .map_err(query_error("adding a nas row"))?;
                    written += 1;
                }
                Some((id, current)) => {
                    let target = NasRow { shortname: short(&want.shortname).to_owned(), ..want.clone() };
                    if current != target {
                        let sql = format!(
                            "UPDATE nas SET nasname = {}, shortname = {}, secret = {} WHERE id = {}",
                            self.placeholder(1),
                            self.placeholder(2),
                            self.placeholder(3),
                            self.placeholder(4)
                        );
                        sqlx::query(&sql)
                            .bind(target.nasname.as_str())
                            .bind(target.shortname.as_str())
                            .bind(target.secret.as_str())
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(query_error("changing a nas row"))?;
                        written += 1;
                    }
                }
            }
            // A router has one row: duplicates go.
            for (id, _) in rows {
                written += self.delete_nas(&mut tx, id).await?;
            }
        }
        for (id, _) in have.into_values().flatten() {
            written += self.delete_nas(&mut tx, id).await?;
        }
        tx.commit().await.map_err(query_error("committing nas rows"))?;
        Ok(written)
    }

    async fn delete_nas(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> Result<usize, RadiusDbError> {
        let sql = format!("DELETE FROM nas WHERE id = {}", self.placeholder(1));
        sqlx::query(&sql).bind(id).execute(&mut **tx).await.map_err(query_error("removing a nas row"))?;
        Ok(1)
    }
}

/// At most 32 characters, on a character boundary.
fn short(name: &str) -> &str {
    name.char_indices().nth(32).map_or(name, |(i, _)| &name[..i])
}

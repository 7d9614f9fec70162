//! The activity log: who or what did what, to which object.

use headend_core::activity::{ActivityEntry, Actor, Subject};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{BATCH_ROWS, Store, contains_pattern, corrupt, parse_ts, ts, values};
use crate::error::StoreError;

/// Which entries the activity page shows, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityQuery {
    /// Only this subject's entries.
    pub subject: Option<Subject>,
    pub actor: Option<Actor>,
    /// Part of the subject, action or detail (case-insensitive for ASCII).
    pub search: Option<String>,
    /// Only entries older than this id (the next page).
    pub before_id: Option<i64>,
    pub limit: u32,
}

impl Default for ActivityQuery {
    fn default() -> Self {
        Self { subject: None, actor: None, search: None, before_id: None, limit: 100 }
    }
}

pub(super) async fn insert_activity(conn: &mut SqliteConnection, entry: &ActivityEntry) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO activity_log (at, actor, subject, action, detail) VALUES (?, ?, ?, ?, ?)")
        .bind(ts(entry.at))
        .bind(entry.actor.as_str())
        .bind(entry.subject.to_string())
        .bind(&entry.action)
        .bind(&entry.detail)
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    pub async fn log_activity(&self, entry: &ActivityEntry) -> Result<(), StoreError> {
        self.log_activity_many(std::slice::from_ref(entry)).await
    }

    /// Many entries in one transaction (a cold sweep logs hundreds).
    pub async fn log_activity_many(&self, entries: &[ActivityEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for chunk in entries.chunks(BATCH_ROWS) {
            let sql = format!(
                "INSERT INTO activity_log (at, actor, subject, action, detail) VALUES {}",
                values(chunk.len(), 5)
            );
            let mut insert = sqlx::query(&sql);
            for entry in chunk {
                insert = insert
                    .bind(ts(entry.at))
                    .bind(entry.actor.as_str())
                    .bind(entry.subject.to_string())
                    .bind(&entry.action)
                    .bind(&entry.detail);
            }
            insert.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub async fn recent_activity(&self, limit: u32) -> Result<Vec<ActivityEntry>, StoreError> {
        let query = ActivityQuery { limit, ..ActivityQuery::default() };
        Ok(self.activity(&query).await?.into_iter().map(|(_, entry)| entry).collect())
    }

    /// Entries matching `query` with their ids, newest first.
    pub async fn activity(&self, query: &ActivityQuery) -> Result<Vec<(i64, ActivityEntry)>, StoreError> {
        let mut filters = Vec::new();
        if query.subject.is_some() {
            filters.push("subject = ?");
        }
        if query.actor.is_some() {
            filters.push("actor = ?");
        }
        let pattern = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(contains_pattern);
        if pattern.is_some() {
            filters.push("(subject LIKE ? ESCAPE '\\' OR action LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\')");
        }
        if query.before_id.is_some() {
            filters.push("id < ?");
        }
        let filter = if filters.is_empty() { String::new() } else { format!("WHERE {}", filters.join(" AND ")) };
        let sql = format!(
            "SELECT id, at, actor, subject, action, detail FROM activity_log {filter} ORDER BY id DESC LIMIT ?"
        );
        let mut select = sqlx::query(&sql);
        if let Some(subject) = query.subject {
            select = select.bind(subject.to_string());
        }
        if let Some(actor) = &query.actor {
            select = select.bind(actor.as_str());
        }
        if let Some(pattern) = &pattern {
            for _ in 0..3 {
                select = select.bind(pattern.clone());
            }
        }
        if let Some(before) = query.before_id {
            select = select.bind(before);
        }
        let rows = select.bind(query.limit).fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, activity_row(row)?))).collect()
    }
}

fn activity_row(row: &SqliteRow) -> Result<ActivityEntry, StoreError> {
    let actor: &str = row.try_get("actor")?;
    let subject: &str = row.try_get("subject")?;
    Ok(ActivityEntry {
        at: parse_ts("activity_log", row.try_get("at")?)?,
        actor: Actor::parse(actor).ok_or_else(|| corrupt("activity_log", format!("unknown actor {actor:?}")))?,
        subject: subject.parse().map_err(|e| corrupt("activity_log", e))?,
        action: row.try_get("action")?,
        detail: row.try_get("detail")?,
    })
}

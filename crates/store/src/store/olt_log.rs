//! The OLT command log: every command sent to an OLT, its reply (cut past
//! [`REPLY_LIMIT`], saying so), how it ended and how long it took. The
//! engine writes it from `headend_olt`'s `CommandLog` sink; passwords never
//! reach it (they answer `Password:` and are not commands).

use std::fmt;
use std::str::FromStr;

use headend_core::OltId;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, corrupt, parse_ts, ts};
use crate::error::StoreError;

/// Longest reply kept, in bytes. A port's optical table of 128 ONUs is
/// about 10 KiB; what is longer is a runaway output.
pub const REPLY_LIMIT: usize = 16 * 1024;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OltLogOutcome {
    Ok,
    /// The OLT answered with an error message.
    Refused,
    /// No prompt came back in time.
    Timeout,
    /// The session failed.
    Failed,
}

impl OltLogOutcome {
    pub const ALL: [OltLogOutcome; 4] =
        [OltLogOutcome::Ok, OltLogOutcome::Refused, OltLogOutcome::Timeout, OltLogOutcome::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            OltLogOutcome::Ok => "ok",
            OltLogOutcome::Refused => "refused",
            OltLogOutcome::Timeout => "timeout",
            OltLogOutcome::Failed => "failed",
        }
    }
}

impl fmt::Display for OltLogOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OltLogOutcome {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OltLogOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| StoreError::Invalid(format!("unknown OLT command outcome {s:?}")))
    }
}

/// A command to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOltLogEntry {
    pub at: Timestamp,
    pub command: String,
    pub reply: String,
    pub outcome: OltLogOutcome,
    /// The OLT's error message, or why the session failed.
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// A logged command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OltLogEntry {
    pub id: i64,
    pub olt: OltId,
    pub at: Timestamp,
    pub command: String,
    /// The reply, cut past [`REPLY_LIMIT`] with a note saying so.
    pub reply: String,
    /// The full reply's length.
    pub reply_bytes: u64,
    pub outcome: OltLogOutcome,
    pub error: Option<String>,
    pub duration_ms: u64,
}

impl OltLogEntry {
    /// Whether the stored reply was cut.
    pub fn truncated(&self) -> bool {
        self.reply_bytes > u64::try_from(REPLY_LIMIT).unwrap_or(u64::MAX)
    }
}

/// `reply` cut to at most [`REPLY_LIMIT`] bytes (on a character
/// boundary) plus a note with the full length.
pub(crate) fn cut_reply(reply: &str) -> String {
    if reply.len() <= REPLY_LIMIT {
        return reply.to_owned();
    }
    let mut end = REPLY_LIMIT;
    while !reply.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[… reply cut: {} bytes in all, the first {end} kept]", &reply[..end], reply.len())
}

impl Store {
    /// Logs commands of any OLTs in one transaction. Entries of an OLT
    /// removed meanwhile are dropped.
    pub async fn log_olt_commands(&self, entries: &[(OltId, NewOltLogEntry)]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for (olt, e) in entries {
            sqlx::query(
                "INSERT INTO olt_command_log (olt_id, at, command, reply, reply_bytes, outcome, error, duration_ms)
                 SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM olts WHERE id = ?)",
            )
            .bind(olt.0)
            .bind(ts(e.at))
            .bind(&e.command)
            .bind(cut_reply(&e.reply))
            .bind(i64::try_from(e.reply.len()).unwrap_or(i64::MAX))
            .bind(e.outcome.as_str())
            .bind(&e.error)
            .bind(i64::try_from(e.duration_ms).unwrap_or(i64::MAX))
            .bind(olt.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// `olt`'s commands, newest first: `limit` of them older than
    /// `before_id` (the next page) if given.
    pub async fn olt_log(
        &self,
        olt: OltId,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OltLogEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, olt_id, at, command, reply, reply_bytes, outcome, error, duration_ms FROM olt_command_log
             WHERE olt_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(olt.0)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(log_row).collect()
    }

    /// Deletes log entries older than `before`; returns how many went.
    pub async fn prune_olt_log(&self, before: Timestamp) -> Result<u64, StoreError> {
        let done = self.execute_write(sqlx::query("DELETE FROM olt_command_log WHERE at < ?").bind(ts(before))).await?;
        Ok(done.rows_affected())
    }
}

fn log_row(row: &SqliteRow) -> Result<OltLogEntry, StoreError> {
    let outcome: &str = row.try_get("outcome")?;
    let count = |col: &str| -> Result<u64, StoreError> {
        u64::try_from(row.try_get::<i64, _>(col)?).map_err(|e| corrupt("olt_command_log", e))
    };
    Ok(OltLogEntry {
        id: row.try_get("id")?,
        olt: OltId(row.try_get("olt_id")?),
        at: parse_ts("olt_command_log", row.try_get("at")?)?,
        command: row.try_get("command")?,
        reply: row.try_get("reply")?,
        reply_bytes: count("reply_bytes")?,
        outcome: OltLogOutcome::from_str(outcome).map_err(|e| corrupt("olt_command_log", e))?,
        error: row.try_get("error")?,
        duration_ms: count("duration_ms")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_replies_are_cut_on_a_character_boundary() {
        assert_eq!(cut_reply("short"), "short");
        let long = "é".repeat(REPLY_LIMIT);
        let cut = cut_reply(&long);
        assert!(cut.len() < REPLY_LIMIT + 100);
        assert!(cut.ends_with(&format!("reply cut: {} bytes in all, the first {REPLY_LIMIT} kept]", long.len())));
        let odd = format!("x{long}");
        assert!(cut_reply(&odd).contains(&format!("the first {} kept", REPLY_LIMIT - 1)));
    }
}

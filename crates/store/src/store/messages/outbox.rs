//! The outbox: one row a message, queued in the transaction of the event
//! that causes it, taken by a sender under a lease, and kept once sent as
//! the customer's message history.
//!
//! A sender's lease is the row's `sending` status with `lease_until`: a
//! row another holds is not taken until the lease ends, so the app and
//! `headend agent` never send one row together, and a sender killed while
//! sending leaves its rows to the next one. The window in which a message
//! can go twice is between the provider accepting it and
//! [`Store::message_sent`] committing: the sender records each message as
//! soon as it is accepted.

use std::time::Duration;

use headend_core::messages::outbox::{Attachment, EventKey, MessageStatus};
use headend_core::messages::{Channel, Language, MessageEvent};
use headend_core::queue::{Backoff, QueueStatus, RetryState};
use headend_core::{CustomerId, MessageId};
use jiff::{SignedDuration, Timestamp};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::error::StoreError;
use crate::store::{Store, Write, corrupt, parse_ts, ts};

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub event: MessageEvent,
    pub key: EventKey,
    pub customer: CustomerId,
    pub channel: Channel,
    /// The address or E.164 number, or why there is none (the row is
    /// queued `failed` with that reason, for the operator to see on the
    /// customer and retry once fixed).
    pub recipient: Result<String, String>,
    pub language: Language,
    pub subject: Option<String>,
    pub body: String,
    pub whatsapp_name: Option<String>,
    pub parameters: Vec<String>,
    pub attachment: Option<Attachment>,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: MessageId,
    pub event: MessageEvent,
    pub key: EventKey,
    pub customer: CustomerId,
    pub customer_name: String,
    pub channel: Channel,
    pub recipient: Option<String>,
    pub language: Language,
    pub subject: Option<String>,
    pub body: String,
    pub whatsapp_name: Option<String>,
    pub parameters: Vec<String>,
    pub attachment: Option<Attachment>,
    pub status: MessageStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Timestamp,
    pub provider_id: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// Which messages a list shows, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageQuery {
    pub status: Option<MessageStatus>,
    pub customer: Option<CustomerId>,
    pub limit: u32,
}

const COLUMNS: &str = "o.id, o.event, o.event_key, o.customer_id, c.name AS customer_name, o.channel, o.recipient,
    o.language, o.subject, o.body, o.whatsapp_name, o.parameters, o.attachment, o.status, o.attempts, o.last_error,
    o.next_attempt_at, o.provider_id, o.created_at, o.sent_at";

/// Rows a multi-row insert carries: 16 columns each, under SQLite's 32,766
/// bound parameters.
const INSERT_BATCH: usize = 1000;

async fn enqueue(conn: &mut SqliteConnection, messages: &[NewMessage], now: Timestamp) -> Result<u64, StoreError> {
    let now = ts(now);
    let mut queued = 0;
    for batch in messages.chunks(INSERT_BATCH) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO outbox (event, event_key, customer_id, channel, recipient, language, subject, body,
                whatsapp_name, parameters, attachment, status, last_error, next_attempt_at, created_at, updated_at) ",
        );
        insert.push_values(batch, |mut row, m| {
            let parameters =
                (!m.parameters.is_empty()).then(|| serde_json::Value::from(m.parameters.clone()).to_string());
            let (recipient, status, error) = match &m.recipient {
                Ok(to) => (Some(to.clone()), MessageStatus::Queued, None),
                Err(why) => (None, MessageStatus::Failed, Some(why.clone())),
            };
            row.push_bind(m.event.as_str())
                .push_bind(m.key.as_str().to_owned())
                .push_bind(m.customer.0)
                .push_bind(m.channel.as_str())
                .push_bind(recipient)
                .push_bind(m.language.as_str().to_owned())
                .push_bind(m.subject.clone())
                .push_bind(m.body.clone())
                .push_bind(m.whatsapp_name.clone())
                .push_bind(parameters)
                .push_bind(m.attachment.as_ref().map(|a| a.to_string()))
                .push_bind(status.as_str())
                .push_bind(error)
                .push_bind(now.clone())
                .push_bind(now.clone())
                .push_bind(now.clone());
        });
        insert.push(" ON CONFLICT (event_key, customer_id, channel) DO NOTHING");
        queued += insert.build().execute(&mut *conn).await?.rows_affected();
    }
    Ok(queued)
}

fn message_row(row: &SqliteRow) -> Result<OutboxMessage, StoreError> {
    const T: &str = "outbox";
    let bad = |e: String| corrupt(T, e);
    let parameters: Option<&str> = row.try_get("parameters")?;
    let parameters = match parameters {
        None => Vec::new(),
        Some(json) => serde_json::from_str(json).map_err(|e| bad(format!("parameters: {e}")))?,
    };
    let attachment: Option<&str> = row.try_get("attachment")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(OutboxMessage {
        id: MessageId(row.try_get("id")?),
        event: row.try_get::<&str, _>("event")?.parse().map_err(|e| bad(format!("{e}")))?,
        key: EventKey::from_stored(row.try_get("event_key")?),
        customer: CustomerId(row.try_get("customer_id")?),
        customer_name: row.try_get("customer_name")?,
        channel: row.try_get::<&str, _>("channel")?.parse().map_err(|e| bad(format!("{e}")))?,
        recipient: row.try_get("recipient")?,
        language: row.try_get::<&str, _>("language")?.parse().map_err(|e| bad(format!("{e}")))?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        whatsapp_name: row.try_get("whatsapp_name")?,
        parameters,
        attachment: attachment.map(str::parse).transpose().map_err(|e| bad(format!("{e}")))?,
        status: row.try_get::<&str, _>("status")?.parse().map_err(|e| bad(format!("{e}")))?,
        attempts: u32::try_from(attempts).map_err(|e| bad(e.to_string()))?,
        last_error: row.try_get("last_error")?,
        next_attempt_at: parse_ts(T, row.try_get("next_attempt_at")?)?,
        provider_id: row.try_get("provider_id")?,
        created_at: parse_ts(T, row.try_get("created_at")?)?,
        sent_at: row.try_get::<Option<&str>, _>("sent_at")?.map(|t| parse_ts(T, t)).transpose()?,
    })
}

impl Write {
    /// Queues `messages`, skipping those whose event key the customer and
    /// channel already have. Returns how many were queued.
    pub async fn enqueue_messages(&mut self, messages: &[NewMessage]) -> Result<u64, StoreError> {
        enqueue(&mut self.tx, messages, self.now).await
    }
}

impl Store {
    /// Takes up to `limit` messages due now on `channels` for `holder`,
    /// for `lease`: queued ones due, and ones whose sender's lease ended.
    pub async fn claim_messages(
        &self,
        holder: &str,
        channels: &[Channel],
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let until = now.saturating_add(SignedDuration::try_from(lease).unwrap_or(SignedDuration::MAX)).unwrap_or(now);
        let channels: Vec<String> = channels.iter().map(|c| format!("'{}'", c.as_str())).collect();
        let sql = format!(
            "UPDATE outbox SET status = 'sending', lease_holder = ?1, lease_until = ?2, updated_at = ?3
             WHERE id IN (SELECT id FROM outbox
                 WHERE status IN ('queued', 'sending')
                   AND ((status = 'queued' AND next_attempt_at <= ?3) OR (status = 'sending' AND lease_until <= ?3))
                   AND channel IN ({})
                 ORDER BY next_attempt_at, id LIMIT ?4)
             RETURNING id",
            channels.join(", ")
        );
        let mut tx = self.write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(&sql)
            .bind(holder)
            .bind(ts(until))
            .bind(ts(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        let ids = format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox o JOIN customers c ON c.id = o.customer_id
             WHERE o.id IN (SELECT value FROM json_each(?)) ORDER BY o.next_attempt_at, o.id"
        ))
        .bind(ids)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(message_row).collect()
    }

    /// Records that the provider accepted `id`.
    pub async fn message_sent(&self, id: MessageId, provider_id: Option<&str>) -> Result<(), StoreError> {
        let now = ts(self.now());
        self.execute_write(
            sqlx::query(
                "UPDATE outbox SET status = 'sent', provider_id = ?, sent_at = ?, updated_at = ?, last_error = NULL,
                     attempts = attempts + 1, lease_holder = NULL, lease_until = NULL WHERE id = ?",
            )
            .bind(provider_id)
            .bind(&now)
            .bind(&now)
            .bind(id.0),
        )
        .await?;
        Ok(())
    }

    /// Renews `holder`'s lease on `id` for `lease` from now, just before
    /// the message is handed to its provider, so the lease covers that
    /// call whatever came before it in the batch. `false`: the row is no
    /// longer `holder`'s to send (its lease ended and another took it).
    pub async fn renew_message_lease(&self, id: MessageId, holder: &str, lease: Duration) -> Result<bool, StoreError> {
        let now = self.now();
        let until = now.saturating_add(SignedDuration::try_from(lease).unwrap_or(SignedDuration::MAX)).unwrap_or(now);
        let done = self
            .execute_write(
                sqlx::query(
                    "UPDATE outbox SET lease_until = ?, updated_at = ?
                     WHERE id = ? AND status = 'sending' AND lease_holder = ?",
                )
                .bind(ts(until))
                .bind(ts(now))
                .bind(id.0)
                .bind(holder),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives back `holder`'s rows among `ids` that it did not send (a
    /// sender stopping): queued again, due now, for the next sender.
    pub async fn release_messages(&self, ids: &[MessageId], holder: &str) -> Result<(), StoreError> {
        let ids = format!("[{}]", ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(","));
        self.execute_write(
            sqlx::query(
                "UPDATE outbox SET status = 'queued', lease_holder = NULL, lease_until = NULL, updated_at = ?
                 WHERE id IN (SELECT value FROM json_each(?)) AND status = 'sending' AND lease_holder = ?",
            )
            .bind(ts(self.now()))
            .bind(ids)
            .bind(holder),
        )
        .await?;
        Ok(())
    }

    /// Records `holder`'s failed attempt at `id`: queued again after the
    /// backoff (`Backoff::Never` for a permanent refusal), or `failed`
    /// once out of attempts. Returns the status it is left in, or `None`
    /// when the row is no longer `holder`'s (its lease ended and another
    /// sender took it, or it was deleted with its customer): nothing is
    /// written.
    pub async fn message_failed(
        &self,
        id: MessageId,
        holder: &str,
        error: &str,
        backoff: Backoff,
    ) -> Result<Option<MessageStatus>, StoreError> {
        let now = self.now();
        let mut tx = self.write().await?;
        let attempts: Option<i64> =
            sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = ? AND status = 'sending' AND lease_holder = ?")
                .bind(id.0)
                .bind(holder)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(attempts) = attempts else { return Ok(None) };
        let previous = RetryState {
            attempts: u32::try_from(attempts).map_err(|e| corrupt("outbox", e))?,
            status: QueueStatus::Retrying,
            next_attempt_at: now,
        };
        let state = RetryState::after_failure(Some(previous), now, backoff);
        let status = if state.status == QueueStatus::Failed { MessageStatus::Failed } else { MessageStatus::Queued };
        sqlx::query(
            "UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, updated_at = ?,
                 lease_holder = NULL, lease_until = NULL WHERE id = ?",
        )
        .bind(status.as_str())
        .bind(i64::from(state.attempts))
        .bind(error)
        .bind(ts(state.next_attempt_at))
        .bind(ts(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(status))
    }

    /// An operator's retry of a failed or waiting message, or of one a
    /// sender abandoned (`sending` past its lease: its channel was removed
    /// meanwhile): queued again, due now, to `recipient` (the customer's
    /// address as it is now), or failed with why there is none.
    pub async fn retry_message(&self, id: MessageId, recipient: Result<String, String>) -> Result<(), StoreError> {
        let now = ts(self.now());
        let (recipient, status, error) = match recipient {
            Ok(to) => (Some(to), MessageStatus::Queued, None),
            Err(why) => (None, MessageStatus::Failed, Some(why)),
        };
        let done = self
            .execute_write(
                sqlx::query(
                    "UPDATE outbox SET status = ?, recipient = ?, last_error = ?, attempts = 0, next_attempt_at = ?,
                         updated_at = ?, lease_holder = NULL, lease_until = NULL
                     WHERE id = ? AND (status IN ('failed', 'queued') OR (status = 'sending' AND lease_until <= ?))",
                )
                .bind(status.as_str())
                .bind(recipient)
                .bind(error)
                .bind(&now)
                .bind(&now)
                .bind(id.0)
                .bind(&now),
            )
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("message {id} to retry (sent, or being sent now)")));
        }
        Ok(())
    }

    pub async fn message(&self, id: MessageId) -> Result<Option<OutboxMessage>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message_row).transpose()
    }

    /// Messages, newest first.
    pub async fn messages(&self, query: &MessageQuery) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut sql = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {COLUMNS} FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE 1 = 1"
        ));
        if let Some(status) = query.status {
            sql.push(" AND o.status = ").push_bind(status.as_str());
        }
        if let Some(customer) = query.customer {
            sql.push(" AND o.customer_id = ").push_bind(customer.0);
        }
        sql.push(" ORDER BY o.id DESC LIMIT ").push_bind(i64::from(query.limit.max(1)));
        let rows = sql.build().fetch_all(&self.pool).await?;
        rows.iter().map(message_row).collect()
    }

    /// How many messages wait in each status.
    pub async fn message_counts(&self) -> Result<Vec<(MessageStatus, u64)>, StoreError> {
        let rows =
            sqlx::query("SELECT status, count(*) AS n FROM outbox GROUP BY status").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let status = r.try_get::<&str, _>("status")?.parse().map_err(|e| corrupt("outbox", e))?;
                Ok((status, r.try_get::<i64, _>("n")?.unsigned_abs()))
            })
            .collect()
    }

    /// How many messages failed and wait for the operator.
    pub async fn failed_message_count(&self) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'failed'").fetch_one(&self.pool).await?;
        Ok(n.unsigned_abs())
    }

    /// When the next message on `channels` is due (queued, or leased by a
    /// sender whose lease ends then), if any waits.
    pub async fn next_message_due(&self, channels: &[Channel]) -> Result<Option<Timestamp>, StoreError> {
        let channels =
            format!("[{}]", channels.iter().map(|c| format!("\"{}\"", c.as_str())).collect::<Vec<_>>().join(","));
        let next: Option<String> = sqlx::query_scalar(
            "SELECT min(CASE status WHEN 'sending' THEN lease_until ELSE next_attempt_at END) FROM outbox
             WHERE status IN ('queued', 'sending') AND channel IN (SELECT value FROM json_each(?))",
        )
        .bind(channels)
        .fetch_one(&self.pool)
        .await?;
        next.map(|t| parse_ts("outbox", &t)).transpose()
    }

    /// Records a blast and queues its messages in one transaction; returns
    /// its id and how many were queued.
    pub async fn record_blast(
        &self,
        filter: &str,
        body: &str,
        created_by: &str,
        messages: impl FnOnce(i64) -> Vec<NewMessage>,
    ) -> Result<(i64, u64), StoreError> {
        let mut write = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO blasts (filter, body, recipients, created_by, created_at) VALUES (?, ?, 0, ?, ?) RETURNING id",
        )
        .bind(filter)
        .bind(body)
        .bind(created_by)
        .bind(ts(write.now))
        .fetch_one(&mut *write.tx)
        .await?;
        let queued = write.enqueue_messages(&messages(id)).await?;
        sqlx::query("UPDATE blasts SET recipients = ? WHERE id = ?")
            .bind(i64::try_from(queued).unwrap_or(i64::MAX))
            .bind(id)
            .execute(&mut *write.tx)
            .await?;
        write.commit().await?;
        Ok((id, queued))
    }
}

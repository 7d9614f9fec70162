//! The operator's message templates, one text per event, channel and
//! language (checked by core's `MessageTemplate::parse` before they are
//! saved, and again when read).

use headend_core::messages::{Channel, Language, MessageEvent};
use sqlx::Row;

use crate::error::StoreError;
use crate::store::{Store, corrupt, ts};

impl Store {
    /// Every template the operator wrote.
    pub async fn message_templates(&self) -> Result<Vec<(MessageEvent, Channel, Language, String)>, StoreError> {
        let rows = sqlx::query("SELECT event, channel, language, body FROM message_templates ORDER BY 1, 2, 3")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let bad = |e: String| corrupt("message_templates", e);
                Ok((
                    r.try_get::<&str, _>("event")?
                        .parse()
                        .map_err(|e: headend_core::messages::UnknownEvent| bad(e.to_string()))?,
                    r.try_get::<&str, _>("channel")?
                        .parse()
                        .map_err(|e: headend_core::messages::UnknownChannel| bad(e.to_string()))?,
                    r.try_get::<&str, _>("language")?
                        .parse()
                        .map_err(|e: headend_core::messages::InvalidLanguage| bad(e.to_string()))?,
                    r.try_get("body")?,
                ))
            })
            .collect()
    }

    /// Saves the operator's text (already checked), or with `None` goes
    /// back to Headend's default.
    pub async fn set_message_template(
        &self,
        event: MessageEvent,
        channel: Channel,
        language: &Language,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        let query = match body {
            Some(body) => sqlx::query(
                "INSERT INTO message_templates (event, channel, language, body, updated_at) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (event, channel, language) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            )
            .bind(event.as_str())
            .bind(channel.as_str())
            .bind(language.as_str())
            .bind(body)
            .bind(ts(self.now())),
            None => sqlx::query("DELETE FROM message_templates WHERE event = ? AND channel = ? AND language = ?")
                .bind(event.as_str())
                .bind(channel.as_str())
                .bind(language.as_str()),
        };
        self.execute_write(query).await?;
        Ok(())
    }
}

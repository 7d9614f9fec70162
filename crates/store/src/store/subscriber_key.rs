//! What the database knows about the key of its subscriber passwords: the
//! key id it records (`meta.subscriber_key_id`) and how many passwords are
//! encrypted. The key itself is never here: it is in the OS keyring.

use sqlx::Row;

use super::Store;
use crate::error::StoreError;

/// The `meta` row naming the key the database's passwords are encrypted with.
const KEY_ID: &str = "subscriber_key_id";

/// What the database knows about its subscriber key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberKeyRecord {
    /// The id of the key its passwords are encrypted with (16 hex
    /// digits), once one was recorded.
    pub key_id: Option<String>,
    /// How many subscriber passwords are stored encrypted.
    pub encrypted_passwords: u64,
}

/// When [`Store::record_subscriber_key_id`] may record a key id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRecording {
    /// A key the keyring already held (or the operator imported), taken as
    /// the key of the passwords already stored: recorded if none is.
    Existing,
    /// A key made just now: recorded only if none is and no password is
    /// encrypted yet (with another key, necessarily).
    New,
}

impl Store {
    /// The recorded key id and the number of encrypted passwords.
    pub async fn subscriber_key_record(&self) -> Result<SubscriberKeyRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        record(&mut conn).await
    }

    /// Records `key_id` as the key of this database's passwords, unless a
    /// key id is recorded already (or, for a [`KeyRecording::New`] key,
    /// passwords are encrypted already), in one write transaction: of two
    /// processes recording at once, the first wins. Returns what the
    /// database records afterwards, so a loser sees the winner's id.
    pub async fn record_subscriber_key_id(
        &self,
        key_id: &str,
        when: KeyRecording,
    ) -> Result<SubscriberKeyRecord, StoreError> {
        let mut tx = self.write().await?;
        let before = record(&mut tx).await?;
        let allowed = match when {
            KeyRecording::Existing => true,
            KeyRecording::New => before.encrypted_passwords == 0,
        };
        if before.key_id.is_some() || !allowed {
            return Ok(before);
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
            .bind(KEY_ID)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        let after = record(&mut tx).await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn record(conn: &mut sqlx::SqliteConnection) -> Result<SubscriberKeyRecord, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT value FROM meta WHERE key = ?) AS key_id,
                (SELECT COUNT(*) FROM services WHERE password IS NOT NULL) AS encrypted",
    )
    .bind(KEY_ID)
    .fetch_one(conn)
    .await?;
    let encrypted: i64 = row.try_get("encrypted")?;
    Ok(SubscriberKeyRecord {
        key_id: row.try_get("key_id")?,
        encrypted_passwords: u64::try_from(encrypted).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_seed;
    use super::*;

    #[tokio::test]
    async fn the_first_key_id_recorded_wins() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
        let nothing = SubscriberKeyRecord { key_id: None, encrypted_passwords: 0 };
        assert_eq!(store.subscriber_key_record().await.unwrap(), nothing);

        let first = store.record_subscriber_key_id("00112233aabbccdd", KeyRecording::New).await.unwrap();
        assert_eq!(first.key_id.as_deref(), Some("00112233aabbccdd"));
        for when in [KeyRecording::New, KeyRecording::Existing] {
            let loser = store.record_subscriber_key_id("ffffffffffffffff", when).await.unwrap();
            assert_eq!(loser, first, "the first recorded stays");
        }
    }

    #[tokio::test]
    async fn a_new_key_is_not_recorded_over_encrypted_passwords() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
        test_seed::pppoe_ana(&store, Some(vec![1, 2, 3])).await;

        let unrecorded = SubscriberKeyRecord { key_id: None, encrypted_passwords: 1 };
        assert_eq!(store.subscriber_key_record().await.unwrap(), unrecorded);
        let refused = store.record_subscriber_key_id("00112233aabbccdd", KeyRecording::New).await.unwrap();
        assert_eq!(refused, unrecorded, "a new key would leave the password unreadable");
        let taken = store.record_subscriber_key_id("00112233aabbccdd", KeyRecording::Existing).await.unwrap();
        assert_eq!(taken.key_id.as_deref(), Some("00112233aabbccdd"));
    }
}

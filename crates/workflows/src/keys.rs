//! The key of subscriber passwords: opened with the one decision of
//! whether a key may be made ([`open_subscriber_cipher`], which the app,
//! the agent and every workflow use), exported to a file sealed with a
//! passphrase, and imported from one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use headend_secrets::{KeyExpectation, KeyFile, KeyId, SecretError, SecretStore, SubscriberCipher, SubscriberKey};
use headend_store::{KeyRecording, Store, StoreError, SubscriberKeyRecord};

use crate::files::{file_error, write_private};
use crate::keyring::blocking;
use crate::{WorkflowError, Workflows};

/// How often a process that lost the race to record a new key looks for
/// the winner's key in the keyring, 100 ms apart.
const RACE_WAITS: u32 = 30;
/// The largest key file read (they are about 400 bytes).
const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

/// The cipher of subscriber passwords for the database of `store`, with
/// the key kept in `secrets`: the one place that decides whether a key may
/// be made.
///
/// The database says what it needs (the key id it records, or how many
/// passwords are encrypted); the keyring's key is used only if it is that
/// one. A new key is made only for a database with neither, and its id is
/// recorded in the database before the key is kept in the keyring: of two
/// processes making one at once, the first recorded wins and the other
/// waits for the winner's key. Otherwise the error says what is missing and
/// how to restore it (`headend key import`).
pub async fn open_subscriber_cipher(store: &Store, secrets: &SecretStore) -> Result<SubscriberCipher, WorkflowError> {
    let mut raced = false;
    for _ in 0..RACE_WAITS {
        let expected = expectation(&store.subscriber_key_record().await?)?;
        let secrets_now = secrets.clone();
        match blocking(move || secrets_now.subscriber_cipher(expected)).await? {
            Ok(SubscriberKey::Recorded(cipher)) => return Ok(cipher),
            Ok(SubscriberKey::ToRecord(cipher)) => {
                let record =
                    store.record_subscriber_key_id(&cipher.key_id().to_string(), KeyRecording::Existing).await?;
                if recorded(&record) == Some(cipher.key_id()) {
                    tracing::info!(id = %cipher.key_id(), "recorded the subscriber key's id in the database");
                    return Ok(cipher);
                }
                raced = true;
            }
            Ok(SubscriberKey::Made(cipher)) => {
                let record = store.record_subscriber_key_id(&cipher.key_id().to_string(), KeyRecording::New).await?;
                if recorded(&record) == Some(cipher.key_id()) {
                    let kept = cipher.clone();
                    let secrets = secrets.clone();
                    blocking(move || secrets.keep_subscriber_key(&kept)).await?.map_err(keyring_error)?;
                    tracing::info!(id = %cipher.key_id(), "made the key that encrypts subscriber passwords");
                    return Ok(cipher);
                }
                raced = true;
            }
            // Another process recorded its new key and is keeping it.
            Err(SecretError::SubscriberKeyMissing { .. }) if raced => {}
            Err(err) => return Err(keyring_error(err)),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(WorkflowError::Interrupted(
        "another Headend process recorded a new subscriber key but did not keep it in the keyring; try again".into(),
    ))
}

fn keyring_error(source: SecretError) -> WorkflowError {
    WorkflowError::Keyring { what: "opening the key of subscriber passwords", source }
}

fn recorded(record: &SubscriberKeyRecord) -> Option<KeyId> {
    record.key_id.as_deref().and_then(|id| id.parse().ok())
}

/// What the database's record asks of the keyring.
fn expectation(record: &SubscriberKeyRecord) -> Result<KeyExpectation, WorkflowError> {
    match (&record.key_id, record.encrypted_passwords) {
        (Some(id), _) => id.parse().map(KeyExpectation::Recorded).map_err(|_| {
            WorkflowError::Store(StoreError::Corrupt { table: "meta", detail: format!("subscriber key id {id:?}") })
        }),
        (None, 0) => Ok(KeyExpectation::Nothing),
        (None, encrypted) => Ok(KeyExpectation::Unrecorded { encrypted }),
    }
}

/// A key written to a file.
#[derive(Debug, Clone)]
pub struct ExportedKey {
    pub path: PathBuf,
    pub key_id: KeyId,
    pub installation_id: String,
}

/// A key taken from a file into the keyring.
#[derive(Debug, Clone)]
pub struct ImportedKey {
    pub key_id: KeyId,
    /// The installation the file was exported from.
    pub exported_from: String,
    /// The key the keyring held before, if another one was replaced.
    pub replaced: Option<KeyId>,
    /// Whether the keyring held this key already (nothing was written).
    pub already_kept: bool,
}

impl Workflows {
    /// Writes this installation's subscriber key to `out` (mode 0600),
    /// sealed with `passphrase`, with the key id and installation id in
    /// clear.
    pub async fn export_subscriber_key(&self, out: &Path, passphrase: String) -> Result<ExportedKey, WorkflowError> {
        let cipher = self.cipher().await?;
        let installation_id = self.store.installation_id().await?;
        let text = {
            let (cipher, installation_id) = (cipher.clone(), installation_id.clone());
            blocking(move || KeyFile::seal(&cipher, &installation_id, &passphrase)).await?.map_err(|err| match err {
                SecretError::KeyFile(message) => WorkflowError::invalid("passphrase", message),
                other => WorkflowError::Keyring { what: "sealing the subscriber key", source: other },
            })?
        };
        write_private(out, text.as_bytes())?;
        tracing::info!(id = %cipher.key_id(), path = %out.display(), "exported the subscriber key");
        Ok(ExportedKey { path: out.to_path_buf(), key_id: cipher.key_id(), installation_id })
    }

    /// Takes the subscriber key from a file made by
    /// [`export_subscriber_key`](Self::export_subscriber_key) into the
    /// keyring. Refuses a key other than the one the database records, and
    /// a keyring holding another key unless `force`.
    pub async fn import_subscriber_key(
        &self,
        file: &Path,
        passphrase: String,
        force: bool,
    ) -> Result<ImportedKey, WorkflowError> {
        let text = read_key_file(file).await?;
        let key_file = KeyFile::parse(&text).map_err(|err| WorkflowError::invalid("file", err.to_string()))?;
        let record = self.store.subscriber_key_record().await?;
        if let Some(recorded) = &record.key_id
            && *recorded != key_file.key_id().to_string()
        {
            return Err(WorkflowError::invalid(
                "file",
                format!(
                    "{} holds subscriber key {} (of installation {}), but this database's passwords are encrypted \
                     with key {recorded}: export key {recorded} where it is kept",
                    file.display(),
                    key_file.key_id(),
                    key_file.installation_id()
                ),
            ));
        }
        let cipher = {
            let key_file = key_file.clone();
            blocking(move || key_file.open(&passphrase)).await?.map_err(|err| match err {
                SecretError::WrongPassphrase => WorkflowError::invalid("passphrase", err.to_string()),
                other => WorkflowError::invalid("file", other.to_string()),
            })?
        };
        let secrets = self.secrets().await?;
        let kept = {
            let secrets = secrets.clone();
            blocking(move || secrets.kept_subscriber_key()).await?.map_err(|source| WorkflowError::Keyring {
                what: "reading the subscriber key in the keyring",
                source,
            })?
        };
        let replaced = kept.as_ref().map(SubscriberCipher::key_id).filter(|id| *id != cipher.key_id());
        if let Some(other) = replaced
            && !force
        {
            return Err(WorkflowError::invalid(
                "force",
                format!(
                    "the keyring already holds another subscriber key ({other}); --force replaces it with {} \
                     (passwords encrypted with {other} can then no longer be read)",
                    cipher.key_id()
                ),
            ));
        }
        let already_kept = kept.is_some() && replaced.is_none();
        if !already_kept {
            let kept = cipher.clone();
            blocking(move || secrets.keep_subscriber_key(&kept)).await?.map_err(|source| WorkflowError::Keyring {
                what: "keeping the subscriber key in the keyring",
                source,
            })?;
        }
        let after = self.store.record_subscriber_key_id(&cipher.key_id().to_string(), KeyRecording::Existing).await?;
        if recorded(&after) != Some(cipher.key_id()) {
            return Err(WorkflowError::Interrupted(format!(
                "another process recorded subscriber key {} meanwhile",
                after.key_id.unwrap_or_default()
            )));
        }
        tracing::info!(id = %cipher.key_id(), replaced = ?replaced, "imported the subscriber key");
        Ok(ImportedKey {
            key_id: cipher.key_id(),
            exported_from: key_file.installation_id().to_owned(),
            replaced,
            already_kept,
        })
    }
}

async fn read_key_file(file: &Path) -> Result<String, WorkflowError> {
    let path = file.to_path_buf();
    blocking(move || -> Result<String, std::io::Error> {
        use std::io::Read as _;
        let mut text = String::new();
        std::fs::File::open(&path)?.take(MAX_KEY_FILE_LEN).read_to_string(&mut text)?;
        Ok(text)
    })
    .await?
    .map_err(|err| match err.kind() {
        std::io::ErrorKind::InvalidData => {
            WorkflowError::invalid("file", format!("{} is not a Headend key file (not text)", file.display()))
        }
        _ => file_error("read", file, &err),
    })
}

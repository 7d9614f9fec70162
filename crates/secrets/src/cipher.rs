//! Subscriber PPPoE passwords, encrypted for the database.
//!
//! Unlike router passwords, subscriber passwords must be pushed to the
//! routers, one per service, tens of thousands of them: they live in the
//! database, encrypted with one key that lives in the keyring
//! ([`SecretKind::SubscriberKey`](crate::SecretKind::SubscriberKey)).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, Generate, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use headend_core::provision::Password;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{SecretError, SecretKey, SecretStore};

/// The first byte of a blob written before keys had ids: `1 || nonce ||
/// ciphertext`. Still read.
const VERSION_UNTAGGED: u8 = 1;
/// The first byte of every blob written now: `2 || key id (8 bytes) ||
/// nonce (24 bytes) || ciphertext with its 16-byte tag`.
const VERSION: u8 = 2;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// The key's length in bytes (stored as 64 hex digits in the keyring).
pub const KEY_LEN: usize = 32;
/// A key id's length in bytes (16 hex digits).
pub const KEY_ID_LEN: usize = 8;
/// What the key id hashes before the key, so the id is no other hash of it.
const KEY_ID_CONTEXT: &[u8] = b"headend subscriber key id\0";

/// The name of a subscriber key: the first 8 bytes of SHA-256 over a fixed
/// context and the key, written as 16 hex digits. Not secret: it tells
/// two keys apart in messages, in the database and in every blob, and
/// reveals nothing usable about the key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; KEY_ID_LEN]);

impl KeyId {
    fn of(key: &[u8]) -> Self {
        let digest = Sha256::new().chain_update(KEY_ID_CONTEXT).chain_update(key).finalize();
        let mut id = [0; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Self(id)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; KEY_ID_LEN] {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl FromStr for KeyId {
    type Err = SecretError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = from_hex(text, KEY_ID_LEN)
            .ok_or_else(|| SecretError::Cipher(format!("`{text}` is not a subscriber key id (16 hex digits)")))?;
        let mut id = [0; KEY_ID_LEN];
        id.copy_from_slice(&bytes);
        Ok(Self(id))
    }
}

/// Encrypts and decrypts subscriber passwords with the installation's key.
///
/// A blob is `2 || key id (8 bytes) || nonce (24 bytes) || ciphertext`
/// (blobs of format 1, without the key id, are still read). A fresh
/// random nonce per encryption: the same password twice gives two
/// different blobs. Cheap to clone; `Debug` shows only the key id; the key
/// is wiped from memory when the last clone drops.
#[derive(Clone)]
pub struct SubscriberCipher {
    aead: XChaCha20Poly1305,
    key: Arc<Zeroizing<Vec<u8>>>,
    id: KeyId,
}

impl fmt::Debug for SubscriberCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubscriberCipher({}, ***)", self.id)
    }
}

impl SubscriberCipher {
    /// A cipher over `key` (32 bytes). The keyring is the only place a key
    /// should come from: see [`SecretStore::subscriber_cipher`]; tests may
    /// use any bytes.
    pub fn from_key(key: &[u8]) -> Result<Self, SecretError> {
        let aead = XChaCha20Poly1305::new_from_slice(key)
            .map_err(|_| SecretError::Cipher(format!("the subscriber key must be {KEY_LEN} bytes")))?;
        Ok(Self { aead, key: Arc::new(Zeroizing::new(key.to_vec())), id: KeyId::of(key) })
    }

    /// A new random key. Only [`SubscriberKey::Made`] (nothing recorded,
    /// nothing encrypted, nothing in the keyring) and tests make one.
    pub fn generate() -> Self {
        let key = Zeroizing::new(<[u8; KEY_LEN]>::generate());
        let aead = XChaCha20Poly1305::new(&(*key).into());
        Self { aead, key: Arc::new(Zeroizing::new(key.to_vec())), id: KeyId::of(&key[..]) }
    }

    /// The name of this cipher's key.
    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// The key's bytes, for the keyring and the export file only.
    pub(crate) fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// The password, encrypted.
    pub fn encrypt(&self, password: &Password) -> Vec<u8> {
        let nonce = XNonce::generate();
        // Only a message over 256 GiB fails; a password never does.
        let sealed = self.aead.encrypt(&nonce, password.expose().as_bytes()).unwrap_or_default();
        let mut blob = Vec::with_capacity(1 + KEY_ID_LEN + NONCE_LEN + sealed.len());
        blob.push(VERSION);
        blob.extend_from_slice(self.id.as_bytes());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        blob
    }

    /// The password in `blob`, or a clear error if the blob was made with
    /// another key (naming both keys when the blob names its own) or is
    /// damaged.
    pub fn decrypt(&self, blob: &[u8]) -> Result<Password, SecretError> {
        let Some((&version, rest)) = blob.split_first() else {
            return Err(SecretError::Cipher("the encrypted password is empty".into()));
        };
        let sealed = match version {
            VERSION_UNTAGGED => rest,
            VERSION => {
                let Some((id, sealed)) = rest.split_first_chunk::<KEY_ID_LEN>() else {
                    return Err(SecretError::Cipher("the encrypted password is truncated".into()));
                };
                let blob_key = KeyId(*id);
                if blob_key != self.id {
                    return Err(SecretError::OtherSubscriberKey { blob: blob_key, cipher: self.id });
                }
                sealed
            }
            other => {
                return Err(SecretError::Cipher(format!(
                    "the encrypted password has format {other}, which this version of Headend does not know"
                )));
            }
        };
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(SecretError::Cipher("the encrypted password is truncated".into()));
        }
        let (nonce, sealed) = sealed.split_at(NONCE_LEN);
        let nonce =
            XNonce::try_from(nonce).map_err(|_| SecretError::Cipher("the encrypted password is truncated".into()))?;
        let plain = Zeroizing::new(self.aead.decrypt(&nonce, sealed).map_err(|_| {
            SecretError::Cipher(
                "a subscriber password cannot be decrypted: it was encrypted with another key (the \
                 subscriber key in the keyring was replaced or lost) or it is damaged; enter the \
                 password again"
                    .into(),
            )
        })?);
        let text = std::str::from_utf8(&plain)
            .map_err(|_| SecretError::Cipher("a decrypted subscriber password is not UTF-8 text".into()))?;
        Ok(Password::new(text))
    }
}

/// What the database knows about the subscriber key, as its caller read
/// it. The keyring never decides alone whether a key may be made: only
/// the database knows whether passwords were encrypted with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExpectation {
    /// The database records the id of the key its passwords are encrypted
    /// with: only that key will do.
    Recorded(KeyId),
    /// The database records no key id but holds this many encrypted
    /// passwords (written before key ids were recorded): the keyring's key
    /// is taken as theirs, and a new one is never made.
    Unrecorded {
        /// How many encrypted passwords the database holds.
        encrypted: u64,
    },
    /// The database records no key id and holds no encrypted password:
    /// the one case where a new key may be made.
    Nothing,
}

/// The subscriber key for what the database expects
/// ([`SecretStore::subscriber_cipher`]).
#[derive(Debug, Clone)]
pub enum SubscriberKey {
    /// The keyring's key, the one the database records.
    Recorded(SubscriberCipher),
    /// The keyring's key; the database recorded none, and should now
    /// record this one's id.
    ToRecord(SubscriberCipher),
    /// Neither the database nor the keyring has a key: a new one, which
    /// must be recorded in the database first (the first recorded wins)
    /// and only then kept with [`SecretStore::keep_subscriber_key`].
    Made(SubscriberCipher),
}

impl SubscriberKey {
    /// Which key the keyring holding `kept` (or nothing) gives for
    /// `expected`: the keyring's key when it is the one expected, a new one
    /// only when nothing anywhere depends on a key, or an error saying what
    /// is missing and how to restore it.
    pub fn choose(expected: KeyExpectation, kept: Option<SubscriberCipher>) -> Result<Self, SecretError> {
        match (expected, kept) {
            (KeyExpectation::Recorded(recorded), Some(cipher)) if cipher.key_id() == recorded => {
                Ok(Self::Recorded(cipher))
            }
            (KeyExpectation::Recorded(recorded), Some(cipher)) => {
                Err(SecretError::SubscriberKeyMismatch { keyring: cipher.key_id(), recorded })
            }
            (KeyExpectation::Recorded(recorded), None) => {
                Err(SecretError::SubscriberKeyMissing { recorded: Some(recorded), encrypted: None })
            }
            (KeyExpectation::Unrecorded { encrypted }, None) => {
                Err(SecretError::SubscriberKeyMissing { recorded: None, encrypted: Some(encrypted) })
            }
            (KeyExpectation::Unrecorded { .. } | KeyExpectation::Nothing, Some(cipher)) => Ok(Self::ToRecord(cipher)),
            (KeyExpectation::Nothing, None) => Ok(Self::Made(SubscriberCipher::generate())),
        }
    }

    /// The cipher, whichever way it came.
    pub fn cipher(&self) -> &SubscriberCipher {
        match self {
            Self::Recorded(cipher) | Self::ToRecord(cipher) | Self::Made(cipher) => cipher,
        }
    }
}

pub(crate) fn to_hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// `text` as exactly `len` bytes of hex.
pub(crate) fn from_hex(text: &str, len: usize) -> Option<Zeroizing<Vec<u8>>> {
    let text = text.trim();
    if text.len() != len * 2 {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    for pair in text.as_bytes().chunks_exact(2) {
        out.push((digit(pair[0])? << 4) | digit(pair[1])?);
    }
    Some(out)
}

impl SecretStore {
    /// The subscriber key for what the database expects: the one kept in
    /// the keyring (`subscriber-key:0`, in this store's scope) when it is
    /// the expected one, a new one (not kept yet) only when the database
    /// has neither a key id nor an encrypted password, and otherwise an
    /// error saying what is missing and how to restore it
    /// ([`SubscriberKey::choose`]).
    ///
    /// A key is never made here once passwords were encrypted: a new key
    /// would leave them unreadable for good, where restoring the old one
    /// (`headend key import`) brings them back.
    ///
    /// Blocks like every keyring call.
    pub fn subscriber_cipher(&self, expected: KeyExpectation) -> Result<SubscriberKey, SecretError> {
        SubscriberKey::choose(expected, self.kept_subscriber_key()?)
    }

    /// The key the keyring keeps for subscriber passwords, if any.
    pub fn kept_subscriber_key(&self) -> Result<Option<SubscriberCipher>, SecretError> {
        let key = SecretKey::subscriber_key();
        self.get(&key)?.map(|stored| cipher_from_stored(&key, stored.expose())).transpose()
    }

    /// Keeps `cipher`'s key as this scope's subscriber key, replacing any
    /// other: the caller has recorded its id in the database first (a new
    /// key), or the operator imports it.
    pub fn keep_subscriber_key(&self, cipher: &SubscriberCipher) -> Result<(), SecretError> {
        let key = SecretKey::subscriber_key();
        self.set(&key, &to_hex(cipher.key_bytes()))?;
        tracing::info!(key = %key, id = %cipher.key_id(), "kept the key that encrypts subscriber passwords");
        Ok(())
    }
}

fn cipher_from_stored(key: &SecretKey, hex: &str) -> Result<SubscriberCipher, SecretError> {
    let bytes = from_hex(hex, KEY_LEN).ok_or_else(|| {
        SecretError::Cipher(format!(
            "the subscriber key `{key}` in the keyring is not {KEY_LEN} bytes of hex (was it edited by hand?)"
        ))
    })?;
    SubscriberCipher::from_key(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(fill: u8) -> SubscriberCipher {
        SubscriberCipher::from_key(&[fill; KEY_LEN]).unwrap()
    }

    /// A blob as Headend wrote them before keys had ids.
    fn untagged_blob(key: &[u8], password: &str) -> Vec<u8> {
        let nonce = XNonce::generate();
        let sealed = XChaCha20Poly1305::new_from_slice(key).unwrap().encrypt(&nonce, password.as_bytes()).unwrap();
        [&[VERSION_UNTAGGED][..], &nonce[..], &sealed[..]].concat()
    }

    #[test]
    fn round_trip_with_random_nonces_and_the_key_id() {
        let c = cipher(7);
        let pw = Password::new("hunter2 ünï ✓");
        let a = c.encrypt(&pw);
        let b = c.encrypt(&pw);
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(a.len(), 1 + KEY_ID_LEN + NONCE_LEN + pw.expose().len() + TAG_LEN);
        assert_eq!(a[0], VERSION);
        assert_eq!(&a[1..=KEY_ID_LEN], c.key_id().as_bytes());
        assert!(!a.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(c.decrypt(&a).unwrap(), pw);
        assert_eq!(c.decrypt(&b).unwrap(), pw);
    }

    #[test]
    fn blobs_of_the_first_format_are_still_read() {
        let blob = untagged_blob(&[7; KEY_LEN], "old-pw");
        assert_eq!(cipher(7).decrypt(&blob).unwrap().expose(), "old-pw");
        let err = cipher(8).decrypt(&blob).unwrap_err();
        assert!(err.to_string().contains("encrypted with another key"), "{err}");
    }

    #[test]
    fn a_blob_of_another_key_names_both_keys_without_decrypting() {
        let blob = cipher(1).encrypt(&Password::new("pw"));
        let err = cipher(2).decrypt(&blob).unwrap_err();
        assert!(
            matches!(err, SecretError::OtherSubscriberKey { blob, cipher: ours } if blob == cipher(1).key_id() && ours == cipher(2).key_id()),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&cipher(1).key_id().to_string()) && text.contains(&cipher(2).key_id().to_string()),
            "{text}"
        );
    }

    #[test]
    fn damage_is_a_clear_error() {
        let blob = cipher(1).encrypt(&Password::new("pw"));
        let mut flipped = blob.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(cipher(1).decrypt(&flipped), Err(SecretError::Cipher(_))));
        for bad in [&[][..], &[1][..], &[2, 1, 2][..], &blob[..20], &[9, 1, 2][..]] {
            let err = cipher(1).decrypt(bad).unwrap_err();
            assert!(matches!(err, SecretError::Cipher(_)), "{err:?}");
        }
        assert!(SubscriberCipher::from_key(&[0; 16]).is_err());
    }

    #[test]
    fn key_ids_are_stable_hex_and_parse_back() {
        let id = cipher(0).key_id();
        // SHA-256("headend subscriber key id\0" || 32 zero bytes), first 8 bytes.
        assert_eq!(id, KeyId::of(&[0; KEY_LEN]));
        assert_eq!(id.to_string().len(), 16);
        assert_eq!(id.to_string().parse::<KeyId>().unwrap(), id);
        assert_ne!(cipher(1).key_id(), id);
        assert!("xyz".parse::<KeyId>().is_err());
        assert_eq!(SubscriberCipher::generate().key_id().to_string().len(), 16);
        assert_ne!(SubscriberCipher::generate().key_id(), SubscriberCipher::generate().key_id());
    }

    #[test]
    fn a_key_is_made_only_when_nothing_depends_on_one() {
        let kept = || Some(cipher(5));
        let id = cipher(5).key_id();
        let other = cipher(6).key_id();
        let chosen = |expected, kept| {
            SubscriberKey::choose(expected, kept).map(|key| match key {
                SubscriberKey::Recorded(c) => ("recorded", c.key_id()),
                SubscriberKey::ToRecord(c) => ("to record", c.key_id()),
                SubscriberKey::Made(c) => ("made", c.key_id()),
            })
        };

        assert_eq!(chosen(KeyExpectation::Recorded(id), kept()).unwrap(), ("recorded", id));
        assert_eq!(chosen(KeyExpectation::Unrecorded { encrypted: 3 }, kept()).unwrap(), ("to record", id));
        assert_eq!(chosen(KeyExpectation::Nothing, kept()).unwrap(), ("to record", id));
        let (made, fresh) = chosen(KeyExpectation::Nothing, None).unwrap();
        assert_eq!(made, "made");
        assert_ne!(fresh, id);

        let err = chosen(KeyExpectation::Recorded(other), kept()).unwrap_err();
        assert!(
            matches!(err, SecretError::SubscriberKeyMismatch { keyring, recorded } if keyring == id && recorded == other)
        );
        let err = chosen(KeyExpectation::Recorded(id), None).unwrap_err();
        assert!(matches!(err, SecretError::SubscriberKeyMissing { recorded: Some(r), .. } if r == id), "{err:?}");
        assert!(err.to_string().contains(&format!("({id})")), "{err}");
        assert!(err.to_string().contains("headend key import FILE"), "{err}");
        let err = chosen(KeyExpectation::Unrecorded { encrypted: 3 }, None).unwrap_err();
        assert!(err.to_string().contains("holds 3 passwords encrypted with it"), "{err}");
        assert!(err.to_string().contains("will not make a new key"), "{err}");
    }

    #[test]
    fn debug_shows_no_key_and_hex_round_trips() {
        let c = cipher(3);
        assert_eq!(format!("{c:?}"), format!("SubscriberCipher({}, ***)", c.key_id()));
        let key: Vec<u8> = (0..32).collect();
        let hex = to_hex(&key);
        assert_eq!(&hex[..6], "000102");
        assert_eq!(from_hex(&hex, KEY_LEN).as_deref().map(Vec::as_slice), Some(&key[..]));
        assert_eq!(from_hex("zz", KEY_LEN), None);
        assert_eq!(from_hex(&"g".repeat(64), KEY_LEN), None);
    }
}

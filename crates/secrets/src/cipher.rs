//! Subscriber PPPoE passwords, encrypted for the database.
//!
//! Unlike router passwords, subscriber passwords must be pushed to the
//! routers, one per service, tens of thousands of them: they live in the
//! database, encrypted with one key that lives in the keyring
//! ([`SecretKind::SubscriberKey`](crate::SecretKind::SubscriberKey)).

use std::fmt;

use chacha20poly1305::aead::{Aead, Generate, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use headend_core::provision::Password;
use zeroize::Zeroizing;

use crate::{SecretError, SecretKey, SecretStore};

/// The first byte of every blob: the format (XChaCha20-Poly1305, 24-byte
/// random nonce, ciphertext with its 16-byte tag).
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// The key's length in bytes (stored as 64 hex digits in the keyring).
pub const KEY_LEN: usize = 32;

/// Encrypts and decrypts subscriber passwords with the installation's key.
///
/// A blob is `1 || nonce (24 bytes) || ciphertext`. A fresh random nonce
/// per encryption: the same password twice gives two different blobs.
/// Cheap to clone; `Debug` shows no key; the key is wiped from memory when
/// the last clone drops.
#[derive(Clone)]
pub struct SubscriberCipher {
    aead: XChaCha20Poly1305,
}

impl fmt::Debug for SubscriberCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubscriberCipher(***)")
    }
}

impl SubscriberCipher {
    /// A cipher over `key` (32 bytes). The keyring is the only place a key
    /// should come from: see [`SecretStore::subscriber_cipher`]; tests may
    /// use any bytes.
    pub fn from_key(key: &[u8]) -> Result<Self, SecretError> {
        let aead = XChaCha20Poly1305::new_from_slice(key)
            .map_err(|_| SecretError::Cipher(format!("the subscriber key must be {KEY_LEN} bytes")))?;
        Ok(Self { aead })
    }

    /// The password, encrypted.
    pub fn encrypt(&self, password: &Password) -> Vec<u8> {
        let nonce = XNonce::generate();
        // Only a message over 256 GiB fails; a password never does.
        let sealed = self.aead.encrypt(&nonce, password.expose().as_bytes()).unwrap_or_default();
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        blob.push(VERSION);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        blob
    }

    /// The password in `blob`, or a clear error if the blob was made with
    /// another key (the keyring's key was replaced or lost) or is damaged.
    pub fn decrypt(&self, blob: &[u8]) -> Result<Password, SecretError> {
        let Some((&version, rest)) = blob.split_first() else {
            return Err(SecretError::Cipher("the encrypted password is empty".into()));
        };
        if version != VERSION {
            return Err(SecretError::Cipher(format!(
                "the encrypted password has format {version}, which this version of Headend does not know"
            )));
        }
        if rest.len() < NONCE_LEN + TAG_LEN {
            return Err(SecretError::Cipher("the encrypted password is truncated".into()));
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
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

fn to_hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

fn from_hex(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let text = text.trim();
    if text.len() != KEY_LEN * 2 {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = Zeroizing::new(Vec::with_capacity(KEY_LEN));
    for pair in text.as_bytes().chunks_exact(2) {
        out.push((digit(pair[0])? << 4) | digit(pair[1])?);
    }
    Some(out)
}

impl SecretStore {
    /// The cipher for subscriber passwords, with this installation's key:
    /// read from the keyring (`subscriber-key:0`, in this store's scope),
    /// or made (32 random bytes, stored as hex) on first use.
    ///
    /// Two processes making the key at the same instant could each store
    /// one; the second read below makes both use whichever the keyring
    /// kept, so only a blob written in between could be orphaned.
    ///
    /// Blocks like every keyring call.
    pub fn subscriber_cipher(&self) -> Result<SubscriberCipher, SecretError> {
        let key = SecretKey::subscriber_key();
        if let Some(stored) = self.get(&key)? {
            return cipher_from_stored(&key, stored.expose());
        }
        let fresh = chacha20poly1305::Key::generate();
        self.set(&key, &to_hex(&fresh))?;
        tracing::info!(key = %key, "made the key that encrypts subscriber passwords");
        match self.get(&key)? {
            Some(stored) => cipher_from_stored(&key, stored.expose()),
            None => Err(SecretError::Cipher(format!(
                "the subscriber key `{key}` vanished from the keyring right after it was stored"
            ))),
        }
    }
}

fn cipher_from_stored(key: &SecretKey, hex: &str) -> Result<SubscriberCipher, SecretError> {
    let bytes = from_hex(hex).ok_or_else(|| {
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

    #[test]
    fn round_trip_with_random_nonces() {
        let c = cipher(7);
        let pw = Password::new("hunter2 ünï ✓");
        let a = c.encrypt(&pw);
        let b = c.encrypt(&pw);
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(a.len(), 1 + NONCE_LEN + pw.expose().len() + TAG_LEN);
        assert_eq!(a[0], VERSION);
        assert!(!a.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(c.decrypt(&a).unwrap(), pw);
        assert_eq!(c.decrypt(&b).unwrap(), pw);
    }

    #[test]
    fn wrong_key_and_damage_are_clear_errors() {
        let blob = cipher(1).encrypt(&Password::new("pw"));
        let err = cipher(2).decrypt(&blob).unwrap_err();
        assert!(err.to_string().contains("encrypted with another key"), "{err}");
        let mut flipped = blob.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(cipher(1).decrypt(&flipped).is_err());
        for bad in [&[][..], &[1][..], &blob[..20], &[9, 1, 2][..]] {
            let err = cipher(1).decrypt(bad).unwrap_err();
            assert!(matches!(err, SecretError::Cipher(_)), "{err:?}");
        }
        assert!(SubscriberCipher::from_key(&[0; 16]).is_err());
    }

    #[test]
    fn debug_shows_no_key_and_hex_round_trips() {
        assert_eq!(format!("{:?}", cipher(3)), "SubscriberCipher(***)");
        let key: Vec<u8> = (0..32).collect();
        let hex = to_hex(&key);
        assert_eq!(&hex[..6], "000102");
        assert_eq!(from_hex(&hex).as_deref().map(Vec::as_slice), Some(&key[..]));
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
    }
}

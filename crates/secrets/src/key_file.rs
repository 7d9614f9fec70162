//! The subscriber key in a file, sealed with a passphrase, to move it to
//! another machine or keep it beside a backup (`headend key export` and
//! `headend key import`).
//!
//! The file is text. What messages need (the installation and the key id)
//! is in clear; the key is sealed with XChaCha20-Poly1305 under a key
//! derived from the passphrase by Argon2id, and the clear lines are bound
//! to it as associated data, so a changed line fails like a wrong
//! passphrase:
//!
//! ```text
//! Headend subscriber key
//! format: 1
//! installation: 3f2a9c0d11b2e4f5
//! key-id: 9b1c2d3e4f5a6b7c
//! kdf: argon2id m=19456 t=2 p=1
//! salt: <32 hex digits>
//! nonce: <48 hex digits>
//! sealed: <96 hex digits: the 32-byte key and its 16-byte tag>
//! ```

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::cipher::{from_hex, to_hex};
use crate::{KEY_LEN, KeyId, SecretError, SubscriberCipher};

/// The shortest passphrase a key file is sealed with, in characters.
pub const MIN_PASSPHRASE_LEN: usize = 8;

const TITLE: &str = "Headend subscriber key";
const FORMAT: &str = "1";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Argon2id's memory (KiB), passes and lanes for new files: the
/// parameters RFC 9106 and OWASP give for interactive use.
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
/// The most memory a file may ask for (1 GiB), so a doctored file cannot
/// exhaust the machine.
const MAX_M_COST: u32 = 1024 * 1024;

/// A key file as read: the clear facts, and the sealed key that only the
/// passphrase opens.
#[derive(Debug, Clone)]
pub struct KeyFile {
    installation_id: String,
    key_id: KeyId,
    params: (u32, u32, u32),
    salt: Zeroizing<Vec<u8>>,
    nonce: Zeroizing<Vec<u8>>,
    sealed: Zeroizing<Vec<u8>>,
    /// The clear lines, bound to the sealed key.
    header: String,
}

impl KeyFile {
    /// The text of a key file holding `cipher`'s key, sealed with
    /// `passphrase`, naming the installation it belongs to.
    pub fn seal(cipher: &SubscriberCipher, installation_id: &str, passphrase: &str) -> Result<String, SecretError> {
        if passphrase.chars().count() < MIN_PASSPHRASE_LEN {
            return Err(SecretError::KeyFile(format!(
                "the passphrase must be at least {MIN_PASSPHRASE_LEN} characters"
            )));
        }
        if installation_id.is_empty() || installation_id.contains(char::is_whitespace) {
            return Err(SecretError::KeyFile(format!("`{installation_id}` is not an installation id")));
        }
        let salt = <[u8; SALT_LEN]>::generate();
        let nonce = XNonce::generate();
        let params = (M_COST, T_COST, P_COST);
        let header = header(installation_id, cipher.key_id(), params, &salt, &nonce);
        let aead = passphrase_cipher(passphrase, &salt, params)?;
        let sealed = aead
            .encrypt(&nonce, Payload { msg: cipher.key_bytes(), aad: header.as_bytes() })
            .map_err(|_| SecretError::KeyFile("the key could not be sealed".into()))?;
        Ok(format!("{header}sealed: {}\n", to_hex(&sealed).as_str()))
    }

    /// Reads the clear part of a key file; the key stays sealed.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let damaged =
            |what: &str| SecretError::KeyFile(format!("this is not a Headend key file, or it is damaged: {what}"));
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(TITLE) {
            return Err(damaged("its first line is not `Headend subscriber key`"));
        }
        let mut field = |name: &str| -> Result<&str, SecretError> {
            let line = lines.next().ok_or_else(|| damaged(&format!("the `{name}` line is missing")))?;
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(": "))
                .map(str::trim)
                .ok_or_else(|| damaged(&format!("expected the `{name}` line")))
        };
        let format = field("format")?;
        if format != FORMAT {
            return Err(SecretError::KeyFile(format!(
                "this key file has format {format}, which this version of Headend does not know"
            )));
        }
        let installation_id = field("installation")?.to_owned();
        let key_id: KeyId = field("key-id")?.parse().map_err(|_| damaged("the key id is not 16 hex digits"))?;
        let params = parse_kdf(field("kdf")?).ok_or_else(|| damaged("the `kdf` line is not argon2id m=… t=… p=…"))?;
        let salt = from_hex(field("salt")?, SALT_LEN).ok_or_else(|| damaged("the salt is not 16 bytes of hex"))?;
        let nonce = from_hex(field("nonce")?, NONCE_LEN).ok_or_else(|| damaged("the nonce is not 24 bytes of hex"))?;
        let sealed = from_hex(field("sealed")?, KEY_LEN + TAG_LEN)
            .ok_or_else(|| damaged("the sealed key is not 48 bytes of hex"))?;
        if installation_id.is_empty() {
            return Err(damaged("the installation id is empty"));
        }
        let header = header(&installation_id, key_id, params, &salt, &nonce);
        Ok(Self { installation_id, key_id, params, salt, nonce, sealed, header })
    }

    /// The installation whose key this is (for messages).
    pub fn installation_id(&self) -> &str {
        &self.installation_id
    }

    /// The id of the key inside.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The key, unsealed with `passphrase`.
    pub fn open(&self, passphrase: &str) -> Result<SubscriberCipher, SecretError> {
        let aead = passphrase_cipher(passphrase, &self.salt, self.params)?;
        let nonce = XNonce::try_from(&self.nonce[..])
            .map_err(|_| SecretError::KeyFile("the key file's nonce is damaged".into()))?;
        let key = Zeroizing::new(
            aead.decrypt(&nonce, Payload { msg: &self.sealed, aad: self.header.as_bytes() })
                .map_err(|_| SecretError::WrongPassphrase)?,
        );
        let cipher = SubscriberCipher::from_key(&key)?;
        if cipher.key_id() != self.key_id {
            // Sealed and bound by the passphrase's key: only a file made
            // by hand gets here.
            return Err(SecretError::KeyFile(format!(
                "the key file says key {} but holds key {}",
                self.key_id,
                cipher.key_id()
            )));
        }
        Ok(cipher)
    }
}

fn header(installation_id: &str, key_id: KeyId, (m, t, p): (u32, u32, u32), salt: &[u8], nonce: &[u8]) -> String {
    format!(
        "{TITLE}\nformat: {FORMAT}\ninstallation: {installation_id}\nkey-id: {key_id}\nkdf: argon2id m={m} t={t} p={p}\nsalt: {}\nnonce: {}\n",
        to_hex(salt).as_str(),
        to_hex(nonce).as_str()
    )
}

fn parse_kdf(text: &str) -> Option<(u32, u32, u32)> {
    let mut words = text.split_whitespace();
    if words.next()? != "argon2id" {
        return None;
    }
    let mut number = |name: &str| words.next()?.strip_prefix(name)?.strip_prefix('=')?.parse::<u32>().ok();
    let params = (number("m")?, number("t")?, number("p")?);
    words.next().is_none().then_some(params)
}

/// XChaCha20-Poly1305 under the key Argon2id derives from `passphrase`.
fn passphrase_cipher(
    passphrase: &str,
    salt: &[u8],
    (m, t, p): (u32, u32, u32),
) -> Result<XChaCha20Poly1305, SecretError> {
    if m > MAX_M_COST {
        return Err(SecretError::KeyFile(format!("the key file asks for {m} KiB of memory, more than Headend allows")));
    }
    let params = Params::new(m, t, p, Some(KEY_LEN))
        .map_err(|e| SecretError::KeyFile(format!("the key file's argon2id parameters are refused: {e}")))?;
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key[..])
        .map_err(|e| SecretError::KeyFile(format!("the passphrase's key could not be derived: {e}")))?;
    XChaCha20Poly1305::new_from_slice(&key[..])
        .map_err(|_| SecretError::KeyFile("the passphrase's key has the wrong length".into()))
}

#[cfg(test)]
mod tests {
    use headend_core::provision::Password;

    use super::*;

    const PASSPHRASE: &str = "correct horse battery";

    #[test]
    fn a_sealed_key_opens_with_its_passphrase_only() {
        let cipher = SubscriberCipher::generate();
        let text = KeyFile::seal(&cipher, "3f2a9c0d11b2e4f5", PASSPHRASE).unwrap();
        assert!(text.starts_with("Headend subscriber key\nformat: 1\ninstallation: 3f2a9c0d11b2e4f5\n"), "{text}");
        assert!(text.contains(&format!("key-id: {}\n", cipher.key_id())), "{text}");
        assert!(!text.contains(to_hex(cipher.key_bytes()).as_str()), "the key is not in clear");

        let file = KeyFile::parse(&text).unwrap();
        assert_eq!((file.installation_id(), file.key_id()), ("3f2a9c0d11b2e4f5", cipher.key_id()));
        let opened = file.open(PASSPHRASE).unwrap();
        let blob = cipher.encrypt(&Password::new("pppoe-pw"));
        assert_eq!(opened.decrypt(&blob).unwrap().expose(), "pppoe-pw");

        let err = file.open("correct horse battery!").unwrap_err();
        assert!(matches!(err, SecretError::WrongPassphrase), "{err:?}");
    }

    #[test]
    fn a_changed_or_damaged_file_is_refused_clearly() {
        let cipher = SubscriberCipher::generate();
        let text = KeyFile::seal(&cipher, "3f2a9c0d11b2e4f5", PASSPHRASE).unwrap();

        // A clear line changed: bound to the sealed key, so it fails to open.
        let moved = text.replace("installation: 3f2a9c0d11b2e4f5", "installation: 0000000000000000");
        let err = KeyFile::parse(&moved).unwrap().open(PASSPHRASE).unwrap_err();
        assert!(matches!(err, SecretError::WrongPassphrase), "{err:?}");

        // A flipped digit in the sealed key.
        let sealed_at = text.find("sealed: ").unwrap() + "sealed: ".len();
        let mut flipped = text.clone().into_bytes();
        flipped[sealed_at] = if flipped[sealed_at] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(matches!(KeyFile::parse(&flipped).unwrap().open(PASSPHRASE), Err(SecretError::WrongPassphrase)));

        for (damage, says) in [
            (text[..text.find("sealed:").unwrap()].to_owned(), "the `sealed` line is missing"),
            (text[..text.len() - 20].to_owned(), "not 48 bytes"),
            (text.replace("Headend subscriber key", "something else"), "first line"),
            (text.replace("format: 1", "format: 7"), "format 7"),
            (text.replace("argon2id m=19456", "scrypt m=19456"), "kdf"),
            (text.replace("key-id: ", "key-id: zz"), "key id"),
            (text.replace("argon2id m=19456", "argon2id m=4000000"), "more than Headend allows"),
        ] {
            let err = KeyFile::parse(&damage).and_then(|file| file.open(PASSPHRASE)).unwrap_err();
            assert!(matches!(err, SecretError::KeyFile(_)), "{err:?}");
            assert!(err.to_string().contains(says), "{says}: {err}");
        }
    }

    #[test]
    fn a_short_passphrase_is_refused() {
        let err = KeyFile::seal(&SubscriberCipher::generate(), "3f2a", "short").unwrap_err();
        assert!(err.to_string().contains("at least 8 characters"), "{err}");
    }
}

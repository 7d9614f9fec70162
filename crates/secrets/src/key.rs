//! Typed names for stored secrets.

use std::fmt;

use crate::SecretError;

/// The service name every Headend secret is stored under (the "service" of
/// the Secret Service item, the keychain item, the credential target).
pub const SERVICE: &str = "net.headend.console";

/// Longest accepted id, in bytes. Far above any database id or UUID, far
/// below every platform limit on account names.
pub const MAX_ID_LEN: usize = 128;

/// What a secret belongs to.
///
/// Adding a kind is adding a variant here: its [`SecretKind::as_str`] becomes
/// part of the stored account name, so it must never change once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretKind {
    /// A MikroTik router's API password.
    Router,
    /// An OLT's SSH / telnet password.
    Olt,
    /// A FreeRADIUS database password.
    RadiusDb,
    /// The key that encrypts subscriber PPPoE passwords in the database
    /// (one per installation, id `0`; see
    /// [`SecretStore::subscriber_cipher`](crate::SecretStore::subscriber_cipher)).
    SubscriberKey,
    /// A message provider's credential, by channel: the SMTP password
    /// (`message-provider:email`), the SMS gateway's token or API key
    /// (`:sms`), the WhatsApp Cloud API access token (`:whatsapp`).
    MessageProvider,
    /// A RADIUS router's shared secret with FreeRADIUS and for its RFC 5176
    /// port (`nas-secret:<router id>`).
    NasSecret,
}

impl SecretKind {
    /// The stable name used in the account string (`router`, `olt`,
    /// `radius-db`, `subscriber-key`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SecretKind::Router => "router",
            SecretKind::Olt => "olt",
            SecretKind::RadiusDb => "radius-db",
            SecretKind::SubscriberKey => "subscriber-key",
            SecretKind::MessageProvider => "message-provider",
            SecretKind::NasSecret => "nas-secret",
        }
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id of the one FreeRADIUS database's password: `radius-db:0`.
pub const RADIUS_DB_KEY: u8 = 0;

/// The name of one secret: a kind and the id of the thing it belongs to.
///
/// Stored under service [`SERVICE`] and account `"<kind>:<id>"`, e.g.
/// `router:42`. The key is not secret: it appears in logs and errors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    kind: SecretKind,
    id: String,
}

impl SecretKey {
    /// The secret of `kind` for the object `id` (its database id, usually).
    ///
    /// The id is checked when the key is used: it must be 1 to
    /// [`MAX_ID_LEN`] bytes with no control characters or whitespace.
    pub fn new(kind: SecretKind, id: impl fmt::Display) -> Self {
        SecretKey { kind, id: id.to_string() }
    }

    /// A router's API password.
    pub fn router(id: impl fmt::Display) -> Self {
        Self::new(SecretKind::Router, id)
    }

    /// An OLT's management password.
    pub fn olt(id: impl fmt::Display) -> Self {
        Self::new(SecretKind::Olt, id)
    }

    /// A RADIUS database password; Headend syncs one database, under
    /// [`RADIUS_DB_KEY`].
    pub fn radius_db(id: impl fmt::Display) -> Self {
        Self::new(SecretKind::RadiusDb, id)
    }

    /// The key of subscriber passwords: `subscriber-key:0`.
    pub fn subscriber_key() -> Self {
        Self::new(SecretKind::SubscriberKey, 0)
    }

    /// A message provider's credential: `message-provider:sms`.
    pub fn message_provider(channel: impl fmt::Display) -> Self {
        Self::new(SecretKind::MessageProvider, channel)
    }

    /// A RADIUS router's shared secret: `nas-secret:3`.
    pub fn nas_secret(router: impl fmt::Display) -> Self {
        Self::new(SecretKind::NasSecret, router)
    }

    /// What the secret belongs to.
    pub fn kind(&self) -> SecretKind {
        self.kind
    }

    /// The id of the object it belongs to.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The account (user) name it is stored under: `"<kind>:<id>"`.
    pub fn account(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }

    pub(crate) fn validate(&self) -> Result<(), SecretError> {
        let reason = if self.id.is_empty() {
            "the id is empty"
        } else if self.id.len() > MAX_ID_LEN {
            "the id is longer than 128 bytes"
        } else if self.id.chars().any(|c| c.is_control() || c.is_whitespace()) {
            "the id contains whitespace or control characters"
        } else {
            return Ok(());
        };
        Err(SecretError::InvalidKey { key: self.to_string().escape_debug().to_string(), reason: reason.to_owned() })
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names() {
        assert_eq!(SecretKey::router(42).account(), "router:42");
        assert_eq!(SecretKey::olt("a-b").account(), "olt:a-b");
        assert_eq!(SecretKey::radius_db(1).account(), "radius-db:1");
        assert_eq!(SecretKey::subscriber_key().account(), "subscriber-key:0");
        assert_eq!(SecretKey::new(SecretKind::Olt, 7).to_string(), SecretKey::olt(7).account());
        assert_eq!(SecretKey::router(9).kind(), SecretKind::Router);
        assert_eq!(SecretKey::router(9).id(), "9");
    }

    #[test]
    fn validation() {
        assert!(SecretKey::router(1).validate().is_ok());
        assert!(SecretKey::router("0195f6c2-7b1e-7c2d-9a3e-1f2e3d4c5b6a").validate().is_ok());
        for bad in ["", "a b", "a\nb", &"x".repeat(MAX_ID_LEN + 1)] {
            assert!(
                matches!(SecretKey::router(bad).validate(), Err(SecretError::InvalidKey { .. })),
                "{bad:?} accepted"
            );
        }
    }
}

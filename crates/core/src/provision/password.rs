//! Subscriber credentials: the PPPoE password that must reach the router,
//! and the rules both it and the user name follow.

use std::fmt;

/// A subscriber's PPPoE password. Its `Debug` never shows the value, so it
/// cannot leak into a log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("the PPPoE user name is empty")]
    EmptyUsername,
    #[error("the PPPoE user name is longer than {max} characters", max = MAX_LEN)]
    LongUsername,
    #[error("the PPPoE user name may not contain spaces or control characters")]
    UsernameCharacters,
    #[error("the PPPoE password is missing")]
    EmptyPassword,
    #[error("the PPPoE password is longer than {max} characters", max = MAX_LEN)]
    LongPassword,
    #[error("the PPPoE password may not contain control characters")]
    PasswordCharacters,
}

/// Longer names and passwords are refused by common CPE firmware even
/// where RouterOS would take them.
const MAX_LEN: usize = 64;

/// A user name every CPE can type: 1–64 characters, no whitespace or
/// control characters (`user@isp` style names are fine).
pub fn validate_username(name: &str) -> Result<(), CredentialError> {
    if name.is_empty() {
        return Err(CredentialError::EmptyUsername);
    }
    if name.chars().count() > MAX_LEN {
        return Err(CredentialError::LongUsername);
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CredentialError::UsernameCharacters);
    }
    Ok(())
}

/// 1–64 characters without control characters (spaces are allowed).
pub fn validate_password(password: &str) -> Result<(), CredentialError> {
    if password.is_empty() {
        return Err(CredentialError::EmptyPassword);
    }
    if password.chars().count() > MAX_LEN {
        return Err(CredentialError::LongPassword);
    }
    if password.chars().any(char::is_control) {
        return Err(CredentialError::PasswordCharacters);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        assert_eq!(format!("{:?}", Password::new("hunter2")), "Password(***)");
    }

    #[test]
    fn credentials_rules() {
        assert_eq!(validate_username("alice@isp"), Ok(()));
        assert_eq!(validate_username(""), Err(CredentialError::EmptyUsername));
        assert_eq!(validate_username("a b"), Err(CredentialError::UsernameCharacters));
        assert_eq!(validate_username("a\u{7}"), Err(CredentialError::UsernameCharacters));
        assert_eq!(validate_username(&"x".repeat(65)), Err(CredentialError::LongUsername));
        assert_eq!(validate_password("two words"), Ok(()));
        assert_eq!(validate_password(""), Err(CredentialError::EmptyPassword));
        assert_eq!(validate_password("a\nb"), Err(CredentialError::PasswordCharacters));
        assert_eq!(validate_password(&"é".repeat(65)), Err(CredentialError::LongPassword));
    }
}

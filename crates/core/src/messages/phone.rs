//! CONTRACT: phone numbers in E.164.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country([u8; 2]);

impl Default for Country {
    fn default() -> Self {
        Country(*b"US")
    }
}
impl Country {
    pub fn as_str(&self) -> &str {
        todo!()
    }
}
impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl FromStr for Country {
    type Err = crate::billing::settings::SettingError;
    fn from_str(_s: &str) -> Result<Self, Self::Err> {
        todo!()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct E164(String);
impl E164 {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("todo")]
pub struct PhoneError;

pub fn normalize(_raw: &str, _default_country: Country) -> Result<E164, PhoneError> {
    todo!()
}

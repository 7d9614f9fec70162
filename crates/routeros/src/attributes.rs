//! Attribute lists: `=name=value` words, in order.

use std::fmt;

use bytes::BytesMut;

use crate::error::quote;
use crate::{ProtocolError, Value, Word};

/// The `=name=value` words of a sentence, in wire order, duplicates kept.
///
/// A `Vec` and not a map, on purpose: it keeps the router's order (handy
/// for display and for byte-exact re-encoding) and never silently drops a
/// repeated name. RouterOS does not repeat names within one sentence, so
/// [`get`](Self::get) answers with the first occurrence and
/// [`get_all`](Self::get_all) exists for the odd case. Lookups are linear,
/// which beats hashing for the few dozen attributes of a `!re`.
///
/// `Debug` prints `<redacted>` for values whose names look secret (see
/// [`is_secret_name`]): a `!re` of `/ppp/secret/print` carries passwords.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Attributes {
    entries: Vec<(Value, Value)>,
}

impl Attributes {
    /// An empty list.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of attributes, duplicates included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Append `name = value` (after any attribute of the same name).
    pub fn push(&mut self, name: impl Into<Value>, value: impl Into<Value>) {
        self.entries.push((name.into(), value.into()));
    }

    /// The value of the first attribute called `name`.
    #[must_use]
    pub fn get(&self, name: impl AsRef<[u8]>) -> Option<&Value> {
        let name = name.as_ref();
        self.entries.iter().find(|(k, _)| k.as_bytes() == name).map(|(_, v)| v)
    }

    /// The value of the first attribute called `name`, when it is UTF-8.
    #[must_use]
    pub fn get_str(&self, name: impl AsRef<[u8]>) -> Option<&str> {
        self.get(name).and_then(Value::to_str)
    }

    /// Every value of attributes called `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a [u8]) -> impl Iterator<Item = &'a Value> + 'a {
        self.entries.iter().filter(move |(k, _)| k.as_bytes() == name).map(|(_, v)| v)
    }

    /// Whether an attribute called `name` is present.
    #[must_use]
    pub fn contains(&self, name: impl AsRef<[u8]>) -> bool {
        self.get(name).is_some()
    }

    /// Remove and return the first attribute called `name`.
    pub fn remove(&mut self, name: impl AsRef<[u8]>) -> Option<Value> {
        let name = name.as_ref();
        let at = self.entries.iter().position(|(k, _)| k.as_bytes() == name)?;
        Some(self.entries.remove(at).1)
    }

    /// All `(name, value)` pairs in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Value, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// Whether values of the attribute `name` must stay out of logs: names
/// containing `password`, `secret`, `key`, `psk` or `passphrase`, in any
/// case (`password`, `wpa2-pre-shared-key`, `secret`, ...). Errs on the
/// side of hiding.
#[must_use]
pub fn is_secret_name(name: &[u8]) -> bool {
    const MARKERS: [&[u8]; 5] = [b"password", b"secret", b"key", b"psk", b"passphrase"];
    let lower = name.to_ascii_lowercase();
    MARKERS.iter().any(|m| lower.windows(m.len()).any(|w| w == *m))
}

/// Stands in for a secret value in `Debug` output.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| {
                let v: &dyn fmt::Debug = if is_secret_name(k.as_bytes()) { &Redacted } else { v };
                (k, v)
            }))
            .finish()
    }
}

impl IntoIterator for Attributes {
    type Item = (Value, Value);
    type IntoIter = std::vec::IntoIter<(Value, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Into<Value>, V: Into<Value>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self { entries: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }
}

/// Split an `=name=value` word at its second `=`. `Err` is a reason for
/// [`ProtocolError::MalformedWord`].
pub(crate) fn split_attribute(word: &Word) -> Result<(Value, Value), &'static str> {
    let bytes = word.as_bytes();
    let Some(rest) = bytes.strip_prefix(b"=") else {
        return Err("an attribute must start with '='");
    };
    let Some(eq) = rest.iter().position(|&b| b == b'=') else {
        return Err("no '=' between the attribute name and its value");
    };
    if eq == 0 {
        return Err("empty attribute name");
    }
    let name_end = eq.saturating_add(1);
    let value_start = name_end.saturating_add(1);
    match (word.value(1..name_end), word.value(value_start..bytes.len())) {
        (Some(name), Some(value)) => Ok((name, value)),
        _ => Err("attribute out of bounds"),
    }
}

/// Check a name that goes between `=` (or `?`) and `=`.
pub(crate) fn check_name(name: &[u8]) -> Result<(), ProtocolError> {
    if name.is_empty() || name.contains(&b'=') {
        return Err(ProtocolError::InvalidAttributeName { name: quote(name, 64) });
    }
    Ok(())
}

/// Build the word `prefix name = value` (e.g. `=name=value`, `?<name=value`)
/// after checking `name`.
pub(crate) fn name_value_word(prefix: &[u8], name: &[u8], value: Option<&[u8]>) -> Result<Word, ProtocolError> {
    check_name(name)?;
    let mut word = BytesMut::new();
    word.extend_from_slice(prefix);
    word.extend_from_slice(name);
    if let Some(value) = value {
        word.extend_from_slice(b"=");
        word.extend_from_slice(value);
    }
    Word::new(word.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(w: &str) -> Result<(String, String), &'static str> {
        split_attribute(&Word::try_from(w).unwrap()).map(|(k, v)| (k.to_string(), v.to_string()))
    }

    #[test]
    fn splits_on_the_second_equals_sign_only() {
        assert_eq!(split("=name=value"), Ok(("name".into(), "value".into())));
        assert_eq!(split("=comment=a=b==c"), Ok(("comment".into(), "a=b==c".into())));
        assert_eq!(split("=comment="), Ok(("comment".into(), String::new())));
        assert_eq!(split("=.id=*1A"), Ok((".id".into(), "*1A".into())));
        assert_eq!(split("=x=="), Ok(("x".into(), "=".into())));
        assert!(split("==value").is_err());
        assert!(split("=name").is_err());
        assert!(split("=").is_err());
        assert!(split("name=value").is_err());
    }

    #[test]
    fn builds_checked_words() {
        let w = name_value_word(b"=", b"name", Some(b"a=b")).unwrap();
        assert_eq!(w, "=name=a=b");
        let w = name_value_word(b"?-", b"disabled", None).unwrap();
        assert_eq!(w, "?-disabled");
        assert!(name_value_word(b"=", b"", Some(b"x")).is_err());
        assert!(name_value_word(b"=", b"a=b", Some(b"x")).is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let a: Attributes =
            [("name", "bob"), ("password", "hunter2"), ("wpa2-pre-shared-key", "k")].into_iter().collect();
        let shown = format!("{a:?}");
        assert_eq!(shown, r#"{"name": "bob", "password": <redacted>, "wpa2-pre-shared-key": <redacted>}"#);
        assert!(is_secret_name(b"New-Password"));
        assert!(!is_secret_name(b"name"));
    }

    #[test]
    fn keeps_order_and_duplicates() {
        let mut a: Attributes = [("name", "a"), ("x", "1"), ("name", "b")].into_iter().collect();
        assert_eq!(a.get("name").unwrap(), "a");
        assert_eq!(a.get_all(b"name").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(a.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>(), ["name", "x", "name"]);
        assert_eq!(a.remove("name").unwrap(), "a");
        assert_eq!(a.get("name").unwrap(), "b");
        assert_eq!(a.get_str("x"), Some("1"));
        assert!(!a.contains("nope"));
        assert_eq!(a.len(), 2);
    }
}

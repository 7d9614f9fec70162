//! A password in memory.

use std::fmt;

use zeroize::Zeroizing;

/// A password read from the store.
///
/// The memory holding it is overwritten with zeros when it is dropped. It
/// has no `Display`, and its `Debug` prints `Secret(***)`, so it cannot end
/// up in a log line by accident; call [`Secret::expose`] at the one place
/// that really needs the text (building the login request).
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a password; `value` is zeroized when the `Secret` drops.
    pub fn new(value: String) -> Self {
        Secret(Zeroizing::new(value))
    }

    /// The password itself. Do not log it, format it or keep copies of it.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let s = Secret::from("hunter2".to_owned());
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(Secret(***))");
        assert_eq!(s.expose(), "hunter2");
    }
}

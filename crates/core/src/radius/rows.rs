//! Rows of FreeRADIUS's SQL tables (`radcheck`, `radreply`,
//! `radgroupreply`, `radusergroup`) as plain data, without the SQL `id`:
//! Headend finds its rows by user or group and attribute, so the same
//! types serve for the rows it wants and the rows it reads.

use std::fmt;

use crate::provision::Password;

/// An attribute's operator, with the text FreeRADIUS stores in the `op`
/// column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// `:=` sets the attribute, replacing any value.
    Set,
    /// `==` checks the request's value.
    Equal,
    /// `+=` adds the attribute to the list.
    Add,
    /// `=` sets the attribute unless it is already there.
    Assign,
}

impl Op {
    pub const ALL: [Op; 4] = [Op::Set, Op::Equal, Op::Add, Op::Assign];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Set => ":=",
            Op::Equal => "==",
            Op::Add => "+=",
            Op::Assign => "=",
        }
    }

    /// The operator in an `op` column; `None` for one Headend never writes
    /// (such as `!=` or `=~`), so a reader can keep such rows as foreign.
    pub fn parse(text: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == text)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `radcheck` value. Password attributes hold a [`Password`], so a row's
/// `Debug` never shows one; two values are equal when their text is, so a
/// row read back compares equal to the row written.
#[derive(Debug, Clone)]
pub enum CheckValue {
    Text(String),
    Secret(Password),
}

impl CheckValue {
    /// The value for `attribute`: a secret for any `*-Password` attribute
    /// (`Cleartext-Password`, `NT-Password`, …) and `Password-With-Header`.
    pub fn new(attribute: &str, value: impl Into<String>) -> Self {
        if attribute.ends_with("-Password") || attribute == "Password-With-Header" {
            CheckValue::Secret(Password::new(value))
        } else {
            CheckValue::Text(value.into())
        }
    }

    /// The text stored in the `value` column.
    pub fn expose(&self) -> &str {
        match self {
            CheckValue::Text(text) => text,
            CheckValue::Secret(password) => password.expose(),
        }
    }
}

impl PartialEq for CheckValue {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for CheckValue {}

/// A `radcheck` row: what a user's request must satisfy (its password, or
/// `Auth-Type := Reject`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    pub username: String,
    pub attribute: String,
    pub op: Op,
    pub value: CheckValue,
}

impl CheckRow {
    pub fn new(username: impl Into<String>, attribute: impl Into<String>, op: Op, value: impl Into<String>) -> Self {
        let attribute = attribute.into();
        let value = CheckValue::new(&attribute, value);
        Self { username: username.into(), attribute, op, value }
    }
}

/// A `radreply` row: an attribute sent back to one user's router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRow {
    pub username: String,
    pub attribute: String,
    pub op: Op,
    pub value: String,
}

/// A `radgroupreply` row: an attribute sent back for every user of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupReplyRow {
    pub groupname: String,
    pub attribute: String,
    pub op: Op,
    pub value: String,
}

/// A `radusergroup` row: a user's membership of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    pub username: String,
    pub groupname: String,
    /// FreeRADIUS applies a user's groups in ascending priority.
    pub priority: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_have_freeradius_text_and_parse_back() {
        let cases = [(Op::Set, ":="), (Op::Equal, "=="), (Op::Add, "+="), (Op::Assign, "=")];
        for (op, text) in cases {
            assert_eq!(op.as_str(), text);
            assert_eq!(op.to_string(), text);
            assert_eq!(Op::parse(text), Some(op));
        }
        for foreign in ["!=", "=~", ">=", ""] {
            assert_eq!(Op::parse(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn debug_never_shows_a_password() {
        let cases = [
            ("Cleartext-Password", "hunter2", false),
            ("NT-Password", "hunter2", false),
            ("Password-With-Header", "hunter2", false),
            ("Auth-Type", "Reject", true),
        ];
        for (attribute, value, shown) in cases {
            let row = CheckRow::new("ana", attribute, Op::Set, value);
            assert_eq!(row.value.expose(), value);
            assert_eq!(format!("{row:?}").contains(value), shown, "{attribute}");
        }
    }

    #[test]
    fn values_compare_by_text() {
        assert_eq!(CheckValue::Text("x".into()), CheckValue::Secret(Password::new("x")));
        assert_ne!(CheckValue::new("Cleartext-Password", "x"), CheckValue::new("Cleartext-Password", "y"));
    }
}

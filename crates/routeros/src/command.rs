//! Commands: what the client sends.

use bytes::{BufMut, BytesMut};

use crate::attributes::{check_name, name_value_word, split_attribute};
use crate::{Attributes, ProtocolError, Sentence, Tag, Value, Word};

/// One query word of a `print` (order matters: RouterOS evaluates them on a
/// stack).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// `?name`: the item has the property.
    Has(Value),
    /// `?-name`: the item lacks the property.
    Lacks(Value),
    /// `?name=value`: the property equals `value`.
    Eq(Value, Value),
    /// `?<name=value`: the property is less than `value`.
    Lt(Value, Value),
    /// `?>name=value`: the property is greater than `value`.
    Gt(Value, Value),
    /// `?#ops`: stack operations, e.g. `|` (or), `&` (and), `!` (not), `.`
    /// (dup), or digits; several may follow each other (`?#|!`).
    Ops(Value),
}

impl Query {
    /// The query word. Names must be non-empty, contain no `=` and (for
    /// `Has` and `Eq`) not start with `-`, `<`, `>` or `#`, or the router
    /// would read another kind of query.
    pub fn to_word(&self) -> Result<Word, ProtocolError> {
        fn plain_name(name: &Value) -> Result<&[u8], ProtocolError> {
            if let Some(b'-' | b'<' | b'>' | b'#') = name.as_bytes().first() {
                return Err(ProtocolError::InvalidAttributeName { name: name.to_string() });
            }
            Ok(name.as_bytes())
        }
        match self {
            Self::Has(name) => name_value_word(b"?", plain_name(name)?, None),
            Self::Eq(name, value) => name_value_word(b"?", plain_name(name)?, Some(value.as_bytes())),
            Self::Lacks(name) => name_value_word(b"?-", name.as_bytes(), None),
            Self::Lt(name, value) => name_value_word(b"?<", name.as_bytes(), Some(value.as_bytes())),
            Self::Gt(name, value) => name_value_word(b"?>", name.as_bytes(), Some(value.as_bytes())),
            Self::Ops(ops) => {
                let mut word = BytesMut::with_capacity(ops.len().saturating_add(2));
                word.extend_from_slice(b"?#");
                word.extend_from_slice(ops.as_bytes());
                Word::new(word.freeze())
            }
        }
    }

    /// Parse a query word (starting with `?`). `Err` is a reason.
    fn parse(word: &Word) -> Result<Self, &'static str> {
        let bytes = word.as_bytes();
        let end = bytes.len();
        let slice = |start: usize, stop: usize| word.value(start..stop).ok_or("query out of bounds");
        // Split `name=value` found from `start`.
        let name_value = |start: usize| -> Result<Option<(Value, Value)>, &'static str> {
            let rest = bytes.get(start..).ok_or("query out of bounds")?;
            let Some(eq) = rest.iter().position(|&b| b == b'=') else {
                return Ok(None);
            };
            if eq == 0 {
                return Err("empty name in a query");
            }
            let name_end = start.saturating_add(eq);
            Ok(Some((slice(start, name_end)?, slice(name_end.saturating_add(1), end)?)))
        };
        match bytes.get(1) {
            None => Err("empty query"),
            Some(b'#') => Ok(Self::Ops(slice(2, end)?)),
            Some(b'-') if end == 2 => Err("empty name in a query"),
            Some(b'-') => Ok(Self::Lacks(slice(2, end)?)),
            Some(b'<') => match name_value(2)? {
                Some((n, v)) => Ok(Self::Lt(n, v)),
                None => Err("'?<' query without '='"),
            },
            Some(b'>') => match name_value(2)? {
                Some((n, v)) => Ok(Self::Gt(n, v)),
                None => Err("'?>' query without '='"),
            },
            Some(_) => match name_value(1)? {
                Some((n, v)) => Ok(Self::Eq(n, v)),
                None => Ok(Self::Has(slice(1, end)?)),
            },
        }
    }
}

/// A command sentence, built step by step.
///
/// ```
/// use headend_routeros::{Command, Tag};
/// let bytes = Command::new("/ppp/secret/print")
///     .proplist([".id", "name", "disabled"])
///     .query_eq("service", "pppoe")
///     .with_tag(Tag(7))
///     .to_bytes()
///     .unwrap();
/// assert!(bytes.starts_with(b"\x11/ppp/secret/print"));
/// ```
///
/// Words go out in this order: the path, the attributes (as added), the
/// `=.proplist=`, the queries (as added), then `.tag=`. Names are checked
/// when the command is encoded: empty names and names with `=` are errors
/// (and names with `,` in a proplist).
///
/// `Debug` hides the values of attributes whose names look secret
/// (`password`, `secret`, `key`, `psk`, `passphrase`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    path: Value,
    attrs: Attributes,
    props: Option<Vec<Value>>,
    queries: Vec<Query>,
    tag: Option<Tag>,
}

impl Command {
    /// A command for `path`, e.g. `/ip/address/add`, `/login`, `/cancel`.
    pub fn new(path: impl Into<Value>) -> Self {
        Self { path: path.into(), attrs: Attributes::new(), props: None, queries: Vec::new(), tag: None }
    }

    /// Add `=name=value`. Values are bytes: pass a cp1252 comment as
    /// `&[u8]` and it goes out unchanged.
    #[must_use]
    pub fn attr(mut self, name: impl Into<Value>, value: impl Into<Value>) -> Self {
        self.attrs.push(name, value);
        self
    }

    /// Ask only for these properties: `=.proplist=a,b,c`.
    #[must_use]
    pub fn proplist<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Value>,
    {
        self.props = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Add a query word.
    #[must_use]
    pub fn query(mut self, query: Query) -> Self {
        self.queries.push(query);
        self
    }

    /// Add `?name=value`.
    #[must_use]
    pub fn query_eq(self, name: impl Into<Value>, value: impl Into<Value>) -> Self {
        self.query(Query::Eq(name.into(), value.into()))
    }

    /// Add `?name`.
    #[must_use]
    pub fn query_has(self, name: impl Into<Value>) -> Self {
        self.query(Query::Has(name.into()))
    }

    /// Add `?-name`.
    #[must_use]
    pub fn query_lacks(self, name: impl Into<Value>) -> Self {
        self.query(Query::Lacks(name.into()))
    }

    /// Add `?<name=value`.
    #[must_use]
    pub fn query_lt(self, name: impl Into<Value>, value: impl Into<Value>) -> Self {
        self.query(Query::Lt(name.into(), value.into()))
    }

    /// Add `?>name=value`.
    #[must_use]
    pub fn query_gt(self, name: impl Into<Value>, value: impl Into<Value>) -> Self {
        self.query(Query::Gt(name.into(), value.into()))
    }

    /// Add `?#ops`, e.g. `"|"` or `"|!"`.
    #[must_use]
    pub fn query_ops(self, ops: impl Into<Value>) -> Self {
        self.query(Query::Ops(ops.into()))
    }

    /// Tag the command: every reply to it carries the same tag.
    #[must_use]
    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tag = Some(tag);
        self
    }

    /// Set or clear the tag in place (the client assigns tags at send time).
    pub fn set_tag(&mut self, tag: Option<Tag>) {
        self.tag = tag;
    }

    /// The command path.
    #[must_use]
    pub fn path(&self) -> &Value {
        &self.path
    }

    /// The `=name=value` attributes, `.proplist` excluded.
    #[must_use]
    pub fn attributes(&self) -> &Attributes {
        &self.attrs
    }

    /// The `.proplist` names, if set.
    #[must_use]
    pub fn props(&self) -> Option<&[Value]> {
        self.props.as_deref()
    }

    /// The query words, in order.
    #[must_use]
    pub fn queries(&self) -> &[Query] {
        &self.queries
    }

    /// The tag, if set.
    #[must_use]
    pub fn tag(&self) -> Option<Tag> {
        self.tag
    }

    /// The command as a sentence; fails on an empty path or a bad name.
    pub fn to_sentence(&self) -> Result<Sentence, ProtocolError> {
        let mut words = Vec::with_capacity(self.attrs.len().saturating_add(self.queries.len()).saturating_add(3));
        words.push(Word::new(self.path.clone().into_bytes())?);
        for (name, value) in self.attrs.iter() {
            words.push(name_value_word(b"=", name.as_bytes(), Some(value.as_bytes()))?);
        }
        if let Some(props) = &self.props {
            let mut list = BytesMut::new();
            for (i, name) in props.iter().enumerate() {
                check_name(name.as_bytes())?;
                if name.as_bytes().contains(&b',') {
                    return Err(ProtocolError::InvalidAttributeName { name: name.to_string() });
                }
                if i > 0 {
                    list.extend_from_slice(b",");
                }
                list.extend_from_slice(name.as_bytes());
            }
            words.push(name_value_word(b"=", b".proplist", Some(&list))?);
        }
        for query in &self.queries {
            words.push(query.to_word()?);
        }
        if let Some(tag) = self.tag {
            words.push(Word::new(format!(".tag={tag}").into_bytes())?);
        }
        Sentence::new(words)
    }

    /// Append the encoded command to `out`. On error nothing is written.
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), ProtocolError> {
        self.to_sentence()?.encode(out);
        Ok(())
    }

    /// The encoded command in a fresh buffer.
    pub fn to_bytes(&self) -> Result<BytesMut, ProtocolError> {
        Ok(self.to_sentence()?.to_bytes())
    }

    /// Read a command sentence back (what a simulated router receives).
    ///
    /// Words other than `=name=value`, `?query`, `.tag=N` after the path
    /// are errors.
    pub fn parse(sentence: &Sentence) -> Result<Self, ProtocolError> {
        let (path, rest) = sentence.words().split_first().ok_or(ProtocolError::EmptySentence)?;
        let mut cmd = Self::new(path.clone());
        for (offset, word) in rest.iter().enumerate() {
            let malformed = |reason| ProtocolError::MalformedWord {
                sentence: "command",
                index: offset.saturating_add(1),
                len: word.len(),
                reason,
            };
            let bytes = word.as_bytes();
            match bytes.first() {
                Some(b'=') => {
                    let (name, value) = split_attribute(word).map_err(malformed)?;
                    if name == ".proplist" {
                        if cmd.props.is_some() {
                            return Err(malformed("a second .proplist"));
                        }
                        cmd.props = Some(if value.is_empty() {
                            Vec::new()
                        } else {
                            value.as_bytes().split(|&b| b == b',').map(Value::from).collect()
                        });
                    } else {
                        cmd.attrs.push(name, value);
                    }
                }
                Some(b'?') => cmd.queries.push(Query::parse(word).map_err(malformed)?),
                _ => match bytes.strip_prefix(b".tag=") {
                    Some(digits) => {
                        if cmd.tag.replace(Tag::parse(digits)?).is_some() {
                            return Err(ProtocolError::DuplicateTag);
                        }
                    }
                    None => return Err(malformed("neither =attribute=, ?query nor .tag=")),
                },
            }
        }
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(cmd: &Command) -> Vec<String> {
        cmd.to_sentence().unwrap().words().iter().map(|w| format!("{w:?}")).collect()
    }

    #[test]
    fn builds_words_in_documented_order() {
        let cmd = Command::new("/ppp/secret/print")
            .with_tag(Tag(12))
            .query_has("name")
            .query_lacks("disabled")
            .query_eq("service", "pppoe")
            .query_lt("rx", "10")
            .query_gt("tx", "5")
            .query_ops("|!")
            .proplist([".id", "name"])
            .attr("detail", "");
        assert_eq!(
            words(&cmd),
            [
                r#""/ppp/secret/print""#,
                r#""=detail=""#,
                r#""=.proplist=.id,name""#,
                r#""?name""#,
                r#""?-disabled""#,
                r#""?service=pppoe""#,
                r#""?<rx=10""#,
                r#""?>tx=5""#,
                r#""?#|!""#,
                r#"".tag=12""#,
            ]
        );
    }

    #[test]
    fn login_encodes_to_exact_bytes() {
        let bytes = Command::new("/login").attr("name", "admin").attr("password", "").to_bytes().unwrap();
        assert_eq!(&bytes[..], b"\x06/login\x0B=name=admin\x0A=password=\x00");
    }

    #[test]
    fn non_utf8_values_go_out_unchanged() {
        let bytes = Command::new("/ppp/secret/set").attr("comment", &b"Jos\xE9 \x80\x9F"[..]).to_bytes().unwrap();
        assert_eq!(&bytes[..], b"\x0F/ppp/secret/set\x10=comment=Jos\xE9 \x80\x9F\x00");
    }

    #[test]
    fn bad_names_are_refused() {
        let refused = |cmd: Command| {
            assert!(matches!(cmd.to_bytes(), Err(ProtocolError::InvalidAttributeName { .. })), "{cmd:?}");
        };
        refused(Command::new("/x").attr("", "v"));
        refused(Command::new("/x").attr("a=b", "v"));
        refused(Command::new("/x").proplist(["a,b"]));
        refused(Command::new("/x").proplist([""]));
        refused(Command::new("/x").query_has("-x"));
        refused(Command::new("/x").query_eq("#x", "1"));
        refused(Command::new("/x").query_lacks(""));
        assert_eq!(Command::new("").to_bytes(), Err(ProtocolError::EmptyWord));
    }

    #[test]
    fn parse_reads_back_what_was_built() {
        let cmd = Command::new("/interface/print")
            .attr("comment", &b"a=b\xE9"[..])
            .proplist(["name", "type"])
            .query_eq("type", "ether")
            .query_eq("type", "")
            .query_has("running")
            .query_lacks("disabled")
            .query_lt("mtu", "1500")
            .query_gt("mtu", "100")
            .query_ops("|")
            .query_ops("")
            .with_tag(Tag(3));
        let parsed = Command::parse(&cmd.to_sentence().unwrap()).unwrap();
        assert_eq!(parsed, cmd);

        let empty_props = Command::new("/x").proplist(Vec::<Value>::new());
        assert_eq!(Command::parse(&empty_props.to_sentence().unwrap()).unwrap(), empty_props);
    }

    #[test]
    fn parse_rejects_strangers() {
        let parse = |ws: &[&str]| {
            Command::parse(&Sentence::new(ws.iter().map(|w| Word::try_from(*w).unwrap()).collect()).unwrap())
        };
        assert!(matches!(parse(&["/x", "oops"]), Err(ProtocolError::MalformedWord { .. })));
        assert!(matches!(parse(&["/x", "?"]), Err(ProtocolError::MalformedWord { .. })));
        assert!(matches!(parse(&["/x", "?<a"]), Err(ProtocolError::MalformedWord { .. })));
        assert!(matches!(parse(&["/x", "?=a"]), Err(ProtocolError::MalformedWord { .. })));
        assert_eq!(parse(&["/x", ".tag=1", ".tag=1"]), Err(ProtocolError::DuplicateTag));
        assert!(matches!(parse(&["/x", "=.proplist=a", "=.proplist=b"]), Err(ProtocolError::MalformedWord { .. })));
        assert!(matches!(parse(&["/x", "?-"]), Err(ProtocolError::MalformedWord { .. })));
    }
}

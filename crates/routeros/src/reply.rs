//! Typed replies: `!re`, `!done`, `!trap`, `!fatal`, `!empty`.

use bytes::BytesMut;

use crate::attributes::{name_value_word, split_attribute};
use crate::error::quote;
use crate::{Attributes, ProtocolError, Sentence, Tag, Value, Word};

/// Why a command failed, from `=category=` of a `!trap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapCategory {
    /// 0: missing item or command.
    MissingItemOrCommand,
    /// 1: argument value failure.
    ArgumentValueFailure,
    /// 2: execution of the command interrupted.
    ExecutionInterrupted,
    /// 3: scripting failure.
    ScriptingFailure,
    /// 4: general failure.
    GeneralFailure,
    /// 5: API failure.
    ApiFailure,
    /// 6: TTY failure.
    TtyFailure,
    /// 7: value returned by `:return`.
    ReturnValue,
    /// A number this codec does not know (a newer RouterOS).
    Other(u32),
}

impl TrapCategory {
    /// The category of code `code`.
    #[must_use]
    pub fn from_code(code: u32) -> Self {
        match code {
            0 => Self::MissingItemOrCommand,
            1 => Self::ArgumentValueFailure,
            2 => Self::ExecutionInterrupted,
            3 => Self::ScriptingFailure,
            4 => Self::GeneralFailure,
            5 => Self::ApiFailure,
            6 => Self::TtyFailure,
            7 => Self::ReturnValue,
            other => Self::Other(other),
        }
    }

    /// The number on the wire.
    #[must_use]
    pub fn code(self) -> u32 {
        match self {
            Self::MissingItemOrCommand => 0,
            Self::ArgumentValueFailure => 1,
            Self::ExecutionInterrupted => 2,
            Self::ScriptingFailure => 3,
            Self::GeneralFailure => 4,
            Self::ApiFailure => 5,
            Self::TtyFailure => 6,
            Self::ReturnValue => 7,
            Self::Other(code) => code,
        }
    }

    fn parse(bytes: &[u8]) -> Result<Self, ProtocolError> {
        // Same digits rule as a tag.
        Tag::parse(bytes)
            .map(|Tag(code)| Self::from_code(code))
            .map_err(|_| ProtocolError::InvalidTrapCategory(quote(bytes, 16)))
    }
}

/// One reply sentence from the router.
///
/// Attribute words are `=name=value`, split at the second `=` (values may
/// contain `=`, names may start with `.` as in `.id`, `.dead`, `.section`).
/// The only other word accepted is `.tag=N`; anything else is a
/// [`ProtocolError::MalformedWord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `!re`: one item of data.
    Re {
        /// The command's tag, if it had one.
        tag: Option<Tag>,
        /// The item's attributes.
        attrs: Attributes,
    },
    /// `!done`: the command finished; the last reply to it.
    Done {
        /// The command's tag, if it had one.
        tag: Option<Tag>,
        /// `=ret=`: the id of an item made by `add`, the challenge of the
        /// old `/login`, a script's value.
        ret: Option<Value>,
        /// Any other attributes.
        attrs: Attributes,
    },
    /// `!trap`: the command failed (a `!done` follows).
    Trap {
        /// The command's tag, if it had one.
        tag: Option<Tag>,
        /// `=category=`, when the router gave one.
        category: Option<TrapCategory>,
        /// `=message=`; empty if the router sent none.
        message: Value,
        /// Any other attributes.
        attrs: Attributes,
    },
    /// `!fatal`: the router is closing the connection.
    Fatal {
        /// The reason, e.g. `session terminated on request`. When the
        /// router sends several words after `!fatal`, they are joined with
        /// `\n`.
        reason: Value,
    },
    /// `!empty`: a `print` matched nothing (RouterOS 7.18+, before `!done`).
    Empty {
        /// The command's tag, if it had one.
        tag: Option<Tag>,
    },
}

/// Tag and attributes of the words after the reply word.
fn tag_and_attrs(reply: &'static str, words: &[Word]) -> Result<(Option<Tag>, Attributes), ProtocolError> {
    let mut tag = None;
    let mut attrs = Attributes::new();
    for (offset, word) in words.iter().enumerate() {
        let malformed = |reason| ProtocolError::MalformedWord {
            sentence: reply,
            index: offset.saturating_add(1),
            len: word.len(),
            reason,
        };
        let bytes = word.as_bytes();
        if let Some(digits) = bytes.strip_prefix(b".tag=") {
            if tag.replace(Tag::parse(digits)?).is_some() {
                return Err(ProtocolError::DuplicateTag);
            }
        } else if bytes.starts_with(b"=") {
            let (name, value) = split_attribute(word).map_err(malformed)?;
            attrs.push(name, value);
        } else {
            return Err(malformed("neither an =attribute= nor a .tag="));
        }
    }
    Ok((tag, attrs))
}

impl Reply {
    /// Parse a sentence received from the router.
    pub fn parse(sentence: &Sentence) -> Result<Self, ProtocolError> {
        let (first, rest) = sentence.words().split_first().ok_or(ProtocolError::EmptySentence)?;
        match first.as_bytes() {
            b"!re" => {
                let (tag, attrs) = tag_and_attrs("!re", rest)?;
                Ok(Self::Re { tag, attrs })
            }
            b"!done" => {
                let (tag, mut attrs) = tag_and_attrs("!done", rest)?;
                let ret = attrs.remove("ret");
                Ok(Self::Done { tag, ret, attrs })
            }
            b"!trap" => {
                let (tag, mut attrs) = tag_and_attrs("!trap", rest)?;
                let category = attrs.remove("category").map(|c| TrapCategory::parse(c.as_bytes())).transpose()?;
                let message = attrs.remove("message").unwrap_or_default();
                Ok(Self::Trap { tag, category, message, attrs })
            }
            b"!empty" => {
                let (tag, attrs) = tag_and_attrs("!empty", rest)?;
                if !attrs.is_empty() {
                    return Err(ProtocolError::MalformedWord {
                        sentence: "!empty",
                        index: 1,
                        len: 0,
                        reason: "!empty carries no attributes",
                    });
                }
                Ok(Self::Empty { tag })
            }
            b"!fatal" => {
                let reason = match rest {
                    [] => Value::default(),
                    [one] => Value::from(one.clone()),
                    many => {
                        let mut joined = BytesMut::new();
                        for (i, w) in many.iter().enumerate() {
                            if i > 0 {
                                joined.extend_from_slice(b"\n");
                            }
                            joined.extend_from_slice(w.as_bytes());
                        }
                        Value::new(joined.freeze())
                    }
                };
                Ok(Self::Fatal { reason })
            }
            other => Err(ProtocolError::UnknownReplyWord(quote(other, 32))),
        }
    }

    /// The tag of the command this reply belongs to (`!fatal` has none: it
    /// concerns the whole connection).
    #[must_use]
    pub fn tag(&self) -> Option<Tag> {
        match self {
            Self::Re { tag, .. } | Self::Done { tag, .. } | Self::Trap { tag, .. } | Self::Empty { tag } => *tag,
            Self::Fatal { .. } => None,
        }
    }

    /// The reply word: `!re`, `!done`, `!trap`, `!fatal` or `!empty`.
    #[must_use]
    pub fn word(&self) -> &'static str {
        match self {
            Self::Re { .. } => "!re",
            Self::Done { .. } => "!done",
            Self::Trap { .. } => "!trap",
            Self::Fatal { .. } => "!fatal",
            Self::Empty { .. } => "!empty",
        }
    }

    /// Whether this is the last reply to its command (`!done`), or to every
    /// command (`!fatal`).
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Done { .. } | Self::Fatal { .. })
    }

    /// The sentence a router would send for this reply (for simulated
    /// routers and tests). Order: attributes, `=ret=` / `=category=`,
    /// `=message=`, then `.tag=`. Fails on an attribute name that is empty
    /// or contains `=`.
    pub fn to_sentence(&self) -> Result<Sentence, ProtocolError> {
        let mut words = vec![Word::from_static(self.word().as_bytes())?];
        let push_attrs = |words: &mut Vec<Word>, attrs: &Attributes| {
            for (name, value) in attrs.iter() {
                words.push(name_value_word(b"=", name.as_bytes(), Some(value.as_bytes()))?);
            }
            Ok::<(), ProtocolError>(())
        };
        let tag = match self {
            Self::Re { tag, attrs } => {
                push_attrs(&mut words, attrs)?;
                *tag
            }
            Self::Done { tag, ret, attrs } => {
                push_attrs(&mut words, attrs)?;
                if let Some(ret) = ret {
                    words.push(name_value_word(b"=", b"ret", Some(ret.as_bytes()))?);
                }
                *tag
            }
            Self::Trap { tag, category, message, attrs } => {
                push_attrs(&mut words, attrs)?;
                if let Some(category) = category {
                    let code = category.code().to_string();
                    words.push(name_value_word(b"=", b"category", Some(code.as_bytes()))?);
                }
                words.push(name_value_word(b"=", b"message", Some(message.as_bytes()))?);
                *tag
            }
            Self::Fatal { reason } => {
                if !reason.is_empty() {
                    words.push(Word::new(reason.clone().into_bytes())?);
                }
                None
            }
            Self::Empty { tag } => *tag,
        };
        if let Some(tag) = tag {
            words.push(Word::new(format!(".tag={tag}").into_bytes())?);
        }
        Sentence::new(words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&[u8]]) -> Result<Reply, ProtocolError> {
        let s = Sentence::new(words.iter().map(|w| Word::try_from(*w).unwrap()).collect()).unwrap();
        Reply::parse(&s)
    }

    fn attrs(pairs: &[(&[u8], &[u8])]) -> Attributes {
        pairs.iter().map(|&(k, v)| (k, v)).collect()
    }

    #[test]
    fn re_with_tag_and_attributes() {
        let r = parse(&[b"!re", b"=.id=*1", b"=name=jos\xE9", b".tag=7"]).unwrap();
        assert_eq!(r, Reply::Re { tag: Some(Tag(7)), attrs: attrs(&[(b".id", b"*1"), (b"name", b"jos\xE9")]) });
        assert_eq!(r.tag(), Some(Tag(7)));
        assert!(!r.is_final());
    }

    #[test]
    fn done_with_ret() {
        let r = parse(&[b"!done", b"=ret=*2A", b".tag=3"]).unwrap();
        assert_eq!(r, Reply::Done { tag: Some(Tag(3)), ret: Some(Value::from("*2A")), attrs: Attributes::new() });
        assert!(r.is_final());
        assert_eq!(parse(&[b"!done"]).unwrap(), Reply::Done { tag: None, ret: None, attrs: Attributes::new() });
    }

    #[test]
    fn trap_with_and_without_category() {
        assert_eq!(
            parse(&[b"!trap", b"=category=1", b"=message=input does not match any value of interface", b".tag=4",])
                .unwrap(),
            Reply::Trap {
                tag: Some(Tag(4)),
                category: Some(TrapCategory::ArgumentValueFailure),
                message: Value::from("input does not match any value of interface"),
                attrs: Attributes::new(),
            }
        );
        assert_eq!(
            parse(&[b"!trap", b"=message=failure: already have such entry"]).unwrap(),
            Reply::Trap {
                tag: None,
                category: None,
                message: Value::from("failure: already have such entry"),
                attrs: Attributes::new(),
            }
        );
        assert_eq!(
            parse(&[b"!trap", b"=category=12", b"=message=x"]).unwrap(),
            Reply::Trap {
                tag: None,
                category: Some(TrapCategory::Other(12)),
                message: Value::from("x"),
                attrs: Attributes::new(),
            }
        );
        assert!(matches!(
            parse(&[b"!trap", b"=category=one", b"=message=x"]),
            Err(ProtocolError::InvalidTrapCategory(_))
        ));
    }

    #[test]
    fn trap_categories_round_trip() {
        for code in 0..=9 {
            assert_eq!(TrapCategory::from_code(code).code(), code);
        }
        assert_eq!(TrapCategory::from_code(0), TrapCategory::MissingItemOrCommand);
        assert_eq!(TrapCategory::from_code(7), TrapCategory::ReturnValue);
    }

    #[test]
    fn fatal_keeps_its_reason() {
        assert_eq!(
            parse(&[b"!fatal", b"session terminated on request"]).unwrap(),
            Reply::Fatal { reason: Value::from("session terminated on request") }
        );
        assert_eq!(parse(&[b"!fatal"]).unwrap(), Reply::Fatal { reason: Value::default() });
        assert_eq!(parse(&[b"!fatal", b"a", b"b"]).unwrap(), Reply::Fatal { reason: Value::from("a\nb") });
        assert_eq!(parse(&[b"!fatal", b"x"]).unwrap().tag(), None);
    }

    #[test]
    fn empty_reply() {
        assert_eq!(parse(&[b"!empty", b".tag=5"]).unwrap(), Reply::Empty { tag: Some(Tag(5)) });
        assert_eq!(parse(&[b"!empty"]).unwrap(), Reply::Empty { tag: None });
        assert!(matches!(parse(&[b"!empty", b"=a=b"]), Err(ProtocolError::MalformedWord { .. })));
    }

    #[test]
    fn values_containing_equals_and_high_bytes_are_kept() {
        let r = parse(&[b"!re", b"=comment=a=b=\x80\x9F\xE9", b"=.dead=yes"]).unwrap();
        let Reply::Re { attrs, .. } = r else { panic!("not a !re") };
        assert_eq!(attrs.get("comment").unwrap().as_bytes(), b"a=b=\x80\x9F\xE9");
        assert_eq!(attrs.get(".dead").unwrap(), "yes");
    }

    #[test]
    fn malformed_replies_are_errors_without_values() {
        assert_eq!(parse(&[b"!bogus"]), Err(ProtocolError::UnknownReplyWord("!bogus".into())));
        let err = parse(&[b"!re", b"=password"]).unwrap_err();
        assert!(matches!(err, ProtocolError::MalformedWord { sentence: "!re", index: 1, len: 9, .. }));
        assert!(!err.to_string().contains("password"), "{err}");
        assert!(matches!(parse(&[b"!re", b"secret"]), Err(ProtocolError::MalformedWord { .. })));
        assert!(matches!(parse(&[b"!re", b"==x"]), Err(ProtocolError::MalformedWord { .. })));
        assert!(matches!(parse(&[b"!re", b".tag=x"]), Err(ProtocolError::InvalidTag(_))));
        assert_eq!(parse(&[b"!re", b".tag=1", b".tag=2"]), Err(ProtocolError::DuplicateTag));
        assert!(matches!(parse(&[b"!re", b".other=1"]), Err(ProtocolError::MalformedWord { .. })));
    }

    #[test]
    fn to_sentence_parses_back() {
        let replies = [
            Reply::Re { tag: Some(Tag(1)), attrs: attrs(&[(b".id", b"*1"), (b"comment", b"=\xE9=")]) },
            Reply::Done { tag: None, ret: Some(Value::from("")), attrs: Attributes::new() },
            Reply::Trap {
                tag: Some(Tag(9)),
                category: Some(TrapCategory::GeneralFailure),
                message: Value::from("boom"),
                attrs: Attributes::new(),
            },
            Reply::Fatal { reason: Value::from("not logged in") },
            Reply::Empty { tag: Some(Tag(2)) },
        ];
        for reply in replies {
            let s = reply.to_sentence().unwrap();
            assert_eq!(Reply::parse(&s).unwrap(), reply);
        }
    }
}

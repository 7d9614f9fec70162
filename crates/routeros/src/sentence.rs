//! Sentences: one or more words, then a zero-length word.

use std::fmt;

use bytes::{BufMut, BytesMut};

use crate::attributes::{is_secret_name, split_attribute};
use crate::{ProtocolError, Word};

/// A sentence as it travels: its words, without the terminating empty
/// word.
///
/// Invariant: at least one word (the router ignores empty sentences, and the
/// [`Decoder`](crate::Decoder) skips them). The first word is the command
/// (`/ppp/secret/print`) or the reply word (`!re`).
///
/// `Debug` hides the values of `=name=value` words whose names look secret
/// (see [`is_secret_name`]).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sentence {
    words: Vec<Word>,
}

impl fmt::Debug for Sentence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Shown<'a>(&'a Word);
        impl fmt::Debug for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match split_attribute(self.0) {
                    Ok((name, _)) if is_secret_name(name.as_bytes()) => {
                        write!(f, "\"={}=<redacted>\"", name.as_bytes().escape_ascii())
                    }
                    _ => self.0.fmt(f),
                }
            }
        }
        f.debug_tuple("Sentence").field(&self.words.iter().map(Shown).collect::<Vec<_>>()).finish()
    }
}

impl Sentence {
    /// A sentence of `words`; fails when there are none.
    pub fn new(words: Vec<Word>) -> Result<Self, ProtocolError> {
        if words.is_empty() {
            return Err(ProtocolError::EmptySentence);
        }
        Ok(Self { words })
    }

    /// All words, the first one included.
    #[must_use]
    pub fn words(&self) -> &[Word] {
        &self.words
    }

    /// The first word: the command or the reply word.
    #[must_use]
    pub fn first(&self) -> Option<&Word> {
        self.words.first()
    }

    /// Take the words out.
    #[must_use]
    pub fn into_words(self) -> Vec<Word> {
        self.words
    }

    /// Bytes this sentence takes on the wire, terminator included.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        self.words.iter().fold(1, |acc: usize, w| acc.saturating_add(w.encoded_len()))
    }

    /// Append every word, then the terminating zero-length word, to `out`.
    pub fn encode(&self, out: &mut impl BufMut) {
        for word in &self.words {
            word.encode(out);
        }
        out.put_u8(0);
    }

    /// The encoded sentence in a fresh buffer.
    #[must_use]
    pub fn to_bytes(&self) -> BytesMut {
        let mut out = BytesMut::with_capacity(self.encoded_len());
        self.encode(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_words_then_terminator() {
        let s = Sentence::new(vec![Word::try_from("/login").unwrap(), Word::try_from("=name=admin").unwrap()]).unwrap();
        let bytes = s.to_bytes();
        assert_eq!(&bytes[..], b"\x06/login\x0B=name=admin\x00");
        assert_eq!(s.encoded_len(), bytes.len());
    }

    #[test]
    fn debug_hides_secret_values() {
        let s = Sentence::new(vec![
            Word::try_from("/login").unwrap(),
            Word::try_from("=name=admin").unwrap(),
            Word::try_from("=password=hunter2").unwrap(),
        ])
        .unwrap();
        assert_eq!(format!("{s:?}"), r#"Sentence(["/login", "=name=admin", "=password=<redacted>"])"#);
    }

    #[test]
    fn empty_sentence_is_rejected() {
        assert_eq!(Sentence::new(vec![]), Err(ProtocolError::EmptySentence));
    }
}

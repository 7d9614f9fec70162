//! The one error type of the codec.

use thiserror::Error;

/// Everything that can go wrong while encoding or decoding API traffic.
///
/// Messages never include attribute values: a `!re` of `/ppp/secret/print`
/// carries passwords, and these errors end up in logs. Only reply words
/// (`!re`, ...), tags and trap categories are quoted, truncated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A length prefix started with a byte in `0xF8..=0xFF`, which the
    /// protocol reserves for control bytes that no RouterOS version sends.
    #[error("reserved control byte 0x{0:02X} where a word length was expected")]
    ReservedControlByte(u8),

    /// A length prefix started with a byte in `0xF1..=0xF7`: not a length
    /// encoding (the 5-byte form starts with exactly `0xF0`).
    #[error("malformed word length prefix 0x{0:02X}")]
    MalformedLengthPrefix(u8),

    /// A word longer than the decoder's limit, or one that cannot be encoded
    /// (more than `u32::MAX` bytes).
    #[error("word of {len} bytes exceeds the limit of {max} bytes")]
    WordTooLong {
        /// Announced (decoding) or actual (encoding) length.
        len: u64,
        /// The limit in force.
        max: u64,
    },

    /// A sentence whose words add up to more than the decoder's limit.
    #[error("sentence exceeds the limit of {max} bytes")]
    SentenceTooLong {
        /// The limit in force.
        max: usize,
    },

    /// A sentence with more words than the decoder's limit.
    #[error("sentence exceeds the limit of {max} words")]
    TooManyWords {
        /// The limit in force.
        max: usize,
    },

    /// A word must have at least one byte: a zero-length word ends a
    /// sentence.
    #[error("a word cannot be empty (a zero-length word ends the sentence)")]
    EmptyWord,

    /// A sentence must have at least one word.
    #[error("a sentence needs at least one word")]
    EmptySentence,

    /// An attribute or query name that is empty or contains `=`, so the
    /// router would split the word somewhere else.
    #[error("invalid attribute name {name:?}: it must be non-empty and contain no '='")]
    InvalidAttributeName {
        /// The offending name, lossily decoded.
        name: String,
    },

    /// A reply sentence that starts with something other than `!re`,
    /// `!done`, `!trap`, `!fatal` or `!empty`.
    #[error("unknown reply word {0:?}")]
    UnknownReplyWord(String),

    /// A word that does not fit its place: in a reply, one that is neither
    /// `=key=value` (with a non-empty key) nor `.tag=N`.
    #[error("malformed word {index} ({len} bytes) in a {sentence} sentence: {reason}")]
    MalformedWord {
        /// The kind of sentence: the reply word (`!re`, ...) or `command`.
        sentence: &'static str,
        /// Position of the word in the sentence (the reply word is 0).
        index: usize,
        /// Length of the word in bytes.
        len: usize,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A `.tag=` that is not a decimal `u32`.
    #[error("invalid tag {0:?}: expected a decimal number")]
    InvalidTag(String),

    /// Two `.tag=` words in one reply.
    #[error("reply carries more than one .tag")]
    DuplicateTag,

    /// A `!trap` whose `=category=` is not a decimal number.
    #[error("invalid trap category {0:?}: expected a decimal number")]
    InvalidTrapCategory(String),
}

/// Quote at most `max` bytes of `bytes` for an error message.
pub(crate) fn quote(bytes: &[u8], max: usize) -> String {
    let shown = bytes.get(..max).unwrap_or(bytes);
    let mut s = String::from_utf8_lossy(shown).into_owned();
    if shown.len() < bytes.len() {
        s.push('…');
    }
    s
}

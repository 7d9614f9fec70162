//! The incremental sentence decoder.

use bytes::{Buf, Bytes, BytesMut};

use crate::length::decode_length;
use crate::{ProtocolError, Reply, Sentence, Word};

/// Bounds on what a peer can make the [`Decoder`] hold.
///
/// A hostile or broken router could announce a 4 GiB word; with these
/// limits the decoder fails as soon as the length prefix is read, before
/// any of it is buffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest word accepted, in bytes. Default 16 MiB.
    pub max_word_len: usize,
    /// Longest sentence accepted, counting every word with its length
    /// prefix. Default 64 MiB.
    pub max_sentence_len: usize,
    /// Most words in one sentence. Default 65,536 (a `!re` has a few dozen);
    /// bounds the per-word bookkeeping that byte limits alone would let a
    /// stream of 1-byte words inflate.
    pub max_words: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_word_len: 16 << 20, max_sentence_len: 64 << 20, max_words: 1 << 16 }
    }
}

/// Turns bytes, in chunks of any size, into [`Sentence`]s.
///
/// Sans-IO: the connection owner [`feed`](Self::feed)s whatever it read,
/// then calls [`next_sentence`](Self::next_sentence) (or
/// [`next_reply`](Self::next_reply)) until it returns `Ok(None)`.
///
/// - Empty sentences (a zero-length word where a sentence would start) are
///   skipped, as the router itself does.
/// - A framing error (reserved byte, limit exceeded) leaves the stream out
///   of step for good: the decoder then returns the same error forever and
///   the connection must be dropped.
/// - A [`Reply`] that fails to parse is not a framing error: the sentence is
///   consumed and the next call goes on with the next one.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: BytesMut,
    /// Words of the sentence being assembled.
    words: Vec<Word>,
    /// Wire size of `words`, prefixes included.
    sentence_len: usize,
    limits: Limits,
    failed: Option<ProtocolError>,
}

impl Decoder {
    /// A decoder with the default [`Limits`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with the given limits.
    #[must_use]
    pub fn with_limits(limits: Limits) -> Self {
        Self { limits, ..Self::default() }
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Append bytes read from the connection.
    pub fn feed(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The input buffer, for reading into it without a copy (tokio's
    /// `read_buf`). Only append to it: anything else desynchronizes the
    /// stream (with an error later, never a panic).
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Bytes fed but not yet returned as part of a sentence.
    #[must_use]
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }

    /// Whether part of a sentence has been received: at end of stream this
    /// means the peer closed mid-sentence.
    #[must_use]
    pub fn has_partial_sentence(&self) -> bool {
        !self.words.is_empty() || !self.buf.is_empty()
    }

    /// The next complete sentence, `Ok(None)` if more bytes are needed.
    pub fn next_sentence(&mut self) -> Result<Option<Sentence>, ProtocolError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match self.step() {
            Ok(s) => Ok(s),
            Err(err) => {
                self.failed = Some(err.clone());
                Err(err)
            }
        }
    }

    /// The next complete sentence parsed as a [`Reply`].
    pub fn next_reply(&mut self) -> Result<Option<Reply>, ProtocolError> {
        self.next_sentence()?.map(|s| Reply::parse(&s)).transpose()
    }

    fn step(&mut self) -> Result<Option<Sentence>, ProtocolError> {
        loop {
            let Some(prefix) = decode_length(&self.buf)? else {
                return Ok(None);
            };
            if prefix.len == 0 {
                self.buf.advance(prefix.prefix_len);
                if self.words.is_empty() {
                    continue; // an empty sentence: ignored
                }
                self.sentence_len = 0;
                return Sentence::new(std::mem::take(&mut self.words)).map(Some);
            }

            let word_len = usize::try_from(prefix.len).unwrap_or(usize::MAX);
            if word_len > self.limits.max_word_len {
                return Err(ProtocolError::WordTooLong {
                    len: u64::from(prefix.len),
                    max: u64::try_from(self.limits.max_word_len).unwrap_or(u64::MAX),
                });
            }
            let too_long = ProtocolError::SentenceTooLong { max: self.limits.max_sentence_len };
            let wire_len = prefix.prefix_len.checked_add(word_len).ok_or_else(|| too_long.clone())?;
            let sentence_len = self
                .sentence_len
                .checked_add(wire_len)
                .filter(|&n| n <= self.limits.max_sentence_len)
                .ok_or(too_long)?;
            if self.words.len() >= self.limits.max_words {
                return Err(ProtocolError::TooManyWords { max: self.limits.max_words });
            }

            let Some(bytes) = self.buf.get(prefix.prefix_len..wire_len) else {
                return Ok(None); // the word has not fully arrived
            };
            // A copy, not a split of `buf`: a small value kept for long
            // must not pin the whole read buffer it arrived in.
            let word = Word::new(Bytes::copy_from_slice(bytes))?;
            self.buf.advance(wire_len);
            self.words.push(word);
            self.sentence_len = sentence_len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(words: &[&[u8]]) -> Sentence {
        Sentence::new(words.iter().map(|w| Word::try_from(*w).unwrap()).collect()).unwrap()
    }

    fn decode_all(dec: &mut Decoder) -> Vec<Sentence> {
        std::iter::from_fn(|| dec.next_sentence().unwrap()).collect()
    }

    #[test]
    fn decodes_one_sentence() {
        let mut dec = Decoder::new();
        dec.feed(b"\x05!done\x0B=ret=abcdef\x00");
        assert_eq!(dec.next_sentence().unwrap(), Some(sentence(&[b"!done", b"=ret=abcdef"])));
        assert_eq!(dec.next_sentence().unwrap(), None);
        assert!(!dec.has_partial_sentence());
    }

    #[test]
    fn waits_for_the_terminator() {
        let mut dec = Decoder::new();
        dec.feed(b"\x03!re\x05=a=b1");
        assert_eq!(dec.next_sentence().unwrap(), None);
        assert!(dec.has_partial_sentence());
        dec.feed(b"\x00");
        assert_eq!(dec.next_sentence().unwrap(), Some(sentence(&[b"!re", b"=a=b1"])));
    }

    #[test]
    fn empty_sentences_are_skipped() {
        let mut dec = Decoder::new();
        dec.feed(b"\x00\x00\x05!done\x00\x00");
        assert_eq!(decode_all(&mut dec), vec![sentence(&[b"!done"])]);
        assert!(!dec.has_partial_sentence());
    }

    #[test]
    fn three_megabyte_word_round_trips_byte_by_byte() {
        let big: Vec<u8> = (0..3_000_000_u32).map(|i| u8::try_from(i % 251).unwrap()).collect();
        let s = sentence(&[b"!re", &big, b".tag=9"]);
        let wire = s.to_bytes();
        // 3,000,000 >= 0x20_0000: a 4-byte prefix.
        assert_eq!(&wire[4..8], &[0xE0, 0x2D, 0xC6, 0xC0]);
        let mut dec = Decoder::new();
        let mut got = Vec::new();
        for b in wire.iter() {
            dec.feed(std::slice::from_ref(b));
            got.extend(decode_all(&mut dec));
        }
        assert_eq!(got, vec![s]);
    }

    #[test]
    fn reserved_byte_poisons_the_decoder() {
        let mut dec = Decoder::new();
        dec.feed(b"\x03!re\xF8");
        let err = ProtocolError::ReservedControlByte(0xF8);
        assert_eq!(dec.next_sentence(), Err(err.clone()));
        dec.feed(b"\x00");
        assert_eq!(dec.next_sentence(), Err(err));
    }

    #[test]
    fn word_limit_is_checked_before_the_word_arrives() {
        let mut dec = Decoder::with_limits(Limits { max_word_len: 0x80, ..Limits::default() });
        dec.feed(&[0x80, 0x80]); // 0x80 bytes: at the limit
        assert_eq!(dec.next_sentence(), Ok(None));
        let mut dec = Decoder::with_limits(Limits { max_word_len: 0x80, ..Limits::default() });
        dec.feed(&[0x80, 0x81]);
        assert_eq!(dec.next_sentence(), Err(ProtocolError::WordTooLong { len: 0x81, max: 0x80 }));
        // A 4 GiB announcement with the default limits.
        let mut dec = Decoder::new();
        dec.feed(&[0xF0, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(matches!(dec.next_sentence(), Err(ProtocolError::WordTooLong { .. })));
    }

    #[test]
    fn sentence_and_word_count_limits() {
        let limits = Limits { max_sentence_len: 10, ..Limits::default() };
        let mut dec = Decoder::with_limits(limits);
        dec.feed(b"\x04abcd\x04efgh\x00"); // 10 bytes of words: fine
        assert_eq!(decode_all(&mut dec).len(), 1);
        dec.feed(b"\x04abcd\x05efghi\x00");
        assert_eq!(dec.next_sentence(), Err(ProtocolError::SentenceTooLong { max: 10 }));

        let mut dec = Decoder::with_limits(Limits { max_words: 2, ..Limits::default() });
        dec.feed(b"\x01a\x01b\x00\x01a\x01b\x01c\x00");
        assert_eq!(dec.next_sentence().unwrap().unwrap().words().len(), 2);
        assert_eq!(dec.next_sentence(), Err(ProtocolError::TooManyWords { max: 2 }));
    }

    #[test]
    fn buffer_mut_reads_like_feed() {
        let mut dec = Decoder::new();
        dec.buffer_mut().extend_from_slice(b"\x05!done\x00");
        assert_eq!(dec.next_sentence().unwrap(), Some(sentence(&[b"!done"])));
        assert_eq!(dec.buffered_len(), 0);
    }
}

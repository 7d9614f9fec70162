//! Arbitrary bytes into the RouterOS decoder, in arbitrary chunks: it must
//! return sentences or an error, never panic, and parsing what it returns
//! as replies or commands must not panic either.

#![no_main]

use headend_routeros::{Command, Decoder, Limits, Reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First byte picks the limits and the chunk size; the rest is the stream.
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let limits = if control & 0x80 == 0 {
        Limits::default()
    } else {
        Limits { max_word_len: 300, max_sentence_len: 1_000, max_words: 16 }
    };
    let chunk = usize::from(control & 0x7F).max(1);
    let mut decoder = Decoder::with_limits(limits);
    for part in stream.chunks(chunk) {
        decoder.feed(part);
        loop {
            match decoder.next_sentence() {
                Ok(Some(sentence)) => {
                    // Whatever parses must survive a round trip.
                    if let Ok(reply) = Reply::parse(&sentence) {
                        let again = reply.to_sentence().ok().map(|s| Reply::parse(&s));
                        assert!(matches!(again, None | Some(Ok(_))));
                        let _ = format!("{reply:?}");
                    }
                    if let Ok(command) = Command::parse(&sentence) {
                        let _ = command.to_bytes();
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    assert_eq!(decoder.next_sentence(), Err(err.clone()));
                    let _ = err.to_string();
                    return;
                }
            }
        }
    }
});

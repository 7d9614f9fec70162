//! Property tests: encode ⇄ decode under random chunking, and no panics on
//! arbitrary input.

#![allow(clippy::unwrap_used)]

use headend_routeros::{
    Attributes, Command, Decoder, Limits, Query, Reply, Sentence, Tag, TrapCategory, Value, Word, decode_length,
    encode_length,
};
use proptest::prelude::*;

/// A word: usually short, sometimes long enough for a 2- or 3-byte prefix.
fn word() -> impl Strategy<Value = Word> {
    prop_oneof![
        8 => proptest::collection::vec(any::<u8>(), 1..40),
        2 => proptest::collection::vec(any::<u8>(), 0x70..0x90),
        1 => proptest::collection::vec(any::<u8>(), 0x3FF0..0x4010),
    ]
    .prop_map(|b| Word::try_from(b).unwrap())
}

fn sentence() -> impl Strategy<Value = Sentence> {
    proptest::collection::vec(word(), 1..8).prop_map(|w| Sentence::new(w).unwrap())
}

/// Cut `bytes` into chunks of the given sizes (the last chunk takes the
/// rest), cycling through `sizes`.
fn chunks<'a>(bytes: &'a [u8], sizes: &'a [usize]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = bytes;
    let mut i = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = sizes.get(i % sizes.len().max(1)).copied().unwrap_or(rest.len());
        i += 1;
        let (head, tail) = rest.split_at(n.clamp(1, rest.len()));
        rest = tail;
        Some(head)
    })
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(prop_oneof![4 => 1..8_usize, 2 => 1..300_usize, 1 => 1..40_000_usize], 1..16)
}

/// Attribute names as RouterOS spells them.
fn name() -> impl Strategy<Value = Value> {
    "[a-z.][a-z0-9.-]{0,15}".prop_map(Value::from)
}

fn bytes_value() -> impl Strategy<Value = Value> {
    proptest::collection::vec(any::<u8>(), 0..30).prop_map(Value::from)
}

fn attributes() -> impl Strategy<Value = Attributes> {
    proptest::collection::vec((name(), bytes_value()), 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            // Names that `Done`/`Trap` take out into their own fields.
            .filter(|(k, _)| !matches!(k.as_bytes(), b"ret" | b"message" | b"category"))
            .collect()
    })
}

fn tag() -> impl Strategy<Value = Option<Tag>> {
    proptest::option::of(any::<u32>().prop_map(Tag))
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        (tag(), attributes()).prop_map(|(tag, attrs)| Reply::Re { tag, attrs }),
        (tag(), proptest::option::of(bytes_value()), attributes()).prop_map(|(tag, ret, attrs)| Reply::Done {
            tag,
            ret,
            attrs
        }),
        (tag(), proptest::option::of(any::<u32>().prop_map(TrapCategory::from_code)), bytes_value(), attributes())
            .prop_map(|(tag, category, message, attrs)| Reply::Trap { tag, category, message, attrs }),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|r| Reply::Fatal { reason: r.into() }),
        tag().prop_map(|tag| Reply::Empty { tag }),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    prop_oneof![
        name().prop_map(Query::Has),
        name().prop_map(Query::Lacks),
        (name(), bytes_value()).prop_map(|(n, v)| Query::Eq(n, v)),
        (name(), bytes_value()).prop_map(|(n, v)| Query::Lt(n, v)),
        (name(), bytes_value()).prop_map(|(n, v)| Query::Gt(n, v)),
        "[|&!.0-9]{0,4}".prop_map(|ops| Query::Ops(ops.into())),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    (
        "/[a-z/]{1,30}",
        attributes(),
        proptest::option::of(proptest::collection::vec(name(), 0..5)),
        proptest::collection::vec(query(), 0..5),
        tag(),
    )
        .prop_map(|(path, attrs, props, queries, tag)| {
            let mut cmd = Command::new(path);
            for (k, v) in attrs {
                if k != ".proplist" {
                    cmd = cmd.attr(k, v);
                }
            }
            if let Some(props) = props {
                cmd = cmd.proplist(props);
            }
            for q in queries {
                cmd = cmd.query(q);
            }
            cmd.set_tag(tag);
            cmd
        })
}

fn decode_chunked(wire: &[u8], sizes: &[usize]) -> Vec<Sentence> {
    let mut dec = Decoder::new();
    let mut got = Vec::new();
    for chunk in chunks(wire, sizes) {
        dec.feed(chunk);
        while let Some(s) = dec.next_sentence().unwrap() {
            got.push(s);
        }
    }
    assert!(!dec.has_partial_sentence());
    got
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn length_round_trips(len in any::<u32>(), trailing in proptest::collection::vec(any::<u8>(), 0..4)) {
        let mut buf = Vec::new();
        encode_length(len, &mut buf);
        let prefix_len = buf.len();
        buf.extend(trailing);
        let d = decode_length(&buf).unwrap().unwrap();
        prop_assert_eq!((d.len, d.prefix_len), (len, prefix_len));
    }

    #[test]
    fn sentences_round_trip_under_any_chunking(
        sentences in proptest::collection::vec(sentence(), 1..5),
        empties in proptest::collection::vec(any::<bool>(), 5),
        sizes in chunk_sizes(),
    ) {
        let mut wire = Vec::new();
        for (s, empty_before) in sentences.iter().zip(empties) {
            if empty_before {
                wire.push(0); // an empty sentence, to be skipped
            }
            s.encode(&mut wire);
        }
        prop_assert_eq!(decode_chunked(&wire, &sizes), sentences);
    }

    #[test]
    fn replies_round_trip_under_any_chunking(replies in proptest::collection::vec(reply(), 1..6), sizes in chunk_sizes()) {
        let mut wire = Vec::new();
        for r in &replies {
            r.to_sentence().unwrap().encode(&mut wire);
        }
        let got: Vec<Reply> = decode_chunked(&wire, &sizes)
            .iter()
            .map(|s| Reply::parse(s).unwrap())
            .collect();
        prop_assert_eq!(got, replies);
    }

    #[test]
    fn commands_round_trip(cmd in command(), sizes in chunk_sizes()) {
        let wire = cmd.to_bytes().unwrap();
        let got = decode_chunked(&wire, &sizes);
        prop_assert_eq!(got.len(), 1);
        prop_assert_eq!(Command::parse(&got[0]).unwrap(), cmd);
    }

    #[test]
    fn tags_round_trip(n in any::<u32>()) {
        prop_assert_eq!(Tag::parse(Tag(n).to_string().as_bytes()), Ok(Tag(n)));
    }

    #[test]
    fn decoder_never_panics_on_arbitrary_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        sizes in chunk_sizes(),
        small in any::<bool>(),
    ) {
        let limits = if small {
            Limits { max_word_len: 64, max_sentence_len: 256, max_words: 8 }
        } else {
            Limits::default()
        };
        let mut dec = Decoder::with_limits(limits);
        for chunk in chunks(&bytes, &sizes) {
            dec.feed(chunk);
            loop {
                match dec.next_sentence() {
                    Ok(Some(s)) => {
                        let _ = Reply::parse(&s);
                        let _ = Command::parse(&s);
                        let _ = format!("{s:?}");
                    }
                    Ok(None) => break,
                    Err(e) => {
                        // Poisoned for good, with the same error.
                        prop_assert_eq!(dec.next_sentence(), Err(e.clone()));
                        let _ = e.to_string();
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn decoder_never_panics_on_mutated_valid_streams(
        replies in proptest::collection::vec(reply(), 1..4),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        sizes in chunk_sizes(),
    ) {
        let mut wire = Vec::new();
        for r in &replies {
            r.to_sentence().unwrap().encode(&mut wire);
        }
        for (at, b) in flips {
            let i = at.index(wire.len());
            wire[i] = b;
        }
        let mut dec = Decoder::new();
        for chunk in chunks(&wire, &sizes) {
            dec.feed(chunk);
            while let Ok(Some(s)) = dec.next_sentence() {
                if let Ok(r) = Reply::parse(&s) {
                    let _ = (r.tag(), r.word(), format!("{r:?}"));
                }
            }
        }
    }
}

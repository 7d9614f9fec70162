//! A realistic reply stream, decoded from every possible chunking.

#![allow(clippy::unwrap_used)]

use headend_routeros::{Attributes, Decoder, ProtocolError, Reply, Sentence, Tag, TrapCategory, Value, Word};

fn sentence(words: &[&[u8]]) -> Sentence {
    Sentence::new(words.iter().map(|w| Word::try_from(*w).unwrap()).collect()).unwrap()
}

/// A long comment so that one word needs a 2-byte length prefix.
fn long_comment() -> Vec<u8> {
    let mut c = b"=comment=".to_vec();
    c.extend((0..200_u32).map(|i| b"abc=\xE9\x80\x9F"[usize::try_from(i % 7).unwrap()]));
    c
}

/// What a router sends for a tagged print, a print that matches nothing, an
/// add, two failures, and a fatal error.
fn stream() -> (Vec<u8>, Vec<Sentence>) {
    let comment = long_comment();
    let sentences = vec![
        sentence(&[b"!re", b"=.id=*1", b"=name=jos\xE9", b"=password=s=cr=t", &comment, b".tag=1"]),
        sentence(&[b"!re", b"=.id=*2", b"=.dead=yes", b".tag=1"]),
        sentence(&[b"!done", b".tag=1"]),
        sentence(&[b"!empty", b".tag=2"]),
        sentence(&[b"!done", b".tag=2"]),
        sentence(&[b"!done", b"=ret=*3F", b".tag=3"]),
        sentence(&[b"!trap", b"=category=1", b"=message=input does not match any value of interface", b".tag=4"]),
        sentence(&[b"!done", b".tag=4"]),
        sentence(&[b"!trap", b"=message=failure: already have such entry"]),
        sentence(&[b"!done"]),
        sentence(&[b"!fatal", b"session terminated on request"]),
    ];
    let mut wire = Vec::new();
    for s in &sentences {
        s.encode(&mut wire);
    }
    (wire, sentences)
}

fn drain(dec: &mut Decoder, out: &mut Vec<Sentence>) {
    while let Some(s) = dec.next_sentence().unwrap() {
        out.push(s);
    }
}

#[test]
fn every_split_position_gives_the_same_sentences() {
    let (wire, expected) = stream();
    assert!(wire.len() > 300);
    for at in 0..=wire.len() {
        let (a, b) = wire.split_at(at);
        let mut dec = Decoder::new();
        let mut got = Vec::new();
        dec.feed(a);
        drain(&mut dec, &mut got);
        dec.feed(b);
        drain(&mut dec, &mut got);
        assert_eq!(got, expected, "split at {at}");
        assert!(!dec.has_partial_sentence());
    }
}

#[test]
fn every_pair_of_split_positions_near_the_long_word() {
    // The 2-byte prefix and its neighbours, cut twice.
    let (wire, expected) = stream();
    for i in 0..60 {
        for j in i..60 {
            let mut dec = Decoder::new();
            let mut got = Vec::new();
            for part in [&wire[..i], &wire[i..j], &wire[j..]] {
                dec.feed(part);
                drain(&mut dec, &mut got);
            }
            assert_eq!(got, expected, "split at {i} and {j}");
        }
    }
}

#[test]
fn one_byte_at_a_time() {
    let (wire, expected) = stream();
    let mut dec = Decoder::new();
    let mut got = Vec::new();
    for b in &wire {
        dec.feed(std::slice::from_ref(b));
        drain(&mut dec, &mut got);
    }
    assert_eq!(got, expected);
}

#[test]
fn replies_are_typed() {
    let (wire, _) = stream();
    let mut dec = Decoder::new();
    dec.feed(&wire);
    let replies: Vec<Reply> = std::iter::from_fn(|| dec.next_reply().unwrap()).collect();

    let Reply::Re { tag, attrs } = &replies[0] else { panic!("{:?}", replies[0]) };
    assert_eq!(*tag, Some(Tag(1)));
    assert_eq!(attrs.get(".id").unwrap(), "*1");
    assert_eq!(attrs.get("name").unwrap().as_bytes(), b"jos\xE9");
    assert_eq!(attrs.get("name").unwrap().to_string_lossy_cp1252(), "josé");
    assert_eq!(attrs.get("password").unwrap(), "s=cr=t");
    assert_eq!(attrs.get("comment").unwrap().as_bytes(), &long_comment()[b"=comment=".len()..]);
    // Secrets stay out of Debug.
    assert!(!format!("{:?}", replies[0]).contains("s=cr=t"));

    let Reply::Re { attrs, .. } = &replies[1] else { panic!() };
    assert_eq!(attrs.get(".dead").unwrap(), "yes");

    assert_eq!(replies[2], Reply::Done { tag: Some(Tag(1)), ret: None, attrs: Attributes::new() });
    assert_eq!(replies[3], Reply::Empty { tag: Some(Tag(2)) });
    assert!(replies[4].is_final());
    assert_eq!(replies[5], Reply::Done { tag: Some(Tag(3)), ret: Some(Value::from("*3F")), attrs: Attributes::new() });
    let Reply::Trap { tag, category, message, .. } = &replies[6] else { panic!() };
    assert_eq!((*tag, *category), (Some(Tag(4)), Some(TrapCategory::ArgumentValueFailure)));
    assert_eq!(message, "input does not match any value of interface");
    let Reply::Trap { category, tag, .. } = &replies[8] else { panic!() };
    assert_eq!((*tag, *category), (None, None));
    assert_eq!(replies[10], Reply::Fatal { reason: Value::from("session terminated on request") });
    assert_eq!(replies.len(), 11);
}

#[test]
fn a_bad_reply_does_not_desynchronize_the_stream() {
    let mut wire = Vec::new();
    sentence(&[b"!what"]).encode(&mut wire);
    sentence(&[b"!re", b"=nameonly"]).encode(&mut wire);
    sentence(&[b"!done"]).encode(&mut wire);
    let mut dec = Decoder::new();
    dec.feed(&wire);
    assert!(matches!(dec.next_reply(), Err(ProtocolError::UnknownReplyWord(_))));
    assert!(matches!(dec.next_reply(), Err(ProtocolError::MalformedWord { .. })));
    assert!(matches!(dec.next_reply(), Ok(Some(Reply::Done { .. }))));
    assert_eq!(dec.next_reply(), Ok(None));
}

#[test]
fn every_reserved_byte_is_a_framing_error_mid_stream() {
    for b in 0xF8..=0xFF_u8 {
        let mut dec = Decoder::new();
        dec.feed(b"\x05!done\x00\x03!re");
        dec.feed(&[b]);
        assert!(dec.next_sentence().unwrap().is_some());
        assert_eq!(dec.next_sentence(), Err(ProtocolError::ReservedControlByte(b)));
    }
}

//! No input makes a parser or the terminal panic: arbitrary text, and
//! fixtures cut and mangled at random.

#![allow(clippy::unwrap_used)]

mod common;

use headend_olt::terminal::Terminal;
use headend_olt::{SerialNumber, huawei, vsol, zte};
use proptest::prelude::*;

fn every_parser(text: &str) {
    let _ = huawei::parse::autofind(text);
    let _ = huawei::parse::ont_summary(text);
    let _ = huawei::parse::ont_info(text);
    let _ = huawei::parse::optical_port(text);
    let _ = huawei::parse::optical_ont(text);
    let _ = huawei::parse::ont_added(text);
    let _ = zte::parse::uncfg(text);
    let _ = zte::parse::onu_state(text);
    let _ = zte::parse::baseinfo(text);
    let _ = zte::parse::attenuation(text);
    let _ = zte::parse::remote_onu_pon(text);
    let _ = zte::parse::onu_rx(text);
    let _ = zte::parse::detail_info(text);
    let _ = vsol::parse::autofind(text);
    let _ = vsol::parse::onu_info(text);
    let _ = vsol::parse::onu_state(text);
    let _ = vsol::parse::optical(text);
    let _ = headend_olt::refusal(text);
    let _ = headend_olt::log::redact_reply(text);
    let _ = SerialNumber::parse(text);
    let _ = text.parse::<headend_olt::PonPort>();
}

const FIXTURES: [&str; 12] = [
    "huawei/autofind_ma5800.txt",
    "huawei/ont_summary_offline.txt",
    "huawei/ont_info_two_ports.txt",
    "huawei/optical_port.txt",
    "huawei/optical_ont_ma5800.txt",
    "zte/c320_uncfg.txt",
    "zte/c320_onu_state_o7.txt",
    "zte/c600_baseinfo.txt",
    "zte/c320_power_attenuation.txt",
    "vsol/onu_info.txt",
    "vsol/optical_info_split.txt",
    "zte/c320_detail_info.txt",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_survive_any_text(text in ".{0,400}") {
        every_parser(&text);
    }

    #[test]
    fn parsers_survive_table_like_text(text in "([ \\-:/0-9A-Za-z().]{0,40}\n){0,20}") {
        every_parser(&text);
    }

    #[test]
    fn parsers_survive_mangled_fixtures(which in 0..FIXTURES.len(), cut in any::<prop::sample::Index>(), junk in "[ -~]{0,12}", at in any::<prop::sample::Index>()) {
        let text = common::fixture(FIXTURES[which]);
        let chars: Vec<char> = text.chars().collect();
        let cut = cut.index(chars.len().max(1)).min(chars.len());
        let head: String = chars[..cut].iter().collect();
        every_parser(&head);
        let at = at.index(chars.len().max(1)).min(chars.len());
        let mut mangled: String = chars[..at].iter().collect();
        mangled.push_str(&junk);
        mangled.extend(chars[at..].iter());
        every_parser(&mangled);
    }

    #[test]
    fn terminal_survives_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000), chunk in 1usize..64) {
        let mut t = Terminal::new();
        for part in bytes.chunks(chunk) {
            for e in t.feed(part) {
                let _ = e.answer();
            }
        }
        let reply = t.take_reply();
        every_parser(&reply);
    }

    #[test]
    fn terminal_survives_escape_heavy_bytes(bytes in proptest::collection::vec(prop::sample::select(vec![0x1bu8, b'[', b'C', b'D', b'K', b'9', b';', b'\r', b'\n', 0x08, b'-', b'M', b'o', b'r', b'e', b'#', b'>', b'(', b')', b'a', 0xc3, 0xa7]), 0..3000)) {
        let mut t = Terminal::new();
        t.feed(&bytes);
        prop_assert!(t.pending().chars().count() <= headend_olt::terminal::MAX_LINE);
    }
}

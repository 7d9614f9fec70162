//! Arbitrary bytes into the OLT terminal, in arbitrary chunks, and what it
//! delivers (and the raw text) into every OLT parser: they must return a
//! value or an error, never panic, and the terminal must stay bounded.

#![no_main]

use headend_olt::terminal::{Event, MAX_LINE, Terminal};
use headend_olt::{PonPort, SerialNumber, huawei, vsol, zte};
use libfuzzer_sys::fuzz_target;

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
    let _ = text.parse::<PonPort>();
}

fuzz_target!(|data: &[u8]| {
    // First byte picks the chunk size; the rest is what the OLT sent.
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    every_parser(&String::from_utf8_lossy(stream));
    let chunk = usize::from(control).max(1);
    let mut term = Terminal::new();
    for part in stream.chunks(chunk) {
        for event in term.feed(part) {
            let _ = event.answer();
            if let Event::Prompt(p) = event {
                let _ = p.to_string();
                every_parser(&term.take_reply());
            }
        }
        assert!(term.pending().chars().count() <= MAX_LINE);
    }
    every_parser(&term.take_reply());
});

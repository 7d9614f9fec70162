//! Shared by the integration tests: fixtures and a terminal pass.

#![allow(dead_code, clippy::unwrap_used)]

use headend_olt::terminal::{Event, Terminal};

pub fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The reply as the terminal delivers it when the OLT sends `raw` (CRLF
/// line ends) in `chunk`-byte pieces after `prompt`, answering pagers.
pub fn through_terminal(prompt: &str, raw: &str, chunk: usize) -> String {
    let mut t = Terminal::new();
    t.feed(prompt.as_bytes());
    t.take_reply();
    let bytes = format!("{}\r\n{prompt}", raw.replace('\n', "\r\n")).into_bytes();
    let mut done = false;
    for part in bytes.chunks(chunk.max(1)) {
        for e in t.feed(part) {
            if matches!(e, Event::Prompt(_)) {
                done = true;
            }
        }
    }
    assert!(done, "no prompt seen");
    t.take_reply()
}

/// Inserts a Huawei pager and its erase sequence after every `every` lines.
pub fn with_huawei_pager(raw: &str, every: usize) -> String {
    let mut out = String::new();
    for (i, line) in raw.lines().enumerate() {
        if i > 0 && i % every == 0 {
            out.push_str("  ---- More ( Press 'Q' to quit ) ----\x1b[37D");
            out.push_str(&" ".repeat(35));
            out.push_str("\x1b[37D");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Inserts a ZTE `--More--` and its backspace erase after every `every`
/// lines.
pub fn with_zte_pager(raw: &str, every: usize) -> String {
    let mut out = String::new();
    for (i, line) in raw.lines().enumerate() {
        if i > 0 && i % every == 0 {
            out.push_str(" --More--");
            out.push_str(&"\x08".repeat(9));
            out.push_str(&" ".repeat(9));
            out.push_str(&"\x08".repeat(9));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

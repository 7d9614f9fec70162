//! Arbitrary router comments (text an operator or another tool wrote in
//! Winbox) into Headend's mark parser and the claim rewrite: a value or
//! nothing, never a panic, and a claimed comment always carries the mark.

#![no_main]

use headend_core::provision::marker::{Installation, Mark, claimed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(comment) = std::str::from_utf8(data) else { return };
    let Ok(here) = Installation::new("5f3a9c0e1b2d4a67") else { return };
    if let Some(mark) = Mark::find(comment) {
        let rewritten = claimed(comment, mark.marker, &here);
        assert!(Mark::find(&rewritten).is_some(), "{comment:?} -> {rewritten:?}");
    }
    let _ = Mark::ownership(Some(comment), &here);
    let _ = Installation::new(comment);
});

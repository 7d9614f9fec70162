//! Arbitrary bytes as a `headend import services` file: the parser must
//! report rows or problems, never panic; every problem names a line, and
//! no good row comes from a line that also has a problem.

#![no_main]

use headend_core::import::{parse_services, parse_services_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = parse_services(data);
    for error in &parsed.errors {
        assert!(!error.reason.is_empty());
    }
    for row in &parsed.rows {
        assert!(parsed.errors.iter().all(|e| e.line != row.line), "line {} is both good and bad", row.line);
    }
    // With every router and plan unknown, no row is good.
    let none = parse_services_with(data, &|_| false, &|_| false);
    assert!(none.rows.is_empty());
});

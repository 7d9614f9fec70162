//! Printing: lines and JSON to stdout (messages for people go to stderr),
//! tables, and router text made safe to show.

use std::fmt::{Display, Write as _};
use std::io::Write;
use std::time::Duration;

use headend_routeros::Value;
use serde::Serialize;

/// One line on stdout, flushed (streams are read line by line). A closed
/// pipe is an `Err` the caller passes up, never a panic.
pub fn line(text: impl Display) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// One JSON value on one line of stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string(value)?;
    Ok(line(text)?)
}

/// A table with a header row, columns padded to their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let _ = write!(text, "{cell:<width$}");
        }
        text.trim_end().to_owned()
    };
    line(render(&mut headers.iter().copied()))?;
    for row in rows {
        line(render(&mut row.iter().map(String::as_str)))?;
    }
    Ok(())
}

/// Router text (names, comments: bytes, often Windows-1252) as a string:
/// UTF-8 when it is, Windows-1252 otherwise. Lossy: for display and JSON,
/// never to send back to a router.
pub fn text(value: &Value) -> String {
    value.to_string_lossy_cp1252().into_owned()
}

/// [`text`] made safe for a terminal: control characters (an escape
/// sequence in a comment, a newline in a name) are shown escaped.
pub fn shown(value: &Value) -> String {
    safe(&text(value))
}

/// `s` with control characters escaped.
pub fn safe(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// `1w2d3h4m5s`, the way RouterOS writes durations.
pub fn duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        let n = secs / size;
        secs %= size;
        if n > 0 {
            let _ = write!(out, "{n}{unit}");
        }
    }
    out
}

/// Bytes in binary units: `512 B`, `1.5 KiB`, `243.2 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    #[allow(clippy::cast_precision_loss)] // display only
    let mut value = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

/// An optional cell: `-` when absent.
pub fn or_dash(value: Option<String>) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn router_text_is_decoded_and_made_safe() {
        assert_eq!(text(&Value::from(&b"Jos\xe9"[..])), "José");
        assert_eq!(text(&Value::from("Zoë")), "Zoë");
        assert_eq!(shown(&Value::from("a\x1b[2Jb\n")), "a\\u{1b}[2Jb\\n");
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(duration(Duration::from_secs(0)), "0s");
        assert_eq!(duration(Duration::from_secs(694_861)), "1w1d1h1m1s");
        assert_eq!(duration(Duration::from_secs(3_600)), "1h");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(255 * 1024 * 1024), "255.0 MiB");
        assert_eq!(bytes(u64::MAX), "16384.0 PiB");
    }
}

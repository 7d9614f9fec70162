//! The OLT command log: every line sent to an OLT and what it answered,
//! handed to a sink the caller provides (the engine persists it). Passwords
//! never reach it: the login and `enable` passwords are sent in answer to
//! `Password:` and are not commands, and the ONU registration passwords the
//! OLT prints are masked by [`redact_reply`] before a reply is logged.

use std::borrow::Cow;
use std::time::Duration;

use crate::text::{header_columns, is_blank_value, is_rule};

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    /// The prompt came back and the reply was not an error message.
    Ok,
    /// The OLT answered with an error message.
    Refused(String),
    /// No prompt within the command timeout.
    Timeout,
    /// The session failed (closed, reply too large).
    Failed(String),
}

/// One command sent to an OLT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLogEntry {
    /// Which OLT (`host:port` as configured).
    pub olt: String,
    /// When the command was sent.
    pub at: jiff::Timestamp,
    pub command: String,
    /// The reply as the terminal delivered it (escapes applied, pagers
    /// removed, questions kept), ONU passwords masked by [`redact_reply`].
    pub reply: String,
    pub outcome: CommandOutcome,
    pub duration: Duration,
}

/// Where log entries go. Called on the session's task, once per command:
/// keep it quick and non-blocking (hand the entry to a channel).
pub trait CommandLog: Send + Sync + 'static {
    fn record(&self, entry: CommandLogEntry);
}

/// Drops every entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLog;

impl CommandLog for NoLog {
    fn record(&self, _entry: CommandLogEntry) {}
}

#[cfg(feature = "ssh")]
impl CommandLog for tokio::sync::mpsc::UnboundedSender<CommandLogEntry> {
    fn record(&self, entry: CommandLogEntry) {
        // A closed receiver means nobody keeps the log any more.
        let _ = self.send(entry);
    }
}

#[cfg(feature = "ssh")]
impl CommandLog for tokio::sync::mpsc::Sender<CommandLogEntry> {
    /// Never waits: when the channel is full the entry is dropped and a
    /// warning says so (an OLT command must not stall on the log).
    fn record(&self, entry: CommandLogEntry) {
        if let Err(tokio::sync::mpsc::error::TrySendError::Full(e)) = self.try_send(entry) {
            tracing::warn!(olt = %e.olt, command = %e.command, "OLT command log full; entry dropped");
        }
    }
}

impl<F> CommandLog for F
where
    F: Fn(CommandLogEntry) + Send + Sync + 'static,
{
    fn record(&self, entry: CommandLogEntry) {
        self(entry)
    }
}

/// What a masked secret reads as.
const MASK: &str = "***";

/// A reply as the command log keeps it: the ONU registration (PLOAM)
/// passwords an OLT prints for password-authenticated ONUs are masked,
/// whether a `Password : value` field (Huawei `display ont autofind`, ZTE
/// `detail-info`) or a `PW` / `Password` column (ZTE C600 `show pon onu
/// uncfg`), and so is Huawei's `Checkcode` (the LOID password). The log is
/// kept for months and shown in the console; a customer's ONU password has
/// no business there. Everything else is kept as it was.
pub fn redact_reply(reply: &str) -> String {
    // The password column of the table being read, and whether it is the
    // last one.
    let mut column: Option<(usize, bool)> = None;
    reply.split('\n').map(|line| redact_line(line, &mut column)).collect::<Vec<_>>().join("\n")
}

fn redact_line<'a>(line: &'a str, column: &mut Option<(usize, bool)>) -> Cow<'a, str> {
    if line.trim().is_empty() {
        *column = None;
        return Cow::Borrowed(line);
    }
    if !line.contains(':') {
        let cols = header_columns(line);
        if let Some(at) = cols.iter().position(|c| is_password_name(c))
            && cols.len() > 1
        {
            *column = Some((at, at + 1 == cols.len()));
            return Cow::Borrowed(line);
        }
    }
    if let Some((at, last)) = *column {
        return if is_rule(line) { Cow::Borrowed(line) } else { mask_cell(line, at, last) };
    }
    let Some((key, value)) = line.split_once(':') else {
        return Cow::Borrowed(line);
    };
    let key = key.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    if !is_password_name(&key) || value.trim().is_empty() {
        return Cow::Borrowed(line);
    }
    let kept = line.len() - value.trim_start().len();
    Cow::Owned(format!("{}{MASK}", line.get(..kept).unwrap_or_default()))
}

fn is_password_name(name: &str) -> bool {
    name == "pw" || name == "checkcode" || name.contains("password")
}

/// The row with its `at`-th cell masked (and every cell after it when the
/// password is the last column: a password may hold blanks).
fn mask_cell(line: &str, at: usize, last: bool) -> Cow<'_, str> {
    let mut starts = line
        .char_indices()
        .scan(true, |after_blank, (i, c)| {
            let starts = *after_blank && !c.is_whitespace();
            *after_blank = c.is_whitespace();
            Some(starts.then_some(i))
        })
        .flatten();
    let Some(start) = starts.nth(at) else {
        return Cow::Borrowed(line);
    };
    let rest = line.get(start..).unwrap_or_default();
    let end = if last { line.len() } else { start + rest.find(char::is_whitespace).unwrap_or(rest.len()) };
    let cell = line.get(start..end).unwrap_or_default();
    if is_blank_value(cell) {
        return Cow::Borrowed(line);
    }
    let after = if last { "" } else { line.get(end..).unwrap_or_default() };
    Cow::Owned(format!("{}{MASK}{after}", line.get(..start).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huawei_autofind_passwords_are_masked() {
        let reply = include_str!("../tests/fixtures/huawei/autofind_ma5800.txt");
        let logged = redact_reply(reply);
        for secret in ["airtek", "61697274656B", "1234567890", "0x0000"] {
            assert!(!logged.contains(secret), "{secret}");
        }
        assert!(
            logged.contains("   Password            : ***\n   Loid                : user\n   Checkcode           :\n")
        );
        assert!(logged.contains("   Ont SN              : 485754430B086EA9 (HWTC-0B086EA9)"));
        assert_eq!(logged.lines().count(), reply.lines().count());
    }

    #[test]
    fn zte_password_column_and_field_are_masked() {
        let reply = include_str!("../tests/fixtures/zte/c600_uncfg.txt");
        let logged = redact_reply(reply);
        assert!(!logged.contains("GDC79F447\n"), "{logged}");
        assert!(logged.contains("gpon_olt-1/1/5      F670LV9.0            ZTEGDC79F447       ***\n"), "{logged}");
        assert!(logged.contains("gpon_olt-1/2/1      N/A                  HWTCAF48ED18       N/A"), "{logged}");
        let detail = "  Serial number:       ZTEGC0FFEE01\n  Password:            1234567890\n  Device ID:";
        assert_eq!(
            redact_reply(detail),
            "  Serial number:       ZTEGC0FFEE01\n  Password:            ***\n  Device ID:"
        );
        let checkcode = "   Loid                : user\n   Checkcode           : abc 123";
        assert_eq!(redact_reply(checkcode), "   Loid                : user\n   Checkcode           : ***");
    }

    #[test]
    fn a_password_column_in_the_middle_keeps_the_cells_after_it() {
        let reply = "OnuIndex   Sn            Pw          State\n-----------\n1/1/1:1    ZTEG00000001  p4ss        unknown\n\nafter  a  b";
        assert_eq!(
            redact_reply(reply),
            "OnuIndex   Sn            Pw          State\n-----------\n1/1/1:1    ZTEG00000001  ***        unknown\n\nafter  a  b"
        );
    }

    #[test]
    fn replies_without_passwords_are_kept() {
        for reply in [
            "",
            "\n\n  Command:\n          display ont autofind all\n",
            include_str!("../tests/fixtures/zte/c320_uncfg.txt"),
            include_str!("../tests/fixtures/huawei/ont_summary_offline.txt"),
            "  Password:\n  Device ID:",
        ] {
            assert_eq!(redact_reply(reply), reply);
        }
    }
}

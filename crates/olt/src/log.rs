//! The OLT command log: every line sent to an OLT and what it answered,
//! handed to a sink the caller provides (the engine persists it). Passwords
//! never reach it: they are sent in answer to `Password:` and are not
//! commands.

use std::time::Duration;

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
    /// removed, questions kept).
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

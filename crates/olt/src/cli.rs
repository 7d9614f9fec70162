//! The one thing the vendor operations need from a session: run a command
//! line and get its reply. The SSH session implements it; tests implement
//! it with a script, so every vendor flow is tested without a network.

use std::future::Future;

use crate::error::{OltError, ParseError};
use crate::terminal::Prompt;
use crate::text::refusal;

/// What a command printed, between its echo and the next prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// The prompt the reply ended at (so the caller knows the mode).
    pub prompt: Prompt,
}

/// An interactive CLI at a prompt.
pub trait Cli: Send {
    /// Sends `command` and a newline; answers pagers and questions; returns
    /// when the prompt is back.
    fn run(&mut self, command: &str) -> impl Future<Output = Result<Reply, OltError>> + Send;
}

/// Runs `command`; an error reply from the OLT is [`OltError::Refused`].
pub(crate) async fn run_ok<C: Cli>(cli: &mut C, command: &str) -> Result<String, OltError> {
    let reply = cli.run(command).await?;
    match refusal(&reply.text) {
        Some(message) => Err(OltError::Refused { command: command.to_owned(), message }),
        None => Ok(reply.text),
    }
}

/// Runs `command` and parses its reply.
pub(crate) async fn query<C: Cli, T>(
    cli: &mut C,
    command: &str,
    parse: impl FnOnce(&str) -> Result<T, ParseError>,
) -> Result<T, OltError> {
    let text = run_ok(cli, command).await?;
    parse(&text).map_err(|source| OltError::Parse { command: command.to_owned(), source })
}

/// Runs `command`, whose failure does not matter (a pager setting a
/// firmware may not know). Only the session dying is an error.
pub(crate) async fn run_best_effort<C: Cli>(cli: &mut C, command: &str) -> Result<(), OltError> {
    match cli.run(command).await {
        Ok(_) => Ok(()),
        Err(e @ (OltError::Closed(_) | OltError::Timeout { .. } | OltError::ReplyTooLarge { .. })) => Err(e),
        Err(_) => Ok(()),
    }
}

/// Checks text the driver is about to type on the CLI: a word (profile or
/// type name) must be printable ASCII without blanks, `?` (help) or quotes.
pub(crate) fn check_word(what: &str, s: &str) -> Result<(), OltError> {
    let ok =
        !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '?' | '"' | '\''));
    if ok {
        Ok(())
    } else {
        Err(OltError::InvalidRequest(format!(
            "{what} {s:?} must be 1-64 printable ASCII characters without blanks, `?` or quotes"
        )))
    }
}

/// Checks a description; blanks are allowed here (each vendor decides how
/// to send them).
pub(crate) fn check_description(s: &str) -> Result<(), OltError> {
    let ok = !s.trim().is_empty()
        && s.len() <= 64
        && s.chars().all(|c| (c.is_ascii_graphic() || c == ' ') && !matches!(c, '?' | '"' | '\''));
    if ok {
        Ok(())
    } else {
        Err(OltError::InvalidRequest(format!(
            "description {s:?} must be 1-64 printable ASCII characters without `?` or quotes"
        )))
    }
}

/// One word for CLIs that take one: blanks become `_`.
pub(crate) fn one_word(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("_")
}

/// The lowest id in `1..=max` not in `used`.
pub(crate) fn lowest_free(used: impl IntoIterator<Item = u32>, max: u32) -> Option<u32> {
    let used: std::collections::BTreeSet<u32> = used.into_iter().collect();
    (1..=max).find(|id| !used.contains(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_descriptions() {
        assert!(check_word("type", "ZTE-F670L").is_ok());
        for bad in ["", "a b", "a?", "x\"", "ñ", &"x".repeat(65)] {
            assert!(check_word("type", bad).is_err(), "{bad}");
        }
        assert!(check_description("Maria Lopez, Calle 5").is_ok());
        for bad in ["", "   ", "why?", "say \"hi\"", "line\nbreak", "tab\there"] {
            assert!(check_description(bad).is_err(), "{bad:?}");
        }
        assert_eq!(one_word("Maria  Lopez 5"), "Maria_Lopez_5");
    }

    #[test]
    fn lowest_free_ids() {
        assert_eq!(lowest_free([1, 2, 4], 128), Some(3));
        assert_eq!(lowest_free([], 128), Some(1));
        assert_eq!(lowest_free(1..=128, 128), None);
    }
}

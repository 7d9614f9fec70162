//! One shell's command interpreter: modes, prompts, questions, and what
//! both vendors share (tokens, caret errors, time stamps, pager marks).
//! The vendors' commands are in `huawei.rs` and `zte.rs`.

use tokio::time::Instant;

use super::config::PonPort;
use super::emulation::Emulation;
use super::state::State;

/// Where a shell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Huawei `MA5600T>`.
    HwUser,
    /// Huawei `MA5600T#`.
    HwPrivileged,
    /// Huawei `MA5600T(config)#`.
    HwConfig,
    /// Huawei `MA5600T(config-if-gpon-0/1)#`: frame and slot.
    HwGpon(u8, u8),
    /// ZTE `ZXAN#`.
    ZteExec,
    /// ZTE `ZXAN(config)#`.
    ZteConfig,
    /// ZTE `ZXAN(config-if)#` on a PON port.
    ZteOlt(PonPort),
    /// ZTE `ZXAN(config-if)#` on an ONU.
    ZteOnu(PonPort, u16),
    /// ZTE `ZXAN(gpon-onu-mng)#`.
    ZteOnuMng(PonPort, u16),
}

/// A question the next line answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Waiting {
    /// Huawei's `{ <cr>||<K> }:` hint: Enter runs the command (more words
    /// are appended to it).
    Hint(String),
    /// `Are you sure to log out? (y/n)[n]:`
    LogOut,
    /// `Are you sure to reset the ONT(s)? (y/n)[n]:`
    ResetOnt(PonPort, u16),
    /// `Are you sure to release service virtual port(s)? (y/n)[n]:`
    ReleaseServicePort(PonPort, u16),
}

/// What the shell does once a reply is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// Show the prompt.
    Prompt,
    /// Show this question instead of the prompt.
    Ask(&'static str),
    /// Close the session.
    Close,
}

/// The answer to one line.
#[derive(Debug)]
pub(crate) struct Reply {
    /// Output lines (without line ends).
    pub(crate) lines: Vec<String>,
    /// Whether the pager may split it.
    pub(crate) paged: bool,
    pub(crate) next: Next,
}

impl Reply {
    pub(crate) fn empty() -> Self {
        Self::lines(Vec::new())
    }

    pub(crate) fn lines(lines: Vec<String>) -> Self {
        Self { lines, paged: false, next: Next::Prompt }
    }

    pub(crate) fn line(line: impl Into<String>) -> Self {
        Self::lines(vec![line.into()])
    }

    pub(crate) fn paged(lines: Vec<String>) -> Self {
        Self { lines, paged: true, next: Next::Prompt }
    }

    pub(crate) fn ask(question: &'static str) -> Self {
        Self { lines: Vec::new(), paged: false, next: Next::Ask(question) }
    }

    pub(crate) fn close(lines: Vec<String>) -> Self {
        Self { lines, paged: false, next: Next::Close }
    }
}

/// A word of a command line and where it starts (for the caret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) at: usize,
    pub(crate) text: String,
}

/// Split a line into words; `"..."` is one word (without the quotes).
pub(crate) fn tokenize(line: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut text = String::new();
        if c == '"' {
            chars.next();
            for (_, c) in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        tokens.push(Token { at, text });
    }
    tokens
}

/// `2025-01-01 00:00:00` (and `+00:00` with `offset`) at Unix `seconds`.
pub(crate) fn timestamp(seconds: i64, offset: bool) -> String {
    let Ok(ts) = jiff::Timestamp::from_second(seconds) else {
        return "-".into();
    };
    let format = if offset { "%Y-%m-%d %H:%M:%S%:z" } else { "%Y-%m-%d %H:%M:%S" };
    ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).strftime(format).to_string()
}

/// The interpreter of one shell.
#[derive(Debug)]
pub(crate) struct Shell {
    pub(crate) emulation: &'static Emulation,
    pub(crate) hostname: String,
    pub(crate) mode: Mode,
    /// Lines per page; `None`: no pager.
    pub(crate) page: Option<usize>,
    /// Huawei's `{ <cr>||<K> }:` hints (`undo smart` turns them off).
    pub(crate) smart: bool,
    pub(crate) waiting: Option<Waiting>,
}

impl Shell {
    pub(crate) fn new(emulation: &'static Emulation, hostname: String, page_lines: usize) -> Self {
        Self {
            emulation,
            hostname,
            mode: emulation.login_mode,
            page: (page_lines > 0).then_some(page_lines),
            smart: true,
            waiting: None,
        }
    }

    pub(crate) fn prompt(&self) -> String {
        let h = &self.hostname;
        match self.mode {
            Mode::HwUser => format!("{h}>"),
            Mode::HwPrivileged | Mode::ZteExec => format!("{h}#"),
            Mode::HwConfig | Mode::ZteConfig => format!("{h}(config)#"),
            Mode::HwGpon(f, s) => format!("{h}(config-if-gpon-{f}/{s})#"),
            Mode::ZteOlt(_) | Mode::ZteOnu(..) => format!("{h}(config-if)#"),
            Mode::ZteOnuMng(..) => format!("{h}(gpon-onu-mng)#"),
        }
    }

    /// The text before the first prompt.
    pub(crate) fn banner(&self) -> String {
        self.emulation.banner.to_owned()
    }

    /// What follows a reply's lines before the prompt: Huawei leaves a
    /// blank line.
    pub(crate) fn before_prompt(&self) -> &'static str {
        self.emulation.before_prompt
    }

    /// The pager's mark, and what erases it when the user goes on.
    pub(crate) fn more(&self) -> (&'static str, String) {
        (self.emulation.more, self.emulation.more_erase.to_owned())
    }

    /// The refusal a shell past the vty limit gets before it is closed.
    pub(crate) fn too_many_users(&self) -> &'static str {
        self.emulation.too_many_users
    }

    /// The vendor's unknown-command error, its caret under `at` of the
    /// line typed after the prompt.
    pub(crate) fn unknown(&self, at: usize) -> Reply {
        let caret = format!("{}^", " ".repeat(self.prompt().len() + at));
        Reply::lines(vec![caret, self.emulation.unknown.to_owned()])
    }

    /// A wrong value: Huawei says so, ZTE treats it as invalid input.
    pub(crate) fn bad_parameter(&self, at: usize) -> Reply {
        match self.emulation.bad_parameter {
            Some(message) => {
                let caret = format!("{}^", " ".repeat(self.prompt().len() + at));
                Reply::lines(vec![caret, message.to_owned()])
            }
            None => self.unknown(at),
        }
    }

    /// Interpret one line.
    pub(crate) fn run(&mut self, line: &str, state: &mut State, now: Instant) -> Reply {
        state.settle(now);
        (self.emulation.run)(self, line, state, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_quoted_words_and_offsets() {
        let t = tokenize(r#"ont add 0 sn-auth X desc "two words""#);
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["ont", "add", "0", "sn-auth", "X", "desc", "two words"]);
        assert_eq!(t.get(2).map(|t| t.at), Some(8));
    }

    #[test]
    fn timestamps_print_like_the_olts() {
        assert_eq!(timestamp(1_735_689_600, false), "2025-01-01 00:00:00");
        assert_eq!(timestamp(1_735_689_600, true), "2025-01-01 00:00:00+00:00");
    }
}

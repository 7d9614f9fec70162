//! The OLT's side of an interactive shell, as text: bytes in, events out.
//!
//! OLT CLIs are made for people at a VT100. They page long output, ask
//! "are you sure", redraw their pagers with cursor movements and backspaces
//! and (VSOL) align columns with `ESC[nC`. [`Terminal`] applies those
//! movements to one line of text the way a terminal would, so what reaches
//! the parsers is what a person would have seen, and it reports what the
//! OLT is waiting for: a key for the pager, an answer, a password, or
//! nothing because a prompt is back and the reply is complete. A password
//! is asked for only while logging in and right after `enable`: anywhere
//! else `Password:` is text the OLT prints (ZTE's `Password:` field, an
//! ONU's description), and answering it would type the password into the
//! reply.
//!
//! It does no IO and reads no clock: the SSH layer feeds it the bytes it
//! receives, sends what [`Event::answer`] says, and keeps the time. Every
//! buffer is bounded, so no input can make it grow without limit or panic.

use std::fmt;

/// Longest line kept; characters past it are dropped (a line that long is
/// not something a parser wants).
pub const MAX_LINE: usize = 16 * 1024;
/// Largest reply kept, in bytes of text; past it the terminal reports
/// [`Event::Overflow`] once and drops the rest.
pub const MAX_REPLY: usize = 16 * 1024 * 1024;
/// A cursor movement larger than this is clamped (`ESC[99999C`).
const MAX_MOVE: usize = 512;
/// Parameters of one escape sequence past this length are ignored.
const MAX_PARAMS: usize = 32;

/// Where the CLI is, from its prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `MA5600T>`, `OLT>`.
    User,
    /// `MA5600T#`, `ZXAN#`, `OLT#`.
    Privileged,
    /// `MA5600T(config)#`, `ZXAN(config)#`.
    Config,
    /// Any deeper mode, with the text between the parentheses:
    /// `config-if-gpon-0/1`, `config-if`, `gpon-onu-mng`, `config-pon-0/1`.
    Sub(String),
}

/// A prompt the CLI printed: the reply before it is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub host: String,
    pub mode: Mode,
}

impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.mode {
            Mode::User => write!(f, "{}>", self.host),
            Mode::Privileged => write!(f, "{}#", self.host),
            Mode::Config => write!(f, "{}(config)#", self.host),
            Mode::Sub(m) => write!(f, "{}({m})#", self.host),
        }
    }
}

/// Which answer a question wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// `(y/n)[n]:`, `[Y/N]:`: answered `y`.
    Y,
    /// `[yes/no]:`: answered `yes`.
    Yes,
}

/// What the terminal saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete line of the reply (escapes applied, trailing blanks cut).
    Output(String),
    /// A pager waits for a key (`---- More ( Press 'Q' to quit ) ----`,
    /// `--More--`); its text is not part of the reply.
    Pager,
    /// Huawei's `{ <cr>|ontid<U><0,127> }:` parameter hint: Enter runs the
    /// command as typed.
    Hint,
    /// A yes/no question; the question stays in the reply.
    Confirm(Confirm),
    /// `Password:` while logging in (a login the server asks for in the
    /// shell) or right after `enable`; never during any other command.
    Password,
    /// The prompt is back: the reply is complete.
    Prompt(Prompt),
    /// The reply passed [`MAX_REPLY`]; the rest is dropped.
    Overflow,
}

impl Event {
    /// The bytes to send back, for events that need an answer other than a
    /// password (which the caller has and the terminal must never hold).
    pub fn answer(&self) -> Option<&'static [u8]> {
        match self {
            Event::Pager => Some(b" "),
            Event::Hint => Some(b"\n"),
            Event::Confirm(Confirm::Y) => Some(b"y\n"),
            Event::Confirm(Confirm::Yes) => Some(b"yes\n"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Escape {
    None,
    /// After `ESC`.
    Esc,
    /// After `ESC (` or `ESC )`: one more byte to skip.
    Charset,
    /// After `ESC [`: parameters so far.
    Csi(String),
    /// After `ESC ]`: until BEL or `ESC \`.
    Osc {
        esc: bool,
    },
}

/// What the session is doing, which decides whether a `Password:` at the
/// end of the line is a question for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the first prompt.
    Login,
    /// `enable` sent, its prompt not back yet.
    Enable,
    /// Any other command, or nothing sent since the last prompt.
    Command,
}

/// The state machine. See the module documentation.
#[derive(Debug, Clone)]
pub struct Terminal {
    line: Vec<char>,
    cursor: usize,
    lines: Vec<String>,
    size: usize,
    overflowed: bool,
    escape: Escape,
    utf8: Vec<u8>,
    host: Option<String>,
    echo: Option<String>,
    phase: Phase,
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal::new()
    }
}

impl Terminal {
    pub fn new() -> Self {
        Terminal {
            line: Vec::new(),
            cursor: 0,
            lines: Vec::new(),
            size: 0,
            overflowed: false,
            escape: Escape::None,
            utf8: Vec::new(),
            host: None,
            echo: None,
            phase: Phase::Login,
        }
    }

    /// The host name learned from the first prompt.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Only prompts with this host name count (set by the first prompt
    /// otherwise). Stops a line of output that happens to end in `#` from
    /// passing for a prompt.
    pub fn set_host(&mut self, host: impl Into<String>) {
        self.host = Some(host.into());
    }

    /// The next command sent: its echo is dropped from the reply, and a
    /// `Password:` before the next prompt is a question only if it is
    /// `enable`.
    pub fn expect_echo(&mut self, command: &str) {
        let c = collapse(command);
        self.phase = if c == "enable" { Phase::Enable } else { Phase::Command };
        self.echo = (!c.is_empty()).then_some(c);
    }

    /// The reply so far, as lines, and start a new one.
    pub fn take_reply(&mut self) -> String {
        let reply = self.lines.join("\n");
        self.lines.clear();
        self.size = 0;
        self.overflowed = false;
        reply
    }

    /// The line being written, as text (what a prompt detector sees).
    pub fn pending(&self) -> String {
        self.line.iter().collect()
    }

    /// Feed bytes as they arrive, in any chunking; get what happened.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        for &b in bytes {
            self.byte(b, &mut events);
        }
        self.look_at_tail(&mut events);
        events
    }

    fn byte(&mut self, b: u8, events: &mut Vec<Event>) {
        match std::mem::replace(&mut self.escape, Escape::None) {
            Escape::None => {}
            Escape::Esc => {
                self.escape = match b {
                    b'[' => Escape::Csi(String::new()),
                    b']' => Escape::Osc { esc: false },
                    b'(' | b')' => Escape::Charset,
                    _ => Escape::None,
                };
                return;
            }
            Escape::Charset => return,
            Escape::Csi(mut params) => {
                if (0x40..=0x7e).contains(&b) {
                    self.csi(&params, b);
                } else if (0x20..=0x3f).contains(&b) {
                    if params.len() < MAX_PARAMS {
                        params.push(char::from(b));
                    }
                    self.escape = Escape::Csi(params);
                }
                // Anything else aborts the sequence.
                return;
            }
            Escape::Osc { esc } => {
                if b == 0x07 || (esc && b == b'\\') {
                    return;
                }
                self.escape = Escape::Osc { esc: b == 0x1b };
                return;
            }
        }
        if b >= 0x80 || !self.utf8.is_empty() {
            self.utf8_byte(b, events);
            return;
        }
        match b {
            0x1b => self.escape = Escape::Esc,
            b'\n' => self.end_line(events),
            b'\r' => self.cursor = 0,
            0x08 => self.cursor = self.cursor.saturating_sub(1),
            b'\t' => {
                let next = (self.cursor / 8 + 1) * 8;
                while self.cursor < next && self.cursor < MAX_LINE {
                    self.put(' ');
                }
            }
            0x20..=0x7e => self.put(char::from(b)),
            _ => {} // BEL, NUL and the other controls print nothing.
        }
    }

    fn utf8_byte(&mut self, b: u8, events: &mut Vec<Event>) {
        if b < 0x80 {
            // A sequence cut short by plain ASCII.
            self.utf8.clear();
            self.put(char::REPLACEMENT_CHARACTER);
            self.byte(b, events);
            return;
        }
        self.utf8.push(b);
        match std::str::from_utf8(&self.utf8) {
            Ok(s) => {
                let chars: Vec<char> = s.chars().collect();
                self.utf8.clear();
                for c in chars {
                    if !c.is_control() {
                        self.put(c);
                    }
                }
            }
            Err(e) if e.error_len().is_none() && self.utf8.len() < 4 => {}
            Err(_) => {
                self.utf8.clear();
                self.put(char::REPLACEMENT_CHARACTER);
            }
        }
    }

    fn csi(&mut self, params: &str, fin: u8) {
        let n = || params.split(';').next().and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, MAX_MOVE);
        match fin {
            b'C' => {
                // Cursor forward: VSOL aligns its columns this way. Past the
                // end it leaves blanks, as a terminal shows.
                let target = (self.cursor + n()).min(MAX_LINE);
                while self.line.len() < target {
                    self.line.push(' ');
                }
                self.cursor = target;
            }
            b'D' => self.cursor = self.cursor.saturating_sub(n()),
            b'G' => self.cursor = (n() - 1).min(self.line.len()),
            b'K' => match params {
                "" | "0" => self.line.truncate(self.cursor),
                "1" => {
                    for c in self.line.iter_mut().take(self.cursor) {
                        *c = ' ';
                    }
                }
                _ => {
                    self.line.clear();
                    self.cursor = 0;
                }
            },
            _ => {} // Colours, cursor save/restore, screen clears: no text.
        }
    }

    fn put(&mut self, c: char) {
        if self.cursor >= MAX_LINE {
            return;
        }
        while self.line.len() < self.cursor {
            self.line.push(' ');
        }
        if self.cursor < self.line.len() {
            self.line[self.cursor] = c;
        } else {
            self.line.push(c);
        }
        self.cursor += 1;
    }

    fn end_line(&mut self, events: &mut Vec<Event>) {
        let text: String = self.line.iter().collect();
        self.line.clear();
        self.cursor = 0;
        self.commit(text.trim_end().to_owned(), events);
    }

    fn commit(&mut self, text: String, events: &mut Vec<Event>) {
        if let Some(echo) = &self.echo
            && !text.trim().is_empty()
        {
            let is_echo = collapse(&text).ends_with(echo.as_str());
            self.echo = None;
            if is_echo {
                return;
            }
        }
        if self.overflowed {
            return;
        }
        self.size += text.len() + 1;
        if self.size > MAX_REPLY {
            self.overflowed = true;
            events.push(Event::Overflow);
            return;
        }
        self.lines.push(text.clone());
        events.push(Event::Output(text));
    }

    /// What the OLT waits for is on the line it has not ended.
    fn look_at_tail(&mut self, events: &mut Vec<Event>) {
        loop {
            let tail: String = self.line.iter().collect();
            if let Some(at) = pager_at(&tail) {
                let keep = tail.get(..at).map_or(0, |s| s.chars().count());
                self.line.truncate(keep);
                self.cursor = keep;
                events.push(Event::Pager);
                continue;
            }
            let t = tail.trim();
            if t.is_empty() {
                return;
            }
            if t.starts_with('{') && t.ends_with("}:") && t.contains("<cr>") {
                self.line.clear();
                self.cursor = 0;
                events.push(Event::Hint);
                return;
            }
            if let Some(kind) = confirm_kind(t) {
                let text = tail.trim_end().to_owned();
                self.line.clear();
                self.cursor = 0;
                self.commit(text, events);
                events.push(Event::Confirm(kind));
                return;
            }
            if self.phase != Phase::Command && t.to_ascii_lowercase().ends_with("password:") {
                self.line.clear();
                self.cursor = 0;
                events.push(Event::Password);
                return;
            }
            if let Some(prompt) = parse_prompt(t) {
                if self.host.as_deref().is_some_and(|h| h != prompt.host) {
                    return;
                }
                if self.host.is_none() {
                    self.host = Some(prompt.host.clone());
                }
                self.line.clear();
                self.cursor = 0;
                self.echo = None;
                self.phase = Phase::Command;
                events.push(Event::Prompt(prompt));
            }
            return;
        }
    }
}

const PAGERS: [&str; 5] = [
    "---- more ( press 'q' to quit ) ----",
    "---- more ( press 'q' to break ) ----",
    "--more--",
    "-- more --",
    "press any key to continue",
];

/// Byte offset of a pager in the line, if one is there.
fn pager_at(line: &str) -> Option<usize> {
    if !line.contains(['-', 'y', 'Y']) {
        return None;
    }
    let lower = line.to_ascii_lowercase();
    PAGERS.iter().filter_map(|p| lower.find(p)).min()
}

fn confirm_kind(t: &str) -> Option<Confirm> {
    let lower = t.to_ascii_lowercase();
    let asks = lower.ends_with(':') || lower.ends_with('?') || lower.ends_with(']') || lower.ends_with(')');
    if !asks {
        return None;
    }
    if lower.contains("[yes/no]") || lower.contains("(yes/no)") {
        return Some(Confirm::Yes);
    }
    if lower.contains("(y/n)") || lower.contains("[y/n]") {
        return Some(Confirm::Y);
    }
    None
}

/// `host>`, `host#`, `host(mode)#`; the host is letters, digits, `.`, `_`
/// and `-`.
pub fn parse_prompt(t: &str) -> Option<Prompt> {
    let t = t.trim();
    let (body, user) = if let Some(b) = t.strip_suffix('#') {
        (b, false)
    } else if let Some(b) = t.strip_suffix('>') {
        (b, true)
    } else {
        return None;
    };
    let (host, mode) = match body.find('(') {
        Some(open) => {
            let inner = body.get(open + 1..)?.strip_suffix(')')?;
            if inner.is_empty() || inner.contains(['(', ')']) || inner.chars().any(char::is_whitespace) {
                return None;
            }
            let host = body.get(..open)?;
            let mode = if inner == "config" { Mode::Config } else { Mode::Sub(inner.to_owned()) };
            (host, mode)
        }
        None => (body, if user { Mode::User } else { Mode::Privileged }),
    };
    let valid = !host.is_empty()
        && host.len() <= 64
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid || (user && !matches!(mode, Mode::User)) {
        return None;
    }
    Some(Prompt { host: host.to_owned(), mode })
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(t: &mut Terminal, s: &str) -> Vec<Event> {
        t.feed(s.as_bytes())
    }

    fn prompts(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Prompt(p) => Some(p.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn prompts_of_every_vendor_and_mode() {
        let cases = [
            ("MA5600T>", "MA5600T", Mode::User),
            ("MA5600T#", "MA5600T", Mode::Privileged),
            ("MA5600T(config)#", "MA5600T", Mode::Config),
            ("MA5600T(config-if-gpon-0/1)#", "MA5600T", Mode::Sub("config-if-gpon-0/1".into())),
            ("ZXAN#", "ZXAN", Mode::Privileged),
            ("ZXAN(config)#", "ZXAN", Mode::Config),
            ("ZXAN(config-if)#", "ZXAN", Mode::Sub("config-if".into())),
            ("ZXAN(gpon-onu-mng)#", "ZXAN", Mode::Sub("gpon-onu-mng".into())),
            ("OLT>", "OLT", Mode::User),
            ("OLT(config)#", "OLT", Mode::Config),
            ("gpon-olt(config-pon-0/1)#", "gpon-olt", Mode::Sub("config-pon-0/1".into())),
            ("OLT-ZTE_C320#", "OLT-ZTE_C320", Mode::Privileged),
        ];
        for (text, host, mode) in cases {
            assert_eq!(parse_prompt(text), Some(Prompt { host: host.into(), mode }), "{text}");
        }
    }

    #[test]
    fn things_that_are_not_prompts() {
        for text in [
            "#",
            ">",
            "ONT ID > 5 #",
            "a(b)>",
            "x(config #",
            "In port 0/1/0, the total of ONTs are: 1#",
            "host(a b)#",
            "host()#",
        ] {
            assert_eq!(parse_prompt(text), None, "{text}");
        }
    }

    #[test]
    fn reply_between_echo_and_prompt() {
        let mut t = Terminal::new();
        assert_eq!(prompts(&feed_all(&mut t, "\r\nWelcome\r\nZXAN#")), ["ZXAN#"]);
        t.take_reply();
        t.expect_echo("show gpon onu uncfg");
        let ev = feed_all(&mut t, "show gpon onu uncfg\r\nOnuIndex  Sn\r\nline 2  \r\nZXAN#");
        assert_eq!(prompts(&ev), ["ZXAN#"]);
        assert_eq!(t.take_reply(), "OnuIndex  Sn\nline 2");
    }

    #[test]
    fn echo_after_redrawn_prompt_is_dropped() {
        let mut t = Terminal::new();
        feed_all(&mut t, "MA5600T(config)#");
        t.take_reply();
        t.expect_echo("display ont autofind all");
        feed_all(&mut t, "\rMA5600T(config)#display ont autofind all\r\n  x\r\nMA5600T(config)#");
        assert_eq!(t.take_reply(), "  x");
    }

    #[test]
    fn huawei_pager_with_its_erase_sequence() {
        let mut t = Terminal::new();
        feed_all(&mut t, "MA5600T#");
        t.take_reply();
        let ev = feed_all(&mut t, "  row 1\r\n  ---- More ( Press 'Q' to quit ) ----");
        assert!(ev.contains(&Event::Pager));
        assert_eq!(Event::Pager.answer(), Some(&b" "[..]));
        let erase = format!("\x1b[37D{}\x1b[37D  row 2\r\nMA5600T#", " ".repeat(35));
        let ev = feed_all(&mut t, &erase);
        assert_eq!(prompts(&ev), ["MA5600T#"]);
        assert_eq!(t.take_reply(), "  row 1\n  row 2");
    }

    #[test]
    fn zte_pager_mid_line_with_backspaces() {
        let mut t = Terminal::new();
        feed_all(&mut t, "ZXAN#");
        t.take_reply();
        let ev = feed_all(&mut t, "  ONU Distance:         8m\r\n --More--");
        assert_eq!(ev.iter().filter(|e| **e == Event::Pager).count(), 1);
        let ev = feed_all(
            &mut t,
            &format!("{}{}{}  Online Duration: 98h\r\nZXAN#", "\x08".repeat(9), " ".repeat(9), "\x08".repeat(9)),
        );
        assert_eq!(prompts(&ev), ["ZXAN#"]);
        assert_eq!(t.take_reply(), "  ONU Distance:         8m\n  Online Duration: 98h");
    }

    #[test]
    fn pager_split_across_chunks_is_seen_once() {
        let mut t = Terminal::new();
        let a = t.feed(b"x\r\n--Mo");
        assert!(!a.contains(&Event::Pager));
        let b = t.feed(b"re--");
        assert_eq!(b, vec![Event::Pager]);
        let c = t.feed(b"   ");
        assert!(!c.contains(&Event::Pager));
    }

    #[test]
    fn vsol_columns_aligned_with_cursor_forward() {
        let mut t = Terminal::new();
        feed_all(&mut t, "OLT(config-pon-0/1)#");
        t.take_reply();
        feed_all(&mut t, "GPON0/1:1\x1b[16CGPON002E64F8\x1b[13Cunknow\r\nOLT(config-pon-0/1)#");
        assert_eq!(t.take_reply(), "GPON0/1:1                GPON002E64F8             unknow");
    }

    #[test]
    fn colours_and_erase_in_line() {
        let mut t = Terminal::new();
        feed_all(&mut t, "\x1b[1;32mgreen\x1b[0m text\x1b[K\r\nabcdef\x1b[3D\x1b[Kxy\r\nOLT#");
        assert_eq!(t.take_reply(), "green text\nabcxy");
    }

    #[test]
    fn huawei_parameter_hint_is_answered_with_enter() {
        let mut t = Terminal::new();
        feed_all(&mut t, "MA5600T(config)#");
        t.take_reply();
        t.expect_echo("display ont autofind all");
        let ev = feed_all(&mut t, "display ont autofind all\r\n{ <cr>||<K> }:");
        assert!(ev.contains(&Event::Hint));
        assert_eq!(Event::Hint.answer(), Some(&b"\n"[..]));
        feed_all(&mut t, "\r\n\r\n  Command:\r\n          display ont autofind all\r\nMA5600T(config)#");
        assert_eq!(t.take_reply(), "\n\n  Command:\n          display ont autofind all");
    }

    #[test]
    fn confirmations_stay_in_the_reply() {
        let mut t = Terminal::new();
        feed_all(&mut t, "MA5600T(config-if-gpon-0/1)#");
        t.take_reply();
        let ev = feed_all(&mut t, "  Are you sure to reset the ONT(s)? (y/n)[n]:");
        assert!(ev.contains(&Event::Confirm(Confirm::Y)));
        let ev = feed_all(&mut t, "y\r\nMA5600T(config-if-gpon-0/1)#");
        assert_eq!(prompts(&ev).len(), 1);
        assert_eq!(t.take_reply(), "  Are you sure to reset the ONT(s)? (y/n)[n]:\ny");
        let ev = feed_all(&mut t, "Confirm to reboot? [yes/no]:");
        assert!(ev.contains(&Event::Confirm(Confirm::Yes)));
        assert_eq!(Event::Confirm(Confirm::Yes).answer(), Some(&b"yes\n"[..]));
    }

    #[test]
    fn password_prompt_is_not_part_of_the_reply() {
        let mut t = Terminal::new();
        feed_all(&mut t, "OLT>");
        t.take_reply();
        t.expect_echo("enable");
        let ev = feed_all(&mut t, "enable\r\nPassword:");
        assert!(ev.contains(&Event::Password));
        assert_eq!(Event::Password.answer(), None);
        feed_all(&mut t, "\r\nOLT#");
        assert_eq!(t.take_reply(), "");
    }

    #[test]
    fn password_at_login_is_a_prompt() {
        let mut t = Terminal::new();
        let ev = feed_all(&mut t, "\r\nUser Access Verification\r\nPassword:");
        assert!(ev.contains(&Event::Password));
        assert_eq!(prompts(&feed_all(&mut t, "\r\nZXAN#")), ["ZXAN#"]);
    }

    #[test]
    fn password_field_in_a_reply_is_not_a_prompt() {
        let mut t = Terminal::new();
        feed_all(&mut t, "ZXAN#");
        t.take_reply();
        t.expect_echo("show gpon onu detail-info gpon-onu_1/1/1:1");
        // The chunk ends right after ZTE's `Password:` field.
        let ev = feed_all(
            &mut t,
            "show gpon onu detail-info gpon-onu_1/1/1:1\r\n  Serial number:       ZTEGC0FFEE01\r\n  Password:",
        );
        assert!(!ev.contains(&Event::Password), "{ev:?}");
        let ev = feed_all(&mut t, "\r\n  Device ID:\r\nZXAN#");
        assert!(!ev.contains(&Event::Password), "{ev:?}");
        assert_eq!(prompts(&ev), ["ZXAN#"]);
        assert_eq!(t.take_reply(), "  Serial number:       ZTEGC0FFEE01\n  Password:\n  Device ID:");
    }

    #[test]
    fn password_is_answered_after_enable_only_until_its_prompt() {
        let mut t = Terminal::new();
        feed_all(&mut t, "OLT>");
        t.expect_echo("enable");
        assert!(feed_all(&mut t, "enable\r\nPassword:").contains(&Event::Password));
        feed_all(&mut t, "\r\nOLT#");
        t.take_reply();
        // An ONU's description ending in `password:`, in the next reply.
        t.expect_echo("display ont info 0 all");
        let ev = feed_all(&mut t, "display ont info 0 all\r\n  0/ 1/0  0  new password:");
        assert!(!ev.contains(&Event::Password), "{ev:?}");
        feed_all(&mut t, "\r\nOLT#");
        assert_eq!(t.take_reply(), "  0/ 1/0  0  new password:");
    }

    #[test]
    fn another_host_is_not_a_prompt_once_one_is_known() {
        let mut t = Terminal::new();
        feed_all(&mut t, "ZXAN#");
        assert!(prompts(&feed_all(&mut t, "\r\nfoo#")).is_empty());
        assert_eq!(t.host(), Some("ZXAN"));
    }

    #[test]
    fn utf8_split_across_chunks_and_invalid_bytes() {
        let mut t = Terminal::new();
        let s = "Descrição\n".as_bytes();
        t.feed(&s[..7]);
        t.feed(&s[7..]);
        t.feed(b"\xff\xfe ok\n");
        assert_eq!(t.take_reply(), "Descrição\n\u{fffd}\u{fffd} ok");
    }

    #[test]
    fn huge_cursor_moves_and_lines_stay_bounded() {
        let mut t = Terminal::new();
        t.feed(b"\x1b[999999999999C x");
        assert!(t.pending().len() <= MAX_MOVE + 2);
        let long = vec![b'a'; MAX_LINE * 2];
        t.feed(&long);
        assert!(t.pending().chars().count() <= MAX_LINE);
    }

    #[test]
    fn overflow_is_reported_once() {
        let mut t = Terminal::new();
        let line = [b'x'; 1000];
        let mut overflows = 0;
        for _ in 0..(MAX_REPLY / 1000 + 10) {
            let mut chunk = line.to_vec();
            chunk.push(b'\n');
            overflows += t.feed(&chunk).iter().filter(|e| **e == Event::Overflow).count();
        }
        assert_eq!(overflows, 1);
    }
}

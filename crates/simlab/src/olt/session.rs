//! One SSH connection: password login, then a shell on a `session`
//! channel (`pty-req` and `shell` accepted) driven by a small terminal:
//! echo, backspace, the pager, and the faults in force.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use russh::server::{Auth, ChannelOpenHandle, Handle, Msg, Session};
use russh::{Channel, ChannelId, ChannelMsg, Disconnect, Pty};
use tokio::time::Instant;
use tracing::debug;

use super::Core;
use super::cli::{Next, Reply, Shell};

/// The server side of one connection.
pub(crate) struct Conn {
    core: Arc<Core>,
    /// Channels opened but not yet asked for a shell.
    opened: HashMap<ChannelId, Channel<Msg>>,
}

impl Conn {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core, opened: HashMap::new() }
    }
}

impl russh::server::Handler for Conn {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let mut state = self.core.lock();
        if !state.faults.refuse_login && user == state.username && password == state.password {
            state.stats.logins += 1;
            Ok(Auth::Accept)
        } else {
            state.stats.failed_logins += 1;
            Ok(Auth::reject())
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.opened.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        match self.opened.remove(&channel) {
            Some(chan) => {
                session.channel_success(channel)?;
                tokio::spawn(run_shell(chan, session.handle(), self.core.clone()));
            }
            None => session.channel_failure(channel)?,
        }
        Ok(())
    }
}

/// Frees a vty line when the shell ends, however it ends.
struct Vty(Arc<Core>);

impl Drop for Vty {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.vty_in_use = state.vty_in_use.saturating_sub(1);
    }
}

async fn run_shell(channel: Channel<Msg>, handle: Handle, core: Arc<Core>) {
    let shell = {
        let state = core.lock();
        Shell::new(state.emulation, state.hostname.clone(), state.page_lines)
    };
    let refused = {
        let mut state = core.lock();
        let full = state.vty_in_use >= state.max_vty;
        if full {
            state.stats.vty_refused += 1;
        } else {
            state.vty_in_use += 1;
        }
        full
    };
    if refused {
        let refusal = format!("\r\n{}\r\n", shell.too_many_users());
        let _ = channel.data_bytes(Bytes::from(refusal)).await;
        hang_up(&channel, &handle).await;
        return;
    }
    let mut terminal = Terminal::new(shell);
    let _vty = Vty(core.clone());
    let welcome = format!("{}{}", terminal.shell.banner(), terminal.shell.prompt());
    if channel.data_bytes(Bytes::from(welcome)).await.is_err() {
        return;
    }
    let mut shutdown = core.shutdown.subscribe();
    let mut channel = channel;
    loop {
        let data = tokio::select! {
            msg = channel.wait() => match msg {
                Some(ChannelMsg::Data { data }) => data,
                Some(ChannelMsg::Eof | ChannelMsg::Close) | None => break,
                Some(_) => continue,
            },
            _ = async { shutdown.wait_for(|s| *s).await.map(|_| ()) } => break,
        };
        if !terminal.input(&data, &channel, &core).await {
            break;
        }
    }
    hang_up(&channel, &handle).await;
    debug!("OLT shell closed");
}

async fn hang_up(channel: &Channel<Msg>, handle: &Handle) {
    let _ = channel.eof().await;
    let _ = channel.close().await;
    let _ = handle.disconnect(Disconnect::ByApplication, String::new(), String::new()).await;
}

/// Output held back by the pager.
struct Pager {
    rest: VecDeque<String>,
    /// The prompt or question once the last page is out.
    tail: String,
    close: bool,
}

/// What a byte of input produced.
enum Out {
    Nothing,
    Echo(&'static str),
    EchoChar(char),
    /// Output that answers a command line (faults apply to it).
    Reply {
        text: String,
        close: bool,
    },
    /// Output of the pager going on.
    Page {
        text: String,
        close: bool,
    },
}

struct Terminal {
    shell: Shell,
    line: String,
    /// A `\n` right after `\r` is the same Enter.
    after_cr: bool,
    pager: Option<Pager>,
    /// Pager marks shown and not yet counted in the stats.
    pager_waits: u64,
}

impl Terminal {
    fn new(shell: Shell) -> Self {
        Self { shell, line: String::new(), after_cr: false, pager: None, pager_waits: 0 }
    }

    /// Feed bytes from the client; `false` when the session must end.
    async fn input(&mut self, data: &[u8], channel: &Channel<Msg>, core: &Core) -> bool {
        let mut echo = String::new();
        for &byte in data {
            let out = self.feed(byte, core);
            if self.pager_waits > 0 {
                core.lock().stats.pager_waits += std::mem::take(&mut self.pager_waits);
            }
            let (text, close, command) = match out {
                Out::Nothing => continue,
                Out::Echo(s) => {
                    echo.push_str(s);
                    continue;
                }
                Out::EchoChar(c) => {
                    echo.push(c);
                    continue;
                }
                Out::Reply { text, close } => (text, close, true),
                Out::Page { text, close } => (text, close, false),
            };
            let mut out = std::mem::take(&mut echo);
            let faults = core.lock().faults.clone();
            if command && faults.stall {
                if !out.is_empty() && channel.data_bytes(Bytes::from(out)).await.is_err() {
                    return false;
                }
                continue;
            }
            if command && !faults.latency.is_zero() {
                if !out.is_empty() && channel.data_bytes(Bytes::from(out)).await.is_err() {
                    return false;
                }
                out = String::new();
                tokio::time::sleep(faults.latency).await;
            }
            if command && faults.close_mid_reply {
                out.push_str(&text);
                let half = out.len() / 2;
                let cut = (0..=half).rev().find(|i| out.is_char_boundary(*i)).unwrap_or(0);
                let _ = channel.data_bytes(Bytes::copy_from_slice(&out.as_bytes()[..cut])).await;
                return false;
            }
            out.push_str(&text);
            if channel.data_bytes(Bytes::from(out)).await.is_err() || close {
                return false;
            }
        }
        echo.is_empty() || channel.data_bytes(Bytes::from(echo)).await.is_ok()
    }

    fn feed(&mut self, byte: u8, core: &Core) -> Out {
        let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
        if let Some(pager) = self.pager.take() {
            return match byte {
                b' ' => self.more(pager, self.shell.page.unwrap_or(usize::MAX)),
                b'\n' if after_cr => {
                    self.pager = Some(pager);
                    Out::Nothing
                }
                b'\r' | b'\n' => self.more(pager, 1),
                b'q' | b'Q' => {
                    let (_, erase) = self.shell.more();
                    Out::Page { text: format!("{erase}{}", pager.tail), close: pager.close }
                }
                _ => {
                    self.pager = Some(pager);
                    Out::Nothing
                }
            };
        }
        match byte {
            b'\n' if after_cr => Out::Nothing,
            b'\r' | b'\n' => {
                let line = std::mem::take(&mut self.line);
                let (reply, hang_up) = {
                    let mut state = core.lock();
                    if !line.trim().is_empty() {
                        state.stats.commands_run += 1;
                    }
                    let reply = self.shell.run(&line, &mut state, Instant::now());
                    let faults = &mut state.faults;
                    let hang_up = faults
                        .drop_after_command
                        .as_deref()
                        .is_some_and(|prefix| line.trim_start().starts_with(prefix));
                    if hang_up {
                        faults.drop_after_command = None;
                    }
                    (reply, hang_up)
                };
                if hang_up {
                    return Out::Reply { text: String::new(), close: true };
                }
                let (text, close) = self.render(reply);
                Out::Reply { text: format!("\r\n{text}"), close }
            }
            0x08 | 0x7f => {
                if self.line.pop().is_some() {
                    Out::Echo("\x08 \x08")
                } else {
                    Out::Nothing
                }
            }
            0x20..=0x7e => {
                let c = char::from(byte);
                self.line.push(c);
                Out::EchoChar(c)
            }
            _ => Out::Nothing,
        }
    }

    /// What follows the last output line: the prompt, a question, or
    /// nothing before closing.
    fn tail(&self, next: &Next) -> String {
        match next {
            Next::Prompt => format!("{}{}", self.shell.before_prompt(), self.shell.prompt()),
            Next::Ask(question) => (*question).to_owned(),
            Next::Close => String::new(),
        }
    }

    fn render(&mut self, reply: Reply) -> (String, bool) {
        let tail = self.tail(&reply.next);
        let close = reply.next == Next::Close;
        let page = if reply.paged { self.shell.page } else { None };
        match page {
            Some(n) if reply.lines.len() > n => {
                let mut rest: VecDeque<String> = reply.lines.into();
                let text = self.page_out(&mut rest, n);
                self.pager = Some(Pager { rest, tail, close });
                (text, false)
            }
            _ => {
                let mut text =
                    String::with_capacity(reply.lines.iter().map(|l| l.len() + 2).sum::<usize>() + tail.len());
                for line in &reply.lines {
                    text.push_str(line);
                    text.push_str("\r\n");
                }
                text.push_str(&tail);
                (text, close)
            }
        }
    }

    /// Up to `n` lines, then the pager's mark.
    fn page_out(&mut self, rest: &mut VecDeque<String>, n: usize) -> String {
        self.pager_waits += 1;
        let mut text = String::new();
        for line in rest.drain(..n.min(rest.len())) {
            text.push_str(&line);
            text.push_str("\r\n");
        }
        text.push_str(self.shell.more().0);
        text
    }

    fn more(&mut self, mut pager: Pager, n: usize) -> Out {
        let (_, erase) = self.shell.more();
        if pager.rest.len() <= n {
            let mut text = erase;
            for line in &pager.rest {
                text.push_str(line);
                text.push_str("\r\n");
            }
            text.push_str(&pager.tail);
            return Out::Page { text, close: pager.close };
        }
        let text = format!("{erase}{}", self.page_out(&mut pager.rest, n));
        self.pager = Some(pager);
        Out::Page { text, close: false }
    }
}

//! [`SimSmtp`]: an SMTP server on loopback that keeps what it receives.
//!
//! Plain only (no STARTTLS: a client set to STARTTLS meets `502`, as with
//! a real server without it). It advertises `AUTH PLAIN LOGIN` and checks
//! both against its credentials (`535` otherwise; `530` to a `MAIL` before
//! logging in), and speaks `EHLO`/`HELO`, `MAIL FROM`, `RCPT TO`, `DATA`
//! (dot-unstuffed), `RSET`, `NOOP` and `QUIT`, a line at a time, so
//! pipelined commands are answered in order. Lines are limited to
//! [`MAX_LINE`] bytes and messages to the configured size (`552` past it).

use std::collections::VecDeque;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use headend_core::messages::settings::{SmtpSecurity, SmtpSettings};
use mail_parser::{MessageParser, MimeHeaders};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::debug;

/// The longest line read, command or message line.
pub const MAX_LINE: usize = 64 * 1024;

/// Recipients of one message at most.
const MAX_RECIPIENTS: usize = 100;

/// How the simulated server is set up.
#[derive(Debug, Clone)]
pub struct SimSmtpConfig {
    /// The login it accepts (user, password); `None`: no `AUTH`, anyone
    /// may send.
    pub credentials: Option<(String, String)>,
    /// The name in its greeting and `EHLO` answer.
    pub hostname: String,
    /// The largest message it takes, advertised as `SIZE`.
    pub max_message_bytes: usize,
}

impl Default for SimSmtpConfig {
    fn default() -> Self {
        Self {
            credentials: Some(("billing@isp.test".to_owned(), "smtp-password".to_owned())),
            hostname: "mail.sim.test".to_owned(),
            max_message_bytes: 25 << 20,
        }
    }
}

/// Where a [`SimSmtp::fail_next`] failure is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpStage {
    /// To `RCPT TO` (greylisting, an unknown mailbox).
    Rcpt,
    /// After the message's final dot (a content filter, a full disk).
    Data,
}

/// One message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message as sent, dot-unstuffed, lines ending in CRLF.
    pub data: Vec<u8>,
}

/// An attachment of a [`ReceivedMail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedAttachment {
    /// Its file name.
    pub filename: Option<String>,
    /// `type/subtype`.
    pub content_type: String,
    /// The decoded file.
    pub bytes: Vec<u8>,
}

impl ReceivedMail {
    /// The decoded `Subject`.
    #[must_use]
    pub fn subject(&self) -> Option<String> {
        MessageParser::default().parse(&self.data)?.subject().map(str::to_owned)
    }

    /// The first text body, decoded.
    #[must_use]
    pub fn text(&self) -> Option<String> {
        MessageParser::default().parse(&self.data)?.body_text(0).map(|t| t.into_owned())
    }

    /// The attachments, decoded.
    #[must_use]
    pub fn attachments(&self) -> Vec<ReceivedAttachment> {
        let Some(message) = MessageParser::default().parse(&self.data) else { return Vec::new() };
        message
            .attachments()
            .map(|part| ReceivedAttachment {
                filename: part.attachment_name().map(str::to_owned),
                content_type: part.content_type().map_or_else(String::new, |ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_owned(),
                }),
                bytes: part.contents().to_vec(),
            })
            .collect()
    }
}

/// A failure the server answers instead of success.
#[derive(Debug, Clone)]
struct Fault {
    remaining: usize,
    stage: SmtpStage,
    code: u16,
    text: String,
}

#[derive(Debug, Default)]
struct State {
    received: Vec<ReceivedMail>,
    faults: VecDeque<Fault>,
    refuse: bool,
    connections: u64,
    failed_logins: u64,
    next_id: u64,
}

#[derive(Debug)]
struct Core {
    config: SimSmtpConfig,
    state: Mutex<State>,
    /// The number of messages received, for [`SimSmtp::wait_for`].
    count: watch::Sender<usize>,
    shutdown: watch::Sender<bool>,
}

impl Core {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The failure due at `stage`, if one is.
    fn take_fault(&self, stage: SmtpStage) -> Option<(u16, String)> {
        let mut state = self.lock();
        let fault = state.faults.iter_mut().find(|f| f.stage == stage)?;
        fault.remaining -= 1;
        let answer = (fault.code, fault.text.clone());
        state.faults.retain(|f| f.remaining > 0);
        Some(answer)
    }
}

/// A running simulated SMTP server. Dropping it stops it and closes its
/// connections.
#[derive(Debug)]
pub struct SimSmtp {
    core: Arc<Core>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl SimSmtp {
    /// Listen on 127.0.0.1, on a port the system picks.
    pub async fn start(config: SimSmtpConfig) -> io::Result<SimSmtp> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let core = Arc::new(Core {
            config,
            state: Mutex::new(State::default()),
            count: watch::channel(0).0,
            shutdown: watch::channel(false).0,
        });
        let task = tokio::spawn(accept_loop(listener, core.clone()));
        debug!(%addr, "simulated SMTP server started");
        Ok(SimSmtp { core, addr, task })
    }

    /// Its address on loopback.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The settings that reach it: plain SMTP, its login (the password is
    /// [`SimSmtpConfig::credentials`]'), sending as `from`.
    #[must_use]
    pub fn settings(&self, from: &str) -> SmtpSettings {
        SmtpSettings {
            host: self.addr.ip().to_string(),
            port: self.addr.port(),
            security: SmtpSecurity::None,
            username: self.core.config.credentials.as_ref().map(|(user, _)| user.clone()),
            from: from.to_owned(),
        }
    }

    /// Every message received so far.
    #[must_use]
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.core.lock().received.clone()
    }

    /// How many messages it accepted.
    #[must_use]
    pub fn accepted(&self) -> usize {
        *self.core.count.borrow()
    }

    /// Connections accepted (refused ones included).
    #[must_use]
    pub fn connections(&self) -> u64 {
        self.core.lock().connections
    }

    /// Logins refused.
    #[must_use]
    pub fn failed_logins(&self) -> u64 {
        self.core.lock().failed_logins
    }

    /// Wait until `n` messages arrived or `timeout` passed; what arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let mut count = self.core.count.subscribe();
        let _ = tokio::time::timeout(timeout, count.wait_for(|c| *c >= n)).await;
        self.received()
    }

    /// Answer the next `n` commands at `stage` with `code text` (`451
    /// 4.7.1 Try again later`, `550 5.1.1 No such user`) instead of
    /// accepting them.
    pub fn fail_next(&self, n: usize, stage: SmtpStage, code: u16, text: &str) {
        if n > 0 {
            self.core.lock().faults.push_back(Fault { remaining: n, stage, code, text: text.to_owned() });
        }
    }

    /// Close new connections at once (the client reads nothing), or stop
    /// doing so.
    pub fn refuse_connections(&self, refuse: bool) {
        self.core.lock().refuse = refuse;
    }
}

impl Drop for SimSmtp {
    fn drop(&mut self) {
        self.task.abort();
        self.core.shutdown.send_replace(true);
    }
}

async fn accept_loop(listener: TcpListener, core: Arc<Core>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        let refuse = {
            let mut state = core.lock();
            state.connections += 1;
            state.refuse
        };
        if refuse {
            drop(tcp);
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let core = core.clone();
        tokio::spawn(async move {
            let mut shutdown = core.shutdown.subscribe();
            tokio::select! {
                ended = session(tcp, &core) => {
                    if let Err(err) = ended {
                        debug!(%err, "SMTP session ended");
                    }
                }
                _ = shutdown.wait_for(|s| *s) => {}
            }
        });
    }
}

/// A line read, or why none was.
enum Line {
    Text,
    TooLong,
    Eof,
}

/// One line into `buf` (CRLF included), at most [`MAX_LINE`] bytes.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let n = (&mut *reader).take(MAX_LINE as u64).read_until(b'\n', buf).await?;
    Ok(match buf.last() {
        _ if n == 0 => Line::Eof,
        Some(b'\n') => Line::Text,
        _ if n >= MAX_LINE => Line::TooLong,
        _ => Line::Eof,
    })
}

fn trim_crlf(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The address in `FROM:<a@b> PARAMS` after its keyword.
fn path(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// The connection's state between commands.
#[derive(Default)]
struct Session {
    authenticated: bool,
    from: Option<String>,
    to: Vec<String>,
}

async fn session(tcp: TcpStream, core: &Core) -> io::Result<()> {
    let (read, write) = tcp.into_split();
    let mut reader = BufReader::new(read);
    let mut writer = BufWriter::new(write);
    let config = &core.config;
    let mut s = Session { authenticated: config.credentials.is_none(), ..Session::default() };
    writer.write_all(format!("220 {} ESMTP SimSmtp\r\n", config.hostname).as_bytes()).await?;
    let mut line = Vec::new();
    loop {
        // Pipelined commands already read are answered in one write.
        if reader.buffer().is_empty() {
            writer.flush().await?;
        }
        match read_line(&mut reader, &mut line).await? {
            Line::Text => {}
            Line::TooLong => {
                writer.write_all(b"500 5.5.6 Line too long\r\n").await?;
                return writer.flush().await;
            }
            Line::Eof => return Ok(()),
        }
        let text = String::from_utf8_lossy(trim_crlf(&line)).into_owned();
        let (verb, argument) = text.split_once(' ').unwrap_or((&text, ""));
        let answer = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                s = Session { authenticated: s.authenticated, ..Session::default() };
                let auth = if config.credentials.is_some() { "250-AUTH PLAIN LOGIN\r\n" } else { "" };
                format!(
                    "250-{} greets {argument}\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE {}\r\n{auth}250 ENHANCEDSTATUSCODES",
                    config.hostname, config.max_message_bytes
                )
            }
            "HELO" => {
                s = Session { authenticated: s.authenticated, ..Session::default() };
                format!("250 {}", config.hostname)
            }
            "AUTH" => auth(argument, core, &mut s, &mut reader, &mut writer).await?,
            "MAIL" => match path(argument, "FROM:") {
                _ if !s.authenticated => "530 5.7.0 Authentication required".to_owned(),
                _ if s.from.is_some() => "503 5.5.1 Error: nested MAIL command".to_owned(),
                Some(from) => {
                    s.from = Some(from);
                    "250 2.1.0 Ok".to_owned()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".to_owned(),
            },
            "RCPT" => match path(argument, "TO:") {
                _ if s.from.is_none() => "503 5.5.1 Error: need MAIL command".to_owned(),
                _ if s.to.len() >= MAX_RECIPIENTS => "452 4.5.3 Error: too many recipients".to_owned(),
                Some(to) => match core.take_fault(SmtpStage::Rcpt) {
                    Some((code, text)) => format!("{code} {text}"),
                    None => {
                        s.to.push(to);
                        "250 2.1.5 Ok".to_owned()
                    }
                },
                None => "501 5.5.4 Syntax: RCPT TO:<address>".to_owned(),
            },
            "DATA" if s.from.is_none() => "503 5.5.1 Error: need MAIL command".to_owned(),
            "DATA" if s.to.is_empty() => "554 5.5.1 Error: no valid recipients".to_owned(),
            "DATA" => {
                writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                writer.flush().await?;
                let answer = data(core, &mut s, &mut reader, &mut line).await?;
                s.from = None;
                s.to.clear();
                answer
            }
            "RSET" => {
                s.from = None;
                s.to.clear();
                "250 2.0.0 Ok".to_owned()
            }
            "NOOP" => "250 2.0.0 Ok".to_owned(),
            "QUIT" => {
                writer.write_all(b"221 2.0.0 Bye\r\n").await?;
                return writer.flush().await;
            }
            _ => "502 5.5.2 Error: command not recognized".to_owned(),
        };
        writer.write_all(answer.as_bytes()).await?;
        writer.write_all(b"\r\n").await?;
    }
}

/// Acknowledge the next segment at once. A client writes the message and
/// then the final dot without waiting for an answer; with Nagle on its side
/// and delayed acknowledgement on ours, that dot would wait 40 ms for each
/// message (Linux only: elsewhere the option does not exist).
#[cfg(target_os = "linux")]
fn quick_ack(tcp: &TcpStream) {
    let _ = socket2::SockRef::from(tcp).set_tcp_quickack(true);
}

#[cfg(not(target_os = "linux"))]
fn quick_ack(_: &TcpStream) {}

/// The message after `DATA`, up to the lone dot; its answer.
async fn data(
    core: &Core,
    s: &mut Session,
    reader: &mut BufReader<OwnedReadHalf>,
    line: &mut Vec<u8>,
) -> io::Result<String> {
    let mut message = Vec::new();
    let mut too_big = false;
    loop {
        if reader.buffer().is_empty() {
            quick_ack(reader.get_ref().as_ref());
        }
        match read_line(reader, line).await? {
            Line::Text => {}
            Line::TooLong => return Ok("500 5.5.6 Line too long".to_owned()),
            Line::Eof => return Err(io::ErrorKind::UnexpectedEof.into()),
        }
        if trim_crlf(line) == b"." {
            break;
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(line);
        if message.len() + unstuffed.len() > core.config.max_message_bytes {
            too_big = true;
        } else if !too_big {
            message.extend_from_slice(unstuffed);
        }
    }
    if too_big {
        return Ok("552 5.3.4 Error: message file too big".to_owned());
    }
    if let Some((code, text)) = core.take_fault(SmtpStage::Data) {
        return Ok(format!("{code} {text}"));
    }
    let mail = ReceivedMail { from: s.from.take().unwrap_or_default(), to: std::mem::take(&mut s.to), data: message };
    let id = {
        let mut state = core.lock();
        state.next_id += 1;
        state.received.push(mail);
        state.next_id
    };
    core.count.send_modify(|c| *c += 1);
    Ok(format!("250 2.0.0 Ok: queued as SIM{id:08X}"))
}

/// `AUTH PLAIN [initial]` or `AUTH LOGIN [user]`, challenges included.
async fn auth<R, W>(argument: &str, core: &Core, s: &mut Session, reader: &mut R, writer: &mut W) -> io::Result<String>
where
    R: AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let Some((user, password)) = &core.config.credentials else {
        return Ok("502 5.5.1 Error: authentication not enabled".to_owned());
    };
    if s.authenticated {
        return Ok("503 5.5.1 Error: already authenticated".to_owned());
    }
    let (mechanism, initial) = argument.split_once(' ').unwrap_or((argument, ""));
    let mut ask = async |challenge: &str| -> io::Result<Option<Vec<u8>>> {
        writer.write_all(format!("334 {challenge}\r\n").as_bytes()).await?;
        writer.flush().await?;
        let mut line = Vec::new();
        match read_line(reader, &mut line).await? {
            Line::Text if trim_crlf(&line) != b"*" => Ok(STANDARD.decode(trim_crlf(&line)).ok()),
            _ => Ok(None),
        }
    };
    let given = match mechanism.to_ascii_uppercase().as_str() {
        "PLAIN" => {
            let response = if initial.is_empty() { ask("").await? } else { STANDARD.decode(initial.trim()).ok() };
            response.and_then(|r| {
                let mut fields = r.split(|b| *b == 0).skip(1);
                Some((fields.next()?.to_vec(), fields.next()?.to_vec()))
            })
        }
        "LOGIN" => {
            let name =
                if initial.is_empty() { ask("VXNlcm5hbWU6").await? } else { STANDARD.decode(initial.trim()).ok() };
            match name {
                Some(name) => ask("UGFzc3dvcmQ6").await?.map(|p| (name, p)),
                None => None,
            }
        }
        _ => return Ok("504 5.5.4 Unrecognized authentication type".to_owned()),
    };
    match given {
        Some((u, p)) if u == user.as_bytes() && p == password.as_bytes() => {
            s.authenticated = true;
            Ok("235 2.7.0 Authentication successful".to_owned())
        }
        _ => {
            core.lock().failed_logins += 1;
            Ok("535 5.7.8 Error: authentication failed".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A raw client: write everything, read until the server closes.
    async fn converse(sim: &SimSmtp, script: &str) -> String {
        let mut tcp = TcpStream::connect(sim.addr()).await.expect("connect");
        tcp.write_all(script.as_bytes()).await.expect("write");
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), tcp.read_to_string(&mut answer))
            .await
            .expect("the server closes after QUIT")
            .expect("read");
        answer
    }

    fn plain(user: &str, password: &str) -> String {
        STANDARD.encode(format!("\0{user}\0{password}"))
    }

    #[tokio::test]
    async fn a_pipelined_session_with_dot_unstuffing() {
        let sim = SimSmtp::start(SimSmtpConfig::default()).await.expect("start");
        let script = format!(
            "EHLO client\r\nAUTH PLAIN {}\r\nMAIL FROM:<a@isp.test> SIZE=100\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\nSubject: hi\r\n\r\n..dotted\r\nline\r\n.\r\nQUIT\r\n",
            plain("billing@isp.test", "smtp-password")
        );
        let answer = converse(&sim, &script).await;
        assert!(answer.contains("250-AUTH PLAIN LOGIN"), "{answer}");
        assert!(answer.contains("235 2.7.0"), "{answer}");
        assert!(answer.contains("250 2.0.0 Ok: queued as"), "{answer}");
        let mail = sim.wait_for(1, Duration::from_secs(1)).await;
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].from, "a@isp.test");
        assert_eq!(mail[0].to, ["b@x.test", "c@x.test"]);
        assert_eq!(mail[0].data, b"Subject: hi\r\n\r\n.dotted\r\nline\r\n");
        assert_eq!(mail[0].subject().as_deref(), Some("hi"));
        assert_eq!(sim.accepted(), 1);
    }

    #[tokio::test]
    async fn logins_are_checked() {
        let sim = SimSmtp::start(SimSmtpConfig::default()).await.expect("start");
        let answer = converse(
            &sim,
            &format!("EHLO c\r\nMAIL FROM:<a@b>\r\nAUTH PLAIN {}\r\nQUIT\r\n", plain("billing@isp.test", "wrong")),
        )
        .await;
        assert!(answer.contains("530 5.7.0"), "{answer}");
        assert!(answer.contains("535 5.7.8"), "{answer}");
        let login = format!(
            "EHLO c\r\nAUTH LOGIN\r\n{}\r\n{}\r\nQUIT\r\n",
            STANDARD.encode("billing@isp.test"),
            STANDARD.encode("smtp-password")
        );
        let answer = converse(&sim, &login).await;
        assert!(answer.contains("334 VXNlcm5hbWU6") && answer.contains("334 UGFzc3dvcmQ6"), "{answer}");
        assert!(answer.contains("235 2.7.0"), "{answer}");
        assert_eq!(sim.failed_logins(), 1);
    }

    #[tokio::test]
    async fn faults_sizes_and_unknown_commands() {
        let config = SimSmtpConfig { credentials: None, max_message_bytes: 10, ..SimSmtpConfig::default() };
        let sim = SimSmtp::start(config).await.expect("start");
        sim.fail_next(1, SmtpStage::Rcpt, 451, "4.7.1 Try again later");
        let answer = converse(
            &sim,
            "HELO c\r\nSTARTTLS\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\nRCPT TO:<x@y>\r\nDATA\r\n0123456789abc\r\n.\r\nNOOP\r\nRSET\r\nQUIT\r\n",
        )
        .await;
        let codes: Vec<&str> = answer.lines().map(|l| &l[..3]).collect();
        assert_eq!(
            codes,
            ["220", "250", "502", "250", "451", "554", "250", "354", "552", "250", "250", "221"],
            "{answer}"
        );
        assert_eq!(sim.accepted(), 0);
    }

    #[tokio::test]
    async fn refused_connections_read_nothing() {
        let sim = SimSmtp::start(SimSmtpConfig::default()).await.expect("start");
        sim.refuse_connections(true);
        assert_eq!(converse(&sim, "").await, "");
        assert_eq!(sim.connections(), 1);
    }
}

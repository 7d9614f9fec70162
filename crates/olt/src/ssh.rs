//! One SSH shell on an OLT: russh underneath, the [`Terminal`] on top.
//! It logs in (password, keyboard-interactive or key), pins the host key,
//! opens a PTY shell, and runs commands one at a time, answering pagers and
//! questions, with an inactivity timeout. Every command goes to the command
//! log; passwords are only ever sent in answer to the `Password:` prompt
//! the terminal reports (while logging in and right after `enable`), and
//! the ONU passwords in a reply are masked before it is logged.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh::client::{self, AuthResult, Handle, KeyboardInteractiveAuthResponse, Msg};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{Channel, ChannelMsg, cipher, kex, mac};

use crate::cli::{Cli, Reply};
use crate::driver::{OltAuth, OltConfig, OltSecret};
use crate::error::OltError;
use crate::log::{CommandLog, CommandLogEntry, CommandOutcome, redact_reply};
use crate::terminal::{Event, MAX_REPLY, Mode, Prompt, Terminal};
use crate::text::refusal;

/// A reply may take this many command timeouts in total even while the OLT
/// keeps printing (a runaway output that never reaches the prompt).
const MAX_TIMEOUTS_PER_REPLY: u32 = 10;

/// `SHA256:base64` of a host key, the form OpenSSH prints.
pub fn fingerprint(key: &PublicKeyOrCertificate) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

/// Two fingerprints are the same key whether or not `SHA256:` is written.
pub fn same_fingerprint(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.trim().trim_start_matches("SHA256:").trim_end_matches('=').to_owned();
    strip(a) == strip(b)
}

#[derive(Debug, thiserror::Error)]
enum ClientError {
    #[error(transparent)]
    Ssh(#[from] russh::Error),
    #[error("host key changed")]
    KeyChanged { expected: String, observed: String },
}

struct Client {
    pinned: Option<String>,
    seen: Arc<Mutex<Option<String>>>,
}

impl client::Handler for Client {
    type Error = ClientError;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let observed = fingerprint(key);
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(observed.clone());
        }
        match &self.pinned {
            Some(expected) if !same_fingerprint(expected, &observed) => {
                Err(ClientError::KeyChanged { expected: expected.clone(), observed })
            }
            _ => Ok(true),
        }
    }
}

/// Modern algorithms first, then the legacy ones OLT firmware still ships
/// with (SHA-1 key exchange, CBC ciphers, HMAC-SHA1): an OLT that offers
/// only those must still be reachable.
fn preferred() -> russh::Preferred {
    let d = russh::Preferred::default();
    let mut kexes: Vec<kex::Name> = d.kex.to_vec();
    kexes.extend([
        kex::ECDH_SHA2_NISTP256,
        kex::ECDH_SHA2_NISTP384,
        kex::ECDH_SHA2_NISTP521,
        kex::DH_G14_SHA1,
        kex::DH_GEX_SHA1,
        kex::DH_G1_SHA1,
    ]);
    let mut ciphers: Vec<cipher::Name> = d.cipher.to_vec();
    ciphers.extend([cipher::AES_128_CBC, cipher::AES_192_CBC, cipher::AES_256_CBC]);
    let mut macs: Vec<mac::Name> = d.mac.to_vec();
    macs.extend([mac::HMAC_SHA1, mac::HMAC_SHA1_ETM]);
    russh::Preferred { kex: Cow::Owned(kexes), cipher: Cow::Owned(ciphers), mac: Cow::Owned(macs), ..d }
}

/// A logged-in shell at a prompt.
pub struct SshSession {
    handle: Handle<Client>,
    channel: Channel<Msg>,
    term: Terminal,
    prompt: Prompt,
    timeout: Duration,
    password: Option<OltSecret>,
    log: Arc<dyn CommandLog>,
    label: String,
    broken: bool,
    last_used: Instant,
}

impl std::fmt::Debug for SshSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshSession")
            .field("olt", &self.label)
            .field("prompt", &self.prompt.to_string())
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl SshSession {
    /// Connects, checks the host key against `pinned`, logs in and waits
    /// for the first prompt. Returns the session and the host key's
    /// fingerprint.
    pub async fn open(
        cfg: &OltConfig,
        pinned: Option<&str>,
        log: Arc<dyn CommandLog>,
    ) -> Result<(SshSession, String), OltError> {
        let label = cfg.label();
        let connect_err = |reason: String| OltError::Connect { host: cfg.host.clone(), port: cfg.port, reason };
        let deadline = cfg.connect_timeout;
        let seen = Arc::new(Mutex::new(None));
        let handler = Client { pinned: pinned.map(str::to_owned), seen: seen.clone() };
        let config = Arc::new(client::Config {
            preferred: preferred(),
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_max: 3,
            nodelay: true,
            ..client::Config::default()
        });
        let login = async {
            let tcp = tokio::net::TcpStream::connect((cfg.host.as_str(), cfg.port))
                .await
                .map_err(|e| connect_err(e.to_string()))?;
            let mut handle = client::connect_stream(config, tcp, handler).await.map_err(|e| match e {
                ClientError::KeyChanged { expected, observed } => OltError::HostKeyChanged { expected, observed },
                ClientError::Ssh(e) => connect_err(e.to_string()),
            })?;
            authenticate(&mut handle, cfg).await?;
            let channel = handle
                .channel_open_session()
                .await
                .map_err(|e| connect_err(format!("cannot open a session channel: {e}")))?;
            channel
                .request_pty(false, "vt100", 200, 50, 0, 0, &[])
                .await
                .map_err(|e| connect_err(format!("PTY refused: {e}")))?;
            channel.request_shell(false).await.map_err(|e| connect_err(format!("shell refused: {e}")))?;
            Ok::<_, OltError>((handle, channel))
        };
        let (handle, channel) = tokio::time::timeout(deadline, login)
            .await
            .map_err(|_| connect_err(format!("no login within {deadline:?}")))??;
        let observed =
            seen.lock().ok().and_then(|s| s.clone()).ok_or_else(|| connect_err("no host key was presented".into()))?;
        let password = cfg.enable_password.clone().or(match &cfg.auth {
            OltAuth::Password(p) => Some(p.clone()),
            OltAuth::Key { .. } => None,
        });
        let mut session = SshSession {
            handle,
            channel,
            term: Terminal::new(),
            prompt: Prompt { host: String::new(), mode: Mode::User },
            timeout: cfg.command_timeout,
            password,
            log,
            label,
            broken: false,
            last_used: Instant::now(),
        };
        // The banner, then the first prompt.
        let first = session.read_reply("(login)").await?;
        session.prompt = first.prompt;
        tracing::debug!(olt = %session.label, prompt = %session.prompt, "logged in");
        Ok((session, observed))
    }

    /// The prompt the last reply ended at.
    pub fn prompt(&self) -> &Prompt {
        &self.prompt
    }

    /// Can go back to the pool: alive, not failed, at `base`.
    pub fn reusable(&self, base: &Mode) -> bool {
        !self.broken && !self.handle.is_closed() && self.prompt.mode == *base
    }

    /// Ends the SSH connection politely.
    pub async fn close(self) {
        let _ = self.handle.disconnect(russh::Disconnect::ByApplication, "closing", "en").await;
    }

    /// Time since the last command finished.
    pub fn idle_for(&self) -> Duration {
        self.last_used.elapsed()
    }

    /// Reads until the prompt, answering pagers, questions and the password
    /// prompt (which the terminal reports only at login and after `enable`).
    async fn read_reply(&mut self, command: &str) -> Result<Reply, OltError> {
        let started = Instant::now();
        let cap = self.timeout.saturating_mul(MAX_TIMEOUTS_PER_REPLY);
        loop {
            let left = cap.saturating_sub(started.elapsed()).min(self.timeout);
            let msg = match tokio::time::timeout(left, self.channel.wait()).await {
                Ok(m) => m,
                Err(_) => {
                    self.broken = true;
                    return Err(OltError::Timeout {
                        command: command.to_owned(),
                        after: if left < self.timeout { cap } else { self.timeout },
                    });
                }
            };
            let data = match msg {
                Some(ChannelMsg::Data { data }) => data,
                Some(ChannelMsg::ExtendedData { data, .. }) => data,
                Some(ChannelMsg::Eof | ChannelMsg::Close | ChannelMsg::ExitStatus { .. }) | None => {
                    self.broken = true;
                    return Err(OltError::Closed(format!("the OLT ended the shell during {command:?}")));
                }
                Some(_) => continue,
            };
            for event in self.term.feed(&data) {
                match event {
                    Event::Prompt(prompt) => {
                        let text = self.term.take_reply();
                        self.last_used = Instant::now();
                        return Ok(Reply { text, prompt });
                    }
                    Event::Password => {
                        let Some(secret) = self.password.clone() else {
                            self.broken = true;
                            return Err(OltError::AuthFailed {
                                user: format!("(password asked during {command:?} and none configured)"),
                            });
                        };
                        let mut bytes = secret.expose().as_bytes().to_vec();
                        bytes.push(b'\n');
                        self.send(&bytes).await?;
                    }
                    Event::Overflow => {
                        self.broken = true;
                        return Err(OltError::ReplyTooLarge { command: command.to_owned(), limit: MAX_REPLY });
                    }
                    other => {
                        if let Some(answer) = other.answer() {
                            self.send(answer).await?;
                        }
                    }
                }
            }
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), OltError> {
        if let Err(e) = self.channel.data(bytes).await {
            self.broken = true;
            return Err(OltError::Closed(e.to_string()));
        }
        Ok(())
    }

    async fn exec(&mut self, command: &str) -> Result<Reply, OltError> {
        if self.broken {
            return Err(OltError::Closed("the session failed earlier".into()));
        }
        if command.contains(['\n', '\r']) {
            return Err(OltError::InvalidRequest(format!("{command:?} is more than one line")));
        }
        self.term.expect_echo(command);
        let mut line = command.as_bytes().to_vec();
        line.push(b'\n');
        self.send(&line).await?;
        let reply = self.read_reply(command).await?;
        self.prompt = reply.prompt.clone();
        Ok(reply)
    }
}

impl Cli for SshSession {
    async fn run(&mut self, command: &str) -> Result<Reply, OltError> {
        let at = jiff::Timestamp::now();
        let started = Instant::now();
        let result = self.exec(command).await;
        let (reply, outcome) = match &result {
            Ok(r) => (redact_reply(&r.text), refusal(&r.text).map_or(CommandOutcome::Ok, CommandOutcome::Refused)),
            Err(OltError::Timeout { .. }) => (String::new(), CommandOutcome::Timeout),
            Err(e) => (String::new(), CommandOutcome::Failed(e.to_string())),
        };
        tracing::debug!(olt = %self.label, command, ?outcome, "OLT command");
        self.log.record(CommandLogEntry {
            olt: self.label.clone(),
            at,
            command: command.to_owned(),
            reply,
            outcome,
            duration: started.elapsed(),
        });
        result
    }
}

async fn authenticate(handle: &mut Handle<Client>, cfg: &OltConfig) -> Result<(), OltError> {
    let user = cfg.username.clone();
    let failed = || OltError::AuthFailed { user: user.clone() };
    let ssh_err = |e: russh::Error| OltError::Connect {
        host: cfg.host.clone(),
        port: cfg.port,
        reason: format!("during login: {e}"),
    };
    match &cfg.auth {
        OltAuth::Password(secret) => {
            let r = handle.authenticate_password(user.clone(), secret.expose()).await.map_err(ssh_err)?;
            if r.success() {
                return Ok(());
            }
            // Some OLTs offer keyboard-interactive only.
            let mut step =
                handle.authenticate_keyboard_interactive_start(user.clone(), None::<String>).await.map_err(ssh_err)?;
            for _ in 0..4 {
                match step {
                    KeyboardInteractiveAuthResponse::Success => return Ok(()),
                    KeyboardInteractiveAuthResponse::Failure { .. } => return Err(failed()),
                    KeyboardInteractiveAuthResponse::InfoRequest { prompts, .. } => {
                        let answers = prompts.iter().map(|_| secret.expose().to_owned()).collect();
                        step = handle.authenticate_keyboard_interactive_respond(answers).await.map_err(ssh_err)?;
                    }
                }
            }
            Err(failed())
        }
        OltAuth::Key { private_key, passphrase } => {
            let key = russh::keys::decode_secret_key(private_key.expose(), passphrase.as_ref().map(OltSecret::expose))
                .map_err(|e| OltError::BadKey(e.to_string()))?;
            let hash = handle.best_supported_rsa_hash().await.map_err(ssh_err)?.flatten();
            let r = handle
                .authenticate_publickey(user.clone(), PrivateKeyWithHashAlg::new(Arc::new(key), hash))
                .await
                .map_err(ssh_err)?;
            match r {
                AuthResult::Success => Ok(()),
                AuthResult::Failure { .. } => Err(failed()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_compare_with_or_without_prefix() {
        assert!(same_fingerprint("SHA256:abc", "abc"));
        assert!(same_fingerprint(" SHA256:abc= ", "SHA256:abc"));
        assert!(!same_fingerprint("SHA256:abc", "SHA256:abd"));
    }
}

//! The SSH layer against a small fake OLT on loopback: login, host key
//! pinning, paging, questions, timeouts, the pool and the command log.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headend_core::olt::OltVendor;
use headend_olt::ssh::SshSession;
use headend_olt::terminal::Mode;
use headend_olt::{
    Cli, CommandLogEntry, CommandOutcome, NoLog, Olt, OltAuth, OltConfig, OltDriver, OltError, OltSecret, OnuRef,
    PonPort,
};
use russh::keys::{HashAlg, decode_secret_key};
use russh::server::{self, Auth, Msg, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId};
use tokio::net::TcpListener;

const HOST_KEY_1: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACCnAqn6brfF8MbKwXjXOQimmM78d4ctJliUQR6l7qTFnQAAAJC9SJcyvUiX
MgAAAAtzc2gtZWQyNTUxOQAAACCnAqn6brfF8MbKwXjXOQimmM78d4ctJliUQR6l7qTFnQ
AAAEDcEFtK+Q3cxMrFAE6Kkmy52Oe3IJF0YH4rH5UX3lB0m6cCqfput8XwxsrBeNc5CKaY
zvx3hy0mWJRBHqXupMWdAAAAC3Rlc3QtaG9zdC0xAQI=
-----END OPENSSH PRIVATE KEY-----
";
const HOST_KEY_1_FP: &str = "SHA256:DMXI3YeL6dMafCcKBHMjv4HXRq68DnqJhiW7tqz/gEw";

const HOST_KEY_2: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACAxhcnvrGaikvp0+3SBVXzxNMsxo/GnZEaWKvPrnpt0tAAAAJC35l+Ot+Zf
jgAAAAtzc2gtZWQyNTUxOQAAACAxhcnvrGaikvp0+3SBVXzxNMsxo/GnZEaWKvPrnpt0tA
AAAEDZJnmqOXknKEbqOVTF12RlIY43j+V7zeCsA0WE7C2EizGFye+sZqKS+nT7dIFVfPE0
yzGj8adkRpYq8+uem3S0AAAAC3Rlc3QtaG9zdC0yAQI=
-----END OPENSSH PRIVATE KEY-----
";
const HOST_KEY_2_FP: &str = "SHA256:oHXdgp7T0x5iMyFZZSk7RnMbrbvkSP0+v3eFV2DkDik";

const CLIENT_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDYoH6EBDbculhkHF0eiO1Jrqaeub0GaET/K5ZF+i2AUgAAAJAMtAX7DLQF
+wAAAAtzc2gtZWQyNTUxOQAAACDYoH6EBDbculhkHF0eiO1Jrqaeub0GaET/K5ZF+i2AUg
AAAECJXfcj4kCDwt4Nj2L1dozRLWKkecqrOPzheMb5Qej1EtigfoQENty6WGQcXR6I7Umu
pp65vQZoRP8rlkX6LYBSAAAAC3Rlc3QtY2xpZW50AQI=
-----END OPENSSH PRIVATE KEY-----
";

const PASSWORD: &str = "s3cret-pw";

#[derive(Default)]
struct Counters {
    logins: AtomicUsize,
    open: AtomicUsize,
    max_open: AtomicUsize,
    /// Ends every shell open at the time (an OLT logging idle users out).
    logout: tokio::sync::Notify,
}

/// A Huawei-flavoured CLI, enough to exercise the session.
struct FakeOlt {
    counters: Arc<Counters>,
    channel: Option<ChannelId>,
    line: Vec<u8>,
    mode: Vec<String>,
    waiting: Waiting,
    enable_password: bool,
}

enum Waiting {
    Command,
    Password,
    Pager(String),
    Confirm,
}

impl FakeOlt {
    fn prompt(&self) -> String {
        match self.mode.last().map(String::as_str) {
            Some("user") | None => "MA5600T>".into(),
            Some("priv") => "MA5600T#".into(),
            Some(m) => format!("MA5600T({m})#"),
        }
    }

    fn send(&self, session: &mut Session, text: &str) {
        if let Some(ch) = self.channel {
            let _ = session.data(ch, text.replace('\n', "\r\n").into_bytes());
        }
    }

    async fn line(&mut self, line: String, session: &mut Session) {
        match std::mem::replace(&mut self.waiting, Waiting::Command) {
            Waiting::Password => {
                if line == PASSWORD {
                    self.mode.push("priv".into());
                    let p = self.prompt();
                    self.send(session, &format!("\n{p}"));
                } else {
                    let p = self.prompt();
                    self.send(session, &format!("\n% Access denied\n{p}"));
                }
                return;
            }
            Waiting::Confirm => {
                let p = self.prompt();
                self.send(session, &format!("{line}\n{p}"));
                return;
            }
            Waiting::Pager(_) | Waiting::Command => {}
        }
        // Echo, as a device does.
        self.send(session, &format!("{line}\n"));
        let out: String = match line.as_str() {
            "" => String::new(),
            "enable" if self.enable_password => {
                self.waiting = Waiting::Password;
                self.send(session, "Password:");
                return;
            }
            "enable" => {
                self.mode.push("priv".into());
                String::new()
            }
            "undo smart" | "screen-length 0 temporary" => String::new(),
            "scroll" => "  % Unknown command, the error locates at '^'\n".into(),
            "config" => {
                self.mode.push("config".into());
                String::new()
            }
            "interface gpon 0/1" => {
                self.mode.push("config-if-gpon-0/1".into());
                String::new()
            }
            "quit" => {
                self.mode.pop();
                String::new()
            }
            "display ont autofind all" => {
                let text = common::fixture("huawei/autofind_ma5800.txt");
                let (first, rest): (Vec<&str>, Vec<&str>) = {
                    let lines: Vec<&str> = text.lines().collect();
                    (lines[..30].to_vec(), lines[30..].to_vec())
                };
                self.send(session, &format!("{}\n  ---- More ( Press 'Q' to quit ) ----", first.join("\n")));
                self.waiting = Waiting::Pager(rest.join("\n"));
                return;
            }
            "display ont info summary 0/1/0" => {
                tokio::time::sleep(Duration::from_millis(150)).await;
                common::fixture("huawei/ont_summary_offline.txt")
            }
            "display ont optical-info 0 all" => common::fixture("huawei/optical_port.txt"),
            "ont reset 0 5" => {
                self.send(session, "  Are you sure to reset the ONT(s)? (y/n)[n]:");
                self.waiting = Waiting::Confirm;
                return;
            }
            "show gpon onu detail-info gpon-onu_1/1/1:1" => {
                // The first chunk ends right after the `Password:` field;
                // the rest follows a moment later.
                let text = common::fixture("zte/c320_detail_info.txt");
                let at = text.find("Password:").unwrap() + "Password:".len();
                self.send(session, &text[..at]);
                let rest = format!("{}\n{}", &text[at..], self.prompt()).replace('\n', "\r\n");
                let (handle, channel) = (session.handle(), self.channel.unwrap());
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    let _ = handle.data(channel, rest.into_bytes()).await;
                });
                return;
            }
            "hang" | "display ont optical-info 0 7" => return,
            "bye" => {
                if let Some(ch) = self.channel {
                    let _ = session.close(ch);
                }
                return;
            }
            _ => "  % Unknown command, the error locates at '^'\n".into(),
        };
        let p = self.prompt();
        self.send(session, &format!("{out}\n{p}"));
    }
}

impl server::Handler for FakeOlt {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        if user == "admin" && password == PASSWORD { Ok(Auth::Accept) } else { Ok(Auth::reject()) }
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        let allowed = decode_secret_key(CLIENT_KEY, None).unwrap();
        let ok = user == "admin"
            && key.public_key.fingerprint(HashAlg::Sha256) == allowed.public_key().fingerprint(HashAlg::Sha256);
        Ok(if ok { Auth::Accept } else { Auth::reject() })
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channel = Some(channel.id());
        reply.accept().await;
        Ok(())
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        self.channel = Some(channel);
        self.counters.logins.fetch_add(1, Ordering::SeqCst);
        let (counters, handle) = (self.counters.clone(), session.handle());
        tokio::spawn(async move {
            counters.logout.notified().await;
            let _ = handle.data(channel, b"\r\nConnection timed out\r\n".to_vec()).await;
            let _ = handle.close(channel).await;
        });
        let p = self.prompt();
        self.send(
            session,
            &format!(
                "\n  Huawei Integrated Access Software (MA5800).\n  Copyright(C) Huawei Technologies Co., Ltd.\n\n{p}"
            ),
        );
        Ok(())
    }

    async fn data(&mut self, _channel: ChannelId, data: &[u8], session: &mut Session) -> Result<(), Self::Error> {
        for &b in data {
            if let Waiting::Pager(rest) = &self.waiting {
                if b == b' ' {
                    let rest = rest.clone();
                    self.waiting = Waiting::Command;
                    let erase = format!("\x1b[37D{}\x1b[37D", " ".repeat(35));
                    let p = self.prompt();
                    self.send(session, &format!("{erase}{rest}\n{p}"));
                }
                continue;
            }
            match b {
                b'\n' | b'\r' => {
                    let line = String::from_utf8_lossy(&self.line).into_owned();
                    self.line.clear();
                    self.line(line, session).await;
                }
                _ => self.line.push(b),
            }
        }
        Ok(())
    }
}

struct Fake {
    port: u16,
    counters: Arc<Counters>,
}

async fn fake(host_key: &str, enable_password: bool) -> Fake {
    let config = Arc::new(server::Config {
        keys: vec![decode_secret_key(host_key, None).unwrap()],
        auth_rejection_time: Duration::from_millis(5),
        auth_rejection_time_initial: Some(Duration::ZERO),
        ..server::Config::default()
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let counters = Arc::new(Counters::default());
    let c = counters.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = FakeOlt {
                counters: c.clone(),
                channel: None,
                line: Vec::new(),
                mode: vec!["user".into()],
                waiting: Waiting::Command,
                enable_password,
            };
            let config = config.clone();
            let c = c.clone();
            tokio::spawn(async move {
                let now = c.open.fetch_add(1, Ordering::SeqCst) + 1;
                c.max_open.fetch_max(now, Ordering::SeqCst);
                if let Ok(running) = server::run_stream(config, stream, handler).await {
                    let _ = running.await;
                }
                c.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Fake { port, counters }
}

fn config(port: u16) -> OltConfig {
    let mut cfg = OltConfig::new(OltVendor::Huawei, "127.0.0.1", "admin", OltAuth::Password(OltSecret::new(PASSWORD)));
    cfg.port = port;
    cfg.command_timeout = Duration::from_millis(800);
    cfg.connect_timeout = Duration::from_secs(5);
    cfg
}

#[tokio::test]
async fn first_contact_pins_the_host_key_and_reads_autofind_through_a_pager() {
    let f = fake(HOST_KEY_1, false).await;
    let olt = Olt::connect(config(f.port)).await.unwrap();
    assert_eq!(olt.host_key().as_deref(), Some(HOST_KEY_1_FP));
    let found = olt.autofind().await.unwrap();
    assert_eq!(found.len(), 5);
    assert_eq!(found[4].vendor_id, "BDCM");
    olt.close().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(f.counters.open.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_pinned_key_is_accepted() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.known_host_key = Some(HOST_KEY_1_FP.trim_start_matches("SHA256:").into());
    let olt = Olt::connect(cfg).await.unwrap();
    assert_eq!(olt.onus(Some(PonPort::new(0, 1, 0))).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_changed_host_key_is_refused_naming_both() {
    let f = fake(HOST_KEY_2, false).await;
    let mut cfg = config(f.port);
    cfg.known_host_key = Some(HOST_KEY_1_FP.into());
    match Olt::connect(cfg).await {
        Err(OltError::HostKeyChanged { expected, observed }) => {
            assert_eq!(expected, HOST_KEY_1_FP);
            assert_eq!(observed, HOST_KEY_2_FP);
            let msg = OltError::HostKeyChanged { expected, observed }.to_string();
            assert!(msg.contains(HOST_KEY_1_FP) && msg.contains(HOST_KEY_2_FP), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.counters.logins.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_wrong_password_is_auth_failed() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.auth = OltAuth::Password(OltSecret::new("wrong"));
    let err = Olt::connect(cfg).await.unwrap_err();
    assert!(matches!(err, OltError::AuthFailed { ref user } if user == "admin"), "{err}");
    assert!(!err.to_string().contains("wrong"));
}

#[tokio::test]
async fn key_login() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.auth = OltAuth::Key { private_key: OltSecret::new(CLIENT_KEY), passphrase: None };
    let olt = Olt::connect(cfg).await.unwrap();
    assert_eq!(olt.optical_port(PonPort::new(0, 1, 0)).await.unwrap().len(), 10);
}

#[tokio::test]
async fn a_bad_key_is_reported() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.auth = OltAuth::Key { private_key: OltSecret::new("not a key"), passphrase: None };
    assert!(matches!(Olt::connect(cfg).await, Err(OltError::BadKey(_))));
}

#[tokio::test]
async fn nobody_listening_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = Olt::connect(config(port)).await.unwrap_err();
    assert!(matches!(err, OltError::Connect { .. }), "{err}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn enable_password_is_answered_and_never_logged() {
    let f = fake(HOST_KEY_1, true).await;
    let entries: Arc<Mutex<Vec<CommandLogEntry>>> = Arc::default();
    let sink = entries.clone();
    let olt =
        Olt::connect_with_log(config(f.port), move |e: CommandLogEntry| sink.lock().unwrap().push(e)).await.unwrap();
    olt.reboot(OnuRef::new(PonPort::new(0, 1, 0), 5)).await.unwrap();
    let entries = entries.lock().unwrap();
    let commands: Vec<&str> = entries.iter().map(|e| e.command.as_str()).collect();
    assert_eq!(
        commands,
        [
            "enable",
            "undo smart",
            "scroll",
            "screen-length 0 temporary",
            "config",
            "interface gpon 0/1",
            "ont reset 0 5",
            "quit"
        ]
    );
    assert!(entries.iter().all(|e| !e.command.contains(PASSWORD) && !e.reply.contains(PASSWORD)));
    assert!(matches!(entries[2].outcome, CommandOutcome::Refused(_)));
    assert_eq!(entries[6].outcome, CommandOutcome::Ok);
    assert!(entries[6].reply.contains("Are you sure to reset"));
    assert!(entries[0].at <= entries[7].at);
}

#[tokio::test]
async fn a_password_field_in_a_reply_is_not_answered() {
    let f = fake(HOST_KEY_1, false).await;
    let entries: Arc<Mutex<Vec<CommandLogEntry>>> = Arc::default();
    let sink = entries.clone();
    let log = Arc::new(move |e: CommandLogEntry| sink.lock().unwrap().push(e));
    let (mut s, _) = SshSession::open(&config(f.port), None, log).await.unwrap();
    let r = s.run("show gpon onu detail-info gpon-onu_1/1/1:1").await.unwrap();
    assert!(!r.text.contains(PASSWORD), "{}", r.text);
    assert!(r.text.contains("\n  Password:\n  Device ID:"), "{}", r.text);
    assert!(r.text.contains("ONU Distance:        3703m"), "{}", r.text);
    s.run("undo smart").await.unwrap();
    let entries = entries.lock().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| !e.reply.contains(PASSWORD)), "{entries:?}");
}

#[tokio::test]
async fn onu_passwords_in_autofind_are_masked_in_the_log() {
    let f = fake(HOST_KEY_1, false).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let olt = Olt::connect_with_log(config(f.port), tx).await.unwrap();
    assert_eq!(olt.autofind().await.unwrap().len(), 5);
    let mut autofind = None;
    while let Ok(e) = rx.try_recv() {
        if e.command == "display ont autofind all" {
            autofind = Some(e);
        }
    }
    let reply = autofind.unwrap().reply;
    for secret in ["airtek", "61697274656B", "1234567890", "0x0000"] {
        assert!(!reply.contains(secret), "{secret} in {reply}");
    }
    assert!(reply.contains("   Password            : ***\n   Loid                : user"), "{reply}");
}

#[tokio::test]
async fn the_log_goes_to_a_channel() {
    let f = fake(HOST_KEY_1, false).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let olt = Olt::connect_with_log(config(f.port), tx).await.unwrap();
    olt.autofind().await.unwrap();
    let mut last = None;
    while let Ok(e) = rx.try_recv() {
        last = Some(e);
    }
    let last = last.unwrap();
    assert_eq!(last.command, "display ont autofind all");
    assert!(last.reply.contains("HWTC-0B086EA9"));
    assert!(!last.reply.contains("More"));
}

#[tokio::test]
async fn a_silent_command_times_out_and_breaks_the_session() {
    let f = fake(HOST_KEY_1, false).await;
    let cfg = config(f.port);
    let (mut s, fp) = SshSession::open(&cfg, None, Arc::new(NoLog)).await.unwrap();
    assert_eq!(fp, HOST_KEY_1_FP);
    assert_eq!(s.prompt().mode, Mode::User);
    let r = s.run("enable").await.unwrap();
    assert_eq!(r.prompt.mode, Mode::Privileged);
    match s.run("hang").await {
        Err(OltError::Timeout { command, after }) => {
            assert_eq!(command, "hang");
            assert_eq!(after, Duration::from_millis(800));
        }
        other => panic!("{other:?}"),
    }
    assert!(!s.reusable(&Mode::Privileged));
    assert!(matches!(s.run("enable").await, Err(OltError::Closed(_))));
}

#[tokio::test]
async fn the_olt_closing_the_shell_is_closed() {
    let f = fake(HOST_KEY_1, false).await;
    let (mut s, _) = SshSession::open(&config(f.port), None, Arc::new(NoLog)).await.unwrap();
    assert!(matches!(s.run("bye").await, Err(OltError::Closed(_))));
}

#[tokio::test]
async fn unknown_commands_are_refused_not_failed() {
    let f = fake(HOST_KEY_1, false).await;
    let (mut s, _) = SshSession::open(&config(f.port), None, Arc::new(NoLog)).await.unwrap();
    let r = s.run("frobnicate").await.unwrap();
    assert_eq!(headend_olt::refusal(&r.text).as_deref(), Some("Unknown command, the error locates at '^'"));
    assert!(s.reusable(&Mode::User));
    assert!(matches!(s.run("two\nlines").await, Err(OltError::InvalidRequest(_))));
}

#[tokio::test]
async fn at_most_two_sessions_reused_across_concurrent_callers() {
    let f = fake(HOST_KEY_1, false).await;
    let olt = Olt::connect(config(f.port)).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let olt = olt.clone();
        tasks.push(tokio::spawn(async move { olt.onus(Some(PonPort::new(0, 1, 0))).await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().len(), 2);
    }
    assert_eq!(f.counters.max_open.load(Ordering::SeqCst), 2);
    assert_eq!(f.counters.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_command_keeps_the_session() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.max_sessions = 1;
    let olt = Olt::connect(cfg).await.unwrap();
    // An ONT the fake does not know: the OLT refuses inside the interface,
    // the flow quits back, the session stays.
    let err = olt.optical(OnuRef::new(PonPort::new(0, 1, 0), 3)).await.unwrap_err();
    assert!(matches!(err, OltError::Refused { .. }), "{err}");
    assert_eq!(olt.optical_port(PonPort::new(0, 1, 0)).await.unwrap().len(), 10);
    assert_eq!(f.counters.logins.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_session_that_timed_out_is_replaced() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.max_sessions = 1;
    let olt = Olt::connect(cfg).await.unwrap();
    let err = olt.optical(OnuRef::new(PonPort::new(0, 1, 0), 7)).await.unwrap_err();
    assert!(matches!(err, OltError::Timeout { .. }), "{err}");
    assert!(err.is_transient());
    assert_eq!(olt.optical_port(PonPort::new(0, 1, 0)).await.unwrap().len(), 10);
    assert_eq!(f.counters.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_read_on_a_session_that_died_idle_is_retried_once() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.max_sessions = 1;
    let olt = Olt::connect(cfg).await.unwrap();
    f.counters.logout.notify_waiters();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(olt.optical_port(PonPort::new(0, 1, 0)).await.unwrap().len(), 10);
    assert_eq!(f.counters.logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_write_on_a_session_that_died_idle_is_not_repeated() {
    let f = fake(HOST_KEY_1, false).await;
    let mut cfg = config(f.port);
    cfg.max_sessions = 1;
    let olt = Olt::connect(cfg).await.unwrap();
    f.counters.logout.notify_waiters();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let err = olt.reboot(OnuRef::new(PonPort::new(0, 1, 0), 5)).await.unwrap_err();
    assert!(matches!(err, OltError::Closed(_)), "{err}");
    olt.reboot(OnuRef::new(PonPort::new(0, 1, 0), 5)).await.unwrap();
}

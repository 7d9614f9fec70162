//! Real servers for the RADIUS-mode tests: PostgreSQL, MariaDB and
//! FreeRADIUS 3, run from the system's installed binaries.
//!
//! - [`PostgresServer`]: a fresh cluster with a `headend` login role and a
//!   `radius` database.
//! - [`MariaDbServer`]: a fresh data directory with a `headend` user and a
//!   `radius` database.
//! - [`FreeRadiusServer`]: a minimal configuration (PAP and the SQL module,
//!   with the queries of the installed package) against either database.
//!
//! Each runs in its own temporary directory with its own configuration,
//! listens on 127.0.0.1 only, on ports the system picks, and is stopped
//! (its directory removed) when dropped: never the system's own services,
//! which stay as they are, running or not.
//!
//! PostgreSQL refuses to run as root, so under root it runs as the
//! `postgres` system user (or `nobody`) through `setpriv`; MariaDB is told
//! `--user=root`; FreeRADIUS never switches users. Otherwise all run as the
//! caller.

mod freeradius;
mod mariadb;
mod postgres;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

pub use freeradius::{FileUser, FreeRadiusConfig, FreeRadiusServer, SqlBackend, UserStore};
pub use mariadb::MariaDbServer;
pub use postgres::PostgresServer;

/// Starting, setting up or stopping one of the servers went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A program or file the server needs is not installed.
    #[error("{program} is not installed: apt-get install {package}")]
    Missing {
        /// The program, module or file looked for.
        program: String,
        /// The Debian packages that provide it.
        package: &'static str,
    },
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A setup command (`initdb`, `psql`, `mariadb`, ...) failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    Command {
        /// The program and what it was doing.
        command: String,
        /// How it exited.
        status: String,
        /// The end of its standard output and error.
        output: String,
    },
    /// The server exited before it was ready.
    #[error("{server} exited while starting ({status}); its log ends:\n{log_tail}")]
    Exited {
        /// Which server.
        server: &'static str,
        /// How it exited.
        status: String,
        /// The end of its log.
        log_tail: String,
    },
    /// The server was still not ready when the start-up time ran out.
    #[error("{server} was not ready after {}s; its log ends:\n{log_tail}", after.as_secs())]
    Timeout {
        /// Which server.
        server: &'static str,
        /// How long it was given.
        after: Duration,
        /// The end of its log.
        log_tail: String,
    },
    /// Running as root, with no unprivileged user to run PostgreSQL as.
    #[error("running as root, but neither the `postgres` nor the `nobody` user exists to run PostgreSQL as")]
    NoUnprivilegedUser,
    /// A value the FreeRADIUS configuration cannot carry (a backslash or a
    /// control character in it); the value itself is not repeated.
    #[error("{what} contains a backslash or a control character, which the FreeRADIUS configuration cannot carry")]
    Unquotable {
        /// Which value.
        what: &'static str,
    },
    /// A database name that would need quoting.
    #[error("`{0}` is not a database name here: lower-case ASCII letters, digits and `_`, a letter first, at most 63")]
    InvalidName(String),
}

impl ServerError {
    fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        ServerError::Io { what: what.into(), source }
    }
}

/// Generous: a cold start on a busy 2-core machine (a build running beside
/// the tests) takes seconds, not the usual fraction of one.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A port picked free may be taken by someone else before the server binds
/// it; then the server exits and is started again on another.
const PORT_ATTEMPTS: usize = 3;

/// How many lines of a log go into an error.
const TAIL_LINES: usize = 40;

/// True when running as root: PostgreSQL must then be run as another user,
/// and MariaDB be told it may run as root.
fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Finds `name` on `PATH` or in the `sbin` directories, which a non-login
/// root shell may not have on its `PATH` but where Debian puts the daemons.
fn find_program(name: &str, package: &'static str) -> Result<PathBuf, ServerError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| ServerError::Missing { program: name.to_owned(), package })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A fresh temporary directory named after the server.
fn temp_dir(server: &str) -> Result<tempfile::TempDir, ServerError> {
    tempfile::Builder::new()
        .prefix(&format!("headend-{server}-"))
        .tempdir()
        .map_err(|e| ServerError::io("creating a temporary directory", e))
}

/// A TCP port free on 127.0.0.1 right now.
fn free_tcp_port() -> Result<u16, ServerError> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| ServerError::io("picking a free TCP port on 127.0.0.1", e))
}

/// Two different UDP ports free on 127.0.0.1 right now (both are held
/// while the second is picked).
fn free_udp_ports() -> Result<(u16, u16), ServerError> {
    let bind = || {
        std::net::UdpSocket::bind(("127.0.0.1", 0))
            .and_then(|s| Ok((s.local_addr()?.port(), s)))
            .map_err(|e| ServerError::io("picking a free UDP port on 127.0.0.1", e))
    };
    let (first, _held) = bind()?;
    let (second, _) = bind()?;
    Ok((first, second))
}

/// 24 letters and digits from the OS's generator: nothing to escape in
/// SQL or in a configuration file.
fn random_password() -> Result<String, ServerError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::io("generating a password", std::io::Error::other(e)))?;
    Ok(bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect())
}

/// Names that need no quoting or escaping in SQL or in a URL.
fn check_database_name(name: &str) -> Result<(), ServerError> {
    let ok = name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok { Ok(()) } else { Err(ServerError::InvalidName(name.to_owned())) }
}

/// The last lines of a log file (empty when it cannot be read).
fn log_tail(path: &Path) -> String {
    let text = std::fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    tail(&text)
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

/// Runs a setup command to its end, feeding it `stdin`, and returns its
/// standard output. `secret` is blanked out of the error, which may echo
/// the statement that failed.
async fn run(command: &mut Command, what: &str, stdin: &str, secret: Option<&str>) -> Result<String, ServerError> {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let mut child = command.spawn().map_err(|e| ServerError::io(format!("starting {what}"), e))?;
    let input = child.stdin.take();
    // Fed while its output is read: a big script and a big answer would
    // otherwise each wait for the other's pipe to drain.
    let feed = async move {
        match input {
            // Dropped at the end: end of input.
            Some(mut input) => input.write_all(stdin.as_bytes()).await,
            None => Ok(()),
        }
    };
    let (fed, out) = tokio::join!(feed, child.wait_with_output());
    let out = out.map_err(|e| ServerError::io(format!("running {what}"), e))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        // Before `fed`: a program that failed early also broke the pipe.
        let mut output = tail(&format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
        if let Some(secret) = secret {
            output = output.replace(secret, "********");
        }
        return Err(ServerError::Command { command: what.to_owned(), status: out.status.to_string(), output });
    }
    fed.map_err(|e| ServerError::io(format!("writing to {what}"), e))?;
    Ok(stdout)
}

/// How long a server may take to stop cleanly before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A server process: its standard output and error go to `log`; dropping
/// it sends `stop` (the server's clean, fast shutdown), waits up to
/// [`STOP_GRACE`] and then kills it.
struct Process {
    child: Child,
    server: &'static str,
    log: PathBuf,
    stop: Signal,
}

/// Why a start attempt failed.
enum StartFailure {
    /// The port was taken between picking it and binding it: try another.
    PortTaken,
    Error(ServerError),
}

impl From<ServerError> for StartFailure {
    fn from(e: ServerError) -> Self {
        StartFailure::Error(e)
    }
}

impl Process {
    fn spawn(command: &mut Command, server: &'static str, log: PathBuf, stop: Signal) -> Result<Self, ServerError> {
        let file = File::create(&log).map_err(|e| ServerError::io(format!("creating {}", log.display()), e))?;
        let err = file.try_clone().map_err(|e| ServerError::io(format!("opening {}", log.display()), e))?;
        // English messages: `PortTaken` is recognised by its text.
        command.env("LC_ALL", "C").stdin(Stdio::null()).stdout(file).stderr(err).kill_on_drop(true);
        let child = command.spawn().map_err(|e| ServerError::io(format!("starting {server}"), e))?;
        Ok(Process { child, server, log, stop })
    }

    fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Polls `ready` until it holds, the process exits or time runs out.
    async fn wait_ready(&mut self, mut ready: impl AsyncFnMut() -> bool) -> Result<(), StartFailure> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ready().await {
                return Ok(());
            }
            if let Some(status) = self.exit_status() {
                let log_tail = log_tail(&self.log);
                if log_tail.contains("Address already in use") {
                    tracing::debug!(server = self.server, "port taken meanwhile; starting again on another");
                    return Err(StartFailure::PortTaken);
                }
                return Err(ServerError::Exited { server: self.server, status: status.to_string(), log_tail }.into());
            }
            if Instant::now() >= deadline {
                let log_tail = log_tail(&self.log);
                return Err(ServerError::Timeout { server: self.server, after: START_TIMEOUT, log_tail }.into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (blocking: called from `drop`) up to `limit` for the exit.
    fn exited_within(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if self.exit_status().is_some() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.exit_status().is_some() {
            return;
        }
        let pid = self.child.id().and_then(|id| i32::try_from(id).ok()).and_then(Pid::from_raw);
        if let Some(pid) = pid
            && kill_process(pid, self.stop).is_ok()
            && self.exited_within(STOP_GRACE)
        {
            return;
        }
        tracing::warn!(server = self.server, "did not stop in time; killing it");
        let _ = self.child.start_kill();
        // Before the directory it writes into is removed.
        self.exited_within(Duration::from_secs(2));
    }
}

/// Starts a server, picking its ports again when one was taken meanwhile.
async fn start_with_retries<T>(mut attempt: impl AsyncFnMut() -> Result<T, StartFailure>) -> Result<T, ServerError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(server) => return Ok(server),
            Err(StartFailure::PortTaken) if tries < PORT_ATTEMPTS => continue,
            Err(StartFailure::PortTaken) => {
                return Err(ServerError::io(
                    "starting a server",
                    std::io::Error::new(std::io::ErrorKind::AddrInUse, "every port tried was taken"),
                ));
            }
            Err(StartFailure::Error(e)) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_names_its_package() {
        let err = find_program("headend-no-such-daemon", "freeradius freeradius-postgresql").unwrap_err();
        assert_eq!(
            err.to_string(),
            "headend-no-such-daemon is not installed: apt-get install freeradius freeradius-postgresql"
        );
    }

    #[test]
    fn database_names_need_no_quoting() {
        for good in ["radius", "case_1", "a"] {
            assert!(check_database_name(good).is_ok(), "{good}");
        }
        for bad in ["", "1st", "Radius", "a-b", "a;drop", &"a".repeat(64)] {
            assert!(matches!(check_database_name(bad), Err(ServerError::InvalidName(_))), "{bad}");
        }
    }

    #[test]
    fn passwords_are_fresh_letters_and_digits() {
        let (a, b) = (random_password().unwrap(), random_password().unwrap());
        assert_ne!(a, b);
        assert!(a.len() == 24 && a.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}

//! A throwaway PostgreSQL cluster.

use std::path::{Path, PathBuf};

use rustix::process::Signal;
use tempfile::TempDir;
use tokio::process::Command;

use super::{
    Process, ServerError, SqlBackend, check_database_name, find_program, free_tcp_port, is_root, random_password, run,
    start_with_retries, temp_dir,
};

/// The bootstrap superuser, reached only over the Unix socket in the
/// temporary directory, without a password.
const SUPERUSER: &str = "postgres";
/// The login role the tests and FreeRADIUS use, over TCP with a password.
const USER: &str = "headend";
const DATABASE: &str = "radius";

/// A PostgreSQL server of its own: initdb into a temporary directory,
/// listening on 127.0.0.1 only (and a Unix socket in that directory), with
/// a login role `headend` owning a database `radius`. Dropping it shuts the
/// server down and removes the directory.
pub struct PostgresServer {
    // Declared before `dir`: the server stops before its directory goes.
    _process: Process,
    dir: TempDir,
    data: PathBuf,
    bin: PathBuf,
    port: u16,
    password: String,
}

/// The system user the cluster runs as when we are root: PostgreSQL
/// refuses to run as root.
struct RunAs {
    setpriv: PathBuf,
    name: String,
    uid: u32,
    gid: u32,
}

impl PostgresServer {
    /// Creates and starts a cluster with the newest installed PostgreSQL.
    pub async fn start() -> Result<Self, ServerError> {
        let bin = bin_dir()?;
        let run_as = if is_root() { Some(unprivileged_user().await?) } else { None };
        let dir = temp_dir("postgres")?;
        if let Some(user) = &run_as {
            std::os::unix::fs::chown(dir.path(), Some(user.uid), Some(user.gid))
                .map_err(|e| ServerError::io(format!("handing {} to {}", dir.path().display(), user.name), e))?;
        }
        let data = dir.path().join("data");
        let mut initdb = command(&bin.join("initdb"), run_as.as_ref(), dir.path());
        initdb.arg("-D").arg(&data).args([
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(&mut initdb, "initdb", "", None).await?;

        let pg_isready = bin.join("pg_isready");
        let (process, port) = start_with_retries(async || {
            let port = free_tcp_port()?;
            let mut postgres = command(&bin.join("postgres"), run_as.as_ref(), dir.path());
            postgres.arg("-D").arg(&data).arg("-p").arg(port.to_string()).arg("-k").arg(dir.path());
            // Durability is pointless in a directory removed after the test.
            for setting in ["listen_addresses=127.0.0.1", "fsync=off", "full_page_writes=off", "synchronous_commit=off"]
            {
                postgres.args(["-c", setting]);
            }
            // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for
            // clients to leave).
            let log = dir.path().join("postgres.log");
            let mut process = Process::spawn(&mut postgres, "postgres", log, Signal::INT)?;
            process.wait_ready(async || accepts_connections(&pg_isready, dir.path(), port).await).await?;
            Ok((process, port))
        })
        .await?;

        let password = random_password()?;
        let server = PostgresServer { _process: process, dir, data, bin, port, password };
        let setup = format!(
            "CREATE ROLE {USER} LOGIN PASSWORD '{}';\nCREATE DATABASE {DATABASE} OWNER {USER};\n",
            server.password
        );
        server.superuser(&setup).await?;
        tracing::debug!(port, dir = %server.dir.path().display(), "postgres ready");
        Ok(server)
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://headend@127.0.0.1:PORT/radius`; the password is
    /// [`password`](Self::password).
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// The `headend` role's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Creates an empty database owned by `headend` (for one test) and
    /// returns its URL.
    pub async fn create_database(&self, name: &str) -> Result<String, ServerError> {
        check_database_name(name)?;
        self.superuser(&format!("CREATE DATABASE {name} OWNER {USER};\n")).await?;
        Ok(self.url_of(name))
    }

    /// Runs `sql` in `database` as `headend` over TCP with `psql`, stopping
    /// at the first error, and returns what it printed: one line a row,
    /// columns separated by `|`.
    pub async fn execute(&self, database: &str, sql: &str) -> Result<String, ServerError> {
        let mut psql = self.psql();
        psql.args(["-h", "127.0.0.1", "-U", USER, "-d", database]).env("PGPASSWORD", &self.password);
        run(&mut psql, "psql", sql, Some(&self.password)).await
    }

    /// How FreeRADIUS reaches `database` as `headend`.
    pub fn sql_backend(&self, database: &str) -> SqlBackend {
        SqlBackend::Postgres {
            host: "127.0.0.1".to_owned(),
            port: self.port,
            database: database.to_owned(),
            user: USER.to_owned(),
            password: self.password.clone(),
        }
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    async fn superuser(&self, sql: &str) -> Result<String, ServerError> {
        let mut psql = self.psql();
        psql.arg("-h").arg(self.dir.path()).args(["-U", SUPERUSER, "-d", "postgres"]);
        run(&mut psql, "psql", sql, Some(&self.password)).await
    }

    /// psql without the caller's `.psqlrc`, quiet, rows unaligned.
    fn psql(&self) -> Command {
        let mut psql = Command::new(self.bin.join("psql"));
        psql.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-p"]).arg(self.port.to_string());
        psql
    }
}

/// The `bin` directory of the newest PostgreSQL under /usr/lib/postgresql
/// (Debian's layout, which allows several versions side by side).
fn bin_dir() -> Result<PathBuf, ServerError> {
    let versions = std::fs::read_dir("/usr/lib/postgresql").into_iter().flatten().flatten();
    versions
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse::<u32>().ok()?, entry.path().join("bin"))))
        .filter(|(_, bin)| bin.join("postgres").is_file() && bin.join("initdb").is_file())
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin)
        .ok_or_else(|| ServerError::Missing {
            program: "postgres (/usr/lib/postgresql/*/bin)".to_owned(),
            package: "postgresql",
        })
}

/// `postgres`, or `nobody` where the PostgreSQL package did not create it.
async fn unprivileged_user() -> Result<RunAs, ServerError> {
    let setpriv = find_program("setpriv", "util-linux")?;
    let getent = find_program("getent", "libc-bin")?;
    for name in ["postgres", "nobody"] {
        let Ok(out) = Command::new(&getent).args(["passwd", name]).output().await else { continue };
        // name:password:uid:gid:...
        let line = String::from_utf8_lossy(&out.stdout);
        let mut fields = line.trim().split(':').skip(2);
        let (Some(Ok(uid)), Some(Ok(gid))) = (fields.next().map(str::parse), fields.next().map(str::parse)) else {
            continue;
        };
        return Ok(RunAs { setpriv, name: name.to_owned(), uid, gid });
    }
    Err(ServerError::NoUnprivilegedUser)
}

/// `program` as `run_as` (through `setpriv`, which execs it: the process
/// id stays the server's, for the stop signal), in `dir`: the caller's
/// directory may be closed to that user.
fn command(program: &Path, run_as: Option<&RunAs>, dir: &Path) -> Command {
    let mut command = match run_as {
        Some(user) => {
            let mut setpriv = Command::new(&user.setpriv);
            setpriv.arg(format!("--reuid={}", user.uid)).arg(format!("--regid={}", user.gid));
            setpriv.arg("--init-groups").arg(program);
            setpriv
        }
        None => Command::new(program),
    };
    command.current_dir(dir);
    command
}

async fn accepts_connections(pg_isready: &Path, socket_dir: &Path, port: u16) -> bool {
    let mut check = Command::new(pg_isready);
    check.arg("-q").arg("-h").arg(socket_dir).arg("-p").arg(port.to_string()).args(["-U", SUPERUSER]);
    check.kill_on_drop(true).status().await.is_ok_and(|s| s.success())
}

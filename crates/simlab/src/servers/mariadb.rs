//! A throwaway MariaDB server.

use std::path::{Path, PathBuf};

use rustix::process::Signal;
use tempfile::TempDir;
use tokio::process::Command;

use super::{
    Process, ServerError, SqlBackend, check_database_name, find_program, free_tcp_port, is_root, random_password, run,
    start_with_retries, temp_dir,
};

/// The user the tests and FreeRADIUS use, over TCP with a password.
const USER: &str = "headend";
const DATABASE: &str = "radius";

/// A MariaDB server of its own: a data directory made by
/// `mariadb-install-db` in a temporary directory, listening on 127.0.0.1
/// only (and a Unix socket in that directory), with a user `headend` that
/// may do anything in a database `radius`. Dropping it shuts the server
/// down and removes the directory.
pub struct MariaDbServer {
    // Declared before `dir`: the server stops before its directory goes.
    _process: Process,
    dir: TempDir,
    data: PathBuf,
    client: PathBuf,
    port: u16,
    password: String,
}

impl MariaDbServer {
    /// Creates and starts a server with the installed MariaDB.
    pub async fn start() -> Result<Self, ServerError> {
        let mariadbd = find_program("mariadbd", "mariadb-server")?;
        let install_db = find_program("mariadb-install-db", "mariadb-server")?;
        let client = find_program("mariadb", "mariadb-client")?;
        let dir = temp_dir("mariadb")?;
        let data = dir.path().join("data");
        let socket = dir.path().join("sock");
        // mariadbd refuses root unless told it is meant; it never needs to
        // switch users here, as the files are the caller's.
        let as_root: &[&str] = if is_root() { &["--user=root"] } else { &[] };

        let mut install = Command::new(&install_db);
        install.arg("--no-defaults").arg(format!("--datadir={}", data.display()));
        // root@localhost with an empty password, reached over the socket.
        install.args(["--auth-root-authentication-method=normal", "--skip-test-db"]).args(as_root);
        install.current_dir(dir.path());
        run(&mut install, "mariadb-install-db", "", None).await?;

        let (process, port) = start_with_retries(async || {
            let port = free_tcp_port()?;
            let mut server = Command::new(&mariadbd);
            server.arg("--no-defaults").arg(format!("--datadir={}", data.display()));
            server.arg(format!("--socket={}", socket.display())).arg(format!("--port={port}"));
            server.arg(format!("--pid-file={}", dir.path().join("mariadbd.pid").display()));
            server.args(["--bind-address=127.0.0.1", "--skip-name-resolve"]).args(as_root);
            // Small and careless: a database thrown away after the test.
            server.args(["--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0"]);
            server.current_dir(dir.path());
            // Without --log-error the server logs to standard error: our log.
            let log = dir.path().join("mariadbd.log");
            let mut process = Process::spawn(&mut server, "mariadbd", log, Signal::TERM)?;
            process.wait_ready(async || answers(&client, &socket).await).await?;
            Ok((process, port))
        })
        .await?;

        let password = random_password()?;
        let server = MariaDbServer { _process: process, dir, data, client, port, password };
        let mut setup = String::new();
        for host in ["127.0.0.1", "localhost"] {
            setup.push_str(&format!("CREATE USER '{USER}'@'{host}' IDENTIFIED BY '{}';\n", server.password));
        }
        setup.push_str(&server.database_sql(DATABASE));
        server.root(&setup).await?;
        tracing::debug!(port, dir = %server.dir.path().display(), "mariadb ready");
        Ok(server)
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `mysql://headend@127.0.0.1:PORT/radius`; the password is
    /// [`password`](Self::password).
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// The `headend` user's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Creates an empty database `headend` may do anything in (for one
    /// test) and returns its URL.
    pub async fn create_database(&self, name: &str) -> Result<String, ServerError> {
        check_database_name(name)?;
        self.root(&self.database_sql(name)).await?;
        Ok(self.url_of(name))
    }

    /// Runs `sql` in `database` as `headend` over TCP with the `mariadb`
    /// client, stopping at the first error, and returns what it printed:
    /// one line a row, columns separated by tabs.
    pub async fn execute(&self, database: &str, sql: &str) -> Result<String, ServerError> {
        let mut client = self.client(&["-h", "127.0.0.1", "-u", USER, "-D", database]);
        // The environment, not the command line other users can read.
        client.arg(format!("--port={}", self.port)).env("MYSQL_PWD", &self.password);
        run(&mut client, "mariadb", sql, Some(&self.password)).await
    }

    /// How FreeRADIUS reaches `database` as `headend`.
    pub fn sql_backend(&self, database: &str) -> SqlBackend {
        SqlBackend::Mysql {
            host: "127.0.0.1".to_owned(),
            port: self.port,
            database: database.to_owned(),
            user: USER.to_owned(),
            password: self.password.clone(),
        }
    }

    fn url_of(&self, database: &str) -> String {
        format!("mysql://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    fn database_sql(&self, name: &str) -> String {
        let mut sql = format!("CREATE DATABASE {name};\n");
        for host in ["127.0.0.1", "localhost"] {
            sql.push_str(&format!("GRANT ALL ON {name}.* TO '{USER}'@'{host}';\n"));
        }
        sql
    }

    async fn root(&self, sql: &str) -> Result<String, ServerError> {
        let socket = self.dir.path().join("sock");
        let mut client = self.client(&["-u", "root"]);
        client.arg(format!("--socket={}", socket.display()));
        run(&mut client, "mariadb", sql, Some(&self.password)).await
    }

    /// The client without the caller's option files, in batch mode, rows
    /// without headers.
    fn client(&self, args: &[&str]) -> Command {
        let mut client = Command::new(&self.client);
        client.args(["--no-defaults", "--batch", "--skip-column-names"]).args(args);
        client
    }
}

async fn answers(client: &Path, socket: &Path) -> bool {
    let mut ping = Command::new(client);
    ping.args(["--no-defaults", "-u", "root"]).arg(format!("--socket={}", socket.display())).args(["-e", "SELECT 1"]);
    ping.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).kill_on_drop(true);
    ping.status().await.is_ok_and(|s| s.success())
}

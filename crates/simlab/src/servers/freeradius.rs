//! A throwaway FreeRADIUS 3 server reading its users from SQL (the
//! tests'), or from a users file (the demo network's RADIUS router, which
//! needs no database server).
//!
//! The configuration is written here, minimal; the dictionaries and the
//! SQL queries are the installed package's, referenced at run time (they
//! are FreeRADIUS's, not ours to copy).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use rustix::process::Signal;
use tempfile::TempDir;
use tokio::process::Command;

use super::{Process, ServerError, find_program, free_udp_ports, log_tail, start_with_retries, temp_dir};

/// Where Debian's packages put the modules, dictionaries and queries.
const LIBDIR: &str = "/usr/lib/freeradius";
const DICTIONARY: &str = "/usr/share/freeradius/dictionary";
const QUERIES: &str = "/etc/freeradius/3.0/mods-config/sql/main";

/// What FreeRADIUS prints once it listens.
const READY: &str = "Ready to process requests";

/// The database FreeRADIUS's SQL module reads users from and writes
/// accounting to, with FreeRADIUS's own schema.
#[derive(Clone)]
pub enum SqlBackend {
    /// PostgreSQL (`rlm_sql_postgresql`, the `postgresql` dialect).
    Postgres {
        /// The server's address.
        host: String,
        /// The server's TCP port.
        port: u16,
        /// The database holding `radcheck`, `radacct` and the rest.
        database: String,
        /// The login role.
        user: String,
        /// Its password.
        password: String,
    },
    /// MySQL or MariaDB (`rlm_sql_mysql`, the `mysql` dialect).
    Mysql {
        /// The server's address (an IP address: `localhost` would make the
        /// driver use its default Unix socket).
        host: String,
        /// The server's TCP port.
        port: u16,
        /// The database holding `radcheck`, `radacct` and the rest.
        database: String,
        /// The user.
        user: String,
        /// Its password.
        password: String,
    },
}

/// The parts of a [`SqlBackend`] the configuration needs.
struct SqlParts<'a> {
    driver: &'static str,
    dialect: &'static str,
    /// The driver's package, and the server's with it.
    package: &'static str,
    packages: &'static str,
    host: &'a str,
    port: u16,
    database: &'a str,
    user: &'a str,
    password: &'a str,
}

impl SqlBackend {
    fn parts(&self) -> SqlParts<'_> {
        match self {
            SqlBackend::Postgres { host, port, database, user, password } => SqlParts {
                driver: "rlm_sql_postgresql",
                dialect: "postgresql",
                package: "freeradius-postgresql",
                packages: "freeradius freeradius-postgresql",
                host,
                port: *port,
                database,
                user,
                password,
            },
            SqlBackend::Mysql { host, port, database, user, password } => SqlParts {
                driver: "rlm_sql_mysql",
                dialect: "mysql",
                package: "freeradius-mysql",
                packages: "freeradius freeradius-mysql",
                host,
                port: *port,
                database,
                user,
                password,
            },
        }
    }
}

/// Without the password.
impl fmt::Debug for SqlBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = self.parts();
        f.debug_struct(parts.dialect)
            .field("host", &parts.host)
            .field("port", &parts.port)
            .field("database", &parts.database)
            .field("user", &parts.user)
            .finish_non_exhaustive()
    }
}

/// A user of [`UserStore::Files`]: PAP with this password, granted this
/// rate. `Debug` hides the password.
#[derive(Clone)]
pub struct FileUser {
    /// The PPPoE user name.
    pub name: String,
    /// Its password, in clear (PAP).
    pub password: String,
    /// `Mikrotik-Rate-Limit`.
    pub rate_limit: String,
}

impl fmt::Debug for FileUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUser")
            .field("name", &self.name)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

/// Where a [`FreeRadiusServer`]'s users come from.
#[derive(Clone, Debug)]
pub enum UserStore {
    /// FreeRADIUS's SQL tables: users, groups, and accounting written back.
    Sql(SqlBackend),
    /// A users file written at start; accounting is answered, not kept.
    Files(Vec<FileUser>),
}

/// What a [`FreeRadiusServer`] serves.
#[derive(Clone)]
pub struct FreeRadiusConfig {
    /// Where the users (and, in SQL, groups and accounting) live.
    pub users: UserStore,
    /// The NAS allowed to send requests: an address or a network, and its
    /// shared secret.
    pub clients: Vec<(IpNet, String)>,
}

/// Without the secrets.
impl fmt::Debug for FreeRadiusConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clients: Vec<&IpNet> = self.clients.iter().map(|(net, _)| net).collect();
        f.debug_struct("FreeRadiusConfig").field("users", &self.users).field("clients", &clients).finish()
    }
}

/// A FreeRADIUS server of its own, in the foreground, authenticating with
/// PAP against the SQL tables and writing accounting to them, listening on
/// 127.0.0.1 only (authentication and accounting ports the system picks)
/// and answering Status-Server. Dropping it stops it and removes its
/// directory.
pub struct FreeRadiusServer {
    // Declared before `dir`: the server stops before its directory goes.
    _process: Process,
    dir: TempDir,
    auth: SocketAddr,
    acct: SocketAddr,
    log: PathBuf,
}

impl FreeRadiusServer {
    /// Writes the configuration and starts FreeRADIUS, returning once it is
    /// ready to process requests.
    pub async fn start(config: FreeRadiusConfig) -> Result<Self, ServerError> {
        let freeradius = match &config.users {
            UserStore::Sql(backend) => {
                let sql = backend.parts();
                let freeradius = find_program("freeradius", sql.packages)?;
                require_file(&Path::new(LIBDIR).join(format!("{}.so", sql.driver)), sql.package)?;
                require_file(&Path::new(QUERIES).join(sql.dialect).join("queries.conf"), "freeradius-config")?;
                freeradius
            }
            UserStore::Files(_) => Self::program()?,
        };
        require_file(Path::new(DICTIONARY), "freeradius-common")?;

        let dir = temp_dir("freeradius")?;
        let raddb = dir.path().join("raddb");
        let dictdir = dir.path().join("dictionary");
        for sub in [&raddb, &dictdir, &dir.path().join("run")] {
            std::fs::create_dir(sub).map_err(|e| ServerError::io(format!("creating {}", sub.display()), e))?;
        }
        // The installed dictionaries (MikroTik's among them), by reference.
        write(&dictdir.join("dictionary"), &format!("$INCLUDE {DICTIONARY}\n"))?;
        if let UserStore::Files(users) = &config.users {
            write(&raddb.join("users"), &users_file(users)?)?;
        }
        let log = dir.path().join("radiusd.log");

        let (process, auth, acct) = start_with_retries(async || {
            let (auth, acct) = free_udp_ports()?;
            write(&raddb.join("radiusd.conf"), &radiusd_conf(&config, dir.path(), auth, acct)?)?;
            let mut server = Command::new(&freeradius);
            server.args(["-f", "-n", "radiusd", "-l", "stdout", "-d"]).arg(&raddb).current_dir(dir.path());
            let mut process = Process::spawn(&mut server, "freeradius", log.clone(), Signal::TERM)?;
            process.wait_ready(async || log_tail(&log).contains(READY)).await?;
            Ok((process, auth, acct))
        })
        .await?;

        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let server = FreeRadiusServer {
            _process: process,
            dir,
            auth: SocketAddr::new(loopback, auth),
            acct: SocketAddr::new(loopback, acct),
            log,
        };
        tracing::debug!(auth = %server.auth, acct = %server.acct, dir = %server.dir.path().display(), "freeradius ready");
        Ok(server)
    }

    /// The installed `freeradius` program: whether a server can start at
    /// all (the demo network asks before offering a RADIUS router).
    pub fn program() -> Result<PathBuf, ServerError> {
        find_program("freeradius", "freeradius")
    }

    /// Where Access-Request and Status-Server go.
    pub fn auth_addr(&self) -> SocketAddr {
        self.auth
    }

    /// Where Accounting-Request goes.
    pub fn acct_addr(&self) -> SocketAddr {
        self.acct
    }

    /// The last lines FreeRADIUS logged, for a failing test's message.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }
}

/// Fails unless the installed file at `path` can be read: Debian keeps
/// /etc/freeradius to root and the `freerad` group.
fn require_file(path: &Path, package: &'static str) -> Result<(), ServerError> {
    match std::fs::File::open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(ServerError::io(
            format!("reading {} (readable by root and the freerad group: usermod -aG freerad $USER)", path.display()),
            e,
        )),
        Err(_) => Err(ServerError::Missing { program: path.display().to_string(), package }),
    }
}

fn write(path: &Path, text: &str) -> Result<(), ServerError> {
    std::fs::write(path, text).map_err(|e| ServerError::io(format!("writing {}", path.display()), e))
}

/// A single-quoted configuration string: no `${...}` expansion, `\'` is a
/// quote and every other character is itself. A backslash is refused:
/// before a quote it would be read as an escape, and no escape gives it
/// back; control characters would end the line.
fn quoted(what: &'static str, value: &str) -> Result<String, ServerError> {
    if value.contains(|c: char| c == '\\' || c.is_control()) {
        return Err(ServerError::Unquotable { what });
    }
    Ok(format!("'{}'", value.replace('\'', "\\'")))
}

/// The whole configuration: no user switching, no proxying, PAP with SQL
/// or a users file, one virtual server.
fn radiusd_conf(config: &FreeRadiusConfig, dir: &Path, auth: u16, acct: u16) -> Result<String, ServerError> {
    let (store_module, lookup, accounting) = match &config.users {
        UserStore::Sql(backend) => (sql_module(backend)?, "sql", "sql"),
        // Accounting is answered and dropped: `always` returning ok.
        UserStore::Files(_) => (
            format!(
                "files {{\n\t\tfilename = {}/raddb/users\n\t}}\n\talways answered {{\n\t\trcode = ok\n\t}}",
                dir.display()
            ),
            "files",
            "answered",
        ),
    };
    let dir = dir.display();
    let mut clients = String::new();
    for (i, (net, secret)) in config.clients.iter().enumerate() {
        let secret = quoted("a client's secret", secret)?;
        clients.push_str(&format!("client nas{i} {{\n\tipaddr = {net}\n\tsecret = {secret}\n}}\n"));
    }
    Ok(format!(
        r#"prefix = /usr
libdir = {LIBDIR}
dictdir = {dir}/dictionary
logdir = {dir}
run_dir = {dir}/run
pidfile = {dir}/run/radiusd.pid
hostname_lookups = no
proxy_requests = no
max_request_time = 10
cleanup_delay = 1
max_requests = 1024

log {{
	auth = no
}}

security {{
	allow_core_dumps = no
	max_attributes = 200
	# Rejects answered at once: tests wait for them.
	reject_delay = 0
	status_server = yes
}}

thread pool {{
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 2
	max_requests_per_server = 0
}}

{clients}
modules {{
	pap {{
	}}
	# The queries use its %{{tolower:...}} and %{{md5:...}}.
	expr {{
	}}
	{store_module}
}}

server default {{
	listen {{
		type = auth
		ipaddr = 127.0.0.1
		port = {auth}
	}}
	listen {{
		type = acct
		ipaddr = 127.0.0.1
		port = {acct}
	}}
	authorize {{
		{lookup}
		pap
	}}
	authenticate {{
		Auth-Type PAP {{
			pap
		}}
	}}
	preacct {{
		# The accounting queries key a session's row on it.
		update request {{
			&Acct-Unique-Session-Id := "%{{md5:%{{User-Name}},%{{Acct-Session-Id}},%{{%{{NAS-IPv6-Address}}:-%{{NAS-IP-Address}}}},%{{NAS-Identifier}},%{{NAS-Port-ID}},%{{NAS-Port}}}}"
		}}
	}}
	accounting {{
		{accounting}
	}}
}}
"#
    ))
}

/// The SQL module, with the installed package's queries for its dialect.
fn sql_module(backend: &SqlBackend) -> Result<String, ServerError> {
    let sql = backend.parts();
    Ok(format!(
        r#"	sql {{
		driver = "{driver}"
		dialect = "{dialect}"
		server = {host}
		port = {port}
		login = {user}
		password = {password}
		radius_db = {database}
		acct_table1 = "radacct"
		acct_table2 = "radacct"
		postauth_table = "radpostauth"
		authcheck_table = "radcheck"
		groupcheck_table = "radgroupcheck"
		authreply_table = "radreply"
		groupreply_table = "radgroupreply"
		usergroup_table = "radusergroup"
		client_table = "nas"
		group_attribute = "SQL-Group"
		read_groups = yes
		read_clients = no
		delete_stale_sessions = yes
		pool {{
			start = 1
			min = 1
			max = 4
			spare = 2
			uses = 0
			retry_delay = 1
			lifetime = 0
			idle_timeout = 60
		}}
		$INCLUDE {QUERIES}/{dialect}/queries.conf
	}}"#,
        driver = sql.driver,
        dialect = sql.dialect,
        host = quoted("the database host", sql.host)?,
        port = sql.port,
        user = quoted("the database user", sql.user)?,
        password = quoted("the database password", sql.password)?,
        database = quoted("the database name", sql.database)?,
    ))
}

/// A users file: each user's PAP password and rate, quoted.
fn users_file(users: &[FileUser]) -> Result<String, ServerError> {
    let mut text = String::new();
    for user in users {
        if user.name.is_empty() || !user.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c)) {
            return Err(ServerError::Unquotable { what: "a user name" });
        }
        let password = double_quoted("a user's password", &user.password)?;
        let rate = double_quoted("a user's rate", &user.rate_limit)?;
        text.push_str(&format!("{} Cleartext-Password := {password}\n\tMikrotik-Rate-Limit = {rate}\n\n", user.name));
    }
    Ok(text)
}

/// A double-quoted users-file string: neither quotes nor backslashes nor
/// control characters, which it cannot hold literally.
fn double_quoted(what: &'static str, value: &str) -> Result<String, ServerError> {
    if value.contains(|c: char| c == '\\' || c == '"' || c.is_control()) {
        return Err(ServerError::Unquotable { what });
    }
    Ok(format!("\"{value}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_values_literal_and_refuses_backslashes() {
        assert_eq!(quoted("x", "it's ${a} %{b} \"c\"").unwrap(), "'it\\'s ${a} %{b} \"c\"'");
        assert!(matches!(quoted("x", "a\\b"), Err(ServerError::Unquotable { what: "x" })));
        assert!(matches!(quoted("x", "a\nb"), Err(ServerError::Unquotable { .. })));
    }
}

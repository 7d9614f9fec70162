//! The real servers the RADIUS-mode tests run against: PostgreSQL and
//! MariaDB loaded with FreeRADIUS's own schema (the installed package's),
//! and FreeRADIUS 3 reading them, driven with `radclient` as a NAS would.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::process::Stdio;

use headend_simlab::servers::{
    FileUser, FreeRadiusConfig, FreeRadiusServer, MariaDbServer, PostgresServer, ServerError, SqlBackend, UserStore,
};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

const SECRET: &str = "testing123";
/// Quotes, `${...}` and `%{...}` mean something in FreeRADIUS's
/// configuration; the secret must reach it unchanged.
const ODD_SECRET: &str = r#"it's "a" ${b} %{c}"#;
const SQL_DIR: &str = "/etc/freeradius/3.0/mods-config/sql/main";

enum Db {
    Postgres(PostgresServer),
    MariaDb(MariaDbServer),
}

impl Db {
    /// Runs `sql` in `radius`; the rows printed, split into columns.
    async fn sql(&self, sql: &str) -> Vec<Vec<String>> {
        let (out, separator) = match self {
            Db::Postgres(db) => (db.execute("radius", sql).await, '|'),
            Db::MariaDb(db) => (db.execute("radius", sql).await, '\t'),
        };
        out.unwrap().lines().map(|row| row.split(separator).map(str::to_owned).collect()).collect()
    }

    fn backend(&self) -> SqlBackend {
        match self {
            Db::Postgres(db) => db.sql_backend("radius"),
            Db::MariaDb(db) => db.sql_backend("radius"),
        }
    }

    fn dialect(&self) -> &'static str {
        match self {
            Db::Postgres(_) => "postgresql",
            Db::MariaDb(_) => "mysql",
        }
    }
}

/// Sends one request with `radclient` (one try, no retries) and returns
/// everything it printed.
async fn radclient(to: SocketAddr, kind: &str, secret: &str, attributes: &str) -> String {
    let mut child = Command::new("radclient")
        .args(["-x", "-r", "1", "-t", "5"])
        .arg(to.to_string())
        .args([kind, secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("radclient (apt-get install freeradius-utils)");
    child.stdin.take().unwrap().write_all(attributes.as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The whole path a customer's session takes, against `db`, from a NAS
/// holding `secret`.
async fn freeradius_against(db: Db, secret: &str) {
    let schema = std::fs::read_to_string(format!("{SQL_DIR}/{}/schema.sql", db.dialect())).unwrap();
    db.sql(&schema).await;
    db.sql(
        "INSERT INTO radcheck (username, attribute, op, value) VALUES ('ana', 'Cleartext-Password', ':=', 'secret1');
         INSERT INTO radusergroup (username, groupname, priority) VALUES ('ana', 'g1', 1);
         INSERT INTO radgroupreply (groupname, attribute, op, value) VALUES ('g1', 'Mikrotik-Rate-Limit', ':=', '10M/20M');",
    )
    .await;
    let config = FreeRadiusConfig {
        users: UserStore::Sql(db.backend()),
        clients: vec![("127.0.0.1/32".parse().unwrap(), secret.into())],
    };
    let radius = FreeRadiusServer::start(config).await.unwrap();
    let (auth, acct) = (radius.auth_addr(), radius.acct_addr());
    assert!(auth.ip().is_loopback() && acct.ip().is_loopback() && auth.port() != acct.port());

    let out = radclient(auth, "auth", secret, "User-Name = \"ana\", User-Password = \"secret1\"").await;
    assert!(out.contains("Received Access-Accept"), "{out}\n--- freeradius:\n{}", radius.log_tail());
    // The group's reply, a MikroTik vendor attribute: the dictionary knows it.
    assert!(out.contains("Mikrotik-Rate-Limit = \"10M/20M\""), "{out}");

    let out = radclient(auth, "auth", secret, "User-Name = \"ana\", User-Password = \"wrong\"").await;
    assert!(out.contains("Received Access-Reject"), "{out}\n--- freeradius:\n{}", radius.log_tail());

    let out = radclient(auth, "status", secret, "Message-Authenticator = 0x00").await;
    assert!(out.contains("Received Access-Accept"), "Status-Server unanswered: {out}");

    let start = "Acct-Status-Type = Start, Acct-Session-Id = \"81000001\", User-Name = \"ana\", \
                 NAS-IP-Address = 127.0.0.1, Framed-IP-Address = 10.20.0.7";
    let out = radclient(acct, "acct", secret, start).await;
    assert!(out.contains("Received Accounting-Response"), "{out}\n--- freeradius:\n{}", radius.log_tail());
    let rows = db.sql("SELECT username, acctsessionid, framedipaddress, acctstoptime IS NULL FROM radacct").await;
    let open = if db.dialect() == "postgresql" { "t" } else { "1" };
    assert_eq!(rows, vec![vec!["ana", "81000001", "10.20.0.7", open]]);

    // A suspended customer: the right password no longer opens the door.
    db.sql("INSERT INTO radcheck (username, attribute, op, value) VALUES ('ana', 'Auth-Type', ':=', 'Reject');").await;
    let out = radclient(auth, "auth", secret, "User-Name = \"ana\", User-Password = \"secret1\"").await;
    assert!(out.contains("Received Access-Reject"), "{out}\n--- freeradius:\n{}", radius.log_tail());
}

#[tokio::test]
async fn freeradius_with_postgres() {
    let db = PostgresServer::start().await.unwrap();
    assert_eq!(db.url(), format!("postgres://headend@127.0.0.1:{}/radius", db.port()));
    assert!(!db.url().contains(db.password()));
    assert!(db.data_dir().join("PG_VERSION").is_file());
    freeradius_against(Db::Postgres(db), SECRET).await;
}

#[tokio::test]
async fn freeradius_with_mariadb() {
    let db = MariaDbServer::start().await.unwrap();
    assert_eq!(db.url(), format!("mysql://headend@127.0.0.1:{}/radius", db.port()));
    assert!(!db.url().contains(db.password()));
    freeradius_against(Db::MariaDb(db), ODD_SECRET).await;
}

#[tokio::test]
async fn postgres_databases_of_their_own_and_cleanup() {
    let db = PostgresServer::start().await.unwrap();
    let url = db.create_database("case_1").await.unwrap();
    assert_eq!(url, format!("postgres://headend@127.0.0.1:{}/case_1", db.port()));
    let tables =
        db.execute("case_1", "CREATE TABLE t (n int); SELECT count(*) FROM pg_tables WHERE schemaname = 'public';");
    assert_eq!(tables.await.unwrap().trim(), "1");
    assert!(matches!(db.create_database("no; drop").await, Err(ServerError::InvalidName(_))));
    let failed = db.execute("case_1", "SELECT * FROM missing;").await.unwrap_err().to_string();
    assert!(failed.contains("missing") && !failed.contains(db.password()), "{failed}");

    let dir = db.data_dir().parent().unwrap().to_owned();
    let port = db.port();
    drop(db);
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "postgres still listening");
}

#[tokio::test]
async fn mariadb_databases_of_their_own_and_cleanup() {
    let db = MariaDbServer::start().await.unwrap();
    let url = db.create_database("case_1").await.unwrap();
    assert_eq!(url, format!("mysql://headend@127.0.0.1:{}/case_1", db.port()));
    let tables = db.execute(
        "case_1",
        "CREATE TABLE t (n int); SELECT count(*) FROM information_schema.tables WHERE table_schema = 'case_1';",
    );
    assert_eq!(tables.await.unwrap().trim(), "1");
    // Not another test's database: `headend` was granted only these.
    assert!(db.execute("mysql", "SELECT 1;").await.is_err());

    let dir = db.data_dir().parent().unwrap().to_owned();
    let port = db.port();
    drop(db);
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "mariadb still listening");
}

/// FreeRADIUS that cannot reach its database stops at once; the error
/// carries its log.
#[tokio::test]
async fn freeradius_says_why_it_cannot_start() {
    let db = PostgresServer::start().await.unwrap();
    let sql = SqlBackend::Postgres {
        host: "127.0.0.1".into(),
        port: db.port(),
        database: "radius".into(),
        user: "headend".into(),
        password: "not-it".into(),
    };
    let config = FreeRadiusConfig {
        users: UserStore::Sql(sql),
        clients: vec![("127.0.0.1/32".parse().unwrap(), SECRET.into())],
    };
    match FreeRadiusServer::start(config).await {
        Err(ServerError::Exited { server: "freeradius", log_tail, .. }) => {
            assert!(log_tail.contains("password authentication failed"), "{log_tail}");
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(radius) => panic!("started anyway:\n{}", radius.log_tail()),
    }
}

#[tokio::test]
async fn freeradius_with_a_users_file() {
    let users = vec![FileUser { name: "ana".into(), password: "secret1".into(), rate_limit: "5M/10M".into() }];
    let config = FreeRadiusConfig {
        users: UserStore::Files(users),
        clients: vec![("127.0.0.1/32".parse().unwrap(), SECRET.into())],
    };
    let radius = FreeRadiusServer::start(config).await.unwrap();
    let out = radclient(radius.auth_addr(), "auth", SECRET, "User-Name = \"ana\", User-Password = \"secret1\"").await;
    assert!(out.contains("Received Access-Accept"), "{out}\n--- freeradius:\n{}", radius.log_tail());
    assert!(out.contains("Mikrotik-Rate-Limit = \"5M/10M\""), "{out}");
    let out = radclient(radius.auth_addr(), "auth", SECRET, "User-Name = \"ana\", User-Password = \"wrong\"").await;
    assert!(out.contains("Received Access-Reject"), "{out}\n--- freeradius:\n{}", radius.log_tail());
    let start = "Acct-Status-Type = Start, Acct-Session-Id = \"1\", User-Name = \"ana\", NAS-IP-Address = 127.0.0.1";
    let out = radclient(radius.acct_addr(), "acct", SECRET, start).await;
    assert!(out.contains("Received Accounting-Response"), "{out}\n--- freeradius:\n{}", radius.log_tail());
    let bad = FileUser { name: "x y".into(), password: "p".into(), rate_limit: "1M".into() };
    let refused = FreeRadiusServer::start(FreeRadiusConfig { users: UserStore::Files(vec![bad]), clients: Vec::new() });
    assert!(matches!(refused.await, Err(ServerError::Unquotable { .. })));
}

//! The FreeRADIUS database's address as the operator gives it:
//! `postgres://USER@HOST:PORT/DB` or `mysql://USER@HOST:PORT/DB`. The
//! password never goes in it: it lives in the keyring, so the address can
//! be stored, shown and logged.

use std::fmt;
use std::str::FromStr;

/// Which SQL server FreeRADIUS uses; both with FreeRADIUS 3.2's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Dialect::Postgres => 5432,
            Dialect::Mysql => 3306,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Headend's RADIUS settings: the database it syncs, and where routers
/// send their RADIUS requests (what `router radius-setup` puts in
/// `/radius`, and the default of `radius test` and `radius status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusSettings {
    pub url: DatabaseUrl,
    /// The RADIUS server's authentication address (accounting is the
    /// next port, as everywhere).
    pub server: Option<std::net::SocketAddr>,
}

/// RADIUS's authentication port (RFC 2865); accounting is 1813.
pub const AUTH_PORT: u16 = 1812;

/// A FreeRADIUS database address, without its password.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DatabaseUrl {
    pub dialect: Dialect,
    pub user: String,
    /// A host name, an IPv4 address, or an IPv6 address without brackets.
    pub host: String,
    pub port: u16,
    pub database: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("the address must start with postgres:// or mysql:// (MariaDB is mysql://)")]
    Scheme,
    #[error("the address has no user: write postgres://USER@HOST:PORT/DATABASE")]
    NoUser,
    #[error("put the password in the keyring (--password-stdin), not in the address")]
    PasswordInUrl,
    #[error("the address has no host")]
    NoHost,
    #[error("{0:?} is not a port number")]
    Port(String),
    #[error("the address has no database name: end it with /DATABASE")]
    NoDatabase,
    #[error("{0:?} has a character an address cannot hold")]
    Character(String),
}

/// Letters, digits and `-._` only: what user, host and database names of
/// real installations use, with nothing that needs escaping in a URL.
fn plain(text: &str) -> Result<&str, DatabaseUrlError> {
    if text.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) {
        Ok(text)
    } else {
        Err(DatabaseUrlError::Character(text.to_owned()))
    }
}

impl FromStr for DatabaseUrl {
    type Err = DatabaseUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (dialect, rest) = [
            ("postgres://", Dialect::Postgres),
            ("postgresql://", Dialect::Postgres),
            ("mysql://", Dialect::Mysql),
            ("mariadb://", Dialect::Mysql),
        ]
        .into_iter()
        .find_map(|(prefix, dialect)| text.strip_prefix(prefix).map(|rest| (dialect, rest)))
        .ok_or(DatabaseUrlError::Scheme)?;
        let (authority, database) = rest.split_once('/').ok_or(DatabaseUrlError::NoDatabase)?;
        let (user, host_port) = authority.rsplit_once('@').ok_or(DatabaseUrlError::NoUser)?;
        if user.contains(':') {
            return Err(DatabaseUrlError::PasswordInUrl);
        }
        if user.is_empty() {
            return Err(DatabaseUrlError::NoUser);
        }
        let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or(DatabaseUrlError::NoHost)?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(DatabaseUrlError::Character(host.to_owned()));
            }
            (host, after.strip_prefix(':'))
        } else {
            match host_port.split_once(':') {
                Some((host, port)) => (plain(host)?, Some(port)),
                None => (plain(host_port)?, None),
            }
        };
        if host.is_empty() {
            return Err(DatabaseUrlError::NoHost);
        }
        let port = match port {
            None => dialect.default_port(),
            Some(p) => p.parse().ok().filter(|p| *p != 0).ok_or_else(|| DatabaseUrlError::Port(p.to_owned()))?,
        };
        if database.is_empty() {
            return Err(DatabaseUrlError::NoDatabase);
        }
        Ok(DatabaseUrl {
            dialect,
            user: plain(user)?.to_owned(),
            host: host.to_owned(),
            port,
            database: plain(database)?.to_owned(),
        })
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        write!(f, "{}://{}@{host}:{}/{}", self.dialect, self.user, self.port, self.database)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_print_back() {
        let cases = [
            ("postgres://radius@db.isp.lan:5433/radius", Dialect::Postgres, "db.isp.lan", 5433),
            ("postgresql://radius@10.0.0.5/radius", Dialect::Postgres, "10.0.0.5", 5432),
            ("mysql://radius@127.0.0.1/radius", Dialect::Mysql, "127.0.0.1", 3306),
            ("mariadb://radius@[::1]:3307/radius", Dialect::Mysql, "::1", 3307),
        ];
        for (text, dialect, host, port) in cases {
            let url: DatabaseUrl = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((url.dialect, url.host.as_str(), url.port), (dialect, host, port), "{text}");
            assert_eq!(url.to_string().parse::<DatabaseUrl>().as_ref(), Ok(&url), "{text}");
        }
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        use DatabaseUrlError::*;
        let cases = [
            ("http://x@h/db", Scheme),
            ("postgres://h:5432/db", NoUser),
            ("postgres://radius:s3cret@h/db", PasswordInUrl),
            ("postgres://radius@/db", NoHost),
            ("postgres://radius@h:99999/db", Port("99999".into())),
            ("postgres://radius@h:0/db", Port("0".into())),
            ("postgres://radius@h", NoDatabase),
            ("postgres://radius@h/", NoDatabase),
            ("postgres://radius@h/db?x=1", Character("db?x=1".into())),
            ("postgres://ra dius@h/db", Character("ra dius".into())),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<DatabaseUrl>(), Err(want), "{text}");
        }
        assert!(!PasswordInUrl.to_string().contains("s3cret"));
    }
}

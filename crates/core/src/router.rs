//! Routers in the inventory and how Headend reaches them.

use std::fmt;
use std::str::FromStr;

use crate::geo::GeoPoint;
use crate::ids::{PopId, RouterId};

/// How Headend talks to a router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// The binary API over plain TCP (default port 8728).
    Api,
    /// The binary API over TLS (default port 8729), certificate pinned on first use.
    ApiTls,
    /// The REST API over HTTPS (`www-ssl`, default port 443), same pinning.
    Rest,
}

impl Transport {
    pub const ALL: [Transport; 3] = [Transport::Api, Transport::ApiTls, Transport::Rest];

    pub fn default_port(self) -> u16 {
        match self {
            Transport::Api => 8728,
            Transport::ApiTls => 8729,
            Transport::Rest => 443,
        }
    }

    /// The stable name used in the database, the CLI and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Api => "api",
            Transport::ApiTls => "api-tls",
            Transport::Rest => "rest",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown transport {0:?}: use api, api-tls or rest")]
pub struct UnknownTransport(pub String);

impl FromStr for Transport {
    type Err = UnknownTransport;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Transport::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| UnknownTransport(s.to_owned()))
    }
}

/// A router as the operator configured it. Its password is not here: it lives
/// in the OS keyring under the router's id.
#[derive(Debug, Clone, PartialEq)]
pub struct Router {
    pub id: RouterId,
    pub name: String,
    /// A host name or an IP address literal.
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    pub username: String,
    pub pop: Option<PopId>,
    pub location: Option<GeoPoint>,
    /// The SHA-256 fingerprint (hex) of the router's TLS certificate, pinned
    /// on the first TLS connection; a different certificate is refused.
    pub tls_pin: Option<String>,
}

/// A point of presence: a tower, a cabinet, a data-centre rack.
#[derive(Debug, Clone, PartialEq)]
pub struct Pop {
    pub id: PopId,
    pub name: String,
    pub location: Option<GeoPoint>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_names_round_trip() {
        for t in Transport::ALL {
            assert_eq!(t.as_str().parse::<Transport>(), Ok(t));
        }
        assert_eq!("ssh".parse::<Transport>(), Err(UnknownTransport("ssh".into())));
    }

    #[test]
    fn default_ports_are_routeros_defaults() {
        assert_eq!(Transport::Api.default_port(), 8728);
        assert_eq!(Transport::ApiTls.default_port(), 8729);
        assert_eq!(Transport::Rest.default_port(), 443);
    }
}

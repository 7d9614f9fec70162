//! Routers in the inventory and how Headend reaches them.

use std::fmt;
use std::net::IpAddr;
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

/// What a router needs before Headend can reach it over API-TLS, in
/// RouterOS commands: its `api-ssl` service has no certificate out of the
/// box. Headend pins the certificate on its first connection.
pub const API_SSL_SETUP: &str = "/certificate add name=headend-api common-name=headend-api days-valid=3650 \
key-usage=digital-signature,key-encipherment,tls-server
/certificate sign headend-api
/ip service set api-ssl certificate=headend-api disabled=no";

/// What plain API costs, said wherever it can be chosen.
pub const PLAIN_API_WARNING: &str = "plain API sends the router's password, and every subscriber's PPPoE password \
Headend sets, across the network unencrypted; use it only on a link you trust, and prefer API-TLS (api-tls, 8729)";

impl Transport {
    pub const ALL: [Transport; 3] = [Transport::Api, Transport::ApiTls, Transport::Rest];

    /// What a new router is reached over unless the operator says
    /// otherwise: the binary API over TLS, with the certificate pinned.
    pub const DEFAULT: Transport = Transport::ApiTls;

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
    /// The fingerprint of a certificate the router presented instead of
    /// the pinned one: refused until the operator trusts it.
    pub presented_tls_pin: Option<String>,
    /// Where its PPPoE users are kept.
    pub backend: Backend,
}

/// Where a router's PPPoE users are kept: its own `/ppp/secret` (pushed
/// over the API), or FreeRADIUS's database, which the router asks.
/// Static-IP services are on the router in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    #[default]
    Api,
    Radius(Nas),
}

/// How FreeRADIUS knows a router (its `nas` row) and how Headend reaches
/// its RFC 5176 port. The shared secret is in the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nas {
    /// The address the router's RADIUS requests come from, and where
    /// Disconnect and CoA requests go.
    pub address: IpAddr,
    /// RouterOS's `/radius incoming` port.
    pub coa_port: u16,
}

/// RouterOS's default `/radius incoming` port (RFC 5176's 3799).
pub const DEFAULT_COA_PORT: u16 = 3799;

impl Backend {
    /// The stable name used in the database, the CLI and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Api => "api",
            Backend::Radius(_) => "radius",
        }
    }

    pub fn nas(self) -> Option<Nas> {
        match self {
            Backend::Api => None,
            Backend::Radius(nas) => Some(nas),
        }
    }
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

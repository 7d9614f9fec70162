//! The RouterOS side of RADIUS mode: what a router needs to ask FreeRADIUS
//! for its PPPoE users, send accounting, and take Disconnect and CoA
//! requests; what is wrong with the set-up a router has; and the fewest
//! writes that put it right.
//!
//! One list of properties ([`server_properties`], [`AAA_PROPERTIES`],
//! [`incoming_properties`]) makes the commands shown to the operator, the
//! check, and the writes, so the three never disagree.
//!
//! Only Headend's entry (the `/radius` entry at the server's address) is
//! ever changed; another server's entry that also serves `ppp` is the
//! operator's, and only warned about.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How often a RADIUS router reports a session's counters: the history's
/// resolution, and cheap for FreeRADIUS.
pub const INTERIM_UPDATE: &str = "5m";

/// How long the router waits for FreeRADIUS before trying again: RouterOS's
/// 300 ms default gives up on a server that is merely busy.
pub const SERVER_TIMEOUT: &str = "3s";

/// The `service` a router's RADIUS entry needs for PPPoE logins.
pub const PPP_SERVICE: &str = "ppp";

/// `/ppp aaa`: ask RADIUS, send accounting, with interim updates.
pub const AAA_PROPERTIES: [(&str, &str); 3] =
    [("use-radius", "yes"), ("accounting", "yes"), ("interim-update", INTERIM_UPDATE)];

/// What a router in RADIUS mode should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WantedSetup {
    /// FreeRADIUS's authentication address; accounting is the next port.
    pub server: SocketAddr,
    /// The router's RFC 5176 port.
    pub coa_port: u16,
}

impl WantedSetup {
    pub fn accounting_port(&self) -> u16 {
        self.server.port().saturating_add(1)
    }
}

/// A property's value in a write: the shared secret is named, not held,
/// so set-up data can be shown and logged; the edge puts the secret in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupValue {
    Text(String),
    Secret,
}

impl SetupValue {
    fn text(value: impl Into<String>) -> Self {
        SetupValue::Text(value.into())
    }
}

/// The properties of Headend's `/radius` entry.
pub fn server_properties(wanted: &WantedSetup) -> Vec<(&'static str, SetupValue)> {
    vec![
        ("service", SetupValue::text(PPP_SERVICE)),
        ("address", SetupValue::text(wanted.server.ip().to_string())),
        ("secret", SetupValue::Secret),
        ("authentication-port", SetupValue::text(wanted.server.port().to_string())),
        ("accounting-port", SetupValue::text(wanted.accounting_port().to_string())),
        ("timeout", SetupValue::text(SERVER_TIMEOUT)),
        ("comment", SetupValue::text("headend")),
    ]
}

/// `/radius incoming`: take Disconnect and CoA requests on `coa_port`.
pub fn incoming_properties(coa_port: u16) -> [(&'static str, String); 2] {
    [("accept", "yes".to_owned()), ("port", coa_port.to_string())]
}

/// The commands, in RouterOS's terminal syntax. `secret` is written as
/// given: a placeholder to show them, the secret only to type them.
pub fn routeros_commands(wanted: &WantedSetup, secret: &str) -> Vec<String> {
    let server = server_properties(wanted)
        .into_iter()
        .map(|(name, value)| match value {
            SetupValue::Text(text) => format!("{name}={text}"),
            SetupValue::Secret => format!("{name}={secret}"),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let terms = |properties: &[(&str, String)]| {
        properties.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(" ")
    };
    let aaa: Vec<(&str, String)> = AAA_PROPERTIES.iter().map(|(n, v)| (*n, (*v).to_owned())).collect();
    vec![
        format!("/radius add {server}"),
        format!("/ppp aaa set {}", terms(&aaa)),
        format!("/radius incoming set {}", terms(&incoming_properties(wanted.coa_port))),
    ]
}

/// Whether a `/radius` entry's secret is the router's secret in the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretMatch {
    Same,
    Differs,
    /// The API user may not read secrets (no `sensitive` policy).
    Unreadable,
}

/// A `/radius` entry as read from the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    /// The router's id of the entry (`*1`).
    pub id: String,
    pub services: Vec<String>,
    /// `None` when the address is not an IP address.
    pub address: Option<IpAddr>,
    pub secret: SecretMatch,
    pub authentication_port: Option<u16>,
    pub accounting_port: Option<u16>,
    pub disabled: bool,
}

impl ServerEntry {
    fn serves_ppp(&self) -> bool {
        self.services.iter().any(|s| s == PPP_SERVICE)
    }
}

/// A router's RADIUS set-up as read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterSetup {
    /// In the router's order: the order it asks them in.
    pub servers: Vec<ServerEntry>,
    pub use_radius: bool,
    pub accounting: bool,
    /// `None` or zero: counters only when a session ends.
    pub interim_update: Option<Duration>,
    pub incoming_accept: bool,
    pub incoming_port: Option<u16>,
}

impl RouterSetup {
    /// Counters only when a session ends: `interim-update` unset or 0.
    fn no_interim_update(&self) -> bool {
        self.interim_update.is_none_or(|d| d.is_zero())
    }
}

/// What is wrong with a router's set-up, worded for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupIssue {
    NoServer {
        server: IpAddr,
    },
    ServerDisabled,
    NotForPpp,
    AuthenticationPort {
        have: Option<u16>,
        want: u16,
    },
    AccountingPort {
        have: Option<u16>,
        want: u16,
    },
    SecretDiffers,
    SecretUnreadable,
    /// Another enabled entry serving `ppp` comes first: the router asks
    /// it before FreeRADIUS.
    OtherServerFirst {
        address: Option<IpAddr>,
    },
    RadiusOff,
    AccountingOff,
    NoInterimUpdate,
    IncomingOff,
    IncomingPort {
        have: Option<u16>,
        want: u16,
    },
}

impl SetupIssue {
    /// Whether applying the set-up puts it right. The others are the
    /// operator's to look at.
    pub fn fixable(&self) -> bool {
        !matches!(self, SetupIssue::OtherServerFirst { .. } | SetupIssue::SecretUnreadable)
    }
}

fn port(port: Option<u16>) -> String {
    port.map_or_else(|| "none".to_owned(), |p| p.to_string())
}

impl fmt::Display for SetupIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupIssue::NoServer { server } => {
                write!(f, "no /radius entry for {server}: PPPoE logins never reach FreeRADIUS")
            }
            SetupIssue::ServerDisabled => f.write_str("the /radius entry for FreeRADIUS is disabled"),
            SetupIssue::NotForPpp => f.write_str("the /radius entry for FreeRADIUS does not have service=ppp"),
            SetupIssue::AuthenticationPort { have, want } => {
                write!(f, "the /radius entry's authentication port is {}, FreeRADIUS listens on {want}", port(*have))
            }
            SetupIssue::AccountingPort { have, want } => {
                write!(f, "the /radius entry's accounting port is {}, FreeRADIUS listens on {want}", port(*have))
            }
            SetupIssue::SecretDiffers => {
                f.write_str("the /radius entry's secret is not the router's secret in Headend: FreeRADIUS rejects it")
            }
            SetupIssue::SecretUnreadable => {
                f.write_str("the /radius entry's secret cannot be read (the API user lacks the sensitive policy)")
            }
            SetupIssue::OtherServerFirst { address } => match address {
                Some(address) => write!(f, "another RADIUS server for ppp ({address}) is listed first and asked first"),
                None => f.write_str("another RADIUS server for ppp is listed first and asked first"),
            },
            SetupIssue::RadiusOff => f.write_str("/ppp aaa use-radius is off: the router checks only its own secrets"),
            SetupIssue::AccountingOff => f.write_str("/ppp aaa accounting is off: no session history from FreeRADIUS"),
            SetupIssue::NoInterimUpdate => {
                f.write_str("/ppp aaa interim-update is 0: a session's usage arrives only when it ends")
            }
            SetupIssue::IncomingOff => {
                f.write_str("/radius incoming accept is off: Disconnect and CoA fall back to the API")
            }
            SetupIssue::IncomingPort { have, want } => {
                write!(f, "/radius incoming listens on port {}, Headend sends to {want}", port(*have))
            }
        }
    }
}

/// Headend's entry: the one at the server's address, preferring one that
/// serves `ppp` and is enabled.
fn own_entry<'a>(wanted: &WantedSetup, have: &'a RouterSetup) -> Option<&'a ServerEntry> {
    let at_server = || have.servers.iter().filter(|s| s.address == Some(wanted.server.ip()));
    at_server().find(|s| s.serves_ppp() && !s.disabled).or_else(|| at_server().next())
}

/// Everything wrong with `have`, in the order of a login's path.
pub fn check(wanted: &WantedSetup, have: &RouterSetup) -> Vec<SetupIssue> {
    let mut issues = Vec::new();
    match own_entry(wanted, have) {
        None => issues.push(SetupIssue::NoServer { server: wanted.server.ip() }),
        Some(entry) => {
            if entry.disabled {
                issues.push(SetupIssue::ServerDisabled);
            }
            if !entry.serves_ppp() {
                issues.push(SetupIssue::NotForPpp);
            }
            if entry.authentication_port != Some(wanted.server.port()) {
                issues.push(SetupIssue::AuthenticationPort {
                    have: entry.authentication_port,
                    want: wanted.server.port(),
                });
            }
            if entry.accounting_port != Some(wanted.accounting_port()) {
                issues.push(SetupIssue::AccountingPort { have: entry.accounting_port, want: wanted.accounting_port() });
            }
            match entry.secret {
                SecretMatch::Same => {}
                SecretMatch::Differs => issues.push(SetupIssue::SecretDiffers),
                SecretMatch::Unreadable => issues.push(SetupIssue::SecretUnreadable),
            }
            let first_for_ppp = have.servers.iter().find(|s| s.serves_ppp() && !s.disabled);
            if let Some(first) = first_for_ppp
                && first.id != entry.id
            {
                issues.push(SetupIssue::OtherServerFirst { address: first.address });
            }
        }
    }
    if !have.use_radius {
        issues.push(SetupIssue::RadiusOff);
    }
    if !have.accounting {
        issues.push(SetupIssue::AccountingOff);
    }
    if have.no_interim_update() {
        issues.push(SetupIssue::NoInterimUpdate);
    }
    if !have.incoming_accept {
        issues.push(SetupIssue::IncomingOff);
    }
    if have.incoming_port != Some(wanted.coa_port) {
        issues.push(SetupIssue::IncomingPort { have: have.incoming_port, want: wanted.coa_port });
    }
    issues
}

/// Where a write goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupTarget {
    /// A new `/radius` entry.
    AddServer,
    /// Headend's `/radius` entry, by the router's id.
    Server(String),
    PppAaa,
    RadiusIncoming,
}

/// One write of [`fixes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupFix {
    pub target: SetupTarget,
    pub properties: Vec<(&'static str, SetupValue)>,
}

impl fmt::Display for SetupFix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.target {
            SetupTarget::AddServer => "/radius add".to_owned(),
            SetupTarget::Server(id) => format!("/radius set {id}"),
            SetupTarget::PppAaa => "/ppp aaa set".to_owned(),
            SetupTarget::RadiusIncoming => "/radius incoming set".to_owned(),
        };
        f.write_str(&what)?;
        for (name, value) in &self.properties {
            match value {
                SetupValue::Text(text) => write!(f, " {name}={text}")?,
                SetupValue::Secret => write!(f, " {name}=<secret>")?,
            }
        }
        Ok(())
    }
}

/// The fewest writes that clear every fixable issue of [`check`]: only
/// the properties that are wrong, and nothing when nothing is. An entry
/// whose secret cannot be read gets the secret written, since it cannot
/// be checked.
pub fn fixes(wanted: &WantedSetup, have: &RouterSetup) -> Vec<SetupFix> {
    let mut fixes = Vec::new();
    match own_entry(wanted, have) {
        None => fixes.push(SetupFix { target: SetupTarget::AddServer, properties: server_properties(wanted) }),
        Some(entry) => {
            let mut properties = Vec::new();
            if !entry.serves_ppp() {
                let mut services = entry.services.clone();
                services.push(PPP_SERVICE.to_owned());
                properties.push(("service", SetupValue::Text(services.join(","))));
            }
            if entry.secret != SecretMatch::Same {
                properties.push(("secret", SetupValue::Secret));
            }
            if entry.authentication_port != Some(wanted.server.port()) {
                properties.push(("authentication-port", SetupValue::Text(wanted.server.port().to_string())));
            }
            if entry.accounting_port != Some(wanted.accounting_port()) {
                properties.push(("accounting-port", SetupValue::Text(wanted.accounting_port().to_string())));
            }
            if entry.disabled {
                properties.push(("disabled", SetupValue::text("no")));
            }
            if !properties.is_empty() {
                fixes.push(SetupFix { target: SetupTarget::Server(entry.id.clone()), properties });
            }
        }
    }
    let aaa_wrong = [!have.use_radius, !have.accounting, have.no_interim_update()];
    let aaa: Vec<(&'static str, SetupValue)> = AAA_PROPERTIES
        .iter()
        .zip(aaa_wrong)
        .filter(|(_, wrong)| *wrong)
        .map(|((name, value), _)| (*name, SetupValue::text(*value)))
        .collect();
    if !aaa.is_empty() {
        fixes.push(SetupFix { target: SetupTarget::PppAaa, properties: aaa });
    }
    let [accept, port] = incoming_properties(wanted.coa_port);
    let mut incoming = Vec::new();
    if !have.incoming_accept {
        incoming.push((accept.0, SetupValue::Text(accept.1)));
    }
    if have.incoming_port != Some(wanted.coa_port) {
        incoming.push((port.0, SetupValue::Text(port.1)));
    }
    if !incoming.is_empty() {
        fixes.push(SetupFix { target: SetupTarget::RadiusIncoming, properties: incoming });
    }
    fixes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted() -> WantedSetup {
        WantedSetup { server: "10.0.0.5:1812".parse().unwrap(), coa_port: 3799 }
    }

    fn fresh_router() -> RouterSetup {
        RouterSetup {
            servers: Vec::new(),
            use_radius: false,
            accounting: true,
            interim_update: Some(Duration::ZERO),
            incoming_accept: false,
            incoming_port: Some(3799),
        }
    }

    fn entry(id: &str, address: &str) -> ServerEntry {
        ServerEntry {
            id: id.to_owned(),
            services: vec!["ppp".to_owned()],
            address: address.parse().ok(),
            secret: SecretMatch::Same,
            authentication_port: Some(1812),
            accounting_port: Some(1813),
            disabled: false,
        }
    }

    fn set_up() -> RouterSetup {
        RouterSetup {
            servers: vec![entry("*1", "10.0.0.5")],
            use_radius: true,
            accounting: true,
            interim_update: Some(Duration::from_secs(300)),
            incoming_accept: true,
            incoming_port: Some(3799),
        }
    }

    #[test]
    fn the_commands_name_the_server_ports_and_coa_port() {
        let lines = routeros_commands(&wanted(), "<secret>");
        assert_eq!(
            lines,
            [
                "/radius add service=ppp address=10.0.0.5 secret=<secret> authentication-port=1812 \
                 accounting-port=1813 timeout=3s comment=headend",
                "/ppp aaa set use-radius=yes accounting=yes interim-update=5m",
                "/radius incoming set accept=yes port=3799",
            ]
        );
    }

    #[test]
    fn a_router_set_up_as_shown_has_no_issues_and_needs_no_writes() {
        assert_eq!(check(&wanted(), &set_up()), []);
        assert_eq!(fixes(&wanted(), &set_up()), []);
    }

    #[test]
    fn a_fresh_router_needs_everything_but_what_it_already_has() {
        let have = fresh_router();
        assert_eq!(
            check(&wanted(), &have),
            [
                SetupIssue::NoServer { server: "10.0.0.5".parse().unwrap() },
                SetupIssue::RadiusOff,
                SetupIssue::NoInterimUpdate,
                SetupIssue::IncomingOff,
            ]
        );
        let fixes = fixes(&wanted(), &have);
        let shown: Vec<String> = fixes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "/radius add service=ppp address=10.0.0.5 secret=<secret> authentication-port=1812 \
                 accounting-port=1813 timeout=3s comment=headend",
                "/ppp aaa set use-radius=yes interim-update=5m",
                "/radius incoming set accept=yes",
            ]
        );
    }

    #[test]
    fn a_wrong_entry_is_set_in_place_with_only_its_wrong_properties() {
        let mut have = set_up();
        have.servers[0] = ServerEntry {
            services: vec!["login".to_owned()],
            secret: SecretMatch::Differs,
            accounting_port: Some(1646),
            disabled: true,
            ..entry("*7", "10.0.0.5")
        };
        have.incoming_port = Some(1700);
        assert_eq!(
            check(&wanted(), &have),
            [
                SetupIssue::ServerDisabled,
                SetupIssue::NotForPpp,
                SetupIssue::AccountingPort { have: Some(1646), want: 1813 },
                SetupIssue::SecretDiffers,
                SetupIssue::IncomingPort { have: Some(1700), want: 3799 },
            ]
        );
        let shown: Vec<String> = fixes(&wanted(), &have).iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "/radius set *7 service=login,ppp secret=<secret> accounting-port=1813 disabled=no",
                "/radius incoming set port=3799",
            ]
        );
    }

    #[test]
    fn another_server_first_is_warned_about_and_never_touched() {
        let mut have = set_up();
        have.servers.insert(0, entry("*0", "192.0.2.1"));
        let issues = check(&wanted(), &have);
        assert_eq!(issues, [SetupIssue::OtherServerFirst { address: "192.0.2.1".parse().ok() }]);
        assert!(!issues[0].fixable());
        assert_eq!(fixes(&wanted(), &have), []);
    }

    #[test]
    fn an_unreadable_secret_is_warned_about_and_written_on_apply() {
        let mut have = set_up();
        have.servers[0].secret = SecretMatch::Unreadable;
        assert_eq!(check(&wanted(), &have), [SetupIssue::SecretUnreadable]);
        let fixes = fixes(&wanted(), &have);
        assert_eq!(
            fixes,
            [SetupFix {
                target: SetupTarget::Server("*1".to_owned()),
                properties: vec![("secret", SetupValue::Secret)]
            }]
        );
    }

    #[test]
    fn of_two_entries_at_the_server_the_enabled_ppp_one_is_headends() {
        let mut have = set_up();
        let disabled = ServerEntry { disabled: true, ..entry("*0", "10.0.0.5") };
        have.servers.insert(0, disabled);
        assert_eq!(check(&wanted(), &have), []);
    }
}

//! Typed router objects.
//!
//! Names, comments, profiles and other operator-typed text are [`Value`]s
//! (bytes): real routers hold Windows-1252 as often as UTF-8, and what was
//! read must go back byte for byte. Machine-made values (versions, MAC
//! addresses) are `String`s.

use std::fmt;
use std::time::Duration;

use crate::client::{ClientError, Password};
use crate::{Attributes, Value};

use super::parse::{self, flag, non_empty, number, text, value};

/// A RouterOS item id, `*1A`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(Value);

impl ItemId {
    /// Wrap an id as the router gave it.
    pub fn new(id: impl Into<Value>) -> Self {
        Self(id.into())
    }

    /// The id's bytes.
    #[must_use]
    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

impl fmt::Debug for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemId({})", self.0)
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `/system/resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemResource {
    /// `version`, e.g. `7.18.2 (stable)`.
    pub version: String,
    /// `board-name`, e.g. `CCR2004-1G-12S+2XS` or `CHR`.
    pub board_name: String,
    /// `architecture-name`.
    pub architecture: Option<String>,
    /// `uptime`.
    pub uptime: Option<Duration>,
    /// `cpu-load`, percent.
    pub cpu_load: Option<u8>,
    /// `free-memory`, bytes.
    pub free_memory: Option<u64>,
    /// `total-memory`, bytes.
    pub total_memory: Option<u64>,
}

impl SystemResource {
    pub(crate) fn parse(attrs: &Attributes) -> Self {
        let string = |name| attrs.get(name).map(|v: &Value| v.to_string_lossy_cp1252().into_owned());
        Self {
            version: string("version").unwrap_or_default(),
            board_name: string("board-name").unwrap_or_default(),
            architecture: string("architecture-name"),
            uptime: parse::duration(attrs, "uptime"),
            cpu_load: number(attrs, "cpu-load"),
            free_memory: number(attrs, "free-memory"),
            total_memory: number(attrs, "total-memory"),
        }
    }
}

/// An `/interface` with its counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// `.id`.
    pub id: ItemId,
    /// `name`.
    pub name: Value,
    /// `type` (`ether`, `pppoe-in`, `vlan`, ...).
    pub kind: Value,
    /// `mtu`.
    pub mtu: Option<u32>,
    /// `mac-address`.
    pub mac_address: Option<String>,
    /// `running`.
    pub running: bool,
    /// `disabled`.
    pub disabled: bool,
    /// `rx-byte`.
    pub rx_bytes: u64,
    /// `tx-byte`.
    pub tx_bytes: u64,
    /// `rx-packet`.
    pub rx_packets: u64,
    /// `tx-packet`.
    pub tx_packets: u64,
    /// `comment`.
    pub comment: Option<Value>,
}

impl Interface {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        Ok(Self {
            id: parse::id(attrs)?,
            name: text(attrs, "name"),
            kind: text(attrs, "type"),
            mtu: number(attrs, "mtu"),
            mac_address: attrs.get_str("mac-address").map(str::to_owned),
            running: flag(attrs, "running"),
            disabled: flag(attrs, "disabled"),
            rx_bytes: number(attrs, "rx-byte").unwrap_or(0),
            tx_bytes: number(attrs, "tx-byte").unwrap_or(0),
            rx_packets: number(attrs, "rx-packet").unwrap_or(0),
            tx_packets: number(attrs, "tx-packet").unwrap_or(0),
            comment: non_empty(attrs, "comment"),
        })
    }
}

/// A `/ppp/secret`: a PPPoE (or other PPP) account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PppSecret {
    /// `.id`.
    pub id: ItemId,
    /// `name`: the PPP user name.
    pub name: Value,
    /// `password` (absent when the API user may not read it).
    pub password: Option<Password>,
    /// `service` (`any`, `pppoe`, ...).
    pub service: Value,
    /// `profile`.
    pub profile: Value,
    /// `local-address`.
    pub local_address: Option<Value>,
    /// `remote-address`: the static address of the subscriber.
    pub remote_address: Option<Value>,
    /// `disabled`.
    pub disabled: bool,
    /// `comment`.
    pub comment: Option<Value>,
}

impl PppSecret {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        Ok(Self {
            id: parse::id(attrs)?,
            name: text(attrs, "name"),
            password: value(attrs, "password").map(Password::new),
            service: text(attrs, "service"),
            profile: text(attrs, "profile"),
            local_address: non_empty(attrs, "local-address"),
            remote_address: non_empty(attrs, "remote-address"),
            disabled: flag(attrs, "disabled"),
            comment: non_empty(attrs, "comment"),
        })
    }
}

/// A `/ppp/profile`: a plan's speed and addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PppProfile {
    /// `.id`.
    pub id: ItemId,
    /// `name`.
    pub name: Value,
    /// `rate-limit`, e.g. `10M/20M` or with bursts
    /// `10M/20M 20M/40M 8M/16M 10/10`.
    pub rate_limit: Option<Value>,
    /// `local-address`.
    pub local_address: Option<Value>,
    /// `remote-address` (an address or a pool name).
    pub remote_address: Option<Value>,
    /// `session-timeout`.
    pub session_timeout: Option<Duration>,
    /// `idle-timeout`.
    pub idle_timeout: Option<Duration>,
    /// `only-one`.
    pub only_one: Option<Value>,
    /// `default`: one of the router's built-in profiles.
    pub builtin: bool,
    /// `comment`.
    pub comment: Option<Value>,
}

impl PppProfile {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        Ok(Self {
            id: parse::id(attrs)?,
            name: text(attrs, "name"),
            rate_limit: non_empty(attrs, "rate-limit"),
            local_address: non_empty(attrs, "local-address"),
            remote_address: non_empty(attrs, "remote-address"),
            session_timeout: parse::duration(attrs, "session-timeout").filter(|d| !d.is_zero()),
            idle_timeout: parse::duration(attrs, "idle-timeout").filter(|d| !d.is_zero()),
            only_one: non_empty(attrs, "only-one"),
            builtin: flag(attrs, "default"),
            comment: non_empty(attrs, "comment"),
        })
    }
}

/// A `/ppp/active` session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PppActive {
    /// `.id`.
    pub id: ItemId,
    /// `name`: the PPP user.
    pub name: Value,
    /// `service` (`pppoe`, ...).
    pub service: Value,
    /// `caller-id`: for PPPoE, the subscriber's MAC address.
    pub caller_id: Value,
    /// `address` given to the subscriber.
    pub address: Option<Value>,
    /// `uptime`.
    pub uptime: Option<Duration>,
    /// `session-id`.
    pub session_id: Option<Value>,
    /// `bytes-in`, when the router reports it.
    pub bytes_in: Option<u64>,
    /// `bytes-out`, when the router reports it.
    pub bytes_out: Option<u64>,
}

impl PppActive {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        Ok(Self {
            id: parse::id(attrs)?,
            name: text(attrs, "name"),
            service: text(attrs, "service"),
            caller_id: text(attrs, "caller-id"),
            address: non_empty(attrs, "address"),
            uptime: parse::duration(attrs, "uptime"),
            session_id: non_empty(attrs, "session-id"),
            bytes_in: number(attrs, "bytes-in"),
            bytes_out: number(attrs, "bytes-out"),
        })
    }
}

/// A change in `/ppp/active`, from `listen`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActiveEvent {
    /// A session started or changed.
    Up(Box<PppActive>),
    /// A session ended (`=.dead=yes`).
    Gone(ItemId),
}

impl ActiveEvent {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        if flag(attrs, ".dead") {
            Ok(Self::Gone(parse::id(attrs)?))
        } else {
            Ok(Self::Up(Box::new(PppActive::parse(attrs)?)))
        }
    }
}

/// An `/ip/firewall/address-list` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressListEntry {
    /// `.id`.
    pub id: ItemId,
    /// `list`.
    pub list: Value,
    /// `address` (an address, a range, a subnet or a DNS name).
    pub address: Value,
    /// `timeout`, for dynamic entries.
    pub timeout: Option<Value>,
    /// `dynamic`.
    pub dynamic: bool,
    /// `disabled`.
    pub disabled: bool,
    /// `comment`.
    pub comment: Option<Value>,
}

impl AddressListEntry {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        Ok(Self {
            id: parse::id(attrs)?,
            list: text(attrs, "list"),
            address: text(attrs, "address"),
            timeout: non_empty(attrs, "timeout"),
            dynamic: flag(attrs, "dynamic"),
            disabled: flag(attrs, "disabled"),
            comment: non_empty(attrs, "comment"),
        })
    }
}

/// A `/queue/simple`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleQueue {
    /// `.id`.
    pub id: ItemId,
    /// `name`.
    pub name: Value,
    /// `target`, e.g. `10.0.0.5/32`.
    pub target: Value,
    /// `max-limit`, `upload/download`.
    pub max_limit: Option<Value>,
    /// `limit-at`.
    pub limit_at: Option<Value>,
    /// `burst-limit`.
    pub burst_limit: Option<Value>,
    /// `burst-threshold`.
    pub burst_threshold: Option<Value>,
    /// `burst-time`.
    pub burst_time: Option<Value>,
    /// `disabled`.
    pub disabled: bool,
    /// `comment`.
    pub comment: Option<Value>,
}

impl SimpleQueue {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        Ok(Self {
            id: parse::id(attrs)?,
            name: text(attrs, "name"),
            target: text(attrs, "target"),
            max_limit: non_empty(attrs, "max-limit"),
            limit_at: non_empty(attrs, "limit-at"),
            burst_limit: non_empty(attrs, "burst-limit"),
            burst_threshold: non_empty(attrs, "burst-threshold"),
            burst_time: non_empty(attrs, "burst-time"),
            disabled: flag(attrs, "disabled"),
            comment: non_empty(attrs, "comment"),
        })
    }
}

/// A `/radius` entry: a RADIUS server the router asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusServer {
    /// `.id`.
    pub id: ItemId,
    /// `service`: what asks this server, comma-separated (`ppp,login`).
    pub service: Value,
    /// `address`.
    pub address: Option<Value>,
    /// `secret` (absent when the API user may not read it).
    pub secret: Option<Password>,
    /// `authentication-port`.
    pub authentication_port: Option<u16>,
    /// `accounting-port`.
    pub accounting_port: Option<u16>,
    /// `disabled`.
    pub disabled: bool,
    /// `comment`.
    pub comment: Option<Value>,
}

impl RadiusServer {
    pub(crate) fn parse(attrs: &Attributes) -> Result<Self, ClientError> {
        Ok(Self {
            id: parse::id(attrs)?,
            service: text(attrs, "service"),
            address: non_empty(attrs, "address"),
            secret: value(attrs, "secret").map(Password::new),
            authentication_port: number(attrs, "authentication-port"),
            accounting_port: number(attrs, "accounting-port"),
            disabled: flag(attrs, "disabled"),
            comment: non_empty(attrs, "comment"),
        })
    }
}

/// `/ppp/aaa`: whether PPP asks RADIUS, and its accounting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PppAaa {
    /// `use-radius`.
    pub use_radius: bool,
    /// `accounting`.
    pub accounting: bool,
    /// `interim-update`; zero (or absent) sends counters only at the end.
    pub interim_update: Option<Duration>,
}

impl PppAaa {
    pub(crate) fn parse(attrs: &Attributes) -> Self {
        Self {
            use_radius: flag(attrs, "use-radius"),
            accounting: flag(attrs, "accounting"),
            interim_update: parse::duration(attrs, "interim-update"),
        }
    }
}

/// `/radius/incoming`: whether the router takes Disconnect and CoA requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusIncoming {
    /// `accept`.
    pub accept: bool,
    /// `port`.
    pub port: Option<u16>,
}

impl RadiusIncoming {
    pub(crate) fn parse(attrs: &Attributes) -> Self {
        Self { accept: flag(attrs, "accept"), port: number(attrs, "port") }
    }
}

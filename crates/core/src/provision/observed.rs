//! What a router holds, as the reconciler needs it: plain strings as the
//! router printed them (the engine converts its client's types, decoding
//! cp1252 text), with the router's `.id` to address each object.

use std::net::IpAddr;

use crate::provision::Password;
use crate::provision::marker::{Installation, Mark, Ownership};

/// One router's state in the menus Headend manages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedRouter {
    pub profiles: Vec<ObservedProfile>,
    pub secrets: Vec<ObservedSecret>,
    pub sessions: Vec<ObservedSession>,
    /// Entries of Headend's two address-lists only.
    pub addresses: Vec<ObservedAddress>,
    /// Empty when queues are not read (static queues off).
    pub queues: Vec<ObservedQueue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedProfile {
    pub id: String,
    pub name: String,
    pub rate_limit: Option<String>,
    /// `session-timeout` in seconds; `None` when unset or zero.
    pub session_timeout: Option<u32>,
    /// `idle-timeout` in seconds; `None` when unset or zero.
    pub idle_timeout: Option<u32>,
    /// `remote-address`: a pool's name (or an address).
    pub remote_address: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedSecret {
    pub id: String,
    pub name: String,
    /// `None` when the API user may not read passwords (no `sensitive`
    /// policy): the password is then never compared.
    pub password: Option<Password>,
    pub profile: String,
    /// `remote-address`: a fixed address for the user.
    pub remote_address: Option<String>,
    pub disabled: bool,
    pub comment: Option<String>,
}

/// A live PPP session (`/ppp/active`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedSession {
    pub id: String,
    pub name: String,
    pub address: Option<IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedAddress {
    pub id: String,
    pub list: String,
    /// As printed: an address, a prefix, a range or a DNS name.
    pub address: String,
    pub dynamic: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedQueue {
    pub id: String,
    pub name: String,
    pub target: String,
    pub max_limit: Option<String>,
    pub comment: Option<String>,
}

/// Objects that may carry a [`Mark`] in their comment.
pub trait Marked {
    fn comment(&self) -> Option<&str>;

    /// Whose the object is, for `installation`.
    fn ownership(&self, installation: &Installation) -> Ownership {
        Mark::ownership(self.comment(), installation)
    }
}

macro_rules! marked {
    ($($t:ty),*) => {$(
        impl Marked for $t {
            fn comment(&self) -> Option<&str> {
                self.comment.as_deref()
            }
        }
    )*};
}

marked!(ObservedProfile, ObservedSecret, ObservedAddress, ObservedQueue);

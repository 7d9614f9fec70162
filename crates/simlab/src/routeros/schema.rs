//! The menus the simulator knows, and their properties.

use std::collections::BTreeMap;

use headend_routeros::Value;

/// A menu backed by a table of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Menu {
    Interface,
    PppSecret,
    PppProfile,
    PppActive,
    AddressList,
    SimpleQueue,
    Radius,
}

impl Menu {
    pub(crate) const ALL: [Self; 7] = [
        Self::Interface,
        Self::PppSecret,
        Self::PppProfile,
        Self::PppActive,
        Self::AddressList,
        Self::SimpleQueue,
        Self::Radius,
    ];

    pub(crate) fn from_path(path: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.schema().path.as_bytes() == path)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn schema(self) -> &'static Schema {
        match self {
            Self::Interface => &INTERFACE,
            Self::PppSecret => &PPP_SECRET,
            Self::PppProfile => &PPP_PROFILE,
            Self::PppActive => &PPP_ACTIVE,
            Self::AddressList => &ADDRESS_LIST,
            Self::SimpleQueue => &SIMPLE_QUEUE,
            Self::Radius => &RADIUS,
        }
    }
}

/// A menu that is one set of properties rather than a table (like
/// `/system/identity`): `print` shows it without `.id`, `set` changes it.
/// Its schema's `defaults` are its values at start, in print order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Singleton {
    PppAaa,
    RadiusIncoming,
}

impl Singleton {
    pub(crate) const ALL: [Self; 2] = [Self::PppAaa, Self::RadiusIncoming];

    pub(crate) fn from_path(path: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.schema().path.as_bytes() == path)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn schema(self) -> &'static Schema {
        match self {
            Self::PppAaa => &PPP_AAA,
            Self::RadiusIncoming => &RADIUS_INCOMING,
        }
    }

    /// The values at start, by field index.
    pub(crate) fn initial(self) -> BTreeMap<usize, Value> {
        let schema = self.schema();
        schema.defaults.iter().filter_map(|(k, v)| Some((schema.field(k.as_bytes())?, Value::from(*v)))).collect()
    }
}

/// What a menu's items hold and which commands it takes.
#[derive(Debug)]
pub(crate) struct Schema {
    pub(crate) path: &'static str,
    /// Every property, in print order (`.id` comes first, implicitly).
    pub(crate) fields: &'static [&'static str],
    /// Values given to properties an `add` leaves out.
    pub(crate) defaults: &'static [(&'static str, &'static str)],
    /// Properties that only take yes/no/true/false.
    pub(crate) bools: &'static [&'static str],
    /// Properties `add` must be given.
    pub(crate) required: &'static [&'static str],
    /// Properties that cannot be set by `add`/`set` (computed or
    /// managed by the router).
    pub(crate) read_only: &'static [&'static str],
    /// Properties that together identify an item; empty: none.
    pub(crate) unique: &'static [&'static str],
    /// The trap message for a duplicate.
    pub(crate) duplicate: &'static str,
    /// Commands of the menu.
    pub(crate) verbs: &'static [&'static str],
}

impl Schema {
    pub(crate) fn field(&self, name: &[u8]) -> Option<usize> {
        self.fields.iter().position(|f| f.as_bytes() == name)
    }

    /// The index of a property `add`/`set` may change.
    pub(crate) fn settable(&self, name: &[u8]) -> Option<usize> {
        let idx = self.field(name)?;
        let field = self.fields.get(idx)?;
        (!self.read_only.contains(field)).then_some(idx)
    }
}

const ALL_VERBS: &[&str] = &["print", "getall", "listen", "add", "set", "unset", "remove", "enable", "disable"];

pub(crate) static INTERFACE: Schema = Schema {
    path: "/interface",
    fields: &[
        "name",
        "default-name",
        "type",
        "mtu",
        "actual-mtu",
        "mac-address",
        "rx-byte",
        "tx-byte",
        "rx-packet",
        "tx-packet",
        "running",
        "disabled",
        "comment",
    ],
    defaults: &[],
    bools: &["running", "disabled"],
    required: &[],
    read_only: &[
        "default-name",
        "type",
        "actual-mtu",
        "mac-address",
        "rx-byte",
        "tx-byte",
        "rx-packet",
        "tx-packet",
        "running",
    ],
    unique: &["name"],
    duplicate: "failure: already have interface with such name",
    verbs: &["print", "getall", "listen", "set", "enable", "disable"],
};

pub(crate) static PPP_SECRET: Schema = Schema {
    path: "/ppp/secret",
    fields: &[
        "name",
        "service",
        "caller-id",
        "password",
        "profile",
        "local-address",
        "remote-address",
        "routes",
        "limit-bytes-in",
        "limit-bytes-out",
        "disabled",
        "comment",
    ],
    defaults: &[
        ("service", "any"),
        ("caller-id", ""),
        ("password", ""),
        ("profile", "default"),
        ("routes", ""),
        ("limit-bytes-in", "0"),
        ("limit-bytes-out", "0"),
        ("disabled", "false"),
    ],
    bools: &["disabled"],
    required: &["name"],
    read_only: &[],
    unique: &["name"],
    duplicate: "failure: secret with the same name already exists",
    verbs: ALL_VERBS,
};

pub(crate) static PPP_PROFILE: Schema = Schema {
    path: "/ppp/profile",
    fields: &[
        "name",
        "local-address",
        "remote-address",
        "dns-server",
        "address-list",
        "rate-limit",
        "session-timeout",
        "idle-timeout",
        "only-one",
        "change-tcp-mss",
        "use-encryption",
        "default",
        "comment",
    ],
    defaults: &[
        ("only-one", "default"),
        ("change-tcp-mss", "default"),
        ("use-encryption", "default"),
        ("default", "false"),
    ],
    bools: &[],
    required: &["name"],
    read_only: &["default"],
    unique: &["name"],
    duplicate: "failure: profile with the same name already exists",
    verbs: &["print", "getall", "listen", "add", "set", "unset", "remove"],
};

pub(crate) static PPP_ACTIVE: Schema = Schema {
    path: "/ppp/active",
    fields: &[
        "name",
        "service",
        "caller-id",
        "encoding",
        "address",
        "uptime",
        "session-id",
        "limit-bytes-in",
        "limit-bytes-out",
        "radius",
        "bytes-in",
        "bytes-out",
    ],
    defaults: &[],
    bools: &["radius"],
    required: &[],
    read_only: &[],
    unique: &[],
    duplicate: "",
    verbs: &["print", "getall", "listen", "remove"],
};

pub(crate) static ADDRESS_LIST: Schema = Schema {
    path: "/ip/firewall/address-list",
    fields: &["list", "address", "timeout", "dynamic", "disabled", "comment"],
    defaults: &[("dynamic", "false"), ("disabled", "false")],
    bools: &["dynamic", "disabled"],
    required: &["list", "address"],
    read_only: &["dynamic"],
    unique: &["list", "address"],
    duplicate: "failure: already have such entry",
    verbs: ALL_VERBS,
};

pub(crate) static SIMPLE_QUEUE: Schema = Schema {
    path: "/queue/simple",
    fields: &[
        "name",
        "target",
        "parent",
        "priority",
        "queue",
        "limit-at",
        "max-limit",
        "burst-limit",
        "burst-threshold",
        "burst-time",
        "bytes",
        "packets",
        "dynamic",
        "disabled",
        "comment",
    ],
    defaults: &[
        ("parent", "none"),
        ("priority", "8/8"),
        ("queue", "default-small/default-small"),
        ("limit-at", "0/0"),
        ("max-limit", "0/0"),
        ("burst-limit", "0/0"),
        ("burst-threshold", "0/0"),
        ("burst-time", "0s/0s"),
        ("bytes", "0/0"),
        ("packets", "0/0"),
        ("dynamic", "false"),
        ("disabled", "false"),
    ],
    bools: &["dynamic", "disabled"],
    required: &["target"],
    read_only: &["bytes", "packets", "dynamic"],
    unique: &["name"],
    duplicate: "failure: already have such name",
    verbs: ALL_VERBS,
};

/// RADIUS servers the router asks (`service` is a comma-separated list:
/// `ppp`, `login`, `hotspot`, ...). `secret` stays out of logs, as every
/// property named like a password does.
pub(crate) static RADIUS: Schema = Schema {
    path: "/radius",
    fields: &[
        "service",
        "address",
        "secret",
        "authentication-port",
        "accounting-port",
        "timeout",
        "disabled",
        "comment",
    ],
    defaults: &[
        ("service", ""),
        ("secret", ""),
        ("authentication-port", "1812"),
        ("accounting-port", "1813"),
        ("timeout", "300ms"),
        ("disabled", "false"),
    ],
    bools: &["disabled"],
    required: &["address"],
    read_only: &[],
    unique: &[],
    duplicate: "",
    verbs: ALL_VERBS,
};

const SINGLETON_VERBS: &[&str] = &["print", "getall", "set"];

/// Whether PPP asks RADIUS, and its accounting.
pub(crate) static PPP_AAA: Schema = Schema {
    path: "/ppp/aaa",
    fields: &["use-radius", "accounting", "interim-update"],
    defaults: &[("use-radius", "false"), ("accounting", "true"), ("interim-update", "0s")],
    bools: &["use-radius", "accounting"],
    required: &[],
    read_only: &[],
    unique: &[],
    duplicate: "",
    verbs: SINGLETON_VERBS,
};

/// Whether the router takes Disconnect and CoA requests, and on which port.
pub(crate) static RADIUS_INCOMING: Schema = Schema {
    path: "/radius/incoming",
    fields: &["accept", "port"],
    defaults: &[("accept", "false"), ("port", "3799")],
    bools: &["accept"],
    required: &[],
    read_only: &[],
    unique: &[],
    duplicate: "",
    verbs: SINGLETON_VERBS,
};

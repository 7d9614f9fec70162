//! The router's state and the commands that read and change it.
//!
//! Everything here is synchronous and runs under one mutex; no lock is
//! held across an await.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use headend_radius::{AcctStatusType, Attribute, Authorization, Code, ErrorCause, Packet, TerminateCause};
use headend_routeros::{Attributes, Command, Reply, Tag, TrapCategory, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::query;
use super::radius::{self, CoaFault, NasLink, RadiusSession, Report, Selector};
use super::schema::{Menu, Schema, Singleton};
use super::{Faults, Persona, SimConfig, SimStats};

pub(crate) type ConnId = u64;

/// A small deterministic generator (xorshift64*): the simulator needs
/// reproducible choices, not good randomness.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// One item: its properties by schema index.
#[derive(Debug, Clone, Default)]
struct Item {
    values: BTreeMap<usize, Value>,
}

#[derive(Debug, Default)]
struct Table {
    items: BTreeMap<u32, Item>,
    next_id: u32,
}

impl Table {
    fn insert(&mut self, item: Item) -> u32 {
        self.next_id = self.next_id.saturating_add(1);
        let id = self.next_id;
        self.items.insert(id, item);
        id
    }
}

/// Counters of an active session, and what RADIUS granted it.
#[derive(Debug, Clone)]
struct SessionMeta {
    started: Instant,
    /// Bytes per second.
    rate_in: u64,
    rate_out: u64,
    radius: Option<RadiusSession>,
}

/// A `listen` (or `print =follow=`) in progress.
#[derive(Debug)]
pub(crate) struct Listener {
    conn: ConnId,
    tag: Option<Tag>,
    menu: Menu,
    props: Option<Vec<Value>>,
    tx: mpsc::UnboundedSender<Reply>,
}

/// The whole router.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) persona: Persona,
    pub(crate) username: String,
    pub(crate) password: String,
    identity: Value,
    started: Instant,
    tables: Vec<Table>,
    /// One item per [`Singleton`] menu, by its index.
    singletons: Vec<Item>,
    sessions: BTreeMap<u32, SessionMeta>,
    sessions_made: u64,
    listeners: Vec<Listener>,
    pub(crate) rng: Rng,
    pub(crate) stats: SimStats,
    pub(crate) faults: Faults,
    writes_seen: u64,
    /// RADIUS mode, when on.
    pub(crate) nas: Option<NasLink>,
}

/// The n-th session's id as RouterOS shows it (`session-id` adds `0x`;
/// Acct-Session-Id is this).
fn session_id(n: u64) -> String {
    format!("81{n:06X}")
}

pub(crate) fn id_text(id: u32) -> String {
    format!("*{id:X}")
}

fn parse_id(text: &[u8]) -> Option<u32> {
    let hex = std::str::from_utf8(text.strip_prefix(b"*")?).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

fn done(tag: Option<Tag>) -> Reply {
    Reply::Done { tag, ret: None, attrs: Attributes::new() }
}

fn done_ret(tag: Option<Tag>, ret: impl Into<Value>) -> Reply {
    Reply::Done { tag, ret: Some(ret.into()), attrs: Attributes::new() }
}

fn re(tag: Option<Tag>, attrs: Attributes) -> Reply {
    Reply::Re { tag, attrs }
}

/// `!trap` then `!done`, as RouterOS answers a failed command.
pub(crate) fn fail(tag: Option<Tag>, category: Option<u32>, message: impl Into<Value>) -> Vec<Reply> {
    vec![
        Reply::Trap {
            tag,
            category: category.map(TrapCategory::from_code),
            message: message.into(),
            attrs: Attributes::new(),
        },
        done(tag),
    ]
}

/// `1w2d3h4m5s`, as RouterOS prints durations; `0s` for zero.
pub(crate) fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, len) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        let n = secs / len;
        secs %= len;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

/// Keep only the properties in `props` (when given), in item order.
fn project(attrs: Attributes, props: Option<&[Value]>) -> Attributes {
    match props {
        None => attrs,
        Some(props) => attrs.into_iter().filter(|(name, _)| props.iter().any(|p| p == name)).collect(),
    }
}

/// Bytes moved after `elapsed` at `rate` bytes per second.
fn volume(elapsed: Duration, rate: u64) -> u64 {
    let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    ms.saturating_mul(rate) / 1000
}

type Replies = Vec<Reply>;

impl State {
    pub(crate) fn new(config: &SimConfig) -> Self {
        let mut state = Self {
            persona: config.persona,
            username: config.username.clone(),
            password: config.password.clone(),
            identity: Value::from(config.identity.as_str()),
            started: Instant::now(),
            tables: Menu::ALL.iter().map(|_| Table::default()).collect(),
            singletons: Singleton::ALL.iter().map(|s| Item { values: s.initial() }).collect(),
            sessions: BTreeMap::new(),
            sessions_made: 0,
            listeners: Vec::new(),
            rng: Rng::new(config.seed),
            stats: SimStats::default(),
            faults: config.faults.clone(),
            writes_seen: 0,
            nas: None,
        };
        for n in 1..=config.interfaces {
            let mac = format!("02:00:00:00:{:02X}:{:02X}", (n >> 8) & 0xFF, n & 0xFF);
            let name = format!("ether{n}");
            state.insert_raw(
                Menu::Interface,
                &[
                    ("name", name.as_str()),
                    ("default-name", name.as_str()),
                    ("type", "ether"),
                    ("mtu", "1500"),
                    ("actual-mtu", "1500"),
                    ("mac-address", mac.as_str()),
                    ("running", "true"),
                    ("disabled", "false"),
                ],
            );
        }
        for (name, enc) in [("default", "default"), ("default-encryption", "yes")] {
            state.insert_raw(
                Menu::PppProfile,
                &[
                    ("name", name),
                    ("only-one", "default"),
                    ("change-tcp-mss", "yes"),
                    ("use-encryption", enc),
                    ("default", "true"),
                ],
            );
        }
        for n in 1..=config.secrets {
            let name = format!("user{n:05}");
            let password = format!("pass{n}");
            state.insert_raw(
                Menu::PppSecret,
                &[
                    ("name", name.as_str()),
                    ("service", "pppoe"),
                    ("caller-id", ""),
                    ("password", password.as_str()),
                    ("profile", "default"),
                    ("routes", ""),
                    ("limit-bytes-in", "0"),
                    ("limit-bytes-out", "0"),
                    ("disabled", "false"),
                ],
            );
        }
        for n in 1..=config.active_sessions.min(config.secrets) {
            state.connect_session(&Value::from(format!("user{n:05}")));
        }
        state
    }

    fn table(&self, menu: Menu) -> &Table {
        // `tables` has one entry per menu, made in `new`.
        &self.tables[menu.index()]
    }

    fn table_mut(&mut self, menu: Menu) -> &mut Table {
        &mut self.tables[menu.index()]
    }

    fn insert_raw(&mut self, menu: Menu, values: &[(&str, &str)]) -> u32 {
        let schema = menu.schema();
        let item = Item {
            values: values.iter().filter_map(|(k, v)| Some((schema.field(k.as_bytes())?, Value::from(*v)))).collect(),
        };
        self.table_mut(menu).insert(item)
    }

    /// Number of items in a menu.
    pub(crate) fn count(&self, menu: Menu) -> usize {
        self.table(menu).items.len()
    }

    /// Rendered items of a menu (for the handle's inspection helpers).
    pub(crate) fn items(&self, menu: Menu) -> Vec<Attributes> {
        let now = Instant::now();
        self.table(menu).items.iter().map(|(&id, item)| self.render(menu, id, item, now)).collect()
    }

    /// One item by its `*HEX` id, rendered (REST's `GET /rest/<menu>/<id>`
    /// and the answer of its `PUT`/`PATCH`); counted as a `print` when
    /// `count` (a request of its own). `None` for an unknown menu or id.
    pub(crate) fn item(&mut self, menu_path: &str, id: &[u8], count: bool) -> Option<Attributes> {
        let menu = Menu::from_path(menu_path.as_bytes())?;
        if count {
            self.stats.commands += 1;
            *self.stats.commands_by_path.entry(format!("{menu_path}/print")).or_default() += 1;
        }
        let id = parse_id(id)?;
        let item = self.table(menu).items.get(&id)?;
        Some(self.render(menu, id, item, Instant::now()))
    }

    fn computed(&self, menu: Menu, id: u32, field: &str, now: Instant) -> Option<Value> {
        match (menu, field) {
            (Menu::PppActive, "uptime" | "bytes-in" | "bytes-out") => {
                let meta = self.sessions.get(&id)?;
                let elapsed = now.saturating_duration_since(meta.started);
                Some(Value::from(match field {
                    "uptime" => format_duration(elapsed),
                    "bytes-in" => volume(elapsed, meta.rate_in).to_string(),
                    _ => volume(elapsed, meta.rate_out).to_string(),
                }))
            }
            (Menu::Interface, "rx-byte" | "tx-byte" | "rx-packet" | "tx-packet") => {
                let elapsed = now.saturating_duration_since(self.started);
                let rate = u64::from(id).saturating_mul(125_000);
                let n = match field {
                    "rx-byte" => volume(elapsed, rate),
                    "tx-byte" => volume(elapsed, rate / 4),
                    "rx-packet" => volume(elapsed, rate / 1000),
                    _ => volume(elapsed, rate / 4000),
                };
                Some(Value::from(n.to_string()))
            }
            _ => None,
        }
    }

    fn render(&self, menu: Menu, id: u32, item: &Item, now: Instant) -> Attributes {
        let schema = menu.schema();
        let mut attrs = Attributes::new();
        attrs.push(".id", id_text(id));
        for (idx, &field) in schema.fields.iter().enumerate() {
            if let Some(v) = self.computed(menu, id, field, now) {
                attrs.push(field, v);
            } else if let Some(v) = item.values.get(&idx) {
                attrs.push(field, v.clone());
            }
        }
        attrs
    }

    fn resource(&self) -> Attributes {
        let uptime = Instant::now().saturating_duration_since(self.started);
        let secs = uptime.as_secs();
        let total: u64 = 1 << 30;
        [
            ("uptime", format_duration(uptime)),
            ("version", self.persona.version().to_owned()),
            ("build-time", "2025-01-01 00:00:00".to_owned()),
            ("free-memory", (total - (total / 8) - (secs % 4096) * 1024).to_string()),
            ("total-memory", total.to_string()),
            ("cpu", "QEMU".to_owned()),
            ("cpu-count", "2".to_owned()),
            ("cpu-frequency", "2400".to_owned()),
            ("cpu-load", (secs % 17).to_string()),
            ("free-hdd-space", "80000000".to_owned()),
            ("total-hdd-space", "134217728".to_owned()),
            ("architecture-name", "x86_64".to_owned()),
            ("board-name", "CHR".to_owned()),
            ("platform", "MikroTik".to_owned()),
        ]
        .into_iter()
        .collect()
    }

    /// Run one command of a logged-in connection.
    pub(crate) fn execute(
        &mut self,
        command: &Command,
        conn: ConnId,
        events: &mpsc::UnboundedSender<Reply>,
    ) -> Replies {
        let tag = command.tag();
        let path = command.path().as_bytes();
        self.stats.commands += 1;
        *self.stats.commands_by_path.entry(command.path().to_string()).or_default() += 1;
        match path {
            b"/cancel" => return self.cancel(command, conn),
            b"/system/identity/print" | b"/system/identity/getall" => {
                let attrs = [("name", self.identity.clone())].into_iter().collect();
                return vec![re(tag, project(attrs, command.props())), done(tag)];
            }
            b"/system/identity/set" => {
                if let Some(trap) = self.write_fault(tag) {
                    return trap;
                }
                return match command.attributes().get("name") {
                    Some(name) => {
                        self.identity = name.clone();
                        vec![done(tag)]
                    }
                    None => fail(tag, Some(1), "missing value(s) of argument(s) name"),
                };
            }
            b"/system/resource/print" | b"/system/resource/getall" => {
                return vec![re(tag, project(self.resource(), command.props())), done(tag)];
            }
            _ => {}
        }
        let split = path.iter().rposition(|&b| b == b'/').unwrap_or(0);
        let (menu_path, verb) =
            (path.get(..split).unwrap_or_default(), path.get(split.saturating_add(1)..).unwrap_or_default());
        if let Some(single) = Singleton::from_path(menu_path) {
            return self.singleton(single, verb, command);
        }
        let Some(menu) = Menu::from_path(menu_path) else {
            if menu_path == b"/system/identity" || menu_path == b"/system/resource" {
                return fail(tag, Some(0), "no such command");
            }
            return fail(tag, Some(0), "no such command prefix");
        };
        let verb = std::str::from_utf8(verb).unwrap_or_default();
        if !menu.schema().verbs.contains(&verb) {
            return fail(tag, Some(0), "no such command");
        }
        match verb {
            "print" | "getall" => self.print(menu, command, conn, events),
            "listen" => {
                self.listen(menu, command, conn, events);
                Vec::new()
            }
            _ => {
                if let Some(trap) = self.write_fault(tag) {
                    return trap;
                }
                match verb {
                    "add" => self.add(menu, command),
                    "set" => self.set(menu, command),
                    "unset" => self.unset(menu, command),
                    "remove" => self.remove(menu, command),
                    "enable" => self.set_disabled(menu, command, false),
                    _ => self.set_disabled(menu, command, true),
                }
            }
        }
    }

    /// `print` or `set` of a menu that is one set of properties.
    fn singleton(&mut self, single: Singleton, verb: &[u8], command: &Command) -> Replies {
        let tag = command.tag();
        let schema = single.schema();
        let verb = std::str::from_utf8(verb).unwrap_or_default();
        if !schema.verbs.contains(&verb) {
            return fail(tag, Some(0), "no such command");
        }
        if verb != "set" {
            let values = &self.singletons[single.index()].values;
            let attrs = schema.fields.iter().enumerate().filter_map(|(i, f)| Some((*f, values.get(&i)?.clone())));
            return vec![re(tag, project(attrs.collect(), command.props())), done(tag)];
        }
        if let Some(trap) = self.write_fault(tag) {
            return trap;
        }
        match Self::arguments(schema, command) {
            Ok(changes) => {
                self.singletons[single.index()].values.extend(changes);
                vec![done(tag)]
            }
            Err(message) => fail(tag, Some(1), message),
        }
    }

    /// Count a write; `Some` when the trap fault refuses it.
    fn write_fault(&mut self, tag: Option<Tag>) -> Option<Replies> {
        self.stats.writes += 1;
        self.writes_seen += 1;
        let every = u64::from(self.faults.trap_every_nth_write.unwrap_or(0));
        (every > 0 && self.writes_seen.is_multiple_of(every)).then(|| fail(tag, None, "failure: simulated fault"))
    }

    fn print(&mut self, menu: Menu, command: &Command, conn: ConnId, events: &mpsc::UnboundedSender<Reply>) -> Replies {
        let tag = command.tag();
        let args = command.attributes();
        let follow = args.contains("follow");
        let follow_only = args.contains("follow-only");
        let count_only = args.contains("count-only");
        let mut out = Vec::new();
        if !follow_only {
            let now = Instant::now();
            let mut count = 0_usize;
            for (&id, item) in &self.table(menu).items {
                let attrs = self.render(menu, id, item, now);
                match query::matches(&attrs, command.queries()) {
                    Err(message) => return fail(tag, Some(1), message),
                    Ok(false) => continue,
                    Ok(true) => {}
                }
                count += 1;
                if !count_only {
                    out.push(re(tag, project(attrs, command.props())));
                }
            }
            if count_only {
                return vec![done_ret(tag, count.to_string())];
            }
            if count == 0 && self.persona == Persona::V7 && !follow {
                out.push(Reply::Empty { tag });
            }
        }
        if follow || follow_only {
            self.listen(menu, command, conn, events);
            return out;
        }
        out.push(done(tag));
        out
    }

    fn listen(&mut self, menu: Menu, command: &Command, conn: ConnId, events: &mpsc::UnboundedSender<Reply>) {
        self.listeners.push(Listener {
            conn,
            tag: command.tag(),
            menu,
            props: command.props().map(<[Value]>::to_vec),
            tx: events.clone(),
        });
    }

    fn cancel(&mut self, command: &Command, conn: ConnId) -> Replies {
        let tag = command.tag();
        let target = match command.attributes().get("tag") {
            Some(t) => match Tag::parse(t.as_bytes()) {
                Ok(t) => Some(t),
                Err(_) => return fail(tag, Some(1), "invalid value for argument tag"),
            },
            None => None,
        };
        let mut out = Vec::new();
        let mut kept = Vec::with_capacity(self.listeners.len());
        for listener in std::mem::take(&mut self.listeners) {
            let hit = listener.conn == conn && target.is_none_or(|t| listener.tag == Some(t));
            if hit {
                out.extend(fail(listener.tag, Some(2), "interrupted"));
            } else {
                kept.push(listener);
            }
        }
        self.listeners = kept;
        out.push(done(tag));
        out
    }

    /// Drop the listeners of a closed connection.
    pub(crate) fn forget_connection(&mut self, conn: ConnId) {
        self.listeners.retain(|l| l.conn != conn);
    }

    /// Tell listeners of `menu` that item `id` changed (or is gone).
    fn notify(&mut self, menu: Menu, id: u32) {
        if !self.listeners.iter().any(|l| l.menu == menu) {
            return;
        }
        let now = Instant::now();
        let item = self.table(menu).items.get(&id).map(|item| self.render(menu, id, item, now));
        self.listeners.retain(|l| {
            if l.menu != menu {
                return true;
            }
            let attrs = match &item {
                Some(attrs) => project(attrs.clone(), l.props.as_deref()),
                None => [(".id", id_text(id)), (".dead", "yes".to_owned())].into_iter().collect(),
            };
            l.tx.send(re(l.tag, attrs)).is_ok()
        });
    }

    /// Check and normalize the `=name=value` arguments of add/set.
    fn arguments(schema: &Schema, command: &Command) -> Result<BTreeMap<usize, Value>, Value> {
        let mut values = BTreeMap::new();
        for (name, value) in command.attributes().iter() {
            if name == ".id" || name == "numbers" {
                continue;
            }
            let Some(idx) = schema.settable(name.as_bytes()) else {
                return Err(Value::from(format!("unknown parameter {name}")));
            };
            let value = if schema.fields.get(idx).is_some_and(|f| schema.bools.contains(f)) {
                match query::as_bool(value.as_bytes()) {
                    Some(b) => Value::from(if b { "true" } else { "false" }),
                    None => {
                        return Err(Value::from(format!("value of {name} must be yes or no")));
                    }
                }
            } else {
                value.clone()
            };
            values.insert(idx, value);
        }
        Ok(values)
    }

    /// Whether another item than `except` has the same unique key.
    fn duplicate(&self, menu: Menu, values: &BTreeMap<usize, Value>, except: Option<u32>) -> bool {
        let schema = menu.schema();
        if schema.unique.is_empty() {
            return false;
        }
        let key: Vec<Option<&Value>> =
            schema.unique.iter().map(|f| schema.field(f.as_bytes()).and_then(|i| values.get(&i))).collect();
        self.table(menu).items.iter().any(|(&id, item)| {
            Some(id) != except
                && schema.unique.iter().zip(&key).all(|(f, want)| {
                    let have = schema.field(f.as_bytes()).and_then(|i| item.values.get(&i));
                    have == *want
                })
        })
    }

    fn add(&mut self, menu: Menu, command: &Command) -> Replies {
        let tag = command.tag();
        let schema = menu.schema();
        if command.attributes().contains(".id") {
            return fail(tag, Some(1), "unknown parameter .id");
        }
        let mut values = match Self::arguments(schema, command) {
            Ok(v) => v,
            Err(message) => return fail(tag, Some(1), message),
        };
        for required in schema.required {
            if !schema.field(required.as_bytes()).is_some_and(|i| values.contains_key(&i)) {
                return fail(tag, Some(1), format!("missing value(s) of argument(s) {required}"));
            }
        }
        for (name, default) in schema.defaults {
            if let Some(idx) = schema.field(name.as_bytes()) {
                values.entry(idx).or_insert_with(|| Value::from(*default));
            }
        }
        if menu == Menu::SimpleQueue
            && let Some(idx) = schema.field(b"name")
        {
            let next = self.table(menu).next_id.saturating_add(1);
            values.entry(idx).or_insert_with(|| Value::from(format!("queue{next}")));
        }
        if self.duplicate(menu, &values, None) {
            return fail(tag, None, schema.duplicate);
        }
        let id = self.table_mut(menu).insert(Item { values });
        self.notify(menu, id);
        vec![done_ret(tag, id_text(id))]
    }

    /// The items named by `=.id=` (or `=numbers=`): `*HEX` ids or names,
    /// comma-separated.
    fn targets(&self, menu: Menu, command: &Command) -> Result<Vec<u32>, Replies> {
        let tag = command.tag();
        let args = command.attributes();
        let Some(list) = args.get(".id").or_else(|| args.get("numbers")) else {
            return Err(fail(tag, Some(1), "missing value(s) of argument(s) .id"));
        };
        let table = self.table(menu);
        let name_idx = menu.schema().field(b"name");
        let mut ids = Vec::new();
        for one in list.as_bytes().split(|&b| b == b',') {
            let found = match parse_id(one) {
                Some(id) => table.items.contains_key(&id).then_some(id),
                None => table.items.iter().find_map(|(&id, item)| {
                    let name = name_idx.and_then(|i| item.values.get(&i))?;
                    (name.as_bytes() == one).then_some(id)
                }),
            };
            match found {
                Some(id) => ids.push(id),
                None => return Err(fail(tag, None, "no such item")),
            }
        }
        Ok(ids)
    }

    fn set(&mut self, menu: Menu, command: &Command) -> Replies {
        let tag = command.tag();
        let schema = menu.schema();
        let ids = match self.targets(menu, command) {
            Ok(ids) => ids,
            Err(trap) => return trap,
        };
        let changes = match Self::arguments(schema, command) {
            Ok(v) => v,
            Err(message) => return fail(tag, Some(1), message),
        };
        for &id in &ids {
            let Some(item) = self.table(menu).items.get(&id) else {
                return fail(tag, None, "no such item");
            };
            let mut merged = item.values.clone();
            merged.extend(changes.iter().map(|(k, v)| (*k, v.clone())));
            if self.duplicate(menu, &merged, Some(id)) {
                return fail(tag, None, schema.duplicate);
            }
        }
        for &id in &ids {
            if let Some(item) = self.table_mut(menu).items.get_mut(&id) {
                item.values.extend(changes.iter().map(|(k, v)| (*k, v.clone())));
            }
            self.notify(menu, id);
        }
        vec![done(tag)]
    }

    /// `unset =numbers=ID =value-name=PROPERTY`: the property goes back to
    /// its default, or away when it has none.
    fn unset(&mut self, menu: Menu, command: &Command) -> Replies {
        let tag = command.tag();
        let schema = menu.schema();
        let ids = match self.targets(menu, command) {
            Ok(ids) => ids,
            Err(trap) => return trap,
        };
        let Some(name) = command.attributes().get("value-name") else {
            return fail(tag, Some(1), "missing value(s) of argument(s) value-name");
        };
        let required = schema.required.iter().any(|r| r.as_bytes() == name.as_bytes());
        let Some(field) = schema.settable(name.as_bytes()).filter(|_| !required) else {
            return fail(tag, Some(1), "invalid value for argument value-name");
        };
        let default =
            schema.defaults.iter().find(|(k, _)| k.as_bytes() == name.as_bytes()).map(|(_, v)| Value::from(*v));
        for &id in &ids {
            if let Some(item) = self.table_mut(menu).items.get_mut(&id) {
                match &default {
                    Some(value) => {
                        item.values.insert(field, value.clone());
                    }
                    None => {
                        item.values.remove(&field);
                    }
                }
            }
            self.notify(menu, id);
        }
        vec![done(tag)]
    }

    fn set_disabled(&mut self, menu: Menu, command: &Command, disabled: bool) -> Replies {
        let tag = command.tag();
        let ids = match self.targets(menu, command) {
            Ok(ids) => ids,
            Err(trap) => return trap,
        };
        let Some(idx) = menu.schema().field(b"disabled") else {
            return fail(tag, Some(0), "no such command");
        };
        for &id in &ids {
            if let Some(item) = self.table_mut(menu).items.get_mut(&id) {
                item.values.insert(idx, Value::from(if disabled { "true" } else { "false" }));
            }
            // Like RouterOS: disabling a secret does not end its session.
            self.notify(menu, id);
        }
        vec![done(tag)]
    }

    fn remove(&mut self, menu: Menu, command: &Command) -> Replies {
        let tag = command.tag();
        let ids = match self.targets(menu, command) {
            Ok(ids) => ids,
            Err(trap) => return trap,
        };
        if menu == Menu::PppProfile {
            let default_idx = menu.schema().field(b"default");
            let builtin = ids.iter().any(|id| {
                self.table(menu)
                    .items
                    .get(id)
                    .and_then(|item| item.values.get(&default_idx?))
                    .is_some_and(|v| v == "true")
            });
            if builtin {
                return fail(tag, None, "failure: cannot remove default profile");
            }
        }
        for id in ids {
            if menu == Menu::PppActive {
                self.end_session(id, TerminateCause::AdminReset, None);
            } else {
                self.table_mut(menu).items.remove(&id);
                self.notify(menu, id);
            }
        }
        vec![done(tag)]
    }

    fn secret_field(&self, id: u32, field: &str) -> Option<&Value> {
        let idx = Menu::PppSecret.schema().field(field.as_bytes())?;
        self.table(Menu::PppSecret).items.get(&id)?.values.get(&idx)
    }

    fn active_by_name(&self, name: &Value) -> Option<u32> {
        let idx = Menu::PppActive.schema().field(b"name")?;
        self.table(Menu::PppActive)
            .items
            .iter()
            .find_map(|(&id, item)| (item.values.get(&idx) == Some(name)).then_some(id))
    }

    /// A random locally administered MAC, as a PPPoE client's caller-id.
    pub(crate) fn random_mac(&mut self) -> String {
        let mac = self.rng.next_u64().to_be_bytes();
        format!("{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}", mac[0] & 0xFE, mac[1], mac[2], mac[3], mac[4], mac[5])
    }

    /// Start a PPPoE session for the enabled secret `name` (if it has none
    /// yet). Returns the session's id.
    pub(crate) fn connect_session(&mut self, name: &Value) -> Option<u32> {
        let name_idx = Menu::PppSecret.schema().field(b"name")?;
        let secret = self
            .table(Menu::PppSecret)
            .items
            .iter()
            .find_map(|(&id, item)| (item.values.get(&name_idx) == Some(name)).then_some(id))?;
        if self.secret_field(secret, "disabled").is_some_and(|v| v == "true") || self.active_by_name(name).is_some() {
            return None;
        }
        let address = self.secret_field(secret, "remote-address").cloned();
        let service = self
            .secret_field(secret, "service")
            .filter(|s| *s != "any")
            .cloned()
            .unwrap_or_else(|| Value::from("pppoe"));
        let caller_id = self.random_mac();
        Some(self.start_session(name.clone(), service, caller_id, address, None))
    }

    /// A session comes up in `/ppp/active`; without `address`, the next
    /// one of the router's pool. Returns its id.
    fn start_session(
        &mut self,
        name: Value,
        service: Value,
        caller_id: String,
        address: Option<Value>,
        radius: Option<RadiusSession>,
    ) -> u32 {
        self.sessions_made += 1;
        let n = self.sessions_made;
        let address = address
            .unwrap_or_else(|| Value::from(format!("10.{}.{}.{}", 64 + (n >> 16) % 64, (n >> 8) & 0xFF, n & 0xFF)));
        let schema = Menu::PppActive.schema();
        let values: BTreeMap<usize, Value> = [
            ("name", name),
            ("service", service),
            ("caller-id", Value::from(caller_id)),
            ("encoding", Value::from("")),
            ("address", address),
            ("session-id", Value::from(format!("0x{}", session_id(n)))),
            ("limit-bytes-in", Value::from("0")),
            ("limit-bytes-out", Value::from("0")),
            ("radius", Value::from(if radius.is_some() { "true" } else { "false" })),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((schema.field(k.as_bytes())?, v)))
        .collect();
        let id = self.table_mut(Menu::PppActive).insert(Item { values });
        let rate_in = 1_000 + self.rng.below(200_000);
        let meta = SessionMeta { started: Instant::now(), rate_in, rate_out: rate_in.saturating_mul(4), radius };
        self.sessions.insert(id, meta);
        self.notify(Menu::PppActive, id);
        id
    }

    /// End the session of `name`, if any: the subscriber hangs up
    /// (Accounting Stop, User-Request, in RADIUS mode; `done` hears when
    /// it was sent).
    pub(crate) fn disconnect_session(&mut self, name: &Value, done: Option<oneshot::Sender<()>>) -> bool {
        let Some(id) = self.active_by_name(name) else {
            return false;
        };
        self.end_session(id, TerminateCause::UserRequest, done);
        true
    }

    /// Remove session `id`; for a RADIUS session queue its Stop with
    /// `cause`.
    fn end_session(&mut self, id: u32, cause: TerminateCause, done: Option<oneshot::Sender<()>>) {
        let report = self.report(id, AcctStatusType::Stop, Some(cause), done);
        self.table_mut(Menu::PppActive).items.remove(&id);
        self.sessions.remove(&id);
        self.notify(Menu::PppActive, id);
        if let Some(report) = report {
            self.queue(report);
        }
    }

    fn active_field(&self, id: u32, field: &str) -> Option<&Value> {
        let idx = Menu::PppActive.schema().field(field.as_bytes())?;
        self.table(Menu::PppActive).items.get(&id)?.values.get(&idx)
    }

    /// What accounting reports of RADIUS session `id` now.
    fn report(
        &self,
        id: u32,
        status: AcctStatusType,
        cause: Option<TerminateCause>,
        done: Option<oneshot::Sender<()>>,
    ) -> Option<Report> {
        let meta = self.sessions.get(&id)?;
        let radius = meta.radius.as_ref()?;
        let text = |field| self.active_field(id, field).map(ToString::to_string).unwrap_or_default();
        let elapsed = Instant::now().saturating_duration_since(meta.started);
        Some(Report {
            status,
            user_name: text("name"),
            acct_session_id: radius.acct_session_id.clone(),
            framed_ip: text("address").parse().ok(),
            caller_id: text("caller-id"),
            input_octets: volume(elapsed, meta.rate_in),
            output_octets: volume(elapsed, meta.rate_out),
            session_time: u32::try_from(elapsed.as_secs()).unwrap_or(u32::MAX),
            cause,
            done,
        })
    }

    fn queue(&self, report: Report) {
        if let Some(nas) = &self.nas {
            // Closed only when the router stops.
            let _ = nas.reports.send(report);
        }
    }

    /// An Access-Accept for `user`: the session comes up with what was
    /// granted, and its Start is queued (`done` hears when it was sent).
    /// Returns its `.id`, Acct-Session-Id and address.
    pub(crate) fn start_radius_session(
        &mut self,
        user: &str,
        caller_id: String,
        granted: &Authorization,
        done: oneshot::Sender<()>,
    ) -> (String, String, Ipv4Addr) {
        let acct_session_id = session_id(self.sessions_made + 1);
        let radius = RadiusSession {
            acct_session_id: acct_session_id.clone(),
            rate_limit: granted.rate_limit.clone(),
            address_list: granted.address_list.clone(),
        };
        let address = granted.framed_ip_address.map(|ip| Value::from(ip.to_string()));
        let id = self.start_session(Value::from(user), Value::from("pppoe"), caller_id, address, Some(radius));
        let address = self
            .active_field(id, "address")
            .and_then(|v| v.to_string_lossy_cp1252().parse().ok())
            .unwrap_or(Ipv4Addr::UNSPECIFIED);
        if let Some(report) = self.report(id, AcctStatusType::Start, None, Some(done)) {
            self.queue(report);
        }
        (id_text(id), acct_session_id, address)
    }

    /// Queue an Interim-Update for every RADIUS session.
    pub(crate) fn interim(&mut self) {
        let ids: Vec<u32> = self.sessions.iter().filter(|(_, m)| m.radius.is_some()).map(|(&id, _)| id).collect();
        for id in ids {
            if let Some(report) = self.report(id, AcctStatusType::InterimUpdate, None, None) {
                self.queue(report);
            }
        }
    }

    /// What RADIUS granted the session of `name`.
    pub(crate) fn radius_session(&self, name: &Value) -> Option<RadiusSession> {
        self.sessions.get(&self.active_by_name(name)?)?.radius.clone()
    }

    /// Set the CoA port's fault.
    pub(crate) fn set_coa_fault(&mut self, fault: CoaFault) {
        if let Some(nas) = &mut self.nas {
            nas.coa_fault = fault;
        }
    }

    /// The RADIUS session a Disconnect or CoA names.
    fn find_radius_session(&self, selector: &Selector) -> Option<u32> {
        self.sessions.iter().find_map(|(&id, meta)| {
            let radius = meta.radius.as_ref()?;
            let name = self.active_field(id, "name").map(ToString::to_string);
            let address = self.active_field(id, "address").and_then(|v| v.to_string_lossy_cp1252().parse().ok());
            let matches = selector.user_name.as_ref().is_none_or(|u| name.as_ref() == Some(u))
                && selector.acct_session_id.as_ref().is_none_or(|a| *a == radius.acct_session_id)
                && selector.framed_ip.is_none_or(|ip| address == Some(ip));
            matches.then_some(id)
        })
    }

    /// A verified Disconnect- or CoA-Request: what to answer (`None`:
    /// nothing), after acting on it.
    pub(crate) fn coa(&mut self, request: &Packet) -> Option<(Code, Vec<Attribute>)> {
        match request.code {
            Code::DisconnectRequest => self.stats.disconnects_received += 1,
            Code::CoaRequest => self.stats.coa_received += 1,
            _ => return None,
        }
        match self.nas.as_ref().map(|n| n.coa_fault).unwrap_or_default() {
            CoaFault::Silence => return None,
            CoaFault::Nak => return Some(radius::nak(request, ErrorCause::SessionContextNotRemovable)),
            CoaFault::AckWithoutDrop => return Some(radius::ack(request)),
            CoaFault::None => {}
        }
        let selector = Selector::of(request);
        if selector.is_empty() {
            return Some(radius::nak(request, ErrorCause::MissingAttribute));
        }
        let Some(id) = self.find_radius_session(&selector) else {
            return Some(radius::nak(request, ErrorCause::SessionContextNotFound));
        };
        if request.code == Code::DisconnectRequest {
            self.end_session(id, TerminateCause::AdminReset, None);
        } else if let Some(session) = self.sessions.get_mut(&id).and_then(|m| m.radius.as_mut()) {
            let granted = Authorization::read(request);
            if granted.rate_limit.is_some() {
                session.rate_limit = granted.rate_limit;
            }
            if granted.address_list.is_some() {
                session.address_list = granted.address_list;
            }
        }
        Some(radius::ack(request))
    }

    /// One step of churn: a session comes or goes.
    pub(crate) fn churn(&mut self) {
        let secrets = self.count(Menu::PppSecret);
        let active = self.count(Menu::PppActive);
        let connect = active == 0 || (active < secrets && self.rng.below(2) == 0);
        if connect {
            let pick = usize::try_from(self.rng.below(secrets as u64)).unwrap_or(0);
            let name_idx = Menu::PppSecret.schema().field(b"name");
            let candidates: Vec<Value> = self
                .table(Menu::PppSecret)
                .items
                .values()
                .cycle()
                .skip(pick)
                .take(secrets.min(64))
                .filter_map(|item| item.values.get(&name_idx?).cloned())
                .collect();
            for name in candidates {
                if self.connect_session(&name).is_some() {
                    return;
                }
            }
        } else {
            let pick = usize::try_from(self.rng.below(active as u64)).unwrap_or(0);
            let name_idx = Menu::PppActive.schema().field(b"name");
            let name = self
                .table(Menu::PppActive)
                .items
                .values()
                .nth(pick)
                .and_then(|item| item.values.get(&name_idx?).cloned());
            if let Some(name) = name {
                self.disconnect_session(&name, None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_routeros() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_secs(65)), "1m5s");
        assert_eq!(format_duration(Duration::from_secs(604_800 + 2 * 86_400 + 3_600 + 4)), "1w2d1h4s");
    }

    #[test]
    fn ids_are_star_hex() {
        assert_eq!(id_text(26), "*1A");
        assert_eq!(parse_id(b"*1A"), Some(26));
        assert_eq!(parse_id(b"1A"), None);
        assert_eq!(parse_id(b"*zz"), None);
    }
}

//! Writes as data: a [`Change`] says what to add, set or remove, so bulk
//! jobs (and dry runs) can build a list first and send it in one go.

use crate::client::Password;
use crate::{Attributes, Command, Value};

use super::ItemId;

/// The menus the typed operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Menu {
    /// `/interface`.
    Interface,
    /// `/ppp/secret`.
    PppSecret,
    /// `/ppp/profile`.
    PppProfile,
    /// `/ppp/active`.
    PppActive,
    /// `/ip/firewall/address-list`.
    AddressList,
    /// `/queue/simple`.
    SimpleQueue,
    /// `/radius`: the RADIUS servers the router asks (RADIUS mode).
    Radius,
    /// `/ppp/aaa`: whether PPP asks RADIUS, and its accounting.
    PppAaa,
    /// `/radius/incoming`: Disconnect and CoA requests.
    RadiusIncoming,
}

impl Menu {
    /// The API path, e.g. `/ppp/secret`.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Self::Interface => "/interface",
            Self::PppSecret => "/ppp/secret",
            Self::PppProfile => "/ppp/profile",
            Self::PppActive => "/ppp/active",
            Self::AddressList => "/ip/firewall/address-list",
            Self::SimpleQueue => "/queue/simple",
            Self::Radius => "/radius",
            Self::PppAaa => "/ppp/aaa",
            Self::RadiusIncoming => "/radius/incoming",
        }
    }
}

/// What a [`Change`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Make a new item; the result is its id.
    Add,
    /// Change properties of an item.
    Set(ItemId),
    /// Remove an item (for `/ppp/active`: kick the session).
    Remove(ItemId),
    /// Change properties of a menu that is one set of properties rather
    /// than a table (`/ppp/aaa`, `/radius/incoming`): a `set` without id.
    Configure,
    /// Return one property of an item to its default (`unset`): the
    /// change's only attribute is `value-name`.
    Unset(ItemId),
}

/// One write to a router. `Debug` hides passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where.
    pub menu: Menu,
    /// What.
    pub action: Action,
    /// The properties to give (none for a removal).
    pub attrs: Attributes,
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

impl Change {
    /// Add an item with `attrs`.
    #[must_use]
    pub fn add(menu: Menu, attrs: Attributes) -> Self {
        Self { menu, action: Action::Add, attrs }
    }

    /// Set `attrs` on item `id`.
    #[must_use]
    pub fn set(menu: Menu, id: ItemId, attrs: Attributes) -> Self {
        Self { menu, action: Action::Set(id), attrs }
    }

    /// Remove item `id`.
    #[must_use]
    pub fn remove(menu: Menu, id: ItemId) -> Self {
        Self { menu, action: Action::Remove(id), attrs: Attributes::new() }
    }

    /// Set `attrs` on a menu without items (`/ppp/aaa`).
    #[must_use]
    pub fn configure(menu: Menu, attrs: Attributes) -> Self {
        Self { menu, action: Action::Configure, attrs }
    }

    /// Return `property` of item `id` to its default (an empty
    /// `remote-address`, no `session-timeout`).
    #[must_use]
    pub fn unset(menu: Menu, id: ItemId, property: &str) -> Self {
        let mut attrs = Attributes::new();
        attrs.push("value-name", property);
        Self { menu, action: Action::Unset(id), attrs }
    }

    /// Enable (`disabled=no`) or disable item `id`.
    #[must_use]
    pub fn set_disabled(menu: Menu, id: ItemId, disabled: bool) -> Self {
        let mut attrs = Attributes::new();
        attrs.push("disabled", yes_no(disabled));
        Self::set(menu, id, attrs)
    }

    /// The API command for this change.
    #[must_use]
    pub fn to_command(&self) -> Command {
        let (verb, id) = match &self.action {
            Action::Add => ("add", None),
            Action::Set(id) => ("set", Some((".id", id))),
            Action::Remove(id) => ("remove", Some((".id", id))),
            Action::Configure => ("set", None),
            // `unset` names its item with `numbers`, as in the terminal.
            Action::Unset(id) => ("unset", Some(("numbers", id))),
        };
        let mut command = Command::new(format!("{}/{verb}", self.menu.path()));
        if let Some((name, id)) = id {
            command = command.attr(name, id.as_value().clone());
        }
        for (name, value) in self.attrs.iter() {
            command = command.attr(name.clone(), value.clone());
        }
        command
    }
}

/// Push `name=value` when the value is given.
fn opt(attrs: &mut Attributes, name: &str, value: Option<&Value>) {
    if let Some(value) = value {
        attrs.push(name, value.clone());
    }
}

/// A PPP secret to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPppSecret {
    /// `name`.
    pub name: Value,
    /// `password`.
    pub password: Password,
    /// `service`; `None` leaves the router's default (`any`).
    pub service: Option<Value>,
    /// `profile`; `None`: `default`.
    pub profile: Option<Value>,
    /// `local-address`.
    pub local_address: Option<Value>,
    /// `remote-address`.
    pub remote_address: Option<Value>,
    /// `comment`.
    pub comment: Option<Value>,
    /// `disabled`.
    pub disabled: bool,
}

impl NewPppSecret {
    /// A PPPoE secret with the default profile.
    pub fn pppoe(name: impl Into<Value>, password: impl Into<Password>) -> Self {
        Self {
            name: name.into(),
            password: password.into(),
            service: Some(Value::from("pppoe")),
            profile: None,
            local_address: None,
            remote_address: None,
            comment: None,
            disabled: false,
        }
    }

    /// With this profile.
    #[must_use]
    pub fn profile(mut self, profile: impl Into<Value>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// With this comment.
    #[must_use]
    pub fn comment(mut self, comment: impl Into<Value>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// With this remote (subscriber) address.
    #[must_use]
    pub fn remote_address(mut self, address: impl Into<Value>) -> Self {
        self.remote_address = Some(address.into());
        self
    }

    /// The change that adds it.
    #[must_use]
    pub fn into_change(self) -> Change {
        let mut attrs = Attributes::new();
        attrs.push("name", self.name);
        attrs.push("password", self.password.expose().clone());
        opt(&mut attrs, "service", self.service.as_ref());
        opt(&mut attrs, "profile", self.profile.as_ref());
        opt(&mut attrs, "local-address", self.local_address.as_ref());
        opt(&mut attrs, "remote-address", self.remote_address.as_ref());
        opt(&mut attrs, "comment", self.comment.as_ref());
        if self.disabled {
            attrs.push("disabled", "yes");
        }
        Change::add(Menu::PppSecret, attrs)
    }
}

/// Properties of a PPP secret to change; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PppSecretUpdate {
    /// New `name`.
    pub name: Option<Value>,
    /// New `password`.
    pub password: Option<Password>,
    /// New `profile`.
    pub profile: Option<Value>,
    /// New `service`.
    pub service: Option<Value>,
    /// New `local-address`.
    pub local_address: Option<Value>,
    /// New `remote-address`.
    pub remote_address: Option<Value>,
    /// New `comment`.
    pub comment: Option<Value>,
    /// New `disabled`.
    pub disabled: Option<bool>,
}

impl PppSecretUpdate {
    /// The change that applies it to secret `id`.
    #[must_use]
    pub fn into_change(self, id: ItemId) -> Change {
        let mut attrs = Attributes::new();
        opt(&mut attrs, "name", self.name.as_ref());
        opt(&mut attrs, "password", self.password.as_ref().map(Password::expose));
        opt(&mut attrs, "profile", self.profile.as_ref());
        opt(&mut attrs, "service", self.service.as_ref());
        opt(&mut attrs, "local-address", self.local_address.as_ref());
        opt(&mut attrs, "remote-address", self.remote_address.as_ref());
        opt(&mut attrs, "comment", self.comment.as_ref());
        if let Some(disabled) = self.disabled {
            attrs.push("disabled", yes_no(disabled));
        }
        Change::set(Menu::PppSecret, id, attrs)
    }
}

/// A PPP profile to add, or (with [`PppProfileSpec::into_update`]) the
/// properties to change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PppProfileSpec {
    /// `name`.
    pub name: Option<Value>,
    /// `rate-limit`, `rx/tx [burst-rx/burst-tx [threshold [time
    /// [priority [min]]]]]`.
    pub rate_limit: Option<Value>,
    /// `local-address`.
    pub local_address: Option<Value>,
    /// `remote-address` (an address or a pool).
    pub remote_address: Option<Value>,
    /// `session-timeout`, e.g. `1d`.
    pub session_timeout: Option<Value>,
    /// `idle-timeout`, e.g. `30m`.
    pub idle_timeout: Option<Value>,
    /// `only-one` (`yes`, `no`, `default`).
    pub only_one: Option<Value>,
    /// `comment`.
    pub comment: Option<Value>,
}

impl PppProfileSpec {
    fn attrs(&self) -> Attributes {
        let mut attrs = Attributes::new();
        opt(&mut attrs, "name", self.name.as_ref());
        opt(&mut attrs, "rate-limit", self.rate_limit.as_ref());
        opt(&mut attrs, "local-address", self.local_address.as_ref());
        opt(&mut attrs, "remote-address", self.remote_address.as_ref());
        opt(&mut attrs, "session-timeout", self.session_timeout.as_ref());
        opt(&mut attrs, "idle-timeout", self.idle_timeout.as_ref());
        opt(&mut attrs, "only-one", self.only_one.as_ref());
        opt(&mut attrs, "comment", self.comment.as_ref());
        attrs
    }

    /// The change that adds it (the name is required by the router).
    #[must_use]
    pub fn into_add(self) -> Change {
        Change::add(Menu::PppProfile, self.attrs())
    }

    /// The change that applies the given properties to profile `id`.
    #[must_use]
    pub fn into_update(self, id: ItemId) -> Change {
        Change::set(Menu::PppProfile, id, self.attrs())
    }
}

/// An address-list entry to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAddressListEntry {
    /// `list`, e.g. `suspended`.
    pub list: Value,
    /// `address`.
    pub address: Value,
    /// `timeout` (a dynamic entry); `None` for a static one.
    pub timeout: Option<Value>,
    /// `comment`.
    pub comment: Option<Value>,
}

impl NewAddressListEntry {
    /// The change that adds it.
    #[must_use]
    pub fn into_change(self) -> Change {
        let mut attrs = Attributes::new();
        attrs.push("list", self.list);
        attrs.push("address", self.address);
        opt(&mut attrs, "timeout", self.timeout.as_ref());
        opt(&mut attrs, "comment", self.comment.as_ref());
        Change::add(Menu::AddressList, attrs)
    }
}

/// A simple queue to add, or (with [`SimpleQueueSpec::into_update`]) the
/// properties to change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleQueueSpec {
    /// `name`.
    pub name: Option<Value>,
    /// `target` (required to add), e.g. `10.0.0.5/32`.
    pub target: Option<Value>,
    /// `max-limit`, `upload/download`, e.g. `10M/20M`.
    pub max_limit: Option<Value>,
    /// `limit-at`.
    pub limit_at: Option<Value>,
    /// `burst-limit`.
    pub burst_limit: Option<Value>,
    /// `burst-threshold`.
    pub burst_threshold: Option<Value>,
    /// `burst-time`.
    pub burst_time: Option<Value>,
    /// `comment`.
    pub comment: Option<Value>,
    /// `disabled`.
    pub disabled: Option<bool>,
}

impl SimpleQueueSpec {
    fn attrs(&self) -> Attributes {
        let mut attrs = Attributes::new();
        opt(&mut attrs, "name", self.name.as_ref());
        opt(&mut attrs, "target", self.target.as_ref());
        opt(&mut attrs, "max-limit", self.max_limit.as_ref());
        opt(&mut attrs, "limit-at", self.limit_at.as_ref());
        opt(&mut attrs, "burst-limit", self.burst_limit.as_ref());
        opt(&mut attrs, "burst-threshold", self.burst_threshold.as_ref());
        opt(&mut attrs, "burst-time", self.burst_time.as_ref());
        opt(&mut attrs, "comment", self.comment.as_ref());
        if let Some(disabled) = self.disabled {
            attrs.push("disabled", yes_no(disabled));
        }
        attrs
    }

    /// The change that adds it.
    #[must_use]
    pub fn into_add(self) -> Change {
        Change::add(Menu::SimpleQueue, self.attrs())
    }

    /// The change that applies the given properties to queue `id`.
    #[must_use]
    pub fn into_update(self, id: ItemId) -> Change {
        Change::set(Menu::SimpleQueue, id, self.attrs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_add_command_and_debug() {
        let change = NewPppSecret::pppoe("alice", "s3cret").profile("10M").into_change();
        let shown = format!("{change:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        let command = change.to_command();
        assert_eq!(command.path(), "/ppp/secret/add");
        assert_eq!(command.attributes().get("password").unwrap(), "s3cret");
        assert_eq!(command.attributes().get("profile").unwrap(), "10M");
    }

    #[test]
    fn radius_server_add_keeps_its_secret_out_of_debug() {
        let attrs = [("service", "ppp"), ("address", "10.0.0.5"), ("secret", "r4d1us")].into_iter().collect();
        let change = Change::add(Menu::Radius, attrs);
        let shown = format!("{change:?}");
        assert!(!shown.contains("r4d1us"), "{shown}");
        let command = change.to_command();
        assert_eq!(command.path(), "/radius/add");
        assert_eq!(command.attributes().get("secret").unwrap(), "r4d1us");
    }

    #[test]
    fn set_and_remove_carry_the_id() {
        let id = ItemId::new("*1F");
        let command = Change::set_disabled(Menu::PppSecret, id.clone(), true).to_command();
        assert_eq!(command.path(), "/ppp/secret/set");
        assert_eq!(command.attributes().get(".id").unwrap(), "*1F");
        assert_eq!(command.attributes().get("disabled").unwrap(), "yes");
        let command = Change::remove(Menu::PppActive, id).to_command();
        assert_eq!(command.path(), "/ppp/active/remove");
    }

    #[test]
    fn unset_names_the_item_and_the_property() {
        let command = Change::unset(Menu::PppProfile, ItemId::new("*3"), "session-timeout").to_command();
        assert_eq!(command.path(), "/ppp/profile/unset");
        assert_eq!(command.attributes().get("numbers").unwrap(), "*3");
        assert_eq!(command.attributes().get("value-name").unwrap(), "session-timeout");
    }

    #[test]
    fn configuring_a_menu_without_items_is_a_set_without_id() {
        let attrs = [("accept", "yes"), ("port", "3799")].into_iter().collect();
        let command = Change::configure(Menu::RadiusIncoming, attrs).to_command();
        assert_eq!(command.path(), "/radius/incoming/set");
        assert!(command.attributes().get(".id").is_none());
        assert_eq!(command.attributes().get("port").unwrap(), "3799");
    }
}

//! Typed operations on a router: what Headend reads and writes, as Rust
//! types, behind the transport-agnostic [`RouterApi`] trait.
//!
//! [`Client`] (the binary API) implements it; a REST client can implement
//! the same trait. Writes are [`Change`]s: the single-item methods are
//! conveniences over [`RouterApi::apply`], which sends a whole list at
//! once (pipelined on the binary API: a thousand adds take a handful of
//! round trips).

mod change;
mod parse;
mod types;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pub use change::{
    Action, Change, Menu, NewAddressListEntry, NewPppSecret, PppProfileSpec, PppSecretUpdate, SimpleQueueSpec,
};
pub use parse::parse_duration;
pub use types::{
    ActiveEvent, AddressListEntry, Interface, ItemId, PppAaa, PppActive, PppProfile, PppSecret, RadiusIncoming,
    RadiusServer, SimpleQueue, SystemResource,
};

use crate::client::{Client, ClientError, Password, ReplyStream};
use crate::{Attributes, Command, Value};

/// The result of one write: the new item's id for an add, `None` for
/// set and remove.
pub type ChangeResult = Result<Option<ItemId>, ClientError>;

fn one(mut results: Vec<ChangeResult>) -> ChangeResult {
    results.pop().unwrap_or_else(|| Err(ClientError::UnexpectedReply("no result".into())))
}

fn added(result: ChangeResult) -> Result<ItemId, ClientError> {
    result?.ok_or_else(|| ClientError::UnexpectedReply("an add without =ret=".into()))
}

/// Everything Headend does with a router, independent of the transport.
pub trait RouterApi: Send + Sync {
    /// The stream of [`RouterApi::watch_ppp_active`].
    type ActiveWatch: futures_core::Stream<Item = Result<ActiveEvent, ClientError>> + Send + Unpin;

    /// `/system/identity` name.
    fn identity(&self) -> impl Future<Output = Result<Value, ClientError>> + Send;

    /// `/system/resource`.
    fn resource(&self) -> impl Future<Output = Result<SystemResource, ClientError>> + Send;

    /// Every interface with its counters.
    fn interfaces(&self) -> impl Future<Output = Result<Vec<Interface>, ClientError>> + Send;

    /// Every PPP secret.
    fn ppp_secrets(&self) -> impl Future<Output = Result<Vec<PppSecret>, ClientError>> + Send;

    /// Every PPP profile.
    fn ppp_profiles(&self) -> impl Future<Output = Result<Vec<PppProfile>, ClientError>> + Send;

    /// Every active PPP session.
    fn ppp_active(&self) -> impl Future<Output = Result<Vec<PppActive>, ClientError>> + Send;

    /// Changes of the active sessions from now on (start it before
    /// reading [`RouterApi::ppp_active`] to miss nothing).
    fn watch_ppp_active(&self) -> impl Future<Output = Result<Self::ActiveWatch, ClientError>> + Send;

    /// Address-list entries of the given lists (all lists when empty), in
    /// one print.
    fn address_list(&self, lists: &[Value]) -> impl Future<Output = Result<Vec<AddressListEntry>, ClientError>> + Send;

    /// Every simple queue.
    fn simple_queues(&self) -> impl Future<Output = Result<Vec<SimpleQueue>, ClientError>> + Send;

    /// Every `/radius` entry.
    fn radius_servers(&self) -> impl Future<Output = Result<Vec<RadiusServer>, ClientError>> + Send;

    /// `/ppp/aaa`.
    fn ppp_aaa(&self) -> impl Future<Output = Result<PppAaa, ClientError>> + Send;

    /// `/radius/incoming`.
    fn radius_incoming(&self) -> impl Future<Output = Result<RadiusIncoming, ClientError>> + Send;

    /// Number of items in a menu, without transferring them.
    fn count(&self, menu: Menu) -> impl Future<Output = Result<u64, ClientError>> + Send;

    /// Apply `changes`, sent together; one result per change, in order.
    /// Changes are independent: one refused does not stop the others.
    fn apply(&self, changes: Vec<Change>) -> impl Future<Output = Vec<ChangeResult>> + Send;

    /// Add a PPP secret.
    fn add_ppp_secret(&self, secret: NewPppSecret) -> impl Future<Output = Result<ItemId, ClientError>> + Send {
        async move { added(one(self.apply(vec![secret.into_change()]).await)) }
    }

    /// Add many PPP secrets at once.
    fn add_ppp_secrets(
        &self,
        secrets: Vec<NewPppSecret>,
    ) -> impl Future<Output = Vec<Result<ItemId, ClientError>>> + Send {
        async move {
            let changes = secrets.into_iter().map(NewPppSecret::into_change).collect();
            self.apply(changes).await.into_iter().map(added).collect()
        }
    }

    /// Change properties of a PPP secret.
    fn set_ppp_secret(
        &self,
        id: ItemId,
        update: PppSecretUpdate,
    ) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![update.into_change(id)]).await).map(drop) }
    }

    /// Enable a PPP secret.
    fn enable_ppp_secret(&self, id: ItemId) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move {
            let change = Change::set_disabled(Menu::PppSecret, id, false);
            one(self.apply(vec![change]).await).map(drop)
        }
    }

    /// Disable a PPP secret. Like on the router itself, a live session is
    /// not ended: kick it with [`RouterApi::kick_ppp_session`].
    fn disable_ppp_secret(&self, id: ItemId) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move {
            let change = Change::set_disabled(Menu::PppSecret, id, true);
            one(self.apply(vec![change]).await).map(drop)
        }
    }

    /// Change a PPP secret's password.
    fn set_ppp_secret_password(
        &self,
        id: ItemId,
        password: Password,
    ) -> impl Future<Output = Result<(), ClientError>> + Send {
        let update = PppSecretUpdate { password: Some(password), ..PppSecretUpdate::default() };
        self.set_ppp_secret(id, update)
    }

    /// Move a PPP secret to another profile.
    fn set_ppp_secret_profile(
        &self,
        id: ItemId,
        profile: Value,
    ) -> impl Future<Output = Result<(), ClientError>> + Send {
        let update = PppSecretUpdate { profile: Some(profile), ..PppSecretUpdate::default() };
        self.set_ppp_secret(id, update)
    }

    /// Remove a PPP secret (a live session goes on until kicked).
    fn remove_ppp_secret(&self, id: ItemId) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![Change::remove(Menu::PppSecret, id)]).await).map(drop) }
    }

    /// Add a PPP profile.
    fn add_ppp_profile(&self, profile: PppProfileSpec) -> impl Future<Output = Result<ItemId, ClientError>> + Send {
        async move { added(one(self.apply(vec![profile.into_add()]).await)) }
    }

    /// Change properties of a PPP profile.
    fn set_ppp_profile(
        &self,
        id: ItemId,
        profile: PppProfileSpec,
    ) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![profile.into_update(id)]).await).map(drop) }
    }

    /// Remove a PPP profile.
    fn remove_ppp_profile(&self, id: ItemId) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![Change::remove(Menu::PppProfile, id)]).await).map(drop) }
    }

    /// End an active PPP session (`/ppp/active/remove`).
    fn kick_ppp_session(&self, id: ItemId) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![Change::remove(Menu::PppActive, id)]).await).map(drop) }
    }

    /// Add an address-list entry.
    fn add_address_list_entry(
        &self,
        entry: NewAddressListEntry,
    ) -> impl Future<Output = Result<ItemId, ClientError>> + Send {
        async move { added(one(self.apply(vec![entry.into_change()]).await)) }
    }

    /// Remove an address-list entry.
    fn remove_address_list_entry(&self, id: ItemId) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![Change::remove(Menu::AddressList, id)]).await).map(drop) }
    }

    /// Add a simple queue.
    fn add_simple_queue(&self, queue: SimpleQueueSpec) -> impl Future<Output = Result<ItemId, ClientError>> + Send {
        async move { added(one(self.apply(vec![queue.into_add()]).await)) }
    }

    /// Change properties of a simple queue.
    fn set_simple_queue(
        &self,
        id: ItemId,
        queue: SimpleQueueSpec,
    ) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![queue.into_update(id)]).await).map(drop) }
    }

    /// Remove a simple queue.
    fn remove_simple_queue(&self, id: ItemId) -> impl Future<Output = Result<(), ClientError>> + Send {
        async move { one(self.apply(vec![Change::remove(Menu::SimpleQueue, id)]).await).map(drop) }
    }
}

fn parse_all<T>(
    items: Vec<Attributes>,
    parse: impl Fn(&Attributes) -> Result<T, ClientError>,
) -> Result<Vec<T>, ClientError> {
    items.iter().map(parse).collect()
}

fn print(menu: Menu) -> Command {
    Command::new(format!("{}/print", menu.path()))
}

/// The one item a menu without a table (`/ppp/aaa`) prints.
pub(crate) fn only_item(items: Vec<Attributes>, menu: Menu) -> Result<Attributes, ClientError> {
    items.into_iter().next().ok_or_else(|| ClientError::UnexpectedReply(format!("{} printed nothing", menu.path())))
}

/// `/ip/firewall/address-list/print` of some lists: `?list=a ?list=b
/// ?#|` (an OR per extra list), so any number of lists is one print.
pub(crate) fn address_list_print(lists: &[Value]) -> Command {
    let mut command = print(Menu::AddressList);
    for list in lists {
        command = command.query_eq("list", list.clone());
    }
    if lists.len() > 1 {
        command = command.query_ops("|".repeat(lists.len() - 1));
    }
    command
}

/// Session changes from `/ppp/active/listen` on the binary API. Dropping it
/// cancels the listen on the router.
#[derive(Debug)]
pub struct ActiveWatch {
    stream: ReplyStream,
}

impl ActiveWatch {
    /// The next change; `None` when the listen ended.
    pub async fn next(&mut self) -> Option<Result<ActiveEvent, ClientError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_event(cx)).await
    }

    /// Stop listening, cleanly.
    pub async fn cancel(self) -> Result<(), ClientError> {
        self.stream.cancel().await
    }

    fn poll_next_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<ActiveEvent, ClientError>>> {
        let item = ready!(Pin::new(&mut self.stream).poll_next(cx));
        Poll::Ready(item.map(|r| r.and_then(|attrs| ActiveEvent::parse(&attrs))))
    }
}

impl futures_core::Stream for ActiveWatch {
    type Item = Result<ActiveEvent, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_event(cx)
    }
}

use futures_core::Stream as _;

impl RouterApi for Client {
    type ActiveWatch = ActiveWatch;

    async fn identity(&self) -> Result<Value, ClientError> {
        let items = self.call(Command::new("/system/identity/print")).await?;
        items
            .first()
            .and_then(|a| a.get("name").cloned())
            .ok_or_else(|| ClientError::UnexpectedReply("no identity name".into()))
    }

    async fn resource(&self) -> Result<SystemResource, ClientError> {
        let items = self.call(Command::new("/system/resource/print")).await?;
        items.first().map(SystemResource::parse).ok_or_else(|| ClientError::UnexpectedReply("no resource item".into()))
    }

    async fn interfaces(&self) -> Result<Vec<Interface>, ClientError> {
        parse_all(self.call(print(Menu::Interface)).await?, Interface::parse)
    }

    async fn ppp_secrets(&self) -> Result<Vec<PppSecret>, ClientError> {
        parse_all(self.call(print(Menu::PppSecret)).await?, PppSecret::parse)
    }

    async fn ppp_profiles(&self) -> Result<Vec<PppProfile>, ClientError> {
        parse_all(self.call(print(Menu::PppProfile)).await?, PppProfile::parse)
    }

    async fn ppp_active(&self) -> Result<Vec<PppActive>, ClientError> {
        parse_all(self.call(print(Menu::PppActive)).await?, PppActive::parse)
    }

    async fn watch_ppp_active(&self) -> Result<ActiveWatch, ClientError> {
        let stream = self.stream(Command::new("/ppp/active/listen"))?;
        Ok(ActiveWatch { stream })
    }

    async fn address_list(&self, lists: &[Value]) -> Result<Vec<AddressListEntry>, ClientError> {
        parse_all(self.call(address_list_print(lists)).await?, AddressListEntry::parse)
    }

    async fn simple_queues(&self) -> Result<Vec<SimpleQueue>, ClientError> {
        parse_all(self.call(print(Menu::SimpleQueue)).await?, SimpleQueue::parse)
    }

    async fn radius_servers(&self) -> Result<Vec<RadiusServer>, ClientError> {
        parse_all(self.call(print(Menu::Radius)).await?, RadiusServer::parse)
    }

    async fn ppp_aaa(&self) -> Result<PppAaa, ClientError> {
        only_item(self.call(print(Menu::PppAaa)).await?, Menu::PppAaa).map(|attrs| PppAaa::parse(&attrs))
    }

    async fn radius_incoming(&self) -> Result<RadiusIncoming, ClientError> {
        only_item(self.call(print(Menu::RadiusIncoming)).await?, Menu::RadiusIncoming)
            .map(|attrs| RadiusIncoming::parse(&attrs))
    }

    async fn count(&self, menu: Menu) -> Result<u64, ClientError> {
        let response = self.run(print(menu).attr("count-only", "")).await?;
        response
            .ret
            .as_ref()
            .and_then(Value::to_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| ClientError::UnexpectedReply("count-only without a number".into()))
    }

    async fn apply(&self, changes: Vec<Change>) -> Vec<ChangeResult> {
        let commands = changes.iter().map(Change::to_command).collect();
        self.call_many(commands)
            .await
            .into_iter()
            .map(|result| result.map(|response| response.ret.map(ItemId::new)))
            .collect()
    }
}

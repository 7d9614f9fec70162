//! [`RouterApi`] over REST.

use tokio::task::JoinSet;

use super::{RestActiveWatch, RestClient};
use crate::client::ClientError;
use crate::ops::{
    Action, AddressListEntry, Change, ChangeResult, Interface, ItemId, Menu, PppAaa, PppActive, PppProfile, PppSecret,
    RadiusIncoming, RadiusServer, RouterApi, SimpleQueue, SystemResource, only_item,
};
use crate::{Attributes, Command, Value};

fn parse_all<T>(
    items: Vec<Attributes>,
    parse: impl Fn(&Attributes) -> Result<T, ClientError>,
) -> Result<Vec<T>, ClientError> {
    items.iter().map(parse).collect()
}

impl RestClient {
    /// One write.
    async fn change(&self, change: Change) -> ChangeResult {
        let path = change.menu.path();
        match (&change.action, change.menu) {
            (Action::Add, _) => {
                let item = self.add(path, &change.attrs).await?;
                item.get(".id")
                    .cloned()
                    .map(ItemId::new)
                    .map(Some)
                    .ok_or_else(|| ClientError::UnexpectedReply("an added item without .id".into()))
            }
            (Action::Set(id), _) => self.set(path, id, &change.attrs).await.map(|_| None),
            // Kicking is the `remove` command of `/ppp/active`.
            (Action::Remove(id), Menu::PppActive) => {
                let kick = Command::new(format!("{path}/remove")).attr(".id", id.as_value().clone());
                self.run(&kick).await.map(|_| None)
            }
            (Action::Remove(id), _) => self.remove(path, id).await.map(|_| None),
            (Action::Configure | Action::Unset(_), _) => self.run(&change.to_command()).await.map(|_| None),
        }
    }
}

impl RouterApi for RestClient {
    type ActiveWatch = RestActiveWatch;

    async fn identity(&self) -> Result<Value, ClientError> {
        self.get("/system/identity")
            .await?
            .first()
            .and_then(|a| a.get("name").cloned())
            .ok_or_else(|| ClientError::UnexpectedReply("no identity name".into()))
    }

    async fn resource(&self) -> Result<SystemResource, ClientError> {
        self.get("/system/resource")
            .await?
            .first()
            .map(SystemResource::parse)
            .ok_or_else(|| ClientError::UnexpectedReply("no resource item".into()))
    }

    async fn interfaces(&self) -> Result<Vec<Interface>, ClientError> {
        parse_all(self.get(Menu::Interface.path()).await?, Interface::parse)
    }

    async fn ppp_secrets(&self) -> Result<Vec<PppSecret>, ClientError> {
        parse_all(self.get(Menu::PppSecret.path()).await?, PppSecret::parse)
    }

    async fn ppp_profiles(&self) -> Result<Vec<PppProfile>, ClientError> {
        parse_all(self.get(Menu::PppProfile.path()).await?, PppProfile::parse)
    }

    async fn ppp_active(&self) -> Result<Vec<PppActive>, ClientError> {
        parse_all(self.get(Menu::PppActive.path()).await?, PppActive::parse)
    }

    /// Polls; see the [module docs](super).
    async fn watch_ppp_active(&self) -> Result<RestActiveWatch, ClientError> {
        RestActiveWatch::start(self.clone()).await
    }

    async fn address_list(&self, lists: &[Value]) -> Result<Vec<AddressListEntry>, ClientError> {
        let items = if lists.is_empty() {
            self.get(Menu::AddressList.path()).await?
        } else {
            self.call(&crate::ops::address_list_print(lists)).await?
        };
        parse_all(items, AddressListEntry::parse)
    }

    async fn simple_queues(&self) -> Result<Vec<SimpleQueue>, ClientError> {
        parse_all(self.get(Menu::SimpleQueue.path()).await?, SimpleQueue::parse)
    }

    async fn radius_servers(&self) -> Result<Vec<RadiusServer>, ClientError> {
        parse_all(self.get(Menu::Radius.path()).await?, RadiusServer::parse)
    }

    async fn ppp_aaa(&self) -> Result<PppAaa, ClientError> {
        only_item(self.get(Menu::PppAaa.path()).await?, Menu::PppAaa).map(|attrs| PppAaa::parse(&attrs))
    }

    async fn radius_incoming(&self) -> Result<RadiusIncoming, ClientError> {
        only_item(self.get(Menu::RadiusIncoming.path()).await?, Menu::RadiusIncoming)
            .map(|attrs| RadiusIncoming::parse(&attrs))
    }

    async fn count(&self, menu: Menu) -> Result<u64, ClientError> {
        let print = Command::new(format!("{}/print", menu.path())).attr("count-only", "");
        let response = self.run(&print).await?;
        match response.ret {
            Some(ret) => ret
                .to_str()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| ClientError::UnexpectedReply("count-only without a number".into())),
            // A router that ignores `count-only` lists the items.
            None => Ok(response.items.len() as u64),
        }
    }

    /// Concurrent requests, at most [`RestOptions::max_connections`] in
    /// flight (one per pooled connection); results in order. Dropping the
    /// future aborts the requests not yet answered (which may or may not
    /// have reached the router).
    ///
    /// [`RestOptions::max_connections`]: super::RestOptions::max_connections
    async fn apply(&self, changes: Vec<Change>) -> Vec<ChangeResult> {
        let mut results: Vec<Option<ChangeResult>> = Vec::new();
        results.resize_with(changes.len(), || None);
        let window = self.inner.max_connections;
        let mut pending = changes.into_iter().enumerate();
        let mut running = JoinSet::new();
        let spawn = |running: &mut JoinSet<_>, (at, change): (usize, Change)| {
            let client = self.clone();
            running.spawn(async move { (at, client.change(change).await) });
        };
        for next in pending.by_ref().take(window) {
            spawn(&mut running, next);
        }
        while let Some(joined) = running.join_next().await {
            if let Ok((at, result)) = joined
                && let Some(slot) = results.get_mut(at)
            {
                *slot = Some(result);
            }
            if let Some(next) = pending.next() {
                spawn(&mut running, next);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(ClientError::UnexpectedReply("the request task failed".into()))))
            .collect()
    }
}

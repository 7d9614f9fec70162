//! The session watch over REST: RouterOS REST has no `listen`, so a task
//! polls `/ppp/active` and reports the differences as the binary API's
//! listen would.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use super::RestClient;
use crate::client::ClientError;
use crate::ops::{ActiveEvent, ItemId, PppActive, RouterApi};

/// Events waiting for a slow reader, at most; the poller waits beyond.
const BUFFER: usize = 4096;

/// Changes of `/ppp/active`, found by polling (see the [module
/// docs](super)). Ends after yielding the first error (a failed poll), as
/// the binary API's watch ends with its connection. Dropping it stops the
/// polling.
#[derive(Debug)]
pub struct RestActiveWatch {
    rx: mpsc::Receiver<Result<ActiveEvent, ClientError>>,
    task: JoinHandle<()>,
}

impl RestActiveWatch {
    /// Take a first reading now, then poll every `client.poll_interval()`.
    pub(crate) async fn start(client: RestClient) -> Result<Self, ClientError> {
        let known = index(client.ppp_active().await?);
        let (tx, rx) = mpsc::channel(BUFFER);
        let task = tokio::spawn(poll(client, known, tx));
        Ok(Self { rx, task })
    }

    /// The next change; `None` when the watch ended.
    pub async fn next(&mut self) -> Option<Result<ActiveEvent, ClientError>> {
        self.rx.recv().await
    }

    /// Stop polling (what dropping it does too; async and fallible only to
    /// match the binary API's watch).
    pub async fn cancel(self) -> Result<(), ClientError> {
        self.task.abort();
        Ok(())
    }
}

impl Drop for RestActiveWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl futures_core::Stream for RestActiveWatch {
    type Item = Result<ActiveEvent, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

fn index(sessions: Vec<PppActive>) -> BTreeMap<ItemId, PppActive> {
    sessions.into_iter().map(|s| (s.id.clone(), s)).collect()
}

/// Whether `a` and `b` differ in more than their counters and uptime
/// (which change on every reading and make no event, like `listen`).
fn changed(a: &PppActive, b: &PppActive) -> bool {
    (&a.name, &a.service, &a.caller_id, &a.address, &a.session_id)
        != (&b.name, &b.service, &b.caller_id, &b.address, &b.session_id)
}

/// The events that take `before` to `after`: removals first, then
/// sessions that are new or changed, each in id order.
pub(crate) fn diff(before: &BTreeMap<ItemId, PppActive>, after: &BTreeMap<ItemId, PppActive>) -> Vec<ActiveEvent> {
    let gone = before.keys().filter(|id| !after.contains_key(*id)).map(|id| ActiveEvent::Gone(id.clone()));
    let up = after
        .iter()
        .filter(|(id, now)| before.get(*id).is_none_or(|then| changed(then, now)))
        .map(|(_, now)| ActiveEvent::Up(Box::new(now.clone())));
    gone.chain(up).collect()
}

async fn poll(
    client: RestClient,
    mut known: BTreeMap<ItemId, PppActive>,
    tx: mpsc::Sender<Result<ActiveEvent, ClientError>>,
) {
    let every = client.poll_interval();
    let mut ticks = tokio::time::interval_at(Instant::now() + every, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = tx.closed() => return,
        }
        let now = match client.ppp_active().await {
            Ok(sessions) => index(sessions),
            Err(err) => {
                let _ = tx.send(Err(err)).await;
                return;
            }
        };
        for event in diff(&known, &now) {
            if tx.send(Ok(event)).await.is_err() {
                return;
            }
        }
        known = now;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn session(id: &str, name: &str, address: &str, uptime: u64) -> PppActive {
        PppActive {
            id: ItemId::new(id),
            name: name.into(),
            service: "pppoe".into(),
            caller_id: "02:00:00:00:00:01".into(),
            address: Some(address.into()),
            uptime: Some(Duration::from_secs(uptime)),
            session_id: None,
            bytes_in: Some(uptime * 10),
            bytes_out: None,
        }
    }

    #[test]
    fn reports_new_changed_and_gone_but_not_counters() {
        let before = index(vec![
            session("*1", "a", "10.0.0.1", 5),
            session("*2", "b", "10.0.0.2", 5),
            session("*3", "c", "10.0.0.3", 5),
        ]);
        let after = index(vec![
            session("*1", "a", "10.0.0.1", 6),
            session("*3", "c", "10.0.0.9", 6),
            session("*4", "d", "10.0.0.4", 0),
        ]);
        let events = diff(&before, &after);
        assert_eq!(events.len(), 3, "{events:?}");
        assert_eq!(events[0], ActiveEvent::Gone(ItemId::new("*2")));
        assert!(matches!(&events[1], ActiveEvent::Up(s) if s.id == ItemId::new("*3")));
        assert!(matches!(&events[2], ActiveEvent::Up(s) if s.id == ItemId::new("*4")));
        assert!(diff(&after, &after).is_empty());
    }
}

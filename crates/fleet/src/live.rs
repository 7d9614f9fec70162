//! The live PPP sessions of every router as one table, and the changes
//! since the UI last looked. Plain data: the fleet feeds it what routers
//! report, with the time passed in.

use std::collections::{BTreeMap, BTreeSet};

use headend_core::RouterId;
use headend_routeros::ops::PppActive;
use jiff::{SignedDuration, Timestamp};

/// One PPP session as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSession {
    pub router: RouterId,
    /// The router's `.id` of the session, needed to kick it.
    pub id: String,
    pub user: String,
    pub service: String,
    pub caller_id: String,
    pub address: String,
    /// When the session came up (now minus its uptime, when first seen).
    pub since: Timestamp,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Bits per second between the last two counter readings.
    pub rate_in: u64,
    pub rate_out: u64,
    /// When the counters were read.
    read_at: Timestamp,
}

type Key = (RouterId, String);

/// What changed since the last [`LiveSessions::take_changes`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionChanges {
    pub upserted: Vec<LiveSession>,
    pub removed: Vec<(RouterId, String)>,
}

impl SessionChanges {
    pub fn is_empty(&self) -> bool {
        self.upserted.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug, Default)]
pub struct LiveSessions {
    sessions: BTreeMap<Key, LiveSession>,
    dirty: BTreeSet<Key>,
    removed: BTreeSet<Key>,
    /// Sessions that ended, with when, until the session history takes
    /// them ([`LiveSessions::take_history`]).
    ended: BTreeMap<RouterId, Vec<(LiveSession, Timestamp)>>,
}

fn text(v: &headend_routeros::Value) -> String {
    v.to_string_lossy_cp1252().into_owned()
}

/// Bits per second from two byte counters `elapsed` apart; a counter that
/// went backwards (reset) gives 0.
fn rate(before: u64, after: u64, elapsed: SignedDuration) -> u64 {
    let ms = elapsed.as_millis();
    if ms <= 0 {
        return 0;
    }
    let bits = u128::from(after.saturating_sub(before)) * 8 * 1000;
    u64::try_from(bits / ms.unsigned_abs()).unwrap_or(u64::MAX)
}

impl LiveSessions {
    /// A session came up or changed.
    pub fn up(&mut self, router: RouterId, active: &PppActive, now: Timestamp) {
        let key = (router, active.id.to_string());
        let bytes_in = active.bytes_in.unwrap_or(0);
        let bytes_out = active.bytes_out.unwrap_or(0);
        let session = match self.sessions.get(&key) {
            // A change without counters (what `listen` sends): keep the last
            // reading rather than mistake it for a reset.
            Some(old) if active.bytes_in.is_none() && active.bytes_out.is_none() => LiveSession {
                since: old.since,
                bytes_in: old.bytes_in,
                bytes_out: old.bytes_out,
                rate_in: old.rate_in,
                rate_out: old.rate_out,
                read_at: old.read_at,
                ..Self::fresh(router, &key.1, active, now)
            },
            Some(old) => {
                let elapsed = now.duration_since(old.read_at);
                LiveSession {
                    rate_in: rate(old.bytes_in, bytes_in, elapsed),
                    rate_out: rate(old.bytes_out, bytes_out, elapsed),
                    since: old.since,
                    ..Self::fresh(router, &key.1, active, now)
                }
            }
            None => Self::fresh(router, &key.1, active, now),
        };
        if self.sessions.get(&key) != Some(&session) {
            self.removed.remove(&key);
            self.dirty.insert(key.clone());
            self.sessions.insert(key, session);
        }
    }

    fn fresh(router: RouterId, id: &str, active: &PppActive, now: Timestamp) -> LiveSession {
        let uptime = active.uptime.and_then(|u| SignedDuration::try_from(u).ok()).unwrap_or(SignedDuration::ZERO);
        LiveSession {
            router,
            id: id.to_owned(),
            user: text(&active.name),
            service: text(&active.service),
            caller_id: text(&active.caller_id),
            address: active.address.as_ref().map(text).unwrap_or_default(),
            since: now.checked_sub(uptime).unwrap_or(now),
            bytes_in: active.bytes_in.unwrap_or(0),
            bytes_out: active.bytes_out.unwrap_or(0),
            rate_in: 0,
            rate_out: 0,
            read_at: now,
        }
    }

    /// A session is no longer in the table.
    pub fn gone(&mut self, router: RouterId, id: &str) {
        self.remove(router, id);
    }

    /// A session ended at `now`: gone, and kept for the session history.
    pub fn ended(&mut self, router: RouterId, id: &str, now: Timestamp) {
        if let Some(session) = self.remove(router, id) {
            self.ended.entry(router).or_default().push((session, now));
        }
    }

    fn remove(&mut self, router: RouterId, id: &str) -> Option<LiveSession> {
        let key = (router, id.to_owned());
        let session = self.sessions.remove(&key)?;
        self.dirty.remove(&key);
        self.removed.insert(key);
        Some(session)
    }

    fn of_router(&self, router: RouterId) -> impl Iterator<Item = &LiveSession> {
        self.sessions.range((router, String::new())..).take_while(move |((r, _), _)| *r == router).map(|(_, s)| s)
    }

    /// A full reading of a router's sessions: sessions not in it ended.
    pub fn reset(&mut self, router: RouterId, active: &[PppActive], now: Timestamp) {
        let present: BTreeSet<String> = active.iter().map(|a| a.id.to_string()).collect();
        let vanished: Vec<String> =
            self.of_router(router).filter(|s| !present.contains(&s.id)).map(|s| s.id.clone()).collect();
        for id in vanished {
            self.ended(router, &id, now);
        }
        for a in active {
            self.up(router, a, now);
        }
    }

    /// The router is unreachable or removed: its sessions are no longer
    /// known (not ended: the history closes them when the router, seen
    /// again, no longer lists them).
    pub fn forget(&mut self, router: RouterId) {
        let ids: Vec<String> = self.of_router(router).map(|s| s.id.clone()).collect();
        for id in ids {
            self.remove(router, &id);
        }
        self.ended.remove(&router);
    }

    /// For the session history: a router's sessions now, and those that
    /// ended since the last call, with when.
    pub fn take_history(&mut self, router: RouterId) -> (Vec<LiveSession>, Vec<(LiveSession, Timestamp)>) {
        let now = self.of_router(router).cloned().collect();
        (now, self.ended.remove(&router).unwrap_or_default())
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    pub fn snapshot(&self) -> Vec<LiveSession> {
        self.sessions.values().cloned().collect()
    }

    pub fn take_changes(&mut self) -> SessionChanges {
        let upserted =
            std::mem::take(&mut self.dirty).into_iter().filter_map(|k| self.sessions.get(&k).cloned()).collect();
        let removed = std::mem::take(&mut self.removed).into_iter().collect();
        SessionChanges { upserted, removed }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use headend_routeros::ops::ItemId;

    use super::*;

    fn active(id: &str, user: &str, bytes_in: u64, uptime_s: u64) -> PppActive {
        PppActive {
            id: ItemId::new(id),
            name: user.into(),
            service: "pppoe".into(),
            caller_id: "AA:BB:CC:00:00:01".into(),
            address: Some("100.64.0.2".into()),
            uptime: Some(Duration::from_secs(uptime_s)),
            session_id: None,
            bytes_in: Some(bytes_in),
            bytes_out: Some(bytes_in * 4),
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    const R1: RouterId = RouterId(1);
    const R2: RouterId = RouterId(2);

    #[test]
    fn a_new_session_is_reported_with_its_start_time() {
        let mut live = LiveSessions::default();
        live.up(R1, &active("*1", "jdoe", 0, 90), at(100));
        let changes = live.take_changes();
        assert_eq!(changes.upserted.len(), 1);
        let s = &changes.upserted[0];
        assert_eq!((s.user.as_str(), s.address.as_str(), s.since), ("jdoe", "100.64.0.2", at(10)));
        assert!(live.take_changes().is_empty(), "changes are taken once");
    }

    #[test]
    fn rates_come_from_successive_readings() {
        let mut live = LiveSessions::default();
        live.up(R1, &active("*1", "jdoe", 1_000, 10), at(0));
        live.up(R1, &active("*1", "jdoe", 3_500, 12), at(2));
        let s = &live.snapshot()[0];
        assert_eq!((s.rate_in, s.rate_out), (10_000, 40_000));
        assert_eq!(s.since, at(-10), "the start time stays as first seen");
        // A counter reset does not give a huge rate.
        live.up(R1, &active("*1", "jdoe", 10, 14), at(4));
        assert_eq!(live.snapshot()[0].rate_in, 0);
    }

    #[test]
    fn a_change_without_counters_keeps_the_last_reading() {
        let mut live = LiveSessions::default();
        live.up(R1, &active("*1", "jdoe", 1_000, 10), at(0));
        live.up(R1, &active("*1", "jdoe", 3_500, 12), at(2));
        let mut renamed = active("*1", "jdoe", 0, 13);
        (renamed.bytes_in, renamed.bytes_out, renamed.address) = (None, None, Some("100.64.0.9".into()));
        live.up(R1, &renamed, at(3));
        let s = &live.snapshot()[0];
        assert_eq!((s.address.as_str(), s.bytes_in, s.rate_in), ("100.64.0.9", 3_500, 10_000));
        live.up(R1, &active("*1", "jdoe", 4_500, 14), at(4));
        assert_eq!(live.snapshot()[0].rate_in, 4_000, "measured from the last real reading");
    }

    #[test]
    fn a_full_reading_removes_what_vanished_on_that_router_only() {
        let mut live = LiveSessions::default();
        live.reset(R1, &[active("*1", "a", 0, 1), active("*2", "b", 0, 1)], at(0));
        live.reset(R2, &[active("*1", "c", 0, 1)], at(0));
        live.take_changes();
        live.reset(R1, &[active("*2", "b", 0, 1)], at(0));
        let changes = live.take_changes();
        assert_eq!(changes.removed, vec![(R1, "*1".to_owned())]);
        assert!(changes.upserted.is_empty(), "unchanged sessions are not resent");
        assert_eq!(live.len(), 2);
        live.forget(R2);
        assert_eq!(live.take_changes().removed, vec![(R2, "*1".to_owned())]);
    }

    #[test]
    fn ended_sessions_are_kept_for_the_history_until_taken() {
        let mut live = LiveSessions::default();
        live.reset(R1, &[active("*1", "a", 5, 1), active("*2", "b", 0, 1)], at(0));
        live.reset(R2, &[active("*1", "c", 0, 1)], at(0));
        live.ended(R1, "*1", at(3));
        live.reset(R1, &[], at(4));
        live.forget(R2);
        let (now, ended) = live.take_history(R1);
        assert!(now.is_empty());
        let ended: Vec<_> = ended.iter().map(|(s, t)| (s.user.as_str(), s.bytes_in, *t)).collect();
        assert_eq!(ended, vec![("a", 5, at(3)), ("b", 0, at(4))]);
        assert_eq!(live.take_history(R1), (Vec::new(), Vec::new()), "taken once");
        assert_eq!(live.take_history(R2), (Vec::new(), Vec::new()), "a forgotten router's did not end");
        live.up(R2, &active("*7", "d", 0, 1), at(5));
        assert_eq!(live.take_history(R2).0.len(), 1);
    }

    #[test]
    fn a_session_that_comes_and_goes_between_looks_is_only_removed() {
        let mut live = LiveSessions::default();
        live.up(R1, &active("*9", "x", 0, 1), at(0));
        live.gone(R1, "*9");
        let changes = live.take_changes();
        assert!(changes.upserted.is_empty());
        assert_eq!(changes.removed.len(), 1);
        live.gone(R1, "*9");
        assert!(live.take_changes().is_empty(), "a second removal is no change");
    }
}

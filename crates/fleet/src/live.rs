//! The live PPP sessions of every router as one table, in the order the
//! console lists them (by user), with a version that moves on every change.
//! The console asks for the slice it shows ([`LiveSessions::window`]) rather
//! than being sent every change: with 20,000 sessions whose rates change
//! every few seconds, only the forty rows on screen cross to the web view.
//! Plain data: the fleet feeds it what routers report, with the time passed in.

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

/// A session's place in the list: by user, then router and id (one user may
/// be online on two routers, or twice while a stale session lingers).
type ListKey = (String, RouterId, String);

/// Which sessions a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Matched, ignoring case, against user, address and caller id.
    pub text: String,
    /// Only these routers' sessions; all when empty.
    pub routers: Vec<RouterId>,
    /// Routers whose every session matches the text (their names matched
    /// it: the table knows routers by id only).
    pub text_routers: Vec<RouterId>,
}

impl SessionFilter {
    fn keeps(&self, needle: &str, s: &LiveSession) -> bool {
        (self.routers.is_empty() || self.routers.contains(&s.router))
            && (needle.is_empty()
                || self.text_routers.contains(&s.router)
                || [&s.user, &s.address, &s.caller_id].iter().any(|f| f.to_lowercase().contains(needle)))
    }
}

/// A slice of the list, and how long the whole list is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionWindow {
    /// Sessions the filter keeps.
    pub matched: usize,
    /// Every live session.
    pub total: usize,
    /// Position of the first row in the filtered list.
    pub first: usize,
    pub rows: Vec<LiveSession>,
}

#[derive(Debug, Default)]
pub struct LiveSessions {
    sessions: BTreeMap<Key, LiveSession>,
    /// The same sessions in list order.
    listed: BTreeSet<ListKey>,
    /// Sessions per router, for the console's router filter.
    per_router: BTreeMap<RouterId, usize>,
    /// Moves on every change: a console that saw this version has nothing to fetch.
    version: u64,
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
            self.insert(key, session);
        }
    }

    fn insert(&mut self, key: Key, session: LiveSession) {
        let (router, user) = (key.0, session.user.clone());
        self.listed.insert((user.clone(), router, key.1.clone()));
        match self.sessions.insert(key, session) {
            // Renamed in place (a `listen` change of name): its old place goes.
            Some(old) if old.user != user => {
                self.listed.remove(&(old.user, router, old.id));
            }
            Some(_) => {}
            None => *self.per_router.entry(router).or_default() += 1,
        }
        self.version += 1;
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
        let session = self.sessions.remove(&(router, id.to_owned()))?;
        self.listed.remove(&(session.user.clone(), router, session.id.clone()));
        if let Some(count) = self.per_router.get_mut(&router) {
            *count -= 1;
            if *count == 0 {
                self.per_router.remove(&router);
            }
        }
        self.version += 1;
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

    pub fn get(&self, router: RouterId, id: &str) -> Option<&LiveSession> {
        self.sessions.get(&(router, id.to_owned()))
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

    /// Moves whenever a session comes, goes or changes.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The routers that have sessions, with how many.
    pub fn per_router(&self) -> impl Iterator<Item = (RouterId, usize)> + '_ {
        self.per_router.iter().map(|(r, n)| (*r, *n))
    }

    /// Up to `count` sessions the filter keeps, from the `first`-th on, in
    /// list order. A `first` past the end gives the last page (the list
    /// shrank under a scrolled console).
    pub fn window(&self, filter: &SessionFilter, first: usize, count: usize) -> SessionWindow {
        let total = self.sessions.len();
        let session = |(_, router, id): &ListKey| self.sessions.get(&(*router, id.clone()));
        let needle = filter.text.trim().to_lowercase();
        if needle.is_empty() && filter.routers.is_empty() {
            // Unfiltered, only the slice is looked at.
            let first = first.min(total.saturating_sub(count));
            let rows = self.listed.iter().skip(first).take(count).filter_map(session).cloned().collect();
            return SessionWindow { matched: total, total, first, rows };
        }
        let kept: Vec<&LiveSession> =
            self.listed.iter().filter_map(session).filter(|s| filter.keeps(&needle, s)).collect();
        let first = first.min(kept.len().saturating_sub(count));
        SessionWindow {
            matched: kept.len(),
            total,
            first,
            rows: kept.into_iter().skip(first).take(count).cloned().collect(),
        }
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

    fn users(window: &SessionWindow) -> Vec<&str> {
        window.rows.iter().map(|s| s.user.as_str()).collect()
    }

    #[test]
    fn a_new_session_is_listed_with_its_start_time() {
        let mut live = LiveSessions::default();
        let before = live.version();
        live.up(R1, &active("*1", "jdoe", 0, 90), at(100));
        assert_ne!(live.version(), before);
        let window = live.window(&SessionFilter::default(), 0, 10);
        assert_eq!((window.matched, window.total, window.first), (1, 1, 0));
        let s = &window.rows[0];
        assert_eq!((s.user.as_str(), s.address.as_str(), s.since), ("jdoe", "100.64.0.2", at(10)));
    }

    #[test]
    fn the_list_is_by_user_across_routers_and_windows_slice_it() {
        let mut live = LiveSessions::default();
        live.reset(R2, &[active("*1", "carol", 0, 1), active("*2", "alice", 0, 1)], at(0));
        live.reset(R1, &[active("*1", "bob", 0, 1), active("*2", "alice", 0, 1)], at(0));
        let all = live.window(&SessionFilter::default(), 0, 10);
        assert_eq!(users(&all), ["alice", "alice", "bob", "carol"]);
        assert_eq!((all.rows[0].router, all.rows[1].router), (R1, R2), "the same user: by router");
        let slice = live.window(&SessionFilter::default(), 1, 2);
        assert_eq!((users(&slice), slice.first, slice.matched), (vec!["alice", "bob"], 1, 4));
        // Scrolled past the end of a list that shrank: the last page.
        let past = live.window(&SessionFilter::default(), 50, 3);
        assert_eq!((users(&past), past.first), (vec!["alice", "bob", "carol"], 1));
        assert_eq!(live.per_router().collect::<Vec<_>>(), [(R1, 2), (R2, 2)]);
    }

    #[test]
    fn filters_match_text_without_case_and_routers() {
        let mut live = LiveSessions::default();
        let mut other = active("*3", "Dave", 0, 1);
        other.caller_id = "DE:AD:BE:EF:00:01".into();
        live.reset(R1, &[active("*1", "bob", 0, 1), other], at(0));
        live.reset(R2, &[active("*1", "dan", 0, 1)], at(0));
        let text = |t: &str| SessionFilter { text: t.into(), ..SessionFilter::default() };
        assert_eq!(users(&live.window(&text(" DA "), 0, 10)), ["Dave", "dan"]);
        assert_eq!(users(&live.window(&text("de:ad"), 0, 10)), ["Dave"]);
        assert_eq!(live.window(&text("100.64"), 0, 10).matched, 3, "addresses match");
        let on_r2 = SessionFilter { text: "d".into(), routers: vec![R2], ..SessionFilter::default() };
        let window = live.window(&on_r2, 0, 10);
        assert_eq!((users(&window), window.matched, window.total), (vec!["dan"], 1, 3));
        let router_named = SessionFilter { text: "edge".into(), text_routers: vec![R2], ..SessionFilter::default() };
        assert_eq!(users(&live.window(&router_named, 0, 10)), ["dan"], "a router's name finds its sessions");
        assert_eq!(live.window(&text("nobody"), 5, 10), SessionWindow { matched: 0, total: 3, first: 0, rows: vec![] });
    }

    #[test]
    fn a_renamed_session_moves_in_the_list() {
        let mut live = LiveSessions::default();
        live.reset(R1, &[active("*1", "bob", 0, 1), active("*2", "carol", 0, 1)], at(0));
        let mut renamed = active("*2", "alice", 0, 1);
        (renamed.bytes_in, renamed.bytes_out) = (None, None);
        live.up(R1, &renamed, at(1));
        assert_eq!(users(&live.window(&SessionFilter::default(), 0, 10)), ["alice", "bob"]);
        assert_eq!(live.len(), 2);
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
        let seen = live.version();
        live.reset(R1, &[active("*1", "a", 0, 1), active("*2", "b", 0, 1)], at(0));
        assert_eq!(live.version(), seen, "an unchanged reading is no change");
        live.reset(R1, &[active("*2", "b", 0, 1)], at(0));
        assert_ne!(live.version(), seen);
        assert_eq!(users(&live.window(&SessionFilter::default(), 0, 10)), ["b", "c"]);
        live.forget(R2);
        assert_eq!(users(&live.window(&SessionFilter::default(), 0, 10)), ["b"]);
        assert_eq!(live.per_router().collect::<Vec<_>>(), [(R1, 1)], "a router without sessions is not listed");
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
    fn a_second_removal_is_no_change() {
        let mut live = LiveSessions::default();
        live.up(R1, &active("*9", "x", 0, 1), at(0));
        live.gone(R1, "*9");
        let seen = live.version();
        live.gone(R1, "*9");
        assert_eq!(live.version(), seen);
        assert!(live.is_empty());
    }
}

//! The live sessions as the UI keeps them: sorted by user once, as changes
//! arrive, so the Live sessions page filters without sorting or copying
//! 20,000 rows on every update.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use headend_ipc::{SessionRow, SessionsChanged};

/// (user, router id, session id): the display order.
type SortKey = (String, i64, String);

#[derive(Debug, Default, Clone)]
pub struct SessionTable {
    sorted: BTreeMap<SortKey, Arc<SessionRow>>,
    /// (router id, session id) → user, to find a removed session's place.
    users: HashMap<(i64, String), String>,
}

impl SessionTable {
    pub fn from_rows(rows: Vec<SessionRow>) -> Self {
        let mut table = Self::default();
        rows.into_iter().for_each(|r| table.upsert(r));
        table
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Every session, by user.
    pub fn rows(&self) -> impl Iterator<Item = &Arc<SessionRow>> {
        self.sorted.values()
    }

    fn upsert(&mut self, row: SessionRow) {
        let id = (row.router_id, row.id.clone());
        if let Some(user) = self.users.get(&id).filter(|u| **u != row.user) {
            self.sorted.remove(&(user.clone(), id.0, id.1.clone()));
        }
        self.users.insert(id, row.user.clone());
        self.sorted.insert((row.user.clone(), row.router_id, row.id.clone()), Arc::new(row));
    }

    pub fn remove(&mut self, router: i64, session: &str) {
        if let Some(user) = self.users.remove(&(router, session.to_owned())) {
            self.sorted.remove(&(user, router, session.to_owned()));
        }
    }

    pub fn apply(&mut self, changes: SessionsChanged) {
        for (router, id) in changes.removed {
            self.remove(router, &id);
        }
        changes.upserted.into_iter().for_each(|r| self.upsert(r));
    }
}

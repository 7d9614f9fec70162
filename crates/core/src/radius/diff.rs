//! From the rows Headend wants to the rows FreeRADIUS holds: the fewest
//! inserts, updates and deletes, touching only rows Headend owns.
//!
//! Headend owns the `radcheck` and `radreply` rows it writes
//! ([`HEADEND_CHECKS`], [`HEADEND_REPLIES`]) of the users it manages (the
//! PPPoE user names of its services, terminated ones included so their
//! rows go), the `radgroupreply` rows of groups named with
//! [`GROUP_PREFIX`], and the `radusergroup` rows that are both: a managed
//! user in a Headend group. Every other row is the operator's and is never
//! written, whatever `desired` says.
//!
//! A row is matched by its user (or group) and attribute; a user's Headend
//! group membership by the user alone, so a plan change is one update.
//! Changes come in this order, so FreeRADIUS is consistent after each one
//! even outside a transaction:
//! 1. group inserts and updates: a user never joins a group with no rows;
//! 2. user deletes (`radcheck`, `radusergroup`, `radreply`): stale rows go
//!    before new ones arrive, so a unique index on user and attribute that
//!    an operator added never sees two;
//! 3. user inserts and updates, in the same table order;
//! 4. group deletes, once no user is moved into them any more.
//!
//! Within a step rows go in the order of their key.

use std::collections::{BTreeMap, BTreeSet};

use crate::radius::desired::{GROUP_PREFIX, HEADEND_CHECKS, HEADEND_REPLIES, RadiusState};
use crate::radius::rows::{CheckRow, GroupReplyRow, ReplyRow, UserGroup};

/// One write to one row. A delete or update finds its row by every
/// column of `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<R> {
    Insert(R),
    Update { from: R, to: R },
    Delete(R),
}

impl<R> Change<R> {
    fn is_delete(&self) -> bool {
        matches!(self, Change::Delete(_))
    }
}

/// One write to FreeRADIUS's tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RadiusChange {
    GroupReply(Change<GroupReplyRow>),
    Check(Change<CheckRow>),
    UserGroup(Change<UserGroup>),
    Reply(Change<ReplyRow>),
}

/// How a row is matched between the two states.
trait Keyed {
    fn key(&self) -> (&str, &str);
}

impl Keyed for CheckRow {
    fn key(&self) -> (&str, &str) {
        (&self.username, &self.attribute)
    }
}

impl Keyed for ReplyRow {
    fn key(&self) -> (&str, &str) {
        (&self.username, &self.attribute)
    }
}

impl Keyed for GroupReplyRow {
    fn key(&self) -> (&str, &str) {
        (&self.groupname, &self.attribute)
    }
}

/// One Headend group per user: the membership is the user's.
impl Keyed for UserGroup {
    fn key(&self) -> (&str, &str) {
        (&self.username, "")
    }
}

/// The changes from `current` to `desired`; `managed` is the set of user
/// names of Headend's services.
pub fn diff(desired: &RadiusState, current: &RadiusState, managed: &BTreeSet<String>) -> Vec<RadiusChange> {
    let ours_user = |name: &str| managed.contains(name);
    let ours_check = |r: &CheckRow| ours_user(&r.username) && HEADEND_CHECKS.contains(&r.attribute.as_str());
    let ours_reply = |r: &ReplyRow| ours_user(&r.username) && HEADEND_REPLIES.contains(&r.attribute.as_str());
    let ours_group = |name: &str| name.starts_with(GROUP_PREFIX);
    let (group_gone, group_set) = table(&desired.group_reply, &current.group_reply, |r| ours_group(&r.groupname));
    let (check_gone, check_set) = table(&desired.check, &current.check, ours_check);
    let (member_gone, member_set) =
        table(&desired.user_group, &current.user_group, |r| ours_user(&r.username) && ours_group(&r.groupname));
    let (reply_gone, reply_set) = table(&desired.reply, &current.reply, ours_reply);

    let mut out = Vec::new();
    out.extend(group_set.into_iter().map(RadiusChange::GroupReply));
    out.extend(check_gone.into_iter().map(RadiusChange::Check));
    out.extend(member_gone.into_iter().map(RadiusChange::UserGroup));
    out.extend(reply_gone.into_iter().map(RadiusChange::Reply));
    out.extend(check_set.into_iter().map(RadiusChange::Check));
    out.extend(member_set.into_iter().map(RadiusChange::UserGroup));
    out.extend(reply_set.into_iter().map(RadiusChange::Reply));
    out.extend(group_gone.into_iter().map(RadiusChange::GroupReply));
    out
}

/// The changes of one table, split into deletes and the rest, each in key
/// order. Rows `owned` rejects are skipped on both sides.
fn table<R: Keyed + Clone + PartialEq>(
    desired: &[R],
    current: &[R],
    owned: impl Fn(&R) -> bool,
) -> (Vec<Change<R>>, Vec<Change<R>>) {
    let mut want: BTreeMap<(&str, &str), &R> = BTreeMap::new();
    for row in desired.iter().filter(|r| owned(r)) {
        want.entry(row.key()).or_insert(row);
    }
    let mut have: BTreeMap<(&str, &str), Vec<&R>> = BTreeMap::new();
    for row in current.iter().filter(|r| owned(r)) {
        have.entry(row.key()).or_default().push(row);
    }
    let keys: BTreeSet<(&str, &str)> = want.keys().chain(have.keys()).copied().collect();
    let mut changes = Vec::new();
    for key in keys {
        let rows = have.get(&key).map(Vec::as_slice).unwrap_or_default();
        match want.get(&key) {
            None => changes.extend(rows.iter().map(|r| Change::Delete((*r).clone()))),
            Some(want) => {
                // Keep a row that is already right; otherwise rewrite the
                // first. Duplicates beyond the kept one go.
                let keep = rows.iter().position(|r| *r == *want).or((!rows.is_empty()).then_some(0));
                match keep {
                    None => changes.push(Change::Insert((*want).clone())),
                    Some(i) if rows[i] != *want => {
                        changes.push(Change::Update { from: rows[i].clone(), to: (*want).clone() })
                    }
                    Some(_) => {}
                }
                let extra = rows.iter().enumerate().filter(|(j, r)| Some(*j) != keep && **r != *want);
                changes.extend(extra.map(|(_, r)| Change::Delete((*r).clone())));
            }
        }
    }
    changes.into_iter().partition(Change::is_delete)
}

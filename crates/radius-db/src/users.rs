//! The user and group rows (`radcheck`, `radreply`, `radusergroup`,
//! `radgroupreply`): read for a set of users and Headend's groups, and
//! written as `headend_core::radius::diff` says, in one transaction.

use std::collections::BTreeSet;

use headend_core::radius::database::Dialect;
use headend_core::radius::desired::{GROUP_PREFIX, RadiusState};
use headend_core::radius::diff::{Change, RadiusChange};
use headend_core::radius::rows::{CheckRow, GroupReplyRow, Op, ReplyRow, UserGroup};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{RadiusDb, RadiusDbError, query_error};

/// Names per `IN (…)` list: far below every server's bind limit.
const CHUNK: usize = 500;

/// Rows per multi-row `INSERT`.
const INSERT_BATCH: usize = 200;

/// How many rows of each table one [`RadiusDb::apply`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub inserted: usize,
    pub updated: usize,
    pub deleted: usize,
}

impl Written {
    pub fn total(&self) -> usize {
        self.inserted + self.updated + self.deleted
    }
}

/// What the database holds of users Headend does and does not manage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserCounts {
    /// Users with `radcheck` rows that are Headend's services.
    pub managed: u64,
    /// Users with `radcheck` rows that are not: left alone, always.
    pub unmanaged: u64,
    /// Rows of groups without Headend's prefix: the operator's.
    pub unmanaged_group_rows: u64,
}

/// The columns of one attribute table.
struct Table {
    name: &'static str,
    /// `username` or `groupname`.
    owner: &'static str,
}

const RADCHECK: Table = Table { name: "radcheck", owner: "username" };
const RADREPLY: Table = Table { name: "radreply", owner: "username" };
const RADGROUPREPLY: Table = Table { name: "radgroupreply", owner: "groupname" };

/// An attribute row's columns, whichever table it is in.
struct AttrRow<'a> {
    owner: &'a str,
    attribute: &'a str,
    op: Op,
    value: &'a str,
}

impl RadiusDb {
    /// The rows of `users` (check, reply, their memberships of Headend's
    /// groups and of others) and every row of Headend's groups. Rows with
    /// an operator Headend never writes (`!=`, `=~`…) are skipped: they are
    /// the operator's and stay.
    pub async fn read_users(&self, users: &BTreeSet<String>) -> Result<RadiusState, RadiusDbError> {
        let names: Vec<&str> = users.iter().map(String::as_str).collect();
        let mut state = RadiusState::default();
        for chunk in names.chunks(CHUNK) {
            for row in self.attribute_rows(&RADCHECK, chunk).await? {
                state.check.push(CheckRow::new(row.0, row.1, row.2, row.3));
            }
            for row in self.attribute_rows(&RADREPLY, chunk).await? {
                state.reply.push(ReplyRow { username: row.0, attribute: row.1, op: row.2, value: row.3 });
            }
            let sql = format!(
                "SELECT username, groupname, CAST(priority AS {int}) FROM radusergroup WHERE username IN ({})",
                self.placeholders(1, chunk.len()),
                int = self.bigint(),
            );
            let mut query = sqlx::query(&sql);
            for name in chunk {
                query = query.bind(*name);
            }
            for row in query.fetch_all(self.pool()).await.map_err(query_error("reading radusergroup"))? {
                let priority: i64 = get(&row, 2, "radusergroup")?;
                state.user_group.push(UserGroup {
                    username: get(&row, 0, "radusergroup")?,
                    groupname: get(&row, 1, "radusergroup")?,
                    priority: i32::try_from(priority).unwrap_or(i32::MAX),
                });
            }
        }
        let sql = format!(
            "SELECT groupname, attribute, op, value FROM radgroupreply WHERE groupname LIKE {}",
            self.placeholder(1)
        );
        let rows = sqlx::query(&sql)
            .bind(format!("{GROUP_PREFIX}%"))
            .fetch_all(self.pool())
            .await
            .map_err(query_error("reading radgroupreply"))?;
        for row in rows {
            if let Some((groupname, attribute, op, value)) = attribute_row(&row, "radgroupreply")? {
                state.group_reply.push(GroupReplyRow { groupname, attribute, op, value });
            }
        }
        Ok(state)
    }

    /// Every user's rows, for adopting a database that already has users.
    pub async fn read_all_users(&self) -> Result<RadiusState, RadiusDbError> {
        let names: BTreeSet<String> = sqlx::query("SELECT DISTINCT username FROM radcheck")
            .fetch_all(self.pool())
            .await
            .map_err(query_error("listing users"))?
            .iter()
            .map(|row| get(row, 0, "radcheck"))
            .collect::<Result<_, _>>()?;
        self.read_users(&names).await
    }

    async fn attribute_rows(
        &self,
        table: &Table,
        owners: &[&str],
    ) -> Result<Vec<(String, String, Op, String)>, RadiusDbError> {
        let sql = format!(
            "SELECT {owner}, attribute, op, value FROM {name} WHERE {owner} IN ({})",
            self.placeholders(1, owners.len()),
            owner = table.owner,
            name = table.name,
        );
        let mut query = sqlx::query(&sql);
        for owner in owners {
            query = query.bind(*owner);
        }
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| RadiusDbError::Query { what: "reading user rows", detail: format!("{}: {e}", table.name) })?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.extend(attribute_row(&row, table.name)?);
        }
        Ok(out)
    }

    /// Writes `changes` in order, in one transaction: FreeRADIUS sees all
    /// of them or none. Consecutive inserts into one table go as one
    /// multi-row `INSERT`.
    pub async fn apply(&self, changes: &[RadiusChange]) -> Result<Written, RadiusDbError> {
        let mut written = Written::default();
        if changes.is_empty() {
            return Ok(written);
        }
        let mut tx = self.pool().begin().await.map_err(query_error("starting a transaction"))?;
        let mut i = 0;
        while i < changes.len() {
            // A run of inserts into the same table.
            let run = changes[i..].iter().take(INSERT_BATCH).take_while(|c| same_table_insert(c, &changes[i])).count();
            if run > 0 {
                self.insert_many(&mut tx, &changes[i..i + run]).await?;
                written.inserted += run;
                i += run;
                continue;
            }
            match &changes[i] {
                RadiusChange::Check(c) => self.write_attr(&mut tx, &RADCHECK, &attr_change(c, check_attr)).await?,
                RadiusChange::Reply(c) => self.write_attr(&mut tx, &RADREPLY, &attr_change(c, reply_attr)).await?,
                RadiusChange::GroupReply(c) => {
                    self.write_attr(&mut tx, &RADGROUPREPLY, &attr_change(c, group_attr)).await?
                }
                RadiusChange::UserGroup(c) => self.write_membership(&mut tx, c).await?,
            }
            match &changes[i] {
                RadiusChange::Check(Change::Update { .. })
                | RadiusChange::Reply(Change::Update { .. })
                | RadiusChange::GroupReply(Change::Update { .. })
                | RadiusChange::UserGroup(Change::Update { .. }) => written.updated += 1,
                _ => written.deleted += 1,
            }
            i += 1;
        }
        tx.commit().await.map_err(query_error("committing the sync"))?;
        Ok(written)
    }

    async fn insert_many(&self, tx: &mut Transaction<'_, Any>, inserts: &[RadiusChange]) -> Result<(), RadiusDbError> {
        let (table, columns, arity) = match inserts.first() {
            Some(RadiusChange::Check(_)) => ("radcheck", "username, attribute, op, value", 4),
            Some(RadiusChange::Reply(_)) => ("radreply", "username, attribute, op, value", 4),
            Some(RadiusChange::GroupReply(_)) => ("radgroupreply", "groupname, attribute, op, value", 4),
            Some(RadiusChange::UserGroup(_)) => ("radusergroup", "username, groupname, priority", 3),
            None => return Ok(()),
        };
        let values: Vec<String> =
            (0..inserts.len()).map(|k| format!("({})", self.placeholders(1 + k * arity, arity))).collect();
        let sql = format!("INSERT INTO {table} ({columns}) VALUES {}", values.join(", "));
        let mut query = sqlx::query(&sql);
        for change in inserts {
            query = match change {
                RadiusChange::Check(Change::Insert(r)) => bind_attr(query, &check_attr(r)),
                RadiusChange::Reply(Change::Insert(r)) => bind_attr(query, &reply_attr(r)),
                RadiusChange::GroupReply(Change::Insert(r)) => bind_attr(query, &group_attr(r)),
                RadiusChange::UserGroup(Change::Insert(r)) => {
                    query.bind(r.username.as_str()).bind(r.groupname.as_str()).bind(r.priority)
                }
                _ => query,
            };
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(|e| RadiusDbError::Query { what: "adding rows", detail: format!("{table}: {e}") })?;
        Ok(())
    }

    /// One update or delete of one attribute row, found by all its columns.
    async fn write_attr(
        &self,
        tx: &mut Transaction<'_, Any>,
        table: &Table,
        change: &Change<AttrRow<'_>>,
    ) -> Result<(), RadiusDbError> {
        let (row, new) = match change {
            Change::Insert(_) => return Ok(()),
            Change::Delete(row) => (row, None),
            Change::Update { from, to } => (from, Some(to)),
        };
        // MySQL binds in text order, PostgreSQL by number: with SET first
        // in the text, number the WHERE's placeholders after SET's two.
        let first = if new.is_some() { 3 } else { 1 };
        let matching = format!(
            "{owner} = {} AND attribute = {} AND op = {} AND value = {}",
            self.placeholder(first),
            self.placeholder(first + 1),
            self.placeholder(first + 2),
            self.placeholder(first + 3),
            owner = table.owner,
        );
        let one = self.one_row(table.name, &matching);
        let sql = match new {
            None => format!("DELETE FROM {} WHERE {one}", table.name),
            Some(_) => {
                format!(
                    "UPDATE {} SET op = {}, value = {} WHERE {one}",
                    table.name,
                    self.placeholder(1),
                    self.placeholder(2)
                )
            }
        };
        let mut query = sqlx::query(&sql);
        if let Some(to) = new {
            query = query.bind(to.op.as_str()).bind(to.value);
        }
        query = bind_attr(query, row);
        query
            .execute(&mut **tx)
            .await
            .map_err(|e| RadiusDbError::Query { what: "changing rows", detail: format!("{}: {e}", table.name) })?;
        Ok(())
    }

    async fn write_membership(
        &self,
        tx: &mut Transaction<'_, Any>,
        change: &Change<UserGroup>,
    ) -> Result<(), RadiusDbError> {
        let (from, to) = match change {
            Change::Insert(_) => return Ok(()),
            Change::Delete(row) => (row, None),
            Change::Update { from, to } => (from, Some(to)),
        };
        // As in `write_attr`: SET's placeholders first.
        let first = if to.is_some() { 3 } else { 1 };
        let matching = format!(
            "username = {} AND groupname = {} AND priority = {}",
            self.placeholder(first),
            self.placeholder(first + 1),
            self.placeholder(first + 2)
        );
        let one = self.one_row("radusergroup", &matching);
        let sql = match to {
            None => format!("DELETE FROM radusergroup WHERE {one}"),
            Some(_) => format!(
                "UPDATE radusergroup SET groupname = {}, priority = {} WHERE {one}",
                self.placeholder(1),
                self.placeholder(2)
            ),
        };
        let mut query = sqlx::query(&sql);
        if let Some(to) = to {
            query = query.bind(to.groupname.as_str()).bind(to.priority);
        }
        query = query.bind(from.username.as_str()).bind(from.groupname.as_str()).bind(from.priority);
        query.execute(&mut **tx).await.map_err(query_error("changing radusergroup"))?;
        Ok(())
    }

    /// The condition that picks exactly one row matching `matching`: a
    /// duplicate the diff keeps must survive the delete of its twin.
    fn one_row(&self, table: &str, matching: &str) -> String {
        match self.dialect() {
            Dialect::Postgres => format!("id = (SELECT id FROM {table} WHERE {matching} ORDER BY id LIMIT 1)"),
            // MySQL cannot read the table it changes in a subquery; a
            // derived table is materialised first.
            Dialect::Mysql => format!(
                "id = (SELECT id FROM (SELECT id FROM {table} WHERE {matching} ORDER BY id LIMIT 1) AS one_row)"
            ),
        }
    }

    /// The integer type a `CAST` names.
    pub(crate) fn bigint(&self) -> &'static str {
        match self.dialect() {
            Dialect::Postgres => "BIGINT",
            Dialect::Mysql => "SIGNED",
        }
    }

    /// How many users and group rows are and are not Headend's.
    pub async fn user_counts(&self, managed: &BTreeSet<String>) -> Result<UserCounts, RadiusDbError> {
        let users: Vec<String> = sqlx::query("SELECT DISTINCT username FROM radcheck")
            .fetch_all(self.pool())
            .await
            .map_err(query_error("counting users"))?
            .iter()
            .map(|row| get(row, 0, "radcheck"))
            .collect::<Result<_, _>>()?;
        let managed_count = users.iter().filter(|u| managed.contains(*u)).count() as u64;
        let sql = format!(
            "SELECT CAST(COUNT(*) AS {}) FROM radgroupreply WHERE groupname NOT LIKE {}",
            self.bigint(),
            self.placeholder(1)
        );
        let foreign: i64 = sqlx::query(&sql)
            .bind(format!("{GROUP_PREFIX}%"))
            .fetch_one(self.pool())
            .await
            .map_err(query_error("counting group rows"))
            .and_then(|row| get(&row, 0, "radgroupreply"))?;
        Ok(UserCounts {
            managed: managed_count,
            unmanaged: users.len() as u64 - managed_count,
            unmanaged_group_rows: u64::try_from(foreign).unwrap_or(0),
        })
    }
}

fn same_table_insert(change: &RadiusChange, first: &RadiusChange) -> bool {
    matches!(
        (change, first),
        (RadiusChange::Check(Change::Insert(_)), RadiusChange::Check(Change::Insert(_)))
            | (RadiusChange::Reply(Change::Insert(_)), RadiusChange::Reply(Change::Insert(_)))
            | (RadiusChange::GroupReply(Change::Insert(_)), RadiusChange::GroupReply(Change::Insert(_)))
            | (RadiusChange::UserGroup(Change::Insert(_)), RadiusChange::UserGroup(Change::Insert(_)))
    )
}

fn check_attr(r: &CheckRow) -> AttrRow<'_> {
    AttrRow { owner: &r.username, attribute: &r.attribute, op: r.op, value: r.value.expose() }
}

fn reply_attr(r: &ReplyRow) -> AttrRow<'_> {
    AttrRow { owner: &r.username, attribute: &r.attribute, op: r.op, value: &r.value }
}

fn group_attr(r: &GroupReplyRow) -> AttrRow<'_> {
    AttrRow { owner: &r.groupname, attribute: &r.attribute, op: r.op, value: &r.value }
}

fn bind_attr<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    row: &AttrRow<'q>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query.bind(row.owner).bind(row.attribute).bind(row.op.as_str()).bind(row.value)
}

/// A change of a typed row as a change of its attribute columns.
fn attr_change<'a, R>(change: &'a Change<R>, columns: fn(&'a R) -> AttrRow<'a>) -> Change<AttrRow<'a>> {
    match change {
        Change::Insert(r) => Change::Insert(columns(r)),
        Change::Update { from, to } => Change::Update { from: columns(from), to: columns(to) },
        Change::Delete(r) => Change::Delete(columns(r)),
    }
}

/// A column as `T`, or a clear error naming the table.
pub(crate) fn get<T>(row: &AnyRow, index: usize, table: &'static str) -> Result<T, RadiusDbError>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(index).map_err(|e| RadiusDbError::Corrupt { table, detail: e.to_string() })
}

/// An attribute row, or `None` for one whose operator Headend never
/// writes.
fn attribute_row(row: &AnyRow, table: &'static str) -> Result<Option<(String, String, Op, String)>, RadiusDbError> {
    let op: String = get(row, 2, table)?;
    let Some(op) = Op::parse(op.trim()) else { return Ok(None) };
    Ok(Some((get(row, 0, table)?, get(row, 1, table)?, op, get(row, 3, table)?)))
}

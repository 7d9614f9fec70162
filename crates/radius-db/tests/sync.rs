//! The rows Headend writes, read back from real PostgreSQL and MariaDB
//! servers started on loopback for the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use headend_core::radius::database::DatabaseUrl;
use headend_core::radius::desired::{RadiusState, plan_group};
use headend_core::radius::diff::{Change, RadiusChange, diff};
use headend_core::radius::rows::{CheckRow, GroupReplyRow, Op, UserGroup};
use headend_core::{PlanId, RouterId};
use headend_radius_db::RadiusDb;
use headend_radius_db::nas::NasRow;
use headend_secrets::Secret;
use headend_simlab::{MariaDbServer, PostgresServer};

async fn connect(url: &str, password: &str) -> RadiusDb {
    let url: DatabaseUrl = url.parse().unwrap();
    RadiusDb::connect(&url, &Secret::new(password.to_owned())).await.unwrap()
}

fn check(user: &str, attribute: &str, value: &str) -> CheckRow {
    CheckRow::new(user, attribute, Op::Set, value)
}

fn sorted(mut state: RadiusState) -> RadiusState {
    state.check.sort_by(|a, b| {
        (&a.username, &a.attribute, a.value.expose()).cmp(&(&b.username, &b.attribute, b.value.expose()))
    });
    state.user_group.sort_by(|a, b| (&a.username, &a.groupname).cmp(&(&b.username, &b.groupname)));
    state.group_reply.sort_by(|a, b| (&a.groupname, &a.attribute).cmp(&(&b.groupname, &b.attribute)));
    state
}

async fn round_trip(db: &RadiusDb) {
    db.create_schema().await.unwrap();
    let schema = db.require_schema().await.unwrap();
    assert_eq!(schema.version, Some("3.2"));
    assert!(schema.missing.is_empty(), "{schema:?}");
    // Creating again keeps what is there.
    db.create_schema().await.unwrap();

    let plan1 = plan_group(PlanId(1));
    let want = RadiusState {
        check: vec![
            check("ana", "Cleartext-Password", "pw'; --"),
            check("bob", "Cleartext-Password", "b"),
            check("bob", "Auth-Type", "Reject"),
        ],
        reply: vec![],
        group_reply: vec![GroupReplyRow {
            groupname: plan1.clone(),
            attribute: "Mikrotik-Rate-Limit".into(),
            op: Op::Set,
            value: "10M/20M".into(),
        }],
        user_group: vec![
            UserGroup { username: "ana".into(), groupname: plan1.clone(), priority: 1 },
            UserGroup { username: "bob".into(), groupname: plan1.clone(), priority: 1 },
        ],
    };
    let managed: BTreeSet<String> = ["ana", "bob"].map(String::from).into();
    let users = managed.clone();
    let before = db.read_users(&users).await.unwrap();
    let changes = diff(&want, &before, &managed);
    let written = db.apply(&changes).await.unwrap();
    assert_eq!(written.inserted, 6);
    let after = db.read_users(&users).await.unwrap();
    assert_eq!(sorted(after.clone()), sorted(want.clone()));
    assert!(diff(&want, &after, &managed).is_empty());

    // Updates and deletes find their rows.
    let mut next = want.clone();
    next.check.retain(|c| c.attribute != "Auth-Type");
    next.check[0] = check("ana", "Cleartext-Password", "new");
    next.user_group[1].groupname = "headend-suspended".into();
    next.group_reply.push(GroupReplyRow {
        groupname: "headend-suspended".into(),
        attribute: "Mikrotik-Address-List".into(),
        op: Op::Set,
        value: "x".into(),
    });
    let changes = diff(&next, &after, &managed);
    assert!(changes.iter().any(|c| matches!(c, RadiusChange::Check(Change::Update { .. }))));
    let written = db.apply(&changes).await.unwrap();
    assert_eq!(written.total(), changes.len());
    let after = db.read_users(&users).await.unwrap();
    assert!(diff(&next, &after, &managed).is_empty(), "{:#?}", diff(&next, &after, &managed));
    let counts = db.user_counts(&managed).await.unwrap();
    assert_eq!((counts.managed, counts.unmanaged), (2, 0));

    let nas = |secret: &str| NasRow {
        router: RouterId(3),
        nasname: "127.0.0.3".into(),
        shortname: "Tower A".into(),
        secret: secret.into(),
    };
    let other =
        NasRow { router: RouterId(4), nasname: "127.0.0.4".into(), shortname: "Tower B".into(), secret: "b".into() };
    assert_eq!(db.sync_nas(RouterId(4), Some(&other)).await.unwrap(), 1);
    assert_eq!(db.sync_nas(RouterId(3), Some(&nas("s1"))).await.unwrap(), 1);
    assert_eq!(db.sync_nas(RouterId(3), Some(&nas("s1"))).await.unwrap(), 0);
    assert_eq!(db.sync_nas(RouterId(3), Some(&nas("s2"))).await.unwrap(), 1);
    assert_eq!(db.sync_nas(RouterId(3), None).await.unwrap(), 1);
    assert_eq!(db.sync_nas(RouterId(4), Some(&other)).await.unwrap(), 0, "another router's row stays");

    assert!(db.accounting_after(0, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn postgres_rows_round_trip() {
    let server = PostgresServer::start().await.unwrap();
    round_trip(&connect(&server.url(), server.password()).await).await;
}

#[tokio::test]
async fn mariadb_rows_round_trip() {
    let server = MariaDbServer::start().await.unwrap();
    round_trip(&connect(&server.url(), server.password()).await).await;
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_error_without_the_password() {
    let server = PostgresServer::start().await.unwrap();
    let url: DatabaseUrl = server.url().parse().unwrap();
    let err = RadiusDb::connect(&url, &Secret::new("n0t-the-Pa55word".into())).await.unwrap_err().to_string();
    assert!(err.contains("cannot reach the RADIUS database at postgres://headend@127.0.0.1"), "{err}");
    assert!(!err.contains("n0t-the-Pa55word"), "{err}");
}

/// A database FreeRADIUS's own schema made, already holding the
/// operator's users: Headend reads it as 3.2, adds its rows beside
/// theirs, and never touches theirs.
#[tokio::test]
async fn freeradius_own_schema_is_adopted_and_its_rows_left_alone() {
    let server = PostgresServer::start().await.unwrap();
    let schema = std::fs::read_to_string("/etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql").unwrap();
    server.execute("radius", &schema).await.unwrap();
    server
        .execute(
            "radius",
            "INSERT INTO radcheck (username, attribute, op, value) VALUES ('carol', 'Cleartext-Password', ':=', 'c');
             INSERT INTO radcheck (username, attribute, op, value) VALUES ('ana', 'Simultaneous-Use', '!=', '9');
             INSERT INTO radgroupreply (groupname, attribute, op, value) VALUES ('vip', 'Framed-Pool', ':=', 'p1');",
        )
        .await
        .unwrap();
    let db = connect(&server.url(), server.password()).await;
    let found = db.require_schema().await.unwrap();
    assert_eq!(found.version, Some("3.2"));
    let managed: BTreeSet<String> = ["ana".to_owned()].into();
    let want = RadiusState { check: vec![check("ana", "Cleartext-Password", "a")], ..RadiusState::default() };
    let current = db.read_users(&managed).await.unwrap();
    // The `!=` row is the operator's: not even read as Headend's.
    assert!(current.check.is_empty(), "{current:?}");
    db.apply(&diff(&want, &current, &managed)).await.unwrap();
    let counts = db.user_counts(&managed).await.unwrap();
    assert_eq!((counts.managed, counts.unmanaged, counts.unmanaged_group_rows), (1, 1, 1));
    let rows = server.execute("radius", "SELECT username, op, value FROM radcheck ORDER BY id").await.unwrap();
    assert_eq!(rows.lines().collect::<Vec<_>>(), ["carol|:=|c", "ana|!=|9", "ana|:=|a"]);
}

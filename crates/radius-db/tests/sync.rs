//! The rows Headend writes, read back from real PostgreSQL and MariaDB
//! servers started on loopback for the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use headend_core::radius::database::DatabaseUrl;
use headend_core::radius::desired::{RadiusState, plan_group};
use headend_core::radius::diff::{Change, RadiusChange, diff};
use headend_core::radius::rows::{CheckRow, GroupReplyRow, Op, UserGroup};
use headend_core::{PlanId, RouterId};
use headend_radius_db::RadiusDb;
use headend_radius_db::nas::NasRow;
use headend_secrets::Secret;

async fn scratch_postgres() -> RadiusDb {
    let url: DatabaseUrl = std::env::var("SCRATCH_PG").unwrap().parse().unwrap();
    RadiusDb::connect(&url, &Secret::new("p@ss w".into())).await.unwrap()
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
    assert_eq!(db.sync_nas(&[nas("s1")]).await.unwrap(), 1);
    assert_eq!(db.sync_nas(&[nas("s1")]).await.unwrap(), 0);
    assert_eq!(db.sync_nas(&[nas("s2")]).await.unwrap(), 1);
    assert_eq!(db.sync_nas(&[]).await.unwrap(), 1);

    assert!(db.accounting_after(0, 10).await.unwrap().is_empty());
    let _ = BTreeMap::<i32, i32>::new();
}

#[tokio::test]
async fn scratch() {
    let db = scratch_postgres().await;
    round_trip(&db).await;
}

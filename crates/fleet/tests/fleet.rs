//! The fleet against simulated routers over loopback.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use headend_core::router::Transport;
use headend_fleet::{Connector, Fleet, RouterState};
use headend_simlab::{SimConfig, SimRouter};
use support::Inventory;

/// Polls `check` until it holds, for up to 10 s.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test]
async fn follows_sessions_kicks_and_keeps_going_when_another_router_is_down() {
    let sim = SimRouter::start(SimConfig {
        identity: "core-1".into(),
        secrets: 40,
        active_sessions: 25,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut inv = Inventory::new().await;
    let up = inv.router("core-1", sim.api_port(), Transport::Api, Some("admin")).await;
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = inv.router("dead", closed_port, Transport::Api, Some("admin")).await;

    let fleet = Fleet::new(Connector::new(inv.store.clone(), inv.secrets.clone()));
    fleet.watch(up.clone());
    fleet.watch(down.clone());
    eventually("core-1 up with its 25 sessions", || {
        fleet
            .statuses()
            .iter()
            .any(|s| s.router == up.id && matches!(&s.state, RouterState::Up(h) if h.identity == "core-1"))
            && fleet.session_count() == 25
    })
    .await;
    eventually("the dead router reported down", || {
        fleet.statuses().iter().any(|s| s.router == down.id && matches!(s.state, RouterState::Down { .. }))
    })
    .await;
    assert_eq!(fleet.take_session_changes().upserted.len(), 25);

    // A session that starts on the router streams in.
    let before = sim.active_count();
    let user = sim.secrets().iter().find_map(|s| {
        let name = s.get_str("name")?.to_owned();
        (!sim.active_sessions().iter().any(|a| a.get_str("name") == Some(name.as_str()))).then_some(name)
    });
    let user = user.expect("an idle secret");
    sim.connect_session(user.as_str()).unwrap();
    eventually("the new session seen", || fleet.sessions().iter().any(|s| s.user == user)).await;
    assert_eq!(sim.active_count(), before + 1);

    // Kicking ends it on the router and in the table.
    let session = fleet.sessions().into_iter().find(|s| s.user == user).unwrap();
    fleet.kick(up.id, &session.id).await.unwrap();
    assert_eq!(sim.active_count(), before);
    assert!(!fleet.sessions().iter().any(|s| s.user == user));
    let changes = fleet.take_session_changes();
    assert!(changes.removed.contains(&(up.id, session.id.clone())), "{changes:?}");

    // Kicking on the dead router is a clear error, and probing now works on the live one.
    let err = fleet.kick(down.id, "*1").await.unwrap_err();
    assert!(err.to_string().contains("not connected"), "{err}");
    assert_eq!(fleet.probe_now(up.id).await.unwrap().active_sessions, before as u64);
    let interfaces = fleet.interfaces(up.id).await.unwrap();
    assert!(interfaces.iter().any(|i| i.name == "ether1"), "{interfaces:?}");
    assert!(fleet.interfaces(down.id).await.is_err());

    fleet.unwatch(up.id);
    assert_eq!(fleet.session_count(), 0);
}

#[tokio::test]
async fn follows_a_rest_router_by_polling_and_kicks_over_rest() {
    let sim = SimRouter::start(SimConfig {
        identity: "edge-rest".into(),
        secrets: 10,
        active_sessions: 6,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut inv = Inventory::new().await;
    let router = inv.router("edge-rest", sim.rest_port().unwrap(), Transport::Rest, Some("admin")).await;
    let connector =
        Connector::new(inv.store.clone(), inv.secrets.clone()).with_rest_poll_interval(Duration::from_millis(100));
    let fleet = Fleet::new(connector);
    fleet.watch(router.clone());
    eventually("edge-rest up with its 6 sessions", || {
        fleet.statuses().iter().any(|s| matches!(&s.state, RouterState::Up(h) if h.identity == "edge-rest"))
            && fleet.session_count() == 6
    })
    .await;

    sim.connect_session("user00007").unwrap();
    eventually("the new session polled in", || fleet.sessions().iter().any(|s| s.user == "user00007")).await;
    let session = fleet.sessions().into_iter().find(|s| s.user == "user00007").unwrap();
    fleet.kick(router.id, &session.id).await.unwrap();
    assert_eq!(sim.active_count(), 6);
    assert!(!fleet.sessions().iter().any(|s| s.user == "user00007"));

    // A session that ends on the router is polled out.
    sim.disconnect_session("user00001");
    eventually("the ended session gone", || fleet.session_count() == 5).await;
    fleet.unwatch(router.id);
}

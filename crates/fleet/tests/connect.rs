//! The connector against simulated routers over loopback, with passwords
//! in the real keyring of the machine running the tests.

#![allow(clippy::unwrap_used)]

mod support;

use headend_core::router::Transport;
use headend_fleet::{ConnectError, Connector, RouterLink, probe};
use headend_routeros::client::ClientError;
use headend_routeros::ops::{ActiveEvent, NewPppSecret, RouterApi};
use headend_simlab::{SimConfig, SimRouter};
use support::Inventory;

#[tokio::test]
async fn connects_with_the_keyring_password_and_probes_health() {
    let sim = SimRouter::start(SimConfig {
        identity: "core-1".into(),
        secrets: 12,
        active_sessions: 5,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut fx = Inventory::new().await;
    let router = fx.router("plain", sim.api_port(), Transport::Api, Some("admin")).await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());
    let client = connector.connect(&router).await.unwrap();
    assert!(matches!(client, RouterLink::Api(_)));
    let health = probe(&client).await.unwrap();
    assert_eq!(health.identity, "core-1");
    assert_eq!((health.ppp_secrets, health.active_sessions), (12, 5));
    assert!(!health.version.is_empty());
}

#[tokio::test]
async fn pins_the_certificate_on_first_use_and_refuses_a_new_one() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Inventory::new().await;
    let tls_port = sim.api_tls_port().unwrap();
    let router = fx.router("tls", tls_port, Transport::ApiTls, Some("admin")).await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());
    connector.connect(&router).await.unwrap();

    let stored = fx.store.router(router.id).await.unwrap().unwrap();
    assert_eq!(stored.tls_pin, sim.certificate_pin().map(|p| p.to_string()));
    connector.connect(&stored).await.unwrap();

    sim.rotate_certificate().unwrap();
    let err = connector.connect(&stored).await.unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
}

#[tokio::test]
async fn a_changed_certificate_is_refused_even_to_a_copy_of_the_router_made_before_the_pin() {
    // The app watches a router added while it runs: its copy has no pin,
    // the database has one from the first connection.
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Inventory::new().await;
    let added = fx.router("tls", sim.api_tls_port().unwrap(), Transport::ApiTls, Some("admin")).await;
    assert_eq!(added.tls_pin, None);
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());
    connector.connect(&added).await.unwrap();
    let first = sim.certificate_pin().unwrap().to_string();

    let swapped = sim.rotate_certificate().unwrap().to_string();
    for attempt in 0..2 {
        let err = connector.connect(&added).await.unwrap_err();
        let ConnectError::CertificateChanged { pinned, presented, refused_earlier, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!((pinned, presented), (&first, &swapped));
        assert_eq!(*refused_earlier, attempt > 0, "the second refusal makes no connection");
    }
    let cert = fx.store.router_certificate(added.id).await.unwrap();
    assert_eq!(cert.pinned.as_deref(), Some(first.as_str()), "the pin is never overwritten");
    assert_eq!(cert.presented.as_deref(), Some(swapped.as_str()));
    let log = fx.store.recent_activity(10).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "certificate refused").count(), 1, "reported once");

    // The operator trusts it: the next connection is made.
    fx.store.set_router_tls_pin(added.id, cert.presented.as_deref()).await.unwrap();
    let link = connector.connect(&added).await.unwrap();
    assert_eq!(link.certificate_pin().map(|p| p.to_string()), Some(swapped));
}

#[tokio::test]
async fn a_missing_or_wrong_password_is_a_clear_error() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Inventory::new().await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());

    let none = fx.router("nopw", sim.api_port(), Transport::Api, None).await;
    let err = connector.connect(&none).await.unwrap_err();
    assert!(matches!(err, ConnectError::NoPassword(_)), "{err}");

    let wrong = fx.router("wrong", sim.api_port(), Transport::Api, Some("not-admin")).await;
    let err = connector.connect(&wrong).await.unwrap_err();
    assert!(matches!(err, ConnectError::Router { .. }), "{err}");
}

#[tokio::test]
async fn reaches_a_rest_router_pins_its_certificate_and_refuses_a_new_one() {
    let sim = SimRouter::start(SimConfig {
        identity: "edge-rest".into(),
        secrets: 7,
        active_sessions: 3,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut fx = Inventory::new().await;
    let router = fx.router("rest", sim.rest_port().unwrap(), Transport::Rest, Some("admin")).await;
    assert_eq!(router.tls_pin, None);
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());
    let link = connector.connect(&router).await.unwrap();
    assert!(matches!(link, RouterLink::Rest(_)));
    assert!(!link.streams_sessions());

    let health = probe(&link).await.unwrap();
    assert_eq!(health.identity, "edge-rest");
    assert_eq!((health.ppp_secrets, health.active_sessions), (7, 3));
    assert_eq!(health.board, "CHR");

    // Pinned on first use, in the store.
    let stored = fx.store.router(router.id).await.unwrap().unwrap();
    assert_eq!(stored.tls_pin, sim.certificate_pin().map(|p| p.to_string()));

    // Writes over REST land in the router's one state (seen by the API side).
    link.add_ppp_secret(NewPppSecret::pppoe("rest-user", "pw")).await.unwrap();
    assert_eq!(sim.secret_count(), 8);
    assert!(sim.secrets().iter().any(|s| s.get_str("name") == Some("rest-user")));

    // The pinned certificate is accepted, a new one refused.
    let again = connector.connect(&stored).await.unwrap();
    assert_eq!(again.certificate_pin(), link.certificate_pin());
    sim.rotate_certificate().unwrap();
    let err = connector.connect(&stored).await.unwrap_err();
    assert!(matches!(&err, ConnectError::CertificateChanged { refused_earlier: false, .. }), "{err:?}");
    assert!(err.to_string().contains("headend router pin rest"), "{err}");
    let still = fx.store.router(router.id).await.unwrap().unwrap();
    assert_eq!(still.tls_pin, stored.tls_pin, "a refused certificate is not re-pinned");
}

#[tokio::test]
async fn a_rest_router_with_a_wrong_password_is_a_login_failure() {
    let sim = SimRouter::start(SimConfig::default()).await.unwrap();
    let mut fx = Inventory::new().await;
    let router = fx.router("rest-wrong", sim.rest_port().unwrap(), Transport::Rest, Some("not-admin")).await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone());
    let err = connector.connect(&router).await.unwrap_err();
    assert!(matches!(&err, ConnectError::Router { source: ClientError::LoginFailed { .. }, .. }), "{err:?}");
}

#[tokio::test]
async fn both_transports_watch_sessions_behind_one_link_type() {
    let sim = SimRouter::start(SimConfig { secrets: 4, active_sessions: 1, ..SimConfig::default() }).await.unwrap();
    let mut fx = Inventory::new().await;
    let api = fx.router("w-api", sim.api_port(), Transport::Api, Some("admin")).await;
    let rest = fx.router("w-rest", sim.rest_port().unwrap(), Transport::Rest, Some("admin")).await;
    let connector = Connector::new(fx.store.clone(), fx.secrets.clone())
        .with_rest_poll_interval(std::time::Duration::from_millis(50));
    for router in [api, rest] {
        let link = connector.connect(&router).await.unwrap();
        let mut watch = link.watch_ppp_active().await.unwrap();
        let before = link.ppp_active().await.unwrap();
        let idle =
            ["user00002", "user00003", "user00004"].into_iter().find(|n| !before.iter().any(|s| s.name == *n)).unwrap();
        sim.connect_session(idle).unwrap();
        let up = tokio::time::timeout(std::time::Duration::from_secs(5), watch.next()).await.unwrap();
        let session = match up {
            Some(Ok(ActiveEvent::Up(s))) => s,
            other => panic!("{}: {other:?}", router.name),
        };
        assert_eq!(session.name, idle);
        link.kick_ppp_session(session.id.clone()).await.unwrap();
        let gone = tokio::time::timeout(std::time::Duration::from_secs(5), watch.next()).await.unwrap();
        assert!(matches!(&gone, Some(Ok(ActiveEvent::Gone(id))) if *id == session.id), "{}: {gone:?}", router.name);
        watch.cancel().await.unwrap();
        link.close();
    }
}

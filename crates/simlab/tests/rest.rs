//! The REST client ([`RestClient`]) against the simulator's REST API, over
//! real sockets, checked against the binary API on the same router.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use headend_routeros::client::{ClientError, Disconnect, Password, TlsTrust};
use headend_routeros::ops::{
    ActiveEvent, Change, ItemId, Menu, NewAddressListEntry, NewPppSecret, PppProfileSpec, PppSecretUpdate, RouterApi,
    SimpleQueueSpec,
};
use headend_routeros::rest::{RestClient, RestOptions};
use headend_routeros::{Command, Value};
use headend_simlab::{Faults, Persona, SimConfig, SimRouterHandle};

fn rest_options(sim: &SimRouterHandle) -> RestOptions {
    RestOptions::new("127.0.0.1", "admin", "admin")
        .port(sim.rest_port().unwrap())
        .connect_timeout(Duration::from_secs(5))
        .request_timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(40))
}

async fn rest(sim: &SimRouterHandle) -> RestClient {
    RestClient::connect(rest_options(sim)).await.unwrap()
}

#[tokio::test]
async fn health_reads_match_the_binary_api() {
    let sim =
        router_with(SimConfig { identity: "core-7".into(), secrets: 9, active_sessions: 4, ..SimConfig::default() })
            .await;
    let (api, rest) = (connect(&sim).await, rest(&sim).await);
    assert_eq!(rest.identity().await.unwrap(), "core-7");
    let resource = rest.resource().await.unwrap();
    assert_eq!(resource.version, Persona::V7.version());
    assert_eq!(resource.board_name, "CHR");
    assert!(resource.uptime.is_some());
    assert!(resource.free_memory.unwrap() < resource.total_memory.unwrap());

    let (a, r) = (api.interfaces().await.unwrap(), rest.interfaces().await.unwrap());
    assert_eq!(r.len(), 4);
    assert_eq!(
        a.iter().map(|i| (&i.id, &i.name, i.mtu)).collect::<Vec<_>>(),
        r.iter().map(|i| (&i.id, &i.name, i.mtu)).collect::<Vec<_>>()
    );
    assert!(r[0].running && r[0].rx_bytes > 0);
    assert_eq!(api.ppp_secrets().await.unwrap(), rest.ppp_secrets().await.unwrap());
    assert_eq!(api.ppp_profiles().await.unwrap(), rest.ppp_profiles().await.unwrap());
    assert_eq!(rest.count(Menu::PppSecret).await.unwrap(), 9);
    assert_eq!(rest.count(Menu::PppActive).await.unwrap(), 4);
    assert_eq!(rest.ppp_active().await.unwrap().len(), 4);
    assert_eq!(rest.certificate_pin(), sim.certificate_pin());
}

#[tokio::test]
async fn ppp_secrets_written_over_rest_are_read_over_the_api_and_back() {
    let sim = router(Persona::V7).await;
    let (api, rest) = (connect(&sim).await, rest(&sim).await);
    rest.add_ppp_profile(PppProfileSpec {
        name: Some("10M".into()),
        rate_limit: Some("5M/10M".into()),
        ..PppProfileSpec::default()
    })
    .await
    .unwrap();

    // REST write, API read.
    let id = rest.add_ppp_secret(NewPppSecret::pppoe("alice", "first").comment("customer 1")).await.unwrap();
    let seen = api.ppp_secrets().await.unwrap().remove(0);
    assert_eq!(seen.id, id);
    assert_eq!((seen.name.as_bytes(), seen.service.as_bytes()), (&b"alice"[..], &b"pppoe"[..]));
    assert_eq!(seen.password.unwrap().expose(), "first");
    assert_eq!(seen.comment.unwrap(), "customer 1");

    rest.set_ppp_secret_password(id.clone(), Password::new("second")).await.unwrap();
    rest.set_ppp_secret_profile(id.clone(), "10M".into()).await.unwrap();
    rest.disable_ppp_secret(id.clone()).await.unwrap();
    let seen = api.ppp_secrets().await.unwrap().remove(0);
    assert_eq!(seen.password.unwrap().expose(), "second");
    assert_eq!(seen.profile, "10M");
    assert!(seen.disabled);
    rest.enable_ppp_secret(id.clone()).await.unwrap();
    rest.set_ppp_secret(
        id.clone(),
        PppSecretUpdate { remote_address: Some("10.9.9.9".into()), ..PppSecretUpdate::default() },
    )
    .await
    .unwrap();
    let seen = api.ppp_secrets().await.unwrap().remove(0);
    assert!(!seen.disabled);
    assert_eq!(seen.remote_address.unwrap(), "10.9.9.9");

    // API write, REST read.
    let bob = api.add_ppp_secret(NewPppSecret::pppoe("bob", "b").profile("10M")).await.unwrap();
    let listed = rest.ppp_secrets().await.unwrap();
    assert_eq!(listed, api.ppp_secrets().await.unwrap());
    let bob_seen = listed.iter().find(|s| s.id == bob).unwrap();
    assert_eq!((bob_seen.name.as_bytes(), bob_seen.profile.as_bytes()), (&b"bob"[..], &b"10M"[..]));
    let one = rest.get_item("/ppp/secret", &bob).await.unwrap();
    assert_eq!(one.get_str("name"), Some("bob"));

    rest.remove_ppp_secret(id.clone()).await.unwrap();
    assert_eq!(api.ppp_secrets().await.unwrap().len(), 1);
    api.remove_ppp_secret(bob).await.unwrap();
    assert!(rest.ppp_secrets().await.unwrap().is_empty());

    // Profiles: set and remove over REST, seen over the API.
    let profile = rest.ppp_profiles().await.unwrap().into_iter().find(|p| p.name == "10M").unwrap();
    assert_eq!(profile.rate_limit.as_ref().unwrap(), "5M/10M");
    assert!(!profile.builtin);
    rest.set_ppp_profile(
        profile.id.clone(),
        PppProfileSpec { rate_limit: Some("10M/20M 20M/40M 8M/16M 10/10".into()), ..PppProfileSpec::default() },
    )
    .await
    .unwrap();
    let seen = api.ppp_profiles().await.unwrap();
    let seen = seen.iter().find(|p| p.id == profile.id).unwrap();
    assert_eq!(seen.rate_limit.as_ref().unwrap(), "10M/20M 20M/40M 8M/16M 10/10");
    rest.remove_ppp_profile(profile.id).await.unwrap();
    assert_eq!(api.ppp_profiles().await.unwrap().len(), 2, "the two built-in ones");
}

#[tokio::test]
async fn address_lists_and_queues_over_rest() {
    let sim = router(Persona::V7).await;
    let (api, rest) = (connect(&sim).await, rest(&sim).await);
    let entry = |list: &str, address: &str| NewAddressListEntry {
        list: list.into(),
        address: address.into(),
        timeout: None,
        comment: Some("svc-1".into()),
    };
    let id = rest.add_address_list_entry(entry("suspended", "10.0.0.5")).await.unwrap();
    api.add_address_list_entry(entry("vip", "10.0.0.6")).await.unwrap();
    let err = rest.add_address_list_entry(entry("suspended", "10.0.0.5")).await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "failure: already have such entry");
    // Filtered with POST .../print and ".query".
    let suspended = rest.address_list(&["suspended".into()]).await.unwrap();
    assert_eq!(suspended.len(), 1);
    assert_eq!(suspended[0].id, id);
    assert_eq!(suspended[0].comment.as_ref().unwrap(), "svc-1");
    assert_eq!(rest.address_list(&[]).await.unwrap().len(), 2);
    rest.remove_address_list_entry(id).await.unwrap();
    assert!(api.address_list(&["suspended".into()]).await.unwrap().is_empty());
    assert!(rest.address_list(&["suspended".into()]).await.unwrap().is_empty());

    let queue = rest
        .add_simple_queue(SimpleQueueSpec {
            name: Some("svc-42".into()),
            target: Some("10.0.0.42/32".into()),
            max_limit: Some("10M/20M".into()),
            ..SimpleQueueSpec::default()
        })
        .await
        .unwrap();
    rest.set_simple_queue(
        queue.clone(),
        SimpleQueueSpec { max_limit: Some("20M/40M".into()), disabled: Some(true), ..SimpleQueueSpec::default() },
    )
    .await
    .unwrap();
    let seen = api.simple_queues().await.unwrap().remove(0);
    assert_eq!((seen.name.as_bytes(), seen.target.as_bytes()), (&b"svc-42"[..], &b"10.0.0.42/32"[..]));
    assert_eq!(seen.max_limit.unwrap(), "20M/40M");
    assert!(seen.disabled);
    assert_eq!(rest.simple_queues().await.unwrap(), api.simple_queues().await.unwrap());
    assert!(
        rest.add_simple_queue(SimpleQueueSpec::default()).await.unwrap_err().trap_message().is_some(),
        "a queue without a target is refused"
    );
    rest.remove_simple_queue(queue).await.unwrap();
    assert!(api.simple_queues().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_radius_set_up_is_written_over_rest_and_read_over_both() {
    let sim = router(Persona::V7).await;
    let (api, rest) = (connect(&sim).await, rest(&sim).await);
    assert!(rest.radius_servers().await.unwrap().is_empty());
    let aaa = rest.ppp_aaa().await.unwrap();
    assert!(!aaa.use_radius && aaa.accounting);
    assert_eq!(aaa.interim_update, Some(Duration::ZERO));
    assert!(!api.radius_incoming().await.unwrap().accept);

    let server = [("service", "ppp"), ("address", "127.0.0.9"), ("secret", "r4d1us"), ("authentication-port", "18120")];
    let configure = |menu, attrs: &[(&str, &str)]| Change::configure(menu, attrs.iter().copied().collect());
    let results = rest
        .apply(vec![
            Change::add(Menu::Radius, server.into_iter().collect()),
            configure(Menu::PppAaa, &[("use-radius", "yes"), ("interim-update", "5m")]),
            configure(Menu::RadiusIncoming, &[("accept", "yes"), ("port", "13799")]),
        ])
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    let servers = api.radius_servers().await.unwrap();
    assert_eq!(servers, rest.radius_servers().await.unwrap());
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0].address.as_ref().unwrap(), "127.0.0.9");
    assert_eq!(servers[0].secret.as_ref().unwrap().expose(), "r4d1us");
    assert_eq!((servers[0].authentication_port, servers[0].accounting_port), (Some(18120), Some(1813)));
    let aaa = api.ppp_aaa().await.unwrap();
    assert_eq!(aaa, rest.ppp_aaa().await.unwrap());
    assert!(aaa.use_radius && aaa.accounting);
    assert_eq!(aaa.interim_update, Some(Duration::from_secs(300)));
    let incoming = api.radius_incoming().await.unwrap();
    assert_eq!(incoming, rest.radius_incoming().await.unwrap());
    assert!(incoming.accept);
    assert_eq!(incoming.port, Some(13799));
}

#[tokio::test]
async fn refusals_have_the_same_shape_as_the_binary_api() {
    let sim = router(Persona::V7).await;
    let (api, rest) = (connect(&sim).await, rest(&sim).await);
    rest.add_ppp_secret(NewPppSecret::pppoe("alice", "a")).await.unwrap();
    let over_api = api.add_ppp_secret(NewPppSecret::pppoe("alice", "b")).await.unwrap_err();
    let over_rest = rest.add_ppp_secret(NewPppSecret::pppoe("alice", "b")).await.unwrap_err();
    for err in [&over_api, &over_rest] {
        assert!(matches!(err, ClientError::Trap { .. }), "{err:?}");
        assert_eq!(err.trap_message().unwrap(), "failure: secret with the same name already exists");
        assert!(!err.is_transient());
    }

    // A missing item: 404 over REST, "no such item" like the API's trap.
    let missing = ItemId::new("*FFFF");
    let over_api = api.remove_ppp_secret(missing.clone()).await.unwrap_err();
    let over_rest = rest.remove_ppp_secret(missing.clone()).await.unwrap_err();
    assert_eq!(over_api.trap_message(), over_rest.trap_message());
    assert_eq!(over_rest.trap_message().unwrap(), "no such item");
    let err = rest.set_ppp_secret_password(missing.clone(), "x".into()).await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "no such item");
    let err = rest.get_item("/ppp/secret", &missing).await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "no such item");
    let err = rest.kick_ppp_session(missing).await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "no such item");

    // Unknown menus and parameters, as the API says them.
    let err = rest.get("/no/such/menu").await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "no such command prefix");
    let err = rest.run(&Command::new("/ppp/secret/add").attr("name", "x").attr("colour", "red")).await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "unknown parameter colour");
    let err = rest.run(&Command::new("/ppp/active/listen")).await.unwrap_err();
    assert!(err.trap_message().is_some(), "{err:?}");
}

#[tokio::test]
async fn wrong_password_is_a_login_failure_at_connect() {
    let sim = router(Persona::V7).await;
    let mut options = rest_options(&sim);
    options.password = "not-admin".into();
    match RestClient::connect(options).await {
        Err(ClientError::LoginFailed { message }) => assert_eq!(message, "Unauthorized"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.stats().failed_logins, 1);

    let sim =
        router_with(SimConfig { username: "api".into(), password: "Jos\u{e9}!".into(), ..SimConfig::default() }).await;
    let mut options = rest_options(&sim);
    options.username = "api".into();
    options.password = "Jos\u{e9}!".into();
    assert!(RestClient::connect(options).await.is_ok());
}

#[tokio::test]
async fn a_routeros_6_has_no_rest() {
    let sim = router(Persona::V6).await;
    match RestClient::connect(rest_options(&sim)).await {
        Err(ClientError::Http { status: 404, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn pins_on_first_use_and_refuses_a_changed_certificate() {
    let sim = router(Persona::V7).await;
    let first = RestClient::connect(rest_options(&sim)).await.unwrap();
    let pin = first.certificate_pin().unwrap();
    assert_eq!(Some(pin), sim.certificate_pin());
    // The same certificate as API-SSL's.
    let api_tls = headend_routeros::client::Client::connect(
        options(&sim).port(sim.api_tls_port().unwrap()).tls(TlsTrust::Pinned(pin)),
    )
    .await
    .unwrap();
    assert_eq!(api_tls.certificate_pin(), Some(pin));

    let pinned = RestClient::connect(rest_options(&sim).trust(TlsTrust::Pinned(pin))).await.unwrap();
    assert_eq!(pinned.certificate_pin(), Some(pin));

    let new_pin = sim.rotate_certificate().unwrap();
    match RestClient::connect(rest_options(&sim).trust(TlsTrust::Pinned(pin))).await {
        Err(ClientError::CertificateChanged { expected, actual }) => {
            assert_eq!((expected, actual), (pin, new_pin));
        }
        other => panic!("{other:?}"),
    }
    // A client pinned on first use keeps its pin for every new connection
    // of its pool: one opened after the certificate changed is refused.
    let learning = RestClient::connect(rest_options(&sim)).await.unwrap();
    assert_eq!(learning.certificate_pin(), Some(new_pin));
    sim.rotate_certificate().unwrap();
    // Slow answers, so two reads overlap and need two connections.
    sim.set_faults(Faults { latency: Duration::from_millis(100), ..Faults::default() });
    let reads = concurrent_identity(&learning, 2).await;
    assert!(reads.iter().any(Result::is_ok), "the kept connection still works: {reads:?}");
    assert!(
        reads
            .iter()
            .any(|r| matches!(r, Err(ClientError::CertificateChanged { expected, .. }) if *expected == new_pin)),
        "a new connection with another certificate must be refused: {reads:?}"
    );
}

/// `n` identity reads in flight at once.
async fn concurrent_identity(client: &RestClient, n: usize) -> Vec<Result<Value, ClientError>> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = client.clone();
        tasks.spawn(async move { client.identity().await });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.unwrap());
    }
    out
}

#[tokio::test]
async fn the_polling_watch_reports_new_sessions_and_a_kick() {
    let sim = router_with(SimConfig { secrets: 3, active_sessions: 2, ..SimConfig::default() }).await;
    let rest = rest(&sim).await;
    let mut watch = rest.watch_ppp_active().await.unwrap();
    let active = rest.ppp_active().await.unwrap();
    assert_eq!(active.len(), 2);
    let victim = active.iter().find(|s| s.name == "user00001").unwrap().clone();

    // Counters and uptime grow between polls, but make no event.
    let quiet = tokio::time::timeout(Duration::from_millis(150), watch.next()).await;
    assert!(quiet.is_err(), "no change, no event: {quiet:?}");

    sim.connect_session("user00003").unwrap();
    match watch.next().await.unwrap().unwrap() {
        ActiveEvent::Up(s) => assert_eq!(s.name, "user00003"),
        other => panic!("{other:?}"),
    }
    rest.kick_ppp_session(victim.id.clone()).await.unwrap();
    assert_eq!(sim.active_count(), 2);
    match watch.next().await.unwrap().unwrap() {
        ActiveEvent::Gone(id) => assert_eq!(id, victim.id),
        other => panic!("{other:?}"),
    }

    // A failed poll ends the watch with the error.
    sim.set_faults(Faults { close_mid_reply: true, ..Faults::default() });
    match watch.next().await {
        Some(Err(err)) => assert!(err.is_transient(), "{err:?}"),
        other => panic!("{other:?}"),
    }
    assert!(watch.next().await.is_none());
}

#[tokio::test]
async fn bulk_writes_go_concurrently_with_results_in_order() {
    let sim = router(Persona::V7).await;
    let (api, rest) = (connect(&sim).await, rest(&sim).await);
    rest.add_ppp_secret(NewPppSecret::pppoe("bulk0050", "dup")).await.unwrap();
    let secrets: Vec<_> = (0..200).map(|i| NewPppSecret::pppoe(format!("bulk{i:04}"), format!("pw{i}"))).collect();
    let results = rest.add_ppp_secrets(secrets).await;
    assert_eq!(results.len(), 200);
    for (i, result) in results.iter().enumerate() {
        if i == 50 {
            assert_eq!(
                result.as_ref().unwrap_err().trap_message().unwrap(),
                "failure: secret with the same name already exists"
            );
        } else {
            let id = result.as_ref().unwrap();
            let item = rest.get_item("/ppp/secret", id).await.unwrap();
            assert_eq!(item.get_str("name").unwrap(), format!("bulk{i:04}"));
        }
    }
    assert_eq!(api.count(Menu::PppSecret).await.unwrap(), 200);
    assert!(rest.connections_opened() <= 16, "{}", rest.connections_opened());

    // Mixed changes, in order.
    let ids: Vec<ItemId> = results.into_iter().filter_map(Result::ok).take(3).collect();
    let changes = vec![
        Change::set_disabled(Menu::PppSecret, ids[0].clone(), true),
        Change::remove(Menu::PppSecret, ids[1].clone()),
        Change::remove(Menu::PppSecret, ItemId::new("*FFFF")),
        Change::remove(Menu::PppSecret, ids[2].clone()),
    ];
    let results = rest.apply(changes).await;
    assert!(results[0].as_ref().unwrap().is_none());
    assert!(results[1].is_ok() && results[3].is_ok());
    assert_eq!(results[2].as_ref().unwrap_err().trap_message().unwrap(), "no such item");
    assert_eq!(api.count(Menu::PppSecret).await.unwrap(), 198);
}

#[tokio::test]
async fn latency_is_paid_once_per_wave_of_concurrent_requests() {
    let sim = router(Persona::V7).await;
    let rest = RestClient::connect(rest_options(&sim).max_connections(16)).await.unwrap();
    sim.set_faults(Faults { latency: Duration::from_millis(50), ..Faults::default() });
    sim.reset_stats();
    let started = Instant::now();
    rest.identity().await.unwrap();
    let one = started.elapsed();
    assert!(one >= Duration::from_millis(50), "{one:?}");

    let secrets: Vec<_> = (0..64).map(|i| NewPppSecret::pppoe(format!("lat{i:02}"), "pw")).collect();
    let started = Instant::now();
    let results = rest.add_ppp_secrets(secrets).await;
    let elapsed = started.elapsed();
    assert!(results.iter().all(Result::is_ok));
    eprintln!("64 adds over REST at 50 ms: {elapsed:?}");
    // 64 requests over 16 connections: 4 waves of 50 ms, not 64.
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1600), "{elapsed:?}");
    let stats = sim.stats();
    assert_eq!(stats.rest_requests, 65);
    assert_eq!(stats.writes, 64);
    assert_eq!(stats.batches, 65);
}

#[tokio::test]
async fn faults_stall_close_mid_reply_refuse_and_traps() {
    let sim = router(Persona::V7).await;
    let rest = RestClient::connect(rest_options(&sim).request_timeout(Duration::from_millis(300))).await.unwrap();

    sim.set_faults(Faults { stall: true, ..Faults::default() });
    match rest.identity().await {
        Err(ClientError::Timeout { what: "request", after }) => {
            assert_eq!(after, Duration::from_millis(300));
        }
        other => panic!("{other:?}"),
    }

    sim.set_faults(Faults { close_mid_reply: true, ..Faults::default() });
    match rest.ppp_secrets().await {
        Err(ClientError::Disconnected(Disconnect::ClosedMidReply)) => {}
        other => panic!("{other:?}"),
    }

    sim.set_faults(Faults { trap_every_nth_write: Some(2), ..Faults::default() });
    let results = rest.apply((0..4).map(|i| NewPppSecret::pppoe(format!("t{i}"), "pw").into_change()).collect()).await;
    let refused = results
        .iter()
        .filter(|r| {
            r.as_ref().err().and_then(ClientError::trap_message).is_some_and(|m| *m == "failure: simulated fault")
        })
        .count();
    assert_eq!(refused, 2);
    assert_eq!(sim.secret_count(), 2);

    // The client recovers once the faults are gone.
    sim.set_faults(Faults::default());
    assert_eq!(rest.identity().await.unwrap(), "SimRouter");

    sim.set_faults(Faults { refuse_connections: true, ..Faults::default() });
    let err = RestClient::connect(rest_options(&sim)).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(sim.stats().refused >= 1);
}

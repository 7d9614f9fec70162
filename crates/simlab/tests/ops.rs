//! The typed operations ([`RouterApi`]) against the simulator.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use headend_routeros::Value;
use headend_routeros::client::{ClientError, Password};
use headend_routeros::ops::{
    ActiveEvent, Menu, NewAddressListEntry, NewPppSecret, PppProfileSpec, PppSecretUpdate, RouterApi, SimpleQueueSpec,
};
use headend_simlab::{Faults, Persona, SimConfig};

#[tokio::test]
async fn health_on_both_personas() {
    for persona in [Persona::V6, Persona::V7] {
        let sim = router(persona).await;
        let client = connect(&sim).await;
        assert_eq!(client.identity().await.unwrap(), "SimRouter");
        let resource = client.resource().await.unwrap();
        assert_eq!(resource.version, persona.version());
        assert_eq!(resource.board_name, "CHR");
        assert!(resource.uptime.is_some());
        assert!(resource.cpu_load.is_some());
        assert!(resource.free_memory.unwrap() < resource.total_memory.unwrap());
        let interfaces = client.interfaces().await.unwrap();
        assert_eq!(interfaces.len(), 4);
        assert_eq!(interfaces[0].name, "ether1");
        assert!(interfaces[0].running);
        assert_eq!(interfaces[0].mtu, Some(1500));
    }
}

#[tokio::test]
async fn interface_counters_grow() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    let before = client.interfaces().await.unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let after = client.interfaces().await.unwrap();
    assert!(after[0].rx_bytes > before[0].rx_bytes);
}

#[tokio::test]
async fn ppp_secret_lifecycle() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    client
        .add_ppp_profile(PppProfileSpec {
            name: Some("10M".into()),
            rate_limit: Some("5M/10M".into()),
            ..PppProfileSpec::default()
        })
        .await
        .unwrap();
    // A Windows-1252 name must come back byte for byte.
    let name = Value::from(&b"Jos\xE9"[..]);
    let id = client.add_ppp_secret(NewPppSecret::pppoe(name.clone(), "first").comment("customer 1")).await.unwrap();
    let secrets = client.ppp_secrets().await.unwrap();
    assert_eq!(secrets.len(), 1);
    let secret = &secrets[0];
    assert_eq!(secret.id, id);
    assert_eq!(secret.name.as_bytes(), b"Jos\xE9");
    assert_eq!(secret.service, "pppoe");
    assert_eq!(secret.profile, "default");
    assert_eq!(secret.password.as_ref().unwrap().expose(), "first");
    assert!(!format!("{secret:?}").contains("first"));

    client.set_ppp_secret_password(id.clone(), Password::new("second")).await.unwrap();
    client.set_ppp_secret_profile(id.clone(), "10M".into()).await.unwrap();
    client.disable_ppp_secret(id.clone()).await.unwrap();
    let secret = client.ppp_secrets().await.unwrap().remove(0);
    assert_eq!(secret.password.unwrap().expose(), "second");
    assert_eq!(secret.profile, "10M");
    assert!(secret.disabled);
    client.enable_ppp_secret(id.clone()).await.unwrap();
    client
        .set_ppp_secret(
            id.clone(),
            PppSecretUpdate { remote_address: Some("10.9.9.9".into()), ..PppSecretUpdate::default() },
        )
        .await
        .unwrap();
    let secret = client.ppp_secrets().await.unwrap().remove(0);
    assert!(!secret.disabled);
    assert_eq!(secret.remote_address.unwrap(), "10.9.9.9");

    client.remove_ppp_secret(id.clone()).await.unwrap();
    assert!(client.ppp_secrets().await.unwrap().is_empty());
    let err = client.remove_ppp_secret(id).await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "no such item");
}

#[tokio::test]
async fn duplicate_secret_is_refused_with_routeros_message() {
    for persona in [Persona::V6, Persona::V7] {
        let sim = router(persona).await;
        let client = connect(&sim).await;
        client.add_ppp_secret(NewPppSecret::pppoe("alice", "a")).await.unwrap();
        match client.add_ppp_secret(NewPppSecret::pppoe("alice", "b")).await {
            Err(ClientError::Trap { message, .. }) => {
                assert_eq!(message, "failure: secret with the same name already exists");
            }
            other => panic!("{other:?}"),
        }
        // Renaming onto an existing name too.
        let bob = client.add_ppp_secret(NewPppSecret::pppoe("bob", "b")).await.unwrap();
        let err = client
            .set_ppp_secret(bob, PppSecretUpdate { name: Some("alice".into()), ..PppSecretUpdate::default() })
            .await
            .unwrap_err();
        assert_eq!(err.trap_message().unwrap(), "failure: secret with the same name already exists");
        assert_eq!(client.count(Menu::PppSecret).await.unwrap(), 2);
    }
}

#[tokio::test]
async fn disable_does_not_kick_but_kick_does_and_listen_reports_it() {
    let sim = router_with(SimConfig { secrets: 3, active_sessions: 2, ..SimConfig::default() }).await;
    let client = connect(&sim).await;
    let mut watch = client.watch_ppp_active().await.unwrap();
    let active = client.ppp_active().await.unwrap();
    assert_eq!(active.len(), 2);
    let session = active.iter().find(|s| s.name == "user00001").unwrap().clone();
    assert_eq!(session.service, "pppoe");
    assert!(session.address.is_some());
    assert_eq!(session.caller_id.len(), 17);
    assert!(session.uptime.is_some());

    let secret = client.ppp_secrets().await.unwrap().into_iter().find(|s| s.name == "user00001").unwrap();
    client.disable_ppp_secret(secret.id).await.unwrap();
    assert_eq!(sim.active_count(), 2, "disable must not kick");
    assert_eq!(client.ppp_active().await.unwrap().len(), 2);

    client.kick_ppp_session(session.id.clone()).await.unwrap();
    assert_eq!(sim.active_count(), 1);
    match watch.next().await.unwrap().unwrap() {
        ActiveEvent::Gone(id) => assert_eq!(id, session.id),
        other => panic!("{other:?}"),
    }
    // The disabled secret cannot dial in again; an enabled one can.
    assert!(sim.connect_session("user00001").is_none());
    sim.connect_session("user00003").unwrap();
    match watch.next().await.unwrap().unwrap() {
        ActiveEvent::Up(s) => assert_eq!(s.name, "user00003"),
        other => panic!("{other:?}"),
    }
    watch.cancel().await.unwrap();
}

#[tokio::test]
async fn session_byte_counters_grow() {
    let sim = router_with(SimConfig { secrets: 1, active_sessions: 1, ..SimConfig::default() }).await;
    let client = connect(&sim).await;
    let first = client.ppp_active().await.unwrap().remove(0);
    tokio::time::sleep(Duration::from_millis(30)).await;
    let later = client.ppp_active().await.unwrap().remove(0);
    assert!(later.bytes_in.unwrap() > first.bytes_in.unwrap_or(0));
    assert!(later.bytes_out.unwrap() > later.bytes_in.unwrap());
}

#[tokio::test]
async fn churn_brings_sessions_and_listen_sees_them() {
    let sim =
        router_with(SimConfig { secrets: 20, churn: Some(Duration::from_millis(5)), ..SimConfig::default() }).await;
    let client = connect(&sim).await;
    let mut watch = client.watch_ppp_active().await.unwrap();
    let mut ups = 0;
    while ups < 3 {
        let event = tokio::time::timeout(Duration::from_secs(2), watch.next()).await.unwrap().unwrap().unwrap();
        if let ActiveEvent::Up(_) = event {
            ups += 1;
        }
    }
}

#[tokio::test]
async fn profiles() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    let profiles = client.ppp_profiles().await.unwrap();
    assert_eq!(profiles.len(), 2);
    assert!(profiles.iter().all(|p| p.builtin));
    let id = client
        .add_ppp_profile(PppProfileSpec {
            name: Some("plan-20M".into()),
            rate_limit: Some("10M/20M 20M/40M 8M/16M 10/10".into()),
            ..PppProfileSpec::default()
        })
        .await
        .unwrap();
    client
        .set_ppp_profile(id.clone(), PppProfileSpec { rate_limit: Some("15M/30M".into()), ..PppProfileSpec::default() })
        .await
        .unwrap();
    let plan = client.ppp_profiles().await.unwrap().into_iter().find(|p| p.id == id).unwrap();
    assert_eq!(plan.rate_limit.unwrap(), "15M/30M");
    assert!(!plan.builtin);
    let builtin = profiles[0].id.clone();
    assert!(client.remove_ppp_profile(builtin).await.is_err());
    client.remove_ppp_profile(id).await.unwrap();
    assert_eq!(client.ppp_profiles().await.unwrap().len(), 2);
}

#[tokio::test]
async fn address_lists() {
    let sim = router(Persona::V6).await;
    let client = connect(&sim).await;
    let entry = |list: &str, address: &str| NewAddressListEntry {
        list: list.into(),
        address: address.into(),
        timeout: None,
        comment: Some("svc-1".into()),
    };
    let id = client.add_address_list_entry(entry("suspended", "10.0.0.5")).await.unwrap();
    client.add_address_list_entry(entry("vip", "10.0.0.6")).await.unwrap();
    let err = client.add_address_list_entry(entry("suspended", "10.0.0.5")).await.unwrap_err();
    assert_eq!(err.trap_message().unwrap(), "failure: already have such entry");
    let suspended = client.address_list(&["suspended".into()]).await.unwrap();
    assert_eq!(suspended.len(), 1);
    assert_eq!(suspended[0].address, "10.0.0.5");
    assert_eq!(suspended[0].comment.as_ref().unwrap(), "svc-1");
    assert_eq!(client.address_list(&[]).await.unwrap().len(), 2);
    let both = client.address_list(&["suspended".into(), "vip".into(), "none".into()]).await.unwrap();
    assert_eq!(both.len(), 2, "one print, an OR of the lists");
    client.remove_address_list_entry(id).await.unwrap();
    // V6 has no !empty, and an empty list is still just empty.
    assert!(client.address_list(&["suspended".into()]).await.unwrap().is_empty());
}

#[tokio::test]
async fn simple_queues() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    let id = client
        .add_simple_queue(SimpleQueueSpec {
            name: Some("svc-42".into()),
            target: Some("10.0.0.42/32".into()),
            max_limit: Some("10M/20M".into()),
            ..SimpleQueueSpec::default()
        })
        .await
        .unwrap();
    client
        .set_simple_queue(
            id.clone(),
            SimpleQueueSpec { max_limit: Some("20M/40M".into()), disabled: Some(true), ..SimpleQueueSpec::default() },
        )
        .await
        .unwrap();
    let queue = client.simple_queues().await.unwrap().remove(0);
    assert_eq!(queue.name, "svc-42");
    assert_eq!(queue.target, "10.0.0.42/32");
    assert_eq!(queue.max_limit.unwrap(), "20M/40M");
    assert!(queue.disabled);
    let missing_target = client.add_simple_queue(SimpleQueueSpec::default()).await.unwrap_err();
    assert!(missing_target.trap_message().is_some());
    client.remove_simple_queue(id).await.unwrap();
    assert!(client.simple_queues().await.unwrap().is_empty());
}

#[tokio::test]
async fn thousand_secrets_are_pipelined_in_a_handful_of_round_trips() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    sim.set_faults(Faults { latency: Duration::from_millis(20), ..Faults::default() });
    sim.reset_stats();
    let secrets = (0..1000).map(|i| NewPppSecret::pppoe(format!("bulk{i:04}"), format!("pw{i}"))).collect();
    let started = std::time::Instant::now();
    let ids = client.add_ppp_secrets(secrets).await;
    let elapsed = started.elapsed();
    assert_eq!(ids.len(), 1000);
    assert!(ids.iter().all(Result::is_ok));
    let stats = sim.stats();
    eprintln!("1,000 adds: {} round trips, {elapsed:?}", stats.batches);
    assert_eq!(stats.writes, 1000);
    assert!(stats.batches <= 5, "{} round trips", stats.batches);
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(sim.secret_count(), 1000);
    assert_eq!(client.count(Menu::PppSecret).await.unwrap(), 1000);
    // Ids come back in order.
    let listed = client.ppp_secrets().await.unwrap();
    assert_eq!(listed[999].name, "bulk0999");
    assert_eq!(ids[999].as_ref().unwrap(), &listed[999].id);
}

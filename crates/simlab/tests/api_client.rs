//! The async client against the simulator (and a scripted fake router)
//! over real loopback sockets.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use headend_routeros::client::{Backoff, Client, ClientError, Disconnect, Keepalive, LoginMethod, Session, TlsTrust};
use headend_routeros::{Command, ProtocolError, TrapCategory};
use headend_simlab::{Faults, Persona, SimConfig};

#[tokio::test]
async fn plain_login_on_v7() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    assert_eq!(client.login_method(), LoginMethod::Plain);
    let items = client.call(Command::new("/system/identity/print")).await.unwrap();
    assert_eq!(items[0].get("name").unwrap(), "SimRouter");
    assert_eq!(sim.stats().logins, 1);
}

#[tokio::test]
async fn challenge_login_on_v6() {
    let sim = router(Persona::V6).await;
    let client = connect(&sim).await;
    assert_eq!(client.login_method(), LoginMethod::Challenge);
    assert!(client.call(Command::new("/system/resource/print")).await.is_ok());
}

#[tokio::test]
async fn wrong_password_is_refused_on_both_personas() {
    for (persona, message) in [(Persona::V7, "invalid user name or password (6)"), (Persona::V6, "cannot log in")] {
        let sim = router(persona).await;
        let mut opts = options(&sim);
        opts.password = "nope".into();
        match Client::connect(opts).await {
            Err(ClientError::LoginFailed { message: got }) => assert_eq!(got, message),
            other => panic!("{persona:?}: {other:?}"),
        }
        assert_eq!(sim.stats().failed_logins, 1);
    }
}

#[tokio::test]
async fn configured_credentials() {
    let sim = router_with(SimConfig {
        username: "api".into(),
        password: "Jos\u{e9}!".into(),
        persona: Persona::V6,
        ..SimConfig::default()
    })
    .await;
    let mut opts = options(&sim);
    opts.username = "api".into();
    opts.password = "Jos\u{e9}!".into();
    assert!(Client::connect(opts).await.is_ok());
}

#[tokio::test]
async fn tls_pins_on_first_use_and_refuses_a_changed_certificate() {
    let sim = router(Persona::V7).await;
    let tls = |trust| options(&sim).port(sim.api_tls_port().unwrap()).tls(trust);
    let first = Client::connect(tls(TlsTrust::PinOnFirstUse)).await.unwrap();
    let pin = first.certificate_pin().unwrap();
    assert_eq!(Some(pin), sim.certificate_pin());
    assert!(first.call(Command::new("/system/identity/print")).await.is_ok());

    let pinned = Client::connect(tls(TlsTrust::Pinned(pin))).await.unwrap();
    assert_eq!(pinned.certificate_pin(), Some(pin));

    let new_pin = sim.rotate_certificate().unwrap();
    match Client::connect(tls(TlsTrust::Pinned(pin))).await {
        Err(ClientError::CertificateChanged { expected, actual }) => {
            assert_eq!(expected, pin);
            assert_eq!(actual, new_pin);
        }
        other => panic!("{other:?}"),
    }
    // The old connection is unaffected until the router drops it.
    assert!(first.call(Command::new("/system/identity/print")).await.is_ok());
    sim.drop_connections();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(first.call(Command::new("/system/identity/print")).await.is_err());
}

#[tokio::test]
async fn tagged_replies_are_routed_whatever_their_order() {
    let (listener, port) = Scripted::listen().await;
    let server = tokio::spawn(async move {
        let mut router = Scripted::accept(listener).await;
        let slow = router.command().await;
        let fast = router.command().await;
        assert_eq!(slow.path(), "/ppp/secret/print");
        assert_eq!(fast.path(), "/system/identity/print");
        let (s, f) = (slow.tag(), fast.tag());
        assert_ne!(s, f);
        // Interleaved: the fast one finishes in the middle of the slow one.
        router
            .send(&[
                re(s, &[(".id", "*1"), ("name", "a")]),
                re(f, &[("name", "edge-1")]),
                done(f),
                re(s, &[(".id", "*2"), ("name", "b")]),
                done(s),
            ])
            .await;
        router
    });
    let client = Client::connect(
        headend_routeros::client::ConnectOptions::new("127.0.0.1", "admin", "admin").port(port).keepalive(None),
    )
    .await
    .unwrap();
    let slow = client.call(Command::new("/ppp/secret/print"));
    let fast = async {
        tokio::task::yield_now().await;
        client.call(Command::new("/system/identity/print")).await
    };
    let (slow, fast) = tokio::join!(slow, fast);
    let _router = server.await.unwrap();
    let names: Vec<_> = slow.unwrap().iter().map(|a| a.get("name").unwrap().to_string()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(fast.unwrap()[0].get("name").unwrap(), "edge-1");
}

#[tokio::test]
async fn concurrent_commands_share_one_connection() {
    let sim = router_with(SimConfig { secrets: 500, ..SimConfig::default() }).await;
    let client = connect(&sim).await;
    let big = client.call(Command::new("/ppp/secret/print"));
    let small = client.call(Command::new("/system/identity/print"));
    let count = client.run(Command::new("/ppp/secret/print").attr("count-only", ""));
    let (big, small, count) = tokio::join!(big, small, count);
    assert_eq!(big.unwrap().len(), 500);
    assert_eq!(small.unwrap().len(), 1);
    assert_eq!(count.unwrap().ret.unwrap(), "500");
    assert_eq!(sim.stats().connections, 1);
}

#[tokio::test]
async fn listen_reports_changes_and_cancel_ends_it_cleanly() {
    let sim = router_with(SimConfig { secrets: 3, ..SimConfig::default() }).await;
    let client = connect(&sim).await;
    let mut stream = client.stream(Command::new("/ppp/active/listen")).unwrap();
    // Make sure the listen is registered before the change.
    client.call(Command::new("/system/identity/print")).await.unwrap();
    let id = sim.connect_session("user00002").unwrap();
    let up = stream.next().await.unwrap().unwrap();
    assert_eq!(up.get(".id").unwrap(), id.as_str());
    assert_eq!(up.get("name").unwrap(), "user00002");
    assert!(sim.disconnect_session("user00002"));
    let gone = stream.next().await.unwrap().unwrap();
    assert_eq!(gone.get(".id").unwrap(), id.as_str());
    assert_eq!(gone.get(".dead").unwrap(), "yes");

    stream.cancel().await.unwrap();
    assert_eq!(sim.stats().commands_by_path["/cancel"], 1);
    // No more listener: a new session reaches nobody, and the connection
    // still works.
    sim.connect_session("user00001").unwrap();
    assert!(client.call(Command::new("/system/identity/print")).await.is_ok());
}

#[tokio::test]
async fn a_reply_past_the_item_bound_is_cut_off_and_the_connection_stays_usable() {
    let sim = router_with(SimConfig { secrets: 50, ..SimConfig::default() }).await;
    let client = Client::connect(options(&sim).max_items(10)).await.unwrap();
    let err = client.call(Command::new("/ppp/secret/print")).await.unwrap_err();
    assert!(matches!(err, ClientError::TooManyItems { limit: 10 }), "{err}");
    let small = client.call(Command::new("/ppp/secret/print").attr(".proplist", "name").query_eq("name", "user00001"));
    assert_eq!(small.await.unwrap().len(), 1, "the connection still answers");
}

#[tokio::test]
async fn a_listener_that_falls_behind_is_cut_off_instead_of_growing() {
    let sim = router_with(SimConfig { secrets: 40, ..SimConfig::default() }).await;
    let client = Client::connect(options(&sim).max_items(5)).await.unwrap();
    let mut stream = client.stream(Command::new("/ppp/active/listen")).unwrap();
    client.call(Command::new("/system/identity/print")).await.unwrap();
    // Nobody reads while 30 subscribers dial in.
    for n in 1..=30 {
        sim.connect_session(format!("user{n:05}")).unwrap();
    }
    client.call(Command::new("/system/identity/print")).await.unwrap();
    let mut read = 0;
    let err = loop {
        match stream.next().await {
            Some(Ok(_)) => read += 1,
            Some(Err(err)) => break err,
            None => panic!("the stream ended without saying why"),
        }
    };
    assert!(matches!(err, ClientError::TooManyItems { limit: 5 }), "{err}");
    assert!(read <= 5, "{read} items were kept");
    assert!(stream.next().await.is_none());
    assert!(client.call(Command::new("/system/identity/print")).await.is_ok());
}

#[tokio::test]
async fn dropping_a_stream_cancels_it() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    let stream = client.stream(Command::new("/interface/print").attr("follow-only", "")).unwrap();
    client.call(Command::new("/system/identity/print")).await.unwrap();
    drop(stream);
    // The cancel goes out before the next command on the same connection.
    client.call(Command::new("/system/identity/print")).await.unwrap();
    assert_eq!(sim.stats().commands_by_path["/cancel"], 1);
}

#[tokio::test]
async fn empty_print_on_v7_and_v6() {
    for (persona, empty) in [(Persona::V7, true), (Persona::V6, false)] {
        let sim = router(persona).await;
        let client = connect(&sim).await;
        let response = client.run(Command::new("/ppp/secret/print").query_eq("name", "nobody")).await.unwrap();
        assert!(response.items.is_empty());
        assert_eq!(response.empty, empty, "{persona:?}");
    }
}

#[tokio::test]
async fn queries_proplist_and_stack_operations() {
    let sim = router_with(SimConfig { secrets: 5, ..SimConfig::default() }).await;
    let client = connect(&sim).await;
    let names = |items: Vec<headend_routeros::Attributes>| -> Vec<String> {
        items.iter().map(|a| a.get("name").unwrap().to_string()).collect()
    };
    let either = client
        .call(
            Command::new("/ppp/secret/print")
                .proplist(["name"])
                .query_eq("name", "user00001")
                .query_eq("name", "user00004")
                .query_ops("|"),
        )
        .await
        .unwrap();
    assert_eq!(names(either.clone()), ["user00001", "user00004"]);
    assert_eq!(either[0].len(), 1, "only the proplist");
    let by_id = client.call(Command::new("/ppp/secret/print").query_eq(".id", "*3")).await.unwrap();
    assert_eq!(names(by_id), ["user00003"]);
    let not = client
        .call(
            Command::new("/ppp/secret/print")
                .query_eq("name", "user00001")
                .query_ops("!")
                .query_eq("disabled", "false")
                .query_ops("&"),
        )
        .await
        .unwrap();
    assert_eq!(not.len(), 4);
    let disabled = client.call(Command::new("/ppp/secret/print").query_eq("disabled", "true")).await.unwrap();
    assert!(disabled.is_empty());
}

#[tokio::test]
async fn traps_are_typed_and_leave_the_connection_usable() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    match client.call(Command::new("/nowhere/print")).await {
        Err(ClientError::Trap { category, message }) => {
            assert_eq!(category, Some(TrapCategory::MissingItemOrCommand));
            assert_eq!(message, "no such command prefix");
        }
        other => panic!("{other:?}"),
    }
    let missing = client.call(Command::new("/ppp/secret/remove").attr(".id", "*99")).await.unwrap_err();
    assert_eq!(missing.trap_message().unwrap(), "no such item");
    let unknown =
        client.call(Command::new("/ppp/secret/add").attr("name", "x").attr("colour", "red")).await.unwrap_err();
    assert_eq!(unknown.trap_message().unwrap(), "unknown parameter colour");
    assert!(client.call(Command::new("/system/identity/print")).await.is_ok());
}

#[tokio::test]
async fn refused_connection_is_a_typed_transient_error() {
    let sim = router_with(SimConfig {
        faults: Faults { refuse_connections: true, ..Faults::default() },
        ..SimConfig::default()
    })
    .await;
    let err = Client::connect(options(&sim)).await.unwrap_err();
    assert!(matches!(err, ClientError::Disconnected(Disconnect::Closed | Disconnect::Io { .. })), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(sim.stats().refused, 1);

    // And a port nobody listens on.
    drop(sim);
    let (listener, port) = Scripted::listen().await;
    drop(listener);
    let err = Client::connect(headend_routeros::client::ConnectOptions::new("127.0.0.1", "admin", "admin").port(port))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn latency_is_paid_once_per_round_trip() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    sim.set_faults(Faults { latency: Duration::from_millis(60), ..Faults::default() });
    let started = tokio::time::Instant::now();
    client.call(Command::new("/system/identity/print")).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(60));
    sim.reset_stats();
    let started = tokio::time::Instant::now();
    let results = client.call_many(vec![Command::new("/system/identity/print"); 20]).await;
    assert!(results.iter().all(Result::is_ok));
    // One round trip per read batch, not one per command.
    let batches = u32::try_from(sim.stats().batches).unwrap();
    assert!(batches <= 3, "{:?}", sim.stats());
    assert_eq!(started.elapsed(), Duration::from_millis(60) * batches);
}

#[tokio::test(start_paused = true)]
async fn stalled_router_gives_a_timeout_and_the_connection_recovers() {
    let sim = router(Persona::V7).await;
    let client = Client::connect(options(&sim).command_timeout(Duration::from_secs(30))).await.unwrap();
    sim.set_faults(Faults { stall: true, ..Faults::default() });
    let err = client.call(Command::new("/system/identity/print")).await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout { what: "command", .. }), "{err:?}");
    sim.set_faults(Faults::default());
    assert!(client.call(Command::new("/system/identity/print")).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn keepalive_closes_a_connection_to_a_dead_router() {
    let sim = router(Persona::V7).await;
    let client = Client::connect(options(&sim).keepalive(Some(Keepalive::default()))).await.unwrap();
    // Alive: probes (every 30 s of silence) are answered.
    tokio::time::sleep(Duration::from_secs(95)).await;
    assert!(!client.is_closed());
    assert_eq!(sim.stats().commands_by_path["/system/identity/print"], 3);
    sim.set_faults(Faults { stall: true, ..Faults::default() });
    let reason = tokio::time::timeout(Duration::from_secs(45), client.closed()).await.unwrap();
    assert_eq!(reason, Disconnect::KeepaliveTimeout);
    let err = client.call(Command::new("/system/identity/print")).await.unwrap_err();
    assert!(matches!(err, ClientError::Disconnected(Disconnect::KeepaliveTimeout)));
}

#[tokio::test]
async fn close_mid_reply_is_a_typed_error_for_every_command_in_flight() {
    let sim = router_with(SimConfig { secrets: 50, ..SimConfig::default() }).await;
    let client = connect(&sim).await;
    let stream = client.stream(Command::new("/ppp/active/listen")).unwrap();
    client.call(Command::new("/system/identity/print")).await.unwrap();
    sim.set_faults(Faults { close_mid_reply: true, ..Faults::default() });
    let err = client.call(Command::new("/ppp/secret/print")).await.unwrap_err();
    assert!(matches!(err, ClientError::Disconnected(Disconnect::ClosedMidReply)), "{err:?}");
    let mut stream = stream;
    assert!(matches!(stream.next().await, Some(Err(ClientError::Disconnected(Disconnect::ClosedMidReply)))));
    assert!(stream.next().await.is_none());
    assert!(client.is_closed());
}

#[tokio::test]
async fn a_share_of_writes_is_trapped() {
    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    sim.set_faults(Faults { trap_every_nth_write: Some(3), ..Faults::default() });
    let commands =
        (0..9).map(|i| Command::new("/ppp/secret/add").attr("name", format!("u{i}")).attr("password", "p")).collect();
    let results = client.call_many(commands).await;
    let trapped: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
    assert_eq!(trapped, [2, 5, 8]);
    for i in trapped {
        assert_eq!(results[i].as_ref().unwrap_err().trap_message().unwrap(), "failure: simulated fault");
    }
    assert_eq!(sim.secret_count(), 6);
}

#[tokio::test]
async fn garbage_from_the_router_is_a_protocol_error() {
    let (listener, port) = Scripted::listen().await;
    let server = tokio::spawn(async move {
        let mut router = Scripted::accept(listener).await;
        let _ = router.command().await;
        router.raw(&[0x03, b'!', b'r', b'e', 0xF8]).await;
        router
    });
    let client = Client::connect(
        headend_routeros::client::ConnectOptions::new("127.0.0.1", "admin", "admin").port(port).keepalive(None),
    )
    .await
    .unwrap();
    let err = client.call(Command::new("/system/identity/print")).await.unwrap_err();
    let _router = server.await.unwrap();
    assert!(
        matches!(err, ClientError::Disconnected(Disconnect::Protocol(ProtocolError::ReservedControlByte(0xF8)))),
        "{err:?}"
    );
}

#[tokio::test]
async fn unknown_reply_words_and_fatal_end_the_connection() {
    let (listener, port) = Scripted::listen().await;
    let server = tokio::spawn(async move {
        let mut router = Scripted::accept(listener).await;
        let first = router.command().await;
        router.raw(&sentence_bytes(&[b"!what", b".tag=0"])).await;
        let _ = first;
        router
    });
    let opts = headend_routeros::client::ConnectOptions::new("127.0.0.1", "admin", "admin").port(port).keepalive(None);
    let client = Client::connect(opts).await.unwrap();
    let err = client.call(Command::new("/x")).await.unwrap_err();
    drop(server.await.unwrap());
    assert!(
        matches!(err, ClientError::Disconnected(Disconnect::Protocol(ProtocolError::UnknownReplyWord(_)))),
        "{err:?}"
    );

    let sim = router(Persona::V7).await;
    let client = connect(&sim).await;
    let err = client.call(Command::new("/quit")).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Disconnected(Disconnect::Fatal(reason)) if *reason == "session terminated on request"),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn session_reconnects_with_backoff() {
    let sim = router(Persona::V7).await;
    let backoff = Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(100),
        jitter_percent: 50,
        max_attempts: Some(50),
    };
    let session = Session::new(options(&sim), backoff);
    assert!(session.call(Command::new("/system/identity/print")).await.is_ok());
    let first = session.client().await.unwrap();
    first.close();

    // The router refuses for a while, then comes back.
    sim.set_faults(Faults { refuse_connections: true, ..Faults::default() });
    let healer = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        sim.set_faults(Faults::default());
    };
    let (result, ()) = tokio::join!(session.call(Command::new("/system/identity/print")), healer);
    assert!(result.is_ok(), "{result:?}");
    // Delays of 10-20, 20-40, 40-80, 50-100 ms: at least four refusals
    // before the router heals at 150 ms.
    assert!(sim.stats().refused >= 4, "{:?}", sim.stats());
    assert_eq!(sim.stats().logins, 2);

    // A refused login is not retried.
    let mut wrong = options(&sim);
    wrong.password = "nope".into();
    let session = Session::new(wrong, backoff);
    assert!(matches!(session.client().await, Err(ClientError::LoginFailed { .. })));
    assert_eq!(sim.stats().failed_logins, 1);
}

#[tokio::test]
async fn session_keeps_the_first_pin() {
    let sim = router(Persona::V7).await;
    let opts = options(&sim).port(sim.api_tls_port().unwrap()).tls(TlsTrust::PinOnFirstUse);
    let session = Session::new(opts, Backoff { max_attempts: Some(1), ..Backoff::default() });
    session.client().await.unwrap();
    assert_eq!(session.certificate_pin(), sim.certificate_pin());
    session.disconnect().await;
    sim.rotate_certificate().unwrap();
    assert!(matches!(session.client().await, Err(ClientError::CertificateChanged { .. })));
}

#[tokio::test(start_paused = true)]
async fn connect_timeout_on_a_silent_peer() {
    // A peer that accepts and never answers the login.
    let (listener, port) = Scripted::listen().await;
    let _peer = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        std::future::pending::<()>().await;
        drop(stream);
    });
    let opts = headend_routeros::client::ConnectOptions::new("127.0.0.1", "admin", "admin")
        .port(port)
        .connect_timeout(Duration::from_secs(10));
    let err = Client::connect(opts).await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout { what: "connect", .. }), "{err:?}");
}

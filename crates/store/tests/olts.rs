//! OLTs, ONUs, signal history, alerts, the command log, the zero-touch
//! queue and what services and plans tell an OLT.

#![allow(clippy::unwrap_used)]

use headend_core::olt::{OltProfile, OltVendor, OnuState};
use headend_core::optical::{AlertChange, AlertLevel, SignalPolicy, SignalRetention, Thresholds};
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::queue::{Backoff, OltAction, QueueStatus};
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{OltId, OnuId, PlanId, ServiceId};
use headend_store::{
    AlertQuery, AutofindSeen, NewCustomer, NewOdp, NewOlt, NewOltLogEntry, NewPlan, NewRouter, NewService,
    OltLogOutcome, OnuSeen, REPLY_LIMIT, ServiceOnu, SignalPoint, SignalSample, Store, StoreError,
};
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).await.unwrap();
    (dir, store)
}

fn new_olt(name: &str) -> NewOlt {
    NewOlt {
        name: name.into(),
        vendor: OltVendor::Huawei,
        host: "10.0.0.2".into(),
        port: 22,
        username: "root".into(),
        pop: None,
        location: None,
    }
}

fn at(t: &str) -> Timestamp {
    t.parse().unwrap()
}

fn seen(port: &str, index: u32, serial: &str, state: OnuState) -> OnuSeen {
    OnuSeen {
        port: port.into(),
        index,
        serial: serial.into(),
        equipment: Some("EG8145V5".into()),
        description: Some(format!("onu {index}")),
        state,
        last_up: None,
        last_down: None,
        last_down_cause: None,
    }
}

/// A plan with OLT profiles and a pending service with an ONU serial.
async fn service(store: &Store, serial: Option<&str>) -> (PlanId, ServiceId) {
    let router = store
        .add_router(&NewRouter {
            name: "core".into(),
            host: "10.0.0.1".into(),
            port: 8728,
            transport: Transport::Api,
            username: "admin".into(),
            pop: None,
            location: None,
        })
        .await
        .unwrap();
    let plan = store
        .add_plan(&NewPlan {
            name: "Fibra 100".into(),
            limits: RateLimit::from_parts("50M/100M", None, None, None).unwrap(),
            price: Decimal::new(4000, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await
        .unwrap();
    let customer = store
        .add_customer(&NewCustomer {
            name: "Ana Silva".into(),
            phone: None,
            email: None,
            address: None,
            location: None,
        })
        .await
        .unwrap();
    let service = store
        .add_service(&NewService {
            customer,
            router,
            plan,
            access: Access::Pppoe { username: "ana".into(), address: None },
            status: ServiceStatus::Pending,
            next_billing_date: None,
            grace_days: None,
            password: None,
            adopt: false,
        })
        .await
        .unwrap();
    if let Some(serial) = serial {
        store.set_service_onu(service, &ServiceOnu { serial: Some(serial.into()), vlan: None }).await.unwrap();
    }
    (plan, service)
}

#[tokio::test]
async fn olt_inventory_pin_and_health() {
    let (_dir, store) = open().await;
    let id = store.add_olt(&new_olt("olt-north")).await.unwrap();
    let err = store.add_olt(&new_olt("olt-north")).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");

    let olt = store.olt_by_name("olt-north").await.unwrap().unwrap();
    assert_eq!((olt.id, olt.vendor, olt.port, olt.host_key.as_deref()), (id, OltVendor::Huawei, 22, None));

    store.set_olt_host_key(id, Some("SHA256:abc")).await.unwrap();
    assert_eq!(store.olt(id).await.unwrap().unwrap().host_key.as_deref(), Some("SHA256:abc"));

    // A changed key is remembered with its error until the operator pins.
    store.record_olt_error(id, at("2026-11-25T10:00:00Z"), "host key changed", Some("SHA256:evil")).await.unwrap();
    store.record_olt_reached(id, at("2026-11-25T10:01:00Z")).await.unwrap();
    let health = store.olt_health(id).await.unwrap().unwrap();
    assert_eq!(health.presented_key.as_deref(), Some("SHA256:evil"));
    assert_eq!(health.error.as_deref(), Some("host key changed"), "a refused key stays an error");
    store.set_olt_host_key(id, Some("SHA256:evil")).await.unwrap();
    let health = store.olt_health(id).await.unwrap().unwrap();
    assert_eq!((health.presented_key, health.error), (None, None));

    // An ordinary error ends with the next success.
    store.record_olt_error(id, at("2026-11-25T10:02:00Z"), "connection refused", None).await.unwrap();
    store.record_olt_reached(id, at("2026-11-25T10:03:00Z")).await.unwrap();
    let health = store.olt_health(id).await.unwrap().unwrap();
    assert_eq!(health.error, None);
    assert_eq!(health.reached_at, Some(at("2026-11-25T10:03:00Z")));

    // Moving the OLT forgets its key.
    let mut moved = new_olt("olt-north");
    moved.host = "10.0.0.3".into();
    store.update_olt(id, &moved).await.unwrap();
    assert_eq!(store.olt(id).await.unwrap().unwrap().host_key, None);

    store.remove_olt(id).await.unwrap();
    assert!(store.olts().await.unwrap().is_empty());
    assert!(matches!(store.remove_olt(id).await, Err(StoreError::NotFound(_))));
}

#[tokio::test]
async fn leases_keep_two_engines_off_one_olt() {
    let (_dir, store) = open().await;
    let id = store.add_olt(&new_olt("o")).await.unwrap();
    let now = at("2026-11-25T10:00:00Z");
    let ttl = SignedDuration::from_secs(60);
    assert!(store.acquire_olt_lease(id, "app:1", now, ttl).await.unwrap());
    assert!(!store.acquire_olt_lease(id, "agent:2", now, ttl).await.unwrap());
    assert!(store.acquire_olt_lease(id, "agent:2", now + SignedDuration::from_secs(61), ttl).await.unwrap());
    assert_eq!(store.olt_lease_holder(id).await.unwrap().as_deref(), Some("agent:2"));
    store.release_olt_lease(id, "agent:2").await.unwrap();
    assert_eq!(store.olt_lease_holder(id).await.unwrap(), None);
}

#[tokio::test]
async fn sync_adds_updates_moves_and_removes_onus() {
    let (_dir, store) = open().await;
    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    let t0 = at("2026-11-25T10:00:00Z");
    let first = vec![
        seen("0/1/0", 0, "HWTC00000001", OnuState::Online),
        seen("0/1/0", 1, "HWTC00000002", OnuState::Online),
        seen("0/1/10", 0, "HWTC00000003", OnuState::Offline),
        seen("0/1/2", 0, "HWTC00000004", OnuState::Los),
    ];
    let synced = store.sync_onus(olt, &first, None, t0).await.unwrap();
    assert_eq!(synced.len(), 4);
    assert!(synced.iter().all(|s| s.previous.is_none()));
    let ports: Vec<String> = store.pon_ports(olt).await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(ports, ["0/1/0", "0/1/2", "0/1/10"], "ports in human order");
    let onus = store.onus(olt, None).await.unwrap();
    assert_eq!(onus[0].last_up, Some(t0), "an online ONU seen first is up since then");
    assert_eq!(onus.iter().map(|o| o.port.as_str()).collect::<Vec<_>>(), ["0/1/0", "0/1/0", "0/1/2", "0/1/10"]);

    // ONU 1 goes down, 3 comes up, 4 moves to another port, 2 disappears.
    let t1 = at("2026-11-25T10:05:00Z");
    let second = vec![
        seen("0/1/0", 0, "HWTC00000001", OnuState::DyingGasp),
        seen("0/1/10", 0, "HWTC00000003", OnuState::Online),
        seen("0/1/3", 5, "HWTC00000004", OnuState::Online),
    ];
    let synced = store.sync_onus(olt, &second, None, t1).await.unwrap();
    assert_eq!(synced[0].previous, Some(OnuState::Online));
    let onus = store.onus(olt, None).await.unwrap();
    assert_eq!(onus.len(), 3);
    let one = onus.iter().find(|o| o.serial == "HWTC00000001").unwrap();
    assert_eq!((one.state, one.last_down, one.last_up), (OnuState::DyingGasp, Some(t1), Some(t0)));
    let three = onus.iter().find(|o| o.serial == "HWTC00000003").unwrap();
    assert_eq!(three.last_up, Some(t1));
    let four = onus.iter().find(|o| o.serial == "HWTC00000004").unwrap();
    assert_eq!((four.port.as_str(), four.index), ("0/1/3", 5));
    // The OLT's own times win.
    let mut with_times = seen("0/1/0", 0, "HWTC00000001", OnuState::Online);
    with_times.last_up = Some(at("2026-11-25T10:07:00Z"));
    store.sync_onus(olt, &[with_times], Some(&["0/1/0".to_owned()]), at("2026-11-25T10:10:00Z")).await.unwrap();
    let one = store.onus(olt, Some("0/1/0")).await.unwrap();
    assert_eq!(one[0].last_up, Some(at("2026-11-25T10:07:00Z")));
    // A scoped sync left the other ports alone.
    assert_eq!(store.onus(olt, None).await.unwrap().len(), 3);

    assert!(store.remove_onu(olt, "0/1/3", 5).await.unwrap());
    assert!(!store.remove_onu(olt, "0/1/3", 5).await.unwrap());
    let overview = store.olt_overviews().await.unwrap();
    assert_eq!((overview[0].onus, overview[0].online, overview[0].offline), (2, 2, 0));
}

#[tokio::test]
async fn signal_history_and_latest_reading() {
    let (_dir, store) = open().await;
    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    let synced = store
        .sync_onus(olt, &[seen("0/1/0", 0, "HWTC00000001", OnuState::Online)], None, at("2026-11-25T10:00:00Z"))
        .await
        .unwrap();
    let onu = synced[0].id;
    for (i, rx) in [-20.0, -21.5, -27.3].into_iter().enumerate() {
        let t = at("2026-11-25T10:00:00Z") + SignedDuration::from_mins(5 * i64::try_from(i).unwrap());
        let sample = SignalSample {
            onu_rx: Some(rx),
            olt_rx: Some(rx - 3.0),
            temperature: Some(45.0),
            ..SignalSample::default()
        };
        store.record_signals(&[(onu, sample)], t).await.unwrap();
    }
    // An empty reading (offline) leaves no history row but clears the latest.
    store.record_signals(&[(onu, SignalSample::default())], at("2026-11-25T10:15:00Z")).await.unwrap();
    let history = store.signal_history(onu, at("2026-11-25T00:00:00Z"), at("2026-11-26T00:00:00Z")).await.unwrap();
    assert_eq!(history.iter().map(|p| p.sample.onu_rx.unwrap()).collect::<Vec<_>>(), [-20.0, -21.5, -27.3]);
    assert_eq!(history[1].at, at("2026-11-25T10:05:00Z"));
    assert_eq!(history[0].sample.onu_tx, None);
    let row = store.onu(onu).await.unwrap().unwrap();
    assert_eq!((row.onu_rx, row.signal_at), (None, Some(at("2026-11-25T10:15:00Z"))));

    assert!(history.iter().all(|p| !p.hourly && p.samples == 1 && p.low == p.sample && p.high == p.sample));
    // Deregistering an ONU linked to no service takes the history with it.
    store.remove_onu(olt, "0/1/0", 0).await.unwrap();
    assert!(store.signal_history(onu, Timestamp::MIN, Timestamp::MAX).await.unwrap().is_empty());
}

/// Every 5 minutes from `from` until before `to`: ONU Rx falling 0.1 dB a
/// reading through each hour (-20.0 to -21.1), OLT Rx never read.
async fn sweeps(store: &Store, onu: OnuId, from: &str, to: &str) {
    let mut t = at(from);
    while t < at(to) {
        let step = (t.as_second() % 3600) / 300;
        let sample = SignalSample {
            onu_rx: Some(-20.0 - 0.1 * step as f64),
            onu_tx: Some(2.0),
            temperature: Some(40.0 + step as f64),
            voltage: Some(3.3),
            ..SignalSample::default()
        };
        store.record_signals(&[(onu, sample)], t).await.unwrap();
        t += SignedDuration::from_mins(5);
    }
}

#[tokio::test]
async fn retention_rolls_whole_hours_up_and_drops_what_is_past_the_history() {
    let (_dir, store) = open().await;
    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    let onu = store
        .sync_onus(olt, &[seen("0/1/0", 0, "HWTC00000001", OnuState::Online)], None, at("2026-11-20T00:00:00Z"))
        .await
        .unwrap()[0]
        .id;
    sweeps(&store, onu, "2026-11-20T00:00:00Z", "2026-11-25T12:35:00Z").await;
    let retention = SignalRetention::new(2, 4).unwrap();
    let now = at("2026-11-25T12:34:00Z");

    let pass = store.apply_signal_retention(retention, now).await.unwrap();
    // Rolled up: 20 Nov 00:00 to 23 Nov 12:00, the hour the raw window
    // starts in (12:34) staying raw: 84 hours of 12 readings.
    assert_eq!((pass.rolled_up, pass.hours), (84 * 12, 84));
    // Deleted: the hours before 21 Nov 12:34, 21 Nov 12:00 included.
    assert_eq!(pass.deleted, 24 + 13);
    assert!(pass.batches > 1 && pass.longest_batch <= pass.batch_time);
    // Again at the same instant: nothing left to do.
    let again = store.apply_signal_retention(retention, now).await.unwrap();
    assert_eq!((again.rolled_up, again.hours, again.deleted), (0, 0, 0));

    let all = store.signal_history(onu, Timestamp::MIN, Timestamp::MAX).await.unwrap();
    let (hourly, raw): (Vec<&SignalPoint>, Vec<&SignalPoint>) = all.iter().partition(|p| p.hourly);
    assert_eq!((hourly.len(), raw.len()), (47, 48 * 12 + 7));
    assert_eq!(hourly[0].at, at("2026-11-21T13:00:00Z"));
    assert_eq!(hourly.last().unwrap().at, at("2026-11-23T11:00:00Z"));
    assert_eq!(raw[0].at, at("2026-11-23T12:00:00Z"));
    assert!(all.windows(2).all(|w| w[0].at < w[1].at), "oldest first, hours before readings");
    let hour = hourly[0];
    assert_eq!(hour.samples, 12);
    assert_eq!((hour.low.onu_rx, hour.sample.onu_rx, hour.high.onu_rx), (Some(-21.1), Some(-20.55), Some(-20.0)));
    assert_eq!(
        (hour.low.temperature, hour.sample.temperature, hour.high.temperature),
        (Some(40.0), Some(45.5), Some(51.0))
    );
    assert_eq!((hour.sample.onu_tx, hour.sample.olt_rx, hour.sample.voltage), (Some(2.0), None, None));

    // A chart's range starting mid-hour gets that hour, and the readings.
    let range = store.signal_history(onu, at("2026-11-23T10:30:00Z"), at("2026-11-23T12:10:00Z")).await.unwrap();
    let ats: Vec<_> = range.iter().map(|p| (p.at, p.hourly)).collect();
    assert_eq!(
        ats,
        [
            (at("2026-11-23T10:00:00Z"), true),
            (at("2026-11-23T11:00:00Z"), true),
            (at("2026-11-23T12:00:00Z"), false),
            (at("2026-11-23T12:05:00Z"), false),
            (at("2026-11-23T12:10:00Z"), false),
        ]
    );
}

#[tokio::test]
async fn a_removed_onus_history_stays_with_its_service() {
    let (_dir, store) = open().await;
    let (_, svc) = service(&store, None).await;
    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    let first = seen("0/1/0", 0, "HWTC00000001", OnuState::Online);
    let onu = store.upsert_onu(olt, &first, Some(svc), at("2026-11-20T00:00:00Z")).await.unwrap();
    sweeps(&store, onu, "2026-11-20T00:00:00Z", "2026-11-23T10:30:00Z").await;
    let retention = SignalRetention::new(2, 30).unwrap();
    store.apply_signal_retention(retention, at("2026-11-23T10:30:00Z")).await.unwrap();
    let before = store.signal_history(onu, Timestamp::MIN, Timestamp::MAX).await.unwrap();
    assert!(before.iter().any(|p| p.hourly) && before.iter().any(|p| !p.hourly));

    // Deregistered: its hours, and its readings as hours (10:00 to 10:25
    // included), stay with the service.
    assert!(store.remove_onu(olt, "0/1/0", 0).await.unwrap());
    let kept = store.service_signal_history(svc, Timestamp::MIN, Timestamp::MAX).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].serial.as_str(), kept[0].onu), ("HWTC00000001", None));
    let points = &kept[0].points;
    assert!(points.iter().all(|p| p.hourly));
    assert_eq!(points.len(), 3 * 24 + 11);
    assert_eq!(points.iter().map(|p| p.samples).sum::<u32>(), before.iter().map(|p| p.samples).sum::<u32>());
    let last = points.last().unwrap();
    assert_eq!(
        (last.at, last.samples, last.low.onu_rx, last.high.onu_rx),
        (at("2026-11-23T10:00:00Z"), 6, Some(-20.5), Some(-20.0))
    );

    // Its replacement is the current ONU; the old one's history comes first.
    let second = seen("0/1/0", 0, "HWTC00000002", OnuState::Online);
    let replacement = store.upsert_onu(olt, &second, Some(svc), at("2026-11-23T11:00:00Z")).await.unwrap();
    sweeps(&store, replacement, "2026-11-23T11:00:00Z", "2026-11-23T11:30:00Z").await;
    let both = store.service_signal_history(svc, at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z")).await.unwrap();
    let summary: Vec<_> = both.iter().map(|h| (h.serial.as_str(), h.onu, h.points.len())).collect();
    assert_eq!(summary, [("HWTC00000001", None, 11), ("HWTC00000002", Some(replacement), 6)]);

    // The OLT no longer lists it, and it comes back: one history per serial.
    store.sync_onus(olt, &[], None, at("2026-11-23T11:30:00Z")).await.unwrap();
    let back = store.upsert_onu(olt, &second, Some(svc), at("2026-11-23T11:40:00Z")).await.unwrap();
    sweeps(&store, back, "2026-11-23T11:40:00Z", "2026-11-23T12:00:00Z").await;
    let merged =
        store.service_signal_history(svc, at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z")).await.unwrap();
    let summary: Vec<_> = merged.iter().map(|h| (h.serial.as_str(), h.onu, h.points.len())).collect();
    assert_eq!(summary, [("HWTC00000001", None, 11), ("HWTC00000002", Some(back), 1 + 4)]);
    // A range before the replacement: only the first ONU had readings.
    let early =
        store.service_signal_history(svc, at("2026-11-21T00:00:00Z"), at("2026-11-21T05:00:00Z")).await.unwrap();
    let summary: Vec<_> = early.iter().map(|h| (h.serial.as_str(), h.onu, h.points.len())).collect();
    assert_eq!(summary, [("HWTC00000001", None, 6), ("HWTC00000002", Some(back), 0)]);

    // Removing the OLT keeps the current ONU's history too.
    store.remove_olt(olt).await.unwrap();
    let after = store.service_signal_history(svc, Timestamp::MIN, Timestamp::MAX).await.unwrap();
    assert_eq!(
        after.iter().map(|h| (h.serial.as_str(), h.onu)).collect::<Vec<_>>(),
        [("HWTC00000001", None), ("HWTC00000002", None)]
    );
    assert_eq!(after[1].points.iter().map(|p| p.samples).sum::<u32>(), 6 + 4);

    // Past the history kept, former ONUs' hours go too.
    let pass = store.apply_signal_retention(retention, at("2026-12-23T12:00:00Z")).await.unwrap();
    assert_eq!(pass.deleted, 3 * 24 + 11 + 2);
    assert!(store.service_signal_history(svc, Timestamp::MIN, Timestamp::MAX).await.unwrap().is_empty());
}

#[tokio::test]
async fn alerts_open_change_and_clear() {
    let (_dir, store) = open().await;
    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    let synced = store
        .sync_onus(
            olt,
            &[seen("0/1/0", 0, "HWTC00000001", OnuState::Online), seen("0/1/0", 1, "HWTC00000002", OnuState::Los)],
            None,
            at("2026-11-25T10:00:00Z"),
        )
        .await
        .unwrap();
    let (a, b) = (synced[0].id, synced[1].id);
    store
        .apply_alert_changes(
            &[
                (a, AlertChange::Raise(AlertLevel::Warning), Some(-27.4)),
                (b, AlertChange::Raise(AlertLevel::Los), None),
            ],
            at("2026-11-25T10:00:00Z"),
        )
        .await
        .unwrap();
    let open = store.open_alert_levels(olt).await.unwrap();
    assert_eq!((open.get(&a), open.get(&b)), (Some(&AlertLevel::Warning), Some(&AlertLevel::Los)));
    assert_eq!(store.onu(a).await.unwrap().unwrap().alert, Some(AlertLevel::Warning));

    store
        .apply_alert_changes(
            &[
                (a, AlertChange::Change { from: AlertLevel::Warning, to: AlertLevel::Critical }, Some(-29.6)),
                (b, AlertChange::Clear(AlertLevel::Los), Some(-20.0)),
            ],
            at("2026-11-25T10:05:00Z"),
        )
        .await
        .unwrap();
    let open = store.onu_alerts(&AlertQuery::default()).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].onu, open[0].level, open[0].rx), (a, AlertLevel::Critical, Some(-29.6)));
    assert_eq!((open[0].port.as_str(), open[0].serial.as_str()), ("0/1/0", "HWTC00000001"));
    let all = store.onu_alerts(&AlertQuery { open: false, ..AlertQuery::default() }).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().filter(|x| x.cleared_at.is_some()).all(|x| x.cleared_at == Some(at("2026-11-25T10:05:00Z"))));
    let overview = &store.olt_overviews().await.unwrap()[0];
    assert_eq!((overview.warnings, overview.criticals, overview.los_alerts, overview.los), (0, 1, 0, 1));
    // A raise over a stale open alert keeps one open.
    store
        .apply_alert_changes(&[(a, AlertChange::Raise(AlertLevel::Warning), Some(-27.1))], at("2026-11-25T10:10:00Z"))
        .await
        .unwrap();
    assert_eq!(store.onu_alerts(&AlertQuery { onu: Some(a), ..AlertQuery::default() }).await.unwrap().len(), 1);
}

#[tokio::test]
async fn command_log_cuts_long_replies_and_prunes() {
    let (_dir, store) = open().await;
    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    let entry = |command: &str, reply: String, t: &str| NewOltLogEntry {
        at: at(t),
        command: command.into(),
        reply,
        outcome: OltLogOutcome::Ok,
        error: None,
        duration_ms: 42,
    };
    let long = "x".repeat(REPLY_LIMIT * 3);
    store
        .log_olt_commands(&[
            (olt, entry("display ont autofind all", "   Number : 1".into(), "2026-11-10T10:00:00Z")),
            (olt, entry("display ont info 0 all", long.clone(), "2026-11-25T10:00:00Z")),
            (OltId(999), entry("lost", String::new(), "2026-11-25T10:00:00Z")),
        ])
        .await
        .unwrap();
    let log = store.olt_log(olt, None, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].command, "display ont info 0 all");
    assert!(log[0].truncated());
    assert_eq!(log[0].reply_bytes, u64::try_from(long.len()).unwrap());
    assert!(log[0].reply.len() < REPLY_LIMIT + 100 && log[0].reply.contains("reply cut"));
    assert!(!log[1].truncated());
    assert_eq!(store.olt_log(olt, Some(log[0].id), 10).await.unwrap().len(), 1);
    assert_eq!(store.prune_olt_log(at("2026-11-20T00:00:00Z")).await.unwrap(), 1);
    assert_eq!(store.olt_log(olt, None, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn signal_policy_defaults_and_round_trip() {
    let (_dir, store) = open().await;
    assert_eq!(store.signal_policy().await.unwrap(), SignalPolicy::default());
    let mut policy = SignalPolicy::default();
    policy.set_interval_minutes(10).unwrap();
    policy.thresholds = Thresholds::new(-26.0, -28.5, -7.0).unwrap();
    policy.retention = SignalRetention::new(3, 60).unwrap();
    store.set_signal_policy(&policy).await.unwrap();
    assert_eq!(store.signal_policy().await.unwrap(), policy);
}

#[tokio::test]
async fn zero_touch_candidates_links_and_queue() {
    let (_dir, store) = open().await;
    let (plan, svc) = service(&store, Some("HWTC0B086EA9")).await;
    store
        .set_plan_olt_profile(
            plan,
            &OltProfile { line: Some("20".into()), service: Some("30".into()), vlan: Some(100) },
        )
        .await
        .unwrap();
    assert!(matches!(
        store.set_plan_olt_profile(plan, &OltProfile { vlan: Some(4095), ..OltProfile::default() }).await,
        Err(StoreError::Invalid(_))
    ));
    let candidates = store.ztp_candidates().await.unwrap();
    assert_eq!(candidates.len(), 1);
    let c = &candidates[0];
    assert_eq!((c.service, c.serial.as_str(), c.customer_name.as_str()), (svc, "HWTC0B086EA9", "Ana Silva"));
    assert_eq!(c.defaults.profile, OltProfile { line: Some("20".into()), service: Some("30".into()), vlan: Some(100) });
    assert_eq!(c.service_label, "ana (Ana Silva)");
    assert_eq!(c.registered, None);

    // The service's VLAN overrides the plan's.
    store.set_service_onu(svc, &ServiceOnu { serial: Some("HWTC0B086EA9".into()), vlan: Some(200) }).await.unwrap();
    assert_eq!(store.ztp_candidates().await.unwrap()[0].defaults.profile.vlan, Some(200));
    assert_eq!(store.service_by_onu_serial("HWTC0B086EA9").await.unwrap(), Some(svc));

    // Seen in autofind: the list names the service waiting for it.
    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    store
        .replace_autofind(
            olt,
            &[AutofindSeen {
                port: "0/1/0".into(),
                serial: "HWTC0B086EA9".into(),
                equipment: Some("EG8145V5".into()),
                found_at: None,
            }],
            at("2026-11-25T10:00:00Z"),
        )
        .await
        .unwrap();
    let found = store.autofind_onus(None).await.unwrap();
    assert_eq!((found[0].service, found[0].service_label.as_deref()), (Some(svc), Some("ana (Ana Silva)")));
    assert_eq!(store.olt_overviews().await.unwrap()[0].unconfigured, 1);

    // A failure is queued with backoff, then fails for good.
    let now = at("2026-11-25T10:00:00Z");
    let backoff = Backoff::Exponential { max_attempts: 2, jitter: 1.0 };
    let e = store
        .olt_queue_failure(svc, Some(olt), OltAction::Authorize, "HWTC0B086EA9", "timeout", now, backoff)
        .await
        .unwrap();
    assert_eq!(
        (e.attempts, e.status, e.next_attempt_at),
        (1, QueueStatus::Retrying, now + SignedDuration::from_secs(15))
    );
    let e = store
        .olt_queue_failure(svc, None, OltAction::Authorize, "HWTC0B086EA9", "refused", now, backoff)
        .await
        .unwrap();
    assert_eq!((e.attempts, e.status, e.olt), (2, QueueStatus::Failed, Some(olt)));
    let rows = store.olt_queue(Some(QueueStatus::Failed)).await.unwrap();
    assert_eq!((rows[0].service_label.as_str(), rows[0].olt_name.as_deref()), ("ana (Ana Silva)", Some("o")));
    assert_eq!(store.olt_queue_retry(svc).await.unwrap(), 1);
    assert_eq!(store.olt_queue_for_service(svc).await.unwrap()[0].status, QueueStatus::Pending);

    // Registered and linked: no longer a candidate, no longer in autofind.
    let onu =
        store.upsert_onu(olt, &seen("0/1/0", 3, "HWTC0B086EA9", OnuState::Offline), Some(svc), now).await.unwrap();
    store.olt_queue_clear(svc, OltAction::Authorize).await.unwrap();
    assert!(store.ztp_candidates().await.unwrap().is_empty());
    assert!(store.autofind_onus(Some(olt)).await.unwrap().is_empty());
    let linked = store.onu_of_service(svc).await.unwrap().unwrap();
    assert_eq!((linked.id, linked.service_label.as_deref()), (onu, Some("ana (Ana Silva)")));
    assert!(store.olt_queue_for_service(svc).await.unwrap().is_empty());

    // Unlinked by hand, a registered ONU with that serial is offered for linking.
    store.link_onu_service(onu, None).await.unwrap();
    assert_eq!(store.ztp_candidates().await.unwrap()[0].registered, Some(onu));
}

#[tokio::test]
async fn one_serial_one_service_and_services_outlive_their_onu() {
    let (_dir, store) = open().await;
    let (_plan, svc) = service(&store, Some("HWTC0B086EA9")).await;
    let service = store.service(svc).await.unwrap().unwrap();
    let other = store
        .add_service(&NewService {
            customer: service.customer,
            router: service.router,
            plan: service.plan,
            access: Access::Pppoe { username: "ana2".into(), address: None },
            status: ServiceStatus::Active,
            next_billing_date: None,
            grace_days: None,
            password: None,
            adopt: false,
        })
        .await
        .unwrap();
    let err = store
        .set_service_onu(other, &ServiceOnu { serial: Some("HWTC0B086EA9".into()), vlan: None })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    assert!(matches!(
        store.set_service_onu(ServiceId(999), &ServiceOnu::default()).await,
        Err(StoreError::NotFound(_))
    ));

    let olt = store.add_olt(&new_olt("o")).await.unwrap();
    let onu = store
        .upsert_onu(olt, &seen("0/1/0", 0, "HWTC0B086EA9", OnuState::Online), Some(svc), at("2026-11-25T10:00:00Z"))
        .await
        .unwrap();
    let second = store
        .upsert_onu(olt, &seen("0/1/0", 1, "HWTC00000002", OnuState::Online), None, at("2026-11-25T10:00:00Z"))
        .await
        .unwrap();
    assert!(matches!(store.link_onu_service(second, Some(svc)).await, Err(StoreError::Duplicate { .. })));
    assert_eq!(store.onu_by_serial("HWTC0B086EA9").await.unwrap().unwrap().id, onu);

    // ODPs.
    let odp =
        store.add_odp(&NewOdp { name: "ODP-01".into(), pop: None, location: None, capacity: Some(16) }).await.unwrap();
    store.set_onu_odp(onu, Some(odp)).await.unwrap();
    let odps = store.odps().await.unwrap();
    assert_eq!((odps[0].odp.capacity, odps[0].onus), (Some(16), 1));
    store.remove_odp(odp).await.unwrap();
    assert_eq!(store.onu(onu).await.unwrap().unwrap().odp, None);

    // Removing the OLT keeps the service.
    store.remove_olt(olt).await.unwrap();
    assert!(store.service(svc).await.unwrap().is_some());
    assert!(store.onu_of_service(svc).await.unwrap().is_none());
    store.set_pon_port_description(olt, "0/1/0", Some("north")).await.unwrap_err();
}

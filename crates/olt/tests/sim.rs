//! The drivers over real SSH against the simulated OLTs of
//! `headend-simlab`, for Huawei and ZTE: login, paging on and off,
//! autofind → authorize → online → onus → optical → reboot → deregister,
//! vendor refusals, host-key pinning, timeouts, the two-session limit and
//! readings of dark ONUs.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use headend_core::olt::OltVendor;
use headend_olt::{
    AuthorizeRequest, CommandLogEntry, CommandOutcome, Dbm, Olt, OltAuth, OltConfig, OltDriver, OltError, OltHandle,
    OltSecret, OnuProfile, OnuRef, OpticalReading, PonPort, ProfileRef, RunState, SerialNumber, Vlan,
};
use headend_simlab::olt::{OltFaults, OnuState, SimOlt, SimOltConfig, SimOltHandle};

/// How long an authorized or rebooted ONU takes to come online here.
const ONLINE_DELAY: Duration = Duration::from_secs(1);

async fn start(vendor: OltVendor, config: SimOltConfig) -> SimOltHandle {
    SimOlt::start(SimOltConfig { vendor, online_delay: ONLINE_DELAY, ..config }).await.unwrap()
}

fn config(sim: &SimOltHandle) -> OltConfig {
    let mut cfg = OltConfig::new(sim.vendor(), "127.0.0.1", "admin", OltAuth::Password(OltSecret::new("admin")));
    cfg.port = sim.addr().port();
    cfg.command_timeout = Duration::from_secs(5);
    cfg.connect_timeout = Duration::from_secs(5);
    cfg
}

fn port(p: headend_simlab::olt::PonPort) -> PonPort {
    PonPort::new(p.frame.into(), p.slot.into(), p.port.into())
}

/// Every command and reply, to look at after the fact.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<CommandLogEntry>>>);

impl Log {
    fn sink(&self) -> impl Fn(CommandLogEntry) + Send + Sync + 'static {
        let entries = self.0.clone();
        move |e| entries.lock().unwrap().push(e)
    }

    fn commands(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|e| e.command.clone()).collect()
    }

    fn entries(&self) -> Vec<CommandLogEntry> {
        self.0.lock().unwrap().clone()
    }
}

/// Polls `check` until it holds, for up to 10 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn request(vendor: OltVendor, port: PonPort, serial: &str) -> AuthorizeRequest {
    let profile = if vendor == OltVendor::Huawei {
        OnuProfile { line: Some(ProfileRef::Id(20)), service: Some(ProfileRef::Id(30)), ..OnuProfile::default() }
    } else {
        OnuProfile { onu_type: Some("ZTE-F670".into()), tcont_profile: Some("UP-100M".into()), ..OnuProfile::default() }
    };
    AuthorizeRequest {
        port,
        serial: SerialNumber::parse(serial).unwrap(),
        onu_id: None,
        profile,
        vlan: Vlan::new(100),
        description: Some("Maria Lopez".into()),
    }
}

fn assert_dbm(what: &str, v: Option<Dbm>, lo: f64, hi: f64) {
    let v = v.unwrap_or_else(|| panic!("{what}: no reading"));
    assert!((lo..=hi).contains(&v.0), "{what}: {v} outside {lo}..{hi}");
}

fn near(what: &str, got: Option<f64>, want: f64, tolerance: f64) {
    let got = got.unwrap_or_else(|| panic!("{what}: no reading"));
    assert!((got - want).abs() <= tolerance, "{what}: read {got}, the simulator has {want}");
}

/// The whole life of one ONU, over one handle.
async fn lifecycle(vendor: OltVendor, page_lines: usize, pager_stays_on: bool) {
    let sim = start(
        vendor,
        SimOltConfig {
            pon_ports: 4,
            onus_per_port: 12,
            autofind: 3,
            page_lines,
            faults: OltFaults { ignore_pager_off: pager_stays_on, ..OltFaults::default() },
            ..SimOltConfig::default()
        },
    )
    .await;
    let log = Log::default();
    let olt = Olt::connect_with_log(config(&sim), log.sink()).await.unwrap();
    assert_eq!(olt.vendor(), vendor);
    assert_eq!(olt.host_key().as_deref(), Some(sim.host_key_fingerprint().as_str()));

    // Autofind: what the simulator has waiting, plus one plugged in now.
    let target = sim.pon_port(2);
    let serial = if vendor == OltVendor::Huawei { "HWTC0B086EA9" } else { "ZTEGC8F22D1F" };
    assert!(sim.add_autofind_onu(target, serial, "EG8145V5"));
    let found = olt.autofind().await.unwrap();
    let waiting = sim.autofind();
    assert_eq!(found.len(), waiting.len(), "{found:?}");
    for w in &waiting {
        let f = found
            .iter()
            .find(|f| f.serial.as_str() == w.serial)
            .unwrap_or_else(|| panic!("{} not in {found:?}", w.serial));
        assert_eq!(f.port, port(w.port));
        assert_eq!(f.vendor_id, &w.serial[..4]);
        if vendor == OltVendor::Huawei {
            assert_eq!(f.equipment_id.as_deref(), Some(w.equipment.as_str()));
            assert!(f.found_at.is_some());
        }
    }
    let new = found.iter().find(|f| f.serial.as_str() == serial).unwrap().clone();

    // Authorize it with profile, VLAN and description.
    let onu = olt.authorize(request(vendor, new.port, serial)).await.unwrap();
    assert_eq!(onu.port, port(target));
    let snap = sim.onu(target, onu.id.try_into().unwrap()).unwrap();
    assert_eq!(snap.serial, serial);
    assert_eq!(snap.vlan, Some(100));
    assert_eq!(snap.state, OnuState::Offline, "online before its delay");
    if vendor == OltVendor::Huawei {
        assert_eq!((snap.line_profile, snap.srv_profile), (20, 30));
        assert_eq!(snap.description, "Maria Lopez");
        // Ids 0 to 11 are taken: the OLT gives the next.
        assert_eq!(onu.id, 12);
    } else {
        assert_eq!(snap.equipment, "ZTE-F670");
        // One word on ZTE; ids 1 to 12 taken, the driver picks 13.
        assert_eq!(snap.description, "Maria_Lopez");
        assert_eq!(onu.id, 13);
    }
    assert!(!sim.autofind().iter().any(|f| f.serial == serial), "still in autofind");
    assert!(!olt.autofind().await.unwrap().iter().any(|f| f.serial.as_str() == serial));

    // It comes online after the simulator's delay.
    eventually("the new ONU online", || async {
        let onus = olt.onus(Some(onu.port)).await.unwrap();
        onus.iter().any(|o| o.onu == onu && o.state == RunState::Online)
    })
    .await;
    let onus = olt.onus(Some(onu.port)).await.unwrap();
    assert_eq!(onus.len(), 13);
    let listed = onus.iter().find(|o| o.onu == onu).unwrap();
    assert_eq!(listed.serial.as_ref().map(SerialNumber::as_str), Some(serial));
    if vendor == OltVendor::Huawei {
        assert_eq!(listed.description.as_deref(), Some("Maria Lopez"));
        assert!(listed.last_up.is_some());
    } else {
        assert_eq!(listed.equipment_id.as_deref(), Some("ZTE-F670"));
    }
    let all = olt.onus(None).await.unwrap();
    assert_eq!(all.len(), 4 * 12 + 1);
    assert!(all.iter().any(|o| o.onu == onu && o.state == RunState::Online));

    // Optical readings, one ONU and the port in bulk, close to what the
    // simulator holds (levels drift by hundredths over these seconds).
    let reading = olt.optical(onu).await.unwrap();
    let optics = sim.onu(target, onu.id.try_into().unwrap()).unwrap().optics.unwrap();
    assert_dbm("onu rx", reading.onu_rx, -30.0, -8.0);
    assert_dbm("onu tx", reading.onu_tx, 0.5, 5.0);
    assert_dbm("olt rx", reading.olt_rx, -35.0, -8.0);
    near("onu rx", reading.onu_rx.map(|d| d.0), optics.onu_rx_dbm, 0.2);
    near("onu tx", reading.onu_tx.map(|d| d.0), optics.onu_tx_dbm, 0.2);
    near("olt rx", reading.olt_rx.map(|d| d.0), optics.olt_rx_dbm, 0.2);
    near("temperature", reading.temperature.map(|c| c.0), optics.temperature_c, 2.0);
    near("voltage", reading.voltage.map(|v| v.0), optics.voltage_v, 0.05);
    near("bias", reading.bias_current.map(|b| b.0), optics.bias_ma, 2.0);
    if vendor == OltVendor::Huawei {
        // One ONT's `optical-info` has no distance (the port table has).
        assert_eq!(reading.distance, None);
    } else {
        assert_dbm("olt tx", reading.olt_tx, 0.0, 10.0);
    }

    let bulk = olt.optical_port(onu.port).await.unwrap();
    assert_eq!(bulk.len(), 13, "{bulk:?}");
    for row in &bulk {
        assert_eq!(row.onu.port, onu.port);
        let snap = sim.onu(target, row.onu.id.try_into().unwrap()).unwrap();
        let optics = snap.optics.unwrap();
        near("bulk onu rx", row.reading.onu_rx.map(|d| d.0), optics.onu_rx_dbm, 0.2);
        if vendor == OltVendor::Huawei {
            near("bulk olt rx", row.reading.olt_rx.map(|d| d.0), optics.olt_rx_dbm, 0.2);
            near("bulk distance", row.reading.distance.map(|m| m.0), f64::from(optics.distance_m), 0.5);
        }
    }
    assert!(bulk.iter().any(|r| r.onu == onu));

    // Reboot: dark at once, back after the delay.
    olt.reboot(onu).await.unwrap();
    let snap = sim.onu(target, onu.id.try_into().unwrap()).unwrap();
    assert_eq!(snap.state, OnuState::Offline);
    assert!(olt.optical(onu).await.unwrap().is_empty());
    eventually("the rebooted ONU back online", || async {
        olt.onus(Some(onu.port)).await.unwrap().iter().any(|o| o.onu == onu && o.state == RunState::Online)
    })
    .await;

    // Deregister: gone from the OLT and from the list.
    olt.deregister(onu).await.unwrap();
    assert!(sim.onu(target, onu.id.try_into().unwrap()).is_none());
    let onus = olt.onus(Some(onu.port)).await.unwrap();
    assert_eq!(onus.len(), 12);
    assert!(!onus.iter().any(|o| o.onu == onu));

    // The session rests at the base mode and was reused throughout.
    let stats = sim.stats();
    assert_eq!(stats.logins, 1, "{stats:?}");
    assert_eq!(stats.max_sessions_open, 1, "{stats:?}");
    // The pager: off when the OLT takes `scroll` / `terminal length 0`,
    // answered page after page when it does not.
    let entries = log.entries();
    let pager_off = entries.iter().find(|e| matches!(e.command.as_str(), "scroll" | "terminal length 0")).unwrap();
    if pager_stays_on {
        assert!(matches!(pager_off.outcome, CommandOutcome::Refused(_)));
        assert!(stats.pager_waits > 20, "{stats:?}");
    } else {
        assert_eq!(pager_off.outcome, CommandOutcome::Ok);
        assert_eq!(stats.pager_waits, 0, "{stats:?}");
    }
    // Every command is logged with its reply; none was refused but the
    // pager settings, the Huawei "ONT is not online" of the reading taken
    // while it rebooted, and a service port that was not there.
    let add = if vendor == OltVendor::Huawei { "ont add" } else { "onu 13 type" };
    assert!(entries.iter().any(|e| e.command.starts_with(add)));
    for e in &entries {
        let expected_refusal =
            matches!(e.command.as_str(), "scroll" | "screen-length 0 temporary" | "terminal length 0")
                || e.reply.contains("The ONT is not online");
        if !expected_refusal {
            assert_eq!(e.outcome, CommandOutcome::Ok, "{e:?}");
        }
        assert!(!e.reply.contains("More"), "a pager leaked into {e:?}");
        assert!(!e.reply.contains('\x1b'), "an escape leaked into {e:?}");
    }
    // Passwords are typed at `Password:` only, never logged as commands.
    assert!(!log.commands().iter().any(|c| c.contains("admin")));
}

#[tokio::test]
async fn huawei_lifecycle_with_paging_off() {
    lifecycle(OltVendor::Huawei, 24, false).await;
}

#[tokio::test]
async fn huawei_lifecycle_with_the_pager_on_every_5_lines() {
    lifecycle(OltVendor::Huawei, 5, true).await;
}

#[tokio::test]
async fn zte_lifecycle_with_paging_off() {
    lifecycle(OltVendor::Zte, 24, false).await;
}

#[tokio::test]
async fn zte_lifecycle_with_the_pager_on_every_5_lines() {
    lifecycle(OltVendor::Zte, 5, true).await;
}

async fn duplicate_serial_is_refused(vendor: OltVendor, message: &str) {
    let sim = start(vendor, SimOltConfig::default()).await;
    let olt = Olt::connect(config(&sim)).await.unwrap();
    let existing = sim.onus().into_iter().next().unwrap();
    // Registered already, on another port than the one asked.
    let other = port(sim.pon_port(1));
    let err = olt.authorize(request(vendor, other, &existing.serial)).await.unwrap_err();
    match &err {
        OltError::Refused { message: m, .. } => assert_eq!(m, message, "{err}"),
        other => panic!("expected Refused, got {other:?}"),
    }
    assert!(!err.is_transient());
    // Nothing half-made was left, and the session is still good.
    assert_eq!(sim.onus().len(), 16);
    assert_eq!(olt.onus(Some(other)).await.unwrap().len(), 4);
    assert_eq!(sim.stats().logins, 1);
}

#[tokio::test]
async fn huawei_duplicate_serial_is_refused_with_its_message() {
    duplicate_serial_is_refused(OltVendor::Huawei, "Failure: SN already exists").await;
}

#[tokio::test]
async fn zte_duplicate_serial_is_refused_with_its_message() {
    duplicate_serial_is_refused(OltVendor::Zte, "Code 32310-GPONSRV : The ONU is already registered.").await;
}

async fn host_key_pinned_then_change_refused(vendor: OltVendor) {
    let sim = start(vendor, SimOltConfig::default()).await;
    let first = Olt::connect(config(&sim)).await.unwrap();
    let pinned = first.host_key().unwrap();
    assert_eq!(pinned, sim.host_key_fingerprint());
    first.close().await;

    let mut cfg = config(&sim);
    cfg.known_host_key = Some(pinned.clone());
    let again = Olt::connect(cfg.clone()).await.unwrap();
    assert_eq!(again.host_key().as_deref(), Some(pinned.as_str()));
    again.close().await;

    let changed = sim.regenerate_host_key();
    assert_ne!(changed, pinned);
    match Olt::connect(cfg).await {
        Err(OltError::HostKeyChanged { expected, observed }) => {
            assert_eq!(expected, pinned);
            assert_eq!(observed, changed);
        }
        other => panic!("expected HostKeyChanged, got {other:?}"),
    }
    // No login was attempted with the changed key.
    assert_eq!(sim.stats().logins, 2);
}

#[tokio::test]
async fn huawei_host_key_pinned_on_first_use_and_a_change_refused() {
    host_key_pinned_then_change_refused(OltVendor::Huawei).await;
}

#[tokio::test]
async fn zte_host_key_pinned_on_first_use_and_a_change_refused() {
    host_key_pinned_then_change_refused(OltVendor::Zte).await;
}

async fn stall_times_out_and_the_handle_recovers(vendor: OltVendor) {
    let sim = start(vendor, SimOltConfig::default()).await;
    let mut cfg = config(&sim);
    cfg.command_timeout = Duration::from_millis(300);
    let olt = Olt::connect(cfg).await.unwrap();
    let p = port(sim.pon_port(0));
    assert_eq!(olt.onus(Some(p)).await.unwrap().len(), 4);

    sim.set_faults(OltFaults { stall: true, ..OltFaults::default() });
    let started = std::time::Instant::now();
    match olt.optical_port(p).await {
        Err(e @ OltError::Timeout { .. }) => assert!(e.is_transient()),
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(3));

    sim.set_faults(OltFaults::default());
    let rows = olt.optical_port(p).await.unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(olt.onus(Some(p)).await.unwrap().len(), 4);
    // The stalled session was dropped and a new one logged in.
    assert_eq!(sim.stats().logins, 2);
}

#[tokio::test]
async fn huawei_stall_is_a_timeout_and_the_handle_recovers() {
    stall_times_out_and_the_handle_recovers(OltVendor::Huawei).await;
}

#[tokio::test]
async fn zte_stall_is_a_timeout_and_the_handle_recovers() {
    stall_times_out_and_the_handle_recovers(OltVendor::Zte).await;
}

async fn two_sessions_at_most(vendor: OltVendor) {
    let sim = start(vendor, SimOltConfig { pon_ports: 8, onus_per_port: 16, ..SimOltConfig::default() }).await;
    let olt = Olt::connect(config(&sim)).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40_usize {
        let olt: OltHandle = olt.clone();
        let p = port(sim.pon_port(i % 8));
        tasks.push(tokio::spawn(async move {
            match i % 4 {
                0 => olt.optical_port(p).await.map(|r| r.len()),
                1 => olt.onus(Some(p)).await.map(|r| r.len()),
                2 => {
                    let first = u32::from(vendor == OltVendor::Zte);
                    olt.optical(OnuRef::new(p, first + 3)).await.map(|r| usize::from(!r.is_empty()) * 16)
                }
                _ => olt.autofind().await.map(|r| r.len() * 8),
            }
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 16);
    }
    let stats = sim.stats();
    assert_eq!(stats.max_sessions_open, 2, "{stats:?}");
    assert_eq!(stats.logins, 2, "{stats:?}");
}

#[tokio::test]
async fn huawei_many_callers_share_at_most_two_sessions() {
    two_sessions_at_most(OltVendor::Huawei).await;
}

#[tokio::test]
async fn zte_many_callers_share_at_most_two_sessions() {
    two_sessions_at_most(OltVendor::Zte).await;
}

async fn dark_onus_have_no_readings(vendor: OltVendor) {
    let sim = start(vendor, SimOltConfig::default()).await;
    let olt = Olt::connect(config(&sim)).await.unwrap();
    let sp = sim.pon_port(0);
    let p = port(sp);
    let first = u16::from(vendor == OltVendor::Zte);
    let (los, gasp, off) = (first, first + 1, first + 2);
    assert!(sim.set_onu_state(sp, los, OnuState::Los));
    assert!(sim.set_onu_state(sp, gasp, OnuState::DyingGasp));
    assert!(sim.set_onu_state(sp, off, OnuState::Offline));
    let lit = OnuRef::new(p, u32::from(first + 3));

    for id in [los, gasp, off] {
        let r = olt.optical(OnuRef::new(p, id.into())).await.unwrap();
        assert_eq!(r, OpticalReading::default(), "ONU {id}: {r:?}");
    }
    let r = olt.optical(lit).await.unwrap();
    assert!(r.onu_rx.is_some() && r.olt_rx.is_some(), "{r:?}");

    let bulk = olt.optical_port(p).await.unwrap();
    let lit_row = bulk.iter().find(|r| r.onu == lit).unwrap();
    assert!(lit_row.reading.onu_rx.is_some());
    for id in [los, gasp, off] {
        // Listed without readings (ZTE), or not listed (Huawei lists
        // the ONTs that are online): never a zero.
        if let Some(row) = bulk.iter().find(|r| r.onu.id == u32::from(id)) {
            assert!(row.reading.is_empty(), "{row:?}");
        }
    }

    let onus = olt.onus(Some(p)).await.unwrap();
    let state = |id: u16| onus.iter().find(|o| o.onu.id == u32::from(id)).map(|o| o.state.clone()).unwrap();
    assert_eq!(state(los), RunState::Los);
    assert_eq!(state(gasp), RunState::DyingGasp);
    assert_eq!(state(off), RunState::Offline);
    assert_eq!(state(first + 3), RunState::Online);
    if vendor == OltVendor::Huawei {
        let o = onus.iter().find(|o| o.onu.id == u32::from(los)).unwrap();
        assert_eq!(o.last_down_cause.as_deref(), Some("LOSi/LOBi"));
        assert!(o.last_down.is_some());
    }

    // Back on: readings again.
    assert!(sim.set_onu_state(sp, los, OnuState::Online));
    let r = olt.optical(OnuRef::new(p, los.into())).await.unwrap();
    assert!(r.onu_rx.is_some(), "{r:?}");
}

#[tokio::test]
async fn huawei_dark_onus_have_absent_readings_not_zeros() {
    dark_onus_have_no_readings(OltVendor::Huawei).await;
}

#[tokio::test]
async fn zte_dark_onus_have_absent_readings_not_zeros() {
    dark_onus_have_no_readings(OltVendor::Zte).await;
}

async fn an_empty_olt_lists_nothing(vendor: OltVendor) {
    let sim = start(vendor, SimOltConfig { onus_per_port: 0, autofind: 0, ..SimOltConfig::default() }).await;
    let olt = Olt::connect(config(&sim)).await.unwrap();
    let p = port(sim.pon_port(0));
    assert_eq!(olt.autofind().await.unwrap(), []);
    assert_eq!(olt.onus(None).await.unwrap(), []);
    assert_eq!(olt.onus(Some(p)).await.unwrap(), []);
    assert_eq!(olt.optical_port(p).await.unwrap(), []);
    // An ONU that is not there is an error, not an empty reading.
    match olt.optical(OnuRef::new(p, 5)).await {
        Err(OltError::Refused { .. }) => {}
        other => panic!("expected Refused, got {other:?}"),
    }
    match olt.deregister(OnuRef::new(p, 5)).await {
        Err(OltError::Refused { .. }) => {}
        other => panic!("expected Refused, got {other:?}"),
    }
    // Refusals leave the session at its base mode: still the one login.
    assert_eq!(olt.onus(Some(p)).await.unwrap(), []);
    assert_eq!(sim.stats().logins, 1);
}

#[tokio::test]
async fn huawei_an_empty_olt_lists_nothing() {
    an_empty_olt_lists_nothing(OltVendor::Huawei).await;
}

#[tokio::test]
async fn zte_an_empty_olt_lists_nothing() {
    an_empty_olt_lists_nothing(OltVendor::Zte).await;
}

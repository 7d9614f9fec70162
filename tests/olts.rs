//! The OLTs & ONUs page against a simulated Huawei OLT in this test
//! process (real SSH on loopback): the OLT stored before launch (store and
//! keyring scope, as the page would store it) with a week of signal
//! history; the app sweeps it at start; the page shows its health, its
//! ONUs with colour-coded Rx, an ONU's history chart; an unconfigured ONU
//! is authorized in two clicks from its row and comes online on the
//! simulator and in the app; the OLT form's errors; the command log shows what was sent; a
//! changed host key is shown with both fingerprints and pinned. Every view
//! is saved in the light and dark themes.

use std::time::Duration;

use fantoccini::{Client, Locator};
use headend_core::OltId;
use headend_core::olt::{OltProfile, OltVendor, OnuState};
use headend_core::optical::{AlertChange, AlertLevel};
use headend_core::plan::{BillingCycle, RateLimit};
use headend_e2e::{Driver, Sandbox, click, eventually, one_app_at_a_time, wait_for_text, wait_gone};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::olt::{OnuState as SimState, PonPort, SimOlt, SimOltConfig, SimOltHandle};
use headend_store::{NewOlt, NewPlan, OnuSeen, SignalSample, Store};
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

const OLT_PASSWORD: &str = "sim-olt-pw";
/// The ONU waiting in the simulator's autofind.
const NEW_SERIAL: &str = "HWTC7E57A001";

fn port0() -> PonPort {
    PonPort::new(0, 1, 0)
}

/// A week of readings, every 30 minutes, for the ONUs of the simulator:
/// around their level now, ONU 0/1/0:1 fading into the warning band two
/// days ago (a dirty connector), ONU 0/1/0:2 falling to critical in the
/// last hours, and ONU 0/1/0:3 going dark a day ago; with the alerts the
/// sweeps would have raised.
async fn seed_history(store: &Store, olt: OltId, sim: &SimOltHandle) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let week_ago = now.checked_sub(SignedDuration::from_hours(24 * 7))?;
    let snapshots = sim.onus();
    let seen: Vec<OnuSeen> = snapshots
        .iter()
        .map(|o| OnuSeen {
            port: o.port.to_string(),
            index: u32::from(o.id),
            serial: o.serial.clone(),
            equipment: Some(o.equipment.clone()),
            description: Some(o.description.clone()),
            state: if o.state == SimState::Los { OnuState::Los } else { OnuState::Online },
            last_up: Some(week_ago),
            last_down: None,
            last_down_cause: None,
        })
        .collect();
    let synced = store.sync_onus(olt, &seen, None, week_ago).await?;
    let levels: Vec<(headend_core::OnuId, u32, bool, f64)> = synced
        .iter()
        .zip(&snapshots)
        .map(|(s, o)| {
            let on_first_port = o.port == port0();
            let rx = o.optics.map_or(-22.0, |x| x.onu_rx_dbm);
            (s.id, if on_first_port { s.index } else { 99 }, on_first_port, rx)
        })
        .collect();
    let steps: u32 = 7 * 48;
    for step in 0..=steps {
        let hours_ago = f64::from(steps - step) / 2.0;
        let at = now.checked_sub(SignedDuration::from_mins(i64::from(steps - step) * 30))?;
        // A small, irregular wander, the same every run.
        let wobble = f64::from(step.wrapping_mul(2_654_435_761_u32) >> 16) / 65_536.0 * 0.5 - 0.25;
        let samples: Vec<_> = levels
            .iter()
            .filter_map(|&(id, index, first_port, rx)| {
                let rx = match (first_port, index) {
                    (true, 1) if hours_ago < 48.0 => Some(-27.9 + wobble * 0.5),
                    (true, 1) if hours_ago < 96.0 => Some(-23.2 - (96.0 - hours_ago) / 48.0 * 4.7 + wobble),
                    (true, 1) => Some(-23.2 + wobble),
                    (true, 2) if hours_ago < 10.0 => Some(-30.4 + wobble * 0.3),
                    (true, 2) => Some(-24.1 + wobble),
                    (true, 3) if hours_ago < 26.0 => None,
                    _ => Some(rx + wobble),
                }?;
                Some((
                    id,
                    SignalSample {
                        onu_rx: Some(rx),
                        onu_tx: Some(2.3 + wobble * 0.1),
                        olt_rx: Some(rx - 3.1),
                        temperature: Some(44.0 + wobble * 4.0),
                        voltage: Some(3.3),
                        bias: Some(12.0),
                        distance: Some(2400.0),
                    },
                ))
            })
            .collect();
        store.record_signals(&samples, at).await?;
    }
    let onu = |index: u32| levels.iter().find(|l| l.2 && l.1 == index).map(|l| l.0);
    let ago = |hours: i64| now.checked_sub(SignedDuration::from_hours(hours));
    if let (Some(weak), Some(critical)) = (onu(1), onu(2)) {
        store.apply_alert_changes(&[(weak, AlertChange::Raise(AlertLevel::Warning), Some(-27.1))], ago(57)?).await?;
        store
            .apply_alert_changes(&[(critical, AlertChange::Raise(AlertLevel::Critical), Some(-30.4))], ago(9)?)
            .await?;
    }
    Ok(())
}

/// The OLT, its password in the keyring scope of the app's database, a
/// plan with an OLT profile (the Authorize dialog's defaults), a week of
/// history.
async fn seed(data_dir: &std::path::Path, sim: &SimOltHandle) -> anyhow::Result<(OltId, SecretStore)> {
    let store = Store::open(&data_dir.join("headend.sqlite3")).await?;
    let olt = store
        .add_olt(&NewOlt {
            name: "olt-centro".into(),
            vendor: OltVendor::Huawei,
            host: "127.0.0.1".into(),
            port: sim.addr().port(),
            username: "admin".into(),
            pop: None,
            location: None,
        })
        .await?;
    let scope = store.installation_id().await?;
    let secrets = SecretStore::open()?.scoped(&scope);
    secrets.set(&SecretKey::olt(olt), OLT_PASSWORD)?;
    let plan = store
        .add_plan(&NewPlan {
            name: "Fibra 100".into(),
            limits: RateLimit::from_parts("50M/100M", None, None, None)?,
            price: Decimal::new(4000, 2),
            cycle: BillingCycle::Monthly,
            tax_rate: None,
            session: Default::default(),
        })
        .await?;
    store
        .set_plan_olt_profile(
            plan,
            &OltProfile { line: Some("10".into()), service: Some("10".into()), vlan: Some(100) },
        )
        .await?;
    seed_history(&store, olt, sim).await?;
    store.close().await;
    Ok((olt, secrets))
}

/// Moves the pointer over the signal chart, `fraction` of its width in.
async fn point_at_chart(app: &Client, fraction: f64) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction};
    let overlay = app.find(Locator::Css("#signal-chart .chart-overlay")).await?;
    let (_, _, width, _) = overlay.rectangle().await?;
    let to = PointerAction::MoveToElement { element: overlay, duration: None, x: width * (fraction - 0.5), y: 0.0 };
    app.perform_actions(MouseActions::new("pointer".into()).then(to)).await?;
    Ok(())
}

/// The page in both themes, once the last change is surely painted.
async fn screenshots(app: &Client, name: &str) -> anyhow::Result<()> {
    tokio::time::sleep(Duration::from_millis(400)).await;
    headend_e2e::screenshots(app, name).await
}

async fn attribute(app: &Client, css: &str, name: &str) -> anyhow::Result<Option<String>> {
    Ok(app.find(Locator::Css(css)).await?.attr(name).await?)
}

async fn value(app: &Client, css: &str) -> anyhow::Result<String> {
    Ok(app.find(Locator::Css(css)).await?.prop("value").await?.unwrap_or_default())
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run `cargo xtask test`"]
async fn technicians_see_onu_signal_and_authorize_a_new_onu_in_two_clicks() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let sim = SimOlt::start(SimOltConfig {
        vendor: OltVendor::Huawei,
        pon_ports: 2,
        onus_per_port: 4,
        autofind: 0,
        password: OLT_PASSWORD.into(),
        seed: 7,
        online_delay: Duration::from_secs(2),
        ..SimOltConfig::default()
    })
    .await?;
    assert!(sim.set_rx_power(port0(), 1, -28.0), "ONU 0/1/0:1 is weak");
    assert!(sim.set_rx_power(port0(), 2, -30.6), "ONU 0/1/0:2 is critical");
    assert!(sim.set_onu_state(port0(), 3, SimState::Los), "ONU 0/1/0:3 lost its fibre");
    assert!(sim.add_autofind_onu(PonPort::new(0, 1, 1), NEW_SERIAL, "EG8145V5"));
    let (olt, secrets) = seed(&sandbox.data_dir(), &sim).await?;
    let driver = Driver::start(&sandbox)?;
    let app = driver.launch().await?;

    // The OLT list: reachable once the start-up sweep has reached it, with
    // its ONU counts, alerts and one unconfigured ONU.
    click(&app, "#nav-olts").await?;
    wait_for_text(&app, "#olts-table", "olt-centro").await?;
    wait_for_text(&app, "#olts-table", "Reachable").await?;
    wait_for_text(&app, "#olts-table .olt-online", "7 / 8").await?;
    wait_for_text(&app, "#unconfigured-count", "1").await?;
    wait_for_text(&app, "#olts-table", "1 LOS").await?;
    wait_for_text(&app, "#olts-table", "1 critical").await?;
    wait_for_text(&app, "#olts-table", "1 weak").await?;
    // WebKit's first screenshot of a session can be a frame behind.
    app.screenshot().await?;
    screenshots(&app, "olts").await?;

    // The OLT form says what is missing next to the field; the password
    // field says where the password goes.
    click(&app, "#add-olt").await?;
    click(&app, "#olt-save").await?;
    wait_for_text(&app, "#error-name", "Give the OLT a name").await?;
    screenshots(&app, "olt-form").await?;
    click(&app, "#olt-cancel").await?;
    wait_gone(&app, "#olt-form").await?;

    // Its first port: every ONU with its state and Rx in its band's colour;
    // the dark one shows "—", not 0.
    click(&app, "#olts-table .olt-row td").await?;
    wait_for_text(&app, "#page-title", "olt-centro").await?;
    wait_for_text(&app, "#olt-online", "7 / 8").await?;
    wait_for_text(&app, "#onus-table", "HWTC").await?;
    for (index, band) in [(1, "rx-warning"), (2, "rx-critical"), (3, "rx-none")] {
        let serial = sim.onu(port0(), index).map(|o| o.serial).unwrap_or_default();
        let css = format!("#onus-table tr[data-serial='{serial}'] .onu-rx .{band}");
        wait_for_text(&app, &css, if band == "rx-none" { "—" } else { "\u{2212}" }).await?;
    }
    assert!(!app.find_all(Locator::Css("#onus-table .rx-good")).await?.is_empty(), "the healthy ONUs read good");
    screenshots(&app, "olt-port-onus").await?;

    // The weak ONU: its week of history with the thresholds, a readout
    // under the pointer, its alerts.
    let weak = sim.onu(port0(), 1).map(|o| o.serial).unwrap_or_default();
    click(&app, &format!("#onus-table tr[data-serial='{weak}'] td")).await?;
    wait_for_text(&app, "#page-title", "ONU 0/1/0:1").await?;
    wait_for_text(&app, "#onu-signal", "\u{2212}2").await?;
    wait_for_text(&app, "#onu-alerts", "Weak signal").await?;
    wait_for_text(&app, "#signal-chart", "weak").await?;
    let lines = app.find_all(Locator::Css("#signal-chart .rx-line")).await?;
    assert!(!lines.is_empty(), "the history is drawn");
    screenshots(&app, "onu-detail").await?;
    app.execute("document.getElementById('signal-chart').scrollIntoView({ block: 'center' })", vec![]).await?;
    point_at_chart(&app, 0.72).await?;
    wait_for_text(&app, "#chart-readout", "Rx").await?;
    screenshots(&app, "onu-signal-chart").await?;

    // Unconfigured, from the OLTs page: Authorize on the row (click 1)
    // opens the dialog filled from the plan's OLT profile; Confirm (click
    // 2) registers it.
    click(&app, "#nav-olts").await?;
    click(&app, "#tab-unconfigured").await?;
    wait_for_text(&app, "#unconfigured-table", NEW_SERIAL).await?;
    wait_for_text(&app, "#unconfigured-table", "0/1/1").await?;
    screenshots(&app, "olts-unconfigured").await?;
    click(&app, &format!("#authorize-{NEW_SERIAL}")).await?;
    wait_for_text(&app, "#authorize-source", "plan Fibra 100").await?;
    assert_eq!(value(&app, "#authorize-line").await?, "10");
    assert_eq!(value(&app, "#authorize-service-profile").await?, "10");
    assert_eq!(value(&app, "#authorize-vlan").await?, "100");
    screenshots(&app, "authorize-dialog").await?;
    click(&app, "#authorize-confirm").await?;
    wait_for_text(&app, "#authorize-result", "registered on olt-centro port 0/1/1").await?;
    let took =
        eventually("the ONU registered on the simulator", || sim.onus().iter().any(|o| o.serial == NEW_SERIAL)).await?;
    println!("the ONU was registered on the OLT {took:?} after the dialog said so");
    let registered = sim.onus().into_iter().find(|o| o.serial == NEW_SERIAL);
    assert_eq!(registered.as_ref().map(|o| (o.line_profile, o.srv_profile, o.vlan)), Some((10, 10, Some(100))));
    assert!(sim.autofind().iter().all(|f| f.serial != NEW_SERIAL), "it left the autofind");
    wait_for_text(&app, "#authorize-state", "Online").await?;
    wait_for_text(&app, "#authorize-state", "dBm").await?;
    screenshots(&app, "authorize-done").await?;
    click(&app, "#authorize-close").await?;
    wait_gone(&app, "#authorize-dialog").await?;
    wait_for_text(&app, ".empty-state h2", "No unconfigured ONUs").await?;

    // Listed online on its port, with a reading.
    click(&app, "#tab-olts").await?;
    click(&app, "#olts-table .olt-row td").await?;
    click(&app, "#ports .port-chip[data-port='0/1/1']").await?;
    let row = format!("#onus-table tr[data-serial='{NEW_SERIAL}']");
    wait_for_text(&app, &row, "Online").await?;
    wait_for_text(&app, &format!("{row} .onu-rx"), "\u{2212}").await?;
    assert_eq!(attribute(&app, &row, "data-state").await?.as_deref(), Some("online"));
    app.execute("document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })", vec![row.clone().into()])
        .await?;
    screenshots(&app, "olt-port-new-onu").await?;

    // The command log: the registration as sent, its reply a click away.
    click(&app, "#tab-log").await?;
    wait_for_text(&app, "#olt-log", "ont add").await?;
    let rows = app.find_all(Locator::Css("#olt-log .log-row td.command")).await?;
    let mut opened = false;
    for r in rows {
        if r.text().await?.contains("ont add") {
            r.click().await?;
            opened = true;
            break;
        }
    }
    assert!(opened, "the ont add command is in the log");
    wait_for_text(&app, "#olt-log .raw-reply", "ONTID").await?;
    app.execute("document.querySelector('#olt-log .raw-reply').scrollIntoView({ block: 'center' })", vec![]).await?;
    screenshots(&app, "olt-command-log").await?;

    // The OLT's control board is replaced: its new key is refused, shown
    // beside the pinned one, and pinned by the operator.
    let pinned = sim.host_key_fingerprint();
    let presented = sim.regenerate_host_key();
    click(&app, "#tab-onus").await?;
    click(&app, "#olt-edit").await?;
    click(&app, "#olt-save").await?;
    wait_for_text(&app, "#olt-health", "Host key changed").await?;
    click(&app, "#review-key").await?;
    wait_for_text(&app, "#pinned-key", &pinned).await?;
    wait_for_text(&app, "#presented-key", &presented).await?;
    screenshots(&app, "olt-pin-key").await?;
    click(&app, "#pin-key-confirm").await?;
    wait_gone(&app, "#pin-key").await?;
    wait_for_text(&app, "#olt-health", "Reachable").await?;

    driver.quit(app).await?;
    let _ = secrets.delete(&SecretKey::olt(olt));
    Ok(())
}

//! The signal sweep of one OLT: list its ONUs (state, last up and down),
//! remove those a zero-touch registration left half-configured
//! (`ztp.rs`), read its autofind, read every PON port's optical levels in bulk (the
//! two pooled sessions in parallel; on Huawei each port's ONU summary too,
//! which alone says why an ONU is offline), store the readings, and raise, change
//! or clear alerts as `headend_core::optical` decides.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use headend_core::OltId;
use headend_core::olt::{Olt, OltVendor};
use headend_core::optical::{AlertChange, OnuAlertEvent, alert_change, assess};
use headend_olt::{OltDriver, Onu, OnuRef, OpticalReading, PonPort};
use tokio::task::JoinSet;

use crate::convert;
use crate::fleet::{OltEngineError, OltEvent, OltFleet};

/// What one signal sweep of one OLT found.
#[derive(Debug, Clone)]
pub struct OltSweepReport {
    pub olt: OltId,
    pub name: String,
    /// Registered ONUs listed.
    pub onus: usize,
    pub online: usize,
    /// PON ports with ONUs, and how many were read.
    pub ports: usize,
    pub ports_read: usize,
    /// ONUs that gave a reading.
    pub readings: usize,
    /// ONUs in autofind.
    pub unconfigured: usize,
    /// Alerts raised, changed or cleared.
    pub alerts: Vec<OnuAlertEvent>,
    /// What failed without failing the sweep (a port, the autofind).
    pub errors: Vec<String>,
    pub took: Duration,
}

impl OltFleet {
    /// Sweeps one OLT now (taking its lease).
    pub async fn sweep_signals(&self, olt: &Olt) -> Result<Arc<OltSweepReport>, OltEngineError> {
        self.lease(olt).await?;
        let started = Instant::now();
        let store = self.store().clone();
        let policy = store.signal_policy().await?;
        let mut errors = Vec::new();

        let mut onus = self.with(olt, |h| async move { h.onus(None).await }).await?;
        // Before anything is stored: a half-registered ONU must not be
        // linked as registered by hand.
        self.remove_half_registered(olt, &mut onus, &mut errors).await?;
        let unconfigured = match self.autofind(olt).await {
            Ok(found) => found.len(),
            Err(e) => {
                errors.push(format!("autofind: {e}"));
                0
            }
        };

        // Every port with ONUs, read in bulk; the pool runs two at a time.
        // Huawei's all-ports listing has no last up/down nor down cause (so
        // no LOS): its per-port summary is read too.
        let detail = olt.vendor == OltVendor::Huawei;
        let ports: BTreeSet<PonPort> = onus.iter().map(|o| o.onu.port).collect();
        let mut reads = JoinSet::new();
        for port in ports.iter().copied() {
            let fleet = self.clone();
            let olt = olt.clone();
            reads.spawn(async move {
                let summary = if detail {
                    Some(fleet.with(&olt, |h| async move { h.onus(Some(port)).await }).await)
                } else {
                    None
                };
                let optical = fleet.with(&olt, |h| async move { h.optical_port(port).await }).await;
                (port, summary, optical)
            });
        }
        let mut read_ports = BTreeSet::new();
        let mut readings: HashMap<(String, u32), OpticalReading> = HashMap::new();
        let mut details: HashMap<OnuRef, Onu> = HashMap::new();
        while let Some(done) = reads.join_next().await {
            match done {
                Ok((port, summary, optical)) => {
                    match summary {
                        Some(Ok(list)) => details.extend(list.into_iter().map(|o| (o.onu, o))),
                        Some(Err(e)) => errors.push(format!("ONU states of port {port}: {e}")),
                        None => {}
                    }
                    match optical {
                        Ok(list) => {
                            read_ports.insert(port.to_string());
                            for r in list {
                                readings.insert((r.onu.port.to_string(), r.onu.id), r.reading);
                            }
                        }
                        Err(e) => errors.push(format!("optical levels of port {port}: {e}")),
                    }
                }
                Err(e) => errors.push(format!("a port's read stopped: {e}")),
            }
        }
        for onu in &mut onus {
            if let Some(d) = details.remove(&onu.onu) {
                onu.state = d.state;
                onu.last_up = d.last_up.or(onu.last_up.take());
                onu.last_down = d.last_down.or(onu.last_down.take());
                onu.last_down_cause = d.last_down_cause.or(onu.last_down_cause.take());
                onu.equipment_id = onu.equipment_id.take().or(d.equipment_id);
                onu.description = onu.description.take().or(d.description);
            }
        }
        let synced = self.sync(olt, &onus, None).await?;

        // History and the latest reading: every ONU of a port read (an
        // ONU it printed nothing for gets an empty reading).
        let now = self.now();
        let samples: Vec<_> = synced
            .iter()
            .filter(|s| read_ports.contains(&s.port))
            .map(|s| {
                let reading = readings.get(&(s.port.clone(), s.index)).cloned().unwrap_or_default();
                (s.id, convert::sample(&reading))
            })
            .collect();
        let with_reading = samples.iter().filter(|(_, s)| !s.is_empty()).count();
        store.record_signals(&samples, now).await?;

        // Alerts.
        let open = store.open_alert_levels(olt.id).await?;
        let mut changes = Vec::new();
        let mut events = Vec::new();
        for s in &synced {
            let rx = readings.get(&(s.port.clone(), s.index)).and_then(|r| r.onu_rx).map(|d| d.0);
            let current = open.get(&s.id).copied();
            let change = alert_change(current, assess(s.state, rx, &policy.thresholds, current));
            if change == AlertChange::None {
                continue;
            }
            changes.push((s.id, change, rx));
            events.push(OnuAlertEvent {
                olt: olt.id,
                olt_name: olt.name.clone(),
                onu: s.id,
                serial: s.serial.clone(),
                port: s.port.clone(),
                onu_index: s.index,
                service: s.service,
                change,
                rx,
            });
        }
        store.apply_alert_changes(&changes, now).await?;
        store.record_olt_swept(olt.id, self.now()).await?;
        for event in &events {
            tracing::info!(olt = %olt.name, serial = %event.serial, change = ?event.change, rx = ?event.rx, "ONU alert");
            self.emit(OltEvent::Alert(event.clone()));
        }
        let report = Arc::new(OltSweepReport {
            olt: olt.id,
            name: olt.name.clone(),
            onus: synced.len(),
            online: synced.iter().filter(|s| s.state.is_online()).count(),
            ports: ports.len(),
            ports_read: read_ports.len(),
            readings: with_reading,
            unconfigured,
            alerts: events,
            errors,
            took: started.elapsed(),
        });
        self.emit(OltEvent::Swept(report.clone()));
        Ok(report)
    }

    /// Sweeps every OLT once, all in parallel; an OLT that fails does not
    /// hold up the others. Each result names its OLT.
    pub async fn sweep_all(&self) -> Vec<(String, Result<Arc<OltSweepReport>, OltEngineError>)> {
        let olts = match self.store().olts().await {
            Ok(olts) => olts,
            Err(e) => return vec![("database".into(), Err(e.into()))],
        };
        let mut tasks = JoinSet::new();
        for olt in olts {
            let fleet = self.clone();
            tasks.spawn(async move {
                let result = fleet.sweep_signals(&olt).await;
                (olt.name, result)
            });
        }
        let mut out = Vec::new();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(result) => out.push(result),
                Err(e) => tracing::warn!(error = %e, "an OLT sweep stopped unexpectedly"),
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

//! The OLT engine's loop: every OLT's signal sweep at the interval the
//! database says (5 minutes by default), zero-touch provisioning every
//! `ztp_interval` (it reads autofind only while a service waits for its
//! ONU), and once an hour the signal history's retention applied (readings
//! past the raw window rolled up into hours, hours past the history kept
//! deleted) and the command log past its retention pruned. A round still running when the next is due is not
//! doubled: the next one waits for its turn.

use std::time::Duration;

use headend_core::optical::SignalPolicy;
use headend_core::sessions::days_before;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::fleet::OltFleet;

const PRUNE_EVERY: Duration = Duration::from_secs(3600);

fn idle(task: &Option<JoinHandle<()>>) -> bool {
    task.as_ref().is_none_or(JoinHandle::is_finished)
}

impl OltFleet {
    /// Runs until [`OltFleet::shutdown`]; then waits for the rounds in
    /// flight and closes the sessions.
    pub async fn run(&self) {
        let mut sweep: Option<JoinHandle<()>> = None;
        let mut ztp: Option<JoinHandle<()>> = None;
        let start = Instant::now();
        let (mut next_sweep, mut next_ztp, mut next_prune) = (start, start, start);
        loop {
            let now = Instant::now();
            let paused = self.paused();
            if !paused {
                if now >= next_sweep {
                    next_sweep = now + self.sweep_interval().await;
                    if idle(&sweep) {
                        let fleet = self.clone();
                        sweep = Some(tokio::spawn(async move {
                            for (name, result) in fleet.sweep_all().await {
                                match result {
                                    Ok(r) => {
                                        tracing::debug!(olt = %name, onus = r.onus, alerts = r.alerts.len(), took = ?r.took, "OLT swept")
                                    }
                                    Err(e) => tracing::warn!(olt = %name, error = %e, "OLT sweep failed"),
                                }
                            }
                        }));
                    } else {
                        tracing::warn!("the previous OLT signal sweep is still running; skipping this one");
                    }
                }
                if now >= next_ztp {
                    next_ztp = now + self.inner.config.ztp_interval;
                    if idle(&ztp) {
                        let fleet = self.clone();
                        ztp = Some(tokio::spawn(async move {
                            if let Err(e) = fleet.zero_touch().await {
                                tracing::warn!(error = %e, "zero-touch provisioning failed");
                            }
                        }));
                    }
                }
                if now >= next_prune {
                    next_prune = now + PRUNE_EVERY;
                    self.prune().await;
                }
            }
            let wait = if paused {
                PRUNE_EVERY
            } else {
                next_sweep.min(next_ztp).min(next_prune).saturating_duration_since(Instant::now())
            };
            tokio::select! {
                () = self.inner.stop.notified() => break,
                () = self.inner.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        for task in [sweep, ztp].into_iter().flatten() {
            let _ = task.await;
        }
        self.close().await;
    }

    async fn sweep_interval(&self) -> Duration {
        if let Some(every) = self.inner.config.sweep_interval {
            return every;
        }
        match self.store().signal_policy().await {
            Ok(policy) => policy.interval(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the signal sweep's interval; using the default");
                SignalPolicy::default().interval()
            }
        }
    }

    /// Applies the signal history's retention and deletes the command log
    /// past its own.
    pub async fn prune(&self) {
        let store = self.store();
        let policy = match store.signal_policy().await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the retention settings");
                return;
            }
        };
        let now = self.now();
        match store.apply_signal_retention(policy.retention, now).await {
            Ok(pass) if pass.rolled_up > 0 || pass.deleted > 0 => tracing::info!(
                rolled_up = pass.rolled_up,
                hours = pass.hours,
                deleted = pass.deleted,
                batches = pass.batches,
                longest_batch = ?pass.longest_batch,
                "rolled up and pruned ONU signal history"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot apply the signal history's retention"),
        }
        let before = days_before(now, policy.command_log_days());
        match store.prune_olt_log(before).await {
            Ok(n) if n > 0 => tracing::info!(rows = n, "pruned old OLT command log"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot prune the OLT command log"),
        }
    }
}

//! Session history per service: FreeRADIUS's accounting imported
//! incrementally (rows after the last `radacctid` imported, and the
//! sessions still online re-read by id: never a scan of `radacct`), its
//! retention applied, and the history and daily usage the shells show.
//! API-mode routers' sessions are recorded by the fleet as it watches them.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use headend_core::ServiceId;
use headend_core::radius::database::RadiusSettings;
use headend_core::sessions::{
    DailyUsage, RetentionError, SessionRetention, SessionSource, day_start, first_day, usage_by_day,
};
use headend_radius_db::RadiusDb;
use headend_radius_db::accounting::AcctRow;
use headend_store::{NewSession, ServiceSession, SessionOwner, SessionPrune};
use jiff::Timestamp;

use crate::messages::Stop;
use crate::{WorkflowError, Workflows};

/// `radacct` rows read per page (and recorded per transaction).
pub const ACCOUNTING_PAGE: i64 = 5000;
/// How often the engine imports accounting: FreeRADIUS's rows change with
/// the routers' interim updates (5 minutes as Headend sets them up).
pub const IMPORT_EVERY: Duration = Duration::from_secs(60);
/// How often the engine applies the retention.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// The cause of a session whose `radacct` row was deleted while online.
const GONE_FROM_RADACCT: &str = "gone from radacct";

/// What one import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountingImport {
    /// New `radacct` rows read (after the cursor).
    pub read: u64,
    /// Sessions recorded online before, read again by id.
    pub reread: u64,
    /// Sessions written to the history (new or changed).
    pub recorded: u64,
    /// Rows skipped because their username is no service's (or, rarely,
    /// they carry no instant at all).
    pub unknown_users: u64,
    /// Sessions online before that stopped since.
    pub stopped: u64,
    /// The last `radacctid` imported.
    pub cursor: i64,
}

/// What one pass of [`Workflows::run_session_history_periodically`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPass {
    Imported(AccountingImport),
    Pruned(SessionPrune),
}

/// Logs a pass of [`Workflows::run_session_history_periodically`]: what
/// the app and the agent both say of it (a failure is a warning: the next
/// pass tries again).
pub fn log_history_pass(outcome: Result<HistoryPass, WorkflowError>) {
    match outcome {
        Ok(HistoryPass::Imported(run)) if run.read + run.reread > 0 => tracing::info!(
            read = run.read,
            reread = run.reread,
            recorded = run.recorded,
            unknown_users = run.unknown_users,
            "RADIUS accounting imported"
        ),
        Ok(HistoryPass::Imported(_)) => {}
        Ok(HistoryPass::Pruned(pruned)) => {
            tracing::debug!(summed = pruned.summed, deleted = pruned.deleted, "session history pruned")
        }
        Err(err) => tracing::warn!("session history pass failed: {err}"),
    }
}

/// The service `row` is, by its username: the only service with it, else
/// the one on a router in RADIUS mode, else the one whose router is the
/// NAS that reported it. `None` when none or several remain.
fn owner_of<'a>(row: &AcctRow, owners: &'a HashMap<String, Vec<SessionOwner>>) -> Option<&'a SessionOwner> {
    let candidates = owners.get(&row.username)?;
    let pick = |filter: &dyn Fn(&&SessionOwner) -> bool| {
        let mut found = candidates.iter().filter(filter);
        match (found.next(), found.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    pick(&|_| true)
        .or_else(|| pick(&|o| o.radius))
        .or_else(|| pick(&|o| o.radius && o.nas_address.is_some() && o.nas_address == row.nas_address))
}

fn instant(seconds: Option<i64>) -> Option<Timestamp> {
    seconds.and_then(|s| Timestamp::from_second(s).ok())
}

fn bytes(octets: Option<i64>) -> u64 {
    octets.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

/// The history row of an accounting row, if it has any instant (a row
/// whose Start was lost starts at its first update).
fn session_of(row: &AcctRow, owner: &SessionOwner) -> Option<NewSession> {
    let started_at = instant(row.started).or(instant(row.updated)).or(instant(row.stopped))?;
    let stopped_at = instant(row.stopped);
    Some(NewSession {
        service: owner.service,
        router: Some(owner.router),
        source: SessionSource::Radius,
        key: row.unique_id.clone(),
        radacctid: Some(row.radacctid),
        started_at,
        stopped_at,
        updated_at: stopped_at.or(instant(row.updated)).unwrap_or(started_at),
        cause: row.terminate_cause.clone(),
        address: row.framed_address.clone(),
        caller: row.caller.clone(),
        bytes_in: bytes(row.input_octets),
        bytes_out: bytes(row.output_octets),
    })
}

impl Workflows {
    /// Imports FreeRADIUS's accounting into the session history: the rows
    /// after the cursor, page by page (each page's sessions and the cursor
    /// move in one transaction), then the sessions recorded online before,
    /// re-read by id. Rows whose username is no service's are skipped and
    /// counted.
    pub async fn import_radius_accounting(&self, db: &RadiusDb) -> Result<AccountingImport, WorkflowError> {
        // Read before the new pages: those are recorded as they are now.
        let open = self.store.open_radius_sessions().await?;
        let mut outcome =
            AccountingImport { cursor: self.store.radius_accounting_cursor().await?, ..Default::default() };
        loop {
            let page = db.accounting_after(outcome.cursor, ACCOUNTING_PAGE).await?;
            let Some(last) = page.last().map(|r| r.radacctid) else { break };
            outcome.read += u64::try_from(page.len()).unwrap_or(u64::MAX);
            let sessions = self.sessions_of(&page, &mut outcome).await?;
            self.store.record_radius_sessions(&sessions, Some(last)).await?;
            outcome.cursor = last;
            if i64::try_from(page.len()).unwrap_or(i64::MAX) < ACCOUNTING_PAGE {
                break;
            }
        }
        if !open.is_empty() {
            let rows = db.accounting_rows(&open).await?;
            outcome.reread = u64::try_from(rows.len()).unwrap_or(u64::MAX);
            outcome.stopped = u64::try_from(rows.iter().filter(|r| r.stopped.is_some()).count()).unwrap_or(u64::MAX);
            let sessions = self.sessions_of(&rows, &mut outcome).await?;
            self.store.record_radius_sessions(&sessions, None).await?;
            let found: HashSet<i64> = rows.iter().map(|r| r.radacctid).collect();
            let gone: Vec<i64> = open.into_iter().filter(|id| !found.contains(id)).collect();
            if !gone.is_empty() {
                tracing::info!(sessions = gone.len(), "online sessions gone from radacct, closed");
                outcome.stopped += self.store.close_radius_sessions(&gone, GONE_FROM_RADACCT).await?;
            }
        }
        Ok(outcome)
    }

    /// The history rows of `rows`, counting what is recorded or skipped.
    async fn sessions_of(
        &self,
        rows: &[AcctRow],
        outcome: &mut AccountingImport,
    ) -> Result<Vec<NewSession>, WorkflowError> {
        let names: Vec<&str> = rows.iter().map(|r| r.username.as_str()).collect::<HashSet<_>>().into_iter().collect();
        let owners = self.store.session_owners(&names).await?;
        let mut sessions = Vec::with_capacity(rows.len());
        for row in rows {
            match owner_of(row, &owners).and_then(|owner| session_of(row, owner)) {
                Some(session) => sessions.push(session),
                None => outcome.unknown_users += 1,
            }
        }
        outcome.recorded += u64::try_from(sessions.len()).unwrap_or(u64::MAX);
        Ok(sessions)
    }

    /// Applies the stored retention now, in the ISP's time zone.
    pub async fn prune_session_history(&self) -> Result<SessionPrune, WorkflowError> {
        let retention = self.store.session_retention().await?;
        let policy = self.store.isp_policy().await?;
        Ok(self.store.prune_session_history(retention, self.now(), &policy.time_zone).await?)
    }

    pub async fn session_retention(&self) -> Result<SessionRetention, WorkflowError> {
        Ok(self.store.session_retention().await?)
    }

    pub async fn set_session_retention(&self, detail_days: u16, keep_days: u16) -> Result<(), WorkflowError> {
        let retention = SessionRetention::new(detail_days, keep_days).map_err(|e| {
            // The console shows each bound at the number it is about.
            let field = match e {
                RetentionError::Detail(_) => "detail_days",
                RetentionError::Keep { .. } => "keep_days",
            };
            WorkflowError::invalid(field, e.to_string())
        })?;
        Ok(self.store.set_session_retention(retention).await?)
    }

    /// Imports accounting every [`IMPORT_EVERY`] (when RADIUS is set up)
    /// and applies the retention every [`PRUNE_EVERY`], starting now, until
    /// `stop`; each pass's outcome goes to `report`. The database is
    /// connected once and again when its settings change or a pass failed.
    pub async fn run_session_history_periodically(
        &self,
        mut stop: Stop,
        mut report: impl FnMut(Result<HistoryPass, WorkflowError>),
    ) {
        let mut prune_at = tokio::time::Instant::now();
        let mut radius: Option<(RadiusSettings, RadiusDb)> = None;
        while !*stop.borrow() {
            match self.store.radius_settings().await {
                Ok(Some(settings)) if radius.as_ref().is_none_or(|(s, _)| *s != settings) => {
                    if let Some((_, old)) = radius.take() {
                        old.close().await;
                    }
                    match self.radius_db(&settings).await {
                        Ok(db) => radius = Some((settings, db)),
                        Err(e) => report(Err(e)),
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => radius = None,
                Err(e) => report(Err(e.into())),
            }
            if let Some((_, db)) = &radius {
                let imported = self.import_radius_accounting(db).await;
                if imported.is_err() {
                    // Connected again next pass (a new password, a restart).
                    radius = None;
                }
                report(imported.map(HistoryPass::Imported));
            }
            if tokio::time::Instant::now() >= prune_at {
                report(self.prune_session_history().await.map(HistoryPass::Pruned));
                prune_at = tokio::time::Instant::now() + PRUNE_EVERY;
            }
            tokio::select! {
                _ = tokio::time::sleep(IMPORT_EVERY) => {}
                _ = stop.changed() => {}
            }
        }
        if let Some((_, db)) = radius {
            db.close().await;
        }
    }

    /// One accounting import now (`headend radius import-accounting`).
    pub async fn import_accounting_now(&self) -> Result<AccountingImport, WorkflowError> {
        let settings = self
            .store
            .radius_settings()
            .await?
            .ok_or_else(|| WorkflowError::invalid("radius", "RADIUS is not set up (headend radius set)"))?;
        let db = self.radius_db(&settings).await?;
        let imported = self.import_radius_accounting(&db).await;
        db.close().await;
        imported
    }

    /// A service's session history, newest first.
    pub async fn service_sessions(&self, service: ServiceId, limit: u32) -> Result<Vec<ServiceSession>, WorkflowError> {
        self.service(service).await?;
        Ok(self.store.service_sessions(service, limit).await?)
    }

    /// A service's usage per local day over the `days` days up to today
    /// (oldest first, every day present), for its chart.
    pub async fn service_usage(&self, service: ServiceId, days: u16) -> Result<Vec<DailyUsage>, WorkflowError> {
        self.service(service).await?;
        let (policy, today) = self.today().await?;
        let first = first_day(today, days);
        let since = day_start(first, &policy.time_zone).unwrap_or(Timestamp::MIN);
        let sessions = self.store.service_usage(service, since).await?;
        Ok(usage_by_day(sessions, &policy.time_zone, today, days))
    }
}

#[cfg(test)]
mod tests {
    use headend_core::RouterId;

    use super::*;

    fn row(user: &str, nas: Option<&str>) -> AcctRow {
        AcctRow {
            radacctid: 1,
            unique_id: "u".into(),
            session_id: "s".into(),
            username: user.into(),
            nas_address: nas.map(str::to_owned),
            framed_address: None,
            caller: None,
            started: Some(0),
            updated: None,
            stopped: None,
            input_octets: None,
            output_octets: None,
            terminate_cause: None,
        }
    }

    fn owner(service: i64, radius: bool, nas: Option<&str>) -> SessionOwner {
        SessionOwner {
            service: ServiceId(service),
            router: RouterId(service),
            radius,
            nas_address: nas.map(str::to_owned),
        }
    }

    #[test]
    fn a_username_is_the_service_it_names_unambiguously() {
        let owners = HashMap::from([
            ("one".to_owned(), vec![owner(1, false, None)]),
            ("two".to_owned(), vec![owner(2, false, None), owner(3, true, Some("10.0.0.3"))]),
            ("nas".to_owned(), vec![owner(4, true, Some("10.0.0.4")), owner(5, true, Some("10.0.0.5"))]),
        ]);
        let service = |user, nas| owner_of(&row(user, nas), &owners).map(|o| o.service.0);
        assert_eq!(service("one", None), Some(1));
        assert_eq!(service("two", None), Some(3), "the RADIUS router's");
        assert_eq!(service("nas", Some("10.0.0.5")), Some(5), "the reporting NAS's");
        assert_eq!(service("nas", Some("10.0.0.9")), None, "ambiguous");
        assert_eq!(service("nobody", None), None);
    }
}

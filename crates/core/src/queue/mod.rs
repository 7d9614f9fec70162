//! The durable retry queues: a row per action that failed (or waits), with
//! its attempts and next attempt. Here are their words (where a row stands,
//! the actions each queue retries; their text is what the database stores)
//! and their one rule, as plain functions over [`RetryState`]: a failure
//! adds an attempt and schedules the next after the [`backoff`], until the
//! last allowed one leaves the row `failed` for a manual retry, which starts
//! it over; a success drops the row.

pub mod backoff;

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

/// Where a queued action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueStatus {
    /// Waiting for its first (or a manually retried) attempt.
    Pending,
    /// Failed; tried again at its next attempt.
    Retrying,
    /// Failed its last allowed attempt; waits for a manual retry.
    Failed,
}

impl QueueStatus {
    pub const ALL: [QueueStatus; 3] = [QueueStatus::Pending, QueueStatus::Retrying, QueueStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueStatus::Pending => "pending",
            QueueStatus::Retrying => "retrying",
            QueueStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for QueueStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown queue status {0:?}: use pending, retrying or failed")]
pub struct UnknownQueueStatus(pub String);

impl FromStr for QueueStatus {
    type Err = UnknownQueueStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QueueStatus::ALL.into_iter().find(|q| q.as_str() == s).ok_or_else(|| UnknownQueueStatus(s.to_owned()))
    }
}

/// Where a queued action stands in its retries: the part of a row the rule
/// reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryState {
    pub attempts: u32,
    pub status: QueueStatus,
    pub next_attempt_at: Timestamp,
}

/// How a queue treats a failed action.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backoff {
    /// Tried again after [`backoff::delay`] (scaled by `jitter`, a random
    /// number in `[0, 1)` the caller draws) until `max_attempts` failures.
    Exponential { max_attempts: u32, jitter: f64 },
    /// Retrying cannot fix it: the first failure is final, and nothing is
    /// scheduled.
    Never,
}

impl RetryState {
    /// An action not tried yet, due at `now`; also what an operator's retry
    /// makes of a row.
    pub fn pending(now: Timestamp) -> Self {
        Self { attempts: 0, status: QueueStatus::Pending, next_attempt_at: now }
    }

    /// What a failure at `now` makes of a row that stood at `previous`
    /// (`None`: its first).
    pub fn after_failure(previous: Option<RetryState>, now: Timestamp, backoff: Backoff) -> Self {
        let attempts = previous.map_or(0, |p| p.attempts).saturating_add(1);
        match backoff {
            Backoff::Exponential { max_attempts, jitter } => Self {
                attempts,
                status: if attempts >= max_attempts { QueueStatus::Failed } else { QueueStatus::Retrying },
                next_attempt_at: backoff::next_attempt(attempts, now, jitter),
            },
            Backoff::Never => Self { attempts, status: QueueStatus::Failed, next_attempt_at: now },
        }
    }
}

/// What a row of the provisioning queue retries on its router: a step of
/// the router's plan (`provision::diff::Step::action`), or a conflict the
/// operator must resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvisionAction {
    ProfileAdd,
    ProfileSet,
    SecretAdd,
    SecretSet,
    SecretEnable,
    SecretDisable,
    SecretRemove,
    Kick,
    AddressListAdd,
    AddressListRemove,
    QueueAdd,
    QueueSet,
    QueueRemove,
    /// A legacy mark rewritten as this installation's.
    Claim,
    /// The router holds something Headend must not overwrite.
    Conflict,
}

impl ProvisionAction {
    pub const ALL: [ProvisionAction; 15] = [
        ProvisionAction::ProfileAdd,
        ProvisionAction::ProfileSet,
        ProvisionAction::SecretAdd,
        ProvisionAction::SecretSet,
        ProvisionAction::SecretEnable,
        ProvisionAction::SecretDisable,
        ProvisionAction::SecretRemove,
        ProvisionAction::Kick,
        ProvisionAction::AddressListAdd,
        ProvisionAction::AddressListRemove,
        ProvisionAction::QueueAdd,
        ProvisionAction::QueueSet,
        ProvisionAction::QueueRemove,
        ProvisionAction::Claim,
        ProvisionAction::Conflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProvisionAction::ProfileAdd => "profile-add",
            ProvisionAction::ProfileSet => "profile-set",
            ProvisionAction::SecretAdd => "secret-add",
            ProvisionAction::SecretSet => "secret-set",
            ProvisionAction::SecretEnable => "secret-enable",
            ProvisionAction::SecretDisable => "secret-disable",
            ProvisionAction::SecretRemove => "secret-remove",
            ProvisionAction::Kick => "kick",
            ProvisionAction::AddressListAdd => "address-list-add",
            ProvisionAction::AddressListRemove => "address-list-remove",
            ProvisionAction::QueueAdd => "queue-add",
            ProvisionAction::QueueSet => "queue-set",
            ProvisionAction::QueueRemove => "queue-remove",
            ProvisionAction::Claim => "claim",
            ProvisionAction::Conflict => "conflict",
        }
    }
}

impl fmt::Display for ProvisionAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provisioning action {0:?}")]
pub struct UnknownProvisionAction(pub String);

impl FromStr for ProvisionAction {
    type Err = UnknownProvisionAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProvisionAction::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| UnknownProvisionAction(s.to_owned()))
    }
}

/// What a row of the zero-touch queue retries on an OLT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OltAction {
    /// Registering the service's ONU.
    Authorize,
}

impl OltAction {
    pub const ALL: [OltAction; 1] = [OltAction::Authorize];

    pub fn as_str(self) -> &'static str {
        match self {
            OltAction::Authorize => "authorize",
        }
    }
}

impl fmt::Display for OltAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OLT action {0:?}")]
pub struct UnknownOltAction(pub String);

impl FromStr for OltAction {
    type Err = UnknownOltAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OltAction::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| UnknownOltAction(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_read_back() {
        for status in QueueStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        for action in ProvisionAction::ALL {
            assert_eq!(action.as_str().parse(), Ok(action));
        }
        for action in OltAction::ALL {
            assert_eq!(action.as_str().parse(), Ok(action));
        }
        assert_eq!("stuck".parse::<QueueStatus>(), Err(UnknownQueueStatus("stuck".into())));
        assert!("secret-rename".parse::<ProvisionAction>().is_err());
        assert!("reboot".parse::<OltAction>().is_err());
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn failures_back_off_until_the_last_allowed_one() {
        let backoff = Backoff::Exponential { max_attempts: 3, jitter: 1.0 };
        let first = RetryState::after_failure(None, at("2026-11-25T10:00:00Z"), backoff);
        assert_eq!(
            first,
            RetryState { attempts: 1, status: QueueStatus::Retrying, next_attempt_at: at("2026-11-25T10:00:15Z") }
        );
        let second = RetryState::after_failure(Some(first), at("2026-11-25T10:00:20Z"), backoff);
        assert_eq!((second.attempts, second.status), (2, QueueStatus::Retrying));
        assert_eq!(second.next_attempt_at, at("2026-11-25T10:00:50Z"));
        let third = RetryState::after_failure(Some(second), at("2026-11-25T10:01:00Z"), backoff);
        assert_eq!((third.attempts, third.status), (3, QueueStatus::Failed));
    }

    #[test]
    fn a_retry_starts_over_and_a_hopeless_failure_is_final_at_once() {
        let now = at("2026-11-25T10:00:00Z");
        let retried = RetryState::pending(now);
        assert_eq!(retried, RetryState { attempts: 0, status: QueueStatus::Pending, next_attempt_at: now });
        let again =
            RetryState::after_failure(Some(retried), now, Backoff::Exponential { max_attempts: 2, jitter: 0.0 });
        assert_eq!((again.attempts, again.status), (1, QueueStatus::Retrying));
        assert_eq!(
            RetryState::after_failure(Some(again), now, Backoff::Never),
            RetryState { attempts: 2, status: QueueStatus::Failed, next_attempt_at: now }
        );
    }
}
